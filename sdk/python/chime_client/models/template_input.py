from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TemplateInput")


@_attrs_define
class TemplateInput:
    """
    Attributes:
        name (str):  Example: card-expiring.
        body (str): Message template (the SMS text, the e-mail's plain text, the webhook's `body`).
        subject (None | str | Unset): E-mail subject template.
        html (None | str | Unset): HTML alternative template for e-mails; values are HTML-escaped.
        digest (None | str | Unset): Template of a digest over several messages (`items`).
    """

    name: str
    body: str
    subject: None | str | Unset = UNSET
    html: None | str | Unset = UNSET
    digest: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        body = self.body

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        html: None | str | Unset
        if isinstance(self.html, Unset):
            html = UNSET
        else:
            html = self.html

        digest: None | str | Unset
        if isinstance(self.digest, Unset):
            digest = UNSET
        else:
            digest = self.digest

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "body": body,
            }
        )
        if subject is not UNSET:
            field_dict["subject"] = subject
        if html is not UNSET:
            field_dict["html"] = html
        if digest is not UNSET:
            field_dict["digest"] = digest

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        body = d.pop("body")

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        def _parse_html(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        html = _parse_html(d.pop("html", UNSET))

        def _parse_digest(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        digest = _parse_digest(d.pop("digest", UNSET))

        template_input = cls(
            name=name,
            body=body,
            subject=subject,
            html=html,
            digest=digest,
        )

        return template_input
