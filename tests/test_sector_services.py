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
