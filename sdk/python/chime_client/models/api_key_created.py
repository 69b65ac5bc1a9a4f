from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_key_created_role import ApiKeyCreatedRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyCreated")


@_attrs_define
class ApiKeyCreated:
    """
    Attributes:
        id (UUID):
        name (str):
        role (ApiKeyCreatedRole):
        key (str): The secret (`chk_…`). Shown only in this response; stored as a digest. Example: chk_….
        created_at (datetime.datetime):
        rate_limit (int | None | Unset): This key's own limit in requests per second (burst of one second), counted
            across all replicas, on top of the tenant's `CHIME_RATE_LIMIT`. `null`: only the tenant's limit.
    """

    id: UUID
    name: str
    role: ApiKeyCreatedRole
    key: str
    created_at: datetime.datetime
    rate_limit: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        role = self.role.value

        key = self.key

        created_at = self.created_at.isoformat()

        rate_limit: int | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        else:
            rate_limit = self.rate_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "role": role,
                "key": key,
                "created_at": created_at,
            }
        )
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        role = ApiKeyCreatedRole(d.pop("role"))

        key = d.pop("key")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_rate_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        api_key_created = cls(
            id=id,
            name=name,
            role=role,
            key=key,
            created_at=created_at,
            rate_limit=rate_limit,
        )

        api_key_created.additional_properties = d
        return api_key_created

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
