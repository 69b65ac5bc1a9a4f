from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.get_timeline_response_200_items_item_kind import (
    GetTimelineResponse200ItemsItemKind,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.get_timeline_response_200_items_item_by import (
        GetTimelineResponse200ItemsItemBy,
    )


T = TypeVar("T", bound="GetTimelineResponse200ItemsItem")


@_attrs_define
class GetTimelineResponse200ItemsItem:
    """
    Attributes:
        at (datetime.datetime | Unset):
        kind (GetTimelineResponse200ItemsItemKind | Unset):
        number (int | Unset):
        outcome (str | Unset):
        duration_ms (int | Unset):
        response (None | str | Unset):
        error (None | str | Unset):
        action (str | Unset):
        actor (str | Unset):
        status (str | Unset):
        by (GetTimelineResponse200ItemsItemBy | Unset):
        detail (Any | Unset): What the audit entry records (`audit`); `send time` (`scheduled`).
        name (None | str | Unset): The actor's name (`audit`), when the actor is a user or a named key.
        attempt (int | Unset): The attempt under way (`claimed`).
    """

    at: datetime.datetime | Unset = UNSET
    kind: GetTimelineResponse200ItemsItemKind | Unset = UNSET
    number: int | Unset = UNSET
    outcome: str | Unset = UNSET
    duration_ms: int | Unset = UNSET
    response: None | str | Unset = UNSET
    error: None | str | Unset = UNSET
    action: str | Unset = UNSET
    actor: str | Unset = UNSET
    status: str | Unset = UNSET
    by: GetTimelineResponse200ItemsItemBy | Unset = UNSET
    detail: Any | Unset = UNSET
    name: None | str | Unset = UNSET
    attempt: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at: str | Unset = UNSET
        if not isinstance(self.at, Unset):
            at = self.at.isoformat()

        kind: str | Unset = UNSET
        if not isinstance(self.kind, Unset):
            kind = self.kind.value

        number = self.number

        outcome = self.outcome

        duration_ms = self.duration_ms

        response: None | str | Unset
        if isinstance(self.response, Unset):
            response = UNSET
        else:
            response = self.response

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        action = self.action

        actor = self.actor

        status = self.status

        by: dict[str, Any] | Unset = UNSET
        if not isinstance(self.by, Unset):
            by = self.by.to_dict()

        detail = self.detail

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        attempt = self.attempt

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if at is not UNSET:
            field_dict["at"] = at
        if kind is not UNSET:
            field_dict["kind"] = kind
        if number is not UNSET:
            field_dict["number"] = number
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if duration_ms is not UNSET:
            field_dict["duration_ms"] = duration_ms
        if response is not UNSET:
            field_dict["response"] = response
        if error is not UNSET:
            field_dict["error"] = error
        if action is not UNSET:
            field_dict["action"] = action
        if actor is not UNSET:
            field_dict["actor"] = actor
        if status is not UNSET:
            field_dict["status"] = status
        if by is not UNSET:
            field_dict["by"] = by
        if detail is not UNSET:
            field_dict["detail"] = detail
        if name is not UNSET:
            field_dict["name"] = name
        if attempt is not UNSET:
            field_dict["attempt"] = attempt

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.get_timeline_response_200_items_item_by import (
            GetTimelineResponse200ItemsItemBy,
        )

        d = dict(src_dict)
        _at = d.pop("at", UNSET)
        at: datetime.datetime | Unset
        if isinstance(_at, Unset):
            at = UNSET
        else:
            at = datetime.datetime.fromisoformat(_at)

        _kind = d.pop("kind", UNSET)
        kind: GetTimelineResponse200ItemsItemKind | Unset
        if isinstance(_kind, Unset):
            kind = UNSET
        else:
            kind = GetTimelineResponse200ItemsItemKind(_kind)

        number = d.pop("number", UNSET)

        outcome = d.pop("outcome", UNSET)

        duration_ms = d.pop("duration_ms", UNSET)

        def _parse_response(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response = _parse_response(d.pop("response", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        action = d.pop("action", UNSET)

        actor = d.pop("actor", UNSET)

        status = d.pop("status", UNSET)

        _by = d.pop("by", UNSET)
        by: GetTimelineResponse200ItemsItemBy | Unset
        if isinstance(_by, Unset):
            by = UNSET
        else:
            by = GetTimelineResponse200ItemsItemBy.from_dict(_by)

        detail = d.pop("detail", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        attempt = d.pop("attempt", UNSET)

        get_timeline_response_200_items_item = cls(
            at=at,
            kind=kind,
            number=number,
            outcome=outcome,
            duration_ms=duration_ms,
            response=response,
            error=error,
            action=action,
            actor=actor,
            status=status,
            by=by,
            detail=detail,
            name=name,
            attempt=attempt,
        )

        get_timeline_response_200_items_item.additional_properties = d
        return get_timeline_response_200_items_item

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
