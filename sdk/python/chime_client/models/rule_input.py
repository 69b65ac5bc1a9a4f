from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.rule_input_channel import RuleInputChannel
from ..models.rule_input_fallback_type_0_item import RuleInputFallbackType0Item
from ..types import UNSET, Unset

T = TypeVar("T", bound="RuleInput")


@_attrs_define
class RuleInput:
    """Either an address (`channel` + `recipient_path`) or a stored recipient (`recipient_id_path` + `category`, with an
    optional `channel`: without one, the recipient's preferences choose it per event). Unknown fields are a `400`.

        Example:
            {'body': 'Hi {{name}}', 'channel': 'email', 'event_type': 'card.expiring', 'lead_times': ['P7D', 'P1D'],
                'recipient_path': '/email', 'subject': 'Your card expires soon', 'target_date_path': '/target_date',
                'timezone_path': '/tz'}

        Attributes:
            event_type (str): Letters, digits and `. _ - : /`, at most 200 characters. Example: card.expiring.
            target_date_path (str): JSON Pointer into the event payload. Example: /target_date.
            lead_times (list[str]): One notification per lead time. Example: ['P7D', 'P1D'].
            channel (RuleInputChannel | Unset): Required with `recipient_path`; optional with `recipient_id_path`.
            recipient_path (None | str | Unset): JSON Pointer into the event payload: the address. Not with
                `recipient_id_path`. Example: /email.
            timezone_path (None | str | Unset): JSON Pointer into the event payload. Example: /tz.
            subject (None | str | Unset):
            body (str | Unset):  Example: Hi {{name}}.
            html (None | str | Unset): E-mail only: a template for an HTML alternative part (`multipart/alternative`);
                values from `data` are HTML-escaped.
            template (None | str | Unset): A stored template (`/templates`) to render instead of `subject`, `body` and
                `html`, which may then not be given. Unknown: a 422 naming `template`.
            template_version (int | None | Unset): Pins a version of `template`; without it the version that is latest when
                the message is sent is rendered.
            recipient_id_path (None | str | Unset): JSON Pointer into the event payload: a stored recipient's external id.
                An unknown recipient, or one with no allowed channel, fails the event with an error naming the path. Example:
                /customer_id.
            category (None | str | Unset): Required with `recipient_id_path`: what the recipient's preferences are read for.
                Example: billing.
            fallback (list[RuleInputFallbackType0Item] | None | Unset): With `recipient_id_path` (`422` naming `fallback`
                otherwise): the channels to try, in order, when the chosen one fails permanently, copied onto each notification
                the rule creates. Each differs from the others and from `channel` (`422` naming `fallback[i]`); channels the
                recipient has no address for, or the one chosen for the event, are left out when the event is handled.
    """

    event_type: str
    target_date_path: str
    lead_times: list[str]
    channel: RuleInputChannel | Unset = UNSET
    recipient_path: None | str | Unset = UNSET
    timezone_path: None | str | Unset = UNSET
    subject: None | str | Unset = UNSET
    body: str | Unset = UNSET
    html: None | str | Unset = UNSET
    template: None | str | Unset = UNSET
    template_version: int | None | Unset = UNSET
    recipient_id_path: None | str | Unset = UNSET
    category: None | str | Unset = UNSET
    fallback: list[RuleInputFallbackType0Item] | None | Unset = UNSET

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
        if timezone_path is not UNSET:
            field_dict["timezone_path"] = timezone_path
        if subject is not UNSET:
            field_dict["subject"] = subject
        if body is not UNSET:
            field_dict["body"] = body
        if html is not UNSET:
            field_dict["html"] = html
        if template is not UNSET:
            field_dict["template"] = template
        if template_version is not UNSET:
            field_dict["template_version"] = template_version
        if recipient_id_path is not UNSET:
            field_dict["recipient_id_path"] = recipient_id_path
        if category is not UNSET:
            field_dict["category"] = category
        if fallback is not UNSET:
            field_dict["fallback"] = fallback

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

        def _parse_fallback(
            data: object,
        ) -> list[RuleInputFallbackType0Item] | None | Unset:
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
                    fallback_type_0_item = RuleInputFallbackType0Item(
                        fallback_type_0_item_data
                    )

                    fallback_type_0.append(fallback_type_0_item)

                return fallback_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[RuleInputFallbackType0Item] | None | Unset, data)

        fallback = _parse_fallback(d.pop("fallback", UNSET))

        rule_input = cls(
            event_type=event_type,
            target_date_path=target_date_path,
            lead_times=lead_times,
            channel=channel,
            recipient_path=recipient_path,
            timezone_path=timezone_path,
            subject=subject,
            body=body,
            html=html,
            template=template,
            template_version=template_version,
            recipient_id_path=recipient_id_path,
            category=category,
            fallback=fallback,
        )

        return rule_input
