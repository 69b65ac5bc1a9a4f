from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.login_request import LoginRequest
from ...models.login_response import LoginResponse
from ...types import Response


def _get_kwargs(
    *,
    body: LoginRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/login",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | LoginResponse:
    if response.status_code == 200:
        response_200 = LoginResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

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
) -> Response[Error | LoginResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LoginRequest,
) -> Response[Error | LoginResponse]:
    """Log in

     `tenant` names the tenant by id or name; without it, the default tenant. `401` for a wrong tenant,
    e-mail or password, or a disabled user (one message for all). `429` with `Retry-After` after
    `CHIME_LOGIN_MAX_FAILURES` failures for the account or `CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS` from
    the client address within `CHIME_LOGIN_WINDOW` (counted in Redis, shared by every replica), or while
    too many logins wait for a password-hashing slot. `404` when the server has no `CHIME_JWT_SECRET`
    (login disabled).

    Args:
        body (LoginRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LoginResponse]
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
    body: LoginRequest,
) -> Error | LoginResponse | None:
    """Log in

     `tenant` names the tenant by id or name; without it, the default tenant. `401` for a wrong tenant,
    e-mail or password, or a disabled user (one message for all). `429` with `Retry-After` after
    `CHIME_LOGIN_MAX_FAILURES` failures for the account or `CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS` from
    the client address within `CHIME_LOGIN_WINDOW` (counted in Redis, shared by every replica), or while
    too many logins wait for a password-hashing slot. `404` when the server has no `CHIME_JWT_SECRET`
    (login disabled).

    Args:
        body (LoginRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LoginResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LoginRequest,
) -> Response[Error | LoginResponse]:
    """Log in

     `tenant` names the tenant by id or name; without it, the default tenant. `401` for a wrong tenant,
    e-mail or password, or a disabled user (one message for all). `429` with `Retry-After` after
    `CHIME_LOGIN_MAX_FAILURES` failures for the account or `CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS` from
    the client address within `CHIME_LOGIN_WINDOW` (counted in Redis, shared by every replica), or while
    too many logins wait for a password-hashing slot. `404` when the server has no `CHIME_JWT_SECRET`
    (login disabled).

    Args:
        body (LoginRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | LoginResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: LoginRequest,
) -> Error | LoginResponse | None:
    """Log in

     `tenant` names the tenant by id or name; without it, the default tenant. `401` for a wrong tenant,
    e-mail or password, or a disabled user (one message for all). `429` with `Retry-After` after
    `CHIME_LOGIN_MAX_FAILURES` failures for the account or `CHIME_LOGIN_MAX_FAILURES_PER_ADDRESS` from
    the client address within `CHIME_LOGIN_WINDOW` (counted in Redis, shared by every replica), or while
    too many logins wait for a password-hashing slot. `404` when the server has no `CHIME_JWT_SECRET`
    (login disabled).

    Args:
        body (LoginRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | LoginResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
