from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SmsStatusReport")


@_attrs_define
class SmsStatusReport:
    """
    Attributes:
        message_sid (str): The `sid` the provider answered the send with.
        message_status (str): `delivered`/`read` and `undelivered`/`failed`/`canceled` set the notification's
            `delivery_status`; others are kept on the attempt only. Example: delivered.
    """

    message_sid: str
    message_status: str
    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message_sid = self.message_sid

        message_status = self.message_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "MessageSid": message_sid,
                "MessageStatus": message_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        message_sid = d.pop("MessageSid")

        message_status = d.pop("MessageStatus")

        sms_status_report = cls(
            message_sid=message_sid,
            message_status=message_status,
        )

        sms_status_report.additional_properties = d
        return sms_status_report

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
