from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.notification_create_channel import NotificationCreateChannel
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.notification_create_data_type_0 import NotificationCreateDataType0


T = TypeVar("T", bound="NotificationCreate")


@_attrs_define
class NotificationCreate:
    """Give `send_at`, or `target_date` with an optional `lead_time` (`send_at = target_date - lead_time`), or a `cron`
    expression for a recurring series. Unknown fields are a `400`.

        Example:
            {'body': 'Hi {{name}}, your card ends on {{target_date}}.', 'channel': 'email', 'data': {'name': 'Ada'},
                'group_key': 'invoice-123', 'idempotency_key': 'inv-123-reminder-1', 'lead_time': 'P3D', 'max_attempts': 5,
                'recipient': 'ada@example.com', 'subject': 'Your card expires soon', 'target_date': '2026-12-01T09:00:00Z',
                'timezone': 'Europe/Berlin'}

        Attributes:
            channel (NotificationCreateChannel):
            recipient (str): E-mail address | E.164 phone number | http(s) URL.
            subject (None | str | Unset): E-mail only; a template like `body`.
            body (None | str | Unset): Template (`{{name}}` variables from `data`); required for email and sms. Rendered
                once against `data` when written: over its render budget or output size (256 KiB; 1,600 characters for sms) is a
                422 naming the field.
            data (None | NotificationCreateDataType0 | Unset): Template variables (and the webhook payload).
            target_date (datetime.datetime | None | Unset):
            lead_time (None | str | Unset): ISO-8601 duration, e.g. `P3D`, `PT90M`. Example: P3D.
            send_at (datetime.datetime | None | Unset): Instead of `target_date` - `lead_time`.
            timezone (None | str | Unset): IANA name; local times and cron are interpreted in it.
            cron (None | str | Unset): Makes a recurring series, e.g. `0 9 * * MON`; not combined with `send_at`,
                `target_date` or `lead_time`. Example: 0 9 * * MON.
            ends_at (datetime.datetime | None | Unset): With `cron`: no occurrence after this time.
            expires_at (datetime.datetime | None | Unset): Default: `target_date`.
            group_key (None | str | Unset):
            max_attempts (int | None | Unset): Default: the retry schedule's length + 1.
            idempotency_key (None | str | Unset): Also accepted as the `Idempotency-Key` header.
    """

    channel: NotificationCreateChannel
    recipient: str
    subject: None | str | Unset = UNSET
    body: None | str | Unset = UNSET
    data: None | NotificationCreateDataType0 | Unset = UNSET
    target_date: datetime.datetime | None | Unset = UNSET
    lead_time: None | str | Unset = UNSET
    send_at: datetime.datetime | None | Unset = UNSET
    timezone: None | str | Unset = UNSET
    cron: None | str | Unset = UNSET
    ends_at: datetime.datetime | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    group_key: None | str | Unset = UNSET
    max_attempts: int | None | Unset = UNSET
    idempotency_key: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_create_data_type_0 import NotificationCreateDataType0

        channel = self.channel.value

        recipient = self.recipient

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        body: None | str | Unset
        if isinstance(self.body, Unset):
            body = UNSET
        else:
            body = self.body

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, NotificationCreateDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        target_date: None | str | Unset
        if isinstance(self.target_date, Unset):
            target_date = UNSET
        elif isinstance(self.target_date, datetime.datetime):
            target_date = self.target_date.isoformat()
        else:
            target_date = self.target_date

        lead_time: None | str | Unset
        if isinstance(self.lead_time, Unset):
            lead_time = UNSET
        else:
            lead_time = self.lead_time

        send_at: None | str | Unset
        if isinstance(self.send_at, Unset):
            send_at = UNSET
        elif isinstance(self.send_at, datetime.datetime):
            send_at = self.send_at.isoformat()
        else:
            send_at = self.send_at

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        cron: None | str | Unset
        if isinstance(self.cron, Unset):
            cron = UNSET
        else:
            cron = self.cron

        ends_at: None | str | Unset
        if isinstance(self.ends_at, Unset):
            ends_at = UNSET
        elif isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        group_key: None | str | Unset
        if isinstance(self.group_key, Unset):
            group_key = UNSET
        else:
            group_key = self.group_key

        max_attempts: int | None | Unset
        if isinstance(self.max_attempts, Unset):
            max_attempts = UNSET
        else:
            max_attempts = self.max_attempts

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "channel": channel,
                "recipient": recipient,
            }
        )
        if subject is not UNSET:
            field_dict["subject"] = subject
        if body is not UNSET:
            field_dict["body"] = body
        if data is not UNSET:
            field_dict["data"] = data
        if target_date is not UNSET:
            field_dict["target_date"] = target_date
        if lead_time is not UNSET:
            field_dict["lead_time"] = lead_time
        if send_at is not UNSET:
            field_dict["send_at"] = send_at
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if cron is not UNSET:
            field_dict["cron"] = cron
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if group_key is not UNSET:
            field_dict["group_key"] = group_key
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.notification_create_data_type_0 import NotificationCreateDataType0

        d = dict(src_dict)
        channel = NotificationCreateChannel(d.pop("channel"))

        recipient = d.pop("recipient")

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        def _parse_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        body = _parse_body(d.pop("body", UNSET))

        def _parse_data(data: object) -> None | NotificationCreateDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = NotificationCreateDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotificationCreateDataType0 | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        def _parse_target_date(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                target_date_type_0 = datetime.datetime.fromisoformat(data)

                return target_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        target_date = _parse_target_date(d.pop("target_date", UNSET))

        def _parse_lead_time(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        lead_time = _parse_lead_time(d.pop("lead_time", UNSET))

        def _parse_send_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                send_at_type_0 = datetime.datetime.fromisoformat(data)

                return send_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        send_at = _parse_send_at(d.pop("send_at", UNSET))

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        def _parse_cron(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cron = _parse_cron(d.pop("cron", UNSET))

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

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_group_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        group_key = _parse_group_key(d.pop("group_key", UNSET))

        def _parse_max_attempts(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_attempts = _parse_max_attempts(d.pop("max_attempts", UNSET))

        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key", UNSET))

        notification_create = cls(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            data=data,
            target_date=target_date,
            lead_time=lead_time,
            send_at=send_at,
            timezone=timezone,
            cron=cron,
            ends_at=ends_at,
            expires_at=expires_at,
            group_key=group_key,
            max_attempts=max_attempts,
            idempotency_key=idempotency_key,
        )

        return notification_create
