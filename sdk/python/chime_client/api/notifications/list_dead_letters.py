import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.list_dead_letters_channel import ListDeadLettersChannel
from ...models.list_dead_letters_sort import ListDeadLettersSort
from ...models.notification_page import NotificationPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    channel: ListDeadLettersChannel | Unset = UNSET,
    group_key: str | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    recipient: str | Unset = UNSET,
    recipient_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    series_id: UUID | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    sort: ListDeadLettersSort | Unset = ListDeadLettersSort.CREATED_AT,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_channel: str | Unset = UNSET
    if not isinstance(channel, Unset):
        json_channel = channel.value

    params["channel"] = json_channel

    params["group_key"] = group_key

    json_event_id: str | Unset = UNSET
    if not isinstance(event_id, Unset):
        json_event_id = str(event_id)
    params["event_id"] = json_event_id

    params["recipient"] = recipient

    params["recipient_id"] = recipient_id

    params["idempotency_key"] = idempotency_key

    json_series_id: str | Unset = UNSET
    if not isinstance(series_id, Unset):
        json_series_id = str(series_id)
    params["series_id"] = json_series_id

    json_due_after: str | Unset = UNSET
    if not isinstance(due_after, Unset):
        json_due_after = due_after.isoformat()
    params["due_after"] = json_due_after

    json_due_before: str | Unset = UNSET
    if not isinstance(due_before, Unset):
        json_due_before = due_before.isoformat()
    params["due_before"] = json_due_before

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/dead-letters",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | NotificationPage:
    if response.status_code == 200:
        response_200 = NotificationPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

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
) -> Response[Error | NotificationPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    channel: ListDeadLettersChannel | Unset = UNSET,
    group_key: str | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    recipient: str | Unset = UNSET,
    recipient_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    series_id: UUID | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    sort: ListDeadLettersSort | Unset = ListDeadLettersSort.CREATED_AT,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
) -> Response[Error | NotificationPage]:
    """List dead notifications

     Requires the `admin` role.

    Args:
        channel (ListDeadLettersChannel | Unset):
        group_key (str | Unset):
        event_id (UUID | Unset):
        recipient (str | Unset):
        recipient_id (str | Unset):
        idempotency_key (str | Unset):
        series_id (UUID | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        sort (ListDeadLettersSort | Unset):  Default: ListDeadLettersSort.CREATED_AT.
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | NotificationPage]
    """

    kwargs = _get_kwargs(
        channel=channel,
        group_key=group_key,
        event_id=event_id,
        recipient=recipient,
        recipient_id=recipient_id,
        idempotency_key=idempotency_key,
        series_id=series_id,
        due_after=due_after,
        due_before=due_before,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    channel: ListDeadLettersChannel | Unset = UNSET,
    group_key: str | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    recipient: str | Unset = UNSET,
    recipient_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    series_id: UUID | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    sort: ListDeadLettersSort | Unset = ListDeadLettersSort.CREATED_AT,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
) -> Error | NotificationPage | None:
    """List dead notifications

     Requires the `admin` role.

    Args:
        channel (ListDeadLettersChannel | Unset):
        group_key (str | Unset):
        event_id (UUID | Unset):
        recipient (str | Unset):
        recipient_id (str | Unset):
        idempotency_key (str | Unset):
        series_id (UUID | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        sort (ListDeadLettersSort | Unset):  Default: ListDeadLettersSort.CREATED_AT.
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | NotificationPage
    """

    return sync_detailed(
        client=client,
        channel=channel,
        group_key=group_key,
        event_id=event_id,
        recipient=recipient,
        recipient_id=recipient_id,
        idempotency_key=idempotency_key,
        series_id=series_id,
        due_after=due_after,
        due_before=due_before,
        sort=sort,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    channel: ListDeadLettersChannel | Unset = UNSET,
    group_key: str | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    recipient: str | Unset = UNSET,
    recipient_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    series_id: UUID | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    sort: ListDeadLettersSort | Unset = ListDeadLettersSort.CREATED_AT,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
) -> Response[Error | NotificationPage]:
    """List dead notifications

     Requires the `admin` role.

    Args:
        channel (ListDeadLettersChannel | Unset):
        group_key (str | Unset):
        event_id (UUID | Unset):
        recipient (str | Unset):
        recipient_id (str | Unset):
        idempotency_key (str | Unset):
        series_id (UUID | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        sort (ListDeadLettersSort | Unset):  Default: ListDeadLettersSort.CREATED_AT.
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | NotificationPage]
    """

    kwargs = _get_kwargs(
        channel=channel,
        group_key=group_key,
        event_id=event_id,
        recipient=recipient,
        recipient_id=recipient_id,
        idempotency_key=idempotency_key,
        series_id=series_id,
        due_after=due_after,
        due_before=due_before,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    channel: ListDeadLettersChannel | Unset = UNSET,
    group_key: str | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    recipient: str | Unset = UNSET,
    recipient_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
    series_id: UUID | Unset = UNSET,
    due_after: datetime.datetime | Unset = UNSET,
    due_before: datetime.datetime | Unset = UNSET,
    sort: ListDeadLettersSort | Unset = ListDeadLettersSort.CREATED_AT,
    limit: int | Unset = 50,
    cursor: str | Unset = UNSET,
) -> Error | NotificationPage | None:
    """List dead notifications

     Requires the `admin` role.

    Args:
        channel (ListDeadLettersChannel | Unset):
        group_key (str | Unset):
        event_id (UUID | Unset):
        recipient (str | Unset):
        recipient_id (str | Unset):
        idempotency_key (str | Unset):
        series_id (UUID | Unset):
        due_after (datetime.datetime | Unset):
        due_before (datetime.datetime | Unset):
        sort (ListDeadLettersSort | Unset):  Default: ListDeadLettersSort.CREATED_AT.
        limit (int | Unset):  Default: 50.
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | NotificationPage
    """

    return (
        await asyncio_detailed(
            client=client,
            channel=channel,
            group_key=group_key,
            event_id=event_id,
            recipient=recipient,
            recipient_id=recipient_id,
            idempotency_key=idempotency_key,
            series_id=series_id,
            due_after=due_after,
            due_before=due_before,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
