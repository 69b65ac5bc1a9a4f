from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.register_request import RegisterRequest
from ...models.registered import Registered
from ...types import Response


def _get_kwargs(
    *,
    body: RegisterRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/register",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Registered:
    if response.status_code == 201:
        response_201 = Registered.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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
) -> Response[Error | Registered]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterRequest,
) -> Response[Error | Registered]:
    """Sign up: a new tenant with its first admin

     Only when the server has `CHIME_ALLOW_SIGNUP=true`; otherwise `404`. Creates the tenant, an admin
    user and an admin API key. Every attempt counts against the client address like a failed login
    (`429` with `Retry-After`). `409` when the tenant name is taken.

    Args:
        body (RegisterRequest):  Example: {'email': 'founder@acme.example', 'password': 'correct
            horse battery', 'tenant': 'acme'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Registered]
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
    body: RegisterRequest,
) -> Error | Registered | None:
    """Sign up: a new tenant with its first admin

     Only when the server has `CHIME_ALLOW_SIGNUP=true`; otherwise `404`. Creates the tenant, an admin
    user and an admin API key. Every attempt counts against the client address like a failed login
    (`429` with `Retry-After`). `409` when the tenant name is taken.

    Args:
        body (RegisterRequest):  Example: {'email': 'founder@acme.example', 'password': 'correct
            horse battery', 'tenant': 'acme'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Registered
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterRequest,
) -> Response[Error | Registered]:
    """Sign up: a new tenant with its first admin

     Only when the server has `CHIME_ALLOW_SIGNUP=true`; otherwise `404`. Creates the tenant, an admin
    user and an admin API key. Every attempt counts against the client address like a failed login
    (`429` with `Retry-After`). `409` when the tenant name is taken.

    Args:
        body (RegisterRequest):  Example: {'email': 'founder@acme.example', 'password': 'correct
            horse battery', 'tenant': 'acme'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Registered]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RegisterRequest,
) -> Error | Registered | None:
    """Sign up: a new tenant with its first admin

     Only when the server has `CHIME_ALLOW_SIGNUP=true`; otherwise `404`. Creates the tenant, an admin
    user and an admin API key. Every attempt counts against the client address like a failed login
    (`429` with `Retry-After`). `409` when the tenant name is taken.

    Args:
        body (RegisterRequest):  Example: {'email': 'founder@acme.example', 'password': 'correct
            horse battery', 'tenant': 'acme'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Registered
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
