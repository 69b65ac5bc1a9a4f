from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.recipient import Recipient
from ...models.recipient_input import RecipientInput
from ...types import Response


def _get_kwargs(
    id: str,
    *,
    body: RecipientInput,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/recipients/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Recipient:
    if response.status_code == 200:
        response_200 = Recipient.from_dict(response.json())

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
) -> Response[Error | Recipient]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RecipientInput,
) -> Response[Error | Recipient]:
    """Change some fields of a recipient

     Only the fields given change (`null` clears one); `preferences` and `quiet_hours` are replaced
    whole.

    Args:
        id (str):
        body (RecipientInput): Every field of a recipient; `PUT` clears what is left out. A field
            that does not parse is a `422` naming it (`preferences.billing.fax`, `quiet_hours.start`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Recipient]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RecipientInput,
) -> Error | Recipient | None:
    """Change some fields of a recipient

     Only the fields given change (`null` clears one); `preferences` and `quiet_hours` are replaced
    whole.

    Args:
        id (str):
        body (RecipientInput): Every field of a recipient; `PUT` clears what is left out. A field
            that does not parse is a `422` naming it (`preferences.billing.fax`, `quiet_hours.start`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Recipient
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RecipientInput,
) -> Response[Error | Recipient]:
    """Change some fields of a recipient

     Only the fields given change (`null` clears one); `preferences` and `quiet_hours` are replaced
    whole.

    Args:
        id (str):
        body (RecipientInput): Every field of a recipient; `PUT` clears what is left out. A field
            that does not parse is a `422` naming it (`preferences.billing.fax`, `quiet_hours.start`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Recipient]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: RecipientInput,
) -> Error | Recipient | None:
    """Change some fields of a recipient

     Only the fields given change (`null` clears one); `preferences` and `quiet_hours` are replaced
    whole.

    Args:
        id (str):
        body (RecipientInput): Every field of a recipient; `PUT` clears what is left out. A field
            that does not parse is a `422` naming it (`preferences.billing.fax`, `quiet_hours.start`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Recipient
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
