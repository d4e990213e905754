"""Foundation figures for docs/benchmarks.md: release binary size, time from process start to
/health/ready (first start with migrations, and a restart), idle memory, and sign-in
throughput with the configured argon2 parameters.

Usage: python3 bench/foundation.py [--postgres URL] [--seconds 10] [--threads 4]
Standard library only; drives the real binary over HTTP on 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "hmms")


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(data_dir: str, url: str, demo: bool):
    port = free_port()
    env = dict(os.environ, HMMS_DATA_DIR=data_dir, HMMS_DATABASE_URL=url, HMMS_LOG="warn")
    args = [BIN, "serve", "--listen", f"127.0.0.1:{port}"] + (["--demo"] if demo else [])
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1) as r:
                if r.status == 200:
                    break
        except Exception:
            if proc.poll() is not None:
                sys.exit("the server exited during start-up")
            time.sleep(0.002)
    return proc, port, time.perf_counter() - t0


def stop(proc) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sign_in_throughput(port: int, seconds: float, threads: int):
    body = json.dumps({"email": "staff@demo.hmms", "password": "demo-password-2026"})
    stop_at = time.perf_counter() + seconds
    latencies, errors = [], [0]
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            conn.request("POST", "/api/v1/auth/login", body, {"Content-Type": "application/json"})
            res = conn.getresponse()
            res.read()
            with lock:
                if res.status == 200:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors[0] += 1

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    return len(latencies) / elapsed, p50, p95, errors[0]


def run(name: str, make_url, seconds: float, threads: int) -> dict:
    data = tempfile.mkdtemp(prefix="hmms-bench-")
    try:
        url = make_url(data)
        proc, port, first = start(data, url, demo=True)
        stop(proc)
        restarts = []
        for _ in range(5):
            proc, port, t = start(data, url, demo=False)
            restarts.append(t)
            stop(proc)
        proc, port, _ = start(data, url, demo=False)
        time.sleep(2)
        idle = rss_mb(proc.pid)
        rps, p50, p95, errors = sign_in_throughput(port, seconds, threads)
        after = rss_mb(proc.pid)
        stop(proc)
        return {
            "backend": name,
            "first_start_s": first,
            "restart_median_s": statistics.median(restarts),
            "idle_rss_mb": idle,
            "rss_after_load_mb": after,
            "sign_ins_per_s": rps,
            "p50_ms": p50,
            "p95_ms": p95,
            "errors": errors,
        }
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", help="admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=4)
    a = ap.parse_args()
    print(f"binary: {os.path.getsize(BIN) / 1e6:.1f} MB ({os.path.realpath(BIN)})")
    results = [run("sqlite", lambda d: f"sqlite://{d}/hmms.db", a.seconds, a.threads)]
    if a.postgres:
        base = a.postgres.rsplit("/", 1)[0]
        db = f"hmms_bench_{os.getpid()}"
        subprocess.run(["psql", a.postgres, "-qc", f"CREATE DATABASE {db}"], check=True)
        try:
            results.append(run("postgres", lambda d: f"{base}/{db}", a.seconds, a.threads))
        finally:
            subprocess.run(["psql", a.postgres, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
    for r in results:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}))


if __name__ == "__main__":
    main()
