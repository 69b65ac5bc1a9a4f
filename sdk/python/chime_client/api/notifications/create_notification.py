from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.notification import Notification
from ...models.notification_create import NotificationCreate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: NotificationCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/notifications",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Notification:
    if response.status_code == 200:
        response_200 = Notification.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = Notification.from_dict(response.json())

        return response_201

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
) -> Response[Error | Notification]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: NotificationCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | Notification]:
    """Create a notification

     `422` when the send time is after the expiry, the notification has already expired, the timezone or
    cron expression is invalid, or a webhook URL resolves to a private address. With `cron`, also `422`
    naming `cron` when the series would fire more often than `CHIME_MIN_SERIES_INTERVAL` (default 60 s)
    allows. `429` `limit_exceeded` when the tenant holds `CHIME_MAX_ACTIVE_SERIES` active series or
    `CHIME_MAX_PENDING_NOTIFICATIONS` pending notifications already.

    Args:
        idempotency_key (str | Unset):
        body (NotificationCreate): Give `send_at`, or `target_date` with an optional `lead_time`
            (`send_at = target_date - lead_time`), or a `cron` expression for a recurring series.
            Unknown fields are a `400`. Address it either with `channel` + `recipient` (an address),
            or with `recipient_id` + `category` (a stored recipient): the channel is then the first of
            `channels` (or `channel`; by default the recipient's `preferred_channel`, then email, sms,
            webhook) for which the recipient has an address and allows the category. An unknown
            recipient, or a category with no allowed channel, is a `422` naming `recipient_id`,
            `category` or `channels`. The preferences are read again when the send is claimed: an opt-
            out after scheduling ends it `suppressed`; a send due inside the recipient's quiet hours
            is held until they end unless `urgent`. Example: {'body': 'Hi {{name}}, your card ends on
            {{target_date}}.', 'channel': 'email', 'data': {'name': 'Ada'}, 'group_key':
            'invoice-123', 'idempotency_key': 'inv-123-reminder-1', 'lead_time': 'P3D',
            'max_attempts': 5, 'recipient': 'ada@example.com', 'subject': 'Your card expires soon',
            'target_date': '2026-12-01T09:00:00Z', 'timezone': 'Europe/Berlin'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Notification]
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
    body: NotificationCreate,
    idempotency_key: str | Unset = UNSET,
) -> Error | Notification | None:
    """Create a notification

     `422` when the send time is after the expiry, the notification has already expired, the timezone or
    cron expression is invalid, or a webhook URL resolves to a private address. With `cron`, also `422`
    naming `cron` when the series would fire more often than `CHIME_MIN_SERIES_INTERVAL` (default 60 s)
    allows. `429` `limit_exceeded` when the tenant holds `CHIME_MAX_ACTIVE_SERIES` active series or
    `CHIME_MAX_PENDING_NOTIFICATIONS` pending notifications already.

    Args:
        idempotency_key (str | Unset):
        body (NotificationCreate): Give `send_at`, or `target_date` with an optional `lead_time`
            (`send_at = target_date - lead_time`), or a `cron` expression for a recurring series.
            Unknown fields are a `400`. Address it either with `channel` + `recipient` (an address),
            or with `recipient_id` + `category` (a stored recipient): the channel is then the first of
            `channels` (or `channel`; by default the recipient's `preferred_channel`, then email, sms,
            webhook) for which the recipient has an address and allows the category. An unknown
            recipient, or a category with no allowed channel, is a `422` naming `recipient_id`,
            `category` or `channels`. The preferences are read again when the send is claimed: an opt-
            out after scheduling ends it `suppressed`; a send due inside the recipient's quiet hours
            is held until they end unless `urgent`. Example: {'body': 'Hi {{name}}, your card ends on
            {{target_date}}.', 'channel': 'email', 'data': {'name': 'Ada'}, 'group_key':
            'invoice-123', 'idempotency_key': 'inv-123-reminder-1', 'lead_time': 'P3D',
            'max_attempts': 5, 'recipient': 'ada@example.com', 'subject': 'Your card expires soon',
            'target_date': '2026-12-01T09:00:00Z', 'timezone': 'Europe/Berlin'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Notification
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: NotificationCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | Notification]:
    """Create a notification

     `422` when the send time is after the expiry, the notification has already expired, the timezone or
    cron expression is invalid, or a webhook URL resolves to a private address. With `cron`, also `422`
    naming `cron` when the series would fire more often than `CHIME_MIN_SERIES_INTERVAL` (default 60 s)
    allows. `429` `limit_exceeded` when the tenant holds `CHIME_MAX_ACTIVE_SERIES` active series or
    `CHIME_MAX_PENDING_NOTIFICATIONS` pending notifications already.

    Args:
        idempotency_key (str | Unset):
        body (NotificationCreate): Give `send_at`, or `target_date` with an optional `lead_time`
            (`send_at = target_date - lead_time`), or a `cron` expression for a recurring series.
            Unknown fields are a `400`. Address it either with `channel` + `recipient` (an address),
            or with `recipient_id` + `category` (a stored recipient): the channel is then the first of
            `channels` (or `channel`; by default the recipient's `preferred_channel`, then email, sms,
            webhook) for which the recipient has an address and allows the category. An unknown
            recipient, or a category with no allowed channel, is a `422` naming `recipient_id`,
            `category` or `channels`. The preferences are read again when the send is claimed: an opt-
            out after scheduling ends it `suppressed`; a send due inside the recipient's quiet hours
            is held until they end unless `urgent`. Example: {'body': 'Hi {{name}}, your card ends on
            {{target_date}}.', 'channel': 'email', 'data': {'name': 'Ada'}, 'group_key':
            'invoice-123', 'idempotency_key': 'inv-123-reminder-1', 'lead_time': 'P3D',
            'max_attempts': 5, 'recipient': 'ada@example.com', 'subject': 'Your card expires soon',
            'target_date': '2026-12-01T09:00:00Z', 'timezone': 'Europe/Berlin'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Notification]
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
    body: NotificationCreate,
    idempotency_key: str | Unset = UNSET,
) -> Error | Notification | None:
    """Create a notification

     `422` when the send time is after the expiry, the notification has already expired, the timezone or
    cron expression is invalid, or a webhook URL resolves to a private address. With `cron`, also `422`
    naming `cron` when the series would fire more often than `CHIME_MIN_SERIES_INTERVAL` (default 60 s)
    allows. `429` `limit_exceeded` when the tenant holds `CHIME_MAX_ACTIVE_SERIES` active series or
    `CHIME_MAX_PENDING_NOTIFICATIONS` pending notifications already.

    Args:
        idempotency_key (str | Unset):
        body (NotificationCreate): Give `send_at`, or `target_date` with an optional `lead_time`
            (`send_at = target_date - lead_time`), or a `cron` expression for a recurring series.
            Unknown fields are a `400`. Address it either with `channel` + `recipient` (an address),
            or with `recipient_id` + `category` (a stored recipient): the channel is then the first of
            `channels` (or `channel`; by default the recipient's `preferred_channel`, then email, sms,
            webhook) for which the recipient has an address and allows the category. An unknown
            recipient, or a category with no allowed channel, is a `422` naming `recipient_id`,
            `category` or `channels`. The preferences are read again when the send is claimed: an opt-
            out after scheduling ends it `suppressed`; a send due inside the recipient's quiet hours
            is held until they end unless `urgent`. Example: {'body': 'Hi {{name}}, your card ends on
            {{target_date}}.', 'channel': 'email', 'data': {'name': 'Ada'}, 'group_key':
            'invoice-123', 'idempotency_key': 'inv-123-reminder-1', 'lead_time': 'P3D',
            'max_attempts': 5, 'recipient': 'ada@example.com', 'subject': 'Your card expires soon',
            'target_date': '2026-12-01T09:00:00Z', 'timezone': 'Europe/Berlin'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Notification
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
