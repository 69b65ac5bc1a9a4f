from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.tenant import Tenant
from ...models.webhook_secret_rotation import WebhookSecretRotation
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: WebhookSecretRotation | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/tenant/webhook-secret/rotate",
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Tenant:
    if response.status_code == 200:
        response_200 = Tenant.from_dict(response.json())

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
) -> Response[Error | Tenant]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookSecretRotation | Unset = UNSET,
) -> Response[Error | Tenant]:
    """Rotate the webhook secret

     Makes a new secret. The previous one keeps signing for `grace_period` (default 24 hours): meanwhile
    `webhook-signature` carries a `v1,` signature by each, so receivers verifying with either accept
    deliveries. A secret still in its grace period when rotating again stops signing.

    Requires the `admin` role.

    Args:
        body (WebhookSecretRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Tenant]
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
    body: WebhookSecretRotation | Unset = UNSET,
) -> Error | Tenant | None:
    """Rotate the webhook secret

     Makes a new secret. The previous one keeps signing for `grace_period` (default 24 hours): meanwhile
    `webhook-signature` carries a `v1,` signature by each, so receivers verifying with either accept
    deliveries. A secret still in its grace period when rotating again stops signing.

    Requires the `admin` role.

    Args:
        body (WebhookSecretRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Tenant
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookSecretRotation | Unset = UNSET,
) -> Response[Error | Tenant]:
    """Rotate the webhook secret

     Makes a new secret. The previous one keeps signing for `grace_period` (default 24 hours): meanwhile
    `webhook-signature` carries a `v1,` signature by each, so receivers verifying with either accept
    deliveries. A secret still in its grace period when rotating again stops signing.

    Requires the `admin` role.

    Args:
        body (WebhookSecretRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Tenant]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: WebhookSecretRotation | Unset = UNSET,
) -> Error | Tenant | None:
    """Rotate the webhook secret

     Makes a new secret. The previous one keeps signing for `grace_period` (default 24 hours): meanwhile
    `webhook-signature` carries a `v1,` signature by each, so receivers verifying with either accept
    deliveries. A secret still in its grace period when rotating again stops signing.

    Requires the `admin` role.

    Args:
        body (WebhookSecretRotation | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Tenant
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
