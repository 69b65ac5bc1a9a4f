from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.rule import Rule
from ...models.rule_input import RuleInput
from ...types import Response


def _get_kwargs(
    *,
    body: RuleInput,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/rules",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Rule:
    if response.status_code == 201:
        response_201 = Rule.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

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
) -> Response[Error | Rule]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RuleInput,
) -> Response[Error | Rule]:
    """Create a rule

     One rule per event type; `409` when the type already has one.

    Requires the `admin` role.

    Args:
        body (RuleInput): Either an address (`channel` + `recipient_path`) or a stored recipient
            (`recipient_id_path` + `category`, with an optional `channel`: without one, the
            recipient's preferences choose it per event). Unknown fields are a `400`. Example:
            {'body': 'Hi {{name}}', 'channel': 'email', 'event_type': 'card.expiring', 'lead_times':
            ['P7D', 'P1D'], 'recipient_path': '/email', 'subject': 'Your card expires soon',
            'target_date_path': '/target_date', 'timezone_path': '/tz'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Rule]
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
    body: RuleInput,
) -> Error | Rule | None:
    """Create a rule

     One rule per event type; `409` when the type already has one.

    Requires the `admin` role.

    Args:
        body (RuleInput): Either an address (`channel` + `recipient_path`) or a stored recipient
            (`recipient_id_path` + `category`, with an optional `channel`: without one, the
            recipient's preferences choose it per event). Unknown fields are a `400`. Example:
            {'body': 'Hi {{name}}', 'channel': 'email', 'event_type': 'card.expiring', 'lead_times':
            ['P7D', 'P1D'], 'recipient_path': '/email', 'subject': 'Your card expires soon',
            'target_date_path': '/target_date', 'timezone_path': '/tz'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Rule
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: RuleInput,
) -> Response[Error | Rule]:
    """Create a rule

     One rule per event type; `409` when the type already has one.

    Requires the `admin` role.

    Args:
        body (RuleInput): Either an address (`channel` + `recipient_path`) or a stored recipient
            (`recipient_id_path` + `category`, with an optional `channel`: without one, the
            recipient's preferences choose it per event). Unknown fields are a `400`. Example:
            {'body': 'Hi {{name}}', 'channel': 'email', 'event_type': 'card.expiring', 'lead_times':
            ['P7D', 'P1D'], 'recipient_path': '/email', 'subject': 'Your card expires soon',
            'target_date_path': '/target_date', 'timezone_path': '/tz'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Rule]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: RuleInput,
) -> Error | Rule | None:
    """Create a rule

     One rule per event type; `409` when the type already has one.

    Requires the `admin` role.

    Args:
        body (RuleInput): Either an address (`channel` + `recipient_path`) or a stored recipient
            (`recipient_id_path` + `category`, with an optional `channel`: without one, the
            recipient's preferences choose it per event). Unknown fields are a `400`. Example:
            {'body': 'Hi {{name}}', 'channel': 'email', 'event_type': 'card.expiring', 'lead_times':
            ['P7D', 'P1D'], 'recipient_path': '/email', 'subject': 'Your card expires soon',
            'target_date_path': '/target_date', 'timezone_path': '/tz'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Rule
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
