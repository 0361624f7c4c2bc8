"""The DTSEN welfare ranking and the bansos recipient lists, and the targeting errors planted in them.

Every injected error kind is recounted here from the data alone, with the
program rules written out again, and must equal the ground truth exactly:
that is what lets a verval check be scored for precision and recall.
"""

from __future__ import annotations

from datetime import date

import ibis
import polars as pl
import pytest
from conftest import SMALL_POPULATION

from madangan import synth
from madangan.sectors.welfare import DESIL, PENERIMA_BANSOS, madangan_sectors
from madangan.synth.context import SynthContext

PERIOD_START = date(2026, 10, 1)


def build(population_size: int = SMALL_POPULATION, seed: int = 7) -> SynthContext:
    return synth.build("32.11", population_size, seed, only={"welfare"})


@pytest.fixture(scope="module")
def ctx():
    return build()


@pytest.fixture(scope="module")
def bansos(ctx):
    return ctx.frames["penerima_bansos"]


@pytest.fixture(scope="module")
def desil(ctx):
    return ctx.frames["desil"]


@pytest.fixture(scope="module")
def families(ctx, desil):
    """The DTSEN families with what the rules need: is a member an employee, is it a kelurahan."""
    people = ctx.frames["penduduk"]
    pegawai_kk = people.filter(pl.col("nik").is_in(ctx.frames["pegawai"]["nik"].implode()))["no_kk"]
    kelurahan = ctx.desa().filter(pl.col("kelurahan"))["desa_code"]
    return desil.with_columns(
        pegawai=pl.col("no_kk").is_in(pegawai_kk.implode()),
        kelurahan=pl.col("kode_desa").is_in(kelurahan.implode()),
    )


# The program rules, as a Dinas Sosial analyst would write them (see sectors/welfare/__init__.py).
COMPONENT = pl.any_horizontal("ada_ibu_hamil", "punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia", "punya_disabilitas")
DESIL_RULE = {
    "PKH": pl.col("desil").is_between(1, 2) & COMPONENT,
    "BPNT": pl.col("desil").is_between(1, 4),
    "BLT_DD": pl.col("desil").is_between(1, 4) & ~pl.col("kelurahan"),
    "PBI_JK": pl.col("desil").is_between(1, 5),
}


def truth(ctx, kind: str) -> pl.DataFrame:
    return ctx.ground_truth().filter(pl.col("error_kind") == kind)


def rows_failing_the_desil_rule(bansos: pl.DataFrame, families: pl.DataFrame) -> pl.DataFrame:
    rows = bansos.join(families.drop("kode_desa"), on="no_kk", how="left")
    failing = [rows.filter((pl.col("program") == p) & ~rule.fill_null(False)) for p, rule in DESIL_RULE.items()]
    # BLT_DD priority: desil 2–4 only once every eligible desil-1 family of the desa has it.
    blt = bansos.filter(pl.col("program") == "BLT_DD")["no_kk"].implode()
    waiting = families.filter(
        (pl.col("desil") == 1) & ~pl.col("pegawai") & ~pl.col("kelurahan") & ~pl.col("no_kk").is_in(blt)
    )["kode_desa"].implode()
    failing.append(rows.filter((pl.col("program") == "BLT_DD") & pl.col("desil").is_between(2, 4) & pl.col("kode_desa").is_in(waiting)))
    return pl.concat(failing).unique("id_penerima")


def test_the_sector_registers_two_sources_after_population_and_civil_service():
    [sector] = madangan_sectors()
    assert sector.name == "welfare"
    assert set(sector.requires) == {"population", "civil_service"}
    assert [c.name for c in sector.contracts] == ["desil", "penerima_bansos"]


@pytest.mark.parametrize("contract", [DESIL, PENERIMA_BANSOS], ids=lambda c: c.name)
def test_each_source_has_exactly_the_columns_types_and_values_of_its_contract(ctx, contract):
    frame = ctx.frames[contract.name]
    assert frame.columns == contract.column_names
    assert frame.schema == pl.Schema(contract.polars_schema)
    assert frame.select(contract.key).is_unique().all()
    for column in contract.columns:
        if column.allowed:
            assert set(frame[column.name].unique()) <= set(column.allowed), column.name
        assert frame[column.name].null_count() == 0, column.name


def test_same_seed_same_lists_other_seed_other_lists():
    a, b, c = build(5000, 11), build(5000, 11), build(5000, 12)
    for name in ("desil", "penerima_bansos"):
        assert a.frames[name].equals(b.frames[name]), name
        assert not a.frames[name].equals(c.frames[name]), name
    assert a.ground_truth().equals(b.ground_truth())


# --- the ranking -------------------------------------------------------------------------------


def test_almost_every_family_is_ranked_and_four_in_ten_are_in_desil_one_to_four(ctx, desil):
    assert 0.95 < len(desil) / len(ctx.frames["keluarga"]) < 0.99
    share = desil["desil"].value_counts(normalize=True).sort("desil")
    assert share["desil"].to_list() == list(range(1, 11))
    assert share.filter(pl.col("desil") <= 4)["proportion"].sum() == pytest.approx(0.40, abs=0.02)


def test_the_ranked_families_are_the_registry_s_families(ctx, desil):
    keluarga = ctx.frames["keluarga"]
    joined = desil.join(keluarga, on="no_kk", how="left", suffix="_kk")
    assert joined["kode_desa_kk"].null_count() == 0
    assert (joined["kode_desa"] == joined["kode_desa_kk"]).all()
    assert (joined["nik_kepala_keluarga"] == joined["nik_kepala_keluarga_kk"]).all()
    assert desil["tanggal_pemutakhiran"].max() < PERIOD_START


def test_kelurahan_families_and_employee_families_are_richer(families):
    mean = dict(families.group_by("kelurahan").agg(pl.col("desil").mean()).iter_rows())
    assert mean[True] > mean[False] + 0.5
    mean = dict(families.group_by("pegawai").agg(pl.col("desil").mean()).iter_rows())
    assert mean[True] > mean[False] + 1


def test_a_farm_labourer_s_family_is_poorer_than_an_office_worker_s(ctx, desil):
    heads = ctx.frames["penduduk"].select(nik_kepala_keluarga="nik", pekerjaan="pekerjaan")
    mean = dict(desil.join(heads, on="nik_kepala_keluarga").group_by("pekerjaan").agg(pl.col("desil").mean()).iter_rows())
    assert mean["BURUH TANI/PERKEBUNAN"] < mean["KARYAWAN SWASTA"] - 1


# --- the recipient lists -----------------------------------------------------------------------


def test_every_recipient_is_a_resident_of_the_family_and_desa_on_the_list(ctx, bansos):
    people = ctx.frames["penduduk"].select("nik", kk_siak="no_kk")
    joined = bansos.join(people, on="nik", how="left").join(
        ctx.frames["keluarga"].select("no_kk", desa_kk="kode_desa"), on="no_kk", how="left"
    )
    assert joined["kk_siak"].null_count() == 0, "every NIK is in the population registry"
    assert (joined["no_kk"] == joined["kk_siak"]).all()
    assert (joined["kode_desa"] == joined["desa_kk"]).all()
    assert not bansos.select("program", "nik").is_duplicated().any(), "nobody twice in one program"


def test_all_four_programs_pay_their_amounts_for_october_2026(bansos):
    assert set(bansos["periode"]) == {"2026-10"}
    nominal = {p: set(bansos.filter(pl.col("program") == p)["nominal"]) for p in ("BPNT", "BLT_DD", "PBI_JK")}
    assert nominal == {"BPNT": {200_000}, "BLT_DD": {300_000}, "PBI_JK": {42_000}}
    pkh = bansos.filter(pl.col("program") == "PKH")["nominal"]
    assert pkh.min() >= 75_000 and pkh.max() <= 1_000_000, "one SD child (900k/yr) to four top components"
    assert pkh.n_unique() > 5, "PKH varies with the family's components"


def test_family_programs_have_one_row_per_family_and_pbi_jk_one_per_member(bansos):
    per = dict(bansos.group_by("program").agg(rows=pl.len(), families=pl.col("no_kk").n_unique()).select(
        "program", ratio=pl.col("rows") / pl.col("families")).iter_rows())
    assert per["PKH"] == per["BPNT"] == per["BLT_DD"] == 1
    assert per["PBI_JK"] > 2


def test_pkh_is_paid_to_the_mother_when_there_is_one(ctx, bansos):
    roles = ctx.frames["penduduk"].select("nik", "status_hubungan")
    pkh = bansos.filter(pl.col("program") == "PKH").join(roles, on="nik")
    assert set(pkh["status_hubungan"]) <= {"ISTRI", "KEPALA KELUARGA"}
    assert (pkh["status_hubungan"] == "ISTRI").mean() > 0.5


def test_blt_dana_desa_is_only_paid_in_desa_and_within_a_small_quota(families, bansos):
    blt = bansos.filter(pl.col("program") == "BLT_DD")
    assert not blt.join(families.filter(pl.col("kelurahan")), on="no_kk").height
    per_desa = blt.group_by("kode_desa").agg(n=pl.len()).join(
        families.group_by("kode_desa").agg(size=pl.len()), on="kode_desa")
    assert (per_desa["n"] <= 0.07 * per_desa["size"] + 2).all()


def test_the_structure_page_counts_aided_families_per_desa(bansos):
    [count] = madangan_sectors()[0].desa_counts
    assert count.key == "penerima_bansos" and count.label["id"] == "Keluarga penerima bansos"
    result = count.compute({"penerima_bansos": ibis.memtable(bansos.to_arrow())}).to_polars()
    expected = bansos.group_by("kode_desa").agg(value=pl.col("no_kk").n_unique())
    assert dict(result.iter_rows()) == dict(expected.iter_rows())
    assert result["value"].sum() == bansos["no_kk"].n_unique()


# --- the planted errors, recounted from the data -------------------------------------------------


def test_inclusion_errors_are_exactly_the_rows_whose_family_fails_the_program_rule(ctx, bansos, families):
    failing = rows_failing_the_desil_rule(bansos, families)
    expected = truth(ctx, "penerima_tidak_layak")
    assert set(zip(failing["id_penerima"], failing["program"])) == set(zip(expected["record_key"], expected["related_key"]))


def test_exclusion_errors_are_exactly_the_eligible_families_missing_from_a_program(ctx, bansos, families):
    found = set()
    for program in ("PKH", "BPNT", "PBI_JK"):
        on_list = bansos.filter(pl.col("program") == program)["no_kk"].implode()
        missing = families.filter(DESIL_RULE[program] & ~pl.col("pegawai") & ~pl.col("no_kk").is_in(on_list))
        found |= {(kk, program) for kk in missing["no_kk"]}
    expected = truth(ctx, "layak_tidak_menerima")
    assert set(expected["source"]) == {"desil"}
    assert found == set(zip(expected["record_key"], expected["related_key"]))


def test_deceased_on_a_list_are_exactly_the_rows_whose_nik_is_in_the_death_register(ctx, bansos):
    deaths = ctx.frames["kematian"]
    rows = bansos.join(deaths.select("nik", "tanggal_kematian"), on="nik")
    expected = truth(ctx, "meninggal_menerima_bansos")
    assert set(rows["id_penerima"]) == set(expected["record_key"])
    assert len(rows) == ctx.count("meninggal_menerima_bansos", len(deaths))
    assert (rows["tanggal_kematian"] < PERIOD_START).all(), "paid for a month after the death"
    assert dict(zip(expected["record_key"], expected["related_key"])) == dict(zip(rows["id_penerima"], rows["nik"]))


def test_employees_on_a_list_are_exactly_the_rows_whose_nik_or_family_is_in_the_employee_register(ctx, bansos, families):
    pegawai = ctx.frames["pegawai"]
    by_nik = set(bansos.filter(pl.col("nik").is_in(pegawai["nik"].implode()))["id_penerima"])
    by_family = set(bansos.join(families.filter(pl.col("pegawai")).select("no_kk"), on="no_kk")["id_penerima"])
    expected = set(truth(ctx, "asn_menerima_bansos")["record_key"])
    assert by_nik == by_family == expected
    assert len(expected) == ctx.count("asn_menerima_bansos", len(pegawai))


def test_about_three_in_ten_eligible_families_are_left_out(ctx, bansos, families):
    excluded = truth(ctx, "layak_tidak_menerima")
    for program in ("PKH", "BPNT", "PBI_JK"):
        eligible = families.filter(DESIL_RULE[program] & ~pl.col("pegawai")).height
        rate = excluded.filter(pl.col("related_key") == program).height / eligible
        assert 0.25 <= rate <= 0.35, (program, rate)


def test_ten_to_fifteen_percent_of_each_program_s_recipients_are_not_eligible(ctx, bansos):
    included = truth(ctx, "penerima_tidak_layak")
    for program in ("PKH", "BPNT", "BLT_DD", "PBI_JK"):
        rows = bansos.filter(pl.col("program") == program).height
        rate = included.filter(pl.col("related_key") == program).height / rows
        assert 0.10 <= rate <= 0.15, (program, rate)


def test_planted_kinds_do_not_overlap(ctx):
    on_rows = ctx.ground_truth().filter(pl.col("source") == "penerima_bansos")
    assert on_rows["record_key"].is_unique().all(), "a row carries at most one planted error"
