from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.bulk_request_channel import BulkRequestChannel
from ..types import UNSET, Unset

T = TypeVar("T", bound="BulkRequest")


@_attrs_define
class BulkRequest:
    """The list's filters (a cancel needs at least one); `status`, if given, must be the one the action applies to.

    Attributes:
        channel (BulkRequestChannel | Unset):
        recipient (str | Unset):
        recipient_id (str | Unset):
        group_key (str | Unset):
        idempotency_key (str | Unset):
        event_id (UUID | Unset):
        series_id (UUID | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        status (str | Unset):
        dry_run (bool | Unset):  Default: False.
        limit (int | Unset):  Default: 1000.
    """

    channel: BulkRequestChannel | Unset = UNSET
    recipient: str | Unset = UNSET
    recipient_id: str | Unset = UNSET
    group_key: str | Unset = UNSET
    idempotency_key: str | Unset = UNSET
    event_id: UUID | Unset = UNSET
    series_id: UUID | Unset = UNSET
    due_after: datetime.datetime | Unset = UNSET
    due_before: datetime.datetime | Unset = UNSET
    status: str | Unset = UNSET
    dry_run: bool | Unset = False
    limit: int | Unset = 1000

    def to_dict(self) -> dict[str, Any]:
        channel: str | Unset = UNSET
        if not isinstance(self.channel, Unset):
            channel = self.channel.value

        recipient = self.recipient

        recipient_id = self.recipient_id

        group_key = self.group_key

        idempotency_key = self.idempotency_key

        event_id: str | Unset = UNSET
        if not isinstance(self.event_id, Unset):
            event_id = str(self.event_id)

        series_id: str | Unset = UNSET
        if not isinstance(self.series_id, Unset):
            series_id = str(self.series_id)

        due_after: str | Unset = UNSET
        if not isinstance(self.due_after, Unset):
            due_after = self.due_after.isoformat()

        due_before: str | Unset = UNSET
        if not isinstance(self.due_before, Unset):
            due_before = self.due_before.isoformat()

        status = self.status

        dry_run = self.dry_run

        limit = self.limit

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if channel is not UNSET:
            field_dict["channel"] = channel
        if recipient is not UNSET:
            field_dict["recipient"] = recipient
        if recipient_id is not UNSET:
            field_dict["recipient_id"] = recipient_id
        if group_key is not UNSET:
            field_dict["group_key"] = group_key
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if series_id is not UNSET:
            field_dict["series_id"] = series_id
        if due_after is not UNSET:
            field_dict["due_after"] = due_after
        if due_before is not UNSET:
            field_dict["due_before"] = due_before
        if status is not UNSET:
            field_dict["status"] = status
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _channel = d.pop("channel", UNSET)
        channel: BulkRequestChannel | Unset
        if isinstance(_channel, Unset):
            channel = UNSET
        else:
            channel = BulkRequestChannel(_channel)

        recipient = d.pop("recipient", UNSET)

        recipient_id = d.pop("recipient_id", UNSET)

        group_key = d.pop("group_key", UNSET)

        idempotency_key = d.pop("idempotency_key", UNSET)

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

        _due_after = d.pop("due_after", UNSET)
        due_after: datetime.datetime | Unset
        if isinstance(_due_after, Unset):
            due_after = UNSET
        else:
            due_after = datetime.datetime.fromisoformat(_due_after)

        _due_before = d.pop("due_before", UNSET)
        due_before: datetime.datetime | Unset
        if isinstance(_due_before, Unset):
            due_before = UNSET
        else:
            due_before = datetime.datetime.fromisoformat(_due_before)

        status = d.pop("status", UNSET)

        dry_run = d.pop("dry_run", UNSET)

        limit = d.pop("limit", UNSET)

        bulk_request = cls(
            channel=channel,
            recipient=recipient,
            recipient_id=recipient_id,
            group_key=group_key,
            idempotency_key=idempotency_key,
            event_id=event_id,
            series_id=series_id,
            due_after=due_after,
            due_before=due_before,
            status=status,
            dry_run=dry_run,
            limit=limit,
        )

        return bulk_request
