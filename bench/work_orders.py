"""Work-order list and create under load, against a database with a million work orders.

Usage:
  python3 bench/work_orders.py [--postgres ADMIN_URL [--postgres-only]] [--work-orders 1000000] [--clients 16] [--seconds 20] [--bin PATH]

--bin runs another build (e.g. an earlier commit's, to compare before and after in one run).

For each backend: `hmms demo --scale` fills a fresh database (timed), a release server starts on
it, and 16 client threads first list (filtered, 50 per page, following cursors now and then), then
create work orders, each for the given time. Prints p50/p95/p99 latency and throughput as JSON.
Standard library only; loopback only.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from demo_login import totp, DEMO_SECRET, DEMO_PASSWORD  # noqa: E402

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "hmms")


def free_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def call(port, method, path, token=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, json.loads(data) if data else None


def sign_in(port, email):
    status, body = call(port, "POST", "/api/v1/auth/login", body={"email": email, "password": DEMO_PASSWORD})
    if body["status"] == "otp_required":
        status, body = call(port, "POST", "/api/v1/auth/verify-otp",
                            body={"challengeToken": body["challengeToken"], "code": totp(DEMO_SECRET, time.time())})
    return body["tokens"]["accessToken"]


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))] * 1000


def load(port, clients, seconds, make_request):
    stop_at = time.perf_counter() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        rng = random.Random(i)
        while time.perf_counter() < stop_at:
            method, path, token, body = make_request(rng)
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
            t = time.perf_counter()
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            res = conn.getresponse()
            res.read()
            elapsed = time.perf_counter() - t
            with lock:
                if 200 <= res.status < 300:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "errors": errors[0],
    }


def run(name, url, data_dir, n, clients, seconds):
    env = dict(os.environ, HMMS_DATA_DIR=data_dir, HMMS_DATABASE_URL=url, HMMS_LOG="warn")
    t = time.perf_counter()
    subprocess.run([BIN, "demo", "--scale", "--work-orders", str(n)], env=env, check=True, stdout=subprocess.DEVNULL)
    fill = time.perf_counter() - t
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            try:
                if call(port, "GET", "/health/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.02)
        manager = sign_in(port, "manager@demo.hmms")
        staff = sign_in(port, "staff@demo.hmms")
        _, depts = call(port, "GET", "/api/v1/departments?limit=200", manager)
        dept_ids = [d["id"] for d in depts["items"]]
        statuses = ["pending", "assigned", "in_progress", "closed", "completed"]
        cursors = []

        def list_request(rng):
            # Filtered first pages, and sometimes a deeper page from a cursor seen before.
            if cursors and rng.random() < 0.2:
                return "GET", f"/api/v1/work-orders?limit=50&cursor={rng.choice(cursors)}", manager, None
            q = f"/api/v1/work-orders?limit=50&status={rng.choice(statuses)}&departmentId={rng.choice(dept_ids)}"
            if rng.random() < 0.3:
                q += "&sort=dueAt"
            return "GET", q, manager, None

        # Collect some cursors for deep pages.
        for s in statuses:
            _, page = call(port, "GET", f"/api/v1/work-orders?limit=50&status={s}", manager)
            if page and page.get("nextCursor"):
                cursors.append(page["nextCursor"])
        listing = load(port, clients, seconds, list_request)

        def create_request(rng):
            return "POST", "/api/v1/work-orders", staff, {"title": f"Bench fault {rng.random():.6f}", "priority": "medium"}

        creating = load(port, clients, seconds, create_request)
        rss = 0
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        return {"backend": name, "work_orders": n, "fill_s": round(fill, 1), "list": listing, "create": creating,
                "rss_mb": round(rss, 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres")
    ap.add_argument("--work-orders", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--postgres-only", action="store_true", help="skip the SQLite run")
    ap.add_argument("--bin", default=BIN, help="the hmms binary to measure")
    a = ap.parse_args()
    BIN = a.bin
    results = []
    if not a.postgres_only:
        d = tempfile.mkdtemp(prefix="hmms-wo-bench-")
        try:
            results.append(run("sqlite", f"sqlite://{d}/hmms.db", d, a.work_orders, a.clients, a.seconds))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    if a.postgres:
        db = f"hmms_wo_bench_{os.getpid()}"
        subprocess.run(["psql", a.postgres, "-qc", f"CREATE DATABASE {db}"], check=True)
        d = tempfile.mkdtemp(prefix="hmms-wo-bench-")
        try:
            results.append(run("postgres", f"{a.postgres.rsplit('/', 1)[0]}/{db}", d, a.work_orders, a.clients, a.seconds))
        finally:
            shutil.rmtree(d, ignore_errors=True)
            subprocess.run(["psql", a.postgres, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
