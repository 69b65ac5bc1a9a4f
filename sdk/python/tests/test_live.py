"""The generated client against a live Chime (see conftest.py for the environment)."""

import base64
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from chime_client import AuthenticatedClient
from chime_client.api.notifications import (
    cancel_notification,
    create_notification,
    get_notification,
    list_notifications,
)
from chime_client.api.tenant import get_tenant
from chime_client.models import (
    Error,
    ListNotificationsStatus,
    Notification,
    NotificationCreate,
    NotificationCreateChannel,
    NotificationPage,
    NotificationStatus,
    Tenant,
)
from chime_client.models.notification_create_data_type_0 import NotificationCreateDataType0

from conftest import Receiver

# The server side counts these to see that this suite ran against it.
GROUP = "sdk-python"
DEADLINE_S = 60.0

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None]) -> T:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {DEADLINE_S:.0f} s waiting for {what}")
        time.sleep(0.1)


def ok(response, status: int, model: type[T]) -> T:
    """The parsed body of a response that must have this status."""
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def get(client: AuthenticatedClient, notification_id) -> Notification:
    return ok(get_notification.sync_detailed(client=client, id=notification_id), 200, Notification)


def test_create_list_cancel(client: AuthenticatedClient) -> None:
    send_at = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    created = ok(
        create_notification.sync_detailed(
            client=client,
            body=NotificationCreate(
                channel=NotificationCreateChannel.EMAIL,
                recipient="ada@example.com",
                subject="Your card expires soon",
                body="Hi {{name}}",
                data=NotificationCreateDataType0.from_dict({"name": "Ada"}),
                send_at=send_at,
                group_key=GROUP,
            ),
        ),
        201,
        Notification,
    )
    # Every field of the response is in the document (the model keeps unknown ones aside).
    assert created.additional_properties == {}
    assert created.status == NotificationStatus.SCHEDULED
    assert created.send_at == send_at
    assert created.data.to_dict() == {"name": "Ada"}

    page = ok(
        list_notifications.sync_detailed(
            client=client, group_key=GROUP, status=ListNotificationsStatus.SCHEDULED, limit=500
        ),
        200,
        NotificationPage,
    )
    assert created.id in [n.id for n in page.items]

    cancelled = ok(cancel_notification.sync_detailed(client=client, id=created.id), 200, Notification)
    assert cancelled.status == NotificationStatus.CANCELLED
    assert cancelled.cancelled_at is not None
    assert get(client, created.id).status == NotificationStatus.CANCELLED


def test_an_invalid_request_is_an_error_naming_the_field(client: AuthenticatedClient) -> None:
    response = create_notification.sync_detailed(
        client=client,
        body=NotificationCreate(
            channel=NotificationCreateChannel.EMAIL,
            recipient="ada@example.com",
            body="Hi",
            target_date=datetime.now(timezone.utc) + timedelta(days=1),
            lead_time="three days",
        ),
    )
    error = ok(response, 422, Error)
    assert error.error.field == "lead_time"
    assert error.error.code == "validation_failed"


def test_webhook_due_now_arrives_signed(client: AuthenticatedClient, receiver: Receiver) -> None:
    tenant = ok(get_tenant.sync_detailed(client=client), 200, Tenant)
    assert tenant.webhook_secret.startswith("whsec_")

    created = ok(
        create_notification.sync_detailed(
            client=client,
            body=NotificationCreate(
                channel=NotificationCreateChannel.WEBHOOK,
                recipient=f"{receiver.url}/hooks/chime",
                body="Hi {{name}}",
                data=NotificationCreateDataType0.from_dict({"name": "Ada", "order": 42}),
                send_at=datetime.now(timezone.utc),
                group_key=GROUP,
            ),
        ),
        201,
        Notification,
    )

    assert receiver.arrived.wait(DEADLINE_S), f"no webhook within {DEADLINE_S:.0f} s"
    delivery = receiver.deliveries[0]
    assert delivery.path == "/hooks/chime"

    payload = Webhook(tenant.webhook_secret).verify(delivery.body, delivery.headers)
    assert delivery.headers["webhook-id"] == str(created.id)
    assert payload == {
        "id": str(created.id),
        "type": "notification",
        "timestamp": payload["timestamp"],
        "data": {"name": "Ada", "order": 42, "body": "Hi Ada"},
    }
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 300

    # The verification is not vacuous: another secret or another body is refused.
    other = "whsec_" + base64.b64encode(b"not the tenant's secret, 32 byte").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(delivery.body, delivery.headers)
    tampered = json.dumps({**json.loads(delivery.body), "type": "forged"})
    with pytest.raises(WebhookVerificationError):
        Webhook(tenant.webhook_secret).verify(tampered, delivery.headers)

    sent = wait_for(
        "the notification to be sent",
        lambda: n if (n := get(client, created.id)).status == NotificationStatus.SENT else None,
    )
    assert sent.sent_at is not None
