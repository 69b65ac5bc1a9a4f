from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.unsubscribed_channel import UnsubscribedChannel

T = TypeVar("T", bound="Unsubscribed")


@_attrs_define
class Unsubscribed:
    """
    Attributes:
        unsubscribed (bool):
        category (str):
        channel (UnsubscribedChannel):
    """

    unsubscribed: bool
    category: str
    channel: UnsubscribedChannel
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        unsubscribed = self.unsubscribed

        category = self.category

        channel = self.channel.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "unsubscribed": unsubscribed,
                "category": category,
                "channel": channel,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        unsubscribed = d.pop("unsubscribed")

        category = d.pop("category")

        channel = UnsubscribedChannel(d.pop("channel"))

        unsubscribed = cls(
            unsubscribed=unsubscribed,
            category=category,
            channel=channel,
        )

        unsubscribed.additional_properties = d
        return unsubscribed

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
