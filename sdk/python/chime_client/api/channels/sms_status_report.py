from http import HTTPStatus
from typing import Any, cast

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.sms_status_report import SmsStatusReport
from ...types import Response


def _get_kwargs(
    *,
    body: SmsStatusReport,
    x_twilio_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-Twilio-Signature"] = x_twilio_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/channels/sms/status",
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    response_default = Error.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SmsStatusReport,
    x_twilio_signature: str,
) -> Response[Any | Error]:
    """SMS status report

     Twilio-style status callback for SMS sent through the provider (set `CHIME_SMS_STATUS_CALLBACK_URL`
    to have each message ask for one). Authenticated by `X-Twilio-Signature`: base64 HMAC-SHA1, keyed
    with `CHIME_SMS_AUTH_TOKEN`, over the callback URL followed by the sorted form parameters (names and
    values). A bad or missing signature is a `403`, an unknown `MessageSid` a `404`; neither changes
    anything.

    Args:
        x_twilio_signature (str):
        body (SmsStatusReport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        x_twilio_signature=x_twilio_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: SmsStatusReport,
    x_twilio_signature: str,
) -> Any | Error | None:
    """SMS status report

     Twilio-style status callback for SMS sent through the provider (set `CHIME_SMS_STATUS_CALLBACK_URL`
    to have each message ask for one). Authenticated by `X-Twilio-Signature`: base64 HMAC-SHA1, keyed
    with `CHIME_SMS_AUTH_TOKEN`, over the callback URL followed by the sorted form parameters (names and
    values). A bad or missing signature is a `403`, an unknown `MessageSid` a `404`; neither changes
    anything.

    Args:
        x_twilio_signature (str):
        body (SmsStatusReport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        client=client,
        body=body,
        x_twilio_signature=x_twilio_signature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SmsStatusReport,
    x_twilio_signature: str,
) -> Response[Any | Error]:
    """SMS status report

     Twilio-style status callback for SMS sent through the provider (set `CHIME_SMS_STATUS_CALLBACK_URL`
    to have each message ask for one). Authenticated by `X-Twilio-Signature`: base64 HMAC-SHA1, keyed
    with `CHIME_SMS_AUTH_TOKEN`, over the callback URL followed by the sorted form parameters (names and
    values). A bad or missing signature is a `403`, an unknown `MessageSid` a `404`; neither changes
    anything.

    Args:
        x_twilio_signature (str):
        body (SmsStatusReport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        x_twilio_signature=x_twilio_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SmsStatusReport,
    x_twilio_signature: str,
) -> Any | Error | None:
    """SMS status report

     Twilio-style status callback for SMS sent through the provider (set `CHIME_SMS_STATUS_CALLBACK_URL`
    to have each message ask for one). Authenticated by `X-Twilio-Signature`: base64 HMAC-SHA1, keyed
    with `CHIME_SMS_AUTH_TOKEN`, over the callback URL followed by the sorted form parameters (names and
    values). A bad or missing signature is a `403`, an unknown `MessageSid` a `404`; neither changes
    anything.

    Args:
        x_twilio_signature (str):
        body (SmsStatusReport):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_twilio_signature=x_twilio_signature,
        )
    ).parsed
