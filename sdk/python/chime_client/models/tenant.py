from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Tenant")


@_attrs_define
class Tenant:
    """
    Attributes:
        id (UUID):
        name (str):
        webhook_secret (str): Signs this tenant's webhooks (Standard Webhooks, HMAC-SHA256). Example: whsec_….
        created_at (datetime.datetime):
        previous_webhook_secret (None | str): The secret before the last rotation while it still signs (both signatures
            are sent).
        previous_webhook_secret_expires_at (datetime.datetime | None): When the previous secret stops signing.
    """

    id: UUID
    name: str
    webhook_secret: str
    created_at: datetime.datetime
    previous_webhook_secret: None | str
    previous_webhook_secret_expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        webhook_secret = self.webhook_secret

        created_at = self.created_at.isoformat()

        previous_webhook_secret: None | str
        previous_webhook_secret = self.previous_webhook_secret

        previous_webhook_secret_expires_at: None | str
        if isinstance(self.previous_webhook_secret_expires_at, datetime.datetime):
            previous_webhook_secret_expires_at = (
                self.previous_webhook_secret_expires_at.isoformat()
            )
        else:
            previous_webhook_secret_expires_at = self.previous_webhook_secret_expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "webhook_secret": webhook_secret,
                "created_at": created_at,
                "previous_webhook_secret": previous_webhook_secret,
                "previous_webhook_secret_expires_at": previous_webhook_secret_expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        webhook_secret = d.pop("webhook_secret")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_previous_webhook_secret(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_webhook_secret = _parse_previous_webhook_secret(
            d.pop("previous_webhook_secret")
        )

        def _parse_previous_webhook_secret_expires_at(
            data: object,
        ) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_webhook_secret_expires_at_type_0 = (
                    datetime.datetime.fromisoformat(data)
                )

                return previous_webhook_secret_expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        previous_webhook_secret_expires_at = _parse_previous_webhook_secret_expires_at(
            d.pop("previous_webhook_secret_expires_at")
        )

        tenant = cls(
            id=id,
            name=name,
            webhook_secret=webhook_secret,
            created_at=created_at,
            previous_webhook_secret=previous_webhook_secret,
            previous_webhook_secret_expires_at=previous_webhook_secret_expires_at,
        )

        tenant.additional_properties = d
        return tenant

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
