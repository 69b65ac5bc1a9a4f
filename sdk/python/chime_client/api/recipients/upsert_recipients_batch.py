from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.recipient_batch import RecipientBatch
from ...models.recipient_batch_result import RecipientBatchResult
from ...types import Response


def _get_kwargs(
    *,
    body: RecipientBatch,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/recipients/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | RecipientBatchResult:
    if response.status_code == 200:
        response_200 = RecipientBatchResult.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = RecipientBatchResult.from_dict(response.json())

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
) -> Response[Error | RecipientBatchResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RecipientBatch,
) -> Response[Error | RecipientBatchResult]:
    """Create or replace up to 1,000 recipients at once

     Each item replaces its recipient as `PUT` does. Any bad item (or an id repeated in the batch) is a
    `422` whose `error.items` lists each bad item's index and field, and nothing is written; otherwise
    all are written in one transaction.

    Args:
        body (RecipientBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RecipientBatchResult]
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
    body: RecipientBatch,
) -> Error | RecipientBatchResult | None:
    """Create or replace up to 1,000 recipients at once

     Each item replaces its recipient as `PUT` does. Any bad item (or an id repeated in the batch) is a
    `422` whose `error.items` lists each bad item's index and field, and nothing is written; otherwise
    all are written in one transaction.

    Args:
        body (RecipientBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RecipientBatchResult
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RecipientBatch,
) -> Response[Error | RecipientBatchResult]:
    """Create or replace up to 1,000 recipients at once

     Each item replaces its recipient as `PUT` does. Any bad item (or an id repeated in the batch) is a
    `422` whose `error.items` lists each bad item's index and field, and nothing is written; otherwise
    all are written in one transaction.

    Args:
        body (RecipientBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RecipientBatchResult]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RecipientBatch,
) -> Error | RecipientBatchResult | None:
    """Create or replace up to 1,000 recipients at once

     Each item replaces its recipient as `PUT` does. Any bad item (or an id repeated in the batch) is a
    `422` whose `error.items` lists each bad item's index and field, and nothing is written; otherwise
    all are written in one transaction.

    Args:
        body (RecipientBatch):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RecipientBatchResult
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
