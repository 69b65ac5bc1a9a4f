from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StatsForecastDailyItem")


@_attrs_define
class StatsForecastDailyItem:
    """
    Attributes:
        start (datetime.datetime | Unset):
        email (int | Unset):
        sms (int | Unset):
        webhook (int | Unset):
        total (int | Unset):
    """

    start: datetime.datetime | Unset = UNSET
    email: int | Unset = UNSET
    sms: int | Unset = UNSET
    webhook: int | Unset = UNSET
    total: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start: str | Unset = UNSET
        if not isinstance(self.start, Unset):
            start = self.start.isoformat()

        email = self.email

        sms = self.sms

        webhook = self.webhook

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if start is not UNSET:
            field_dict["start"] = start
        if email is not UNSET:
            field_dict["email"] = email
        if sms is not UNSET:
            field_dict["sms"] = sms
        if webhook is not UNSET:
            field_dict["webhook"] = webhook
        if total is not UNSET:
            field_dict["total"] = total

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _start = d.pop("start", UNSET)
        start: datetime.datetime | Unset
        if isinstance(_start, Unset):
            start = UNSET
        else:
            start = datetime.datetime.fromisoformat(_start)

        email = d.pop("email", UNSET)

        sms = d.pop("sms", UNSET)

        webhook = d.pop("webhook", UNSET)

        total = d.pop("total", UNSET)

        stats_forecast_daily_item = cls(
            start=start,
            email=email,
            sms=sms,
            webhook=webhook,
            total=total,
        )

        stats_forecast_daily_item.additional_properties = d
        return stats_forecast_daily_item

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
