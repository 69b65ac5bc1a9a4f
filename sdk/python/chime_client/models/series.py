from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.series_status import SeriesStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.notification import Notification


T = TypeVar("T", bound="Series")


@_attrs_define
class Series:
    """A recurring reminder; each occurrence is its own notification with this `series_id`.

    Attributes:
        id (UUID):
        cron (str):
        timezone (str):
        ends_at (datetime.datetime | None):
        status (SeriesStatus):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        occurrences (list[Notification] | Unset): The latest 50 occurrences, newest first.
        cancelled (int | Unset): Only in the response to a cancel: how many pending occurrences it cancelled.
    """

    id: UUID
    cron: str
    timezone: str
    ends_at: datetime.datetime | None
    status: SeriesStatus
    created_at: datetime.datetime
    updated_at: datetime.datetime
    occurrences: list[Notification] | Unset = UNSET
    cancelled: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        cron = self.cron

        timezone = self.timezone

        ends_at: None | str
        if isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        status = self.status.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        occurrences: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.occurrences, Unset):
            occurrences = []
            for occurrences_item_data in self.occurrences:
                occurrences_item = occurrences_item_data.to_dict()
                occurrences.append(occurrences_item)

        cancelled = self.cancelled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "cron": cron,
                "timezone": timezone,
                "ends_at": ends_at,
                "status": status,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if occurrences is not UNSET:
            field_dict["occurrences"] = occurrences
        if cancelled is not UNSET:
            field_dict["cancelled"] = cancelled

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.notification import Notification

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        cron = d.pop("cron")

        timezone = d.pop("timezone")

        def _parse_ends_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ends_at_type_0 = datetime.datetime.fromisoformat(data)

                return ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ends_at = _parse_ends_at(d.pop("ends_at"))

        status = SeriesStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _occurrences = d.pop("occurrences", UNSET)
        occurrences: list[Notification] | Unset = UNSET
        if _occurrences is not UNSET:
            occurrences = []
            for occurrences_item_data in _occurrences:
                occurrences_item = Notification.from_dict(occurrences_item_data)

                occurrences.append(occurrences_item)

        cancelled = d.pop("cancelled", UNSET)

        series = cls(
            id=id,
            cron=cron,
            timezone=timezone,
            ends_at=ends_at,
            status=status,
            created_at=created_at,
            updated_at=updated_at,
            occurrences=occurrences,
            cancelled=cancelled,
        )

        series.additional_properties = d
        return series

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
