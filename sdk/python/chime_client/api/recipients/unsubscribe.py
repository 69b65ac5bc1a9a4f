from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.unsubscribed import Unsubscribed
from ...types import Response


def _get_kwargs(
    token: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/unsubscribe/{token}".format(
            token=quote(str(token), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Unsubscribed:
    if response.status_code == 200:
        response_200 = Unsubscribed.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    response_default = Error.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | Unsubscribed]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    token: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Error | Unsubscribed]:
    """One-click unsubscribe (RFC 8058)

     No authentication: the token is signed (HMAC-SHA256 under `CHIME_UNSUBSCRIBE_SECRET`) for one
    recipient, category and channel, and checked in constant time. Records the opt-out; idempotent. A
    tampered token is a `400` and changes nothing; without `CHIME_PUBLIC_URL` links are off (`404`).
    Mail clients post `List-Unsubscribe=One-Click` as a form; the body is not read.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Unsubscribed]
    """

    kwargs = _get_kwargs(
        token=token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    token: str,
    *,
    client: AuthenticatedClient | Client,
) -> Error | Unsubscribed | None:
    """One-click unsubscribe (RFC 8058)

     No authentication: the token is signed (HMAC-SHA256 under `CHIME_UNSUBSCRIBE_SECRET`) for one
    recipient, category and channel, and checked in constant time. Records the opt-out; idempotent. A
    tampered token is a `400` and changes nothing; without `CHIME_PUBLIC_URL` links are off (`404`).
    Mail clients post `List-Unsubscribe=One-Click` as a form; the body is not read.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Unsubscribed
    """

    return sync_detailed(
        token=token,
        client=client,
    ).parsed


async def asyncio_detailed(
    token: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Error | Unsubscribed]:
    """One-click unsubscribe (RFC 8058)

     No authentication: the token is signed (HMAC-SHA256 under `CHIME_UNSUBSCRIBE_SECRET`) for one
    recipient, category and channel, and checked in constant time. Records the opt-out; idempotent. A
    tampered token is a `400` and changes nothing; without `CHIME_PUBLIC_URL` links are off (`404`).
    Mail clients post `List-Unsubscribe=One-Click` as a form; the body is not read.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Unsubscribed]
    """

    kwargs = _get_kwargs(
        token=token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    token: str,
    *,
    client: AuthenticatedClient | Client,
) -> Error | Unsubscribed | None:
    """One-click unsubscribe (RFC 8058)

     No authentication: the token is signed (HMAC-SHA256 under `CHIME_UNSUBSCRIBE_SECRET`) for one
    recipient, category and channel, and checked in constant time. Records the opt-out; idempotent. A
    tampered token is a `400` and changes nothing; without `CHIME_PUBLIC_URL` links are off (`404`).
    Mail clients post `List-Unsubscribe=One-Click` as a form; the body is not read.

    Args:
        token (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Unsubscribed
    """

    return (
        await asyncio_detailed(
            token=token,
            client=client,
        )
    ).parsed
