from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.rule_input_channel import RuleInputChannel
from ..types import UNSET, Unset

T = TypeVar("T", bound="RuleInput")


@_attrs_define
class RuleInput:
    """
    Example:
        {'body': 'Hi {{name}}', 'channel': 'email', 'event_type': 'card.expiring', 'lead_times': ['P7D', 'P1D'],
            'recipient_path': '/email', 'subject': 'Your card expires soon', 'target_date_path': '/target_date',
            'timezone_path': '/tz'}

    Attributes:
        event_type (str): Letters, digits and `. _ - : /`, at most 200 characters. Example: card.expiring.
        channel (RuleInputChannel):
        recipient_path (str): JSON Pointer into the event payload. Example: /email.
        target_date_path (str): JSON Pointer into the event payload. Example: /target_date.
        lead_times (list[str]): One notification per lead time. Example: ['P7D', 'P1D'].
        timezone_path (None | str | Unset): JSON Pointer into the event payload. Example: /tz.
        subject (None | str | Unset):
        body (str | Unset):  Example: Hi {{name}}.
    """

    event_type: str
    channel: RuleInputChannel
    recipient_path: str
    target_date_path: str
    lead_times: list[str]
    timezone_path: None | str | Unset = UNSET
    subject: None | str | Unset = UNSET
    body: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        channel = self.channel.value

        recipient_path = self.recipient_path

        target_date_path = self.target_date_path

        lead_times = self.lead_times

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
                "channel": channel,
                "recipient_path": recipient_path,
                "target_date_path": target_date_path,
                "lead_times": lead_times,
            }
        )
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

        channel = RuleInputChannel(d.pop("channel"))

        recipient_path = d.pop("recipient_path")

        target_date_path = d.pop("target_date_path")

        lead_times = cast(list[str], d.pop("lead_times"))

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
            channel=channel,
            recipient_path=recipient_path,
            target_date_path=target_date_path,
            lead_times=lead_times,
            timezone_path=timezone_path,
            subject=subject,
            body=body,
        )

        return rule_input
