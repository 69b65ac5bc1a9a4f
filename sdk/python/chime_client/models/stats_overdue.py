from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsOverdue")


@_attrs_define
class StatsOverdue:
    """Due and not yet sent.

    Attributes:
        count (int | Unset):
        oldest_due_at (datetime.datetime | None | Unset):
        oldest_age_seconds (float | None | Unset):
    """

    count: int | Unset = UNSET
    oldest_due_at: datetime.datetime | None | Unset = UNSET
    oldest_age_seconds: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        oldest_due_at: None | str | Unset
        if isinstance(self.oldest_due_at, Unset):
            oldest_due_at = UNSET
        elif isinstance(self.oldest_due_at, datetime.datetime):
            oldest_due_at = self.oldest_due_at.isoformat()
        else:
            oldest_due_at = self.oldest_due_at

        oldest_age_seconds: float | None | Unset
        if isinstance(self.oldest_age_seconds, Unset):
            oldest_age_seconds = UNSET
        else:
            oldest_age_seconds = self.oldest_age_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if count is not UNSET:
            field_dict["count"] = count
        if oldest_due_at is not UNSET:
            field_dict["oldest_due_at"] = oldest_due_at
        if oldest_age_seconds is not UNSET:
            field_dict["oldest_age_seconds"] = oldest_age_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        count = d.pop("count", UNSET)

        def _parse_oldest_due_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                oldest_due_at_type_0 = datetime.datetime.fromisoformat(data)

                return oldest_due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        oldest_due_at = _parse_oldest_due_at(d.pop("oldest_due_at", UNSET))

        def _parse_oldest_age_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        oldest_age_seconds = _parse_oldest_age_seconds(
            d.pop("oldest_age_seconds", UNSET)
        )

        stats_overdue = cls(
            count=count,
            oldest_due_at=oldest_due_at,
            oldest_age_seconds=oldest_age_seconds,
        )

        stats_overdue.additional_properties = d
        return stats_overdue

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
