from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DigestInput")


@_attrs_define
class DigestInput:
    """The digest a notification joins.

    Attributes:
        key (str):
        window (str): ISO 8601 duration, PT1S to P7D, e.g. PT1H. Example: PT1H.
        subject (None | str | Unset): Template of the digest's subject; default: the subject of the notification that
            carries it.
        body (None | str | Unset): Template of the digest's text, over `items` and `count`.
    """

    key: str
    window: str
    subject: None | str | Unset = UNSET
    body: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        window = self.window

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "window": window,
            }
        )
        if subject is not UNSET:
            field_dict["subject"] = subject
        if body is not UNSET:
            field_dict["body"] = body

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        window = d.pop("window")

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

        digest_input = cls(
            key=key,
            window=window,
            subject=subject,
            body=body,
        )

        return digest_input
