"""The Celery application of the Celery peer: Redis broker (the peer's private redis-server),
one task that records when it ran."""

import os

from celery import Celery

import jobs

app = Celery("chime_peer", broker=os.environ["PEER_REDIS_URL"])
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    # ETA tasks wait in the worker until due; Redis holds them as unacknowledged meanwhile.
    broker_transport_options={"visibility_timeout": 3600},
)


@app.task(name="record")
def record(jid):
    jobs.record(jid)
