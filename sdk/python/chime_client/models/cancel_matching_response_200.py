from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cancel_matching_response_200_skipped_item import (
        CancelMatchingResponse200SkippedItem,
    )


T = TypeVar("T", bound="CancelMatchingResponse200")


@_attrs_define
class CancelMatchingResponse200:
    """
    Attributes:
        dry_run (bool | Unset):
        matched (int | Unset):
        cancelled (int | Unset):
        remaining (int | Unset):
        more (bool | Unset):
        skipped (list[CancelMatchingResponse200SkippedItem] | Unset):
    """

    dry_run: bool | Unset = UNSET
    matched: int | Unset = UNSET
    cancelled: int | Unset = UNSET
    remaining: int | Unset = UNSET
    more: bool | Unset = UNSET
    skipped: list[CancelMatchingResponse200SkippedItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dry_run = self.dry_run

        matched = self.matched

        cancelled = self.cancelled

        remaining = self.remaining

        more = self.more

        skipped: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.skipped, Unset):
            skipped = []
            for skipped_item_data in self.skipped:
                skipped_item = skipped_item_data.to_dict()
                skipped.append(skipped_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run
        if matched is not UNSET:
            field_dict["matched"] = matched
        if cancelled is not UNSET:
            field_dict["cancelled"] = cancelled
        if remaining is not UNSET:
            field_dict["remaining"] = remaining
        if more is not UNSET:
            field_dict["more"] = more
        if skipped is not UNSET:
            field_dict["skipped"] = skipped

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.cancel_matching_response_200_skipped_item import (
            CancelMatchingResponse200SkippedItem,
        )

        d = dict(src_dict)
        dry_run = d.pop("dry_run", UNSET)

        matched = d.pop("matched", UNSET)

        cancelled = d.pop("cancelled", UNSET)

        remaining = d.pop("remaining", UNSET)

        more = d.pop("more", UNSET)

        _skipped = d.pop("skipped", UNSET)
        skipped: list[CancelMatchingResponse200SkippedItem] | Unset = UNSET
        if _skipped is not UNSET:
            skipped = []
            for skipped_item_data in _skipped:
                skipped_item = CancelMatchingResponse200SkippedItem.from_dict(
                    skipped_item_data
                )

                skipped.append(skipped_item)

        cancel_matching_response_200 = cls(
            dry_run=dry_run,
            matched=matched,
            cancelled=cancelled,
            remaining=remaining,
            more=more,
            skipped=skipped,
        )

        cancel_matching_response_200.additional_properties = d
        return cancel_matching_response_200

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
