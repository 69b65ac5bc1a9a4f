from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.get_timeline_response_200_created_by import (
        GetTimelineResponse200CreatedBy,
    )
    from ..models.get_timeline_response_200_items_item import (
        GetTimelineResponse200ItemsItem,
    )
    from ..models.get_timeline_response_200_rendered import (
        GetTimelineResponse200Rendered,
    )
    from ..models.notification import Notification


T = TypeVar("T", bound="GetTimelineResponse200")


@_attrs_define
class GetTimelineResponse200:
    """
    Attributes:
        notification (Notification | Unset):
        created_by (GetTimelineResponse200CreatedBy | Unset):
        items (list[GetTimelineResponse200ItemsItem] | Unset):
        rendered (GetTimelineResponse200Rendered | Unset):
    """

    notification: Notification | Unset = UNSET
    created_by: GetTimelineResponse200CreatedBy | Unset = UNSET
    items: list[GetTimelineResponse200ItemsItem] | Unset = UNSET
    rendered: GetTimelineResponse200Rendered | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        notification: dict[str, Any] | Unset = UNSET
        if not isinstance(self.notification, Unset):
            notification = self.notification.to_dict()

        created_by: dict[str, Any] | Unset = UNSET
        if not isinstance(self.created_by, Unset):
            created_by = self.created_by.to_dict()

        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        rendered: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rendered, Unset):
            rendered = self.rendered.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if notification is not UNSET:
            field_dict["notification"] = notification
        if created_by is not UNSET:
            field_dict["created_by"] = created_by
        if items is not UNSET:
            field_dict["items"] = items
        if rendered is not UNSET:
            field_dict["rendered"] = rendered

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.get_timeline_response_200_created_by import (
            GetTimelineResponse200CreatedBy,
        )
        from ..models.get_timeline_response_200_items_item import (
            GetTimelineResponse200ItemsItem,
        )
        from ..models.get_timeline_response_200_rendered import (
            GetTimelineResponse200Rendered,
        )
        from ..models.notification import Notification

        d = dict(src_dict)
        _notification = d.pop("notification", UNSET)
        notification: Notification | Unset
        if isinstance(_notification, Unset):
            notification = UNSET
        else:
            notification = Notification.from_dict(_notification)

        _created_by = d.pop("created_by", UNSET)
        created_by: GetTimelineResponse200CreatedBy | Unset
        if isinstance(_created_by, Unset):
            created_by = UNSET
        else:
            created_by = GetTimelineResponse200CreatedBy.from_dict(_created_by)

        _items = d.pop("items", UNSET)
        items: list[GetTimelineResponse200ItemsItem] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = GetTimelineResponse200ItemsItem.from_dict(items_item_data)

                items.append(items_item)

        _rendered = d.pop("rendered", UNSET)
        rendered: GetTimelineResponse200Rendered | Unset
        if isinstance(_rendered, Unset):
            rendered = UNSET
        else:
            rendered = GetTimelineResponse200Rendered.from_dict(_rendered)

        get_timeline_response_200 = cls(
            notification=notification,
            created_by=created_by,
            items=items,
            rendered=rendered,
        )

        get_timeline_response_200.additional_properties = d
        return get_timeline_response_200

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
