"""What the Python peers share: a private redis-server on a free port, Redis memory, and the
statistics chime-bench reports (nearest-rank percentiles, lost / twice / early)."""

import json
import os
import socket
import subprocess
import sys
import time

import redis


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the benchmark's own, without persistence; never the shared one."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.time() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                break
            except redis.ConnectionError:
                if time.time() > deadline:
                    raise
                time.sleep(0.02)

    def client(self):
        return redis.Redis(port=self.port)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def used_memory(r):
    """used_memory once two readings a second apart agree within 1 KiB."""
    last = r.info("memory")["used_memory"]
    for _ in range(10):
        time.sleep(1)
        now = r.info("memory")["used_memory"]
        if abs(now - last) < 1024:
            return now
        last = now
    return last


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    i = round(p / 100 * (len(sorted_values) - 1))
    return sorted_values[min(i, len(sorted_values) - 1)]


def delivery_stats(due, arrivals):
    """due: {id: due epoch s}; arrivals: [(id, epoch s)] as the jobs ran."""
    seen = {}
    lags = []
    early = 0
    for jid, at in arrivals:
        seen[jid] = seen.get(jid, 0) + 1
        if jid in due:
            lag = (at - due[jid]) * 1000.0
            early += lag < 0
            lags.append(lag)
    lags.sort()
    delivered = sum(1 for jid in due if jid in seen)
    r1 = lambda x: None if x is None else round(x, 1)
    return {
        "delivered": delivered,
        "lost": len(due) - delivered,
        "duplicates": sum(1 for c in seen.values() if c > 1),
        "early": early,
        "lag_p50_ms": r1(percentile(lags, 50)),
        "lag_p99_ms": r1(percentile(lags, 99)),
        "lag_max_ms": r1(lags[-1] if lags else None),
    }


def wait_for(count, n, window_end):
    """Waits until count() >= n; after window_end, gives up once nothing more came for 20 s."""
    last = (-1, time.time())
    while True:
        got = count()
        if got >= n:
            return got
        if got != last[0]:
            last = (got, time.time())
        now = time.time()
        if now > window_end and (now - last[1] > 20 or now > window_end + 120):
            return got
        time.sleep(0.1)


def load_average():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def emit(result):
    result["load_average"] = load_average()
    print(json.dumps(result))
    sys.stdout.flush()


def log(*args):
    print(*args, file=sys.stderr)
    sys.stderr.flush()


def here():
    return os.path.dirname(os.path.abspath(__file__))
