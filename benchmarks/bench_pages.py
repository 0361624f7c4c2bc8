"""Benchmark: the command center's pages — fragment and indicator-API latency under 50 concurrent clients
(Locust), and the overview's load-and-render time in Chromium.

    python benchmarks/bench_pages.py --data-dir DIR [--users 50] [--seconds 60] [--locust PATH] [--renders 15]
                                     [--workers 2] [--waits 0,1,1~]

DIR holds a built deployment (`madangan demo --no-serve`); the script serves it on a free port with
`madangan serve`, signs in once as `admin` (password from DIR/akun-demo.txt), then
1. runs Locust headless once per `--waits` entry — 50 clients with no pause between requests (the server
   saturated), 50 clients each pausing 1 s and all in step (a burst of 50 requests every second), and 50
   clients pausing 0.5-1.5 s at random (open dashboards clicking around) — and prints p50/p95/p99 per endpoint;
2. opens the overview in Debian's Chromium `--renders` times and reports the time from navigation start to
   the moment every map and chart is drawn (`performance.mark("madangan-ready")` in dashboard.js).
Locust is a separate install (`pip install locust`, or `--locust` pointing at its executable).
Targets (issue 7): fragments and API p95 ≤ 100 ms with 50 concurrent clients; overview ≤ 1.5 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def password(data_dir: Path, user: str = "admin") -> str:
    for line in (data_dir / "akun-demo.txt").read_text().splitlines():
        parts = line.split("\t")
        if parts[0] == user:
            return parts[3]
    raise SystemExit(f"no {user} in {data_dir / 'akun-demo.txt'}")


def sign_in(base: str, user: str, secret: str) -> str:
    with httpx.Client(base_url=base) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        client.post("/login", data={"username": user, "password": secret, "csrf_token": token, "next": "/"})
        return client.cookies["madangan_session"]


def run_locust(locust: str, base: str, cookie: str, users: int, seconds: int, wait: float, out: Path,
               jitter: bool = False) -> list[dict]:
    env = {**os.environ, "MADANGAN_BENCH_COOKIE": cookie, "MADANGAN_BENCH_WAIT": str(wait),
           "MADANGAN_BENCH_JITTER": "1" if jitter else "0"}
    subprocess.run([locust, "-f", str(HERE / "locust_pages.py"), "--headless", "-u", str(users), "-r", str(users),
                    "-t", f"{seconds}s", "-H", base, "--csv", str(out), "--only-summary"], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=open(f"{out}.log", "w"))  # exit 1 = some requests failed
    with open(f"{out}_stats.csv") as f:
        return list(csv.DictReader(f))


SEQUENTIAL = {
    "/fragmen/peta (tingkat=kecamatan)": "/fragmen/peta?indikator=prevalensi_stunting",
    "/fragmen/peta (tingkat=desa)": "/fragmen/peta?indikator=skdn_partisipasi&tingkat=desa",
    "/fragmen/layar": "/fragmen/layar?tema=stunting-gizi",
    "/ (overview page)": "/",
    "/wilayah/{desa} (desa profile)": "/wilayah/32.11.22.2001",
    "/api/v1/indicators/{id} (kecamatan × 10 months)":
        "/api/v1/indicators/prevalensi_stunting?region=32.11&level=kecamatan&period=2026-01:2026-10",
}


def sequential(base: str, cookie: str, runs: int = 100) -> list[tuple[str, float, float]]:
    """One client, one request at a time: what a request costs the server, without queueing."""
    out = []
    with httpx.Client(base_url=base, cookies={"madangan_session": cookie}) as client:
        for name, path in SEQUENTIAL.items():
            client.get(path)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out.append((name, statistics.median(times), times[int(len(times) * 0.95) - 1]))
    return out


def render_times(base: str, user: str, secret: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(base + "/login")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", secret)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        times = []
        for _ in range(runs):
            page.goto(base + "/")
            page.wait_for_selector("#map path[data-code]")
            for _ in range(100):
                ready = page.evaluate("performance.getEntriesByName('madangan-ready').map(e => e.startTime)")
                if ready:
                    break
                time.sleep(0.02)
            times.append(ready[0])
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--locust", default=shutil.which("locust") or "locust")
    parser.add_argument("--workers", type=int, default=1, help="server processes (madangan serve --workers)")
    parser.add_argument("--waits", default="0,1,1~", help="seconds each client pauses between requests, one run each; "
                        "'1~' pauses 0.5-1.5 s at random (clients not in lockstep)")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MADANGAN_DATA_DIR": str(args.data_dir)}
    server = subprocess.Popen([sys.executable, "-m", "madangan", "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        secret = password(args.data_dir)
        cookie = sign_in(base, "admin", secret)
        with httpx.Client(base_url=base, cookies={"madangan_session": cookie}, timeout=60) as warm:
            for _ in range(4 * args.workers):  # each page kind once in every worker: a new connection each time
                for path in (*SEQUENTIAL.values(), "/fragmen/peta?wilayah=32.11.01&indikator=prevalensi_stunting"):
                    warm.get(path, headers={"Connection": "close"})
        print(f"CPU: {os.cpu_count()} cores; server processes: {args.workers}; "
              f"load average before: {os.getloadavg()[0]:.1f}")
        print("\nOne client, sequential (100 requests each)\n| endpoint | p50 ms | p95 ms |\n| --- | ---: | ---: |")
        for name, p50, p95 in sequential(base, cookie):
            print(f"| {name} | {p50:.1f} | {p95:.1f} |")
        folder = Path(tempfile.mkdtemp(prefix="madangan-locust-"))
        for text in args.waits.split(","):
            wait, jitter = float(text.rstrip("~")), text.endswith("~")
            rows = run_locust(args.locust, base, cookie, args.users, args.seconds, wait, folder / f"w{text}", jitter)
            pause = f"{wait / 2:g}-{wait * 1.5:g} s at random" if jitter else f"{wait:g} s, all in step"
            print(f"\n{args.users} clients, pause {pause}, {args.seconds} s  (load average now {os.getloadavg()[0]:.1f})")
            print("| endpoint | requests | failures | req/s | p50 ms | p95 ms | p99 ms |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for r in rows:
                print(f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {float(r['Requests/s']):.1f} "
                      f"| {r['50%']} | {r['95%']} | {r['99%']} |")
        times = render_times(base, "admin", secret, args.renders)
        print(f"\nOverview in Chromium, {len(times)} loads: median {statistics.median(times):.0f} ms, "
              f"max {max(times):.0f} ms (navigation start → every map and chart drawn)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
