from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GetTimelineResponse200ItemsItemBy")


@_attrs_define
class GetTimelineResponse200ItemsItemBy:
    """
    Attributes:
        actor (str | Unset):
        name (None | str | Unset): The actor's name, when the actor is a user or a named key.
        event_id (UUID | Unset):
        series_id (UUID | Unset):
    """

    actor: str | Unset = UNSET
    name: None | str | Unset = UNSET
    event_id: UUID | Unset = UNSET
    series_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        event_id: str | Unset = UNSET
        if not isinstance(self.event_id, Unset):
            event_id = str(self.event_id)

        series_id: str | Unset = UNSET
        if not isinstance(self.series_id, Unset):
            series_id = str(self.series_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if actor is not UNSET:
            field_dict["actor"] = actor
        if name is not UNSET:
            field_dict["name"] = name
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if series_id is not UNSET:
            field_dict["series_id"] = series_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        actor = d.pop("actor", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        _event_id = d.pop("event_id", UNSET)
        event_id: UUID | Unset
        if isinstance(_event_id, Unset):
            event_id = UNSET
        else:
            event_id = UUID(_event_id)

        _series_id = d.pop("series_id", UNSET)
        series_id: UUID | Unset
        if isinstance(_series_id, Unset):
            series_id = UNSET
        else:
            series_id = UUID(_series_id)

        get_timeline_response_200_items_item_by = cls(
            actor=actor,
            name=name,
            event_id=event_id,
            series_id=series_id,
        )

        get_timeline_response_200_items_item_by.additional_properties = d
        return get_timeline_response_200_items_item_by

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
