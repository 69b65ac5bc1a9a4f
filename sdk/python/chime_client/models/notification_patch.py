from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.notification_patch_data_type_0 import NotificationPatchDataType0


T = TypeVar("T", bound="NotificationPatch")


@_attrs_define
class NotificationPatch:
    """Changes a `scheduled` notification; the schedule moves with its times. Fields left out keep their values; `null`
    clears an optional one.

        Example:
            {'target_date': '2026-12-15T09:00:00Z'}

        Attributes:
            target_date (datetime.datetime | None | Unset):
            lead_time (None | str | Unset): ISO-8601 duration, e.g. `P3D`, `PT90M`. Example: P3D.
            send_at (datetime.datetime | None | Unset): Instead of `target_date` - `lead_time`.
            expires_at (datetime.datetime | None | Unset): Default: `target_date`.
            timezone (None | str | Unset): IANA name; local times and cron are interpreted in it.
            subject (None | str | Unset): E-mail only; a template like `body`.
            body (None | str | Unset): Template (`{{name}}` variables from `data`); required for email and sms. Rendered
                once against `data` when written: over its render budget or output size (256 KiB; 1,600 characters for sms) is a
                422 naming the field.
            data (None | NotificationPatchDataType0 | Unset): Template variables (and the webhook payload).
            recipient (str | Unset): E-mail address | E.164 phone number | http(s) URL.
            html (None | str | Unset): E-mail only: the HTML alternative's template; `null` removes it. Not for a
                notification that names a stored template.
    """

    target_date: datetime.datetime | None | Unset = UNSET
    lead_time: None | str | Unset = UNSET
    send_at: datetime.datetime | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    timezone: None | str | Unset = UNSET
    subject: None | str | Unset = UNSET
    body: None | str | Unset = UNSET
    data: None | NotificationPatchDataType0 | Unset = UNSET
    recipient: str | Unset = UNSET
    html: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_patch_data_type_0 import NotificationPatchDataType0

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

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

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
        elif isinstance(self.data, NotificationPatchDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        recipient = self.recipient

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if target_date is not UNSET:
            field_dict["target_date"] = target_date
        if lead_time is not UNSET:
            field_dict["lead_time"] = lead_time
        if send_at is not UNSET:
            field_dict["send_at"] = send_at
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if subject is not UNSET:
            field_dict["subject"] = subject
        if body is not UNSET:
            field_dict["body"] = body
        if data is not UNSET:
            field_dict["data"] = data
        if recipient is not UNSET:
            field_dict["recipient"] = recipient
        if html is not UNSET:
            field_dict["html"] = html

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.notification_patch_data_type_0 import NotificationPatchDataType0

        d = dict(src_dict)

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

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

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

        def _parse_data(data: object) -> None | NotificationPatchDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = NotificationPatchDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotificationPatchDataType0 | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        recipient = d.pop("recipient", UNSET)

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        notification_patch = cls(
            target_date=target_date,
            lead_time=lead_time,
            send_at=send_at,
            expires_at=expires_at,
            timezone=timezone,
            subject=subject,
            body=body,
            data=data,
            recipient=recipient,
            html=html,
        )

        return notification_patch
