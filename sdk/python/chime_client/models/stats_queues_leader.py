from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsQueuesLeader")


@_attrs_define
class StatsQueuesLeader:
    """
    Attributes:
        present (bool | Unset):
        ttl_ms (int | Unset):
    """

    present: bool | Unset = UNSET
    ttl_ms: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        present = self.present

        ttl_ms = self.ttl_ms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if present is not UNSET:
            field_dict["present"] = present
        if ttl_ms is not UNSET:
            field_dict["ttl_ms"] = ttl_ms

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        present = d.pop("present", UNSET)

        ttl_ms = d.pop("ttl_ms", UNSET)

        stats_queues_leader = cls(
            present=present,
            ttl_ms=ttl_ms,
        )

        stats_queues_leader.additional_properties = d
        return stats_queues_leader

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
