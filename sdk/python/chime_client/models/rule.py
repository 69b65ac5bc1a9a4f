from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.rule_channel import RuleChannel
from ..models.rule_fallback_item import RuleFallbackItem

T = TypeVar("T", bound="Rule")


@_attrs_define
class Rule:
    """
    Attributes:
        id (UUID):
        event_type (str): Letters, digits and `. _ - : /`, at most 200 characters. Example: card.expiring.
        channel (RuleChannel):
        recipient_path (None | str): JSON Pointer into the event payload. Example: /email.
        target_date_path (str): JSON Pointer into the event payload. Example: /target_date.
        timezone_path (None | str): JSON Pointer into the event payload. Example: /tz.
        lead_times (list[str]): One notification per lead time. Example: ['P7D', 'P1D'].
        subject (None | str):
        body (str):  Example: Hi {{name}}.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        html (None | str): E-mail only: a template for an HTML alternative part (`multipart/alternative`); values from
            `data` are HTML-escaped.
        template (None | str): A stored template (`/templates`) to render instead of `subject`, `body` and `html`, which
            may then not be given. Unknown: a 422 naming `template`.
        template_version (int | None): Pins a version of `template`; without it the version that is latest when the
            message is sent is rendered.
        recipient_id_path (None | str): JSON Pointer into the event payload: a stored recipient's external id. An
            unknown recipient, or one with no allowed channel, fails the event with an error naming the path. Example:
            /customer_id.
        category (None | str): Required with `recipient_id_path`: what the recipient's preferences are read for.
            Example: billing.
        fallback (list[RuleFallbackItem]): The channels each notification falls back to, in order (empty without any);
            see `RuleInput.fallback`.
    """

    id: UUID
    event_type: str
    channel: RuleChannel
    recipient_path: None | str
    target_date_path: str
    timezone_path: None | str
    lead_times: list[str]
    subject: None | str
    body: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    html: None | str
    template: None | str
    template_version: int | None
    recipient_id_path: None | str
    category: None | str
    fallback: list[RuleFallbackItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        event_type = self.event_type

        channel = self.channel.value

        recipient_path: None | str
        recipient_path = self.recipient_path

        target_date_path = self.target_date_path

        timezone_path: None | str
        timezone_path = self.timezone_path

        lead_times = self.lead_times

        subject: None | str
        subject = self.subject

        body = self.body

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        html: None | str
        html = self.html

        template: None | str
        template = self.template

        template_version: int | None
        template_version = self.template_version

        recipient_id_path: None | str
        recipient_id_path = self.recipient_id_path

        category: None | str
        category = self.category

        fallback = []
        for fallback_item_data in self.fallback:
            fallback_item = fallback_item_data.value
            fallback.append(fallback_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event_type": event_type,
                "channel": channel,
                "recipient_path": recipient_path,
                "target_date_path": target_date_path,
                "timezone_path": timezone_path,
                "lead_times": lead_times,
                "subject": subject,
                "body": body,
                "created_at": created_at,
                "updated_at": updated_at,
                "html": html,
                "template": template,
                "template_version": template_version,
                "recipient_id_path": recipient_id_path,
                "category": category,
                "fallback": fallback,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        event_type = d.pop("event_type")

        channel = RuleChannel(d.pop("channel"))

        def _parse_recipient_path(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recipient_path = _parse_recipient_path(d.pop("recipient_path"))

        target_date_path = d.pop("target_date_path")

        def _parse_timezone_path(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        timezone_path = _parse_timezone_path(d.pop("timezone_path"))

        lead_times = cast(list[str], d.pop("lead_times"))

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        body = d.pop("body")

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

        def _parse_recipient_id_path(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        recipient_id_path = _parse_recipient_id_path(d.pop("recipient_id_path"))

        def _parse_category(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        category = _parse_category(d.pop("category"))

        fallback = []
        _fallback = d.pop("fallback")
        for fallback_item_data in _fallback:
            fallback_item = RuleFallbackItem(fallback_item_data)

            fallback.append(fallback_item)

        rule = cls(
            id=id,
            event_type=event_type,
            channel=channel,
            recipient_path=recipient_path,
            target_date_path=target_date_path,
            timezone_path=timezone_path,
            lead_times=lead_times,
            subject=subject,
            body=body,
            created_at=created_at,
            updated_at=updated_at,
            html=html,
            template=template,
            template_version=template_version,
            recipient_id_path=recipient_id_path,
            category=category,
            fallback=fallback,
        )

        rule.additional_properties = d
        return rule

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
