"""Verval end to end: a run over a synthetic regency, stable findings, field outcomes, worklists and the API."""

from __future__ import annotations

import json
import re

import openpyxl
import polars as pl
import pytest
from conftest import login
from fastapi.testclient import TestClient

from madangan import deploy, synth
from madangan.access import Role, store as access_store
from madangan.config import Settings
from madangan.errors import Conflict, UserError
from madangan.ingest.pipeline import ingest_records
from madangan.verval import engine as verval
from madangan.verval import store
from madangan.verval.scoring import EXPECTED_RULE, expected_and_found, precision_recall
from madangan.verval.worklist import export_xlsx
from madangan.web.app import create_app

#: Rules that must find exactly what the generator injected (the others: see test_linkage_… and the benchmark).
DETERMINISTIC = {kind for kind in EXPECTED_RULE if kind not in ("duplikat_nik_berbeda", "pengukuran_tidak_wajar")}


@pytest.fixture(scope="module")
def regency(tmp_path_factory):
    """A deployment of its own (these tests change finding statuses): 4,000 residents, verified by the demo."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("verval") / "data")
    result = deploy.demo(settings, "32.11", 4000, seed=11)
    engine, _ = deploy.open_deployment(settings)
    return settings, engine, {u: p for u, _, _, p in result.accounts}


def findings_of(engine, rule: str, source: str) -> set[str]:
    rows, _ = store.list_findings(engine, store.FindingFilter(rule=rule, source=source), scope_code=None, sources=None,
                                  limit=None)
    return {r.record_key for r in rows}


def test_every_deterministic_rule_finds_exactly_the_injected_errors(demo_deployment):
    settings, _ = demo_deployment
    engine, _ = deploy.open_deployment(settings)
    truth = pl.read_csv(settings.sources_dir / synth.GROUND_TRUTH_FILE, infer_schema_length=0)
    for kind in sorted(DETERMINISTIC):
        rule, source = EXPECTED_RULE[kind]
        expected = set(truth.filter(pl.col("error_kind") == kind)["record_key"])
        assert expected, f"the generator injected no {kind}"
        assert findings_of(engine, rule, source) == expected, kind


def test_linkage_finds_the_injected_duplicate_persons_and_explains_them(demo_deployment):
    settings, _ = demo_deployment
    engine, _ = deploy.open_deployment(settings)
    truth = pl.read_csv(settings.sources_dir / synth.GROUND_TRUTH_FILE, infer_schema_length=0)
    findings = pl.DataFrame([("duplikat_orang", "penduduk", k) for k in findings_of(engine, "duplikat_orang", "penduduk")],
                            schema=["rule", "source", "record_key"], orient="row")
    injected, found = expected_and_found("duplikat_nik_berbeda", truth, findings)
    precision, recall = precision_recall(injected, found)
    assert injected and precision >= 0.99 and recall >= 0.95
    rows, _ = store.list_findings(engine, store.FindingFilter(rule="duplikat_orang"), scope_code=None, sources=None, limit=1)
    from madangan.verval.worklist import describe

    item = describe(rows[0], "id", unmasked=False)
    assert "Mendukung" in item["message"] and float(item["evidence"]["peluang"]) >= 0.99
    assert {"w_nama", "w_tanggal_lahir"} <= set(item["evidence"])  # per-field match weights
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", json.dumps(item))  # masked for a role without the right


def test_linkage_waits_for_an_impact_assessment(tmp_path):
    from madangan.appdb import make_engine, migrate
    from madangan.sectors.population.checks import DUPLICATES

    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    migrate(engine)
    runnable, skipped = verval._runnable([DUPLICATES], {"penduduk"}, engine)
    assert runnable == [] and "DPIA" in skipped[0][2] and "pdp dpia add" in skipped[0][2]
    deploy.demo_impact_assessment(engine)
    assert verval._runnable([DUPLICATES], {"penduduk"}, engine)[0] == [DUPLICATES]


def test_a_rerun_keeps_ids_and_statuses_and_resolves_what_was_fixed(regency):
    settings, engine, _ = regency
    late = sorted(findings_of(engine, "selesai_sebelum_diajukan", "layanan"))
    assert len(late) >= 2
    fixed, dismissed = late[0], late[1]
    dismissed_id = verval.finding_id("selesai_sebelum_diajukan", "layanan", dismissed)
    store.record_outcome(engine, dismissed_id, "dismissed", "tester", "tanggal di berkas fisik memang begitu")

    # the agency sends the corrected record
    con = deploy.warehouse.connect(settings.warehouse)
    row = con.to_polars(con.table("layanan").filter(con.table("layanan").no_registrasi == fixed)).drop("_batch").to_dicts()[0]
    con.disconnect()
    row["tanggal_selesai"] = row["tanggal_diajukan"]
    assert ingest_records(settings, "32.11", "layanan", [row], submitted_by="test").counts.updated == 1

    # verval follows the batch: the checks reading `layanan` ran again, the fixed record's finding is resolved
    fixed_id = verval.finding_id("selesai_sebelum_diajukan", "layanan", fixed)
    assert store.get_finding(engine, fixed_id).status == "resolved"
    history = store.history(engine, fixed_id)
    run = store.last_run(engine)
    assert [e.to_status for e in history] == ["open", "resolved"] and history[-1].actor == f"verify:{run.id}"
    assert run.started_by.startswith("batch:")  # the run the batch started
    assert store.get_finding(engine, dismissed_id).status == "dismissed"  # unchanged cause, status kept

    report = verval.verify(settings, engine, "32.11", actor="test")  # a full run finds nothing more to change
    assert all(r["new"] == 0 and r["closed"] == 0 for r in report.summary)
    assert store.get_finding(engine, dismissed_id).status == "dismissed"
    assert store.get_finding(engine, fixed_id).status == "resolved"


def test_status_transitions_follow_the_field_verification_flow(regency):
    _, engine, _ = regency
    (key, *_) = sorted(findings_of(engine, "penerima_tidak_layak", "penerima_bansos"))
    fid = verval.finding_id("penerima_tidak_layak", "penerima_bansos", key)
    store.record_outcome(engine, fid, "in_verification", "operator", None)
    store.record_outcome(engine, fid, "confirmed", "operator", "keluarga mampu, rumah permanen")
    with pytest.raises(UserError, match="alasan"):
        store.record_outcome(engine, fid, "corrected", "operator", "  ")
    store.record_outcome(engine, fid, "corrected", "operator", "dikeluarkan dari daftar periode berikut")
    with pytest.raises(Conflict, match="hanya bisa ke: open"):
        store.record_outcome(engine, fid, "confirmed", "operator", None)
    with pytest.raises(UserError, match="tidak dikenal"):
        store.record_outcome(engine, fid, "done", "operator", None)
    history = store.history(engine, fid)
    assert [(e.from_status, e.to_status) for e in history] == [
        (None, "open"), ("open", "in_verification"), ("in_verification", "confirmed"), ("confirmed", "corrected")]
    assert history[-1].actor == "operator" and history[-1].reason.startswith("dikeluarkan")


def test_quality_scores_per_source_and_desa_fall_where_errors_are(regency):
    settings, engine, _ = regency
    con = deploy.warehouse.connect(settings.warehouse)
    scores = con.to_polars(con.table("kualitas_data"))
    con.disconnect()
    penduduk = scores.filter(pl.col("sumber") == "penduduk")
    bad_desa = {r.kode_desa for r in store.list_findings(engine, store.FindingFilter(rule="nik_struktur", source="penduduk"),
                                                         scope_code=None, sources=None, limit=None)[0]}
    worse = penduduk.filter(pl.col("kode_desa").is_in(list(bad_desa)))
    clean = penduduk.filter(pl.col("record_bermasalah") == 0)
    assert (worse["validitas"] < 1).all() and (clean["validitas"] == 1).all()
    assert worse["skor"].mean() < clean["skor"].mean()
    assert scores["skor"].is_between(0, 100).all()


def test_worklist_export_is_a_spreadsheet_a_village_can_use(regency, tmp_path):
    settings, engine, _ = regency
    from madangan.verval import findings as service

    query = service.parse_filter("32.11", source="penduduk", status=["all"])
    items, total = service.read(engine, query, service.OPERATOR, "id", offset=0, limit=None)
    items.append({**items[0], "message": "=HYPERLINK(\"http://x\")", "id": "injected"})
    path = tmp_path / "worklist.xlsx"
    export_xlsx(items, path, "id")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["ID Temuan", "Desa/Kelurahan", "Kode Desa"] and "Hasil Verifikasi Lapangan" in header
    keys = [row[header.index("Kunci Record")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(k, str) for k in keys) and any(re.fullmatch(r"\d{16}", k) for k in keys)
    messages = [row[header.index("Keterangan dan Tindakan")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert messages[-1].startswith("'=")
    assert sheet.max_row == total + 2


# --- the API --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api(regency):
    settings, engine, _ = regency
    app = create_app(settings)
    for role, scope in ((Role.KECAMATAN, "32.11.01"), (Role.DESA, "32.11.01.2001"), (Role.EXECUTIVE, "32.11")):
        access_store.add_user(engine, f"vv-{role.value}", role, scope, "32.11", password="verval-password-1")
    return app


def client_as(app, role: Role) -> TestClient:
    client = TestClient(app)
    login(client, f"vv-{role.value}", "verval-password-1")
    return client


def test_findings_are_paged_and_filtered(api):
    with client_as(api, Role.KECAMATAN) as client:
        first = client.get("/api/v1/findings", params={"per_page": 5, "status": "all"}).json()
        second = client.get("/api/v1/findings", params={"per_page": 5, "page": 2, "status": "all"}).json()
        assert first["total"] == second["total"] > 5
        assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
        only = client.get("/api/v1/findings", params={"rule": "penerima_tidak_layak", "per_page": 500}).json()
        assert only["items"] and {i["rule"] for i in only["items"]} == {"penerima_tidak_layak"}
        assert all(i["kode_desa"].startswith("32.11.01.") for i in only["items"])  # the kecamatan's scope


def test_bad_filters_and_transitions_answer_with_clear_4xx(api):
    with client_as(api, Role.KECAMATAN) as client:
        response = client.get("/api/v1/findings", params={"rule": "no_such_rule"})
        assert response.status_code == 422 and "nik_struktur" in response.text  # the valid rules are named
        assert client.get("/api/v1/findings", params={"desa": "32.11.99.9999"}).status_code == 404
        assert client.get("/api/v1/findings", params={"desa": "32.11.02"}).status_code == 403  # another kecamatan
        assert client.get("/api/v1/findings", params={"status": "finished"}).status_code == 422
    with client_as(api, Role.DESA) as client:
        item = client.get("/api/v1/findings", params={"per_page": 1}).json()["items"][0]
        # the session's CSRF token comes with every page, as a form or htmx would send it
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        headers = {"x-csrf-token": token}
        url = f"/api/v1/findings/{item['id']}/status"
        assert client.post(url, json={"status": "confirmed"}).status_code == 403  # without the CSRF token
        assert client.post(url, json={"status": "dismissed"}, headers=headers).status_code == 400  # needs a reason
        assert client.post(url, json={"status": "in_verification"}, headers=headers).json()["status"] == "in_verification"
        assert client.post(url, json={"status": "in_verification"}, headers=headers).status_code == 409
        assert client.post(url, json={"status": "done"}, headers=headers).status_code == 422


def test_scope_masks_and_audit(api, regency):
    _, engine, _ = regency
    with client_as(api, Role.DESA) as desa:
        items = desa.get("/api/v1/findings", params={"per_page": 500, "status": "all"}).json()["items"]
        assert items and {i["kode_desa"] for i in items} == {"32.11.01.2001"}
        other = store.list_findings(engine, store.FindingFilter(desa="32.11.02"), scope_code=None, sources=None, limit=1)[0]
        assert desa.get(f"/api/v1/findings/{other[0].id}").status_code == 404  # outside: as if it did not exist
    with client_as(api, Role.KECAMATAN) as kecamatan:
        body = kecamatan.get("/api/v1/findings", params={"status": "all", "per_page": 500}).text
        assert not re.search(r"(?<!\d)\d{16}(?!\d)", body), "a kecamatan officer sees NIKs masked"
        assert re.search(r"\d{4}\*{8}\d{4}", body)
    with client_as(api, Role.EXECUTIVE) as executive:
        assert executive.get("/api/v1/findings").status_code == 403  # persons: not for executives
        summary = executive.get("/api/v1/findings/summary", params={"by": "rule"}).json()
        assert summary and set(summary[0]) == {"rule", "jumlah"}
    reads = [e for e in access_store.audit_entries(engine) if e.action in ("findings.read", "finding.read")]
    assert {e.actor for e in reads} >= {"vv-desa", "vv-kecamatan"}
    assert not any(re.search(r"\d{16}", (e.target or "") + (e.detail or "")) for e in reads)


def test_quality_scores_over_the_api(api):
    with client_as(api, Role.DESA) as client:
        rows = client.get("/api/v1/quality", params={"source": "penduduk"}).json()
        assert rows and {r["kode_desa"] for r in rows} == {"32.11.01.2001"}
        assert 0 <= rows[0]["skor"] <= 100


# --- the worklist pages ---------------------------------------------------------------------


def test_a_desa_operator_works_through_the_worklist_in_the_browser_pages(api, regency, tmp_path):
    settings, engine, _ = regency
    # a recipient whose name is markup, on a family the welfare registry does not know
    row = {"id_penerima": "BPNT-TEST-1", "program": "BPNT", "periode": "2026-10", "nik": "3211014101900001",
           "no_kk": "3211010101900099", "nama": "<script>alert(1)</script>", "kode_desa": "32.11.01.2001",
           "nominal": 200000, "status": "AKTIF"}
    assert ingest_records(settings, "32.11", "penerima_bansos", [row], submitted_by="test").counts.accepted == 1
    fid = verval.finding_id("penerima_tidak_layak", "penerima_bansos", "BPNT-TEST-1")

    with client_as(api, Role.DESA) as client:
        page = client.get("/temuan", params={"rule": "penerima_tidak_layak"})
        assert page.status_code == 200 and f'href="/temuan/{fid}"' in page.text
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
        detail = client.get(f"/temuan/{fid}")
        assert "3211014101900001" in detail.text  # a desa operator may see the NIK in full (and the read is audited)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', detail.text).group(1)
        refused = client.post(f"/temuan/{fid}", data={"status": "dismissed", "reason": "", "csrf_token": csrf})
        assert refused.status_code == 400 and "alasan" in refused.text
        done = client.post(f"/temuan/{fid}", data={"status": "confirmed", "reason": "KK tidak ada di DTSEN",
                                                    "csrf_token": csrf})
        assert done.status_code == 200 and "KK tidak ada di DTSEN" in done.text  # back on the finding, in its history
        assert store.get_finding(engine, fid).status == "confirmed"
        download = client.get("/temuan/ekspor.xlsx", params={"rule": "penerima_tidak_layak"})
        assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
        (tmp_path / "w.xlsx").write_bytes(download.content)
        rows = list(openpyxl.load_workbook(tmp_path / "w.xlsx").active.iter_rows(min_row=2, values_only=True))
        assert rows and {r[2] for r in rows} == {"32.11.01.2001"}
    with client_as(api, Role.KECAMATAN) as client:
        assert "3211014101900001" not in client.get(f"/temuan/{fid}").text  # masked for the kecamatan officer
    actions = {e.action for e in access_store.audit_entries(engine, "vv-desa")}
    assert {"findings.read", "finding.read", "finding.status", "findings.export"} <= actions


def test_a_recipient_listed_under_a_wrong_nik_is_linked_to_the_registry_person(regency):
    settings, engine, _ = regency
    con = deploy.warehouse.connect(settings.warehouse)
    people = con.table("penduduk")
    person = con.to_polars(people.filter((people.status_hidup == "HIDUP") & (people.kode_desa == "32.11.01.2001"))
                           .order_by("nik").limit(1)).to_dicts()[0]
    con.disconnect()
    wrong_nik = person["nik"][:12] + "9876"  # the serial mistyped on the list
    row = {"id_penerima": "PBIJK-TEST-NIK", "program": "PBI_JK", "periode": "2026-10", "nik": wrong_nik,
           "no_kk": person["no_kk"], "nama": person["nama"].upper(), "kode_desa": person["kode_desa"],
           "nominal": 42000, "status": "AKTIF"}
    ingest_records(settings, "32.11", "penerima_bansos", [row], submitted_by="test")  # verval follows the batch
    found = store.get_finding(engine, verval.finding_id("nik_beda_registri", "penerima_bansos", "PBIJK-TEST-NIK"))
    assert found is not None and found.status == "open"
    evidence = json.loads(found.evidence)
    assert evidence["nik_registri"] == person["nik"] and float(evidence["peluang"]) >= 0.99
    assert "Mendukung" in evidence["penjelasan"]


def test_after_a_batch_row_local_checks_look_only_at_its_records_and_agree_with_a_full_run(regency):
    """A telemetry batch re-checks only its own readings (row-local checks), yet ends where a full run would."""
    settings, engine, _ = regency
    con = deploy.warehouse.connect(settings.warehouse)
    before = con.table("telemetri").count().to_pyarrow().as_py()
    con.disconnect()
    assert before > 0
    bad_nik, unknown = "3211019999990001", "3211015506909999"  # birth date 99-99-99: not a NIK; a NIK nobody has
    rows = [
        {"id_perangkat": "JAM-UJI-1", "waktu": "2026-10-01T08:00:00Z", "nik_ibu": bad_nik, "kode_desa": "32.11.01.2001",
         "detak_jantung": 80, "spo2": 98},
        {"id_perangkat": "JAM-UJI-2", "waktu": "2026-10-01T08:00:00Z", "nik_ibu": unknown, "kode_desa": "32.11.01.2001",
         "detak_jantung": 80, "spo2": 98},
    ]
    result = ingest_records(settings, "32.11", "telemetri", rows, submitted_by="test")
    assert result.counts.accepted == 2
    key1, key2 = "JAM-UJI-1|2026-10-01 08:00:00", "JAM-UJI-2|2026-10-01 08:00:00"
    assert key1 in findings_of(engine, "nik_struktur", "telemetri")
    assert key2 in findings_of(engine, "nik_tidak_terdaftar", "telemetri")
    run = store.last_run(engine)
    assert run.started_by == f"batch:{result.batch}"
    # the batch's run looked at its two readings only: the "still there" stamp is on them, not on the others
    with engine.connect() as conn:
        from sqlalchemy import select

        from madangan.appdb.models import Finding
        stamped = conn.execute(select(Finding.record_key).where(Finding.source == "telemetri",
                                                                Finding.last_run == run.id)).scalars().all()
    assert set(stamped) <= {key1, key2} and key1 in stamped

    # the watch's NIK is corrected: the same reading sent again resolves its finding, the other stays open
    fixed = dict(rows[0], nik_ibu="3211015506900001")
    fix = ingest_records(settings, "32.11", "telemetri", [fixed], submitted_by="test")
    assert fix.counts.updated == 1
    assert store.get_finding(engine, verval.finding_id("nik_struktur", "telemetri", key1)).status == "resolved"
    assert store.get_finding(engine, verval.finding_id("nik_tidak_terdaftar", "telemetri", key2)).status == "open"

    # a full run finds nothing the incremental runs missed or kept too long
    report = verval.verify(settings, engine, "32.11", actor="test")
    telemetry = [r for r in report.summary if r["source"] == "telemetri"]
    assert telemetry and all(r["new"] == 0 and r["closed"] == 0 for r in telemetry), telemetry

    # reverting the correction brings the malformed NIK back: its finding reopens with the revert
    from madangan.ingest.pipeline import revert

    revert(settings, fix.batch, "test")
    assert store.get_finding(engine, verval.finding_id("nik_struktur", "telemetri", key1)).status == "open"


def _as_records(frame: pl.DataFrame) -> list[dict]:
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def test_a_posyandu_batch_rechecks_its_children_and_agrees_with_a_full_run(regency):
    """A height typed too high makes the child's next (unchanged) measurement look like shrinking: the batch's
    verval looks at every record of the children it touched. A weight of 60 kg is implausible: each batch's own
    rows are scored, never an earlier batch's."""
    settings, engine, _ = regency
    con = deploy.warehouse.connect(settings.warehouse)
    posyandu = con.table("posyandu").drop("_batch").to_polars()
    con.disconnect()
    heights = posyandu.filter(pl.col("tinggi_cm").is_not_null()).sort("nik_anak", "tanggal_ukur", "id_pengukuran")
    per_child = heights.group_by("nik_anak", maintain_order=True).agg(pl.col("id_pengukuran"), pl.col("tinggi_cm"))
    per_child = per_child.filter(pl.col("id_pengukuran").list.len() >= 3)
    first, second = per_child.row(0, named=True), per_child.row(1, named=True)
    typo_id, next_id = first["id_pengukuran"][1], first["id_pengukuran"][2]
    typo = heights.filter(pl.col("id_pengukuran") == typo_id).with_columns(tinggi_cm=pl.col("tinggi_cm") + 8)
    heavy = heights.filter(pl.col("id_pengukuran") == second["id_pengukuran"][0]).with_columns(berat_kg=pl.lit(60.0))
    drop_id, heavy_id = next_id, second["id_pengukuran"][0]

    ingest_records(settings, "32.11", "posyandu", _as_records(pl.concat([typo, heavy])), submitted_by="test")
    assert drop_id in findings_of(engine, "tinggi_menurun", "posyandu")  # a record the batch did not carry
    assert heavy_id in findings_of(engine, "pengukuran_tidak_wajar", "posyandu")

    # both corrected in the next batch, with another child's weight typed as 60 kg
    third = per_child.row(2, named=True)["id_pengukuran"][0]
    heavy3 = heights.filter(pl.col("id_pengukuran") == third).with_columns(berat_kg=pl.lit(60.0))
    fixed = heights.filter(pl.col("id_pengukuran").is_in([typo_id, heavy_id]))
    ingest_records(settings, "32.11", "posyandu", _as_records(pl.concat([fixed, heavy3])), submitted_by="test")
    assert store.get_finding(engine, verval.finding_id("tinggi_menurun", "posyandu", drop_id)).status == "resolved"
    assert store.get_finding(engine, verval.finding_id("pengukuran_tidak_wajar", "posyandu", heavy_id)).status == "resolved"
    assert third in findings_of(engine, "pengukuran_tidak_wajar", "posyandu")

    report = verval.verify(settings, engine, "32.11", actor="test")
    posyandu_rows = [r for r in report.summary if r["source"] == "posyandu"]
    assert posyandu_rows and all(r["new"] == 0 and r["closed"] == 0 for r in posyandu_rows), posyandu_rows


def test_concurrent_batches_of_one_source_all_land_and_are_verified(regency):
    """Four senders at once (API pushes run in threads): every batch commits and passes verval without an error.
    Each batch's verval replaces the source's quality scores; unserialised, the later transaction failed with
    'Conflict on tuple deletion' and its push answered 500."""
    from concurrent.futures import ThreadPoolExecutor

    settings, engine, _ = regency

    def push(n: int):
        rows = [{"id_perangkat": f"JAM-SERENTAK-{n}-{i}", "waktu": "2026-10-02T08:00:00Z",
                 "nik_ibu": "3211019999990001" if i == 0 else "3211015506900001", "kode_desa": "32.11.01.2001",
                 "detak_jantung": 80, "spo2": 98} for i in range(20)]
        return ingest_records(settings, "32.11", "telemetri", rows, submitted_by=f"sender-{n}")

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(push, range(8)))
    assert [r.counts.accepted for r in results] == [20] * 8
    found = findings_of(engine, "nik_struktur", "telemetri")
    assert {f"JAM-SERENTAK-{n}-0|2026-10-02 08:00:00" for n in range(8)} <= found
