from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CronPreviewRequest")


@_attrs_define
class CronPreviewRequest:
    """
    Example:
        {'after': '2027-03-13T00:00:00Z', 'count': 5, 'cron': '30 2 * * *', 'timezone': 'America/New_York'}

    Attributes:
        cron (str):  Example: 30 2 * * *.
        timezone (None | str | Unset): IANA name (default UTC).
        after (datetime.datetime | None | Unset): Default: now.
        count (int | None | Unset): How many fire times (default 5).
    """

    cron: str
    timezone: None | str | Unset = UNSET
    after: datetime.datetime | None | Unset = UNSET
    count: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        cron = self.cron

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        after: None | str | Unset
        if isinstance(self.after, Unset):
            after = UNSET
        elif isinstance(self.after, datetime.datetime):
            after = self.after.isoformat()
        else:
            after = self.after

        count: int | None | Unset
        if isinstance(self.count, Unset):
            count = UNSET
        else:
            count = self.count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "cron": cron,
            }
        )
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if after is not UNSET:
            field_dict["after"] = after
        if count is not UNSET:
            field_dict["count"] = count

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cron = d.pop("cron")

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        def _parse_after(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                after_type_0 = datetime.datetime.fromisoformat(data)

                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        after = _parse_after(d.pop("after", UNSET))

        def _parse_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        count = _parse_count(d.pop("count", UNSET))

        cron_preview_request = cls(
            cron=cron,
            timezone=timezone,
            after=after,
            count=count,
        )

        return cron_preview_request
