from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.recipient_input_preferred_channel import RecipientInputPreferredChannel
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.preferences import Preferences
    from ..models.quiet_hours import QuietHours


T = TypeVar("T", bound="RecipientInput")


@_attrs_define
class RecipientInput:
    """Every field of a recipient; `PUT` clears what is left out. A field that does not parse is a `422` naming it
    (`preferences.billing.fax`, `quiet_hours.start`).

        Attributes:
            id (str | Unset): Optional; must equal the id in the path.
            name (None | str | Unset):
            email (None | str | Unset):
            phone (None | str | Unset): E.164.
            webhook_url (None | str | Unset):
            timezone (None | str | Unset): IANA name; quiet hours are read in it.
            locale (None | str | Unset):  Example: pt-BR.
            preferred_channel (RecipientInputPreferredChannel | Unset):
            preferences (None | Preferences | Unset):
            quiet_hours (None | QuietHours | Unset):
    """

    id: str | Unset = UNSET
    name: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    phone: None | str | Unset = UNSET
    webhook_url: None | str | Unset = UNSET
    timezone: None | str | Unset = UNSET
    locale: None | str | Unset = UNSET
    preferred_channel: RecipientInputPreferredChannel | Unset = UNSET
    preferences: None | Preferences | Unset = UNSET
    quiet_hours: None | QuietHours | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.preferences import Preferences
        from ..models.quiet_hours import QuietHours

        id = self.id

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        webhook_url: None | str | Unset
        if isinstance(self.webhook_url, Unset):
            webhook_url = UNSET
        else:
            webhook_url = self.webhook_url

        timezone: None | str | Unset
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        locale: None | str | Unset
        if isinstance(self.locale, Unset):
            locale = UNSET
        else:
            locale = self.locale

        preferred_channel: str | Unset = UNSET
        if not isinstance(self.preferred_channel, Unset):
            preferred_channel = self.preferred_channel.value

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
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name
        if email is not UNSET:
            field_dict["email"] = email
        if phone is not UNSET:
            field_dict["phone"] = phone
        if webhook_url is not UNSET:
            field_dict["webhook_url"] = webhook_url
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if locale is not UNSET:
            field_dict["locale"] = locale
        if preferred_channel is not UNSET:
            field_dict["preferred_channel"] = preferred_channel
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
        id = d.pop("id", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        def _parse_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_url = _parse_webhook_url(d.pop("webhook_url", UNSET))

        def _parse_timezone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        def _parse_locale(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        locale = _parse_locale(d.pop("locale", UNSET))

        _preferred_channel = d.pop("preferred_channel", UNSET)
        preferred_channel: RecipientInputPreferredChannel | Unset
        if isinstance(_preferred_channel, Unset):
            preferred_channel = UNSET
        else:
            preferred_channel = RecipientInputPreferredChannel(_preferred_channel)

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

        recipient_input = cls(
            id=id,
            name=name,
            email=email,
            phone=phone,
            webhook_url=webhook_url,
            timezone=timezone,
            locale=locale,
            preferred_channel=preferred_channel,
            preferences=preferences,
            quiet_hours=quiet_hours,
        )

        return recipient_input
