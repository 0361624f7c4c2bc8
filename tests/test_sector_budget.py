"""The budget sector: APBD lines per sub kegiatan, the monthly cash plan and realization, revenue.

What a BPKAD analyst, the public transparency portal and the early-warning rule
"absorption behind plan" can rely on in the synthetic APBD of Sumedang (32.11).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from madangan import synth
from madangan.contracts import Contract
from madangan.sector import Sector
from madangan.sectors import budget
from madangan.sectors.budget import catalog
from madangan.sectors.budget.synth import (
    REFERENCE_POPULATION,
    REFERENCE_SPENDING,
    line_key,
)
from madangan.synth.context import SynthContext

SOURCES = ("anggaran", "realisasi", "pendapatan", "apbdes")
SUB_KEGIATAN_CODE = r"^\d\.\d{2}\.\d{2}\.2\.\d{2}\.\d{4}$"  # urusan.bidang.program.kegiatan.sub kegiatan
UNIT_CODE = r"^\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}$"


def build(population: int, seed: int, regency: str = "32.11") -> SynthContext:
    return synth.build(regency, population, seed, only={"budget"})  # needs no other sector


@pytest.fixture(scope="module")
def ctx() -> SynthContext:
    return build(20000, 7)


@pytest.fixture(scope="module")
def lines(ctx) -> pl.DataFrame:
    """Each budget line with its cash plan to date, its realization to date and its agency."""
    month = ctx.reference_date.month
    per_line = ctx.frames["realisasi"].group_by("kode_unit", "kode_sub_kegiatan").agg(
        rencana_tahun=pl.col("rencana").sum(),
        rencana_sd=pl.col("rencana").filter(pl.col("bulan") <= month).sum(),
        realisasi_sd=pl.col("realisasi").sum(),
    )
    return ctx.frames["anggaran"].join(per_line, on=["kode_unit", "kode_sub_kegiatan"], how="left")



def test_sector_registers_four_sources_and_needs_no_other_sector():
    (sector,) = budget.madangan_sectors()
    assert isinstance(sector, Sector)
    assert sector.name == "budget"
    assert sector.requires == ()
    assert [c.name for c in sector.contracts] == list(SOURCES)
    assert sector.desa_counts == ()


@pytest.mark.parametrize("contract", [budget.ANGGARAN, budget.REALISASI, budget.PENDAPATAN], ids=lambda c: c.name)
def test_frames_match_their_contract_and_export_as_xlsx(ctx, contract: Contract):
    frame = ctx.frames[contract.name]
    assert dict(frame.schema) == contract.polars_schema
    assert frame.select(contract.key).is_duplicated().sum() == 0
    for column in contract.columns:
        if column.required:
            assert frame[column.name].null_count() == 0, column.name
        if column.allowed:
            assert set(frame[column.name].drop_nulls()) <= set(column.allowed), column.name
    assert contract.export_format == "xlsx"
    assert len(frame) < 100_000


def test_same_seed_same_budget_other_seed_other_budget(ctx):
    again, other = build(20000, 7), build(20000, 8)
    for name in SOURCES:
        assert ctx.frames[name].equals(again.frames[name]), name
        assert not ctx.frames[name].equals(other.frames[name]), name
    assert ctx.ground_truth().equals(again.ground_truth())


def test_codes_follow_the_permendagri_90_layout(ctx):
    anggaran = ctx.frames["anggaran"]
    assert anggaran["kode_sub_kegiatan"].str.contains(SUB_KEGIATAN_CODE).all()
    assert anggaran["kode_unit"].str.contains(UNIT_CODE).all()
    # the sub kegiatan belongs to a program of the unit's own urusan (common programs) or one it runs
    assert anggaran.filter(pl.col("sub_kegiatan") == "Penyediaan Gaji dan Tunjangan ASN")["kode_sub_kegiatan"].str.contains(
        r"^\d\.\d{2}\.01\.2\.02\.0001$"
    ).all()
    assert set(anggaran["kode_rekening"]) <= {code for code, _ in catalog.ACCOUNTS.values()}


def test_thirty_agencies_plus_every_kecamatan_and_two_to_three_thousand_lines(ctx):
    anggaran = ctx.frames["anggaran"]
    kecamatan = ctx.desa()["kecamatan_code"].n_unique()
    agencies = anggaran.filter(~pl.col("opd").str.starts_with("Kecamatan "))["opd"].n_unique()
    assert agencies == len(catalog.OPDS) == 30
    assert anggaran.filter(pl.col("opd").str.starts_with("Kecamatan "))["opd"].n_unique() == kecamatan
    assert 2000 <= len(anggaran) <= 3000
    # a sub kegiatan code repeats across units (every puskesmas, every kecamatan): the key is unit + code
    assert anggaran["kode_sub_kegiatan"].is_duplicated().any()


def test_total_spending_is_three_trillion_scaled_to_the_population(ctx):
    larger = build(60000, 7)
    expected = REFERENCE_SPENDING * ctx.population / REFERENCE_POPULATION
    assert ctx.frames["anggaran"]["pagu"].sum() == pytest.approx(expected, rel=0.001)
    assert larger.frames["anggaran"]["pagu"].sum() == pytest.approx(3 * expected, rel=0.001)
    assert (ctx.frames["anggaran"]["pagu"] % 1000 == 0).all()  # DPA figures in whole thousands


def test_salaries_are_the_largest_spending_and_education_the_largest_agency(ctx):
    anggaran = ctx.frames["anggaran"]
    total = anggaran["pagu"].sum()
    by_account = dict(anggaran.group_by("kode_rekening").agg(pl.col("pagu").sum()).iter_rows())
    assert 0.3 <= by_account["5.1.01"] / total <= 0.45
    capital = sum(v for k, v in by_account.items() if k.startswith("5.2"))
    assert 0.08 <= capital / total <= 0.2
    by_agency = anggaran.group_by("opd").agg(pl.col("pagu").sum()).sort("pagu", descending=True)
    assert by_agency["opd"][0] == "Disdik"


def test_stunting_programs_are_tagged_at_dinkes_dp2kbp3a_and_beyond(ctx):
    tagged = ctx.frames["anggaran"].filter("tagging_stunting")
    assert {"Dinkes", "DP2KBP3A", "Bapperida"} <= set(tagged["opd"])
    assert tagged["sub_kegiatan"].str.contains("Penurunan Stunting").any()
    assert tagged["pagu"].sum() > 0


def test_located_spending_names_a_kecamatan_of_the_regency(ctx):
    anggaran = ctx.frames["anggaran"]
    kecamatan = set(ctx.desa()["kecamatan_code"])
    located = anggaran["lokasi_kecamatan"].drop_nulls()
    assert set(located) <= kecamatan
    assert 0 < anggaran["lokasi_kecamatan"].null_count() < len(anggaran)
    puskesmas = anggaran.filter(pl.col("unit").str.starts_with("UPTD Puskesmas"))
    assert puskesmas["lokasi_kecamatan"].null_count() == 0


def test_monthly_cash_plan_covers_the_year_and_sums_to_the_allocation(ctx, lines):
    assert (ctx.frames["realisasi"].group_by("kode_unit", "kode_sub_kegiatan").len()["len"] == 12).all()
    assert len(ctx.frames["realisasi"]) == 12 * len(ctx.frames["anggaran"])
    assert (lines["rencana_tahun"] == lines["pagu"]).all()
    assert (ctx.frames["realisasi"]["rencana"] >= 0).all()


def test_realization_is_reported_up_to_the_reference_month_only(ctx):
    realisasi = ctx.frames["realisasi"]
    month = ctx.reference_date.month
    assert realisasi.filter(pl.col("bulan") > month)["realisasi"].null_count() == len(realisasi.filter(pl.col("bulan") > month))
    assert realisasi.filter(pl.col("bulan") <= month)["realisasi"].null_count() == 0
    assert (realisasi["realisasi"].drop_nulls() >= 0).all()


def test_realization_never_exceeds_the_allocation_except_where_injected(ctx, lines):
    over = lines.filter(pl.col("realisasi_sd") > pl.col("pagu")).select(key=line_key())["key"]
    injected = ctx.truth_keys("realisasi_melebihi_pagu")
    assert set(over) == injected
    assert len(injected) == ctx.count("realisasi_melebihi_pagu", len(lines))
    assert set(ctx.ground_truth().filter(pl.col("error_kind") == "realisasi_melebihi_pagu")["source"]) == {"anggaran"}


def test_absorption_is_slow_early_and_back_loaded(ctx, lines):
    realisasi = ctx.frames["realisasi"]
    total = lines["pagu"].sum()
    paid = realisasi.group_by("bulan").agg(pl.col("realisasi").sum()).sort("bulan")["realisasi"].to_numpy()
    planned = realisasi.group_by("bulan").agg(pl.col("rencana").sum()).sort("bulan")["rencana"].to_numpy()
    assert np.cumsum(paid)[5] / total < 0.5  # less than half spent by the end of June
    assert 0.55 <= lines["realisasi_sd"].sum() / total <= 0.85  # by the end of October
    assert planned[11] > planned[0] * 2  # December carries the most; January little
    capital = lines.filter(pl.col("kode_rekening").str.starts_with("5.2"))
    salary = lines.filter(pl.col("kode_rekening") == "5.1.01")
    assert capital["realisasi_sd"].sum() / capital["pagu"].sum() < salary["realisasi_sd"].sum() / salary["pagu"].sum()


def test_some_agencies_lag_far_behind_their_cash_plan(lines):
    # salaries are paid whatever happens; lagging shows in goods, services and construction
    programs = lines.filter(pl.col("realisasi_sd") <= pl.col("pagu"), pl.col("kode_rekening") != "5.1.01")
    per_agency = programs.group_by("opd").agg(ratio=pl.col("realisasi_sd").sum() / pl.col("rencana_sd").sum())
    assert (per_agency["ratio"] < 0.7).sum() >= 2
    assert per_agency["ratio"].median() >= 0.8


def test_revenue_is_its_own_source_and_covers_most_of_the_spending(ctx):
    pendapatan = ctx.frames["pendapatan"]
    spending = ctx.frames["anggaran"]["pagu"].sum()
    assert pendapatan["kode_rekening"].str.starts_with("4.").all()
    assert 0.9 <= pendapatan["target"].sum() / spending <= 1.0
    assert set(pendapatan["kelompok"]) == set(catalog.REVENUE_GROUPS.values())
    dau = pendapatan.filter(pl.col("uraian").str.contains("Dana Alokasi Umum"))
    assert dau["target"][0] == pendapatan["target"].max()


def test_any_regency_gets_a_budget_with_its_own_kecamatan():
    other = build(20000, 7, regency="11.71")  # Kota Banda Aceh: kelurahan, no desa
    anggaran = other.frames["anggaran"]
    assert anggaran.select(budget.ANGGARAN.key).is_duplicated().sum() == 0
    assert set(anggaran["lokasi_kecamatan"].drop_nulls()) <= set(other.desa()["kecamatan_code"])
    assert anggaran.filter(pl.col("unit").str.starts_with("RSUD"))["unit"][0] == "RSUD Banda Aceh"


# --- fiscal year, absorption against plan and linear path, spending per resident, on hand-built lines -----

from datetime import date  # noqa: E402

from madangan import deploy, warehouse  # noqa: E402
from madangan.config import Settings  # noqa: E402
from madangan.errors import UserError  # noqa: E402
from madangan.indicators import engine  # noqa: E402
from madangan.ingest.pipeline import ingest_records  # noqa: E402
from madangan.sectors.budget.opendata import absorption_by_agency, spending_by_kecamatan  # noqa: E402


def _line(year, unit, sub, opd, pagu, kecamatan=None, stunting=False):
    return {"tahun": year, "kode_unit": unit, "opd": opd, "unit": opd, "kode_sub_kegiatan": sub, "program": "P",
            "kegiatan": "K", "sub_kegiatan": "S", "kode_rekening": "5.1.02", "nama_rekening": "Belanja Barang dan Jasa",
            "lokasi_kecamatan": kecamatan, "tagging_stunting": stunting, "pagu": pagu}


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("budget-years") / "data")
    deploy.init(settings, "32.11")
    kec = "32.11.01"
    lines = [_line(2025, "1.02.0.00.0.00.01.0000", "1.02.01.2.01.0001", "Dinas Kesehatan", 1_200_000, kec, True),
             _line(2026, "1.02.0.00.0.00.01.0000", "1.02.01.2.01.0001", "Dinas Kesehatan", 1_200_000, kec, True),
             _line(2026, "1.01.0.00.0.00.01.0000", "1.01.01.2.01.0001", "Dinas Pendidikan", 2_400_000)]
    plan = []
    for year, unit, sub, pagu, paid_months in (
            (2025, "1.02.0.00.0.00.01.0000", "1.02.01.2.01.0001", 1_200_000, 12),
            (2026, "1.02.0.00.0.00.01.0000", "1.02.01.2.01.0001", 1_200_000, 3),
            (2026, "1.01.0.00.0.00.01.0000", "1.01.01.2.01.0001", 2_400_000, 3)):
        for month in range(1, 13):
            # plan: evenly 1/12 a month; realization: half the plan in the months reported
            plan.append({"tahun": year, "kode_unit": unit, "kode_sub_kegiatan": sub, "bulan": month,
                         "rencana": pagu // 12, "realisasi": pagu // 24 if month <= paid_months else None})
    for source, rows in (("anggaran", lines), ("realisasi", plan)):
        result = ingest_records(settings, "32.11", source, rows, submitted_by="test")
        assert result.counts.accepted == len(rows), result
    return settings


def test_each_fiscal_year_is_measured_against_its_own_allocation(two_years):
    con = warehouse.connect(two_years.warehouse)
    try:
        facts = con.table(engine.FACT_TABLE).filter(lambda t: (t.indicator == "realisasi_belanja") & (t.dimensi == "")
                                                    ).to_polars()
    finally:
        con.disconnect()
    got = {r["bulan"]: (r["numerator"], r["denominator"], r["value"]) for r in facts.iter_rows(named=True)}
    # December 2025: half of the 2025 allocation, not measured against 2025 + 2026 together
    assert got[date(2025, 12, 1)] == (600_000, 1_200_000, 50.0)
    # March 2026: 3 × 50,000 + 3 × 100,000 against 3.6 million
    assert got[date(2026, 3, 1)] == (450_000, 3_600_000, 12.5)
    assert date(2026, 4, 1) not in got  # not reported yet


def test_a_budget_row_without_its_fiscal_year_is_refused_naming_the_column(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, "32.11")
    row = _line(2026, "1.02.0.00.0.00.01.0000", "1.02.01.2.01.0001", "Dinas Kesehatan", 1000)
    del row["tahun"]
    with pytest.raises(UserError, match="Kolom wajib tidak ada di berkas anggaran: Tahun Anggaran"):
        ingest_records(settings, "32.11", "anggaran", [row], submitted_by="test")


def test_agency_absorption_follows_plan_and_linear_path_of_the_latest_year(two_years):
    con = warehouse.connect(two_years.warehouse)
    try:
        frame = absorption_by_agency(con)
        kecamatan = spending_by_kecamatan(con)
    finally:
        con.disconnect()
    health = frame.filter(pl.col("opd") == "Dinas Kesehatan").sort("bulan")
    assert health["tahun"].unique().to_list() == [2026] and len(health) == 12
    march = health.row(2, named=True)
    assert march["persen_linear"] == 25.0 and march["persen_rencana"] == 25.0
    assert march["persen_realisasi"] == 12.5 and march["selisih_rencana_poin"] == -12.5
    assert health.row(3, named=True)["persen_realisasi"] is None  # April not reported
    row = kecamatan.filter(pl.col("kode_kecamatan") == "32.11.01").row(0, named=True)
    assert row["pagu"] == 1_200_000 and row["pagu_stunting"] == 1_200_000 and row["realisasi_stunting"] == 150_000
    # the education line has no location: it counts in no kecamatan
    assert kecamatan["pagu"].sum() == 1_200_000


# --- APBDes (village budgets) -------------------------------------------------------------------------------

from madangan.sectors.budget.apbdes import APBDES, BIDANG, PENDAPATAN  # noqa: E402


def test_apbdes_covers_every_desa_but_no_kelurahan_and_balances(ctx):
    frame = ctx.frames["apbdes"]
    assert frame.columns == list(APBDES.column_names)
    desa = ctx.desa()
    villages = set(desa.filter(~pl.col("kelurahan"))["desa_code"])
    assert set(frame["kode_desa"]) == villages and not set(frame["kode_desa"]) & set(desa.filter(pl.col("kelurahan"))["desa_code"])
    per = frame.group_by("kode_desa", "jenis").agg(pl.col("anggaran").sum(), pl.len().alias("lines"))
    wide = per.pivot(on="jenis", index="kode_desa", values="anggaran")
    assert (wide["PENDAPATAN"] == wide["BELANJA"]).all()  # a balanced budget, no financing lines
    lines = per.pivot(on="jenis", index="kode_desa", values="lines")
    assert (lines["PENDAPATAN"] == len(PENDAPATAN)).all() and (lines["BELANJA"] == len(BIDANG)).all()
    assert (frame["realisasi"] <= frame["anggaran"]).all() and (frame["realisasi"] >= 0).all()
    dana_desa = frame.filter(pl.col("kode_rekening") == "4.2.1")["anggaran"]
    assert 0.6e9 < dana_desa.median() < 1.5e9  # about Rp 1 billion a village
    spent = frame.filter(pl.col("jenis") == "BELANJA")
    assert 0.4 < spent["realisasi"].sum() / spent["anggaran"].sum() < 0.9  # by the end of October


def test_an_apbdes_line_with_an_unknown_account_is_quarantined_naming_the_column(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    deploy.init(settings, "32.11")
    good = {"tahun": 2026, "kode_desa": "32.11.01.2001", "jenis": "BELANJA", "kode_rekening": "5.2",
            "uraian": "Pelaksanaan Pembangunan Desa", "anggaran": 500_000_000, "realisasi": 120_000_000,
            "tanggal_laporan": "2026-06-30"}
    bad = {**good, "kode_rekening": "5.9"}
    result = ingest_records(settings, "32.11", "apbdes", [good, bad], submitted_by="test")
    assert result.counts.accepted == 1 and result.counts.quarantined == 1
    import openpyxl

    sheet = openpyxl.load_workbook(result.report).worksheets[0]
    reasons = [row for row in sheet.iter_rows(values_only=True)][1]
    assert reasons[0] == 2 and reasons[2] == "Kode Rekening" and "5.9" in reasons[5]
