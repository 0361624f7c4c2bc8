"""Notifications against real local services: a webhook receiver that fails then succeeds, an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from madangan import deploy
from madangan.alerts import rules as rules_module
from madangan.alerts import notify, store
from madangan.alerts.models import AlertDelivery
from madangan.appdb import sessions
from madangan.config import Settings


@pytest.fixture
def engine(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    engine, _ = deploy.init(settings, "32.11")
    return engine


def fire_one(engine, ruleset: rules_module.RuleSet, rule_id: str) -> int:
    """One alert of a declared rule fires in Desa Cibeusi (as an evaluation would make it); returns deliveries queued."""
    rule = ruleset.rules[rule_id]
    values = {**rule.params, "wilayah": "Cibeusi", "posyandu": "Mawar", "tanggal_ukur": "2026-11-20", "tanda": "SpO2 90 %",
              "hari_ke_hpl": 10, "rencana_persalinan": "RUMAH"}
    match = store.Match("h-uji", "32.11.01.2001", 1.0, rule.rule.text("id", values), rule.rule.text("en", values),
                        {"nik": "3211010101240001"})
    changes = store.apply(engine, rule, {"h-uji": match}, store.now(), "test")
    return notify.enqueue(engine, ruleset, changes)


class Receiver:
    """A real HTTP server on localhost that answers 503 for the first `failures` requests, then 200."""

    def __init__(self, failures: int):
        self.failures, self.bodies, self.statuses = failures, [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if len(outer.statuses) < outer.failures else 200
                outer.statuses.append(status)
                if status == 200:
                    outer.bodies.append(json.loads(body))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kirim"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def _ruleset(text: str) -> rules_module.RuleSet:
    return rules_module.parse(__import__("tomllib").loads(text))


def test_a_webhook_that_fails_is_retried_with_backoff_until_it_succeeds(engine):
    receiver = Receiver(failures=2)
    try:
        ruleset = _ruleset(f"""
[[rute]]
nama = "Gateway WA Dinkes"
webhook = "{receiver.url}"
templat = "chat"
sektor = ["health"]
[pengiriman]
jeda_awal_detik = 0.2
""")
        assert fire_one(engine, ruleset, "gizi_buruk") == 1
        sent, failed = notify.deliver_due(engine, ruleset)
        assert (sent, failed) == (0, 1)
        (row,) = notify.deliveries(engine)
        assert row.status == "pending" and row.attempts == 1 and "503" in row.last_error  # visible, not dropped
        assert notify.deliver_due(engine, ruleset) == (0, 0)  # not due yet: backing off
        time.sleep(0.25)
        assert notify.deliver_due(engine, ruleset) == (0, 1)
        time.sleep(0.45)  # second wait is twice the first
        assert notify.deliver_due(engine, ruleset) == (1, 0)
        (row,) = notify.deliveries(engine)
        assert row.status == "sent" and row.attempts == 3
        assert receiver.statuses == [503, 503, 200]
        (body,) = receiver.bodies
        assert "Balita gizi buruk" in body["text"] and "3211" not in body["text"]  # the message, no NIK
    finally:
        receiver.close()


def test_a_notification_that_never_gets_through_stays_failed_and_can_be_sent_again(engine):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    ruleset = _ruleset(f"""
[[rute]]
nama = "Mati"
webhook = "http://127.0.0.1:{dead}/x"
[pengiriman]
maks_percobaan = 2
jeda_awal_detik = 0
""")
    fire_one(engine, ruleset, "telemetri_darurat")
    notify.deliver_due(engine, ruleset)
    notify.deliver_due(engine, ruleset)
    (row,) = notify.deliveries(engine, "failed")
    assert row.attempts == 2 and row.last_error
    notify.retry(engine, row.id, "admin")
    assert notify.deliveries(engine, "pending")[0].id == row.id


def test_email_goes_out_through_a_real_smtp_server(engine):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        ruleset = _ruleset(f"""
[[rute]]
nama = "Kadinkes"
surel = ["kadinkes@sumedangkab.go.id"]
tingkat = ["desa"]
[surel]
host = "127.0.0.1"
port = {port}
pengirim = "peringatan@sumedangkab.go.id"
""")
        fire_one(engine, ruleset, "krst_dekat_persalinan")
        assert notify.deliver_due(engine, ruleset) == (1, 0)
        (mail,) = received
        assert mail["To"] == "kadinkes@sumedangkab.go.id"
        assert mail["Subject"].startswith("[Madangan] DARURAT: Ibu hamil KRST")
        assert "Pastikan rujukan ke rumah sakit" in mail.get_payload(decode=True).decode()
    finally:
        controller.stop()


def test_a_silenced_alert_is_not_sent_and_its_timeline_says_so(engine):
    from madangan.access import Principal, Role

    ruleset = _ruleset('[[rute]]\nnama = "WA"\nwebhook = "http://127.0.0.1:9/x"\n')
    store.add_silence(engine, Principal(Role.ADMIN, "32.11", username="admin"), 4, "Uji coba perangkat")
    fire_one(engine, ruleset, "telemetri_darurat")
    with sessions(engine)() as session:
        assert session.query(AlertDelivery).count() == 0
    alert_id = store.search(engine, Principal(Role.ADMIN, "32.11"), store.AlertFilter())[0][0].id
    assert [e.kind for e in store.timeline(engine, alert_id)] == ["state", "silenced"]


def test_who_will_be_notified_follows_the_escalation_ladder(engine):
    ruleset = _ruleset("""
[[rute]]
nama = "Bidan desa"
webhook = "http://127.0.0.1:9/desa"
tingkat = ["desa"]
wilayah = "32.11.01"
[[rute]]
nama = "Sekda"
surel = ["sekda@sumedangkab.go.id"]
tingkat = ["sekda"]
""")
    levels = {p["level"]: p for p in notify.preview(ruleset, "gizi_buruk", "32.11.01.2001")}
    assert [t["route"] for t in levels["desa"]["targets"]] == ["Bidan desa"]
    assert levels["kecamatan"]["targets"] == [] and levels["kecamatan"]["after_hours"] == 24
    assert levels["sekda"]["targets"][0]["target"] == "sekda@sumedangkab.go.id"
    elsewhere = {p["level"]: p for p in notify.preview(ruleset, "gizi_buruk", "32.11.02.2001")}
    assert elsewhere["desa"]["targets"] == []


def test_many_alerts_of_one_rule_firing_together_go_out_as_one_grouped_notification(engine):
    receiver = Receiver(failures=0)
    try:
        ruleset = _ruleset(f'[[rute]]\nnama = "WA"\nwebhook = "{receiver.url}"\n[pengiriman]\nkelompok_min = 3\n')
        rule = ruleset.rules["balita_2t"]
        matches = {f"h{n}": store.Match(f"h{n}", f"32.11.01.200{n}", 1.0, f"Balita {n}", f"Child {n}")
                   for n in range(1, 5)}
        changes = store.apply(engine, rule, matches, store.now(), "test")
        assert notify.enqueue(engine, ruleset, changes) == 1
        assert notify.deliver_due(engine, ruleset) == (1, 0)
        (body,) = receiver.bodies
        assert body["alert"]["count"] == 4 and len(body["alerts"]) == 4
        assert body["alert"]["message"].startswith("4 peringatan 'Balita 2T")
    finally:
        receiver.close()
