from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_channel import NotificationChannel
from ..models.notification_fallback_item import NotificationFallbackItem
from ..models.notification_status import NotificationStatus

if TYPE_CHECKING:
    from ..models.notification_data import NotificationData
    from ..models.notification_digest import NotificationDigest


T = TypeVar("T", bound="Notification")


@_attrs_define
class Notification:
    """
    Attributes:
        id (UUID):
        status (NotificationStatus): `suppressed`: not sent because, when its send was claimed, its recipient had opted
            out of its category on its channel (or had no address for it, or was deleted); `last_error` says which.
        channel (NotificationChannel):
        recipient (str): E-mail address, E.164 phone number or http(s) URL, by channel.
        subject (None | str): E-mail subject template.
        body (str): Message template (`{{name}}` variables from `data`).
        data (NotificationData): Template variables; also the webhook payload.
        target_date (datetime.datetime | None):
        lead_time (None | str): ISO-8601 duration, e.g. `P3D`, `PT90M`. Example: P3D.
        send_at (datetime.datetime): When it is (or was) due: `target_date - lead_time`, or as given.
        next_attempt_at (datetime.datetime | None): When the next retry is due; set only while a failed notification
            waits to be retried.
        timezone (None | str): IANA time zone name. Example: Europe/Berlin.
        cron (None | str): Cron expression of the recurring series this occurrence belongs to.
        series_id (None | UUID):
        expires_at (datetime.datetime | None): Not sent after this time (default: `target_date`).
        group_key (None | str):
        attempts (int):
        max_attempts (int):
        last_error (None | str): For `suppressed`, the reason: `opted_out: …`, `off_by_default: …`, `no_address: …` or
            `recipient_deleted: …`.
        sent_at (datetime.datetime | None):
        cancelled_at (datetime.datetime | None):
        event_id (None | UUID): The event this notification was created from.
        idempotency_key (None | str):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        html (None | str): E-mail only: the HTML alternative's template.
        template (None | str): The stored template rendered at send time, if any.
        template_version (int | None): Its pinned version; `null`: the latest when sent.
        delivery_status (None | str): What the provider reported after accepting the message (SMS status callbacks):
            `delivered` or `undelivered`; `null` until then. `status` stays `sent` either way.
        delivery_status_at (datetime.datetime | None):
        recipient_id (None | str): The recipient's external id, when the notification names a recipient; its channel and
            address came from them.
        category (None | str): The category its recipient's preferences are read for.
        urgent (bool): Sent through the recipient's quiet hours.
        fallback (list[NotificationFallbackItem]): The channels tried, in order, after the first one fails permanently.
        channel_index (int): How many fallback hops were taken: 0 on the first channel, 1 on `fallback[0]`, and so on.
            `channel` and `recipient` are those of the current hop.
        digest (None | NotificationDigest):
        digest_of (None | UUID): The notification whose send carries (carried) this one in a digest; its own id on that
            notification.
    """

    id: UUID
    status: NotificationStatus
    channel: NotificationChannel
    recipient: str
    subject: None | str
    body: str
    data: NotificationData
    target_date: datetime.datetime | None
    lead_time: None | str
    send_at: datetime.datetime
    next_attempt_at: datetime.datetime | None
    timezone: None | str
    cron: None | str
    series_id: None | UUID
    expires_at: datetime.datetime | None
    group_key: None | str
    attempts: int
    max_attempts: int
    last_error: None | str
    sent_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    event_id: None | UUID
    idempotency_key: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    html: None | str
    template: None | str
    template_version: int | None
    delivery_status: None | str
    delivery_status_at: datetime.datetime | None
    recipient_id: None | str
    category: None | str
    urgent: bool
    fallback: list[NotificationFallbackItem]
    channel_index: int
    digest: None | NotificationDigest
    digest_of: None | UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.notification_digest import NotificationDigest

        id = str(self.id)

        status = self.status.value

        channel = self.channel.value

        recipient = self.recipient

        subject: None | str
        subject = self.subject

        body = self.body

        data = self.data.to_dict()

        target_date: None | str
        if isinstance(self.target_date, datetime.datetime):
            target_date = self.target_date.isoformat()
        else:
            target_date = self.target_date

        lead_time: None | str
        lead_time = self.lead_time

        send_at = self.send_at.isoformat()

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        timezone: None | str
        timezone = self.timezone

        cron: None | str
        cron = self.cron

        series_id: None | str
        if isinstance(self.series_id, UUID):
            series_id = str(self.series_id)
        else:
            series_id = self.series_id

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        group_key: None | str
        group_key = self.group_key

        attempts = self.attempts

        max_attempts = self.max_attempts

        last_error: None | str
        last_error = self.last_error

        sent_at: None | str
        if isinstance(self.sent_at, datetime.datetime):
            sent_at = self.sent_at.isoformat()
        else:
            sent_at = self.sent_at

        cancelled_at: None | str
        if isinstance(self.cancelled_at, datetime.datetime):
            cancelled_at = self.cancelled_at.isoformat()
        else:
            cancelled_at = self.cancelled_at

        event_id: None | str
        if isinstance(self.event_id, UUID):
            event_id = str(self.event_id)
        else:
            event_id = self.event_id

        idempotency_key: None | str
        idempotency_key = self.idempotency_key

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        html: None | str
        html = self.html

        template: None | str
        template = self.template

        template_version: int | None
        template_version = self.template_version

        delivery_status: None | str
        delivery_status = self.delivery_status

        delivery_status_at: None | str
        if isinstance(self.delivery_status_at, datetime.datetime):
            delivery_status_at = self.delivery_status_at.isoformat()
        else:
            delivery_status_at = self.delivery_status_at

        recipient_id: None | str
        recipient_id = self.recipient_id

        category: None | str
        category = self.category

        urgent = self.urgent

        fallback = []
        for fallback_item_data in self.fallback:
            fallback_item = fallback_item_data.value
            fallback.append(fallback_item)

        channel_index = self.channel_index

        digest: dict[str, Any] | None
        if isinstance(self.digest, NotificationDigest):
            digest = self.digest.to_dict()
        else:
            digest = self.digest

        digest_of: None | str
        if isinstance(self.digest_of, UUID):
            digest_of = str(self.digest_of)
        else:
            digest_of = self.digest_of

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "data": data,
                "target_date": target_date,
                "lead_time": lead_time,
                "send_at": send_at,
                "next_attempt_at": next_attempt_at,
                "timezone": timezone,
                "cron": cron,
                "series_id": series_id,
                "expires_at": expires_at,
                "group_key": group_key,
                "attempts": attempts,
                "max_attempts": max_attempts,
                "last_error": last_error,
                "sent_at": sent_at,
                "cancelled_at": cancelled_at,
                "event_id": event_id,
                "idempotency_key": idempotency_key,
                "created_at": created_at,
                "updated_at": updated_at,
                "html": html,
                "template": template,
                "template_version": template_version,
                "delivery_status": delivery_status,
                "delivery_status_at": delivery_status_at,
                "recipient_id": recipient_id,
                "category": category,
                "urgent": urgent,
                "fallback": fallback,
                "channel_index": channel_index,
                "digest": digest,
                "digest_of": digest_of,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.notification_data import NotificationData
        from ..models.notification_digest import NotificationDigest

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = NotificationStatus(d.pop("status"))

        channel = NotificationChannel(d.pop("channel"))

        recipient = d.pop("recipient")

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        body = d.pop("body")

        data = NotificationData.from_dict(d.pop("data"))

        def _parse_target_date(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                target_date_type_0 = datetime.datetime.fromisoformat(data)

                return target_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        target_date = _parse_target_date(d.pop("target_date"))

        def _parse_lead_time(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lead_time = _parse_lead_time(d.pop("lead_time"))

        send_at = datetime.datetime.fromisoformat(d.pop("send_at"))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        def _parse_timezone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        timezone = _parse_timezone(d.pop("timezone"))

        def _parse_cron(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        cron = _parse_cron(d.pop("cron"))

        def _parse_series_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                series_id_type_0 = UUID(data)

                return series_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        series_id = _parse_series_id(d.pop("series_id"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_group_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        group_key = _parse_group_key(d.pop("group_key"))

        attempts = d.pop("attempts")

        max_attempts = d.pop("max_attempts")

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_sent_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sent_at_type_0 = datetime.datetime.fromisoformat(data)

                return sent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        sent_at = _parse_sent_at(d.pop("sent_at"))

        def _parse_cancelled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                cancelled_at_type_0 = datetime.datetime.fromisoformat(data)

                return cancelled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        cancelled_at = _parse_cancelled_at(d.pop("cancelled_at"))

        def _parse_event_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                event_id_type_0 = UUID(data)

                return event_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        event_id = _parse_event_id(d.pop("event_id"))

        def _parse_idempotency_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_html(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        html = _parse_html(d.pop("html"))

        def _parse_template(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        template = _parse_template(d.pop("template"))

        def _parse_template_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        template_version = _parse_template_version(d.pop("template_version"))

        def _parse_delivery_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        delivery_status = _parse_delivery_status(d.pop("delivery_status"))

        def _parse_delivery_status_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivery_status_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivery_status_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivery_status_at = _parse_delivery_status_at(d.pop("delivery_status_at"))

        def _parse_recipient_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recipient_id = _parse_recipient_id(d.pop("recipient_id"))

        def _parse_category(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        category = _parse_category(d.pop("category"))

        urgent = d.pop("urgent")

        fallback = []
        _fallback = d.pop("fallback")
        for fallback_item_data in _fallback:
            fallback_item = NotificationFallbackItem(fallback_item_data)

            fallback.append(fallback_item)

        channel_index = d.pop("channel_index")

        def _parse_digest(data: object) -> None | NotificationDigest:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                digest_type_1 = NotificationDigest.from_dict(data)

                return digest_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | NotificationDigest, data)

        digest = _parse_digest(d.pop("digest"))

        def _parse_digest_of(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                digest_of_type_0 = UUID(data)

                return digest_of_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        digest_of = _parse_digest_of(d.pop("digest_of"))

        notification = cls(
            id=id,
            status=status,
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            data=data,
            target_date=target_date,
            lead_time=lead_time,
            send_at=send_at,
            next_attempt_at=next_attempt_at,
            timezone=timezone,
            cron=cron,
            series_id=series_id,
            expires_at=expires_at,
            group_key=group_key,
            attempts=attempts,
            max_attempts=max_attempts,
            last_error=last_error,
            sent_at=sent_at,
            cancelled_at=cancelled_at,
            event_id=event_id,
            idempotency_key=idempotency_key,
            created_at=created_at,
            updated_at=updated_at,
            html=html,
            template=template,
            template_version=template_version,
            delivery_status=delivery_status,
            delivery_status_at=delivery_status_at,
            recipient_id=recipient_id,
            category=category,
            urgent=urgent,
            fallback=fallback,
            channel_index=channel_index,
            digest=digest,
            digest_of=digest_of,
        )

        notification.additional_properties = d
        return notification

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
