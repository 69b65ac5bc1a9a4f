from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.registered_tenant import RegisteredTenant
    from ..models.user import User


T = TypeVar("T", bound="Registered")


@_attrs_define
class Registered:
    """
    Attributes:
        tenant (RegisteredTenant):
        user (User):
        admin_key (str): An admin API key of the new tenant (`chk_…`), shown only here.
        token (None | str): A JWT for the new user; `null` when the server has no `CHIME_JWT_SECRET`.
        expires_in (int | None):
    """

    tenant: RegisteredTenant
    user: User
    admin_key: str
    token: None | str
    expires_in: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant.to_dict()

        user = self.user.to_dict()

        admin_key = self.admin_key

        token: None | str
        token = self.token

        expires_in: int | None
        expires_in = self.expires_in

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "user": user,
                "admin_key": admin_key,
                "token": token,
                "expires_in": expires_in,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.registered_tenant import RegisteredTenant
        from ..models.user import User

        d = dict(src_dict)
        tenant = RegisteredTenant.from_dict(d.pop("tenant"))

        user = User.from_dict(d.pop("user"))

        admin_key = d.pop("admin_key")

        def _parse_token(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        token = _parse_token(d.pop("token"))

        def _parse_expires_in(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        expires_in = _parse_expires_in(d.pop("expires_in"))

        registered = cls(
            tenant=tenant,
            user=user,
            admin_key=admin_key,
            token=token,
            expires_in=expires_in,
        )

        registered.additional_properties = d
        return registered

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
