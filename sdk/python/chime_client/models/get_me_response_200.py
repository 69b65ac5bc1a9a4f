from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.get_me_response_200_role import GetMeResponse200Role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.get_me_response_200_tenant import GetMeResponse200Tenant


T = TypeVar("T", bound="GetMeResponse200")


@_attrs_define
class GetMeResponse200:
    """
    Attributes:
        tenant (GetMeResponse200Tenant | Unset):
        role (GetMeResponse200Role | Unset):
        actor (str | Unset):
        name (str | Unset):
    """

    tenant: GetMeResponse200Tenant | Unset = UNSET
    role: GetMeResponse200Role | Unset = UNSET
    actor: str | Unset = UNSET
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tenant, Unset):
            tenant = self.tenant.to_dict()

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        actor = self.actor

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if tenant is not UNSET:
            field_dict["tenant"] = tenant
        if role is not UNSET:
            field_dict["role"] = role
        if actor is not UNSET:
            field_dict["actor"] = actor
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.get_me_response_200_tenant import GetMeResponse200Tenant

        d = dict(src_dict)
        _tenant = d.pop("tenant", UNSET)
        tenant: GetMeResponse200Tenant | Unset
        if isinstance(_tenant, Unset):
            tenant = UNSET
        else:
            tenant = GetMeResponse200Tenant.from_dict(_tenant)

        _role = d.pop("role", UNSET)
        role: GetMeResponse200Role | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = GetMeResponse200Role(_role)

        actor = d.pop("actor", UNSET)

        name = d.pop("name", UNSET)

        get_me_response_200 = cls(
            tenant=tenant,
            role=role,
            actor=actor,
            name=name,
        )

        get_me_response_200.additional_properties = d
        return get_me_response_200

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
