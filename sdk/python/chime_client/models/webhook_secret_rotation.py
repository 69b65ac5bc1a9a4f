from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookSecretRotation")


@_attrs_define
class WebhookSecretRotation:
    """
    Attributes:
        grace_period (str | Unset): ISO-8601 duration the previous secret keeps signing, at most `P30D`; `PT0S` stops it
            at once. Default: `CHIME_WEBHOOK_SECRET_GRACE` (24 hours). Example: PT24H.
    """

    grace_period: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        grace_period = self.grace_period

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grace_period is not UNSET:
            field_dict["grace_period"] = grace_period

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        grace_period = d.pop("grace_period", UNSET)

        webhook_secret_rotation = cls(
            grace_period=grace_period,
        )

        return webhook_secret_rotation
