from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_create_payload import EventCreatePayload


T = TypeVar("T", bound="EventCreate")


@_attrs_define
class EventCreate:
    """
    Example:
        {'idempotency_key': 'evt-991', 'payload': {'email': 'ada@example.com', 'name': 'Ada', 'target_date':
            '2026-12-01T09:00:00Z'}, 'type': 'card.expiring'}

    Attributes:
        type_ (str): Letters, digits and `. _ - : /`, at most 200 characters. Example: card.expiring.
        payload (EventCreatePayload):
        idempotency_key (None | str | Unset):
    """

    type_: str
    payload: EventCreatePayload
    idempotency_key: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        payload = self.payload.to_dict()

        idempotency_key: None | str | Unset
        if isinstance(self.idempotency_key, Unset):
            idempotency_key = UNSET
        else:
            idempotency_key = self.idempotency_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "payload": payload,
            }
        )
        if idempotency_key is not UNSET:
            field_dict["idempotency_key"] = idempotency_key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_create_payload import EventCreatePayload

        d = dict(src_dict)
        type_ = d.pop("type")

        payload = EventCreatePayload.from_dict(d.pop("payload"))

        def _parse_idempotency_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        idempotency_key = _parse_idempotency_key(d.pop("idempotency_key", UNSET))

        event_create = cls(
            type_=type_,
            payload=payload,
            idempotency_key=idempotency_key,
        )

        return event_create
