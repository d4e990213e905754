"""Spare parts under load: the part list, the part page and issuing parts, against a database
with 50,000 parts and 5,000,000 stock ledger entries.

Usage:
  python3 bench/inventory.py [--postgres ADMIN_URL [--postgres-only]] [--parts 50000] [--entries 5000000] [--clients 16] [--seconds 20] [--bin PATH]

For each backend: `hmms demo --scale --parts … --stock-entries …` fills a fresh database
(timed), a release server starts on it, and 16 client threads run three phases for the given
time each:
  - list: `GET /parts?limit=50` as the facility manager, with a search, a category, the low-stock
    filter, or a deeper page from a cursor;
  - page: a part page as the browser loads it — `GET /parts/{id}`, `…/stock` and `…/ledger?limit=50`
    (timed together, one sample per page);
  - issue: `POST /stock-movements` issuing one of a random part to one of 16 work orders in
    progress, as their technician (ledger entry, balance, audit entry, event, reorder check).
Prints p50/p95/p99 latency and throughput as JSON. Standard library only; loopback only.
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

sys.path.insert(0, os.path.dirname(__file__))
from work_orders import call, free_port, percentile, sign_in  # noqa: E402

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "hmms")


def load(port, clients, seconds, make_requests):
    """Like work_orders.load, but one sample may be several requests (a page's API calls)."""
    stop_at = time.perf_counter() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        rng = random.Random(i)
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            ok = True
            for method, path, token, body in make_requests(rng):
                headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
                conn.request(method, path, json.dumps(body) if body is not None else None, headers)
                res = conn.getresponse()
                res.read()
                ok = ok and 200 <= res.status < 300
            elapsed = time.perf_counter() - t
            with lock:
                if ok:
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
        "samples": len(latencies),
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "errors": errors[0],
    }


def run(name, url, data_dir, parts, entries, clients, seconds):
    env = dict(os.environ, HMMS_DATA_DIR=data_dir, HMMS_DATABASE_URL=url, HMMS_LOG="warn")
    t = time.perf_counter()
    subprocess.run([BIN, "demo", "--scale", "--work-orders", "0", "--assets", "0",
                    "--parts", str(parts), "--stock-entries", str(entries)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
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
        tech = sign_in(port, "technician@demo.hmms")
        _, me = call(port, "GET", "/api/v1/auth/me", tech)
        # Work in progress for the technician, to issue parts to.
        work = []
        for i in range(16):
            _, wo = call(port, "POST", "/api/v1/work-orders", manager,
                         {"title": f"Bench job {i}", "priority": "medium", "assigneeId": me["user"]["id"]})
            _, wo = call(port, "PATCH", f"/api/v1/work-orders/{wo['id']}", tech,
                         {"status": "in_progress", "version": wo["version"]})
            work.append(wo["id"])
        # A sample of the generated parts with the bin each is kept in.
        sample = []
        for n in random.Random(7).sample(range(1, parts + 1), min(2000, parts)):
            _, page = call(port, "GET", f"/api/v1/parts?q=SCL-{n:06d}&limit=1", manager)
            if page["items"]:
                pid = page["items"][0]["id"]
                _, stock = call(port, "GET", f"/api/v1/parts/{pid}/stock", manager)
                if not stock.get("stores"):
                    raise SystemExit(f"SCL-{n:06d} ({pid}) has no stock: {stock}")
                sample.append((pid, stock["stores"][0]["bins"][0]["binId"]))
        cursors = []
        for c in ["Ventilator", "Electrical", "HVAC"]:
            _, page = call(port, "GET", f"/api/v1/parts?limit=50&category={c}", manager)
            if page.get("nextCursor"):
                cursors.append(page["nextCursor"])

        def list_request(rng):
            r = rng.random()
            if r < 0.2 and cursors:
                q = f"cursor={rng.choice(cursors)}"
            elif r < 0.5:
                q = f"q=SCL-{rng.randrange(1, parts + 1):06d}"
            elif r < 0.7:
                q = f"q={rng.choice(['Flow', 'Battery', 'valve', 'filter'])}"
            elif r < 0.9:
                q = f"category={rng.choice(['Ventilator', 'Infusion', 'Monitoring', 'Power'])}"
            else:
                q = "low=true"
            return [("GET", f"/api/v1/parts?limit=50&{q}", manager, None)]

        def page_requests(rng):
            pid, _ = rng.choice(sample)
            return [("GET", f"/api/v1/parts/{pid}", manager, None),
                    ("GET", f"/api/v1/parts/{pid}/stock", manager, None),
                    ("GET", f"/api/v1/parts/{pid}/ledger?limit=50", manager, None)]

        def issue_request(rng):
            pid, bin_id = rng.choice(sample)
            return [("POST", "/api/v1/stock-movements", tech,
                     {"kind": "issue", "partId": pid, "binId": bin_id, "quantity": "1",
                      "workOrderId": rng.choice(work)})]

        listing = load(port, clients, seconds, list_request)
        paging = load(port, clients, seconds, page_requests)
        issuing = load(port, clients, seconds, issue_request)
        rss = 0
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        return {"backend": name, "parts": parts, "entries": entries, "fill_s": round(fill, 1),
                "list": listing, "page": paging, "issue": issuing, "rss_mb": round(rss, 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres")
    ap.add_argument("--parts", type=int, default=50_000)
    ap.add_argument("--entries", type=int, default=5_000_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--postgres-only", action="store_true", help="skip the SQLite run")
    ap.add_argument("--bin", default=BIN, help="the hmms binary to measure")
    a = ap.parse_args()
    BIN = a.bin
    results = []
    if not a.postgres_only:
        d = tempfile.mkdtemp(prefix="hmms-stock-bench-")
        try:
            results.append(run("sqlite", f"sqlite://{d}/hmms.db", d, a.parts, a.entries, a.clients, a.seconds))
        finally:
            shutil.rmtree(d, ignore_errors=True)
    if a.postgres:
        db = f"hmms_stock_bench_{os.getpid()}"
        subprocess.run(["psql", a.postgres, "-qc", f"CREATE DATABASE {db}"], check=True)
        d = tempfile.mkdtemp(prefix="hmms-stock-bench-")
        try:
            results.append(run("postgres", f"{a.postgres.rsplit('/', 1)[0]}/{db}", d, a.parts, a.entries,
                               a.clients, a.seconds))
        finally:
            shutil.rmtree(d, ignore_errors=True)
            subprocess.run(["psql", a.postgres, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
