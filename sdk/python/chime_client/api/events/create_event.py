from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.event import Event
from ...models.event_create import EventCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: EventCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/events",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Event:
    if response.status_code == 200:
        response_200 = Event.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = Event.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    response_default = Error.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | Event]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: EventCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | Event]:
    """Post an event

     The rule for the event's type decides what is scheduled. Without a rule, the built-in handler uses
    `payload.target_date` and creates one notification per recipient among `payload.email`,
    `payload.phone` and `payload.webhook_url`, with `payload.lead_time` (default `PT0S`).

    Args:
        idempotency_key (str | Unset):
        body (EventCreate):  Example: {'idempotency_key': 'evt-991', 'payload': {'email':
            'ada@example.com', 'name': 'Ada', 'target_date': '2026-12-01T09:00:00Z'}, 'type':
            'card.expiring'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Event]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: EventCreate,
    idempotency_key: str | Unset = UNSET,
) -> Error | Event | None:
    """Post an event

     The rule for the event's type decides what is scheduled. Without a rule, the built-in handler uses
    `payload.target_date` and creates one notification per recipient among `payload.email`,
    `payload.phone` and `payload.webhook_url`, with `payload.lead_time` (default `PT0S`).

    Args:
        idempotency_key (str | Unset):
        body (EventCreate):  Example: {'idempotency_key': 'evt-991', 'payload': {'email':
            'ada@example.com', 'name': 'Ada', 'target_date': '2026-12-01T09:00:00Z'}, 'type':
            'card.expiring'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Event
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: EventCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | Event]:
    """Post an event

     The rule for the event's type decides what is scheduled. Without a rule, the built-in handler uses
    `payload.target_date` and creates one notification per recipient among `payload.email`,
    `payload.phone` and `payload.webhook_url`, with `payload.lead_time` (default `PT0S`).

    Args:
        idempotency_key (str | Unset):
        body (EventCreate):  Example: {'idempotency_key': 'evt-991', 'payload': {'email':
            'ada@example.com', 'name': 'Ada', 'target_date': '2026-12-01T09:00:00Z'}, 'type':
            'card.expiring'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Event]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: EventCreate,
    idempotency_key: str | Unset = UNSET,
) -> Error | Event | None:
    """Post an event

     The rule for the event's type decides what is scheduled. Without a rule, the built-in handler uses
    `payload.target_date` and creates one notification per recipient among `payload.email`,
    `payload.phone` and `payload.webhook_url`, with `payload.lead_time` (default `PT0S`).

    Args:
        idempotency_key (str | Unset):
        body (EventCreate):  Example: {'idempotency_key': 'evt-991', 'payload': {'email':
            'ada@example.com', 'name': 'Ada', 'target_date': '2026-12-01T09:00:00Z'}, 'type':
            'card.expiring'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Event
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
