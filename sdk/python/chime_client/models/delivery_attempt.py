from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.delivery_attempt_outcome import DeliveryAttemptOutcome

T = TypeVar("T", bound="DeliveryAttempt")


@_attrs_define
class DeliveryAttempt:
    """
    Attributes:
        number (int):
        started_at (datetime.datetime):
        finished_at (datetime.datetime):
        outcome (DeliveryAttemptOutcome):
        error (None | str):
        response (None | str): Summary of the provider's response.
        provider_message_id (None | str): The provider's id of the message (an SMS `sid`).
        provider_status (None | str): The latest status the provider reported for it (`sent`, `delivered`,
            `undelivered`, …).
        provider_status_at (datetime.datetime | None):
    """

    number: int
    started_at: datetime.datetime
    finished_at: datetime.datetime
    outcome: DeliveryAttemptOutcome
    error: None | str
    response: None | str
    provider_message_id: None | str
    provider_status: None | str
    provider_status_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        number = self.number

        started_at = self.started_at.isoformat()

        finished_at = self.finished_at.isoformat()

        outcome = self.outcome.value

        error: None | str
        error = self.error

        response: None | str
        response = self.response

        provider_message_id: None | str
        provider_message_id = self.provider_message_id

        provider_status: None | str
        provider_status = self.provider_status

        provider_status_at: None | str
        if isinstance(self.provider_status_at, datetime.datetime):
            provider_status_at = self.provider_status_at.isoformat()
        else:
            provider_status_at = self.provider_status_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "number": number,
                "started_at": started_at,
                "finished_at": finished_at,
                "outcome": outcome,
                "error": error,
                "response": response,
                "provider_message_id": provider_message_id,
                "provider_status": provider_status,
                "provider_status_at": provider_status_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        number = d.pop("number")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        finished_at = datetime.datetime.fromisoformat(d.pop("finished_at"))

        outcome = DeliveryAttemptOutcome(d.pop("outcome"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_response(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response = _parse_response(d.pop("response"))

        def _parse_provider_message_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        provider_message_id = _parse_provider_message_id(d.pop("provider_message_id"))

        def _parse_provider_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        provider_status = _parse_provider_status(d.pop("provider_status"))

        def _parse_provider_status_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                provider_status_at_type_0 = datetime.datetime.fromisoformat(data)

                return provider_status_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        provider_status_at = _parse_provider_status_at(d.pop("provider_status_at"))

        delivery_attempt = cls(
            number=number,
            started_at=started_at,
            finished_at=finished_at,
            outcome=outcome,
            error=error,
            response=response,
            provider_message_id=provider_message_id,
            provider_status=provider_status,
            provider_status_at=provider_status_at,
        )

        delivery_attempt.additional_properties = d
        return delivery_attempt

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
