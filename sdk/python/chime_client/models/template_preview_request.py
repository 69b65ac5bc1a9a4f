from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.template_preview_request_channel import TemplatePreviewRequestChannel
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.template_preview_request_data_type_0 import (
        TemplatePreviewRequestDataType0,
    )


T = TypeVar("T", bound="TemplatePreviewRequest")


@_attrs_define
class TemplatePreviewRequest:
    """
    Attributes:
        data (None | TemplatePreviewRequestDataType0 | Unset): Sample template variables.
        version (int | None | Unset): Default: the latest.
        channel (TemplatePreviewRequestChannel | Unset): Whose output limit applies (default `email`); only e-mail
            renders `html`.
    """

    data: None | TemplatePreviewRequestDataType0 | Unset = UNSET
    version: int | None | Unset = UNSET
    channel: TemplatePreviewRequestChannel | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.template_preview_request_data_type_0 import (
            TemplatePreviewRequestDataType0,
        )

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, TemplatePreviewRequestDataType0):
            data = self.data.to_dict()
        else:
            data = self.data

        version: int | None | Unset
        if isinstance(self.version, Unset):
            version = UNSET
        else:
            version = self.version

        channel: str | Unset = UNSET
        if not isinstance(self.channel, Unset):
            channel = self.channel.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if data is not UNSET:
            field_dict["data"] = data
        if version is not UNSET:
            field_dict["version"] = version
        if channel is not UNSET:
            field_dict["channel"] = channel

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.template_preview_request_data_type_0 import (
            TemplatePreviewRequestDataType0,
        )

        d = dict(src_dict)

        def _parse_data(data: object) -> None | TemplatePreviewRequestDataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = TemplatePreviewRequestDataType0.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TemplatePreviewRequestDataType0 | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        def _parse_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        version = _parse_version(d.pop("version", UNSET))

        _channel = d.pop("channel", UNSET)
        channel: TemplatePreviewRequestChannel | Unset
        if isinstance(_channel, Unset):
            channel = UNSET
        else:
            channel = TemplatePreviewRequestChannel(_channel)

        template_preview_request = cls(
            data=data,
            version=version,
            channel=channel,
        )

        return template_preview_request
