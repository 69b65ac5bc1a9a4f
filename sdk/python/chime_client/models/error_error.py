from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_error_items_item import ErrorErrorItemsItem


T = TypeVar("T", bound="ErrorError")


@_attrs_define
class ErrorError:
    """
    Attributes:
        code (str): Machine-readable error code, e.g. `bad_request` (400), `unauthorized` (401), `forbidden` (403),
            `not_found` (404), `method_not_allowed` (405), `conflict` (409), `payload_too_large` (413), `validation_failed`
            (422), `rate_limited` (429), `limit_exceeded` (429), `unavailable` (503), `internal` (500). Clients should
            accept codes not listed here. Example: validation_failed.
        message (str): Human-readable; field errors start with the field name. Quotes at most about 200 characters of
            the offending input.
        field (str | Unset): The offending field (a JSON path such as `data.items[2]` inside objects), query parameter
            or header, when there is one.
        limit (str | Unset): With `limit_exceeded`: the setting whose cap was reached, e.g.
            `CHIME_MAX_PENDING_NOTIFICATIONS`. Example: CHIME_MAX_ACTIVE_SERIES.
        items (list[ErrorErrorItemsItem] | Unset): With a batch's `validation_failed`: every bad item, by its index in
            `items`.
    """

    code: str
    message: str
    field: str | Unset = UNSET
    limit: str | Unset = UNSET
    items: list[ErrorErrorItemsItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        field = self.field

        limit = self.limit

        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if field is not UNSET:
            field_dict["field"] = field
        if limit is not UNSET:
            field_dict["limit"] = limit
        if items is not UNSET:
            field_dict["items"] = items

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_error_items_item import ErrorErrorItemsItem

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        field = d.pop("field", UNSET)

        limit = d.pop("limit", UNSET)

        _items = d.pop("items", UNSET)
        items: list[ErrorErrorItemsItem] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = ErrorErrorItemsItem.from_dict(items_item_data)

                items.append(items_item)

        error_error = cls(
            code=code,
            message=message,
            field=field,
            limit=limit,
            items=items,
        )

        error_error.additional_properties = d
        return error_error

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
