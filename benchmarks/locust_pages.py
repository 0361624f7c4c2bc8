"""Locust scenario for benchmarks/bench_pages.py: page fragments and the indicator API, as open dashboards use them.

Signed in with the session cookie in MADANGAN_BENCH_COOKIE (bench_pages.py logs in once: the login form is
rate-limited per address). MADANGAN_BENCH_WAIT: seconds each simulated client waits between requests
(0 = as fast as it can). MADANGAN_BENCH_JITTER=1: each pause drawn between half and one and a half times that,
as people reading a dashboard click; without it all clients, started together, click in the same instant every
round (a burst of 50 requests at once: the worst case).
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, between, constant, task

INDICATORS = ["prevalensi_stunting", "skdn_partisipasi", "ketepatan_sasaran_bansos", "kepatuhan_standar_layanan",
              "kehamilan_risiko_tinggi", "cakupan_bansos_desil_1_4", "balita_2t"]
THEMES = ["", "kependudukan", "kemiskinan-bansos", "stunting-gizi", "kesehatan-ibu", "layanan-publik", "keuangan-daerah"]
KECAMATAN = [f"32.11.{n:02d}" for n in range(1, 27)]


class Dashboard(FastHttpUser):
    """FastHttpUser (geventhttpclient): the load generator shares the 2 cores with the server, so it should cost little."""

    _wait = float(os.environ.get("MADANGAN_BENCH_WAIT", "0"))
    wait_time = between(_wait / 2, _wait * 1.5) if os.environ.get("MADANGAN_BENCH_JITTER") == "1" else constant(_wait)
    default_headers = {"Cookie": f"madangan_session={os.environ.get('MADANGAN_BENCH_COOKIE', '')}"}

    @task(4)
    def map_fragment(self):
        level = random.choice(["kecamatan", "desa"])
        self.client.get(f"/fragmen/peta?indikator={random.choice(INDICATORS)}&tingkat={level}",
                        name=f"/fragmen/peta (tingkat={level})")

    @task(2)
    def kecamatan_map_fragment(self):
        self.client.get(f"/fragmen/peta?wilayah={random.choice(KECAMATAN)}&indikator={random.choice(INDICATORS)}",
                        name="/fragmen/peta?wilayah=kecamatan")

    @task(2)
    def wall_slide(self):
        self.client.get(f"/fragmen/layar?tema={random.choice(THEMES)}", name="/fragmen/layar")

    @task(3)
    def indicator_api(self):
        self.client.get(f"/api/v1/indicators/{random.choice(INDICATORS)}?region=32.11&level=kecamatan"
                        "&period=2026-01:2026-10", name="/api/v1/indicators/{id} (kecamatan × 10 months)")

    @task(1)
    def overview(self):
        self.client.get("/", name="/ (overview page)")
