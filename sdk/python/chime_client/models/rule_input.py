from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.rule_input_channel import RuleInputChannel
from ..types import UNSET, Unset

T = TypeVar("T", bound="RuleInput")


@_attrs_define
class RuleInput:
    """Either an address (`channel` + `recipient_path`) or a stored recipient (`recipient_id_path` + `category`, with an
    optional `channel`: without one, the recipient's preferences choose it per event). Unknown fields are a `400`.

        Example:
            {'event_type': 'card.expiring', 'channel': 'email', 'recipient_path': '/email', 'target_date_path':
                '/target_date', 'lead_times': ['P7D', 'P1D'], 'subject': 'Your card expires soon', 'body': 'Hi {{name}}',
                'timezone_path': '/tz'}

        Attributes:
            event_type (str): Letters, digits and `. _ - : /`, at most 200 characters. Example: card.expiring.
            target_date_path (str): JSON Pointer into the event payload. Example: /target_date.
            lead_times (list[str]): One notification per lead time. Example: ['P7D', 'P1D'].
            channel (RuleInputChannel | Unset): Required with `recipient_path`; optional with `recipient_id_path`.
            recipient_path (None | str | Unset): JSON Pointer into the event payload: the address. Not with
                `recipient_id_path`. Example: /email.
            recipient_id_path (None | str | Unset): JSON Pointer into the event payload: a stored recipient's external id.
                An unknown recipient, or one with no allowed channel, fails the event with an error naming the path. Example:
                /customer_id.
            category (None | str | Unset): Required with `recipient_id_path`: what the recipient's preferences are read for.
                Example: billing.
            timezone_path (None | str | Unset): JSON Pointer into the event payload. Example: /tz.
            subject (None | str | Unset):
            body (str | Unset):  Example: Hi {{name}}.
    """

    event_type: str
    target_date_path: str
    lead_times: list[str]
    channel: RuleInputChannel | Unset = UNSET
    recipient_path: None | str | Unset = UNSET
    recipient_id_path: None | str | Unset = UNSET
    category: None | str | Unset = UNSET
    timezone_path: None | str | Unset = UNSET
    subject: None | str | Unset = UNSET
    body: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        target_date_path = self.target_date_path

        lead_times = self.lead_times

        channel: str | Unset = UNSET
        if not isinstance(self.channel, Unset):
            channel = self.channel.value

        recipient_path: None | str | Unset
        if isinstance(self.recipient_path, Unset):
            recipient_path = UNSET
        else:
            recipient_path = self.recipient_path

        recipient_id_path: None | str | Unset
        if isinstance(self.recipient_id_path, Unset):
            recipient_id_path = UNSET
        else:
            recipient_id_path = self.recipient_id_path

        category: None | str | Unset
        if isinstance(self.category, Unset):
            category = UNSET
        else:
            category = self.category

        timezone_path: None | str | Unset
        if isinstance(self.timezone_path, Unset):
            timezone_path = UNSET
        else:
            timezone_path = self.timezone_path

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        body = self.body

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_type": event_type,
                "target_date_path": target_date_path,
                "lead_times": lead_times,
            }
        )
        if channel is not UNSET:
            field_dict["channel"] = channel
        if recipient_path is not UNSET:
            field_dict["recipient_path"] = recipient_path
        if recipient_id_path is not UNSET:
            field_dict["recipient_id_path"] = recipient_id_path
        if category is not UNSET:
            field_dict["category"] = category
        if timezone_path is not UNSET:
            field_dict["timezone_path"] = timezone_path
        if subject is not UNSET:
            field_dict["subject"] = subject
        if body is not UNSET:
            field_dict["body"] = body

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        event_type = d.pop("event_type")

        target_date_path = d.pop("target_date_path")

        lead_times = cast(list[str], d.pop("lead_times"))

        _channel = d.pop("channel", UNSET)
        channel: RuleInputChannel | Unset
        if isinstance(_channel, Unset):
            channel = UNSET
        else:
            channel = RuleInputChannel(_channel)

        def _parse_recipient_path(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recipient_path = _parse_recipient_path(d.pop("recipient_path", UNSET))

        def _parse_recipient_id_path(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recipient_id_path = _parse_recipient_id_path(d.pop("recipient_id_path", UNSET))

        def _parse_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        category = _parse_category(d.pop("category", UNSET))

        def _parse_timezone_path(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone_path = _parse_timezone_path(d.pop("timezone_path", UNSET))

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        body = d.pop("body", UNSET)

        rule_input = cls(
            event_type=event_type,
            target_date_path=target_date_path,
            lead_times=lead_times,
            channel=channel,
            recipient_path=recipient_path,
            recipient_id_path=recipient_id_path,
            category=category,
            timezone_path=timezone_path,
            subject=subject,
            body=body,
        )

        return rule_input
