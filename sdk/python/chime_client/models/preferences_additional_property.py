from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PreferencesAdditionalProperty")


@_attrs_define
class PreferencesAdditionalProperty:
    """
    Attributes:
        email (bool | Unset):
        sms (bool | Unset):
        webhook (bool | Unset):
    """

    email: bool | Unset = UNSET
    sms: bool | Unset = UNSET
    webhook: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        sms = self.sms

        webhook = self.webhook

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if sms is not UNSET:
            field_dict["sms"] = sms
        if webhook is not UNSET:
            field_dict["webhook"] = webhook

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email", UNSET)

        sms = d.pop("sms", UNSET)

        webhook = d.pop("webhook", UNSET)

        preferences_additional_property = cls(
            email=email,
            sms=sms,
            webhook=webhook,
        )

        return preferences_additional_property
