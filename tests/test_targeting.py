"""Welfare targeting: program rules as data, error rates, ranked lists, the quota what-if, field outcomes,
the citizen self-check — on hand-built families, and over the API of a demo deployment.

Numbers here are made up for the case (synthetic families, not real people).
"""

from __future__ import annotations

import io
import re
from datetime import date

import ibis
import openpyxl
import polars as pl
import pytest
from fastapi.testclient import TestClient

from madangan import warehouse
from madangan.access import Role
from madangan.access import store as access_store
from madangan.access.web import SESSION_COOKIE
from madangan.appdb import make_engine, migrate
from madangan.errors import UserError
from madangan.sectors.welfare import export, rules, store, targeting
from madangan.sectors.welfare.api import STATUS_LIMIT
from madangan.web.app import create_app

DESA, DESA2, KELURAHAN = "32.11.01.2001", "32.11.01.2002", "32.11.17.1001"
PERIOD = "2026-10"
FLAGS = ("ada_ibu_hamil", "punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia", "punya_disabilitas",
         "kehilangan_mata_pencaharian")
NO_OUTCOMES = pl.DataFrame(schema={"no_kk": pl.String, "kode_desa": pl.String, "outcome": pl.String})
NOMINAL = {"PKH": 75_000, "BPNT": 200_000, "BLT_DD": 300_000, "PBI_JK": 42_000}


def fam(kk, desil, desa=DESA, **flags):
    return {"no_kk": kk, "nik_kepala_keluarga": f"N{kk}", "nama_kepala_keluarga": f"Kepala {kk}", "kode_desa": desa,
            "desil": desil, **{f: False for f in FLAGS}, **flags}


def row(id_, kk, program, nik=None, desa=DESA):
    return {"id_penerima": id_, "program": program, "periode": PERIOD, "nik": nik or f"N{kk}", "no_kk": kk,
            "nama": f"Penerima {id_}", "kode_desa": desa, "nominal": NOMINAL[program], "status": "AKTIF"}


def person(nik, kk, born=date(1980, 1, 1), desa=DESA, alive=True):
    return {"nik": nik, "no_kk": kk, "tanggal_lahir": born, "kode_desa": desa, "status_hidup": "HIDUP" if alive else "MATI",
            "nama": f"Warga {nik}", "status_hubungan": "KEPALA KELUARGA"}


def make_inputs(families, recipients, people=(), staff=(), deaths=(), outcomes=NO_OUTCOMES) -> targeting.Inputs:
    con = ibis.duckdb.connect()
    frames = {"desil": families, "penerima_bansos": recipients, "penduduk": people, "pegawai": staff, "kematian": deaths}
    schemas = {"penduduk": {"nik": pl.String, "no_kk": pl.String, "tanggal_lahir": pl.Date, "kode_desa": pl.String,
                            "status_hidup": pl.String, "nama": pl.String, "status_hubungan": pl.String},
               "pegawai": {"nik": pl.String}, "kematian": {"nik": pl.String},
               "penerima_bansos": {"id_penerima": pl.String, "program": pl.String, "periode": pl.String, "nik": pl.String,
                                   "no_kk": pl.String, "nama": pl.String, "kode_desa": pl.String, "nominal": pl.Int64,
                                   "status": pl.String}}
    tables = {}
    for name, rows in frames.items():
        frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame(schema=schemas[name])
        tables[name] = con.create_table(name, frame)
    return targeting.Inputs(tables, outcomes)


RULES = rules.load()
VERSION = RULES.for_period(PERIOD)


def reasons_of(inputs) -> dict[str, set[str]]:
    frame = targeting.recipient_rows(inputs, VERSION, [PERIOD]).to_polars()
    return {r["id_penerima"]: {k for k in targeting.REASONS if r[f"alasan_{k}"]} for r in frame.to_dicts()}


def by_program(frame: pl.DataFrame, program: str, code: str = DESA) -> dict:
    return frame.filter((pl.col("program") == program) & (pl.col("kode_wilayah") == code)).to_dicts()[0]


# --- the rule file ---------------------------------------------------------------------------------


def test_shipped_rules_say_what_the_regulations_say():
    assert VERSION.program["PKH"].desil == (1, 2) and VERSION.program["PKH"].komponen
    assert VERSION.program["BLT_DD"].tiers() == ((1,), (2, 3, 4)) and VERSION.program["BLT_DD"].hanya_desa
    assert VERSION.program["BLT_DD"].nominal_per_bulan == 300_000
    assert VERSION.program["PBI_JK"].satuan == "jiwa" and max(VERSION.program["PBI_JK"].desil) == 5
    assert ("BLT_DD", "PKH") in VERSION.saling_eksklusif


SMALL = """
[[versi]]
nama = "uji"
berlaku_mulai = 2025-01-01
[versi.program.BPNT]
judul = "Sembako"
desil = [1, 2, 3, 4]
nominal_per_bulan = 200000
"""


@pytest.mark.parametrize(("change", "field", "why"), [
    (("desil = [1, 2, 3, 4]", "desil = [1, 2, 11]"), "versi.0.program.BPNT.desil.2", "less than or equal to 10"),
    (("nominal_per_bulan = 200000", "nominal_per_bulan = 200000\nwarna = \"biru\""), "versi.0.program.BPNT.warna",
     "kolom tidak dikenal"),
    (("[versi.program.BPNT]", "[versi.program.BANSOS_X]"), "versi.0.program.BANSOS_X.[key]", "PKH"),
    (("berlaku_mulai = 2025-01-01", "berlaku_mulai = 2025-01-01\nsaling_eksklusif = [[\"BPNT\", \"KIP\"]]"),
     "versi.0.saling_eksklusif.0.1", "PKH"),
    (("desil = [1, 2, 3, 4]", "desil = [1, 2]\nprioritas = [[1], [3]]"), "versi.0.program.BPNT", "outside"),
])
def test_a_bad_rule_file_is_refused_naming_the_field(change, field, why):
    with pytest.raises(UserError) as err:
        rules.parse(SMALL.replace(*change), "aturan-kab.toml")
    message = str(err.value)
    assert "aturan-kab.toml" in message and field in message and why in message


def test_versions_are_chosen_by_validity_date_and_a_gap_is_explained():
    two = SMALL.replace('nama = "uji"', 'nama = "lama"\nberlaku_sampai = 2025-12-31') + SMALL.replace(
        'nama = "uji"', 'nama = "baru"').replace("2025-01-01", "2026-01-01").replace("[1, 2, 3, 4]", "[1, 2, 3]")
    found = rules.parse(two)
    assert found.for_period("2025-07").nama == "lama" and found.for_period("2026-10").program["BPNT"].desil == (1, 2, 3)
    with pytest.raises(UserError, match="2024-12-01"):
        found.for_period("2024-12")
    overlapping = SMALL + SMALL.replace('nama = "uji"', 'nama = "dua"')
    with pytest.raises(UserError, match="same time"):
        rules.parse(overlapping)


def test_a_regency_points_the_setting_at_its_own_file_and_checks_follow_it(tmp_path):
    own = tmp_path / "aturan.toml"
    own.write_text(SMALL.replace("[1, 2, 3, 4]", "[1, 2, 3, 4, 5]"))
    loaded = rules.load({"aturan_program": str(own)})
    assert list(loaded.for_period(PERIOD).program) == ["BPNT"]
    inputs = make_inputs([fam("K5", 5)], [row("B5", "K5", "BPNT")])
    frame = targeting.rates(inputs, loaded)
    assert by_program(frame, "BPNT")["salah_inklusi"] == 0  # desil 5 is inside this regency's BPNT
    assert by_program(targeting.rates(inputs, RULES), "BPNT")["salah_inklusi"] == 1
    with pytest.raises(UserError, match="tidak ada"):
        rules.load({"aturan_program": str(tmp_path / "missing.toml")})
    with pytest.raises(UserError, match="Program 'XYZ' tidak dikenal"):
        targeting.rates(inputs, RULES, program="XYZ")


# --- every criterion and exclusion -------------------------------------------------------------------


def test_every_criterion_and_exclusion_on_hand_built_families():
    families = [fam("K1", 1, punya_anak_sekolah=True), fam("K1B", 1), fam("K3", 3), fam("K5", 5), fam("K6", 6),
                fam("KL", 1, desa=KELURAHAN), fam("KP", 2), fam("KD", 2)]
    recipients = [
        row("PKH-1", "K1", "PKH"),                    # desil 1 with a school child: fine
        row("PKH-2", "K1B", "PKH"),                   # desil 1 without a PKH component
        row("BPNT-1", "K3", "BPNT"),                  # fine
        row("BPNT-2", "K5", "BPNT"),                  # BPNT stops at desil 4
        row("BPNT-3", "KX", "BPNT"),                  # family not ranked in DTSEN
        row("PBI-1", "K5", "PBI_JK"),                 # PBI-JK reaches desil 5: fine
        row("PBI-2", "K6", "PBI_JK"),                 # desil 6
        row("BLT-1", "KL", "BLT_DD", desa=KELURAHAN),  # BLT Dana Desa is not paid in a kelurahan
        row("BPNT-4", "KP", "BPNT", nik="NP"),        # the recipient is a civil servant
        row("PBI-3", "KP", "PBI_JK", nik="NQ"),       # the recipient's family has one
        row("PBI-4", "KD", "PBI_JK", nik="ND"),       # the recipient has died
    ]
    people = [person("NP", "KP"), person("NQ", "KP"), person("ND", "KD", alive=False)]
    inputs = make_inputs(families, recipients, people, staff=[{"nik": "NP"}], deaths=[{"nik": "ND"}])
    assert reasons_of(inputs) == {
        "PKH-1": set(), "PKH-2": {"tidak_layak"}, "BPNT-1": set(), "BPNT-2": {"tidak_layak"}, "BPNT-3": {"tidak_layak"},
        "PBI-1": set(), "PBI-2": {"tidak_layak"}, "BLT-1": {"tidak_layak"}, "BPNT-4": {"pegawai"},
        "PBI-3": {"keluarga_pegawai"}, "PBI-4": {"meninggal"},
    }
    frame = targeting.rates(inputs, RULES)
    bpnt = by_program(frame, "BPNT")
    # eligible for BPNT in the desa: K1, K1B, K3, KD (KP is an employee's family); only K3 receives
    assert (bpnt["penerima"], bpnt["salah_inklusi"], bpnt["kebocoran_rp"]) == (4, 3, 600_000)
    assert (bpnt["keluarga_layak"], bpnt["layak_menerima"], bpnt["salah_eksklusi"]) == (4, 1, 3)
    assert bpnt["tingkat_inklusi"] == pytest.approx(3 / 4) and bpnt["cakupan"] == pytest.approx(1 / 4)
    assert (bpnt["alasan_tidak_layak"], bpnt["alasan_pegawai"]) == (2, 1)
    # rolled up to the regency the counts add up and the rates are recomputed from them
    whole = targeting.rates(inputs, RULES, level="kabupaten")
    pbi = by_program(whole, "PBI_JK", "32.11")
    assert (pbi["penerima"], pbi["salah_inklusi"], pbi["kebocoran_rp"]) == (4, 3, 3 * 42_000)
    desa_rows = targeting.rates(inputs, RULES).filter(pl.col("program") == "PBI_JK")
    assert pbi["keluarga_layak"] == desa_rows["keluarga_layak"].sum()


def test_a_quota_program_misses_a_family_only_when_a_later_tier_got_it_instead():
    families = [fam("A1", 1), fam("A2", 2), fam("A3", 3),              # desa 1: desil 2 paid, desil 1 waiting
                fam("B1", 1, desa=DESA2), fam("B1X", 1, desa=DESA2), fam("B4", 4, desa=DESA2)]  # desa 2: by the rule
    recipients = [row("D-A2", "A2", "BLT_DD"), row("D-B1", "B1", "BLT_DD", desa=DESA2)]
    frame = targeting.rates(make_inputs(families, recipients), RULES, program="BLT_DD")
    assert by_program(frame, "BLT_DD")["salah_eksklusi"] == 1       # A1 only; A3 shares A2's tier
    assert by_program(frame, "BLT_DD", DESA2)["salah_eksklusi"] == 0  # B1X is in the same tier as B1: the quota is full


def test_a_family_on_pkh_is_neither_a_blt_dd_candidate_nor_missed_by_it():
    families = [fam("M1", 1, ada_ibu_hamil=True), fam("M2", 2), fam("M3", 1)]
    recipients = [row("H-M1", "M1", "PKH"), row("D-M2", "M2", "BLT_DD")]
    inputs = make_inputs(families, recipients)
    frame = targeting.rates(inputs, RULES, program="BLT_DD")
    assert by_program(frame, "BLT_DD")["salah_eksklusi"] == 1  # M3; M1 gets PKH, which BLT DD may not join
    found = targeting.candidates(inputs, VERSION, DESA, PERIOD, "BLT_DD")
    assert found["no_kk"].to_list() == ["M3"]


# --- ranked lists and the what-if --------------------------------------------------------------------


def test_candidates_come_by_decile_then_cross_sector_vulnerability():
    families = [fam("C2", 2), fam("C2D", 2, punya_disabilitas=True), fam("C1", 1), fam("C2DL", 2, punya_disabilitas=True),
                fam("C3R", 3)]
    people = [person("NC2DL", "C2DL", born=date(1950, 5, 5)),  # lives alone, 76 years old
              person("NC2", "C2"), person("NC2b", "C2")]
    recipients = [row("B-C3R", "C3R", "BPNT")]
    found = targeting.candidates(make_inputs(families, recipients, people), VERSION, DESA, PERIOD, "BPNT")
    assert found["no_kk"].to_list() == ["C1", "C2DL", "C2D", "C2"]
    assert found["urutan"].to_list() == [1, 2, 3, 4]
    top = found.filter(pl.col("no_kk") == "C2DL").to_dicts()[0]
    assert top["lansia_sendiri"] and top["disabilitas"] and top["skor_kerentanan"] == 2


def test_blt_dd_priority_desil_1_first_then_local_criteria_within_2_to_4():
    families = [fam("P4L", 4, kehilangan_mata_pencaharian=True), fam("P2", 2), fam("P1", 1), fam("P3", 3),
                fam("P2L", 2, kehilangan_mata_pencaharian=True)]
    found = targeting.candidates(make_inputs(families, []), VERSION, DESA, PERIOD, "BLT_DD")
    assert found["no_kk"].to_list() == ["P1", "P2L", "P2", "P3", "P4L"]
    assert found["tingkat_prioritas"].to_list() == [1, 2, 2, 2, 2]


def test_blt_dd_third_tier_local_criteria_name_why_a_family_is_there():
    families = [fam("T1", 1), fam("T3", 3),
                fam("T5L", 5, kehilangan_mata_pencaharian=True),      # lost livelihood
                fam("T5D", 5, punya_disabilitas=True),                # disability in the family
                fam("T5E", 5),                                        # an elderly person alone
                fam("T5H", 5, ada_ibu_hamil=True),                    # on PKH (by mistake): no criterion left
                fam("T7L", 7, kehilangan_mata_pencaharian=True)]      # desil 7: outside the local tier's deciles
    people = [person("NT5E", "T5E", born=date(1950, 2, 2)), person("NT5H", "T5H"), person("NT5Hb", "T5H")]
    recipients = [row("H-T5H", "T5H", "PKH")]
    inputs = make_inputs(families, recipients, people)
    found = targeting.candidates(inputs, VERSION, DESA, PERIOD, "BLT_DD")
    assert found["no_kk"].to_list() == ["T1", "T3", "T5D", "T5E", "T5L"]  # tier 3: by vulnerability, then KK
    assert found["tingkat_prioritas"].to_list() == [1, 2, 3, 3, 3]
    assert found["lewat_kriteria_lokal"].to_list() == [False, False, True, True, True]
    why = dict(zip(found["no_kk"], found["kriteria_lokal"].to_list()))
    # every candidate without PKH meets "tidak_menerima_pkh"
    assert set(why["T5L"]) == {"kehilangan_mata_pencaharian", "tidak_menerima_pkh"}
    assert set(why["T5D"]) == {"punya_disabilitas", "tidak_menerima_pkh"}
    assert set(why["T5E"]) == {"lansia_sendiri", "tidak_menerima_pkh"}
    # the local tier is not "eligible" in the rates: no exclusion error, not in keluarga_layak
    frame = targeting.rates(inputs, RULES, program="BLT_DD")
    assert (by_program(frame, "BLT_DD")["keluarga_layak"], by_program(frame, "BLT_DD")["salah_eksklusi"]) == (2, 0)


def test_a_local_tier_recipient_is_an_error_until_every_decile_family_of_the_desa_receives():
    families = [fam("U1", 1), fam("U5L", 5, kehilangan_mata_pencaharian=True), fam("U6L", 6, kehilangan_mata_pencaharian=True),
                fam("V1", 1, desa=DESA2), fam("V5L", 5, desa=DESA2, kehilangan_mata_pencaharian=True)]
    recipients = [row("D-U5L", "U5L", "BLT_DD"),                   # U1 (desil 1) waits: priority broken
                  row("D-V1", "V1", "BLT_DD", desa=DESA2),
                  row("D-V5L", "V5L", "BLT_DD", desa=DESA2)]       # every decile family of desa 2 receives: fine
    inputs = make_inputs(families, recipients)
    assert reasons_of(inputs) == {"D-U5L": {"tidak_layak"}, "D-V1": set(), "D-V5L": set()}
    frame = targeting.rates(inputs, RULES, program="BLT_DD")
    assert (by_program(frame, "BLT_DD")["salah_inklusi"], by_program(frame, "BLT_DD", DESA2)["salah_inklusi"]) == (1, 0)
    # a desil-6 family is outside this file's local tier even when every decile family receives
    inputs = make_inputs(families, [row("D-U1", "U1", "BLT_DD"), row("D-U6L", "U6L", "BLT_DD")])
    assert reasons_of(inputs) == {"D-U1": set(), "D-U6L": {"tidak_layak"}}
    # a quota larger than the decile tiers reaches the local tier, in order of the criteria met
    result = targeting.whatif(make_inputs(families, []), VERSION, DESA, PERIOD, 3, "BLT_DD")
    assert result["terpilih"]["no_kk"].to_list() == ["U1", "U5L"]
    assert result["terpilih"]["tingkat_prioritas"].to_list() == [1, 3]
    assert result["sesudah"]["keluarga_layak"] == 1 and result["sesudah"]["salah_eksklusi"] == 0


@pytest.mark.parametrize(("change", "field", "why"), [
    (("desil_kriteria_lokal = [5]", "desil_kriteria_lokal = [4, 5]"), "versi.0.program.BLT_DD", "already in"),
    (("desil_kriteria_lokal = [5]", "desil_kriteria_lokal = [11]"), "versi.0.program.BLT_DD.desil_kriteria_lokal.0",
     "less than or equal to 10"),
    (('"lansia_sendiri"]', '"lansia_sendiri", "punya_sawah"]'), "versi.0.program.BLT_DD.kriteria_lokal.4",
     "kehilangan_mata_pencaharian"),
])
def test_the_local_tier_is_declared_in_the_rule_file_and_checked(change, field, why):
    text = rules.shipped_file().read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(UserError) as err:
        rules.parse(text.replace(*change), "aturan-kab.toml")
    assert field in str(err.value) and why in str(err.value)


def test_quota_what_if_picks_by_the_rules_and_reports_rates_before_and_after():
    families = [fam("W1", 1), fam("W1B", 1), fam("W1C", 1), fam("W3", 3), fam("W3L", 3, kehilangan_mata_pencaharian=True),
                fam("W7", 7)]
    recipients = [row("D-W7", "W7", "BLT_DD"), row("D-W1", "W1", "BLT_DD")]
    inputs = make_inputs(families, recipients)
    result = targeting.whatif(inputs, VERSION, DESA, PERIOD, 4, "BLT_DD")
    chosen = result["terpilih"]
    assert chosen["no_kk"].to_list() == ["W1", "W1B", "W1C", "W3L"]
    assert chosen["status"].to_list() == ["tetap", "baru", "baru", "baru"]
    assert result["keluar"]["no_kk"].to_list() == ["W7"]
    before, after = result["sebelum"], result["sesudah"]
    assert (before["penerima"], before["salah_inklusi"], before["layak_menerima"]) == (2, 1, 1)
    assert (after["penerima"], after["salah_inklusi"], after["layak_menerima"], after["keluarga_layak"]) == (4, 0, 4, 5)
    assert after["cakupan"] == pytest.approx(4 / 5) and after["nominal_rp"] == 4 * 300_000
    assert result["kuota_sekarang"] == 2
    # a smaller quota than the desil-1 families keeps to desil 1
    assert targeting.whatif(inputs, VERSION, DESA, PERIOD, 2, "BLT_DD")["terpilih"]["desil"].to_list() == [1, 1]


QUOTA_FAMILIES = [fam("Q1", 1), fam("Q1B", 1), fam("Q3", 3), fam("Q7", 7),
                  fam("R1", 1, desa=DESA2), fam("R2", 2, desa=DESA2), fam("R5L", 5, desa=DESA2, kehilangan_mata_pencaharian=True)]
QUOTA_RECIPIENTS = [row("D-Q7", "Q7", "BLT_DD"), row("D-Q1", "Q1", "BLT_DD"), row("D-R2", "R2", "BLT_DD", desa=DESA2)]


def test_a_regency_quota_file_gives_the_same_answer_as_each_desa_alone():
    inputs = make_inputs(QUOTA_FAMILIES, QUOTA_RECIPIENTS)
    per_desa = targeting.whatif_regency(inputs, VERSION, "32.11", PERIOD, "BLT_DD", {DESA: 3, DESA2: 3})
    for code in (DESA, DESA2):
        one = targeting.whatif(make_inputs(QUOTA_FAMILIES, QUOTA_RECIPIENTS), VERSION, code, PERIOD, 3, "BLT_DD")
        got = per_desa.filter(pl.col("kode_desa") == code).to_dicts()[0]
        for key in targeting.PER_DESA:
            assert got[f"sebelum_{key}"] == one["sebelum"][key], (code, key)
            assert got[f"sesudah_{key}"] == one["sesudah"][key], (code, key)
        assert got["masuk"] == one["terpilih"].filter(pl.col("status") == "baru").height
        assert got["keluar"] == one["keluar"].height
    totals = targeting.regency_totals(per_desa)
    # desa 1: Q1, Q1B, Q3 (Q7 out); desa 2: R1, R2 and then R5L through the local tier
    assert (totals["sesudah"]["penerima"], totals["masuk"], totals["keluar"]) == (6, 4, 1)
    # before: Q7 (desil 7) is an inclusion error; R1 (desil 1) passed over for R2 an exclusion error
    assert (totals["sebelum"]["salah_inklusi"], totals["sebelum"]["salah_eksklusi"]) == (1, 1)
    assert totals["sesudah"]["tingkat_inklusi"] == 0 and totals["kuota_sekarang"] == 3 and totals["kuota_baru"] == 6


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kuota BLT Dana Desa 2026 (Dinas PMD)"])
    sheet.append([])
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_quota_file_reads_xlsx_and_csv_with_indonesian_headers():
    from madangan.sectors.welfare import quota

    xlsx = _xlsx([["Kode Desa", "Nama Desa", "Program", "Kuota"], [DESA, "Cimungkal", "BLT_DD", 12], [DESA2, "x", "blt dd", 3.0]])
    assert [(r.row, r.kode_desa, r.program, r.kuota) for r in quota.read("kuota.xlsx", xlsx, VERSION, "32.11")] == [
        (4, DESA, "BLT_DD", 12), (5, DESA2, "BLT_DD", 3)]
    csv_text = f"kode_desa;program;kuota\n{DESA};BLT_DD;1.200\n".encode("cp1252")
    assert [(r.row, r.kuota) for r in quota.read("kuota.csv", csv_text, VERSION, "32.11")] == [(2, 1200)]


def test_a_bad_quota_file_names_every_bad_row_and_field_and_computes_nothing():
    from madangan.sectors.welfare import quota

    data = _xlsx([["Kode Desa", "Program", "Kuota"],
                  [DESA, "BLT_DD", 10],           # fine, but the file as a whole is refused
                  ["32.11.01", "BLT_DD", 5],      # a kecamatan
                  [DESA2, "BANSOS_X", 5],
                  [DESA2, "BPNT", 5],             # no quota
                  [KELURAHAN, "BLT_DD", 5],       # a kelurahan
                  ["33.01.01.2001", "BLT_DD", 5],  # another regency
                  [DESA2, "BLT_DD", "lima"],
                  [DESA2, "BLT_DD", -1],
                  [DESA, "BLT_DD", 4]])           # again
    with pytest.raises(UserError) as err:
        quota.read("kuota.xlsx", data, VERSION, "32.11")
    message = str(err.value)
    assert "8 masalah" in message and "tidak ada yang dihitung" in message
    for expected in ("baris 5, kolom Kode Desa: '32.11.01' bukan kode desa", "baris 6, kolom Program: program 'BANSOS_X'",
                     "baris 7, kolom Program: program BPNT tidak berkuota", "baris 8, kolom Kode Desa: 32.11.17.1001 kelurahan",
                     "baris 9, kolom Kode Desa: desa 33.01.01.2001 tidak ada di 32.11", "baris 10, kolom Kuota: 'lima'",
                     "baris 11, kolom Kuota: '-1'", "baris 12, kolom Kode Desa: 32.11.01.2001 BLT_DD sudah ada di baris 4"):
        assert expected in message, expected
    assert "baris 4," not in message
    with pytest.raises(UserError, match="Kuota"):
        quota.read("kuota.xlsx", _xlsx([["Kode Desa", "Program"], [DESA, "BLT_DD"]]), VERSION, "32.11")
    with pytest.raises(UserError, match=".xlsx atau .csv"):
        quota.read("kuota.pdf", b"%PDF", VERSION, "32.11")
    with pytest.raises(UserError, match="di luar wilayah Anda"):
        quota.read("kuota.xlsx", _xlsx([["Kode Desa", "Program", "Kuota"], [DESA2, "BLT_DD", 1]]), VERSION, "32.11",
                   in_scope=lambda code: code == DESA)


# --- field outcomes feed back ----------------------------------------------------------------------


def _outcome_feedback(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    families = [fam("F1", 1), fam("F2", 2), fam("F3", 3)]
    recipients = [row("B-F3", "F3", "BPNT")]

    def now():
        inputs = make_inputs(families, recipients, outcomes=store.current(engine))
        return targeting.rates(inputs, RULES, program="BPNT"), targeting.candidates(inputs, VERSION, DESA, PERIOD, "BPNT")

    frame, cands = now()
    assert cands["no_kk"].to_list() == ["F1", "F2"] and by_program(frame, "BPNT")["keluarga_layak"] == 3
    store.record_outcome(engine, "F1", DESA, "pindah", "operator", "pindah ke Bandung")
    store.record_outcome(engine, "F3", DESA, "tidak_ditemukan", "operator")
    frame, cands = now()
    bpnt = by_program(frame, "BPNT")
    assert cands["no_kk"].to_list() == ["F2"]
    assert (bpnt["keluarga_layak"], bpnt["salah_inklusi"], bpnt["alasan_verifikasi"], bpnt["kebocoran_rp"]) == (1, 1, 1, 200_000)
    # found again and confirmed eligible: back on the list, ranked first in its tier as field-confirmed
    families.append(fam("F2B", 2))
    store.record_outcome(engine, "F1", DESA, "layak", "operator", "sudah kembali")
    _, cands = now()
    assert cands["no_kk"].to_list() == ["F1", "F2", "F2B"] and cands["terverifikasi"].to_list() == [True, False, False]
    store.record_outcome(engine, "F2B", DESA, "layak", "operator")
    _, cands = now()
    assert cands["no_kk"].to_list() == ["F1", "F2B", "F2"]
    assert [h["outcome"] for h in store.history(engine, "F1")] == ["pindah", "layak"]
    with pytest.raises(UserError, match="tidak dikenal"):
        store.record_outcome(engine, "F1", DESA, "hilang", "operator")
    # a self-report waits in the queue until the family has an outcome
    number = store.add_self_report(engine, "F9", "3211010101800009", date(1980, 1, 1), DESA, "kehilangan pekerjaan")
    assert [q["id"] for q in store.queue(engine, DESA)] == [number]
    assert store.queue(engine, DESA2) == []
    store.record_outcome(engine, "F9", DESA, "layak", "operator")
    assert store.queue(engine, DESA) == []
    engine.dispose()


def _outcomes_per_program(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    families = [fam("G1", 1, punya_anak_sekolah=True), fam("G2", 2, punya_anak_sekolah=True), fam("G3", 1)]
    recipients = [row("H-G1", "G1", "PKH"), row("B-G1", "G1", "BPNT")]

    def now():
        inputs = make_inputs(families, recipients, outcomes=store.current(engine))
        frame = targeting.rates(inputs, RULES)
        cands = targeting.candidates(inputs, VERSION, DESA, PERIOD)
        return ({p: by_program(frame, p) for p in ("PKH", "BPNT")},
                {p: cands.filter(pl.col("program") == p)["no_kk"].to_list() for p in ("PKH", "BPNT")},
                reasons_of(inputs))

    # not eligible for PKH (found in the field): PKH's lists and rates change, BPNT's do not
    store.record_outcome(engine, "G1", DESA, "tidak_layak", "operator", "anak sudah lulus", program="PKH")
    store.record_outcome(engine, "G2", DESA, "tidak_layak", "operator", program="PKH")
    rates_, cands, reasons = now()
    assert reasons == {"H-G1": {"verifikasi"}, "B-G1": set()}
    assert cands == {"PKH": [], "BPNT": ["G3", "G2"]}
    assert (rates_["PKH"]["keluarga_layak"], rates_["PKH"]["salah_inklusi"]) == (0, 1)
    assert (rates_["BPNT"]["keluarga_layak"], rates_["BPNT"]["salah_inklusi"]) == (3, 0)
    # confirmed eligible for BPNT: marked so on BPNT's list, while PKH still says not eligible
    store.record_outcome(engine, "G2", DESA, "layak", "operator", program="BPNT")
    _, cands, _ = now()
    assert cands == {"PKH": [], "BPNT": ["G3", "G2"]}
    frame = targeting.candidates(make_inputs(families, recipients, outcomes=store.current(engine)), VERSION, DESA, PERIOD,
                                 "BPNT")
    assert dict(zip(frame["no_kk"], frame["terverifikasi"])) == {"G3": False, "G2": True}
    # deceased is about the family: recorded on a PKH visit, it takes the family off every program
    store.record_outcome(engine, "G1", DESA, "meninggal", "operator", program="PKH")
    rates_, cands, reasons = now()
    assert reasons == {"H-G1": {"verifikasi"}, "B-G1": {"verifikasi"}}
    assert rates_["BPNT"]["keluarga_layak"] == 2
    # moved (family-level) then confirmed for PKH: back on PKH only; BPNT still sees the move
    store.record_outcome(engine, "G3", DESA, "pindah", "operator", program="BPNT")
    store.record_outcome(engine, "G3", DESA, "layak", "operator", program="PKH")
    inputs = make_inputs(families, recipients, outcomes=store.current(engine))
    eff = targeting.effective_outcomes(store.current(engine), ["PKH", "BPNT"])
    assert dict(zip(zip(eff["no_kk"], eff["program"]), eff["outcome"]))[("G3", "BPNT")] == "pindah"
    assert dict(zip(zip(eff["no_kk"], eff["program"]), eff["outcome"]))[("G3", "PKH")] == "layak"
    assert "G3" not in targeting.candidates(inputs, VERSION, DESA, PERIOD, "BPNT")["no_kk"].to_list()
    engine.dispose()


def test_an_outcome_for_one_program_leaves_the_others_alone_unless_it_is_about_the_family(tmp_path):
    _outcomes_per_program(f"sqlite:///{tmp_path / 'app.db'}")


@pytest.mark.postgres
def test_an_outcome_for_one_program_leaves_the_others_alone_on_postgresql(postgres_url):
    _outcomes_per_program(postgres_url)


def test_outcomes_feed_back_into_lists_and_rates_on_sqlite(tmp_path):
    _outcome_feedback(f"sqlite:///{tmp_path / 'app.db'}")


@pytest.mark.postgres
def test_outcomes_feed_back_into_lists_and_rates_on_postgresql(postgres_url):
    _outcome_feedback(postgres_url)


def test_musyawarah_workbook_keeps_numbers_as_text_and_neutralises_formulas(tmp_path):
    path = tmp_path / "musdes.xlsx"
    cand = [{"desa": "Cimungkal", "urutan": 1, "program": "BPNT", "no_kk": "3211010101200001",
             "nik_kepala_keluarga": "3211010101800001", "nama_kepala_keluarga": "=HYPERLINK(\"http://x\")", "desil": 1,
             "tingkat_prioritas": 1, "kerentanan": ["balita stunting"], "hasil_verifikasi": None}]
    export.musyawarah_xlsx(path, desa=DESA, desa_name="Cimungkal", period=PERIOD, summary=[], candidates=cand, review=[])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ringkasan", "Usulan Penerima Baru", "Penerima Ditinjau"]
    sheet = book["Usulan Penerima Baru"]
    headers = [c.value for c in sheet[3]]
    assert headers[:5] == ["No.", "Desa/Kelurahan", "Urutan", "Program", "No. KK"] and headers[-2:] == ["Keputusan Musdes", "Catatan"]
    values = {h: c.value for h, c in zip(headers, sheet[4])}
    assert values["No. KK"] == "3211010101200001" and values["NIK Kepala Keluarga"] == "3211010101800001"
    assert values["Nama Kepala Keluarga"].startswith("'=") and values["Kerentanan (lintas sektor)"] == "balita stunting"


def test_a_list_longer_than_a_sheet_goes_on_in_numbered_sheets(tmp_path):
    path = tmp_path / "kabupaten.xlsx"
    cand = [{"desa": f"Desa {i}", "urutan": i, "program": "BLT_DD", "no_kk": f"32110101012{i:05d}",
             "nik_kepala_keluarga": f"32110101018{i:05d}", "nama_kepala_keluarga": "+SUM(A1:A9)" if i == 7 else f"K{i}",
             "desil": 1, "prioritas": "Prioritas 1: desil 1", "kerentanan": []} for i in range(1, 8)]
    # 6 rows a sheet: the title, a blank row, the header and 3 families
    export.musyawarah_xlsx(path, desa="32.11", desa_name="Sumedang", period=PERIOD, summary=[], candidates=cand,
                           review=[], max_rows=6)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Ringkasan", "Usulan Penerima Baru", "Usulan Penerima Baru (2)", "Usulan Penerima Baru (3)",
                               "Penerima Ditinjau"]
    seen = []
    for name in book.sheetnames[1:4]:
        sheet = book[name]
        assert [c.value for c in sheet[3]][:5] == ["No.", "Desa/Kelurahan", "Urutan", "Program", "No. KK"]
        seen += [(r[0].value, r[4].value, r[6].value) for r in sheet.iter_rows(min_row=4)]
    assert [n for n, _, _ in seen] == list(range(1, 8))
    assert [kk for _, kk, _ in seen] == [f"32110101012{i:05d}" for i in range(1, 8)]  # text, all 16 digits
    assert seen[-1][2] == "'+SUM(A1:A9)" and "lanjutan 3" in book["Usulan Penerima Baru (3)"]["A1"].value


# --- over the API, on the demo deployment ----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(demo_deployment):
    settings, _ = demo_deployment
    return create_app(settings)


def _login(client, app, username: str, role=None, region=None) -> None:
    """A session for `username` (created with `role` and `region` when new); demo passwords stay as they are."""
    engine = app.state.engine
    users = {u.username: u for u in access_store.list_users(engine)}
    if username not in users:
        access_store.add_user(engine, username, role, region, "32.11", password="targeting-pass-1")
        users = {u.username: u for u in access_store.list_users(engine)}
    cookie, _ = access_store.open_session(engine, users[username])
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)


def test_rates_over_the_api_roll_up_by_summing_counts(app):
    with TestClient(app) as client:
        _login(client, app, "t.bupati", Role.EXECUTIVE, "32.11")
        desa = client.get("/api/v1/targeting").json()
        regency = client.get("/api/v1/targeting", params={"level": "kabupaten"}).json()
        assert {r["program"] for r in regency} == {"PKH", "BPNT", "BLT_DD", "PBI_JK"}
        for r in regency:
            same = [d for d in desa if d["program"] == r["program"] and d["periode"] == r["periode"]]
            for key in ("penerima", "salah_inklusi", "keluarga_layak", "salah_eksklusi", "kebocoran_rp"):
                assert r[key] == sum(d[key] for d in same)
            assert r["tingkat_inklusi"] == pytest.approx(r["salah_inklusi"] / r["penerima"])
        bad = client.get("/api/v1/targeting", params={"program": "KIP"})
        assert bad.status_code == 422 and "program" in bad.text
        # an executive reads no persons
        assert client.get("/api/v1/targeting/candidates").status_code == 403


def test_lists_are_scoped_masked_and_audited(app, demo_deployment):
    _, result = demo_deployment
    desa_user, desa_code = next((u, c) for u, r, c, _ in result.accounts if r == "desa")
    camat_user, camat_code = next((u, c) for u, r, c, _ in result.accounts if r == "kecamatan")
    with TestClient(app) as client:
        _login(client, app, desa_user)
        page = client.get("/api/v1/targeting/candidates", params={"per_page": 1000}).json()
        assert page["total"] > 0 and {i["kode_desa"] for i in page["items"]} == {desa_code}
        assert all(re.fullmatch(r"\d{16}", i["no_kk"]) for i in page["items"])  # the desa operator may see numbers
        other = "32.11.02.2001"
        assert client.get("/api/v1/targeting/candidates", params={"desa": other}).status_code == 403
        review = client.get("/api/v1/targeting/review").json()
        assert review["total"] > 0 and all(i["alasan"] and i["temuan"] for i in review["items"])
        assert all(i["kode_desa"] == desa_code for i in review["items"])
        _login(client, app, camat_user)
        masked = client.get("/api/v1/targeting/candidates", params={"desa": desa_code}).json()["items"]
        assert masked and all("*" in i["no_kk"] and "*" in i["nik_kepala_keluarga"] for i in masked)
        workbook = client.get("/api/v1/targeting/export.xlsx", params={"desa": desa_code})
        assert workbook.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Usulan Penerima Baru"]
        assert sheet.cell(3, 5).value == "No. KK" and "*" in sheet.cell(4, 5).value
        _login(client, app, "dinkes")  # an analyst of the health office: no welfare persons
        assert client.get("/api/v1/targeting/candidates").json()["total"] == 0
    entries = [e for e in access_store.audit_entries(app.state.engine) if e.action.startswith("targeting.")]
    assert {"targeting.candidates", "targeting.review", "targeting.export"} <= {e.action for e in entries}
    assert not any(re.search(r"\d{16}", f"{e.target} {e.detail}") for e in entries)


def test_what_if_and_outcomes_over_the_api(app, demo_deployment):
    _, result = demo_deployment
    desa_user, desa_code = next((u, c) for u, r, c, _ in result.accounts if r == "desa")
    engine = app.state.engine
    secret = access_store.add_token(engine, "musdes-app", "32.11", "32.11", ())
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(app) as client:
        first = client.get("/api/v1/targeting/candidates", params={"desa": desa_code, "program": "BLT_DD"},
                           headers=bearer).json()["items"]
        current = client.post("/api/v1/targeting/whatif", json={"kode_desa": desa_code, "kuota": 0}, headers=bearer).json()
        more = client.post("/api/v1/targeting/whatif", headers=bearer,
                           json={"kode_desa": desa_code, "kuota": current["sebelum"]["penerima"] + 2}).json()
        assert more["sesudah"]["salah_inklusi"] == 0 and len(more["terpilih"]) == more["kuota_baru"]
        assert more["sesudah"]["layak_menerima"] >= more["sebelum"]["layak_menerima"]
        assert client.post("/api/v1/targeting/whatif", headers=bearer,
                           json={"kode_desa": desa_code, "kuota": 3, "program": "BPNT"}).status_code == 409
        top = first[0]["no_kk"]
        saved = client.post("/api/v1/targeting/outcomes", headers=bearer,
                            json={"no_kk": top, "hasil": "meninggal", "alasan": "kepala keluarga wafat"})
        assert saved.status_code == 200 and saved.json()["riwayat"][-1]["hasil"] == "meninggal"
        after = client.get("/api/v1/targeting/candidates", params={"desa": desa_code, "program": "BLT_DD"},
                           headers=bearer).json()["items"]
        assert top not in {i["no_kk"] for i in after} and len(after) == len(first) - 1
        refused = client.post("/api/v1/targeting/outcomes", headers=bearer, json={"no_kk": top, "hasil": "hilang"})
        assert refused.status_code == 422 and "hasil" in refused.text
        # a desa operator cannot record an outcome for a family of another desa
        _login(client, app, desa_user)
        csrf = client.get("/").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', csrf).group(1)
        elsewhere = _family_outside(app, desa_code)
        outside = client.post("/api/v1/targeting/outcomes", json={"no_kk": elsewhere, "hasil": "pindah"},
                              headers={"X-CSRF-Token": token})
        assert outside.status_code == 404


def test_a_quota_file_over_the_api_and_on_the_page(app, demo_deployment):
    _, result = demo_deployment
    desa_user, desa_code = next((u, c) for u, r, c, _ in result.accounts if r == "desa")
    other = next(c for c in _desa_codes(app) if c != desa_code and c[9] == "2")
    engine = app.state.engine
    bearer = {"Authorization": f"Bearer {access_store.add_token(engine, 'kuota-app', '32.11', '32.11', ())}"}
    good = _xlsx([["Kode Desa", "Program", "Kuota"], [desa_code, "BLT_DD", 7], [other, "BLT_DD", 0]])
    with TestClient(app) as client:
        one = client.post("/api/v1/targeting/whatif", json={"kode_desa": desa_code, "kuota": 7}, headers=bearer).json()
        answer = client.post("/api/v1/targeting/whatif/file", headers=bearer,
                             files={"berkas": ("kuota.xlsx", good, "application/octet-stream")})
        assert answer.status_code == 200, answer.text
        part = answer.json()["hasil"][0]
        assert part["program"] == "BLT_DD" and part["jumlah"]["desa"] == 2 and part["jumlah"]["kuota_baru"] == 7
        mine = next(d for d in part["desa"] if d["kode_desa"] == desa_code)
        assert (mine["sesudah_penerima"], mine["sesudah_salah_eksklusi"]) == (one["sesudah"]["penerima"], one["sesudah"]["salah_eksklusi"])
        assert next(d for d in part["desa"] if d["kode_desa"] == other)["sesudah_penerima"] == 0
        bad = _xlsx([["Kode Desa", "Program", "Kuota"], [desa_code, "BLT_DD", 7], [other, "PKH", 3]])
        refused = client.post("/api/v1/targeting/whatif/file", headers=bearer,
                              files={"berkas": ("kuota.xlsx", bad, "application/octet-stream")})
        assert refused.status_code == 400 and "baris 5, kolom Program" in refused.json()["detail"]
        # a desa operator: only their own desa, and the page names the row outside it
        _login(client, app, desa_user)
        page = client.get("/penargetan/kuota")
        assert page.status_code == 200 and "Kode Desa, Program, Kuota" in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        shown = client.post("/penargetan/kuota", data={"csrf_token": token},
                            files={"berkas": ("kuota.xlsx", good, "application/octet-stream")})
        assert shown.status_code == 400 and "baris 5, kolom Kode Desa" in shown.text and "di luar wilayah Anda" in shown.text
        mine_only = _xlsx([["Kode Desa", "Program", "Kuota"], [desa_code, "BLT_DD", 7]])
        shown = client.post("/penargetan/kuota", data={"csrf_token": token},
                            files={"berkas": ("kuota.xlsx", mine_only, "application/octet-stream")})
        assert shown.status_code == 200 and desa_code in shown.text and "Jumlah" in shown.text


def _desa_codes(app) -> list[str]:
    con = warehouse.connect(app.state.settings.warehouse)
    try:
        d = con.table("desil")
        return sorted(d.select("kode_desa").distinct().to_pyarrow()["kode_desa"].to_pylist())
    finally:
        con.disconnect()


def _family_outside(app, desa_code: str) -> str:
    con = warehouse.connect(app.state.settings.warehouse)
    try:
        d = con.table("desil")
        return d.filter(d.kode_desa != desa_code).no_kk.min().execute()
    finally:
        con.disconnect()


def _a_recipient_family(app) -> dict:
    """A living head of a DTSEN family receiving aid, and the family's other members."""
    con = warehouse.connect(app.state.settings.warehouse)
    try:
        p, d, r = con.table("penduduk"), con.table("desil"), con.table("penerima_bansos")
        heads = p.filter((p.status_hubungan == "KEPALA KELUARGA") & (p.status_hidup == "HIDUP"))
        heads = heads.semi_join(d, "no_kk").semi_join(r, "no_kk")
        counts = p.group_by("no_kk").agg(n=p.count())
        head = heads.join(counts, "no_kk").filter(lambda t: t.n >= 3).order_by("nik").limit(1).to_polars().to_dicts()[0]
        members = p.filter(p.no_kk == head["no_kk"]).to_polars()
        programs = sorted(set(r.filter(r.no_kk == head["no_kk"]).program.to_pyarrow().to_pylist()))
        desil = d.filter(d.no_kk == head["no_kk"]).desil.execute()[0]
    finally:
        con.disconnect()
    return {"head": head, "members": members, "programs": programs, "desil": int(desil)}


def _reset_limiter(app) -> None:
    limiter = getattr(app.state, "status_limiter", None)
    if limiter is not None:
        limiter.attempts.clear()


def test_citizen_self_check_reveals_only_registration_and_programs(app):
    _reset_limiter(app)
    family = _a_recipient_family(app)
    head = family["head"]
    with TestClient(app) as client:
        answer = client.post("/api/v1/public/status", json={"nomor": head["nik"], "tanggal_lahir": str(head["tanggal_lahir"])})
        assert answer.status_code == 200
        body = answer.json()
        assert set(body) == {"ditemukan", "terdaftar_dtsen", "program", "pesan"}
        assert body["ditemukan"] and body["terdaftar_dtsen"] and body["program"] == family["programs"]
        text = answer.text
        for member in family["members"].to_dicts():
            assert member["nama"] not in text and member["nik"] not in text
        assert family["head"]["no_kk"] not in text and "desil" not in text.lower()
        assert not re.search(r"\d{16}", text)
        by_kk = client.post("/api/v1/public/status", json={"jenis": "kk", "nomor": head["no_kk"],
                                                                "tanggal_lahir": str(head["tanggal_lahir"])})
        assert by_kk.json()["program"] == family["programs"]
        # a NIK alone reveals nothing: a wrong birth date answers exactly like an unknown number
        wrong = client.post("/api/v1/public/status", json={"nomor": head["nik"], "tanggal_lahir": "1900-01-01"}).json()
        unknown = client.post("/api/v1/public/status", json={"nomor": "3211010101000001", "tanggal_lahir": "1900-01-01"}).json()
        assert wrong == unknown and wrong["ditemukan"] is False and wrong["program"] == []
        assert client.post("/api/v1/public/status", json={"nomor": "32110101", "tanggal_lahir": "1990-01-01"}).status_code == 422
        assert client.get("/api/v1/public/status").status_code == 405  # never a NIK in a URL
        # four lookups so far from this address; the limit is STATUS_LIMIT a minute
        more = [client.post("/api/v1/public/status", json={"nomor": head["nik"], "tanggal_lahir": "1900-01-01"})
                for _ in range(STATUS_LIMIT - 4 + 1)]
        assert [r.status_code for r in more] == [200] * (STATUS_LIMIT - 4) + [429]
        assert "Terlalu banyak" in more[-1].text
    checks = [e for e in access_store.audit_entries(app.state.engine) if e.action == "welfare.status_check"]
    assert len(checks) >= 5
    assert not any(head["nik"] in f"{e.target} {e.detail}" or head["no_kk"] in f"{e.target} {e.detail}" for e in checks)
    _reset_limiter(app)


def test_self_report_lands_in_the_desa_verification_queue(app, demo_deployment):
    _, result = demo_deployment
    desa_user, desa_code = next((u, c) for u, r, c, _ in result.accounts if r == "desa")
    _reset_limiter(app)
    report = {"nik": "3211014101900007", "no_kk": "3211010101240009", "tanggal_lahir": "1990-01-01",
              "kode_desa": desa_code, "alasan": "suami kehilangan pekerjaan"}
    with TestClient(app) as client:
        sent = client.post("/api/v1/public/self-report", json=report)
        assert sent.status_code == 202 and str(sent.json()["nomor"]) in sent.json()["pesan"]
        assert client.post("/api/v1/public/self-report", json={**report, "kode_desa": "31.71.01.1001"}).status_code == 404
        _login(client, app, desa_user)
        waiting = client.get("/api/v1/targeting/queue").json()
        assert [q["no_kk"] for q in waiting if q["nomor"] == sent.json()["nomor"]] == [report["no_kk"]]
        _login(client, app, "t.camat.other", Role.KECAMATAN, "32.11.02")
        assert all(q["nomor"] != sent.json()["nomor"] for q in client.get("/api/v1/targeting/queue").json())
    _reset_limiter(app)


# --- the command line --------------------------------------------------------------------------------


def _cli(*args: str, data_dir=None):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MADANGAN_")}
    env["MADANGAN_CONFIG"] = "/nonexistent/madangan.toml"
    if data_dir is not None:
        env["MADANGAN_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "madangan", "targeting", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def test_cli_rates_and_a_bad_rule_file(demo_deployment, tmp_path):
    settings, _ = demo_deployment
    rates = _cli("--level", "kabupaten", "--program", "BPNT", data_dir=settings.data_dir)
    assert rates.returncode == 0 and "Kabupaten Sumedang" in rates.stdout and "BPNT" in rates.stdout
    bad = tmp_path / "aturan.toml"
    bad.write_text(SMALL.replace("desil = [1, 2, 3, 4]", "desil = [1, 11]"))
    refused = _cli("rules", str(bad))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "versi.0.program.BPNT.desil.1" in refused.stderr
    unknown = _cli("--program", "KIP", data_dir=settings.data_dir)
    assert unknown.returncode == 2 and "Program 'KIP' tidak dikenal" in unknown.stderr
    out = tmp_path / "rates.xlsx"
    assert _cli("--export", str(out), data_dir=settings.data_dir).returncode == 0
    sheet = openpyxl.load_workbook(out).active
    assert [c.value for c in sheet[3]][:4] == ["No.", "Program", "Kode Wilayah", "Wilayah"]
    whole = tmp_path / "kabupaten.xlsx"
    done = _cli("export", str(whole), "--program", "BLT_DD", data_dir=settings.data_dir)
    assert done.returncode == 0 and "baris ditulis" in done.stdout
    book = openpyxl.load_workbook(whole, read_only=True)
    assert book.sheetnames == ["Ringkasan", "Usulan Penerima Baru", "Penerima Ditinjau"]
    listed = [r for r in book["Usulan Penerima Baru"].iter_rows(min_row=4, values_only=True)]
    assert listed and all(isinstance(r[4], str) and len(r[4]) == 16 for r in listed)  # No. KK as text
    assert any(str(r[8]).startswith("Prioritas 1: desil 1") for r in listed)
    quota = tmp_path / "kuota.csv"
    quota.write_text("Kode Desa;Program;Kuota\n32.11.01.2001;BLT_DD;5\n32.11.01.2002;KIP;5\n", encoding="utf-8")
    refused = _cli("whatif-file", str(quota), data_dir=settings.data_dir)
    assert refused.returncode == 2 and "baris 3, kolom Program" in refused.stderr and "Traceback" not in refused.stderr
    quota.write_text("Kode Desa;Program;Kuota\n32.11.01.2001;BLT_DD;5\n", encoding="utf-8")
    shown = _cli("whatif-file", str(quota), data_dir=settings.data_dir)
    assert shown.returncode == 0 and "32.11.01.2001" in shown.stdout and "Tidak ada data yang diubah" in shown.stdout


def test_verval_exclusion_check_and_targeting_agree_on_exclusive_programs():
    from madangan.sectors.welfare.checks import CHECKS
    from madangan.verval import engine as verval_engine

    check = next(c for c in CHECKS if c.rule == "layak_tidak_menerima")
    families = [fam("E1", 1, punya_lansia=True), fam("E2", 1, punya_lansia=True)]
    recipients = [row("H-E1", "E1", "PKH"), row("P-E1", "E1", "PBI_JK"), row("P-E2", "E2", "PBI_JK"),
                  row("H-E2", "E2", "PKH"), row("B-E2", "E2", "BPNT")]
    inputs = make_inputs(families, recipients)
    params = {"program_saling_eksklusif": [["BPNT", "PKH"]]}
    ctx = verval_engine.context("32.11", today=date(2026, 11, 1), params=params)
    found = check.find(inputs.tables, ctx).to_polars()
    assert found.height == 0  # E1 is on PKH, so not missing BPNT; E2 receives everything
    without = check.find(inputs.tables, verval_engine.context("32.11", today=date(2026, 11, 1))).to_polars()
    assert without["record_key"].to_list() == ["E1"] and without["program"].to_list() == ["BPNT"]
    frame = targeting.rates(inputs, rules.load(params), program="BPNT")
    assert by_program(frame, "BPNT")["salah_eksklusi"] == 0
    assert by_program(targeting.rates(inputs, RULES, program="BPNT"), "BPNT")["salah_eksklusi"] == 1


def test_verval_ineligible_check_and_targeting_agree_on_the_local_tier():
    from madangan.sectors.welfare.checks import CHECKS
    from madangan.verval import engine as verval_engine

    check = next(c for c in CHECKS if c.rule == "penerima_tidak_layak")
    families = [fam("U1", 1), fam("U5L", 5, kehilangan_mata_pencaharian=True),
                fam("V1", 1, desa=DESA2), fam("V5L", 5, desa=DESA2, kehilangan_mata_pencaharian=True)]
    recipients = [row("D-U5L", "U5L", "BLT_DD"), row("D-V1", "V1", "BLT_DD", desa=DESA2),
                  row("D-V5L", "V5L", "BLT_DD", desa=DESA2)]
    inputs = make_inputs(families, recipients)
    found = check.find(inputs.tables, verval_engine.context("32.11", today=date(2026, 11, 1))).to_polars()
    assert found["record_key"].to_list() == ["D-U5L"]  # D-V5L: every decile family of desa 2 receives
    assert {k for k, why in reasons_of(inputs).items() if why} == {"D-U5L"}


def test_a_decile_of_11_in_a_dtsen_file_is_refused_naming_the_column_and_the_range():
    from madangan.ingest.clean import clean
    from madangan.sectors.welfare import DESIL

    base = {"no_kk": "3211010101200001", "nik_kepala_keluarga": "3211010101800001", "nama_kepala_keluarga": "Kepala",
            "kode_desa": DESA, "tanggal_pemutakhiran": "2026-01-05",
            **{c: "Tidak" for c in FLAGS}}
    frame = pl.DataFrame([{**base, "desil": "3"}, {**base, "no_kk": "3211010101200002", "desil": "11"},
                          {**base, "no_kk": "3211010101200003", "desil": "0"}]).with_columns(_row=pl.Series([2, 3, 4]))
    done = clean(frame, DESIL, "32.11")
    assert done.accepted["no_kk"].to_list() == ["3211010101200001"]
    problems = done.problems.sort("_row").to_dicts()
    assert [(p["_row"], p["column"], p["code"]) for p in problems] == [(3, "desil", "di_luar_rentang"),
                                                                       (4, "desil", "di_luar_rentang")]
    assert problems[0]["message"] == "Kolom Desil berisi '11', di luar rentang yang berlaku (1–10)."
