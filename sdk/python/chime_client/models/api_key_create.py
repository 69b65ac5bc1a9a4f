from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_key_create_role import ApiKeyCreateRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyCreate")


@_attrs_define
class ApiKeyCreate:
    """
    Example:
        {'name': 'billing', 'rate_limit': 20, 'role': 'member'}

    Attributes:
        role (ApiKeyCreateRole):
        name (None | str | Unset):
        rate_limit (int | None | Unset): This key's own limit in requests per second (burst of one second), counted
            across all replicas, on top of the tenant's `CHIME_RATE_LIMIT`. `null`: only the tenant's limit.
    """

    role: ApiKeyCreateRole
    name: None | str | Unset = UNSET
    rate_limit: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        rate_limit: int | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        role = ApiKeyCreateRole(d.pop("role"))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_rate_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        api_key_create = cls(
            role=role,
            name=name,
            rate_limit=rate_limit,
        )

        return api_key_create
