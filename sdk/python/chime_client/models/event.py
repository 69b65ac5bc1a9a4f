from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_status import EventStatus

if TYPE_CHECKING:
    from ..models.event_payload import EventPayload


T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """
    Attributes:
        id (UUID):
        type_ (str):
        payload (EventPayload):
        status (EventStatus): `ignored`: no rule and nothing to schedule; `failed`: see `error`.
        error (None | str):  Example: payload.target_date is missing.
        notification_ids (list[UUID]):
        idempotency_key (None | str):
        created_at (datetime.datetime):
        processed_at (datetime.datetime | None):
    """

    id: UUID
    type_: str
    payload: EventPayload
    status: EventStatus
    error: None | str
    notification_ids: list[UUID]
    idempotency_key: None | str
    created_at: datetime.datetime
    processed_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        type_ = self.type_

        payload = self.payload.to_dict()

        status = self.status.value

        error: None | str
        error = self.error

        notification_ids = []
        for notification_ids_item_data in self.notification_ids:
            notification_ids_item = str(notification_ids_item_data)
            notification_ids.append(notification_ids_item)

        idempotency_key: None | str
        idempotency_key = self.idempotency_key

        created_at = self.created_at.isoformat()

        processed_at: None | str
        if isinstance(self.processed_at, datetime.datetime):
            processed_at = self.processed_at.isoformat()
        else:
            processed_at = self.processed_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "payload": payload,
                "status": status,
                "error": error,
                "notification_ids": notification_ids,
                "idempotency_key": idempotency_key,
                "created_at": created_at,
                "processed_at": processed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_payload import EventPayload

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        type_ = d.pop("type")

        payload = EventPayload.from_dict(d.pop("payload"))

        status = EventStatus(d.pop("status"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        notification_ids = []
        _notification_ids = d.pop("notification_ids")
        for notification_ids_item_data in _notification_ids:
            notification_ids_item = UUID(notification_ids_item_data)

            notification_ids.append(notification_ids_item)

        def _parse_idempotency_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_processed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                processed_at_type_0 = datetime.datetime.fromisoformat(data)

                return processed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        processed_at = _parse_processed_at(d.pop("processed_at"))

        event = cls(
            id=id,
            type_=type_,
            payload=payload,
            status=status,
            error=error,
            notification_ids=notification_ids,
            idempotency_key=idempotency_key,
            created_at=created_at,
            processed_at=processed_at,
        )

        event.additional_properties = d
        return event

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
