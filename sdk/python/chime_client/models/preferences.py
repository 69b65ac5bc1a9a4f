from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preferences_additional_property import PreferencesAdditionalProperty


T = TypeVar("T", bound="Preferences")


@_attrs_define
class Preferences:
    """Per category (or `*` for every category): per channel, `true` (allowed) or `false` (opted out). A recipient's own
    category, then its `*`, then the tenant default's category, then its `*`; allowed when none says.

        Example:
            {'*': {'sms': True}, 'marketing': {'email': False}}

    """

    additional_properties: dict[str, PreferencesAdditionalProperty] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.preferences_additional_property import (
            PreferencesAdditionalProperty,
        )

        d = dict(src_dict)
        preferences = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = PreferencesAdditionalProperty.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        preferences.additional_properties = additional_properties
        return preferences

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> PreferencesAdditionalProperty:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: PreferencesAdditionalProperty) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
