from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recipient_preferred_channel import RecipientPreferredChannel

if TYPE_CHECKING:
    from ..models.preferences import Preferences
    from ..models.quiet_hours import QuietHours


T = TypeVar("T", bound="Recipient")


@_attrs_define
class Recipient:
    """
    Attributes:
        id (str): The caller's own id for the recipient (`batch` is reserved).
        name (None | str):
        email (None | str):
        phone (None | str): E.164.
        webhook_url (None | str):
        timezone (None | str): IANA name; quiet hours are read in it.
        locale (None | str):  Example: pt-BR.
        preferred_channel (RecipientPreferredChannel):
        preferences (Preferences): Per category (or `*` for every category): per channel, `true` (allowed) or `false`
            (opted out). A recipient's own category, then its `*`, then the tenant default's category, then its `*`; allowed
            when none says. Example: {'*': {'sms': True}, 'marketing': {'email': False}}.
        quiet_hours (None | QuietHours):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: str
    name: None | str
    email: None | str
    phone: None | str
    webhook_url: None | str
    timezone: None | str
    locale: None | str
    preferred_channel: RecipientPreferredChannel
    preferences: Preferences
    quiet_hours: None | QuietHours
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.quiet_hours import QuietHours

        id = self.id

        name: None | str
        name = self.name

        email: None | str
        email = self.email

        phone: None | str
        phone = self.phone

        webhook_url: None | str
        webhook_url = self.webhook_url

        timezone: None | str
        timezone = self.timezone

        locale: None | str
        locale = self.locale

        preferred_channel = self.preferred_channel.value

        preferences = self.preferences.to_dict()

        quiet_hours: dict[str, Any] | None
        if isinstance(self.quiet_hours, QuietHours):
            quiet_hours = self.quiet_hours.to_dict()
        else:
            quiet_hours = self.quiet_hours

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "email": email,
                "phone": phone,
                "webhook_url": webhook_url,
                "timezone": timezone,
                "locale": locale,
                "preferred_channel": preferred_channel,
                "preferences": preferences,
                "quiet_hours": quiet_hours,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.preferences import Preferences
        from ..models.quiet_hours import QuietHours

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_phone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone = _parse_phone(d.pop("phone"))

        def _parse_webhook_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        webhook_url = _parse_webhook_url(d.pop("webhook_url"))

        def _parse_timezone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        timezone = _parse_timezone(d.pop("timezone"))

        def _parse_locale(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        locale = _parse_locale(d.pop("locale"))

        preferred_channel = RecipientPreferredChannel(d.pop("preferred_channel"))

        preferences = Preferences.from_dict(d.pop("preferences"))

        def _parse_quiet_hours(data: object) -> None | QuietHours:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quiet_hours_type_1 = QuietHours.from_dict(data)

                return quiet_hours_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QuietHours, data)

        quiet_hours = _parse_quiet_hours(d.pop("quiet_hours"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        recipient = cls(
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
            created_at=created_at,
            updated_at=updated_at,
        )

        recipient.additional_properties = d
        return recipient

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
