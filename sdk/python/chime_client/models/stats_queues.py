from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.stats_queues_leader import StatsQueuesLeader


T = TypeVar("T", bound="StatsQueues")


@_attrs_define
class StatsQueues:
    """The deployment's Redis queues; only `error` when Redis does not answer.

    Attributes:
        schedule (int | Unset):
        ready (int | Unset):
        pending (int | Unset):
        events (int | Unset):
        leader (StatsQueuesLeader | Unset):
        error (str | Unset):
    """

    schedule: int | Unset = UNSET
    ready: int | Unset = UNSET
    pending: int | Unset = UNSET
    events: int | Unset = UNSET
    leader: StatsQueuesLeader | Unset = UNSET
    error: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        schedule = self.schedule

        ready = self.ready

        pending = self.pending

        events = self.events

        leader: dict[str, Any] | Unset = UNSET
        if not isinstance(self.leader, Unset):
            leader = self.leader.to_dict()

        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if ready is not UNSET:
            field_dict["ready"] = ready
        if pending is not UNSET:
            field_dict["pending"] = pending
        if events is not UNSET:
            field_dict["events"] = events
        if leader is not UNSET:
            field_dict["leader"] = leader
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stats_queues_leader import StatsQueuesLeader

        d = dict(src_dict)
        schedule = d.pop("schedule", UNSET)

        ready = d.pop("ready", UNSET)

        pending = d.pop("pending", UNSET)

        events = d.pop("events", UNSET)

        _leader = d.pop("leader", UNSET)
        leader: StatsQueuesLeader | Unset
        if isinstance(_leader, Unset):
            leader = UNSET
        else:
            leader = StatsQueuesLeader.from_dict(_leader)

        error = d.pop("error", UNSET)

        stats_queues = cls(
            schedule=schedule,
            ready=ready,
            pending=pending,
            events=events,
            leader=leader,
            error=error,
        )

        stats_queues.additional_properties = d
        return stats_queues

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
