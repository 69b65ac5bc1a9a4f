from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.preferences import Preferences
    from ..models.quiet_hours import QuietHours


T = TypeVar("T", bound="RecipientDefaults")


@_attrs_define
class RecipientDefaults:
    """
    Attributes:
        preferences (None | Preferences | Unset):
        quiet_hours (None | QuietHours | Unset):
    """

    preferences: None | Preferences | Unset = UNSET
    quiet_hours: None | QuietHours | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.preferences import Preferences
        from ..models.quiet_hours import QuietHours

        preferences: dict[str, Any] | None | Unset
        if isinstance(self.preferences, Unset):
            preferences = UNSET
        elif isinstance(self.preferences, Preferences):
            preferences = self.preferences.to_dict()
        else:
            preferences = self.preferences

        quiet_hours: dict[str, Any] | None | Unset
        if isinstance(self.quiet_hours, Unset):
            quiet_hours = UNSET
        elif isinstance(self.quiet_hours, QuietHours):
            quiet_hours = self.quiet_hours.to_dict()
        else:
            quiet_hours = self.quiet_hours

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if preferences is not UNSET:
            field_dict["preferences"] = preferences
        if quiet_hours is not UNSET:
            field_dict["quiet_hours"] = quiet_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.preferences import Preferences
        from ..models.quiet_hours import QuietHours

        d = dict(src_dict)

        def _parse_preferences(data: object) -> None | Preferences | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                preferences_type_1 = Preferences.from_dict(data)

                return preferences_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Preferences | Unset, data)

        preferences = _parse_preferences(d.pop("preferences", UNSET))

        def _parse_quiet_hours(data: object) -> None | QuietHours | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quiet_hours_type_1 = QuietHours.from_dict(data)

                return quiet_hours_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QuietHours | Unset, data)

        quiet_hours = _parse_quiet_hours(d.pop("quiet_hours", UNSET))

        recipient_defaults = cls(
            preferences=preferences,
            quiet_hours=quiet_hours,
        )

        return recipient_defaults
