"""Celery ETA tasks (Redis broker) on the workloads chime-bench runs: tasks/s scheduled with
apply_async(eta=…), Redis memory per delayed task, and N tasks due within a window (lag from
the ETA to the task running in a worker, p50/p99, lost/twice/early). Prints one JSON line.

usage: celery_peer.py [--deliver N] [--window S] [--ingest N] [--concurrency N]"""

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peerlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deliver", type=int, default=2000)
    ap.add_argument("--window", type=float, default=10)
    ap.add_argument("--ingest", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=4)
    a = ap.parse_args()
    red = peerlib.PrivateRedis()
    os.environ["PEER_REDIS_URL"] = red.url
    import celery  # noqa: E402
    from celery_app import record  # noqa: E402

    out = {"peer": "celery", "version": f"celery {celery.__version__} (Redis broker)",
           "workers": f"1 worker, prefork x {a.concurrency}"}
    env = dict(os.environ, PYTHONPATH=HERE)
    worker = None
    try:
        r = red.client()
        before = peerlib.used_memory(r)
        now = time.time()
        t0 = time.time()
        for i in range(a.ingest):
            eta = datetime.fromtimestamp(now + 7200 + i * (30 * 86400 / a.ingest), timezone.utc)
            record.apply_async((f"far-{i}",), eta=eta)
        took = time.time() - t0
        out["ingest_per_s"] = round(a.ingest / took, 1)
        out["redis_bytes_per_delayed_job"] = round((peerlib.used_memory(r) - before) / a.ingest, 1)
        peerlib.log(f"celery: {a.ingest} apply_async(eta) in {took:.1f} s")
        r.flushall()

        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--loglevel", "WARNING",
             "--concurrency", str(a.concurrency), "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            env=env, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        record.apply_async(("probe",))
        peerlib.wait_for(lambda: r.llen("bench:arrivals"), 1, time.time() + 60)
        r.delete("bench:arrivals")

        n = a.deliver
        start = time.time() + 2 + n / 400
        due = {}
        for i in range(n):
            at = start + a.window * i / n
            due[str(i)] = at
            record.apply_async((str(i),), eta=datetime.fromtimestamp(at, timezone.utc))
        if time.time() > start:
            peerlib.log(f"celery: set-up finished {time.time() - start:.1f} s after the window opened")
        peerlib.wait_for(lambda: r.llen("bench:arrivals"), n, start + a.window)
        arrivals = []
        for raw in r.lrange("bench:arrivals", 0, -1):
            jid, at = raw.decode().split()
            arrivals.append((jid, float(at)))
        out.update(peerlib.delivery_stats(due, arrivals))
        out["deliver"] = n
        out["window_s"] = a.window
    finally:
        if worker:
            worker.kill()
            worker.wait()
        red.stop()
    peerlib.emit(out)


if __name__ == "__main__":
    main()
