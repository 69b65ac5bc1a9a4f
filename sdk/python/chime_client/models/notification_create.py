from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.notification_create_channel import NotificationCreateChannel
from ..models.notification_create_channels_type_0_item import (
    NotificationCreateChannelsType0Item,
)
from ..models.notification_create_fallback_type_0_item import (
    NotificationCreateFallbackType0Item,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.digest_input import DigestInput
    from ..models.notification_create_data_type_0 import NotificationCreateDataType0


T = TypeVar("T", bound="NotificationCreate")


@_attrs_define
class NotificationCreate:
    """Give `send_at`, or `target_date` with an optional `lead_time` (`send_at = target_date - lead_time`), or a `cron`
    expression for a recurring series. Unknown fields are a `400`. Address it either with `channel` + `recipient` (an
    address), or with `recipient_id` + `category` (a stored recipient): the channel is then the first of `channels` (or
    `channel`; by default the recipient's `preferred_channel`, then email, sms, webhook) for which the recipient has an
    address and allows the category. An unknown recipient, or a category with no allowed channel, is a `422` naming
    `recipient_id`, `category` or `channels`. The preferences are read again when the send is claimed: an opt-out after
    scheduling ends it `suppressed`; a send due inside the recipient's quiet hours is held until they end unless
    `urgent`.

        Example:
            {'body': 'Hi {{name}}, your card ends on {{target_date}}.', 'channel': 'email', 'data': {'name': 'Ada'},
                'group_key': 'invoice-123', 'idempotency_key': 'inv-123-reminder-1', 'lead_time': 'P3D', 'max_attempts': 5,
                'recipient': 'ada@example.com', 'subject': 'Your card expires soon', 'target_date': '2026-12-01T09:00:00Z',
                'timezone': 'Europe/Berlin'}

        Attributes:
            channel (NotificationCreateChannel | Unset): Required with `recipient`; with `recipient_id`, the one channel to
                use.
            recipient (str | Unset): E-mail address | E.164 phone number | http(s) URL. Not with `recipient_id`.
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
            html (None | str | Unset): E-mail only: a template for an HTML alternative part (`multipart/alternative`);
                values from `data` are HTML-escaped.
            template (None | str | Unset): A stored template (`/templates`) to render instead of `subject`, `body` and
                `html`, which may then not be given. Unknown: a 422 naming `template`.
            template_version (int | None | Unset): Pins a version of `template`; without it the version that is latest when
                the message is sent is rendered.
            recipient_id (None | str | Unset): A stored recipient's external id, instead of `recipient`.
            category (None | str | Unset): Required with `recipient_id`: what the recipient's preferences are read for, e.g.
                `billing`.
            channels (list[NotificationCreateChannelsType0Item] | None | Unset): With `recipient_id`: the acceptable
                channels, in order of preference.
            urgent (bool | None | Unset): Sent even inside the recipient's quiet hours. Default false.
            fallback (list[NotificationCreateFallbackType0Item] | None | Unset): With `recipient_id` (not with `digest`):
                the channels to try, in order, when the chosen one fails permanently (a refused address, an SMTP 5xx, a 4xx from
                the provider, retries exhausted). Each is sent at most once and never after the next one was switched to, also
                across crashes. Each needs an address of the recipient (`422` naming `fallback[i]`) and differs from the others
                and the first channel; not with `cron`.
            digest (DigestInput | None | Unset):
    """

    channel: NotificationCreateChannel | Unset = UNSET
    recipient: str | Unset = UNSET
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
    html: None | str | Unset = UNSET
    template: None | str | Unset = UNSET
    template_version: int | None | Unset = UNSET
    recipient_id: None | str | Unset = UNSET
    category: None | str | Unset = UNSET
    channels: list[NotificationCreateChannelsType0Item] | None | Unset = UNSET
    urgent: bool | None | Unset = UNSET
    fallback: list[NotificationCreateFallbackType0Item] | None | Unset = UNSET
    digest: DigestInput | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.digest_input import DigestInput
        from ..models.notification_create_data_type_0 import NotificationCreateDataType0

        channel: str | Unset = UNSET
        if not isinstance(self.channel, Unset):
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

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        template: None | str | Unset
        if isinstance(self.template, Unset):
            template = UNSET
        else:
            template = self.template

        template_version: int | None | Unset
        if isinstance(self.template_version, Unset):
            template_version = UNSET
        else:
            template_version = self.template_version

        recipient_id: None | str | Unset
        if isinstance(self.recipient_id, Unset):
            recipient_id = UNSET
        else:
            recipient_id = self.recipient_id

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        channels: list[str] | None | Unset
        if isinstance(self.channels, Unset):
            channels = UNSET
        elif isinstance(self.channels, list):
            channels = []
            for channels_type_0_item_data in self.channels:
                channels_type_0_item = channels_type_0_item_data.value
                channels.append(channels_type_0_item)

        else:
            channels = self.channels

        urgent: bool | None | Unset
        if isinstance(self.urgent, Unset):
            urgent = UNSET
        else:
            urgent = self.urgent

        fallback: list[str] | None | Unset
        if isinstance(self.fallback, Unset):
            fallback = UNSET
        elif isinstance(self.fallback, list):
            fallback = []
            for fallback_type_0_item_data in self.fallback:
                fallback_type_0_item = fallback_type_0_item_data.value
                fallback.append(fallback_type_0_item)

        else:
            fallback = self.fallback

        digest: dict[str, Any] | None | Unset
        if isinstance(self.digest, Unset):
            digest = UNSET
        elif isinstance(self.digest, DigestInput):
            digest = self.digest.to_dict()
        else:
            digest = self.digest

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if channel is not UNSET:
            field_dict["channel"] = channel
        if recipient is not UNSET:
            field_dict["recipient"] = recipient
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
        if html is not UNSET:
            field_dict["html"] = html
        if template is not UNSET:
            field_dict["template"] = template
        if template_version is not UNSET:
            field_dict["template_version"] = template_version
        if recipient_id is not UNSET:
            field_dict["recipient_id"] = recipient_id
        if category is not UNSET:
            field_dict["category"] = category
        if channels is not UNSET:
            field_dict["channels"] = channels
        if urgent is not UNSET:
            field_dict["urgent"] = urgent
        if fallback is not UNSET:
            field_dict["fallback"] = fallback
        if digest is not UNSET:
            field_dict["digest"] = digest

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.digest_input import DigestInput
        from ..models.notification_create_data_type_0 import NotificationCreateDataType0

        d = dict(src_dict)
        _channel = d.pop("channel", UNSET)
        channel: NotificationCreateChannel | Unset
        if isinstance(_channel, Unset):
            channel = UNSET
        else:
            channel = NotificationCreateChannel(_channel)

        recipient = d.pop("recipient", UNSET)

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

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        def _parse_template(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        template = _parse_template(d.pop("template", UNSET))

        def _parse_template_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        template_version = _parse_template_version(d.pop("template_version", UNSET))

        def _parse_recipient_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recipient_id = _parse_recipient_id(d.pop("recipient_id", UNSET))

        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))

        def _parse_channels(
            data: object,
        ) -> list[NotificationCreateChannelsType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                channels_type_0 = []
                _channels_type_0 = data
                for channels_type_0_item_data in _channels_type_0:
                    channels_type_0_item = NotificationCreateChannelsType0Item(
                        channels_type_0_item_data
                    )

                    channels_type_0.append(channels_type_0_item)

                return channels_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[NotificationCreateChannelsType0Item] | None | Unset, data)

        channels = _parse_channels(d.pop("channels", UNSET))

        def _parse_urgent(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        urgent = _parse_urgent(d.pop("urgent", UNSET))

        def _parse_fallback(
            data: object,
        ) -> list[NotificationCreateFallbackType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                fallback_type_0 = []
                _fallback_type_0 = data
                for fallback_type_0_item_data in _fallback_type_0:
                    fallback_type_0_item = NotificationCreateFallbackType0Item(
                        fallback_type_0_item_data
                    )

                    fallback_type_0.append(fallback_type_0_item)

                return fallback_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[NotificationCreateFallbackType0Item] | None | Unset, data)

        fallback = _parse_fallback(d.pop("fallback", UNSET))

        def _parse_digest(data: object) -> DigestInput | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                digest_type_1 = DigestInput.from_dict(data)

                return digest_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DigestInput | None | Unset, data)

        digest = _parse_digest(d.pop("digest", UNSET))

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
            html=html,
            template=template,
            template_version=template_version,
            recipient_id=recipient_id,
            category=category,
            channels=channels,
            urgent=urgent,
            fallback=fallback,
            digest=digest,
        )

        return notification_create
