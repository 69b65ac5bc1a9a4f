"""The job every Python peer runs: record (id, the time it ran) in the peer's private Redis."""

import os
import time

import redis

_conn = None


def record(jid):
    at = time.time()
    global _conn
    if _conn is None:
        _conn = redis.Redis.from_url(os.environ["PEER_REDIS_URL"])
    _conn.rpush("bench:arrivals", f"{jid} {at}")
