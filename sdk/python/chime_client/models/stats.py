from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stats_counts import StatsCounts
    from ..models.stats_due import StatsDue
    from ..models.stats_forecast import StatsForecast
    from ..models.stats_lag import StatsLag
    from ..models.stats_overdue import StatsOverdue
    from ..models.stats_queues import StatsQueues
    from ..models.stats_sends_per_minute_item import StatsSendsPerMinuteItem


T = TypeVar("T", bound="Stats")


@_attrs_define
class Stats:
    """
    Attributes:
        generated_at (datetime.datetime | Unset):
        counts (StatsCounts | Unset): Per status, each counting no further than `count_cap`.
        count_cap (int | Unset):
        due (StatsDue | Unset): Pending notifications due from now within an hour / a day.
        overdue (StatsOverdue | Unset): Due and not yet sent.
        lag (StatsLag | Unset): From due time to the provider call, successful attempts of the last 5 minutes.
        sends_per_minute (list[StatsSendsPerMinuteItem] | Unset): Delivery attempts by outcome for each of the last 60
            minutes.
        forecast (StatsForecast | Unset): Pending sends by due time and channel.
        events_backlog (int | Unset):
        queues (StatsQueues | Unset): The deployment's Redis queues; only `error` when Redis does not answer.
    """

    generated_at: datetime.datetime | Unset = UNSET
    counts: StatsCounts | Unset = UNSET
    count_cap: int | Unset = UNSET
    due: StatsDue | Unset = UNSET
    overdue: StatsOverdue | Unset = UNSET
    lag: StatsLag | Unset = UNSET
    sends_per_minute: list[StatsSendsPerMinuteItem] | Unset = UNSET
    forecast: StatsForecast | Unset = UNSET
    events_backlog: int | Unset = UNSET
    queues: StatsQueues | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        generated_at: str | Unset = UNSET
        if not isinstance(self.generated_at, Unset):
            generated_at = self.generated_at.isoformat()

        counts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.counts, Unset):
            counts = self.counts.to_dict()

        count_cap = self.count_cap

        due: dict[str, Any] | Unset = UNSET
        if not isinstance(self.due, Unset):
            due = self.due.to_dict()

        overdue: dict[str, Any] | Unset = UNSET
        if not isinstance(self.overdue, Unset):
            overdue = self.overdue.to_dict()

        lag: dict[str, Any] | Unset = UNSET
        if not isinstance(self.lag, Unset):
            lag = self.lag.to_dict()

        sends_per_minute: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sends_per_minute, Unset):
            sends_per_minute = []
            for sends_per_minute_item_data in self.sends_per_minute:
                sends_per_minute_item = sends_per_minute_item_data.to_dict()
                sends_per_minute.append(sends_per_minute_item)

        forecast: dict[str, Any] | Unset = UNSET
        if not isinstance(self.forecast, Unset):
            forecast = self.forecast.to_dict()

        events_backlog = self.events_backlog

        queues: dict[str, Any] | Unset = UNSET
        if not isinstance(self.queues, Unset):
            queues = self.queues.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if generated_at is not UNSET:
            field_dict["generated_at"] = generated_at
        if counts is not UNSET:
            field_dict["counts"] = counts
        if count_cap is not UNSET:
            field_dict["count_cap"] = count_cap
        if due is not UNSET:
            field_dict["due"] = due
        if overdue is not UNSET:
            field_dict["overdue"] = overdue
        if lag is not UNSET:
            field_dict["lag"] = lag
        if sends_per_minute is not UNSET:
            field_dict["sends_per_minute"] = sends_per_minute
        if forecast is not UNSET:
            field_dict["forecast"] = forecast
        if events_backlog is not UNSET:
            field_dict["events_backlog"] = events_backlog
        if queues is not UNSET:
            field_dict["queues"] = queues

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stats_counts import StatsCounts
        from ..models.stats_due import StatsDue
        from ..models.stats_forecast import StatsForecast
        from ..models.stats_lag import StatsLag
        from ..models.stats_overdue import StatsOverdue
        from ..models.stats_queues import StatsQueues
        from ..models.stats_sends_per_minute_item import StatsSendsPerMinuteItem

        d = dict(src_dict)
        _generated_at = d.pop("generated_at", UNSET)
        generated_at: datetime.datetime | Unset
        if isinstance(_generated_at, Unset):
            generated_at = UNSET
        else:
            generated_at = datetime.datetime.fromisoformat(_generated_at)

        _counts = d.pop("counts", UNSET)
        counts: StatsCounts | Unset
        if isinstance(_counts, Unset):
            counts = UNSET
        else:
            counts = StatsCounts.from_dict(_counts)

        count_cap = d.pop("count_cap", UNSET)

        _due = d.pop("due", UNSET)
        due: StatsDue | Unset
        if isinstance(_due, Unset):
            due = UNSET
        else:
            due = StatsDue.from_dict(_due)

        _overdue = d.pop("overdue", UNSET)
        overdue: StatsOverdue | Unset
        if isinstance(_overdue, Unset):
            overdue = UNSET
        else:
            overdue = StatsOverdue.from_dict(_overdue)

        _lag = d.pop("lag", UNSET)
        lag: StatsLag | Unset
        if isinstance(_lag, Unset):
            lag = UNSET
        else:
            lag = StatsLag.from_dict(_lag)

        _sends_per_minute = d.pop("sends_per_minute", UNSET)
        sends_per_minute: list[StatsSendsPerMinuteItem] | Unset = UNSET
        if _sends_per_minute is not UNSET:
            sends_per_minute = []
            for sends_per_minute_item_data in _sends_per_minute:
                sends_per_minute_item = StatsSendsPerMinuteItem.from_dict(
                    sends_per_minute_item_data
                )

                sends_per_minute.append(sends_per_minute_item)

        _forecast = d.pop("forecast", UNSET)
        forecast: StatsForecast | Unset
        if isinstance(_forecast, Unset):
            forecast = UNSET
        else:
            forecast = StatsForecast.from_dict(_forecast)

        events_backlog = d.pop("events_backlog", UNSET)

        _queues = d.pop("queues", UNSET)
        queues: StatsQueues | Unset
        if isinstance(_queues, Unset):
            queues = UNSET
        else:
            queues = StatsQueues.from_dict(_queues)

        stats = cls(
            generated_at=generated_at,
            counts=counts,
            count_cap=count_cap,
            due=due,
            overdue=overdue,
            lag=lag,
            sends_per_minute=sends_per_minute,
            forecast=forecast,
            events_backlog=events_backlog,
            queues=queues,
        )

        stats.additional_properties = d
        return stats

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
