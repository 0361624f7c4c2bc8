"""Benchmark: early warning at full size.

    python benchmarks/bench_alerts.py [--data-dir DIR] [--population 1226660] [--seed 7]
                                      [--pushes 40] [--seconds 20] [--per-request 100]

1. `evaluate` of every rule over the full synthetic regency (target ≤ 10 s): the first run (alerts created)
   and a second one (steady state: nothing changes).
2. A smartwatch reading pushed over the API (`POST /api/v1/sources/telemetri/records`) that breaks the
   safe range, until its alert arrives at a server-sent-events client of `/api/v1/alerts/stream`
   (the same stream the dashboard's feed follows): p50 / p95 / max over `--pushes` readings (target p95 ≤ 1 s).
2b. (`--parts mqtt`) the same, the reading published to the MQTT broker (`--mqtt-url`, topic
   `<prefix>/telemetri`) that the server subscribes to (as `madangan serve` with MADANGAN_MQTT_URL does).
3. Sustained readings per second over the API for `--seconds`, `--per-request` readings per request, from
   `--senders` senders (default 1, like the MQTT flusher): every reading must land in the warehouse and every
   out-of-range device must have its alert (no loss). Target 1,000 readings/s.

A real uvicorn server in this process, a real HTTP client; the data directory gets a full demo
regency first when it has none (not counted). Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from madangan import deploy, warehouse
from madangan.access import store as access_store
from madangan.alerts.evaluate import evaluate
from madangan.appdb import make_engine
from madangan.config import Settings
from madangan.web.app import create_app

DESA = "32.11.01.2001"
MOTHER = "3211015506900001"


def reading(device: str, spo2: int, at: datetime | None = None, heart: int = 84) -> dict:
    at = at or datetime.now(UTC)
    return {"id_perangkat": device, "waktu": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "nik_ibu": MOTHER, "kode_desa": DESA,
            "detak_jantung": heart, "sistolik": 118, "diastolik": 76, "spo2": spo2}


def serve(settings: Settings) -> tuple[str, uvicorn.Server, threading.Thread]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


class SseClient:
    """Follows /api/v1/alerts/stream and records when each alert first reached `firing`."""

    def __init__(self, base: str, token: str):
        self.fired: dict[str, float] = {}  # message → arrival time
        self.events = 0
        self.ready = threading.Event()
        self.stop = False
        self.thread = threading.Thread(target=self._run, args=(base, token), daemon=True)
        self.thread.start()
        self.ready.wait(30)

    def _run(self, base: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        with httpx.Client(timeout=None) as client, client.stream("GET", base + "/api/v1/alerts/stream",
                                                                 headers=headers) as response:
            event = None
            for line in response.iter_lines():
                if self.stop:
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                    if event == "ready":
                        self.ready.set()
                elif line.startswith("data:") and event == "alert":
                    item = json.loads(line[5:])
                    self.events += 1
                    if item["state"] == "firing" and item["kind"] == "state":
                        self.fired.setdefault(item["message"], time.perf_counter())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--per-request", type=int, default=2000)
    parser.add_argument("--parts", default="evaluate,latency,sustained")
    parser.add_argument("--senders", type=int, default=1, help="concurrent senders")
    parser.add_argument("--mqtt-url", default="mqtt://127.0.0.1:1883")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="madangan-bench-alerts-")) / "data"
    prefix = f"madangan-bench-{os.getpid()}"
    settings = Settings(data_dir=data_dir, mqtt_url=args.mqtt_url if "mqtt" in args.parts else None,
                        mqtt_topic_prefix=prefix)
    if not settings.warehouse.exists():
        print(f"building the demo regency ({args.population:,} residents) in {data_dir} …", flush=True)
        deploy.demo(settings, "32.11", args.population, args.seed)
    engine = make_engine(settings.app_db_url)
    con = warehouse.connect(settings.warehouse)
    sizes = {name: con.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
             for name in ("penduduk", "posyandu", "kehamilan", "telemetri", "realisasi") if name in con.list_tables()}
    con.disconnect()
    print("sizes:", sizes, flush=True)

    parts = set(args.parts.split(","))
    # 1. evaluate every rule
    if "evaluate" in parts:
        evaluate_all(settings, engine)
    token = access_store.add_token(engine, f"bench-{os.getpid()}", "32.11", "32.11", ("telemetri",))
    base, server, thread = serve(settings)
    sse = SseClient(base, token)
    if "latency" in parts:
        latency(args, base, token, sse)
    if "mqtt" in parts:
        mqtt_latency(args, prefix, sse)
    if "sustained" in parts:
        sustained(args, settings, engine, base, token, sse)
    sse.stop = True
    server.should_exit = True
    thread.join(timeout=10)


def evaluate_all(settings, engine) -> None:
    first = evaluate(settings, engine, actor="bench")
    second = evaluate(settings, engine, actor="bench")
    slowest = sorted(first.outcomes, key=lambda o: -o.seconds)[:3]
    print(f"| evaluate all {len(first.outcomes)} rules, first run ({len(first.events):,} changes) | "
          f"**{first.seconds:.1f} s** |")
    print(f"| evaluate all rules again (steady state, {len(second.events)} changes) | **{second.seconds:.1f} s** |")
    print("| slowest rules (first run) | " + ", ".join(f"{o.rule} {o.seconds:.2f} s ({o.matches:,})" for o in slowest) + " |")



def latency(args, base: str, token: str, sse: SseClient) -> None:
    """2. one reading → the SSE client."""
    latencies = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        # warm-up (not counted): the server's first batch loads the ingest, verval and alert code paths
        client.post("/api/v1/sources/telemetri/records", json=[reading(f"WARM-{os.getpid()}", 98)])
        for n in range(args.pushes):
            spo2, heart = 60 + n % 30, 121 + n  # each push a distinct message in a distinct device
            device = f"BENCH-{os.getpid()}-{n}"
            message_part = f"Detak jantung {heart} bpm; SpO2 {spo2} %"
            before = {m for m in sse.fired if message_part in m}
            started = time.perf_counter()
            response = client.post("/api/v1/sources/telemetri/records", json=[reading(device, spo2, heart=heart)])
            assert response.status_code == 201, response.text
            deadline = started + 10
            while time.perf_counter() < deadline:
                new = [sse.fired[m] for m in sse.fired if message_part in m and m not in before]
                if new:
                    latencies.append(new[0] - started)
                    break
                time.sleep(0.002)
            else:
                latencies.append(float("inf"))
            while time.perf_counter() - started < 1.0:  # one reading a second, like a watch
                time.sleep(0.01)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    print(f"| reading pushed over the API → its alert on an SSE client ({len(latencies)} pushes) | "
          f"p50 **{statistics.median(latencies) * 1000:.0f} ms**, p95 **{p95 * 1000:.0f} ms**, "
          f"max {latencies[-1] * 1000:.0f} ms |")



def mqtt_latency(args, prefix: str, sse: SseClient) -> None:
    """2b. one reading published to the broker → the SSE client."""
    import paho.mqtt.client as mqtt
    from urllib.parse import urlparse

    broker = urlparse(args.mqtt_url)
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}")
    publisher.connect(broker.hostname, broker.port or 1883)
    publisher.loop_start()
    topic = f"{prefix}/telemetri"
    time.sleep(1.0)  # the server's subscription is made when it starts; let it settle
    publisher.publish(topic, json.dumps(reading(f"MWARM-{os.getpid()}", 98)), qos=1).wait_for_publish()
    time.sleep(3.0)  # warm-up batch (not counted)
    latencies = []
    for n in range(args.pushes):
        spo2, heart = 60 + n % 30, 161 + n  # distinct from the API part's messages
        device = f"MQTT-{os.getpid()}-{n}"
        message_part = f"Detak jantung {heart} bpm; SpO2 {spo2} %"
        before = {m for m in sse.fired if message_part in m}
        started = time.perf_counter()
        publisher.publish(topic, json.dumps(reading(device, spo2, heart=heart)), qos=1)
        deadline = started + 10
        while time.perf_counter() < deadline:
            new = [sse.fired[m] for m in sse.fired if message_part in m and m not in before]
            if new:
                latencies.append(new[0] - started)
                break
            time.sleep(0.002)
        else:
            latencies.append(float("inf"))
        while time.perf_counter() - started < 1.0:  # one reading a second, like a watch
            time.sleep(0.01)
    publisher.loop_stop()
    publisher.disconnect()
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    print(f"| reading published to MQTT ({args.mqtt_url}) → its alert on an SSE client ({len(latencies)} readings) | "
          f"p50 **{statistics.median(latencies) * 1000:.0f} ms**, p95 **{p95 * 1000:.0f} ms**, "
          f"max {latencies[-1] * 1000:.0f} ms |", flush=True)


def sustained(args, settings, engine, base: str, token: str, sse: SseClient) -> None:
    """3. sustained readings per second, none lost."""
    con = warehouse.connect(settings.warehouse, read_only=False)
    before_rows = con.con.execute("SELECT count(*) FROM telemetri").fetchone()[0]
    con.disconnect()
    sent = 0
    out_of_range: set[str] = set()
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.seconds

    def sender(worker: int) -> int:
        nonlocal sent
        count = 0
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            batch_no = 0
            while time.perf_counter() < stop_at:
                now = datetime.now(UTC)
                rows = []
                for i in range(args.per_request):
                    device = f"S{os.getpid()}-{worker}-{batch_no}-{i}"
                    low = i == 0  # one device per request out of range
                    rows.append(reading(device, 85 if low else 98, now))
                    if low:
                        with lock:
                            out_of_range.add(device)
                response = client.post("/api/v1/sources/telemetri/records", json=rows)
                assert response.status_code == 201 and response.json()["accepted"] == len(rows), response.text
                count += len(rows)
                batch_no += 1
        with lock:
            sent += count
        return count

    started = time.perf_counter()
    with ThreadPoolExecutor(args.senders) as pool:
        list(pool.map(sender, range(args.senders)))
    elapsed = time.perf_counter() - started
    con = warehouse.connect(settings.warehouse)
    landed = con.con.execute("SELECT count(*) FROM telemetri").fetchone()[0] - before_rows
    con.disconnect()
    from sqlalchemy import text

    with engine.connect() as conn:
        alerts = conn.execute(text("SELECT count(*) FROM alert WHERE rule_id = 'telemetri_darurat' AND state = 'firing' "
                                   "AND subject LIKE 'h%'")).scalar()
    from madangan.alerts.evaluate import subject_key
    from madangan.alerts.rules import load

    rule = load(settings).rules["telemetri_darurat"]
    wanted = {subject_key(rule, d) for d in out_of_range}
    with engine.connect() as conn:
        found = {s for (s,) in conn.execute(text("SELECT subject FROM alert WHERE rule_id = 'telemetri_darurat'"))}
    missing = len(wanted - found)
    print(f"| sustained readings over the API ({args.senders} sender(s) × {args.per_request} per request, {elapsed:.0f} s) | "
          f"**{sent / elapsed:,.0f} readings/s**; sent {sent:,}, landed {landed:,}, "
          f"out-of-range devices {len(out_of_range):,}, without an alert {missing} |")
    print(f"| SSE events seen by the client | {sse.events:,} (firing alerts now {alerts:,}) |")


if __name__ == "__main__":
    main()
