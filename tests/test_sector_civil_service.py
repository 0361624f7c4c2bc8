"""The employee register (ASN, TNI, Polri, perangkat desa): who is in it and how their numbers look."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from conftest import SMALL_POPULATION
from openpyxl import load_workbook

from madangan import synth
from madangan.sectors.civil_service import PEGAWAI, madangan_sectors
from madangan.sectors.civil_service.synth import GOLONGAN
from madangan.synth.context import SynthContext
from madangan.synth.export import write_source


def build(population_size: int = SMALL_POPULATION, seed: int = 7) -> SynthContext:
    return synth.build("32.11", population_size, seed, only={"civil_service"})


@pytest.fixture(scope="module")
def ctx():
    return build()


@pytest.fixture(scope="module")
def pegawai(ctx):
    return ctx.frames["pegawai"]


def test_the_sector_registers_one_source_that_needs_the_population():
    [sector] = madangan_sectors()
    assert sector.name == "civil_service"
    assert sector.requires == ("population",)
    assert [c.name for c in sector.contracts] == ["pegawai"]


def test_the_register_has_exactly_the_columns_and_types_of_its_contract(pegawai):
    assert pegawai.columns == PEGAWAI.column_names
    assert pegawai.schema == pl.Schema(PEGAWAI.polars_schema)
    assert pegawai["nik"].is_unique().all()
    for column in PEGAWAI.columns:
        if column.allowed:
            assert set(pegawai[column.name].unique()) <= set(column.allowed), column.name
        if column.required:
            assert pegawai[column.name].null_count() == 0, column.name


def test_same_seed_same_register_other_seed_other_register():
    a, b, c = build(5000, 11), build(5000, 11), build(5000, 12)
    assert a.frames["pegawai"].equals(b.frames["pegawai"])
    assert not a.frames["pegawai"].equals(c.frames["pegawai"])


def test_everyone_is_a_living_working_age_resident_as_the_population_registry_knows_them(ctx, pegawai):
    residents = ctx.frames["penduduk"].filter(pl.col("status_hidup") == "HIDUP")
    joined = pegawai.join(residents, on="nik", how="left", suffix="_siak")
    assert joined["nama_siak"].null_count() == 0, "every employee NIK is a living resident"
    for column in ("nama", "jenis_kelamin", "tanggal_lahir", "kode_desa"):
        assert (joined[column] == joined[f"{column}_siak"]).all(), column
    age = (date(2026, 10, 31) - pegawai["tanggal_lahir"]).dt.total_days() / 365.25
    assert age.min() >= 18 and age.max() <= 60


def test_nobody_the_population_generator_tampered_with_is_an_employee(ctx, pegawai):
    gt = ctx.ground_truth().filter(pl.col("source") == "penduduk")
    tampered = set(gt["record_key"]) | set(gt["related_key"].drop_nulls())
    assert not tampered & set(pegawai["nik"])


def test_a_pns_nip_is_birth_date_appointment_month_sex_and_serial(pegawai):
    pns = pegawai.filter(pl.col("jenis_pegawai") == "PNS")
    assert len(pns) > 0
    nip = pns["nip"]
    assert nip.str.contains(r"^\d{18}$").all()
    assert nip.is_unique().all()
    assert (nip.str.slice(0, 8) == pns["tanggal_lahir"].dt.strftime("%Y%m%d")).all(), "birth date, no +40 for women"
    assert (nip.str.slice(8, 6) == pns["tmt"].dt.strftime("%Y%m")).all(), "month of appointment (TMT CPNS)"
    sex_digit = pl.Series(["1" if s == "L" else "2" for s in pns["jenis_kelamin"]])
    assert (nip.str.slice(14, 1) == sex_digit).all(), "1 = male, 2 = female"
    assert (nip.str.slice(15, 3) != "000").all()


def test_only_pns_have_a_nip(pegawai):
    others = pegawai.filter(pl.col("jenis_pegawai") != "PNS")
    assert others["nip"].null_count() == len(others)


def test_appointment_comes_after_adulthood_and_before_the_reference_date(pegawai):
    age_at_tmt = (pegawai["tmt"] - pegawai["tanggal_lahir"]).dt.total_days() / 365.25
    assert age_at_tmt.min() >= 17.9
    assert pegawai["tmt"].max() <= date(2026, 10, 31)
    assert (pegawai["tmt"].dt.day() == 1).all(), "appointments take effect on the first of a month"


def test_pns_golongan_is_a_real_rank_and_rises_with_years_of_service(pegawai):
    pns = pegawai.filter(pl.col("jenis_pegawai") == "PNS").with_columns(
        years=(pl.lit(date(2026, 10, 31)) - pl.col("tmt")).dt.total_days() / 365.25,
        group=pl.col("golongan").str.split("/").list.first(),  # III/c → III
    )
    assert set(pns["golongan"]) <= set(GOLONGAN)
    by_group = dict(pns.group_by("group").agg(pl.col("years").median()).iter_rows())
    assert by_group["IV"] > by_group["III"]


def test_sizes_are_those_of_a_regency_one_percent_asn(ctx, pegawai):
    counts = dict(pegawai["jenis_pegawai"].value_counts().iter_rows())
    asn = counts["PNS"] + counts["PPPK"]
    assert asn == pytest.approx(0.009 * ctx.population, rel=0.02)
    assert counts["TNI"] + counts["POLRI"] == pytest.approx(0.0015 * ctx.population, rel=0.05)
    assert 0.5 < counts["PNS"] / asn < 0.75


def test_tni_and_polri_are_mostly_men_and_posted_to_a_koramil_kodim_polsek_or_polres(pegawai):
    force = pegawai.filter(pl.col("jenis_pegawai").is_in(["TNI", "POLRI"]))
    assert (force["jenis_kelamin"] == "L").mean() > 0.8
    assert force["instansi"].str.contains(r"^(Koramil|Kodim|Polsek|Polres) ").all()


def test_asn_work_in_regency_offices_led_by_one_head_each(pegawai):
    asn = pegawai.filter(pl.col("jenis_pegawai").is_in(["PNS", "PPPK"]))
    offices = asn["instansi"].value_counts().sort("count", descending=True)
    assert offices["instansi"][0] == "Dinas Pendidikan", "teachers are the largest group"
    heads = pegawai.filter(pl.col("jabatan").is_in(["Kepala Dinas", "Kepala Badan", "Camat", "Sekretaris Daerah", "Direktur"]))
    assert heads["instansi"].is_unique().all()
    assert (heads["jenis_pegawai"] == "PNS").all()


def test_perangkat_desa_serve_the_desa_they_live_in_and_kelurahan_have_none(ctx, pegawai):
    officials = pegawai.filter(pl.col("jenis_pegawai") == "PERANGKAT DESA")
    desa = ctx.desa()
    names = dict(zip(desa["desa_code"], desa["desa_name"]))
    assert all(inst == f"Pemerintah Desa {names[code]}" for inst, code in zip(officials["instansi"], officials["kode_desa"]))
    kelurahan = set(desa.filter(pl.col("kelurahan"))["desa_code"])
    assert not kelurahan & set(officials["kode_desa"])
    per_desa = officials.group_by("kode_desa").agg(kades=(pl.col("jabatan") == "Kepala Desa").sum())
    assert (per_desa["kades"] == 1).all(), "one kepala desa per desa"


def test_a_full_sized_desa_has_eight_to_ten_officials():
    ctx = build(300_000, 3)
    residents = ctx.frames["penduduk"].group_by("kode_desa").agg(residents=pl.len())
    officials = (
        ctx.frames["pegawai"].filter(pl.col("jenis_pegawai") == "PERANGKAT DESA")
        .group_by("kode_desa").agg(n=pl.len())
        .join(residents, on="kode_desa")
    )
    full = officials.filter(pl.col("residents") >= 1500)
    assert len(full) > 20
    assert full["n"].is_between(8, 10).all()
    assert (officials["n"] <= 10).all()


def test_the_register_is_exported_as_xlsx_with_nip_and_nik_kept_as_text(pegawai, tmp_path):
    path = write_source(PEGAWAI, pegawai, tmp_path)
    assert path.name == "pegawai.xlsx"
    sheet = load_workbook(path, read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    assert header[:2] == ("NIP", "NIK")
    pns = next(r for r in rows if r[5] == "PNS")
    assert isinstance(pns[0], str) and len(pns[0]) == 18
    assert isinstance(pns[1], str) and len(pns[1]) == 16
