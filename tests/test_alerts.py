"""Early warning: each rule kind on hand-built data, the lifecycle, what people do with an alert, the rules file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from madangan import deploy
from madangan.access import Principal, Role
from madangan.access import store as access_store
from madangan.alerts import AlertRule, baseline
from madangan.alerts import rules as rules_module
from madangan.alerts import store
from madangan.alerts.evaluate import evaluate
from madangan.alerts.models import Alert
from madangan.appdb import sessions
from madangan.config import Settings
from madangan.errors import Conflict, OutOfScope, UserError
from madangan.ingest.pipeline import ingest_records

DESA = "32.11.01.2001"  # Sumedang, kecamatan Jatinangor
MOTHER = "3211015506900001"
ADMIN = Principal(Role.ADMIN, "32.11", username="admin.test")


@pytest.fixture
def deployment(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    engine, _ = deploy.init(settings, "32.11")
    return settings, engine


def _alerts(engine, rule_id: str) -> list[Alert]:
    with sessions(engine)() as session:
        return list(session.query(Alert).filter(Alert.rule_id == rule_id).order_by(Alert.id))


def _reading(device: str, at: datetime, spo2: int = 98, heart: int = 80) -> dict:
    return {"id_perangkat": device, "waktu": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "nik_ibu": MOTHER,
            "kode_desa": DESA, "detak_jantung": heart, "sistolik": 120, "diastolik": 80, "spo2": spo2}


# --- record rules -----------------------------------------------------------------------------------------


def test_a_device_reading_outside_the_safe_range_fires_at_once_and_resolves_when_back_in_range(deployment):
    settings, engine = deployment
    now = datetime.now(UTC).replace(microsecond=0)
    result = ingest_records(settings, "32.11", "telemetri",
                            [_reading("JAM-1", now - timedelta(seconds=30), spo2=91), _reading("JAM-2", now)],
                            submitted_by="test")
    assert result.counts.accepted == 2
    (alert,) = _alerts(engine, "telemetri_darurat")  # the batch hook evaluated it: only the low SpO2 device
    assert alert.state == "firing" and alert.severity == "darurat" and alert.kode_wilayah == DESA
    assert "SpO2 91 %" in alert.message_id and MOTHER not in alert.message_id + alert.message_en
    assert MOTHER not in alert.subject  # a person's alert is named by a hash, not the NIK
    assert json.loads(alert.evidence)["nik_ibu"] == MOTHER  # the evidence keeps who it is, for those allowed

    ingest_records(settings, "32.11", "telemetri", [_reading("JAM-1", now, spo2=97)], submitted_by="test")
    (again,) = _alerts(engine, "telemetri_darurat")
    assert again.id == alert.id and again.state == "resolved"


def test_a_child_newly_below_minus_three_sd_weight_for_height_is_gizi_buruk(deployment):
    settings, engine = deployment
    today = date.today()
    born = today - timedelta(days=700)
    children = [{"nik_anak": nik, "nama_anak": name, "jenis_kelamin": "L", "tanggal_lahir": born.isoformat(),
                 "kode_desa": DESA, "posyandu": "Posyandu Mawar", "berat_lahir_kg": 3.0, "panjang_lahir_cm": 49}
                for nik, name in (("3211010101240001", "ANAK KURUS"), ("3211010101240002", "ANAK SEHAT"))]
    ingest_records(settings, "32.11", "balita", children, submitted_by="test")
    measured = today - timedelta(days=5)
    rows = [{"id_pengukuran": f"U{n}", "nik_anak": nik, "tanggal_ukur": measured.isoformat(), "umur_bulan": 23,
             "berat_kg": weight, "tinggi_cm": 84.0, "cara_ukur": "TERLENTANG", "edema": "TIDAK",
             "posyandu": "Posyandu Mawar", "kode_desa": DESA}
            for n, (nik, weight) in enumerate((("3211010101240001", 8.0), ("3211010101240002", 11.5)))]
    ingest_records(settings, "32.11", "posyandu", rows, submitted_by="test")
    (alert,) = _alerts(engine, "gizi_buruk")
    assert alert.state == "firing" and alert.value == pytest.approx(-4.26, abs=0.01)
    assert "ANAK KURUS" not in alert.message_id and "Posyandu Mawar" in alert.message_id

    # a threshold changed in the rules file (no code): −4.5 SD no longer catches this child
    (settings.data_dir / "peringatan.toml").write_text("[aturan.gizi_buruk]\nbatas_whz = -4.5\n")
    evaluate(settings, engine, only=["gizi_buruk"])
    assert _alerts(engine, "gizi_buruk")[0].state == "resolved"


# --- place rules ------------------------------------------------------------------------------------------


def _facts(settings, indicator: str, rows: list[tuple[str, str, str, float, float]], level: str = "desa") -> None:
    """Hand-built indicator facts (region, month, …) and empty source tables, in the deployment's warehouse."""
    from madangan.indicators.engine import indicators

    con = duckdb.connect(str(settings.warehouse))
    con.execute("""CREATE TABLE IF NOT EXISTS fakta_indikator (indicator VARCHAR, level VARCHAR, kode_wilayah VARCHAR,
                   bulan DATE, dimensi VARCHAR, kategori VARCHAR, numerator DOUBLE, denominator DOUBLE, value DOUBLE,
                   computed_at TIMESTAMP)""")
    for source in indicators()[indicator].sources:
        con.execute(f"CREATE TABLE IF NOT EXISTS {source} (x INTEGER)")
    for region, month, _, numerator, denominator in rows:
        con.execute("INSERT INTO fakta_indikator VALUES (?, ?, ?, ?, '', '', ?, ?, ?, now())",
                    [indicator, level, region, month, numerator, denominator,
                     100.0 * numerator / denominator if denominator else None])
    con.close()


def test_a_village_above_the_stunting_threshold_or_up_by_n_points_raises_one_alert_each(deployment):
    settings, engine = deployment
    _facts(settings, "prevalensi_stunting", [
        ("32.11.01.2001", "2026-09-01", "", 10, 100), ("32.11.01.2001", "2026-10-01", "", 25, 100),  # 25 %: above 20
        ("32.11.01.2002", "2026-09-01", "", 5, 100), ("32.11.01.2002", "2026-10-01", "", 12, 100),  # up 7 points
        ("32.11.01.2003", "2026-09-01", "", 10, 100), ("32.11.01.2003", "2026-10-01", "", 11, 100),  # fine
        ("32.11.01.2004", "2026-10-01", "", 3, 5),  # 60 % but only 5 children measured: too few to judge
    ])
    evaluate(settings, engine, only=["stunting_desa"])
    firing = {a.subject: a for a in _alerts(engine, "stunting_desa")}
    assert set(firing) == {"32.11.01.2001", "32.11.01.2002"}
    assert "25,0 %" in firing["32.11.01.2001"].message_id and "10,0 %" in firing["32.11.01.2001"].message_id
    evaluate(settings, engine, only=["stunting_desa"])  # re-evaluation: still two alerts, not four
    assert len(_alerts(engine, "stunting_desa")) == 2


def test_weighing_participation_below_80_percent(deployment):
    settings, engine = deployment
    _facts(settings, "skdn_partisipasi", [("32.11.01.2001", "2026-10-01", "", 70, 100),
                                         ("32.11.01.2002", "2026-10-01", "", 85, 100)])
    evaluate(settings, engine, only=["partisipasi_ds_rendah"])
    assert [a.subject for a in _alerts(engine, "partisipasi_ds_rendah")] == ["32.11.01.2001"]


# --- trend rules ------------------------------------------------------------------------------------------


def test_robust_baseline_ignores_one_bad_year_that_mean_and_sd_would_swallow():
    history = [20, 22, 21, 19, 23, 80, 21, 20, 22]  # one outbreak year in the baseline
    verdict = baseline.judge(45, history)
    assert verdict.method == "mad" and verdict.anomaly
    import statistics

    mean, sd = statistics.mean(history), statistics.stdev(history)
    assert 45 < mean + 2 * sd  # plain mean + 2 SD would have missed it
    assert not baseline.judge(24, history).anomaly


def test_small_counts_are_judged_by_a_poisson_tail_not_a_zero_mad():
    assert baseline.judge(6, [0, 1, 0, 1, 0, 0]).anomaly  # P(X ≥ 6 | λ = 0.5) ≈ 1e-5
    assert not baseline.judge(2, [0, 1, 0, 1, 0, 0]).anomaly  # 2 cases: fewer than `minimal`
    assert not baseline.judge(3, [2, 3, 4, 3, 2, 3]).anomaly
    assert baseline.judge(5, [1]) is None  # one baseline value is too little to judge


def test_a_kecamatan_with_wasting_cases_far_above_the_same_months_of_earlier_years(deployment):
    settings, engine = deployment
    rows = []
    for year in (2023, 2024, 2025):
        for month in (9, 10, 11):
            rows.append(("32.11.01", f"{year}-{month:02d}-01", "", 2 + (month % 2), 300))
            rows.append(("32.11.02", f"{year}-{month:02d}-01", "", 2 + (month % 2), 300))
    rows += [("32.11.01", "2026-10-01", "", 12, 300), ("32.11.02", "2026-10-01", "", 3, 300)]
    _facts(settings, "prevalensi_wasting", rows, level="kecamatan")
    evaluate(settings, engine, only=["wasting_melonjak"])
    (alert,) = _alerts(engine, "wasting_melonjak")
    assert alert.subject == "32.11.01" and alert.value == 12
    evidence = json.loads(alert.evidence)
    assert evidence["metode"] == "poisson" and evidence["n_dasar"] == 9


# --- the lifecycle ----------------------------------------------------------------------------------------


def _rule(pending: float = 0.0, keep: float = 0.0, sla: float = 24.0) -> rules_module.EffectiveRule:
    rule = AlertRule(id="uji", sector="health", kind="place", title={"id": "Uji", "en": "Test"},
                     message={"id": "Uji", "en": "Test"}, compute=lambda t, c: None)
    return rules_module.EffectiveRule(rule, {}, severity="tinggi", pending_minutes=pending, keep_firing_minutes=keep,
                                      sla_hours=sla)


def _match(subject: str = "32.11.01.2001") -> dict[str, store.Match]:
    return {subject: store.Match(subject, subject, 1.0, "uji", "test")}


def _state(engine, subject: str = "32.11.01.2001") -> str:
    with sessions(engine)() as session:
        return session.query(Alert).filter(Alert.subject == subject).one().state


def test_pending_fires_only_after_its_for_duration_then_recovers_before_resolving(deployment):
    _, engine = deployment
    rule, t0 = _rule(pending=10, keep=5), datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    store.apply(engine, rule, _match(), t0, "test")
    assert _state(engine) == "pending"
    store.apply(engine, rule, _match(), t0 + timedelta(minutes=9), "test")
    assert _state(engine) == "pending"
    store.apply(engine, rule, _match(), t0 + timedelta(minutes=10), "test")
    assert _state(engine) == "firing"
    store.apply(engine, rule, {}, t0 + timedelta(minutes=11), "test")
    assert _state(engine) == "recovering"
    store.apply(engine, rule, _match(), t0 + timedelta(minutes=12), "test")  # back: firing again, same episode
    assert _state(engine) == "firing"
    store.apply(engine, rule, {}, t0 + timedelta(minutes=13), "test")
    store.apply(engine, rule, {}, t0 + timedelta(minutes=17), "test")
    assert _state(engine) == "recovering"
    store.apply(engine, rule, {}, t0 + timedelta(minutes=18), "test")
    assert _state(engine) == "resolved"
    with sessions(engine)() as session:
        assert session.query(Alert).count() == 1  # one alert per rule × subject, however often evaluated


def test_a_pending_alert_whose_condition_clears_goes_back_to_normal(deployment):
    _, engine = deployment
    rule, t0 = _rule(pending=10), datetime(2026, 11, 1, tzinfo=UTC)
    store.apply(engine, rule, _match(), t0, "test")
    store.apply(engine, rule, {}, t0 + timedelta(minutes=1), "test")
    assert _state(engine) == "normal"


def test_a_rule_whose_source_is_missing_shows_no_data_and_a_broken_rule_an_error(deployment):
    settings, engine = deployment
    evaluate(settings, engine, only=["telemetri_darurat"])
    assert store.rule_health(engine)["telemetri_darurat"].health == "no_data"

    def broken(tables, ctx):
        raise ValueError("kolom hilang")

    bad = AlertRule(id="rusak", sector="health", kind="place", title={"id": "Rusak", "en": "Broken"},
                    message={"id": "x", "en": "x"}, compute=broken, sources=("wilayah",))
    ruleset = rules_module.RuleSet({"rusak": rules_module.EffectiveRule(bad, {})})
    evaluate(settings, engine, ruleset)
    (alert,) = _alerts(engine, "rusak")
    assert alert.state == "error" and "kolom hilang" in alert.message_id


# --- what people do ---------------------------------------------------------------------------------------


def test_acknowledge_assign_resolve_and_reopen_are_recorded_and_audited(deployment):
    _, engine = deployment
    rule = _rule()
    store.apply(engine, rule, _match(), store.now(), "test")
    (alert,) = _alerts(engine, "uji")
    store.acknowledge(engine, alert.id, ADMIN, "Bidan desa sudah dihubungi")
    store.assign(engine, alert.id, ADMIN, "Puskesmas Jatinangor")
    with pytest.raises(UserError):
        store.resolve(engine, alert.id, ADMIN, "  ")  # a reason is required
    store.resolve(engine, alert.id, ADMIN, "Anak sudah dirujuk")
    got = store.get(engine, alert.id, ADMIN)
    assert (got.state, got.acknowledged_by, got.ack_comment, got.assignee, got.resolution) == (
        "resolved", "admin.test", "Bidan desa sudah dihubungi", "Puskesmas Jatinangor", "Anak sudah dirujuk")
    # resolved by a person while the condition still holds: re-evaluation does not bring it back
    store.apply(engine, rule, _match(), store.now(), "test")
    assert _state(engine) == "resolved"
    with pytest.raises(Conflict):
        store.resolve(engine, alert.id, ADMIN, "lagi")
    store.reopen(engine, alert.id, ADMIN, "Anak belum datang ke puskesmas")
    got = store.get(engine, alert.id, ADMIN)
    assert got.state == "firing" and got.acknowledged_by is None  # a new episode waits for a new acknowledgement
    kinds = [e.kind for e in store.timeline(engine, alert.id)]
    assert kinds == ["state", "ack", "assign", "state", "state"]
    audited = [e.action for e in access_store.audit_entries(engine, "admin.test")]
    assert {"alert.ack", "alert.assign", "alert.resolve", "alert.reopen"} <= set(audited)


def test_an_alert_outside_the_callers_village_cannot_be_seen_or_acted_on(deployment):
    _, engine = deployment
    store.apply(engine, _rule(), _match("32.11.01.2001"), store.now(), "test")
    (alert,) = _alerts(engine, "uji")
    other_village = Principal(Role.DESA, "32.11.01.2002", username="desa.lain")
    with pytest.raises(OutOfScope):
        store.acknowledge(engine, alert.id, other_village, "")
    items, total = store.search(engine, other_village, store.AlertFilter())
    assert total == 0 and items == []


def test_unacknowledged_alerts_escalate_one_level_per_sla_up_to_the_sekda(deployment):
    _, engine = deployment
    rule = _rule(sla=2)
    fired = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    store.apply(engine, rule, _match(), fired, "test")
    ruleset = rules_module.RuleSet({"uji": rule})
    assert store.escalate_due(engine, ruleset, fired + timedelta(hours=1)).events == []
    levels = []
    for hours in (2, 4, 6, 8, 10):
        store.escalate_due(engine, ruleset, fired + timedelta(hours=hours))
        levels.append(_alerts(engine, "uji")[0].escalation_level)
    assert levels == [1, 2, 3, 3, 3]  # desa → kecamatan → OPD head → Sekda, and no further
    # acknowledged in time: no escalation
    store.apply(engine, rule, _match("32.11.01.2002"), fired, "test")
    second = _alerts(engine, "uji")[1]
    store.acknowledge(engine, second.id, ADMIN, "ditangani")
    store.escalate_due(engine, ruleset, fired + timedelta(hours=30))
    assert _alerts(engine, "uji")[1].escalation_level == 0


def test_a_silence_is_time_boxed_needs_a_reason_and_covers_its_region(deployment):
    _, engine = deployment
    with pytest.raises(UserError):
        store.add_silence(engine, ADMIN, 2, "")
    with pytest.raises(OutOfScope):
        store.add_silence(engine, Principal(Role.DESA, DESA, username="desa"), 2, "banjir")
    store.add_silence(engine, ADMIN, 2, "Pemeliharaan jam pintar", rule_id="uji", kode_wilayah="32.11.01")
    store.apply(engine, _rule(), {**_match("32.11.01.2001"), **_match("32.11.02.2001")}, store.now(), "test")
    silences = store.active_silences(engine)
    inside, outside = _alerts(engine, "uji")
    assert store.silenced_by(inside, silences) is not None and store.silenced_by(outside, silences) is None
    assert store.active_silences(engine, store.now() + timedelta(hours=3)) == []


# --- the rules file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, field", [
    ("[aturan.gizi_buruk]\nbatas_whz = 'rendah'\n", "aturan.gizi_buruk.batas_whz"),
    ("[aturan.gizi_buruk]\nbatas_wzh = -3\n", "aturan.gizi_buruk.batas_wzh"),
    ("[aturan.tidak_ada]\naktif = false\n", "aturan.tidak_ada"),
    ("[aturan.telemetri_darurat]\nkeparahan = 'gawat'\n", "aturan.telemetri_darurat.keparahan"),
    ("[aturan.balita_2t]\nsla_jam = 0\n", "aturan.balita_2t.sla_jam"),
    ("[[rute]]\nnama = 'WA'\nwebhook = 'ftp://x'\n", "rute[0].webhook"),
    ("[[rute]]\nnama = 'WA'\n", "rute[0].webhook"),
    ("[[rute]]\nnama = 'Surel'\nsurel = ['bukan-alamat']\n", "rute[0].surel"),
    ("[[rute]]\nnama = 'WA'\nwebhook = 'http://x'\ntemplat = '{\"a\": {{ alert.id }'\n", "rute[0].templat"),
    ("[surel]\nport = 'dua lima'\n", "surel.port"),
    ("[pengiriman]\nmaks_percobaan = 0\n", "pengiriman.maks_percobaan"),
    ("[peringatn]\n", "peringatn"),
])
def test_a_bad_rules_file_is_refused_at_load_naming_the_field(tmp_path, text, field):
    path = tmp_path / "peringatan.toml"
    path.write_text(text)
    with pytest.raises(UserError) as raised:
        rules_module.load(path=path)
    assert f": {field}:" in str(raised.value)


def test_a_good_rules_file_changes_thresholds_severity_and_routes(tmp_path):
    path = tmp_path / "peringatan.toml"
    path.write_text("""
[aturan.stunting_desa]
batas_atas = 14.0
keparahan = "darurat"
tunda_menit = 30

[aturan.balita_2t]
aktif = false

[[rute]]
nama = "Grup WA Dinkes Jatinangor"
webhook = "http://127.0.0.1:9/kirim"
templat = "chat"
sektor = ["health"]
wilayah = "32.11.01"
""")
    ruleset = rules_module.load(path=path)
    stunting = ruleset.rules["stunting_desa"]
    assert stunting.params["batas_atas"] == 14.0 and stunting.params["naik_poin"] == 5.0
    assert stunting.severity == "darurat" and stunting.pending_minutes == 30
    assert not ruleset.rules["balita_2t"].enabled
    (route,) = ruleset.routes
    assert route.matches(stunting, "32.11.01.2001", "desa") and not route.matches(stunting, "32.11.02.2001", "desa")
    assert not route.matches(ruleset.rules["belanja_opd_tertinggal"], None, "desa")


@pytest.mark.postgres
def test_the_lifecycle_and_people_actions_on_postgresql(postgres_url):
    from madangan.appdb import make_engine, migrate

    engine = make_engine(postgres_url)
    migrate(engine)
    try:
        rule, t0 = _rule(pending=5), datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
        store.apply(engine, rule, _match(), t0, "test")
        store.apply(engine, rule, _match(), t0 + timedelta(minutes=5), "test")
        (alert,) = _alerts(engine, "uji")
        assert alert.state == "firing" and store.aware(alert.fired_at) == t0 + timedelta(minutes=5)
        store.acknowledge(engine, alert.id, ADMIN, "ok")
        store.resolve(engine, alert.id, ADMIN, "selesai")
        store.apply(engine, rule, {}, t0 + timedelta(minutes=6), "test")  # condition clears: the hold lifts
        store.apply(engine, rule, _match(), t0 + timedelta(minutes=7), "test")
        assert _state(engine) == "pending"  # a new episode starts over
        items, total = store.search(engine, ADMIN, store.AlertFilter(state=["all"]))
        assert total == 1 and items[0].acknowledged_by is None
    finally:
        engine.dispose()


def test_a_pregnancy_without_an_antenatal_contact_for_45_days_is_a_missed_visit():
    import ibis

    from madangan.alerts import RuleContext
    from madangan.alerts.rules import declared

    today = date(2026, 11, 20)
    k = ibis.memtable({"id_kehamilan": ["A", "B", "C", "D"], "kode_desa": [DESA] * 4, "nik_ibu": [MOTHER] * 4,
                       "nama_ibu": ["IBU"] * 4, "tanggal_daftar": [date(2026, 6, 1)] * 3 + [date(2026, 11, 1)],
                       "hpl": [date(2027, 1, 10), date(2027, 1, 10), date(2026, 10, 1), date(2027, 5, 1)],
                       "tanggal_persalinan": [None, None, None, None]},
                      schema={"id_kehamilan": "string", "kode_desa": "string", "nik_ibu": "string", "nama_ibu": "string",
                              "tanggal_daftar": "date", "hpl": "date", "tanggal_persalinan": "date"})
    a = ibis.memtable({"id_kehamilan": ["A", "B"], "tanggal_kunjungan": [date(2026, 9, 1), date(2026, 11, 1)]})
    rule = declared()["anc_terlewat"]
    ctx = RuleContext(params=rule.params, today=today, now=datetime(2026, 11, 20), region_code="32.11")
    rows = rule.compute({"kehamilan": k, "anc": a}, ctx).to_pyarrow().to_pylist()
    # A: last visit 80 days ago; B visited 19 days ago; C is past its due date; D registered 19 days ago
    assert [(r["subject"], r["hari_sejak"]) for r in rows] == [("A", 80)]


def test_a_reason_of_only_blank_or_separator_characters_is_outside_the_api_schema():
    """The API refuses it at the schema (422), as the store would (400): a separator U+001C–U+001F counts as blank."""
    from pydantic import ValidationError

    from madangan.alerts.web import ReasonIn

    for blank in (" ", "\x1c", " \x1f\t", "\xa0"):
        with pytest.raises(ValidationError):
            ReasonIn(reason=blank)
    assert ReasonIn(reason="Anak sudah dirujuk").reason == "Anak sudah dirujuk"
