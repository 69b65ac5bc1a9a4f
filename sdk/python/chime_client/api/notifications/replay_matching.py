from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.bulk_request import BulkRequest
from ...models.error import Error
from ...models.replay_matching_response_200 import ReplayMatchingResponse200
from ...types import Response


def _get_kwargs(
    *,
    body: BulkRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/dead-letters/replay",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | ReplayMatchingResponse200:
    if response.status_code == 200:
        response_200 = ReplayMatchingResponse200.from_dict(response.json())

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
) -> Response[Error | ReplayMatchingResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BulkRequest,
) -> Response[Error | ReplayMatchingResponse200]:
    """Replay every dead notification matching a filter

     Requires the `admin` role. Replays at most `limit` (≤ 1,000) matching dead notifications per call,
    oldest first; occurrences of a series that already has a pending one are `skipped`. Audited per
    notification and per call.

    Args:
        body (BulkRequest): The list's filters (a cancel needs at least one); `status`, if given,
            must be the one the action applies to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ReplayMatchingResponse200]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: BulkRequest,
) -> Error | ReplayMatchingResponse200 | None:
    """Replay every dead notification matching a filter

     Requires the `admin` role. Replays at most `limit` (≤ 1,000) matching dead notifications per call,
    oldest first; occurrences of a series that already has a pending one are `skipped`. Audited per
    notification and per call.

    Args:
        body (BulkRequest): The list's filters (a cancel needs at least one); `status`, if given,
            must be the one the action applies to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ReplayMatchingResponse200
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BulkRequest,
) -> Response[Error | ReplayMatchingResponse200]:
    """Replay every dead notification matching a filter

     Requires the `admin` role. Replays at most `limit` (≤ 1,000) matching dead notifications per call,
    oldest first; occurrences of a series that already has a pending one are `skipped`. Audited per
    notification and per call.

    Args:
        body (BulkRequest): The list's filters (a cancel needs at least one); `status`, if given,
            must be the one the action applies to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | ReplayMatchingResponse200]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BulkRequest,
) -> Error | ReplayMatchingResponse200 | None:
    """Replay every dead notification matching a filter

     Requires the `admin` role. Replays at most `limit` (≤ 1,000) matching dead notifications per call,
    oldest first; occurrences of a series that already has a pending one are `skipped`. Audited per
    notification and per call.

    Args:
        body (BulkRequest): The list's filters (a cancel needs at least one); `status`, if given,
            must be the one the action applies to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | ReplayMatchingResponse200
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
