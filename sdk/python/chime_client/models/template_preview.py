from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.template_preview_channel import TemplatePreviewChannel

T = TypeVar("T", bound="TemplatePreview")


@_attrs_define
class TemplatePreview:
    """
    Attributes:
        name (str):
        version (int):
        channel (TemplatePreviewChannel):
        subject (None | str):
        body (str):
        html (None | str):
        digest (None | str): The digest text, rendered over the sample data (its messages as `items`).
    """

    name: str
    version: int
    channel: TemplatePreviewChannel
    subject: None | str
    body: str
    html: None | str
    digest: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        version = self.version

        channel = self.channel.value

        subject: None | str
        subject = self.subject

        body = self.body

        html: None | str
        html = self.html

        digest: None | str
        digest = self.digest

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "version": version,
                "channel": channel,
                "subject": subject,
                "body": body,
                "html": html,
                "digest": digest,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        version = d.pop("version")

        channel = TemplatePreviewChannel(d.pop("channel"))

        def _parse_subject(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subject = _parse_subject(d.pop("subject"))

        body = d.pop("body")

        def _parse_html(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        html = _parse_html(d.pop("html"))

        def _parse_digest(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        digest = _parse_digest(d.pop("digest"))

        template_preview = cls(
            name=name,
            version=version,
            channel=channel,
            subject=subject,
            body=body,
            html=html,
            digest=digest,
        )

        template_preview.additional_properties = d
        return template_preview

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
