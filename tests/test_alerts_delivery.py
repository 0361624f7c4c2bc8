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
from madangan.alerts.models import Alert, AlertDelivery
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


def _fire(engine, ruleset, rule_id: str, subjects: dict[str, str | None]) -> tuple[dict[str, int], dict[int, int]]:
    """Alerts of `rule_id` fire about `subjects` (subject → region), as one evaluation finds them; returns the alert
    id of each subject and how many deliveries each alert got queued."""
    matches = {s: store.Match(s, region, 1.0, f"Uji {rule_id}", f"Test {rule_id}") for s, region in subjects.items()}
    with sessions(engine)() as session:
        before = session.query(AlertDelivery).count()
    changes = store.apply(engine, ruleset.rules[rule_id], matches, store.now(), "test")
    notify.enqueue(engine, ruleset, changes)
    with sessions(engine)() as session:
        ids = {a.subject: a.id for a in session.query(Alert).filter(Alert.rule_id == rule_id)}
        queued = {i: 0 for i in ids.values()}
        for d in session.query(AlertDelivery).order_by(AlertDelivery.id).offset(before):
            queued[d.alert_id] += 1
    return ids, queued


def _deliveries(engine) -> list[tuple[int, str, str]]:
    with sessions(engine)() as session:
        return [(d.alert_id, d.route, d.target) for d in session.query(AlertDelivery).order_by(AlertDelivery.id)]


ROUTED = """
[[penerima]]
nama = "Dinkes"
surel = ["kadis@dinkes.sumedangkab.go.id"]
[[penerima]]
nama = "Piket"
webhook = "http://127.0.0.1:9/piket"
templat = "chat"
[[rute]]
nama = "Darurat kesehatan Jatinangor"
penerima = "Dinkes"
cocok = {sektor = "health", keparahan = ["darurat", "tinggi"], kecamatan = "32.11.01"}
berhenti = true
[[rute]]
nama = "Semua yang lain"
penerima = "Piket"
cocok = {opd = "!BPKAD"}
"""


def test_routes_match_alert_labels_in_order_and_a_matching_route_can_end_the_search(engine):
    ruleset = _ruleset(ROUTED)
    ids, _ = _fire(engine, ruleset, "gizi_buruk", {"h-1": "32.11.01.2001", "h-2": "32.11.02.2001"})
    budget, _ = _fire(engine, ruleset, "belanja_opd_tertinggal", {"opd-1": "32.11"})
    sent = _deliveries(engine)
    # Jatinangor's urgent case goes to Dinkes only (berhenti); another kecamatan's to the on-call chat; BPKAD's nowhere
    assert [(r, t) for a, r, t in sent if a == ids["h-1"]] == [("Darurat kesehatan Jatinangor",
                                                                 "kadis@dinkes.sumedangkab.go.id")]
    assert [(r, t) for a, r, t in sent if a == ids["h-2"]] == [("Semua yang lain", "http://127.0.0.1:9/piket")]
    assert [a for a, _, _ in sent if a == budget["opd-1"]] == []
    # the preview says the same before anything fires
    desa = notify.preview(ruleset, "gizi_buruk", "32.11.01.2005")[0]
    assert [t["route"] for t in desa["targets"]] == ["Darurat kesehatan Jatinangor"]
    assert notify.preview(ruleset, "belanja_opd_tertinggal", "32.11")[0]["targets"] == []
    labels = notify.inhibition_preview(ruleset, "gizi_buruk", "32.11.01.2005")["labels"]
    assert labels["kecamatan"] == ["32.11.01"] and labels["desa"] == ["32.11.01.2005"] and labels["keluarga"] == ["gizi"]
    assert set(labels["sumber"]) == {"posyandu", "balita"}


INHIBITED = """
[[rute]]
nama = "WA Dinkes"
webhook = "http://127.0.0.1:9/wa"
[[hambat]]
nama = "Stunting desa meredam peringatan per anak"
sumber = {aturan = "stunting_desa"}
sasaran = {keluarga = "gizi", jenis = "record"}
sama = ["desa"]
alasan = "Satu penanganan untuk seluruh desa"
[[hambat]]
nama = "Sumber basi"
sumber = {aturan = "sumber_basi"}
sasaran = {aturan = "!sumber_basi"}
sama = ["sumber"]
"""


def test_a_desa_stunting_alert_inhibits_per_child_alerts_of_the_same_desa_only(engine):
    from madangan.access import Principal, Role

    ruleset = _ruleset(INHIBITED)
    desa, queued = _fire(engine, ruleset, "stunting_desa", {"32.11.01.2001": "32.11.01.2001"})
    desa_alert = desa["32.11.01.2001"]
    assert queued[desa_alert] == 1  # the place alert itself is notified
    children, queued = _fire(engine, ruleset, "balita_2t", {"h-1": "32.11.01.2001", "h-2": "32.11.01.2002"})
    device, queued_device = _fire(engine, ruleset, "telemetri_darurat", {"d-1": "32.11.01.2001"})  # not family "gizi"
    assert (queued[children["h-1"]], queued[children["h-2"]], queued_device[device["d-1"]]) == (0, 1, 1)
    timeline = store.timeline(engine, children["h-1"])
    assert [e.kind for e in timeline] == ["state", "inhibited"] and f"#{desa_alert}" in timeline[-1].note
    # the preview: who would hear a new 2T child in that desa (nobody now, and why), and next door
    now = notify.inhibition_preview(ruleset, "balita_2t", "32.11.01.2001", engine)
    assert [i["alert_id"] for i in now["inhibited_by"]] == [desa_alert]
    assert [r["name"] for r in now["rules"]] == ["Stunting desa meredam peringatan per anak", "Sumber basi"]
    assert notify.inhibition_preview(ruleset, "balita_2t", "32.11.01.2002", engine)["inhibited_by"] == []
    # once the desa alert is resolved, a new child in that desa is notified again
    store.resolve(engine, desa_alert, Principal(Role.ADMIN, "32.11", username="admin"), "Intervensi desa berjalan")
    children, queued = _fire(engine, ruleset, "balita_2t", {"h-1": "32.11.01.2001", "h-2": "32.11.01.2002",
                                                            "h-3": "32.11.01.2001"})
    assert queued[children["h-3"]] == 1


def test_a_stale_source_alert_inhibits_the_alerts_computed_from_that_source(engine):
    ruleset = _ruleset(INHIBITED)
    stale, queued = _fire(engine, ruleset, "sumber_basi", {"posyandu": "32.11"})
    assert queued[stale["posyandu"]] == 1
    child, from_posyandu = _fire(engine, ruleset, "gizi_buruk", {"h-1": "32.11.02.2001"})  # reads posyandu and balita
    device, from_telemetry = _fire(engine, ruleset, "telemetri_darurat", {"d-1": "32.11.02.2001"})
    place, from_indicator = _fire(engine, ruleset, "partisipasi_ds_rendah", {"32.11.02.2001": "32.11.02.2001"})
    assert (from_posyandu[child["h-1"]], from_telemetry[device["d-1"]], from_indicator[place["32.11.02.2001"]]) == (0, 1, 0)
    assert notify.inhibition_preview(ruleset, "anc_terlewat", "32.11.02.2001", engine)["inhibited_by"] == []
    assert [i["alert_id"] for i in notify.inhibition_preview(ruleset, "gizi_buruk", "32.11.02.2001",
                                                             engine)["inhibited_by"]] == [stale["posyandu"]]


@pytest.mark.parametrize(("text", "named"), [
    ('[[rute]]\nnama = "x"\nwebhook = "http://a/b"\ncocok = {desaa = "32.11.01.2001"}\n', "rute[0].cocok.desaa"),
    ('[[rute]]\nnama = "x"\npenerima = "Tidak ada"\n', "rute[0].penerima"),
    ('[[penerima]]\nnama = "x"\n', "penerima[0].webhook"),
    ('[[hambat]]\nsumber = {aturan = "tidak_ada"}\nsasaran = {jenis = "record"}\n', "hambat[0].sumber"),
    ('[[hambat]]\nsumber = {aturan = "sumber_basi"}\nsasaran = {jenis = "~(record"}\n', "hambat[0].sasaran.jenis"),
    ('[[hambat]]\nsumber = {aturan = "sumber_basi"}\nsasaran = {}\n', "hambat[0].sasaran"),
    ('[[hambat]]\nsumber = {aturan = "sumber_basi"}\nsasaran = {jenis = "record"}\nsama = ["kampung"]\n', "hambat[0].sama"),
    ('[[hambat]]\nsumber = {aturan = "sumber_basi"}\nsasaran = {jenis = "record"}\nsamaa = ["desa"]\n', "hambat[0].samaa"),
])
def test_bad_routing_and_inhibition_definitions_are_refused_naming_the_field(text, named):
    from madangan.errors import UserError

    with pytest.raises(UserError, match=__import__("re").escape(named)):
        _ruleset(text)
