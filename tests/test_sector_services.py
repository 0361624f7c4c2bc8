"""The public services sector: service requests (SLA, satisfaction) and complaints (SP4N-LAPOR!).

A synthetic Sumedang (32.11) is built from the population registry; each test states
what an analyst or the verification engine can rely on in these two sources.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from madangan import synth
from madangan.contracts import Contract
from madangan.sector import Sector
from madangan.sectors import services
from madangan.sectors.services.holidays import HARI_LIBUR
from madangan.synth.context import SynthContext


def build(population: int, seed: int) -> SynthContext:
    return synth.build("32.11", population, seed, only={"services"})


@pytest.fixture(scope="module")
def ctx() -> SynthContext:
    return build(20000, 7)


@pytest.fixture(scope="module")
def larger() -> SynthContext:
    return build(60000, 7)



def finished_in_working_days(layanan: pl.DataFrame) -> pl.DataFrame:
    """Finished requests with the working days they took (the way standar pelayanan counts)."""
    return layanan.filter(
        pl.col("status") == "SELESAI", pl.col("tanggal_selesai") >= pl.col("tanggal_diajukan")
    ).with_columns(
        hari_kerja=pl.business_day_count("tanggal_diajukan", "tanggal_selesai", holidays=list(HARI_LIBUR)),
    )


def test_sector_registers_both_sources_and_builds_on_population():
    (sector,) = services.madangan_sectors()
    assert isinstance(sector, Sector)
    assert sector.name == "services"
    assert sector.requires == ("population",)
    assert [c.name for c in sector.contracts] == ["layanan", "pengaduan"]
    assert sector.desa_counts == ()


@pytest.mark.parametrize("contract", [services.LAYANAN, services.PENGADUAN], ids=lambda c: c.name)
def test_frames_match_their_contract(ctx, contract: Contract):
    frame = ctx.frames[contract.name]
    assert dict(frame.schema) == contract.polars_schema
    assert frame.select(contract.key).is_duplicated().sum() == 0
    for column in contract.columns:
        if column.required:
            assert frame[column.name].null_count() == 0, column.name
        if column.allowed:
            assert set(frame[column.name].drop_nulls()) <= set(column.allowed), column.name


def test_same_seed_same_requests_other_seed_other_requests(ctx):
    again = build(20000, 7)
    other = build(20000, 8)
    for name in ("layanan", "pengaduan"):
        assert ctx.frames[name].equals(again.frames[name]), name
        assert not ctx.frames[name].equals(other.frames[name]), name
    assert ctx.ground_truth().equals(again.ground_truth())


def test_about_one_request_per_five_residents_a_year_and_it_scales(ctx, larger):
    small, big = len(ctx.frames["layanan"]), len(larger.frames["layanan"])
    assert 0.15 <= small / ctx.population <= 0.25
    assert 2.7 <= big / small <= 3.3  # three times the residents, three times the requests
    complaints = len(larger.frames["pengaduan"]) / len(ctx.frames["pengaduan"])
    assert 2.2 <= complaints <= 3.8


def test_requests_cover_the_twelve_months_up_to_the_reference_date(ctx):
    submitted = ctx.frames["layanan"]["tanggal_diajukan"]
    assert submitted.max() <= ctx.reference_date
    assert submitted.min() > ctx.reference_date - timedelta(days=365)
    assert submitted.dt.strftime("%Y-%m").n_unique() == 12


def test_counters_are_busy_before_the_school_year_and_quiet_in_lebaran_month(larger):
    per_month = larger.frames["layanan"].group_by(pl.col("tanggal_diajukan").dt.month().alias("bulan")).len()
    count = dict(zip(per_month["bulan"], per_month["len"]))
    assert count[6] > 1.3 * count[3]  # June (school registration) vs March 2026 (Ramadan, Idul Fitri)


def test_counter_requests_arrive_on_working_days_only(ctx):
    counter = ctx.frames["layanan"].filter(pl.col("kanal") == "LOKET")
    weekday = counter["tanggal_diajukan"].dt.weekday()
    assert (weekday <= 5).all()
    assert not counter["tanggal_diajukan"].is_in(list(HARI_LIBUR)).any()


def test_sla_compliance_is_85_to_95_percent_and_differs_by_agency(larger):
    done = finished_in_working_days(larger.frames["layanan"])
    on_time = (done["hari_kerja"] <= done["standar_hari"]).mean()
    assert 0.85 <= on_time <= 0.95
    per_agency = done.group_by("opd").agg(on_time=(pl.col("hari_kerja") <= pl.col("standar_hari")).mean())
    assert per_agency["on_time"].min() >= 0.80
    assert per_agency["on_time"].max() <= 0.98
    assert per_agency["on_time"].max() - per_agency["on_time"].min() >= 0.05


def test_each_service_has_one_standard_and_one_agency(ctx):
    per_service = ctx.frames["layanan"].group_by("layanan").agg(
        pl.col("standar_hari").n_unique().alias("standards"), pl.col("opd").n_unique().alias("agencies")
    )
    assert (per_service["standards"] == 1).all()
    assert (per_service["agencies"] == 1).all()
    assert {"KTP-el", "Kartu Keluarga", "Akta Kelahiran", "Rujukan BPJS"} <= set(per_service["layanan"])


def test_finish_date_is_never_before_submission_except_where_injected(larger):
    layanan = larger.frames["layanan"]
    backwards = set(layanan.filter(pl.col("tanggal_selesai") < pl.col("tanggal_diajukan"))["no_registrasi"])
    injected = larger.truth_keys("selesai_sebelum_diajukan")
    assert backwards == injected
    assert len(injected) == larger.count("selesai_sebelum_diajukan", len(layanan))


def test_open_requests_have_no_finish_date_and_closed_ones_do(ctx):
    layanan = ctx.frames["layanan"]
    is_open = layanan["status"] == "DIPROSES"
    assert (layanan["tanggal_selesai"].is_null() == is_open).all()
    assert layanan["tanggal_selesai"].drop_nulls().max() <= ctx.reference_date
    assert is_open.any()


def test_satisfaction_is_scored_1_to_4_by_some_of_those_served(ctx):
    layanan = ctx.frames["layanan"]
    scores = layanan["nilai_kepuasan"]
    assert set(scores.drop_nulls()) == {1, 2, 3, 4}
    assert 0.3 <= scores.is_not_null().mean() <= 0.6
    assert layanan.filter(pl.col("status") == "DIPROSES")["nilai_kepuasan"].null_count() == len(
        layanan.filter(pl.col("status") == "DIPROSES")
    )
    # IKM (mean score × 25) of a well-run regency: in the B–A range
    assert 70 <= scores.mean() * 25 <= 90


def test_applicants_are_living_residents_of_the_desa_recorded(ctx):
    people = ctx.frames["penduduk"].select("nik", "kode_desa", "status_hidup")
    joined = ctx.frames["layanan"].join(people, left_on="nik_pemohon", right_on="nik", how="left")
    assert joined["status_hidup"].null_count() == 0
    assert (joined["status_hidup"] == "HIDUP").all()
    assert (joined["kode_desa"] == joined["kode_desa_right"]).all()


def test_complaints_are_resolved_with_a_date_or_still_open_without_one(larger):
    complaints = larger.frames["pengaduan"]
    done = complaints["status"] == "SELESAI"
    assert (complaints["tanggal_selesai"].is_not_null() == done).all()
    closed = complaints.filter(done)
    assert (closed["tanggal_selesai"] >= closed["tanggal_masuk"]).all()
    assert closed["tanggal_selesai"].max() <= larger.reference_date
    assert set(complaints["status"]) == set(services.PENGADUAN_STATUS)
    assert set(complaints["kanal"]) == set(services.PENGADUAN_KANAL)


def test_complaints_name_an_existing_desa_or_none(ctx):
    desa = set(ctx.desa()["desa_code"])
    codes = ctx.frames["pengaduan"]["kode_desa"]
    assert set(codes.drop_nulls()) <= desa
    assert codes.null_count() > 0  # e.g. complaints about civil-service matters


def test_in_person_complaints_only_on_working_days(ctx):
    in_person = ctx.frames["pengaduan"].filter(pl.col("kanal") == "LANGSUNG")
    assert (in_person["tanggal_masuk"].dt.weekday() <= 5).all()


def test_complaints_export_as_xlsx_and_requests_as_csv():
    assert services.PENGADUAN.file_name() == "pengaduan.xlsx"
    assert services.LAYANAN.file_name() == "layanan.csv"
    assert services.LAYANAN.personal_columns == ["nik_pemohon"]


# --- indicator math on hand-built requests and complaints -------------------------------------------------

from datetime import date  # noqa: E402

import numpy as np  # noqa: E402

from madangan import deploy, warehouse  # noqa: E402
from madangan.config import Settings  # noqa: E402
from madangan.indicators import engine  # noqa: E402
from madangan.ingest.pipeline import ingest_records  # noqa: E402
from madangan.regions import regions  # noqa: E402
from madangan.sectors.services.holidays import add_working_days  # noqa: E402
from madangan.sectors.services.indicators import ikm_category, ikm_converted  # noqa: E402

REGENCY = "32.11"


def _facts(settings, indicator: str, by: str = "") -> dict:
    con = warehouse.connect(settings.warehouse)
    try:
        frame = con.table(engine.FACT_TABLE).filter(
            lambda t: (t.indicator == indicator) & (t.dimensi == by)).to_polars()
    finally:
        con.disconnect()
    return {(r["level"], r["kode_wilayah"], r["bulan"], r["kategori"]): (r["numerator"], r["denominator"], r["value"])
            for r in frame.iter_rows(named=True)}


def _request(n: int, desa: str, start: date, days: int | None, *, opd="Disdukcapil", service="KTP-el",
             standard=1, score=None, status="SELESAI") -> dict:
    end = None if days is None else str(add_working_days(np.array([start], dtype="datetime64[D]"), np.array([days]))[0])
    return {"no_registrasi": f"REG-{n:05d}", "layanan": service, "opd": opd, "kode_desa": desa,
            "nik_pemohon": f"32110141019{n + 1:05d}", "tanggal_diajukan": start.isoformat(), "tanggal_selesai": end,
            "status": status if days is not None else "DIPROSES", "standar_hari": standard, "kanal": "LOKET",
            "nilai_kepuasan": score}


@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    """A fresh deployment with requests whose working days, scores and open dates are known."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("services-math") / "data")
    deploy.init(settings, REGENCY)
    index = regions()
    kec_a, kec_b = index.children(REGENCY)[:2]
    a1, a2 = (d.code for d in index.children(kec_a.code)[:2])
    b1 = index.children(kec_b.code)[0].code
    monday = date(2026, 10, 5)
    plan = ([(a1, d) for d in (0, 1, 1, 2, 9)]  # a1: median 1, p90 9
            + [(a2, d) for d in (3, 3, 4, 5)]  # a2: median 3 (lower of 3, 4 by nearest rank… 3 and 4 → 3), p90 5
            + [(b1, d) for d in range(10)])  # b1: 0..9 → median 4, p90 8
    records = [_request(n, desa, monday, days, score=(4 if n % 2 else 3)) for n, (desa, days) in enumerate(plan)]
    records += [_request(100, a1, date(2026, 9, 7), None), _request(101, a1, date(2026, 10, 20), None),
                _request(102, b1, date(2026, 9, 28), 12, standard=14, service="PBG", opd="DPMPTSP")]
    result = ingest_records(settings, REGENCY, "layanan", records, submitted_by="test")
    assert result.counts.accepted == len(records), result
    return settings, kec_a.code, kec_b.code, a1, a2, b1


def test_median_and_p90_completion_days_are_exact_quantiles_at_every_level(handmade):
    settings, kec_a, kec_b, a1, a2, b1 = handmade
    october = date(2026, 10, 1)
    median = _facts(settings, "median_hari_penyelesaian")
    p90 = _facts(settings, "p90_hari_penyelesaian")
    assert median[("desa", a1, october, "")] == (1, 5, 1)
    assert p90[("desa", a1, october, "")] == (9, 5, 9)
    assert median[("desa", a2, october, "")][2] == 3  # n = 4: the lower median, never 3.5
    assert p90[("desa", a2, october, "")][2] == 5
    # kecamatan A pools its nine requests (0 1 1 2 3 3 4 5 9): median 3, not the mean of the desa medians (2)
    assert median[("kecamatan", kec_a, october, "")] == (3, 9, 3)
    assert p90[("kecamatan", kec_a, october, "")][2] == 9
    # regency: 20 requests finished in October (kecamatan A's nine, b1's 0..9, the PBG request's 12):
    # median = the 10th smallest, p90 = the 18th
    pooled = sorted([0, 1, 1, 2, 9, 3, 3, 4, 5, *range(10), 12])
    assert median[("kabupaten", REGENCY, october, "")] == (pooled[9], 20, pooled[9])
    assert p90[("kabupaten", REGENCY, october, "")][2] == pooled[17]
    # the PBG request (finished in October after 12 working days) is its service's only one
    by_service = _facts(settings, "median_hari_penyelesaian", "layanan")
    assert by_service[("kabupaten", REGENCY, october, "PBG")][2] == 12


def test_backlog_counts_requests_still_open_at_each_month_end(handmade):
    settings, kec_a, kec_b, a1, a2, b1 = handmade
    backlog = _facts(settings, "tunggakan_layanan")
    # September: the request of 7 Sept (still open) and the PBG request of 28 Sept (finished in October)
    assert backlog[("desa", a1, date(2026, 9, 1), "")][2] == 1
    assert backlog[("desa", b1, date(2026, 9, 1), "")][2] == 1
    assert backlog[("kabupaten", REGENCY, date(2026, 9, 1), "")][2] == 2
    # October (the latest month): the two open requests of a1; the PBG request is done
    assert backlog[("desa", a1, date(2026, 10, 1), "")][2] == 2
    assert ("desa", b1, date(2026, 10, 1), "") not in backlog
    assert backlog[("kabupaten", REGENCY, date(2026, 10, 1), "")][2] == 2


@pytest.mark.parametrize("unit, converted, grade, label", [
    (4.0, 100.0, "A", "Sangat Baik"), (3.5324, 88.31, "A", "Sangat Baik"), (3.532, 88.30, "B", "Baik"),
    (3.0644, 76.61, "B", "Baik"), (3.064, 76.60, "C", "Kurang Baik"), (2.60, 65.00, "C", "Kurang Baik"),
    (2.5996, 64.99, "D", "Tidak Baik"), (1.0, 25.0, "D", "Tidak Baik"),
])
def test_ikm_converts_the_unit_value_times_25_into_permenpanrb_categories(unit, converted, grade, label):
    assert ikm_converted(unit) == pytest.approx(converted, abs=0.01)
    assert ikm_category(round(ikm_converted(unit), 2)) == (grade, label)


def test_ikm_refuses_a_unit_value_outside_1_to_4_and_has_english_labels():
    with pytest.raises(ValueError, match="1–4"):
        ikm_converted(4.5)
    assert ikm_category(90.0, "en") == ("A", "Very good")
    assert ikm_category(None) is None


def test_ikm_indicator_is_the_mean_score_times_25(handmade):
    settings, kec_a, kec_b, a1, a2, b1 = handmade
    ikm = _facts(settings, "indeks_kepuasan_masyarakat")
    # a1's five October requests scored 3, 4, 3, 4, 3 → mean 3.4 → 85.0 (B, Baik)
    assert ikm[("desa", a1, date(2026, 10, 1), "")] == (425, 5, 85.0)
    assert ikm_category(85.0) == ("B", "Baik")


def test_open_complaints_older_than_sixty_days_at_month_end_are_the_overdue_backlog(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, REGENCY)
    desa = regions().children(regions().children(REGENCY)[0].code)[0].code

    def complaint(n, received, status, settled=None):
        return {"id_pengaduan": f"ADU-{n:03d}", "tanggal_masuk": received.isoformat(), "kanal": "LAPOR!",
                "opd_tujuan": "DPUPR", "kategori": "Jalan", "kode_desa": desa, "status": status,
                "tanggal_selesai": settled.isoformat() if settled else None}

    records = [complaint(1, date(2026, 6, 1), "SELESAI", date(2026, 7, 31)),  # 60 days: on time
               complaint(2, date(2026, 6, 1), "SELESAI", date(2026, 8, 1)),  # 61 days: late
               complaint(3, date(2026, 6, 2), "DIPROSES"),  # open 120 days at the latest date: late
               complaint(4, date(2026, 9, 15), "BELUM DITINDAKLANJUTI"),  # open 15 days: not yet late
               complaint(5, date(2026, 9, 30), "SELESAI", date(2026, 9, 30))]  # latest date in the data
    assert ingest_records(settings, REGENCY, "pengaduan", records, submitted_by="test").counts.accepted == 5
    overdue = _facts(settings, "pengaduan_melewati_batas")
    # 30 June: 1, 2, 3 open, none 60 days old
    assert overdue[("desa", desa, date(2026, 6, 1), "")] == (0, 3, 0)
    # 31 July: 1 was settled that day; 2 is exactly 60 days old (not past), 3 is 59
    assert overdue[("desa", desa, date(2026, 7, 1), "")] == (0, 2, 0)
    # 31 August: only 3 is open, 90 days old
    assert overdue[("desa", desa, date(2026, 8, 1), "")] == (1, 1, 100.0)
    # 30 September (the latest date): 3 (120 days) and 4 (15 days) open; 5 was settled the day it came
    assert overdue[("desa", desa, date(2026, 9, 1), "")] == (1, 2, 50.0)


def test_an_overdue_complaint_backlog_raises_one_alert_for_the_regency(tmp_path):
    from madangan.alerts.evaluate import evaluate
    from madangan.alerts.models import Alert
    from madangan.appdb import sessions

    settings = Settings(data_dir=tmp_path / "data")
    engine, _ = deploy.init(settings, REGENCY)
    desa = regions().children(regions().children(REGENCY)[0].code)[0].code

    def complaint(n, received, status="DIPROSES", settled=None):
        return {"id_pengaduan": f"ADU-{n:03d}", "tanggal_masuk": received.isoformat(), "kanal": "LAPOR!",
                "opd_tujuan": "DPUPR", "kategori": "Jalan", "kode_desa": desa, "status": status,
                "tanggal_selesai": settled.isoformat() if settled else None}

    records = [complaint(n, date(2026, 6, 1)) for n in range(8)]  # open since June
    records += [complaint(n, date(2026, 9, 20)) for n in range(8, 12)]  # open, recent
    records.append(complaint(99, date(2026, 9, 30), "SELESAI", date(2026, 9, 30)))
    assert ingest_records(settings, REGENCY, "pengaduan", records, submitted_by="test").counts.accepted == 13
    evaluate(settings, engine, only=["tunggakan_pengaduan_tinggi"])
    with sessions(engine)() as session:
        alerts = list(session.query(Alert).filter(Alert.rule_id == "tunggakan_pengaduan_tinggi"))
    # 30 September: 12 open, 8 of them more than 60 days old → 66.7 % > 25 %
    assert [a.subject for a in alerts] == [REGENCY]
    assert "66,7 %" in alerts[0].message_id


# --- early warning: a growing service backlog ---------------------------------------------------------------


def _backlog_requests(series: dict[str, list[int]]):
    """Requests whose open count at the end of July … October 2026 is `series[opd]`: each month's are submitted
    on its first day and finished on the first of the next; October's stay open. One request of another agency
    is submitted and finished on 31 October, the latest date in the data."""
    import ibis
    import polars as pl

    months = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
    rows = []
    for opd, counts in series.items():
        for i, n in enumerate(counts):
            finished = months[i + 1] if i + 1 < len(months) else None
            rows += [(opd, months[i], finished)] * n
    rows.append(("Satpol PP", date(2026, 10, 31), date(2026, 10, 31)))
    frame = pl.DataFrame(rows, schema={"opd": pl.String, "tanggal_diajukan": pl.Date, "tanggal_selesai": pl.Date},
                         orient="row")
    return ibis.memtable(frame.with_columns(kode_desa=pl.lit("32.11.01.2001"), layanan=pl.lit("KTP-el"),
                                            kanal=pl.lit("LOKET")))


BACKLOG_SERIES = {
    "Disdukcapil": [5, 8, 11, 14],  # up three months running (+27 % last): fires on the streak
    "DPMPTSP": [12, 12, 10, 20],  # up once, by 100 %: fires on the jump
    "Dinkes": [20, 20, 20, 20],  # high but flat
    "Dinsos": [1, 2, 3, 4],  # up three months running, but only 4 open: below tunggakan_min
    "DPUPR": [0, 0, 0, 12],  # from none to 12 (months without open requests count as 0)
    "Disdik": [15, 0, 11, 13],  # up twice since it emptied in August (+18 %): no
}


def _growing(params: dict) -> dict[str, dict]:
    from datetime import datetime

    from madangan.alerts import RuleContext
    from madangan.alerts.rules import declared

    rule = declared()["tunggakan_layanan_naik"]
    ctx = RuleContext(params=params, today=date(2026, 11, 1), now=datetime(2026, 11, 1), region_code=REGENCY)
    rows = rule.compute({"layanan": _backlog_requests(BACKLOG_SERIES)}, ctx).to_pyarrow().to_pylist()
    return {r["subject"]: r for r in rows}


def test_backlog_growing_fires_on_n_months_running_or_a_jump_above_x_percent():
    from madangan.alerts.rules import declared

    rule = declared()["tunggakan_layanan_naik"]
    assert rule.sector == "services" and rule.kind == "place" and rule.sources == ("layanan",)
    fired = _growing(rule.params)
    assert set(fired) == {"Disdukcapil", "DPMPTSP", "DPUPR"}
    a = fired["Disdukcapil"]
    assert (a["tunggakan"], a["sebelumnya"], a["naik_bulan"], a["bulan"]) == (14, 11, 3, "2026-10")
    assert a["kenaikan_persen"] == pytest.approx(27.3) and a["value"] == 14.0 and a["kode_wilayah"] == REGENCY
    assert (fired["DPMPTSP"]["naik_bulan"], fired["DPMPTSP"]["kenaikan_persen"]) == (1, 100.0)
    assert (fired["DPUPR"]["sebelumnya"], fired["DPUPR"]["kenaikan_persen"]) == (0, None)
    text = rule.text("id", {**rule.params, **a})
    assert text.startswith("Disdukcapil: 14 permohonan belum selesai pada akhir 2026-10 (bulan sebelumnya 11)")


def test_backlog_growing_thresholds_come_from_the_rules_file():
    from madangan.alerts import rules as rules_module
    from madangan.errors import UserError

    ruleset = rules_module.parse({"aturan": {"tunggakan_layanan_naik": {
        "naik_bulan_berturut": 2, "naik_persen": 150.0, "tunggakan_min": 13}}})
    fired = _growing(ruleset.rules["tunggakan_layanan_naik"].params)
    # two months running now suffices (Disdik: 0 → 11 → 13); +100 % is no longer a jump; at least 13 open
    assert set(fired) == {"Disdukcapil", "Disdik"}
    with pytest.raises(UserError, match="aturan.tunggakan_layanan_naik.naik_bulan_berturut"):
        rules_module.parse({"aturan": {"tunggakan_layanan_naik": {"naik_bulan_berturut": "tiga"}}})


# --- IKM on a 1–5 survey ------------------------------------------------------------------------------------


@pytest.mark.parametrize("score, scale, national, converted", [
    (1, 4, 1.0, 25.0), (4, 4, 4.0, 100.0), (3, 4, 3.0, 75.0),  # the national scale: × 25 as before
    (1, 5, 1.0, 25.0), (5, 5, 4.0, 100.0), (3, 5, 2.5, 62.5), (4, 5, 3.25, 81.25),  # 1 + (s − 1) × 3/4
])
def test_a_1_to_5_score_is_mapped_onto_the_national_1_to_4_basis_before_times_25(score, scale, national, converted):
    from madangan.sectors.services.indicators import ikm_unit_on_national_scale

    assert ikm_unit_on_national_scale(score, scale) == pytest.approx(national)
    assert ikm_converted(score, scale) == pytest.approx(converted)


def test_a_5_on_an_undeclared_scale_or_an_unknown_scale_is_refused_naming_the_field():
    with pytest.raises(ValueError, match="skala_kepuasan = 5"):
        ikm_converted(5)  # scale not declared: the national 1–4
    with pytest.raises(ValueError, match="skala_kepuasan harus 4 .* atau 5"):
        ikm_converted(3, 10)
    # a mean of 4.6 on a 1–5 survey is 3.7 on 1–4 → 92.5, grade A (× 20 would give 92 too, but 1 → 20)
    assert ikm_category(ikm_converted(4.6, 5)) == ("A", "Sangat Baik")
    assert ikm_converted(4.6, 5) == pytest.approx(92.5)


def test_ikm_indicator_converts_declared_1_to_5_surveys_and_leaves_out_scores_above_the_scale(tmp_path):
    from madangan.sectors.services.checks import CHECKS

    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, REGENCY)
    kec = regions().children(REGENCY)[0].code
    d1, d2, d3 = (d.code for d in regions().children(kec)[:3])
    monday = date(2026, 10, 5)
    records = ([_request(n, d1, monday, 0, score=s) for n, s in enumerate((4, 3))]  # 1–4, undeclared: 87.5
               + [{**_request(10 + n, d2, monday, 0, score=s), "skala_kepuasan": 5}
                  for n, s in enumerate((5, 4, 3))]  # 1–5: 100, 81.25, 62.5 → 81.25
               + [_request(20, d3, monday, 0, score=5), _request(21, d3, monday, 0, score=4)])  # a 5, scale empty
    result = ingest_records(settings, REGENCY, "layanan", records, submitted_by="test")
    assert result.counts.accepted == len(records), result
    ikm = _facts(settings, "indeks_kepuasan_masyarakat")
    october = date(2026, 10, 1)
    assert ikm[("desa", d1, october, "")] == (175, 2, 87.5)
    assert ikm[("desa", d2, october, "")] == pytest.approx((243.75, 3, 81.25))
    assert ikm[("desa", d3, october, "")] == (100, 1, 100.0)  # the undeclared 5 is left out, not read as 125
    # … and verval names the field to fill
    con = warehouse.connect(settings.warehouse)
    try:
        check = next(c for c in CHECKS if c.rule == "nilai_kepuasan_di_luar_skala")
        from madangan.verval import engine as verval

        found = check.find({"layanan": con.table("layanan")}, verval.context(REGENCY, today=date(2026, 11, 1))).to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    assert [(r["record_key"], r["nilai"], r["skala"]) for r in found] == [("REG-00020", 5, 4)]
    assert "skala_kepuasan" in check.message["id"].format(**found[0])
    # out of range for any survey: refused at ingest, naming the column
    bad = ingest_records(settings, REGENCY, "layanan", [{**_request(30, d1, monday, 0, score=6)},
                                                         {**_request(31, d1, monday, 0, score=3), "skala_kepuasan": 7}],
                         submitted_by="test")
    assert bad.counts.accepted == 0 and bad.reasons == {"di_luar_rentang": 2}


def test_a_growing_backlog_raises_an_alert_per_agency_through_evaluate_and_the_rules_file(tmp_path):
    from madangan.alerts.evaluate import evaluate
    from madangan.alerts.models import Alert
    from madangan.appdb import sessions

    settings = Settings(data_dir=tmp_path / "data")
    engine_, _ = deploy.init(settings, REGENCY)
    desa = regions().children(regions().children(REGENCY)[0].code)[0].code
    frame = _backlog_requests({"Disdukcapil": [5, 8, 11, 14], "Dinkes": [20, 20, 20, 20]}).to_polars()
    records = [{**_request(n, desa, row["tanggal_diajukan"], None, opd=row["opd"]),
                "tanggal_selesai": row["tanggal_selesai"].isoformat() if row["tanggal_selesai"] else None,
                "status": "SELESAI" if row["tanggal_selesai"] else "DIPROSES"}
               for n, row in enumerate(frame.iter_rows(named=True))]
    assert ingest_records(settings, REGENCY, "layanan", records, submitted_by="test").counts.accepted == len(records)

    def firing():
        evaluate(settings, engine_, only=["tunggakan_layanan_naik"])
        with sessions(engine_)() as session:
            return {a.subject: a for a in session.query(Alert).filter(Alert.rule_id == "tunggakan_layanan_naik")
                    if a.state == "firing"}

    alerts = firing()
    assert set(alerts) == {"Disdukcapil"}
    assert alerts["Disdukcapil"].message_id.startswith(
        "Disdukcapil: 14 permohonan belum selesai pada akhir 2026-10 (bulan sebelumnya 11); "
        "tunggakan naik 3 bulan berturut-turut.")
    (settings.data_dir / "peringatan.toml").write_text("[aturan.tunggakan_layanan_naik]\nnaik_bulan_berturut = 4\n")
    assert firing() == {}  # three months running no longer suffices
