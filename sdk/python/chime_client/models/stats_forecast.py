from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stats_forecast_daily_item import StatsForecastDailyItem
    from ..models.stats_forecast_hourly_item import StatsForecastHourlyItem


T = TypeVar("T", bound="StatsForecast")


@_attrs_define
class StatsForecast:
    """Pending sends by due time and channel.

    Attributes:
        hourly (list[StatsForecastHourlyItem] | Unset): 24 hours from the current hour.
        daily (list[StatsForecastDailyItem] | Unset): 7 days from today (UTC).
        truncated (bool | Unset):
    """

    hourly: list[StatsForecastHourlyItem] | Unset = UNSET
    daily: list[StatsForecastDailyItem] | Unset = UNSET
    truncated: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        hourly: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.hourly, Unset):
            hourly = []
            for hourly_item_data in self.hourly:
                hourly_item = hourly_item_data.to_dict()
                hourly.append(hourly_item)

        daily: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.daily, Unset):
            daily = []
            for daily_item_data in self.daily:
                daily_item = daily_item_data.to_dict()
                daily.append(daily_item)

        truncated = self.truncated

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if hourly is not UNSET:
            field_dict["hourly"] = hourly
        if daily is not UNSET:
            field_dict["daily"] = daily
        if truncated is not UNSET:
            field_dict["truncated"] = truncated

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stats_forecast_daily_item import StatsForecastDailyItem
        from ..models.stats_forecast_hourly_item import StatsForecastHourlyItem

        d = dict(src_dict)
        _hourly = d.pop("hourly", UNSET)
        hourly: list[StatsForecastHourlyItem] | Unset = UNSET
        if _hourly is not UNSET:
            hourly = []
            for hourly_item_data in _hourly:
                hourly_item = StatsForecastHourlyItem.from_dict(hourly_item_data)

                hourly.append(hourly_item)

        _daily = d.pop("daily", UNSET)
        daily: list[StatsForecastDailyItem] | Unset = UNSET
        if _daily is not UNSET:
            daily = []
            for daily_item_data in _daily:
                daily_item = StatsForecastDailyItem.from_dict(daily_item_data)

                daily.append(daily_item)

        truncated = d.pop("truncated", UNSET)

        stats_forecast = cls(
            hourly=hourly,
            daily=daily,
            truncated=truncated,
        )

        stats_forecast.additional_properties = d
        return stats_forecast

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
