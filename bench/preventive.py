"""The preventive-maintenance generator over 50,000 plans for a one-year horizon.

Usage:
  python3 bench/preventive.py [--postgres ADMIN_URL] [--plans 50000] [--lead-days 365] [--bin PATH]

For each backend: `hmms demo --scale` fills a fresh database with the demo, 50,000 more assets
and one preventive plan per asset (yearly, six-monthly, quarterly and monthly in the ratio
4:3:2:1, generating `--lead-days` ahead: 365 makes the first run produce a whole year of work),
untimed. A release server starts on it, and the manager runs the generator through the API
(`POST /api/v1/preventive/run-generator`) twice:

  first   — the year ahead: every occurrence, its work order, checklist, history and audit entry;
            the demo's class plans also pick up the new equipment of their classes;
  again   — at once afterwards, as the hourly job sees an ordinary hour: nothing new is due,
            everything is checked and nothing is made twice.

Prints wall times (s), what each run reported, and the server's resident memory, as JSON.
Standard library only; loopback only. Build first: cargo build --release -p hmms
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from work_orders import BIN, call, free_port, sign_in  # noqa: E402


def timed_run(port, token):
    t = time.perf_counter()
    status, report = call(port, "POST", "/api/v1/preventive/run-generator", token, {})
    elapsed = time.perf_counter() - t
    if status != 200:
        raise SystemExit(f"run-generator answered {status}: {report}")
    return round(elapsed, 2), report


def count(url, sql):
    """One row of numbers, read straight from the database."""
    if url.startswith("sqlite://"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite://").split("?")[0]) as c:
            return list(c.execute(sql).fetchone())
    out = subprocess.run(["psql", url, "-tAc", sql],
                         check=True, capture_output=True, text=True).stdout
    return [int(x) for x in out.strip().split("|")]


def run(name, url, data_dir, plans, lead_days):
    env = dict(os.environ, HMMS_DATA_DIR=data_dir, HMMS_DATABASE_URL=url, HMMS_LOG="warn")
    t = time.perf_counter()
    subprocess.run([BIN, "demo", "--scale", "--assets", str(plans), "--work-orders", "0",
                    "--pm-plans", str(plans), "--pm-lead-days", str(lead_days)],
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
        first_s, first = timed_run(port, manager)
        again_s, again = timed_run(port, manager)
        counts = count(url, "SELECT (SELECT COUNT(*) FROM pm_instances), "
                            "(SELECT COUNT(*) FROM (SELECT DISTINCT plan_id, asset_id, due_at FROM pm_instances) d), "
                            "(SELECT COUNT(*) FROM work_orders WHERE wo_type = 'preventive')")
        rss = 0
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        return {"backend": name, "plans": plans, "lead_days": lead_days, "fill_s": round(fill, 1),
                "first_s": first_s, "first": first, "again_s": again_s, "again": again,
                "occurrences": counts[0], "distinct_occurrences": counts[1],
                "preventive_work_orders": counts[2],
                "rss_mb": round(rss, 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres")
    ap.add_argument("--plans", type=int, default=50_000)
    ap.add_argument("--lead-days", type=int, default=365)
    ap.add_argument("--bin", default=BIN, help="the hmms binary to measure")
    a = ap.parse_args()
    BIN = a.bin
    results = []
    d = tempfile.mkdtemp(prefix="hmms-pm-bench-")
    try:
        results.append(run("sqlite", f"sqlite://{d}/hmms.db", d, a.plans, a.lead_days))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if a.postgres:
        db = f"hmms_pm_bench_{os.getpid()}"
        subprocess.run(["psql", a.postgres, "-qc", f"CREATE DATABASE {db}"], check=True)
        d = tempfile.mkdtemp(prefix="hmms-pm-bench-")
        try:
            results.append(run("postgres", f"{a.postgres.rsplit('/', 1)[0]}/{db}", d, a.plans, a.lead_days))
        finally:
            shutil.rmtree(d, ignore_errors=True)
            subprocess.run(["psql", a.postgres, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
