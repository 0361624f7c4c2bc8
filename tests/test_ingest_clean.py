"""Cleaning: how values as agencies really write them become typed values, and which rows are refused why.

`clean(frame, contract, regency_code)` takes what a reader produced (text columns named by the contract,
plus `_row`, the row number the officer sees) and returns the rows that can land, one problem per
(row, column), and the refused rows whole. The deployment in these tests is Kabupaten Sumedang (32.11).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from madangan.contracts import Column, Contract
from madangan.errors import UserError
from madangan.ingest.clean import REASONS, Cleaned, clean
from madangan.sectors.population import PENDUDUK

REGENCY = "32.11"
NIK = "3211010101900001"
KK = "3211012002150007"
DESA = "32.11.01.2001"

#: A small contract with one column of every kind the cleaner knows.
WARGA = Contract(
    name="warga",
    sector="uji",
    title={"id": "Warga uji", "en": "Test residents"},
    owner="Dinas Uji",
    columns=(
        Column("nik", "NIK"),
        Column("no_kk", "No. KK", required=False),
        Column("nik_ibu", "NIK Ibu", required=False),
        Column("nama", "Nama Lengkap"),
        Column("jenis_kelamin", "Jenis Kelamin", allowed=("L", "P"),
               synonyms={"LAKI-LAKI": "L", "LAKI LAKI": "L", "PEREMPUAN": "P", "WANITA": "P"}),
        Column("status", "Status Perkawinan", required=False, allowed=("BELUM KAWIN", "KAWIN", "CERAI HIDUP")),
        Column("jumlah", "Jumlah Anggota", "int", required=False),
        Column("nilai", "Nilai (Rp)", "float", required=False),
        Column("tanggal", "Tanggal Lahir", "date", required=False),
        Column("aktif", "Aktif", "bool", required=False),
        Column("kode_desa", "Kode Desa"),
    ),
    key=("nik",),
    nik_column="nik",
    kk_column="no_kk",
    region_column="kode_desa",
)

GOOD = {"nik": NIK, "nama": "Siti Aminah", "jenis_kelamin": "P", "kode_desa": DESA}


def rows(*changes: dict, start: int = 2) -> pl.DataFrame:
    """A reader's output: one row per `changes` (a valid row with those cells changed), all text, numbered from 2.

    Each row has its own NIK (serial 0001, 0002, …) unless a change gives one.
    """
    records = [{**GOOD, "nik": f"{NIK[:12]}{i:04d}", **change} for i, change in enumerate(changes, start=1)]
    names = list(dict.fromkeys(name for record in records for name in record))
    frame = pl.DataFrame({n: [r.get(n) for r in records] for n in names}, schema={n: pl.String for n in names})
    return frame.with_columns(pl.int_range(start, start + len(records), dtype=pl.Int64).alias("_row"))


def run(*changes: dict) -> Cleaned:
    return clean(rows(*changes), WARGA, REGENCY)


def cleaned(column: str, raw: str | None):
    """The typed value one cell becomes (the row must be accepted)."""
    result = run({column: raw})
    assert result.problems.is_empty(), result.problems.to_dicts()
    return result.accepted[column][0]


def problem(column: str, raw: str | None) -> dict:
    """The single problem one bad cell causes."""
    result = run({column: raw})
    assert result.accepted.is_empty()
    assert len(result.problems) == 1, result.problems.to_dicts()
    return result.problems.row(0, named=True)


def code(column: str, raw: str | None) -> str:
    return problem(column, raw)["code"]


# -- the shape of the answer ------------------------------------------------------------------------------

def test_a_good_row_is_accepted_with_exactly_the_contract_schema():
    result = run({"jumlah": "4", "tanggal": "17/08/1990", "aktif": "ya", "nilai": "12,5"})
    assert result.accepted.schema == pl.Schema({**WARGA.polars_schema, "_row": pl.Int64})
    assert result.accepted.row(0, named=True) == {
        "nik": NIK, "no_kk": None, "nik_ibu": None, "nama": "Siti Aminah", "jenis_kelamin": "P", "status": None,
        "jumlah": 4, "nilai": 12.5, "tanggal": dt.date(1990, 8, 17), "aktif": True, "kode_desa": DESA, "_row": 2,
    }
    assert result.problems.is_empty() and result.rejected_rows.is_empty()


def test_optional_columns_absent_from_the_file_are_null_and_extra_columns_are_ignored():
    frame = rows({}).with_columns(pl.lit("x").alias("Kolom Lain"))
    result = clean(frame, WARGA, REGENCY)
    assert result.accepted.columns == [*WARGA.column_names, "_row"]
    assert result.accepted["jumlah"].dtype == pl.Int64 and result.accepted["jumlah"][0] is None
    assert result.accepted["tanggal"].dtype == pl.Date and result.accepted["aktif"].dtype == pl.Boolean


def test_problems_have_the_documented_columns_even_when_there_are_none():
    assert run({}).problems.schema == pl.Schema({
        "_row": pl.Int64, "column": pl.String, "value": pl.String, "code": pl.String,
        "message": pl.String, "message_en": pl.String,
    })


def test_an_empty_file_gives_empty_answers():
    frame = rows({}).clear()
    result = clean(frame, WARGA, REGENCY)
    assert result.accepted.is_empty() and result.problems.is_empty() and result.rejected_rows.is_empty()
    assert result.accepted.schema == pl.Schema({**WARGA.polars_schema, "_row": pl.Int64})


def test_a_row_with_one_bad_cell_is_refused_whole_and_kept_whole_as_it_came():
    frame = rows({}, {"jumlah": "empat", "nama": "  Budi  "}, {})
    result = clean(frame, WARGA, REGENCY)
    assert result.accepted["_row"].to_list() == [2, 4]
    assert result.rejected_rows.to_dicts() == frame.filter(pl.col("_row") == 3).to_dicts()  # raw text, unstripped
    assert result.rejected_rows["nama"][0] == "  Budi  "
    assert result.problems.select("_row", "column", "value", "code").to_dicts() == [
        {"_row": 3, "column": "jumlah", "value": "empat", "code": "bukan_angka"},
    ]


def test_every_bad_cell_of_a_row_is_reported_in_column_order():
    result = run({"jumlah": "x", "nik": "12", "tanggal": "kemarin"})
    assert result.problems.select("column", "code").rows() == [
        ("nik", "nik_format"), ("jumlah", "bukan_angka"), ("tanggal", "tanggal_tidak_valid"),
    ]
    assert len(result.rejected_rows) == 1


def test_rejected_rows_keep_the_readers_extra_columns_such_as_the_sheet():
    frame = rows({"jumlah": "x"}).with_columns(pl.lit("Sheet2").alias("_sheet"))
    assert clean(frame, WARGA, REGENCY).rejected_rows["_sheet"].to_list() == ["Sheet2"]


# -- required columns and empty cells ---------------------------------------------------------------------

def test_a_required_column_missing_from_the_file_is_an_error_naming_its_header():
    frame = rows({}).drop("nik", "kode_desa")
    with pytest.raises(UserError) as error:
        clean(frame, WARGA, REGENCY)
    assert "NIK" in str(error.value) and "Kode Desa" in str(error.value)
    assert "No. KK" not in str(error.value)  # optional


@pytest.mark.parametrize("empty", [None, "", "   ", "\t"])
def test_an_empty_required_cell_is_wajib_diisi(empty):
    found = problem("nama", empty)
    assert found["code"] == "wajib_diisi" and found["column"] == "nama"
    assert found["message"] == "Kolom Nama Lengkap wajib diisi, tetapi kosong."


@pytest.mark.parametrize("column", ["no_kk", "jumlah", "nilai", "tanggal", "aktif", "status"])
def test_an_empty_optional_cell_is_null(column):
    assert cleaned(column, "  ") is None


def test_text_is_stripped():
    assert cleaned("nama", "  Siti Aminah \u00a0") == "Siti Aminah"


# -- NIK and KK -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "3211010101900001",
    " 3211010101900001 ",
    "3211 0101 0190 0001",  # spaces as separators
    "3211.0101.0190.0001",  # dots as separators
    "32.11.01.010190.0001",
    "3211010101900001.0",  # Excel made it a number but every digit survived
    "3211010101900001,0",  # the same in an Indonesian-locale export
    "'3211010101900001",  # the apostrophe that tells Excel "text"
])
def test_nik_written_in_the_ways_agencies_write_it_is_recovered(raw):
    assert cleaned("nik", raw) == NIK


def test_the_same_rules_apply_to_kk_and_every_nik_column():
    assert cleaned("no_kk", "3211 0120 0215 0007") == KK
    assert cleaned("nik_ibu", "3211014101900002.0") == "3211014101900002"
    assert code("no_kk", "3.21101E+15") == "nik_rusak_excel"
    assert code("nik_ibu", "32110141019") == "nik_format"


def test_structure_is_not_checked_here_a_nik_with_month_13_passes():
    assert cleaned("nik", "3211010113900001") == "3211010113900001"


@pytest.mark.parametrize("raw", [
    "3.21101E+15",  # Excel's General format: only 6 digits left
    "3,21101E+15",  # the same in an Indonesian-locale export
    "3.21101010190000e+15",
    "3211010101900000",  # rounded to 15 digits: the serial became 0000, which no NIK has
    "3211010000000000",  # what "3.21101E+15" becomes when typed back
    "3211010101900000.0",
])
def test_a_nik_excel_destroyed_is_nik_rusak_excel_with_instructions(raw):
    found = problem("nik", raw)
    assert found["code"] == "nik_rusak_excel"
    assert found["value"] == raw
    assert "Excel" in found["message"] and "Teks" in found["message"] and "petik" in found["message"]
    assert "kirim ulang" in found["message"]
    assert "Text" in found["message_en"] and "apostrophe" in found["message_en"]


@pytest.mark.parametrize("raw", [
    "321101010190001",  # 15 digits
    "32110101019000012",  # 17 digits
    "3211010101900001.5",
    "32110101019O0001",  # a letter O
    "NIK belum ada",
    "-",
])
def test_a_nik_that_is_not_16_digits_is_nik_format(raw):
    assert code("nik", raw) == "nik_format"


def test_messages_never_show_a_whole_nik():
    found = problem("nik", "3211010101900001.5")
    assert found["message"] == "Kolom NIK berisi '3211********01.5': harus tepat 16 digit angka."
    assert found["value"] == "3211010101900001.5"  # the raw text stays; the store decides who sees it
    rusak = problem("no_kk", "3211012002150000")
    assert "3211********0000" in rusak["message"] and KK[:12] not in rusak["message"]
    assert "3211********0000" in rusak["message_en"]


def test_a_short_value_that_cannot_be_a_nik_is_shown_as_written():
    assert problem("nik", "3.21101E+15")["message"].startswith("Kolom NIK berisi 3.21101E+15: Excel")
    assert problem("nik", "12345")["message"] == "Kolom NIK berisi '12345': harus tepat 16 digit angka."


# -- whole numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("12", 12),
    (" 12 ", 12),
    ("-3", -3),
    ("1.250.000", 1_250_000),  # dot thousands
    ("1,250,000", 1_250_000),  # comma thousands, unambiguous
    ("1,250", 1250),
    ("12.0", 12),  # Excel's whole number
    ("12,00", 12),
    ("Rp 1.250.000", 1_250_000),
    ("Rp1.250.000", 1_250_000),
])
def test_whole_numbers(raw, expected):
    assert cleaned("jumlah", raw) == expected


@pytest.mark.parametrize("raw", [
    "12.5", "12,5", "1,25", "1.25.000", "1.250,000", "1 250", "dua belas", "12a", "1e3", "99999999999999999999",
])
def test_not_a_whole_number_is_bukan_angka(raw):
    found = problem("jumlah", raw)
    assert found["code"] == "bukan_angka"
    assert found["message"] == f"Kolom Jumlah Anggota berisi '{raw}', bukan angka. Tulis angka saja, mis. 1250000."


# -- decimals ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("12,5", 12.5),  # decimal comma
    ("12.5", 12.5),
    ("12", 12.0),
    ("-0,75", -0.75),
    ("1.250.000,50", 1_250_000.5),
    ("1.250,5", 1250.5),
    ("1.250.000", 1_250_000.0),  # several dots: thousands
    ("1,250,000.50", 1_250_000.5),
    ("Rp 1.250.000", 1_250_000.0),
])
def test_decimals(raw, expected):
    assert cleaned("nilai", raw) == expected


@pytest.mark.parametrize("raw", ["12,5,1", "12.5.1", "1.250.000.5", "satu", "12,", ",5", "nan", "inf", "1e3"])
def test_not_a_decimal_is_bukan_angka(raw):
    found = problem("nilai", raw)
    assert found["code"] == "bukan_angka" and "mis. 12,5" in found["message"]


# -- dates ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("12/01/2024", dt.date(2024, 1, 12)),  # dd/mm/yyyy
    ("12-01-2024", dt.date(2024, 1, 12)),  # dd-mm-yyyy
    ("1/2/2024", dt.date(2024, 2, 1)),  # d/m/yyyy
    ("2024-01-12", dt.date(2024, 1, 12)),  # yyyy-mm-dd
    ("2024-01-12 00:00:00", dt.date(2024, 1, 12)),  # a datetime as Excel readers give it
    ("2024-01-12T08:30:00", dt.date(2024, 1, 12)),
    ("12 Januari 2024", dt.date(2024, 1, 12)),
    ("12 JANUARI 2024", dt.date(2024, 1, 12)),
    ("12 Jan 2024", dt.date(2024, 1, 12)),
    ("3 Februari 2024", dt.date(2024, 2, 3)),
    ("3 Feb 2024", dt.date(2024, 2, 3)),
    ("3 Maret 2024", dt.date(2024, 3, 3)),
    ("3 Mar 2024", dt.date(2024, 3, 3)),
    ("3 April 2024", dt.date(2024, 4, 3)),
    ("3 Apr 2024", dt.date(2024, 4, 3)),
    ("3 Mei 2024", dt.date(2024, 5, 3)),
    ("3 Juni 2024", dt.date(2024, 6, 3)),
    ("3 Jun 2024", dt.date(2024, 6, 3)),
    ("3 Juli 2024", dt.date(2024, 7, 3)),
    ("3 Jul 2024", dt.date(2024, 7, 3)),
    ("17 Agustus 1945", dt.date(1945, 8, 17)),
    ("17 Agu 1945", dt.date(1945, 8, 17)),
    ("17 Agt 1945", dt.date(1945, 8, 17)),
    ("3 September 2024", dt.date(2024, 9, 3)),
    ("3 Sep 2024", dt.date(2024, 9, 3)),
    ("3 Oktober 2024", dt.date(2024, 10, 3)),
    ("3 Okt 2024", dt.date(2024, 10, 3)),
    ("3 November 2024", dt.date(2024, 11, 3)),
    ("3 Nopember 2024", dt.date(2024, 11, 3)),  # the older spelling, still common
    ("3 Nov 2024", dt.date(2024, 11, 3)),
    ("25 Desember 2024", dt.date(2024, 12, 25)),
    ("25 Des 2024", dt.date(2024, 12, 25)),
    ("25-Des-2024", dt.date(2024, 12, 25)),
    ("45292", dt.date(2024, 1, 1)),  # Excel serial number (base 1899-12-30)
    ("45302", dt.date(2024, 1, 11)),
    ("45302.0", dt.date(2024, 1, 11)),
    ("29/02/2024", dt.date(2024, 2, 29)),  # a leap day
])
def test_dates(raw, expected):
    assert cleaned("tanggal", raw) == expected


@pytest.mark.parametrize("raw", [
    "31/02/2024",  # no such day
    "29/02/2023",
    "12/13/2024",  # month 13 (or a US-style date)
    "2024-02-30",
    "32 Januari 2024",
    "12 Januarii 2024",
    "12/01/24",  # two-digit year: which century?
    "0",
    "80001",  # beyond the Excel serials accepted
    "kemarin",
])
def test_an_invalid_date_is_tanggal_tidak_valid(raw):
    found = problem("tanggal", raw)
    assert found["code"] == "tanggal_tidak_valid"
    assert found["message"].startswith(f"Kolom Tanggal Lahir berisi '{raw}', bukan tanggal yang valid.")


# -- yes/no -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("ya", True), ("Ya", True), ("YA", True), ("y", True), ("true", True), ("TRUE", True), ("1", True),
    ("benar", True), ("tidak", False), ("Tidak", False), ("t", False), ("false", False), ("0", False),
    ("salah", False), ("SALAH", False),
])
def test_yes_no(raw, expected):
    assert cleaned("aktif", raw) is expected


@pytest.mark.parametrize("raw", ["mungkin", "2", "ya tidak"])
def test_not_yes_or_no_is_bukan_ya_tidak(raw):
    assert code("aktif", raw) == "bukan_ya_tidak"


# -- allowed values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("P", "P"), ("p", "P"), (" l ", "L"),
    ("Perempuan", "P"), ("WANITA", "P"), ("laki-laki", "L"), ("Laki Laki", "L"), ("laki  laki", "L"),
])
def test_allowed_values_ignore_case_and_spaces_and_synonyms_map_to_the_canonical_value(raw, expected):
    assert cleaned("jenis_kelamin", raw) == expected


def test_allowed_values_with_spaces_match_however_spaced():
    assert cleaned("status", "belum  kawin") == "BELUM KAWIN"
    assert cleaned("status", "Cerai Hidup") == "CERAI HIDUP"


def test_an_unknown_value_is_nilai_tidak_dikenal_listing_what_is_accepted():
    found = problem("jenis_kelamin", "X")
    assert found["code"] == "nilai_tidak_dikenal"
    assert found["message"] == "Kolom Jenis Kelamin berisi 'X', nilai yang tidak dikenal. Nilai yang diterima: L, P."
    assert found["message_en"] == (
        "Column Jenis Kelamin contains 'X', which is not a known value. Accepted values: L, P."
    )


def test_the_real_contracts_know_the_usual_spellings():
    frame = pl.DataFrame({
        "nik": [NIK], "no_kk": [KK], "nama": ["Siti"], "jenis_kelamin": ["PEREMPUAN"], "tempat_lahir": ["Sumedang"],
        "tanggal_lahir": ["01/01/1990"], "status_hubungan": ["Istri"], "status_kawin": ["Kawin"], "agama": ["Islam"],
        "pekerjaan": ["Petani"], "kode_desa": ["3211012001"], "rt": ["001"], "rw": ["002"], "alamat": ["Dusun Manis"],
        "status_hidup": ["hidup"],
    }).with_columns(pl.lit(2, pl.Int64).alias("_row"))
    result = clean(frame, PENDUDUK, REGENCY)
    assert result.problems.is_empty()
    assert result.accepted.select("jenis_kelamin", "status_hubungan", "status_kawin", "rt", "kode_desa").row(0) == (
        "P", "ISTRI", "KAWIN", 1, DESA,
    )


# -- region codes -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["32.11.01.2001", "3211012001", " 3211012001 ", "3211012001.0"])
def test_desa_codes_with_or_without_dots(raw):
    assert cleaned("kode_desa", raw) == DESA


def test_a_desa_that_does_not_exist_inside_the_regency_is_left_to_verification():
    assert cleaned("kode_desa", "32.11.99.2999") == "32.11.99.2999"


@pytest.mark.parametrize("raw", ["33.01.01.2001", "3301012001", "32.12.01.2001"])
def test_a_code_outside_the_regency_is_di_luar_wilayah(raw):
    found = problem("kode_desa", raw)
    assert found["code"] == "di_luar_wilayah"
    assert found["message"].startswith(f"Kolom Kode Desa berisi {raw}, kode desa di luar wilayah Kabupaten Sumedang")


@pytest.mark.parametrize("raw", ["32.11.01", "321101", "32.11", "32110120011", "32.11.1.2001", "desa Cibeureum"])
def test_anything_but_a_desa_code_is_kode_wilayah_format(raw):
    found = problem("kode_desa", raw)
    assert found["code"] == "kode_wilayah_format"
    assert "32.11.01.2001" in found["message"]  # an example in the deployment's own regency


def test_the_regency_code_may_be_given_without_dots():
    assert clean(rows({"kode_desa": "3211012001"}), WARGA, "3211").accepted["kode_desa"].to_list() == [DESA]


# -- duplicate keys ---------------------------------------------------------------------------------------

def test_later_rows_with_the_same_key_are_kunci_ganda_naming_the_first_row():
    result = run({"nama": "A", "nik": NIK}, {"nama": "B"}, {"nama": "C", "nik": NIK}, {"nik": "3211 0101 0190 0001"})
    assert result.accepted["nama"].to_list() == ["A", "B"]
    assert result.rejected_rows["_row"].to_list() == [4, 5]
    assert result.problems.select("_row", "column", "value", "code").rows() == [
        (4, None, None, "kunci_ganda"), (5, None, None, "kunci_ganda"),
    ]
    message = result.problems["message"][0]
    assert message == ("Baris ganda: NIK 3211********0001 sudah ada di baris 2. Hapus salah satu atau perbaiki "
                       "nilainya, lalu kirim ulang.")
    assert NIK not in message and NIK not in result.problems["message_en"][0]


def test_a_refused_row_does_not_make_a_later_row_with_its_key_a_duplicate():
    result = run({"jumlah": "x", "nik": NIK}, {"nik": NIK})
    assert result.accepted["_row"].to_list() == [3]
    assert result.problems["code"].to_list() == ["bukan_angka"]


def test_composite_keys_compare_every_key_column():
    contract = Contract(
        name="realisasi_uji", sector="uji", title={"id": "Uji", "en": "Test"}, owner="BPKAD",
        columns=(
            Column("kode_unit", "Kode Unit SKPD"),
            Column("bulan", "Bulan", "int"),
            Column("realisasi", "Realisasi", "int"),
        ),
        key=("kode_unit", "bulan"),
    )
    frame = pl.DataFrame({
        "kode_unit": ["1.02", "1.02", "1.02"], "bulan": ["1", "2", "1.0"], "realisasi": ["10", "20", "30"],
        "_row": [2, 3, 4],
    })
    result = clean(frame, contract, REGENCY)
    assert result.accepted["_row"].to_list() == [2, 3]
    assert result.problems["message"].to_list() == [
        ("Baris ganda: Kode Unit SKPD 1.02, Bulan 1.0 sudah ada di baris 2. Hapus salah satu atau perbaiki nilainya, "
         "lalu kirim ulang."),
    ]


# -- the catalogue of reasons -----------------------------------------------------------------------------

def test_every_reason_has_a_message_in_both_languages():
    for reason, templates in REASONS.items():
        assert set(templates) == {"id", "en"}, reason
        assert templates["id"] != templates["en"], reason


def test_every_reason_is_produced_by_some_input_and_every_message_is_filled_in():
    result = run(
        {"nama": ""},
        {"nik": "3.21101E+15"},
        {"nik": "123"},
        {"jumlah": "x"},
        {"tanggal": "31/02/2024"},
        {"aktif": "x"},
        {"jenis_kelamin": "x"},
        {"kode_desa": "x"},
        {"kode_desa": "3301012001"},
        {"nik": "5201010101900001"},
        {"nik": "5201010101900001"},
    )
    ranged = Contract(name="rentang", sector="uji", title={"id": "Rentang", "en": "Range"}, owner="Dinas Uji",
                      columns=(Column("nik", "NIK"), Column("desil", "Desil", "int", value_range=(1, 10)),
                               Column("kode_desa", "Kode Desa")),
                      key=("nik",), nik_column="nik", region_column="kode_desa")
    frame = pl.DataFrame({"nik": [NIK], "desil": ["11"], "kode_desa": [DESA], "_row": [2]})
    out_of_range = clean(frame, ranged, REGENCY).problems
    assert out_of_range["message"].to_list() == ["Kolom Desil berisi '11', di luar rentang yang berlaku (1–10)."]
    problems = pl.concat([result.problems.select("code", "message", "message_en"),
                          out_of_range.select("code", "message", "message_en")])
    assert set(problems["code"]) == set(REASONS)
    assert problems["message"].null_count() == 0 and problems["message_en"].null_count() == 0
    assert not problems["message"].str.contains(r"\{").any()
