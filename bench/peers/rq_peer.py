"""RQ + rq-scheduler on the workloads chime-bench runs: jobs/s scheduled with enqueue_at, Redis
memory per delayed job, and N jobs due within a window (lag from the due time to the job
running in a worker, p50/p99, lost/twice/early). Prints one JSON line.

usage: rq_peer.py [--deliver N] [--window S] [--ingest N] [--workers N]"""

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402
from rq import Queue  # noqa: E402
from rq_scheduler import Scheduler  # noqa: E402

import jobs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deliver", type=int, default=2000)
    ap.add_argument("--window", type=float, default=10)
    ap.add_argument("--ingest", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=4)
    a = ap.parse_args()
    out = {"peer": "rq", "version": f"rq {__import__('rq').__version__} + rq-scheduler 0.14.0",
           "workers": f"{a.workers} SimpleWorker, rqscheduler --interval 1"}
    red = peerlib.PrivateRedis()
    env = dict(os.environ, PEER_REDIS_URL=red.url, PYTHONPATH=peerlib.here())
    procs = []
    try:
        r = red.client()
        sched = Scheduler(queue=Queue("bench", connection=r), connection=r)
        # Ingest and memory: delayed jobs spread over 30 days, nothing running them.
        before = peerlib.used_memory(r)
        now = time.time()
        t0 = time.time()
        for i in range(a.ingest):
            at = datetime.fromtimestamp(now + 7200 + i * (30 * 86400 / a.ingest), timezone.utc)
            sched.enqueue_at(at, jobs.record, f"far-{i}")
        took = time.time() - t0
        out["ingest_per_s"] = round(a.ingest / took, 1)
        out["redis_bytes_per_delayed_job"] = round((peerlib.used_memory(r) - before) / a.ingest, 1)
        peerlib.log(f"rq: {a.ingest} enqueue_at in {took:.1f} s")
        r.flushall()

        procs.append(subprocess.Popen(
            [sys.executable, "-m", "rq_scheduler.scripts.rqscheduler", "--url", red.url,
             "--interval", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(a.workers):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "rq.cli", "worker", "--url", red.url,
                 "--worker-class", "rq.worker.SimpleWorker", "--quiet", "bench"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # The workers are up once a probe job has run.
        Queue("bench", connection=r).enqueue(jobs.record, "probe")
        peerlib.wait_for(lambda: r.llen("bench:arrivals"), 1, time.time() + 60)
        r.delete("bench:arrivals")

        n = a.deliver
        start = time.time() + 2 + n / 400
        due = {}
        for i in range(n):
            at = start + a.window * i / n
            due[str(i)] = at
            sched.enqueue_at(datetime.fromtimestamp(at, timezone.utc), jobs.record, str(i))
        if time.time() > start:
            peerlib.log(f"rq: set-up finished {time.time() - start:.1f} s after the window opened")
        peerlib.wait_for(lambda: r.llen("bench:arrivals"), n, start + a.window)
        arrivals = []
        for raw in r.lrange("bench:arrivals", 0, -1):
            jid, at = raw.decode().split()
            arrivals.append((jid, float(at)))
        out.update(peerlib.delivery_stats(due, arrivals))
        out["deliver"] = n
        out["window_s"] = a.window
    finally:
        for p in procs:
            p.kill()
            p.wait()
        red.stop()
    peerlib.emit(out)


if __name__ == "__main__":
    main()
