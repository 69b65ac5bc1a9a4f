from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CronPreview")


@_attrs_define
class CronPreview:
    """The next fire times with the DST rules applied: a local time that does not exist moves forward to the first valid
    instant; an ambiguous one fires once, at its first occurrence.

        Attributes:
            cron (str):
            timezone (str): The time zone applied (`UTC` when none was given).
            after (datetime.datetime): The times are after this instant (now when none was given).
            times (list[datetime.datetime]):
    """

    cron: str
    timezone: str
    after: datetime.datetime
    times: list[datetime.datetime]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cron = self.cron

        timezone = self.timezone

        after = self.after.isoformat()

        times = []
        for times_item_data in self.times:
            times_item = times_item_data.isoformat()
            times.append(times_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cron": cron,
                "timezone": timezone,
                "after": after,
                "times": times,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cron = d.pop("cron")

        timezone = d.pop("timezone")

        after = datetime.datetime.fromisoformat(d.pop("after"))

        times = []
        _times = d.pop("times")
        for times_item_data in _times:
            times_item = datetime.datetime.fromisoformat(times_item_data)

            times.append(times_item)

        cron_preview = cls(
            cron=cron,
            timezone=timezone,
            after=after,
            times=times,
        )

        cron_preview.additional_properties = d
        return cron_preview

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
