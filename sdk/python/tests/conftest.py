"""Fixtures for running the SDK against a live Chime.

CHIME_URL (e.g. http://127.0.0.1:8080) and CHIME_API_KEY (an admin key: the webhook test reads
the tenant's signing secret) point at it. The webhook test runs its receiver on 127.0.0.1, so
that Chime must allow private webhook targets (CHIME_WEBHOOK_ALLOW_PRIVATE=true).
"""

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chime_client import AuthenticatedClient


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: point CHIME_URL and CHIME_API_KEY at a running Chime", pytrace=False)
    return value


@pytest.fixture(scope="session")
def client() -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(
        base_url=_required_env("CHIME_URL").rstrip("/"),
        token=_required_env("CHIME_API_KEY"),
        timeout=30.0,
        raise_on_unexpected_status=True,
    ) as c:
        yield c


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on a free port of 127.0.0.1 that records every POST and answers 204."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    recv = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            recv.deliveries.append(Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()
            recv.arrived.set()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recv
    finally:
        server.shutdown()
        server.server_close()
