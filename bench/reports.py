"""Reports under load: the key figures and the breakdown, against a database with a million work
orders (three years of them, most closed) and 50,000 assets.

Usage:
  python3 bench/reports.py [--postgres ADMIN_URL [--postgres-only]] [--work-orders 1000000] [--assets 50000] [--clients 4] [--seconds 15] [--bin PATH] [--keep DIR]

For each backend: `hmms demo --scale --work-orders … --assets …` fills a fresh database (timed),
a release server starts on it, and the client threads ask, for the given time each:
  - kpis-month: `GET /reports/kpis` for the last calendar month, as the facility manager (site);
  - kpis-year: the same for the last twelve months;
  - kpis-year-org: the last twelve months as the administrator (the whole organization);
  - breakdown-department / breakdown-asset: `GET /reports/breakdown` for the last twelve months.
Prints p50/p95/p99 latency, throughput and the server's RSS (all, and its own heap) as JSON.
With --keep DIR the filled databases stay in DIR and later runs reuse them (fill_s: null).
Standard library only.
"""

import argparse
import json
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from work_orders import call, free_port, load, sign_in  # noqa: E402

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "hmms")


def iso(t: datetime.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def periods():
    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    year_ago = this_month.replace(year=this_month.year - 1)
    return (f"from={iso(last_month)}&to={iso(this_month)}", f"from={iso(year_ago)}&to={iso(this_month)}")


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory; `RssAnon` is the server's own (heap), without the database file pages
    SQLite maps into each connection (`RssFile`, shared with the page cache)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run(name, url, data_dir, work_orders, assets, clients, seconds):
    env = dict(os.environ, HMMS_DATA_DIR=data_dir, HMMS_DATABASE_URL=url, HMMS_LOG="warn")
    filled = os.path.join(data_dir, "filled")
    fill = None
    if not os.path.exists(filled):
        t = time.perf_counter()
        subprocess.run([BIN, "demo", "--scale", "--work-orders", str(work_orders), "--assets", str(assets)],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        fill = round(time.perf_counter() - t, 1)
        open(filled, "w").close()
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
        admin = sign_in(port, "admin@demo.hmms")
        month, year = periods()
        status, sample = call(port, "GET", f"/api/v1/reports/kpis?{year}", manager)
        assert status == 200, sample
        counted = {f["key"]: f["counted"] for f in sample["figures"]}
        scenarios = {
            "kpis-month": (f"/api/v1/reports/kpis?{month}", manager),
            "kpis-year": (f"/api/v1/reports/kpis?{year}", manager),
            "kpis-year-org": (f"/api/v1/reports/kpis?{year}", admin),
            "breakdown-department": (f"/api/v1/reports/breakdown?{year}&by=department", manager),
            "breakdown-asset": (f"/api/v1/reports/breakdown?{year}&by=asset", manager),
        }
        results = {}
        for label, (path, token) in scenarios.items():
            results[label] = load(port, clients, seconds, lambda rng, p=path, tk=token: ("GET", p, tk, None))
        return {"backend": name, "work_orders": work_orders, "assets": assets, "fill_s": fill,
                "year_counted": {k: counted[k] for k in ("mttr", "downtime", "backlog", "mtbf")},
                **results, "rss_mb": rss_mb(proc.pid), "rss_anon_mb": rss_mb(proc.pid, "RssAnon")}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres")
    ap.add_argument("--work-orders", type=int, default=1_000_000)
    ap.add_argument("--assets", type=int, default=50_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--postgres-only", action="store_true", help="skip the SQLite run")
    ap.add_argument("--bin", default=BIN, help="the hmms binary to measure")
    ap.add_argument("--keep", help="keep the filled databases in this folder and reuse them (no fill on reruns;"
                    " the server migrates them to the binary's schema)")
    a = ap.parse_args()
    BIN = a.bin
    results = []
    if not a.postgres_only:
        d = a.keep and os.path.join(a.keep, "sqlite") or tempfile.mkdtemp(prefix="hmms-reports-bench-")
        os.makedirs(d, exist_ok=True)
        try:
            results.append(run("sqlite", f"sqlite://{d}/hmms.db", d, a.work_orders, a.assets, a.clients, a.seconds))
        finally:
            if not a.keep:
                shutil.rmtree(d, ignore_errors=True)
    if a.postgres:
        db = "hmms_reports_bench_kept" if a.keep else f"hmms_reports_bench_{os.getpid()}"
        d = a.keep and os.path.join(a.keep, "postgres") or tempfile.mkdtemp(prefix="hmms-reports-bench-")
        if not os.path.exists(os.path.join(d, "filled")):
            os.makedirs(d, exist_ok=True)
            subprocess.run(["psql", a.postgres, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
            subprocess.run(["psql", a.postgres, "-qc", f"CREATE DATABASE {db}"], check=True)
        try:
            results.append(run("postgres", f"{a.postgres.rsplit('/', 1)[0]}/{db}", d, a.work_orders, a.assets,
                               a.clients, a.seconds))
        finally:
            if not a.keep:
                shutil.rmtree(d, ignore_errors=True)
                subprocess.run(["psql", a.postgres, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
