from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsSendsPerMinuteItem")


@_attrs_define
class StatsSendsPerMinuteItem:
    """
    Attributes:
        minute (datetime.datetime | Unset):
        success (int | Unset):
        transient_failure (int | Unset):
        permanent_failure (int | Unset):
        expired (int | Unset):
        refused (int | Unset):
    """

    minute: datetime.datetime | Unset = UNSET
    success: int | Unset = UNSET
    transient_failure: int | Unset = UNSET
    permanent_failure: int | Unset = UNSET
    expired: int | Unset = UNSET
    refused: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        minute: str | Unset = UNSET
        if not isinstance(self.minute, Unset):
            minute = self.minute.isoformat()

        success = self.success

        transient_failure = self.transient_failure

        permanent_failure = self.permanent_failure

        expired = self.expired

        refused = self.refused

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if minute is not UNSET:
            field_dict["minute"] = minute
        if success is not UNSET:
            field_dict["success"] = success
        if transient_failure is not UNSET:
            field_dict["transient_failure"] = transient_failure
        if permanent_failure is not UNSET:
            field_dict["permanent_failure"] = permanent_failure
        if expired is not UNSET:
            field_dict["expired"] = expired
        if refused is not UNSET:
            field_dict["refused"] = refused

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _minute = d.pop("minute", UNSET)
        minute: datetime.datetime | Unset
        if isinstance(_minute, Unset):
            minute = UNSET
        else:
            minute = datetime.datetime.fromisoformat(_minute)

        success = d.pop("success", UNSET)

        transient_failure = d.pop("transient_failure", UNSET)

        permanent_failure = d.pop("permanent_failure", UNSET)

        expired = d.pop("expired", UNSET)

        refused = d.pop("refused", UNSET)

        stats_sends_per_minute_item = cls(
            minute=minute,
            success=success,
            transient_failure=transient_failure,
            permanent_failure=permanent_failure,
            expired=expired,
            refused=refused,
        )

        stats_sends_per_minute_item.additional_properties = d
        return stats_sends_per_minute_item

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
