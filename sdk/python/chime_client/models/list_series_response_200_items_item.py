from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.list_series_response_200_items_item_pending_occurrence_type_0 import (
        ListSeriesResponse200ItemsItemPendingOccurrenceType0,
    )


T = TypeVar("T", bound="ListSeriesResponse200ItemsItem")


@_attrs_define
class ListSeriesResponse200ItemsItem:
    """
    Attributes:
        id (UUID | Unset):
        cron (str | Unset):
        timezone (str | Unset):
        ends_at (datetime.datetime | None | Unset):
        status (str | Unset):
        created_at (datetime.datetime | Unset):
        pending_occurrence (ListSeriesResponse200ItemsItemPendingOccurrenceType0 | None | Unset):
        next_fire_times (list[datetime.datetime] | Unset): The next three after the pending occurrence.
    """

    id: UUID | Unset = UNSET
    cron: str | Unset = UNSET
    timezone: str | Unset = UNSET
    ends_at: datetime.datetime | None | Unset = UNSET
    status: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    pending_occurrence: (
        ListSeriesResponse200ItemsItemPendingOccurrenceType0 | None | Unset
    ) = UNSET
    next_fire_times: list[datetime.datetime] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.list_series_response_200_items_item_pending_occurrence_type_0 import (
            ListSeriesResponse200ItemsItemPendingOccurrenceType0,
        )

        id: str | Unset = UNSET
        if not isinstance(self.id, Unset):
            id = str(self.id)

        cron = self.cron

        timezone = self.timezone

        ends_at: None | str | Unset
        if isinstance(self.ends_at, Unset):
            ends_at = UNSET
        elif isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        status = self.status

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        pending_occurrence: dict[str, Any] | None | Unset
        if isinstance(self.pending_occurrence, Unset):
            pending_occurrence = UNSET
        elif isinstance(
            self.pending_occurrence,
            ListSeriesResponse200ItemsItemPendingOccurrenceType0,
        ):
            pending_occurrence = self.pending_occurrence.to_dict()
        else:
            pending_occurrence = self.pending_occurrence

        next_fire_times: list[str] | Unset = UNSET
        if not isinstance(self.next_fire_times, Unset):
            next_fire_times = []
            for next_fire_times_item_data in self.next_fire_times:
                next_fire_times_item = next_fire_times_item_data.isoformat()
                next_fire_times.append(next_fire_times_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if cron is not UNSET:
            field_dict["cron"] = cron
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if status is not UNSET:
            field_dict["status"] = status
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if pending_occurrence is not UNSET:
            field_dict["pending_occurrence"] = pending_occurrence
        if next_fire_times is not UNSET:
            field_dict["next_fire_times"] = next_fire_times

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_series_response_200_items_item_pending_occurrence_type_0 import (
            ListSeriesResponse200ItemsItemPendingOccurrenceType0,
        )

        d = dict(src_dict)
        _id = d.pop("id", UNSET)
        id: UUID | Unset
        if isinstance(_id, Unset):
            id = UNSET
        else:
            id = UUID(_id)

        cron = d.pop("cron", UNSET)

        timezone = d.pop("timezone", UNSET)

        def _parse_ends_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ends_at_type_0 = datetime.datetime.fromisoformat(data)

                return ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ends_at = _parse_ends_at(d.pop("ends_at", UNSET))

        status = d.pop("status", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_pending_occurrence(
            data: object,
        ) -> ListSeriesResponse200ItemsItemPendingOccurrenceType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pending_occurrence_type_0 = (
                    ListSeriesResponse200ItemsItemPendingOccurrenceType0.from_dict(data)
                )

                return pending_occurrence_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                ListSeriesResponse200ItemsItemPendingOccurrenceType0 | None | Unset,
                data,
            )

        pending_occurrence = _parse_pending_occurrence(
            d.pop("pending_occurrence", UNSET)
        )

        _next_fire_times = d.pop("next_fire_times", UNSET)
        next_fire_times: list[datetime.datetime] | Unset = UNSET
        if _next_fire_times is not UNSET:
            next_fire_times = []
            for next_fire_times_item_data in _next_fire_times:
                next_fire_times_item = datetime.datetime.fromisoformat(
                    next_fire_times_item_data
                )

                next_fire_times.append(next_fire_times_item)

        list_series_response_200_items_item = cls(
            id=id,
            cron=cron,
            timezone=timezone,
            ends_at=ends_at,
            status=status,
            created_at=created_at,
            pending_occurrence=pending_occurrence,
            next_fire_times=next_fire_times,
        )

        list_series_response_200_items_item.additional_properties = d
        return list_series_response_200_items_item

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
