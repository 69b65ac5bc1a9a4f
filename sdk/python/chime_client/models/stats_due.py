from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsDue")


@_attrs_define
class StatsDue:
    """Pending notifications due from now within an hour / a day.

    Attributes:
        next_hour (int | Unset):
        next_day (int | Unset):
    """

    next_hour: int | Unset = UNSET
    next_day: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        next_hour = self.next_hour

        next_day = self.next_day

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if next_hour is not UNSET:
            field_dict["next_hour"] = next_hour
        if next_day is not UNSET:
            field_dict["next_day"] = next_day

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        next_hour = d.pop("next_hour", UNSET)

        next_day = d.pop("next_day", UNSET)

        stats_due = cls(
            next_hour=next_hour,
            next_day=next_day,
        )

        stats_due.additional_properties = d
        return stats_due

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
