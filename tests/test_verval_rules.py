"""Each verval rule on tiny hand-made records: what it must flag, and what it must leave alone.

NIKs here are made up by hand for the case (synthetic, not real people):
3211 01 150890 0001 = kecamatan 32.11.01, born 15-08-1990, serial 0001; a woman adds 40 to the day.
"""

from __future__ import annotations

from datetime import date, datetime

import ibis
import polars as pl
import pytest

from madangan.plugins import contracts
from madangan.sectors.budget.checks import CHECKS as BUDGET
from madangan.sectors.services.checks import CHECKS as SERVICES
from madangan.sectors.welfare.checks import CHECKS as WELFARE
from madangan.verval import engine, identity
from madangan.verval.freshness import stale_source

DESA = "32.11.01.2001"
KELURAHAN = "32.11.17.1001"
TODAY = date(2026, 11, 1)


def flagged(check, params=None, **tables) -> dict[str, dict]:
    """Run one check over the given tables (name → list of row dicts): record key → evidence."""
    con = ibis.duckdb.connect()
    loaded = {name: con.create_table(name, pl.DataFrame(rows, infer_schema_length=None)) for name, rows in tables.items()}
    found = con.to_polars(check.find(loaded, engine.context("32.11", today=TODAY, params=params)))
    return {row["record_key"]: row for row in found.to_dicts()}


def by_rule(checks, rule: str, source: str | None = None):
    return next(c for c in checks if c.rule == rule and (source is None or c.source == source))


PENDUDUK = contracts()["penduduk"]


def person(nik, born, sex="L", desa=DESA, **more):
    return {"nik": nik, "no_kk": "3211010101200001", "nama": "X", "jenis_kelamin": sex, "tanggal_lahir": born,
            "kode_desa": desa, "status_hidup": "HIDUP", **more}


# --- identity -------------------------------------------------------------------------------


@pytest.mark.parametrize(("nik", "why"), [
    ("321101150890000", "bukan 16 digit"),          # 15 digits
    ("32110115089000A1", "bukan 16 digit"),         # a letter
    ("9911011508900001", "kode wilayah"),           # no such kecamatan
    ("3211011513900001", "bulan"),                  # month 13
    ("3211013208900001", "tanggal lahir"),          # day 32 (and not a woman's 41–71)
    ("3211013102900001", "kalender"),               # 31 February
    ("3211011508900000", "0000"),                   # serial 0000
])
def test_nik_structure_flags_each_broken_part(nik, why):
    found = flagged(identity.nik_structure(PENDUDUK), penduduk=[person(nik, date(1990, 8, 15))])
    assert list(found) == [nik]
    assert why in found[nik]["masalah"]


@pytest.mark.parametrize("nik", [
    "3211011508900001",  # a man born 15-08-1990
    "3211015508900001",  # a woman born 15-08-1990 (day + 40)
    "3211012902000001",  # 29 February 2000
    "3171011508900001",  # registered in Jakarta: another regency's kecamatan is still a real NIK
])
def test_nik_structure_accepts_valid_niks(nik):
    assert flagged(identity.nik_structure(PENDUDUK), penduduk=[person(nik, date(1990, 8, 15))]) == {}


def test_nik_against_birth_date_and_sex():
    check = identity.nik_matches_person(PENDUDUK, "tanggal_lahir", "jenis_kelamin")
    rows = [
        person("3211011508900001", date(1990, 8, 15), "L"),   # agrees
        person("3211015508900002", date(1990, 8, 15), "P"),   # a woman, agrees
        person("3211011508900003", date(1990, 8, 16), "L"),   # day differs
        person("3211011508900004", date(1991, 8, 15), "L"),   # year differs
        person("3211011508900005", date(1990, 8, 15), "P"),   # a woman without the +40
        person("3211011513900006", date(1990, 8, 15), "L"),   # malformed: nik_struktur's, not this rule's
    ]
    assert set(flagged(check, penduduk=rows)) == {"3211011508900003", "3211011508900004", "3211011508900005"}


def test_desa_code_outside_the_regency():
    rows = [person("3211011508900001", date(1990, 8, 15)), person("3211011508900002", date(1990, 8, 15), desa="32.11.01.9999"),
            person("3211011508900003", date(1990, 8, 15), desa="32.73.01.1001")]  # a real desa of another city
    found = flagged(identity.desa_in_regency(PENDUDUK), penduduk=rows)
    assert set(found) == {"3211011508900002", "3211011508900003"}
    assert found["3211011508900002"]["kode_desa"] is None  # no desa owns a code that does not exist


def test_nik_not_in_registry_and_one_nik_for_two_persons():
    pegawai = contracts()["pegawai"]
    registry = [person("3211011508900001", date(1990, 8, 15)), person("3211011508900002", date(1990, 8, 15))]
    staff = [{"nik": "3211011508900001", "tanggal_lahir": date(1990, 8, 15), "kode_desa": DESA},
             {"nik": "3211011508900002", "tanggal_lahir": date(1979, 1, 2), "kode_desa": DESA},
             {"nik": "3211011508900009", "tanggal_lahir": date(1990, 8, 15), "kode_desa": DESA}]
    assert set(flagged(identity.nik_in_registry(pegawai, PENDUDUK), pegawai=staff, penduduk=registry)) == {"3211011508900009"}
    same = identity.nik_same_person(pegawai, "tanggal_lahir", PENDUDUK, "tanggal_lahir")
    assert set(flagged(same, pegawai=staff, penduduk=registry)) == {"3211011508900002"}


def test_kk_structure_has_no_womens_day():
    keluarga = contracts()["keluarga"]
    rows = [{"no_kk": "3211010101200001", "kode_desa": DESA}, {"no_kk": "3211014101200001", "kode_desa": DESA}]
    assert set(flagged(identity.kk_structure(keluarga), keluarga=rows)) == {"3211014101200001"}


def test_every_contract_with_a_nik_gets_structure_and_registry_checks():
    checks = identity.contract_checks(contracts())
    rules = {(c.rule, c.source) for c in checks}
    for contract in contracts().values():
        if contract.nik_column:
            assert ("nik_struktur", contract.name) in rules
            assert (("nik_tidak_terdaftar", contract.name) in rules) is (not contract.person_registry)


# --- welfare --------------------------------------------------------------------------------

RECIPIENT = {"program": "BPNT", "periode": "2026-10", "nama": "X", "kode_desa": DESA, "nominal": 200_000,
             "status": "AKTIF"}


def recipient(id_, nik, kk, program="BPNT", **more):
    return {**RECIPIENT, "id_penerima": id_, "nik": nik, "no_kk": kk, "program": program, **more}


def family(kk, desil, desa=DESA, **flags):
    base = {c: False for c in ("ada_ibu_hamil", "punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia",
                               "punya_disabilitas")}
    return {"no_kk": kk, "kode_desa": desa, "desil": desil, **base, **flags}


def test_deceased_and_employee_recipients():
    rows = [recipient("R1", "3211011508900001", "K1"), recipient("R2", "3211011508900002", "K2"),
            recipient("R3", "3211011508900003", "K3")]
    dead = [{"nik": "3211011508900001", "tanggal_kematian": date(2026, 3, 1)}]
    staff = [{"nik": "3211011508900002", "jenis_pegawai": "PNS", "instansi": "Dinas X"}]
    assert set(flagged(by_rule(WELFARE, "penerima_meninggal"), penerima_bansos=rows, kematian=dead)) == {"R1"}
    assert set(flagged(by_rule(WELFARE, "penerima_pegawai"), penerima_bansos=rows, pegawai=staff)) == {"R2"}


def test_recipient_sharing_a_family_card_with_an_employee():
    rows = [recipient("R1", "3211011508900001", "K1"), recipient("R2", "3211015508900002", "K1"),
            recipient("R3", "3211011508900003", "K3")]
    people = [{"nik": "3211011508900001", "no_kk": "K1"}, {"nik": "3211015508900002", "no_kk": "K1"},
              {"nik": "3211011508900003", "no_kk": "K3"}]
    staff = [{"nik": "3211011508900001", "jenis_pegawai": "PNS", "instansi": "Dinas X"}]
    # R1 is the employee (penerima_pegawai); R2 is the spouse on the same card
    found = flagged(by_rule(WELFARE, "penerima_keluarga_pegawai"), penerima_bansos=rows, pegawai=staff, penduduk=people)
    assert set(found) == {"R2"}


def test_inclusion_error_follows_each_programs_rule():
    families = [family("K1", 1), family("K5", 5), family("K3", 3), family("K2", 2, punya_lansia=True),
                family("KL", 1, desa=KELURAHAN)]
    rows = [
        recipient("B1", "N1", "K1", "BPNT"),            # desil 1: fine
        recipient("B5", "N5", "K5", "BPNT"),            # desil 5: BPNT stops at 4
        recipient("P5", "N6", "K5", "PBI_JK"),          # PBI-JK reaches desil 5: fine
        recipient("H3", "N3", "K3", "PKH"),             # PKH stops at desil 2
        recipient("H1", "N1", "K1", "PKH"),             # desil 1 but no PKH component
        recipient("H2", "N2", "K2", "PKH"),             # desil 2 with an elderly member: fine
        recipient("DL", "N7", "KL", "BLT_DD", kode_desa=KELURAHAN),  # BLT Dana Desa is not paid in a kelurahan
        recipient("BX", "N8", "KX", "BPNT"),            # family not ranked at all
    ]
    found = flagged(by_rule(WELFARE, "penerima_tidak_layak"), penerima_bansos=rows, desil=families)
    assert set(found) == {"B5", "H3", "H1", "DL", "BX"}
    assert found["BX"]["desil"] == "tidak terdaftar di DTSEN"
    # a regency that extends BPNT to desil 5 says so in madangan.toml ([verval] desil_maks = {BPNT = 5})
    wider = flagged(by_rule(WELFARE, "penerima_tidak_layak"), {"desil_maks": {"BPNT": 5}}, penerima_bansos=rows, desil=families)
    assert set(wider) == {"H3", "H1", "DL", "BX"}


def test_exclusion_error_names_the_missing_programs():
    families = [family("K1", 1, punya_anak_sekolah=True), family("K4", 4), family("K7", 7), family("KP", 1)]
    rows = [recipient("A", "N1", "K1", "PBI_JK"), recipient("B", "N4", "K4", "BPNT"), recipient("C", "N4b", "K4", "PBI_JK")]
    people = [{"nik": "NP", "no_kk": "KP"}]
    staff = [{"nik": "NP", "jenis_pegawai": "PNS", "instansi": "Dinas X"}]  # KP is an employee's family: not eligible
    found = flagged(by_rule(WELFARE, "layak_tidak_menerima"), desil=families, penerima_bansos=rows, pegawai=staff,
                    penduduk=people)
    assert set(found) == {"K1"}
    assert found["K1"]["program"] == "BPNT, PKH"


def test_exclusive_programs_and_duplicates():
    rows = [recipient("D1", "N1", "K1", "BLT_DD"), recipient("H1", "N1", "K1", "PKH"),
            recipient("D2", "N2", "K2", "BLT_DD"),
            recipient("B1", "N3", "K3", "BPNT"), recipient("B2", "N3", "K3", "BPNT"),
            recipient("B3", "N3", "K3", "BPNT", periode="2026-11")]
    assert set(flagged(by_rule(WELFARE, "program_saling_eksklusif"), penerima_bansos=rows)) == {"D1"}
    assert set(flagged(by_rule(WELFARE, "program_saling_eksklusif"), {"program_saling_eksklusif": [["BPNT", "PKH"]]},
                       penerima_bansos=rows)) == set()
    found = flagged(by_rule(WELFARE, "penerima_ganda"), penerima_bansos=rows)
    assert set(found) == {"B2"}
    assert found["B2"]["id_pertama"] == "B1"


# --- services, budget, freshness ----------------------------------------------------------


def test_finished_before_submitted():
    rows = [{"no_registrasi": "L1", "kode_desa": DESA, "tanggal_diajukan": date(2026, 5, 2), "tanggal_selesai": date(2026, 5, 1)},
            {"no_registrasi": "L2", "kode_desa": DESA, "tanggal_diajukan": date(2026, 5, 2), "tanggal_selesai": date(2026, 5, 2)},
            {"no_registrasi": "L3", "kode_desa": DESA, "tanggal_diajukan": date(2026, 5, 2), "tanggal_selesai": None}]
    assert set(flagged(by_rule(SERVICES, "selesai_sebelum_diajukan", "layanan"), layanan=rows)) == {"L1"}


def test_budget_realization_above_allocation_and_negative_amounts():
    lines = [{"tahun": 2026, "kode_unit": "U1", "kode_sub_kegiatan": "S1", "opd": "Dinas X", "sub_kegiatan": "A", "pagu": 100},
             {"tahun": 2026, "kode_unit": "U1", "kode_sub_kegiatan": "S2", "opd": "Dinas X", "sub_kegiatan": "B", "pagu": 100},
             {"tahun": 2026, "kode_unit": "U2", "kode_sub_kegiatan": "S1", "opd": "Dinas Y", "sub_kegiatan": "C", "pagu": -5},
             {"tahun": 2025, "kode_unit": "U1", "kode_sub_kegiatan": "S2", "opd": "Dinas X", "sub_kegiatan": "B", "pagu": 100}]
    spent = [{"tahun": 2026, "kode_unit": "U1", "kode_sub_kegiatan": "S1", "bulan": 1, "rencana": 50, "realisasi": 60},
             {"tahun": 2026, "kode_unit": "U1", "kode_sub_kegiatan": "S1", "bulan": 2, "rencana": 50, "realisasi": 41},
             {"tahun": 2026, "kode_unit": "U1", "kode_sub_kegiatan": "S2", "bulan": 1, "rencana": 50, "realisasi": 100},
             {"tahun": 2026, "kode_unit": "U1", "kode_sub_kegiatan": "S2", "bulan": 2, "rencana": 50, "realisasi": None},
             # last year's spending on the same line counts against last year's allocation only
             {"tahun": 2025, "kode_unit": "U1", "kode_sub_kegiatan": "S2", "bulan": 12, "rencana": 100, "realisasi": 90}]
    assert set(flagged(by_rule(BUDGET, "realisasi_melebihi_pagu"), anggaran=lines, realisasi=spent)) == {"2026|U1|S1"}
    assert set(flagged(by_rule(BUDGET, "nilai_negatif", "anggaran"), anggaran=lines)) == {"2026|U2|S1"}


def test_a_source_older_than_its_interval_is_stale():
    check = stale_source(PENDUDUK)  # expected every 31 days

    def batches(day):
        return [{"source": "penduduk", "status": "committed", "committed_at": day},
                {"source": "penduduk", "status": "reverted", "committed_at": datetime(2026, 10, 31)}]

    assert set(flagged(check, _batch=batches(datetime(2026, 9, 1)))) == {"penduduk"}
    assert flagged(check, _batch=batches(datetime(2026, 10, 15))) == {}


def _apbdes(code, jenis, anggaran, realisasi, desa=DESA, uraian="X"):
    return {"tahun": 2026, "kode_desa": desa, "jenis": jenis, "kode_rekening": code, "uraian": uraian,
            "anggaran": anggaran, "realisasi": realisasi, "tanggal_laporan": date(2026, 9, 30)}


def test_apbdes_spending_above_allocation_negative_amounts_and_codes_of_the_wrong_kind():
    other = "32.11.01.2002"
    rows = [_apbdes("5.1", "BELANJA", 100, 101),            # spending above its allocation
            _apbdes("5.2", "BELANJA", 100, 100),            # exactly spent: fine
            _apbdes("4.1", "PENDAPATAN", 100, 130),         # own revenue above its estimate: not an error
            _apbdes("4.2.1", "PENDAPATAN", -5, 0),          # negative allocation
            _apbdes("5.3", "BELANJA", 100, -1, desa=other),  # negative realization, in another desa
            _apbdes("5.4", "PENDAPATAN", 100, 50),          # a bidang code on a revenue line
            _apbdes("4.2.3", "BELANJA", 100, 50, desa=other)]  # a revenue code on a spending line
    above = flagged(by_rule(BUDGET, "realisasi_apbdes_melebihi_anggaran", "apbdes"), apbdes=rows)
    assert set(above) == {f"2026|{DESA}|5.1"}
    assert above[f"2026|{DESA}|5.1"]["kode_desa"] == DESA  # the village sees its own finding
    negative = flagged(by_rule(BUDGET, "nilai_negatif", "apbdes"), apbdes=rows)
    assert set(negative) == {f"2026|{DESA}|4.2.1", f"2026|{other}|5.3"}
    assert negative[f"2026|{other}|5.3"]["kode_desa"] == other
    wrong = flagged(by_rule(BUDGET, "kode_rekening_tidak_sesuai_jenis", "apbdes"), apbdes=rows)
    assert set(wrong) == {f"2026|{DESA}|5.4", f"2026|{other}|4.2.3"}
    assert (wrong[f"2026|{DESA}|5.4"]["awalan"], wrong[f"2026|{other}|4.2.3"]["awalan"]) == ("4", "5")
    check = by_rule(BUDGET, "kode_rekening_tidak_sesuai_jenis", "apbdes")
    assert "harus diawali 4" in check.message["id"].format(**wrong[f"2026|{DESA}|5.4"])


def test_the_synthetic_apbdes_passes_the_apbdes_checks():
    """No injected APBDes errors in the generator: its clean data must raise none of these findings."""
    from types import SimpleNamespace

    import numpy as np

    from madangan.sectors.budget import apbdes

    desa = pl.DataFrame({"desa_code": [DESA, "32.11.01.2002", KELURAHAN], "kelurahan": [False, False, True]})
    ctx = SimpleNamespace(rng=lambda name: np.random.default_rng(7), desa=lambda: desa,
                          reference_date=date(2026, 11, 1), frames={})
    apbdes.synthesize(ctx)
    rows = ctx.frames["apbdes"].to_dicts()
    assert len(rows) == 2 * (len(apbdes.PENDAPATAN) + len(apbdes.BIDANG))
    for rule in ("realisasi_apbdes_melebihi_anggaran", "kode_rekening_tidak_sesuai_jenis", "nilai_negatif"):
        assert flagged(by_rule(BUDGET, rule, "apbdes"), apbdes=rows) == {}, rule
