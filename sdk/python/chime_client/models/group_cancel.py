from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GroupCancel")


@_attrs_define
class GroupCancel:
    """
    Example:
        {'group_key': 'invoice-123'}

    Attributes:
        group_key (str):
    """

    group_key: str

    def to_dict(self) -> dict[str, Any]:
        group_key = self.group_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "group_key": group_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        group_key = d.pop("group_key")

        group_cancel = cls(
            group_key=group_key,
        )

        return group_cancel
