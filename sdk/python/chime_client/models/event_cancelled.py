from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_cancelled_status import EventCancelledStatus

T = TypeVar("T", bound="EventCancelled")


@_attrs_define
class EventCancelled:
    """
    Attributes:
        cancelled (int): How many pending notifications were cancelled.
        event_id (UUID):
        status (EventCancelledStatus): The event's status after the cancellation.
    """

    cancelled: int
    event_id: UUID
    status: EventCancelledStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cancelled = self.cancelled

        event_id = str(self.event_id)

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cancelled": cancelled,
                "event_id": event_id,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cancelled = d.pop("cancelled")

        event_id = UUID(d.pop("event_id"))

        status = EventCancelledStatus(d.pop("status"))

        event_cancelled = cls(
            cancelled=cancelled,
            event_id=event_id,
            status=status,
        )

        event_cancelled.additional_properties = d
        return event_cancelled

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
