from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.cron_preview import CronPreview
from ...models.cron_preview_request import CronPreviewRequest
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: CronPreviewRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/cron/preview",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CronPreview | Error:
    if response.status_code == 200:
        response_200 = CronPreview.from_dict(response.json())

        return response_200

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
) -> Response[CronPreview | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CronPreviewRequest,
) -> Response[CronPreview | Error]:
    """Preview cron fire times

     An invalid cron expression or timezone is a `422` naming the field. `422` naming `cron` when the
    expression fires more often than `CHIME_MIN_SERIES_INTERVAL` allows, as a series create would.

    Args:
        body (CronPreviewRequest):  Example: {'after': '2027-03-13T00:00:00Z', 'count': 5, 'cron':
            '30 2 * * *', 'timezone': 'America/New_York'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CronPreview | Error]
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
    body: CronPreviewRequest,
) -> CronPreview | Error | None:
    """Preview cron fire times

     An invalid cron expression or timezone is a `422` naming the field. `422` naming `cron` when the
    expression fires more often than `CHIME_MIN_SERIES_INTERVAL` allows, as a series create would.

    Args:
        body (CronPreviewRequest):  Example: {'after': '2027-03-13T00:00:00Z', 'count': 5, 'cron':
            '30 2 * * *', 'timezone': 'America/New_York'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CronPreview | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CronPreviewRequest,
) -> Response[CronPreview | Error]:
    """Preview cron fire times

     An invalid cron expression or timezone is a `422` naming the field. `422` naming `cron` when the
    expression fires more often than `CHIME_MIN_SERIES_INTERVAL` allows, as a series create would.

    Args:
        body (CronPreviewRequest):  Example: {'after': '2027-03-13T00:00:00Z', 'count': 5, 'cron':
            '30 2 * * *', 'timezone': 'America/New_York'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CronPreview | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CronPreviewRequest,
) -> CronPreview | Error | None:
    """Preview cron fire times

     An invalid cron expression or timezone is a `422` naming the field. `422` naming `cron` when the
    expression fires more often than `CHIME_MIN_SERIES_INTERVAL` allows, as a series create would.

    Args:
        body (CronPreviewRequest):  Example: {'after': '2027-03-13T00:00:00Z', 'count': 5, 'cron':
            '30 2 * * *', 'timezone': 'America/New_York'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CronPreview | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
