from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsCounts")


@_attrs_define
class StatsCounts:
    """Per status, each counting no further than `count_cap`.

    Attributes:
        scheduled (int | Unset):
        sending (int | Unset):
        sent (int | Unset):
        cancelled (int | Unset):
        expired (int | Unset):
        dead (int | Unset):
        suppressed (int | Unset):
    """

    scheduled: int | Unset = UNSET
    sending: int | Unset = UNSET
    sent: int | Unset = UNSET
    cancelled: int | Unset = UNSET
    expired: int | Unset = UNSET
    dead: int | Unset = UNSET
    suppressed: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scheduled = self.scheduled

        sending = self.sending

        sent = self.sent

        cancelled = self.cancelled

        expired = self.expired

        dead = self.dead

        suppressed = self.suppressed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if scheduled is not UNSET:
            field_dict["scheduled"] = scheduled
        if sending is not UNSET:
            field_dict["sending"] = sending
        if sent is not UNSET:
            field_dict["sent"] = sent
        if cancelled is not UNSET:
            field_dict["cancelled"] = cancelled
        if expired is not UNSET:
            field_dict["expired"] = expired
        if dead is not UNSET:
            field_dict["dead"] = dead
        if suppressed is not UNSET:
            field_dict["suppressed"] = suppressed

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        scheduled = d.pop("scheduled", UNSET)

        sending = d.pop("sending", UNSET)

        sent = d.pop("sent", UNSET)

        cancelled = d.pop("cancelled", UNSET)

        expired = d.pop("expired", UNSET)

        dead = d.pop("dead", UNSET)

        suppressed = d.pop("suppressed", UNSET)

        stats_counts = cls(
            scheduled=scheduled,
            sending=sending,
            sent=sent,
            cancelled=cancelled,
            expired=expired,
            dead=dead,
            suppressed=suppressed,
        )

        stats_counts.additional_properties = d
        return stats_counts

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
