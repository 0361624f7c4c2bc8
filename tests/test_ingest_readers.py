"""Reading agency files: every quirk of real exports, each with a small file made here.

The reader's promise: whatever the agency sent (CSV in any delimiter and encoding,
Excel with titles, several sheets, merged headers and totals, JSON), the result is
a table of stripped text named by contract column, each row carrying the number a
person sees in the file. Nothing is parsed or repaired here — that is the cleaning
step's job — and bad files are refused with one line of Bahasa Indonesia that
says what to do.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from madangan.errors import UserError
from madangan.ingest.headers import header_map, load_mapping, normalise_header
from madangan.ingest.readers import RawTable, read_records, read_source
from madangan.sectors.health import BALITA, KEHAMILAN
from madangan.sectors.population import KELUARGA, PENDUDUK

NIK_1 = "3211010101900001"
NIK_2 = "3211014202850002"
KK_1 = "3211010902200001"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, merges: dict[str, list[tuple]] | None = None) -> Path:
    """One workbook; each sheet a list of rows (None = empty cell). Dates and numbers keep their Excel type."""
    with xlsxwriter.Workbook(path) as book:
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, (date, datetime)):
                        sheet.write_datetime(r, c, value, date_format)
                    elif isinstance(value, str):
                        sheet.write_string(r, c, value)
                    else:
                        sheet.write(r, c, value)
            for first_row, first_col, last_row, last_col, text in (merges or {}).get(name, []):
                sheet.merge_range(first_row, first_col, last_row, last_col, text)
    return path


def rows(table: RawTable, *columns: str) -> list[tuple]:
    return table.frame.select(*columns).rows()


# --------------------------------------------------------------------------- the shape of the result


def test_a_csv_becomes_text_columns_named_by_contract_with_row_numbers(tmp_path):
    path = write_text(tmp_path / "penduduk.csv",
                      "NIK,Nama Lengkap,Jenis Kelamin,RT,Keterangan\n"
                      f"{NIK_1},  Ade Suryadi ,L,013,pindahan\n"
                      f"{NIK_2},Anisa,P,,\n")
    table = read_source(path, PENDUDUK)

    assert table.frame.columns == ["nik", "nama", "jenis_kelamin", "rt", "_row", "_sheet"]
    assert table.frame.schema["_row"] == pl.Int64
    assert all(table.frame.schema[c] == pl.String for c in ("nik", "nama", "jenis_kelamin", "rt", "_sheet"))
    # stripped, never parsed: "013" stays "013"; empty cells are null
    assert table.frame.rows() == [(NIK_1, "Ade Suryadi", "L", "013", 2, None), (NIK_2, "Anisa", "P", None, 3, None)]
    assert table.unmapped == ["Keterangan"]
    assert table.missing == ["no_kk", "tempat_lahir", "tanggal_lahir", "status_hubungan", "status_kawin", "agama",
                             "pekerjaan", "kode_desa", "rw", "alamat", "status_hidup"]
    assert table.encoding == "utf-8"


def test_a_header_only_file_is_an_empty_table_not_an_error(tmp_path):
    table = read_source(write_text(tmp_path / "p.csv", "NIK,Nama Lengkap\n"), PENDUDUK)
    assert table.frame.height == 0
    assert table.frame.columns == ["nik", "nama", "_row", "_sheet"]


# --------------------------------------------------------------------------- CSV quirks


def test_semicolon_delimited_csv_as_excel_saves_it_in_an_indonesian_locale(tmp_path):
    path = write_text(tmp_path / "p.csv", f"NIK;Nama Lengkap;Alamat\r\n{NIK_1};Ade;Jl. Mawar, No. 5\r\n")
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "nama", "alamat") == [(NIK_1, "Ade", "Jl. Mawar, No. 5")]


def test_tab_delimited_export(tmp_path):
    path = write_text(tmp_path / "p.txt", f"NIK\tNama Lengkap\n{NIK_1}\tAde\n")
    assert rows(read_source(path, PENDUDUK), "nik", "nama") == [(NIK_1, "Ade")]


def test_utf8_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf" + f"NIK,Nama Lengkap\n{NIK_1},Ade\n".encode())
    table = read_source(path, PENDUDUK)
    assert table.encoding == "utf-8-sig"
    assert rows(table, "nik", "nama") == [(NIK_1, "Ade")]  # the BOM is not part of the "NIK" header


def test_windows_1252_is_decoded_when_the_bytes_are_not_utf8(tmp_path):
    path = write_text(tmp_path / "p.csv", f"NIK;Nama Lengkap;Alamat\n{NIK_1};Nuñez;Désa Cibeureum – RT 2\n",
                      encoding="cp1252")
    table = read_source(path, PENDUDUK)
    assert table.encoding == "cp1252"
    assert rows(table, "nama", "alamat") == [("Nuñez", "Désa Cibeureum – RT 2")]


def test_excels_unicode_text_export_in_utf16(tmp_path):
    path = write_text(tmp_path / "p.txt", f"NIK\tNama Lengkap\r\n{NIK_1}\tNuñez\r\n", encoding="utf-16")
    table = read_source(path, PENDUDUK)
    assert table.encoding == "utf-16"
    assert rows(table, "nik", "nama", "_row") == [(NIK_1, "Nuñez", 2)]


def test_quoted_fields_hold_delimiters_and_line_breaks_and_rows_count_file_lines(tmp_path):
    path = write_text(tmp_path / "p.csv",
                      "NIK,Nama Lengkap,Alamat\n"
                      f'{NIK_1},"Suryadi, Ade","Dusun IV\nRT 13 ""Mawar"""\n'
                      f"{NIK_2},Anisa,Dusun V\n")
    table = read_source(path, PENDUDUK)
    assert rows(table, "nama", "alamat", "_row") == [
        ("Suryadi, Ade", 'Dusun IV\nRT 13 "Mawar"', 2),
        ("Anisa", "Dusun V", 4),  # the record above took lines 2 and 3
    ]


def test_title_lines_above_the_csv_header_are_skipped(tmp_path):
    path = write_text(tmp_path / "p.csv",
                      "DATA PENDUDUK DESA CIBEUREUM;;\nKeadaan 31 Desember 2024;;\n;;\n"
                      f"NIK;Nama Lengkap;Jenis Kelamin\n{NIK_1};Ade;L\n")
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "_row") == [(NIK_1, 5)]


def test_blank_lines_in_a_csv_are_dropped_but_do_not_shift_row_numbers(tmp_path):
    path = write_text(tmp_path / "p.csv", f"NIK,Nama Lengkap\n{NIK_1},Ade\n\n,\n{NIK_2},Anisa\n")
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "_row") == [(NIK_1, 2), (NIK_2, 5)]
    assert table.dropped == {"blank": 2}


def test_a_row_with_more_fields_than_the_header_is_refused_with_its_line(tmp_path):
    path = write_text(tmp_path / "p.csv", f"NIK,Nama Lengkap,Alamat\n{NIK_1},Ade,Dusun IV\n{NIK_2},Anisa,Jl. A, No. 5\n")
    with pytest.raises(UserError, match=r"p\.csv baris 3: lebih banyak kolom daripada judulnya .*','"):
        read_source(path, PENDUDUK)


def test_a_row_with_fewer_fields_keeps_nulls_for_the_rest(tmp_path):
    path = write_text(tmp_path / "p.csv", f"NIK,Nama Lengkap,Alamat\n{NIK_1}\n")
    assert rows(read_source(path, PENDUDUK), "nik", "nama", "alamat") == [(NIK_1, None, None)]


# --------------------------------------------------------------------------- Excel quirks


def test_title_rows_above_the_excel_header_and_rows_numbered_as_in_excel(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Penduduk": [
        ["PEMERINTAH KABUPATEN SUMEDANG"],
        ["DATA PENDUDUK DESA CIBEUREUM", None, None],
        [],
        ["No", "NIK", "Nama Lengkap", "Jenis Kelamin"],
        [1, NIK_1, "Ade", "L"],
        [2, NIK_2, " Anisa ", "P"],
    ]})
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "nama", "_row", "_sheet") == [(NIK_1, "Ade", 5, "Penduduk"), (NIK_2, "Anisa", 6, "Penduduk")]
    assert table.unmapped == ["No"]
    assert table.encoding is None


def test_rows_are_excel_rows_even_when_the_table_starts_lower_and_further_right(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [
        [], [], [None, None, "NIK", "Nama Lengkap"], [None, None, NIK_1, "Ade"],
    ]})
    assert rows(read_source(path, PENDUDUK), "nik", "_row") == [(NIK_1, 4)]


def test_header_variants_in_a_real_looking_export(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Sheet1": [
        ["No.", "No. NIK", "NAMA LENGKAP", "Tgl Lahir", "L/P", "Kode Kelurahan", "No. Kartu Keluarga"],
        [1, NIK_1, "ADE SURYADI", date(2006, 10, 31), "L", "3211012001", KK_1],
    ]})
    table = read_source(path, PENDUDUK)
    assert table.frame.row(0, named=True) == {
        "nik": NIK_1, "no_kk": KK_1, "nama": "ADE SURYADI", "jenis_kelamin": "L", "tanggal_lahir": "2006-10-31",
        "kode_desa": "3211012001", "_row": 2, "_sheet": "Sheet1"}


def test_every_sheet_with_a_matching_header_is_read_and_kept_apart_by_sheet(tmp_path):
    header = ["NIK", "Nama Lengkap", "Kode Desa"]
    path = write_xlsx(tmp_path / "p.xlsx", {
        "Petunjuk": [["Isi satu baris per penduduk."], ["Kolom NIK wajib 16 digit."]],
        "Cibeureum": [header, [NIK_1, "Ade", "32.11.01.2001"]],
        "Sukajaya": [["DESA SUKAJAYA"], header, [NIK_2, "Anisa", "32.11.01.2002"]],
        "Rekap": [["Kode Desa", "Jumlah"], ["32.11.01.2001", 1]],
    })
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "kode_desa", "_row", "_sheet") == [
        (NIK_1, "32.11.01.2001", 2, "Cibeureum"),
        (NIK_2, "32.11.01.2002", 3, "Sukajaya"),
    ]


def test_sheets_that_lack_a_column_leave_it_empty_and_only_columns_no_sheet_has_are_missing(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {
        "Desa A": [["NIK", "Nama Lengkap", "Alamat"], [NIK_1, "Ade", "Dusun IV"]],
        "Desa B": [["NIK", "Nama Lengkap", "Agama"], [NIK_2, "Anisa", "ISLAM"]],
    })
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "agama", "alamat", "_sheet") == [
        (NIK_1, None, "Dusun IV", "Desa A"), (NIK_2, "ISLAM", None, "Desa B")]
    assert "alamat" not in table.missing and "agama" not in table.missing and "no_kk" in table.missing


def test_blank_rows_are_dropped(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [
        ["NIK", "Nama Lengkap"], [NIK_1, "Ade"], [], [None, "   "], [NIK_2, "Anisa"], [], [],
    ]})
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "_row") == [(NIK_1, 2), (NIK_2, 5)]
    assert table.dropped == {"blank": 2}  # an empty row and one of spaces; the empty rows at the end hold no cells


def test_a_total_row_at_the_bottom_is_dropped(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [
        ["No", "NIK", "Nama Lengkap", "RT"],
        [1, NIK_1, "Ade", 1],
        [2, NIK_2, "Jumlah Ahmad", 2],  # a name that starts with "Jumlah" is still a resident: it has a NIK
        ["JUMLAH", None, None, 3],
    ]})
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "nama") == [(NIK_1, "Ade"), (NIK_2, "Jumlah Ahmad")]
    assert table.dropped == {"total": 1}


def test_a_two_row_header_under_merged_cells(tmp_path):
    # | No | Identitas        | Tanggal | Alamat |
    # |    | NIK  | Nama Lengkap | Lahir   | RT | RW |
    path = write_xlsx(
        tmp_path / "p.xlsx",
        {"Data": [
            ["DATA PENDUDUK"],
            [],
            [None, None, None, "Tanggal", None, None],
            [None, "NIK", "Nama Lengkap", "Lahir", "RT", "RW"],
            [1, NIK_1, "Ade", date(1990, 1, 1), 13, 5],
        ]},
        merges={"Data": [(2, 0, 3, 0, "No"), (2, 1, 2, 2, "Identitas"),
                         (2, 4, 2, 5, "Alamat")]},
    )
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "nama", "tanggal_lahir", "rt", "rw", "_row") == [
        (NIK_1, "Ade", "1990-01-01", "13", "5", 5)]
    assert table.unmapped == ["No"]


def test_the_row_of_column_numbers_under_a_government_table_header_is_dropped(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [
        ["NIK", "Nama Lengkap", "Jenis Kelamin"], ["(1)", "(2)", "(3)"], [NIK_1, "Ade", "L"],
    ]})
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "_row") == [(NIK_1, 3)]
    assert table.dropped == {"column_numbers": 1}


def test_a_nik_excel_stored_as_a_number_passes_through_as_the_text_calamine_gives(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [
        ["NIK", "Nama Lengkap"],
        [NIK_1, "stored as text"],
        [3211010101900001, "stored as a number, all 16 digits kept"],
        [3.21101e15, "shown as 3.21101E+15 in Excel: the digits are gone"],
    ]})
    assert rows(read_source(path, PENDUDUK), "nik") == [(NIK_1,), ("3211010101900001",), ("3211010000000000",)]


def test_a_nik_a_csv_export_turned_into_a_number_is_left_for_the_cleaning_step(tmp_path):
    path = write_text(tmp_path / "p.csv", "NIK;Nama Lengkap\n3211010101900001.0;Ade\n3.21101E+15;Anisa\n")
    assert rows(read_source(path, PENDUDUK), "nik") == [("3211010101900001.0",), ("3.21101E+15",)]


def test_excel_date_cells_become_iso_text_and_typed_dates_stay_as_typed(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [
        ["NIK", "Tanggal Lahir"],
        [NIK_1, date(1990, 1, 31)],
        [NIK_2, "05/02/1985"],
        ["3211010101900003", "12 Januari 2024"],
        ["3211010101900004", datetime(2024, 1, 12, 13, 30)],  # a time of day is kept: the cleaning step decides
    ]})
    assert rows(read_source(path, PENDUDUK), "tanggal_lahir") == [
        ("1990-01-31",), ("05/02/1985",), ("12 Januari 2024",), ("2024-01-12 13:30:00",)]


def test_other_excel_cells_come_through_as_their_text(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", {"Data": [
        ["Kode Unit SKPD", "Kode Sub Kegiatan", "Tagging Stunting", "Pagu (Rp)"],
        ["1.01.01", "1.01.01.2.01.0001", True, 1250000],
        ["1.01.01", "1.01.01.2.01.0002", False, 12.5],
    ]})
    from madangan.sectors.budget import ANGGARAN

    assert rows(read_source(path, ANGGARAN), "tagging_stunting", "pagu") == [("true", "1250000"), ("false", "12.5")]


# --------------------------------------------------------------------------- headers


def test_headers_are_compared_without_case_spacing_punctuation_or_accents():
    assert normalise_header("No. NIK ") == "no nik"
    assert normalise_header("TGL_LHR") == "tgl lhr"
    assert normalise_header("Tanggal\nLahir") == "tanggal lahir"
    assert normalise_header("Kode Désa") == "kode desa"
    assert normalise_header("L/P") == "l p"


def test_indonesian_header_variants_find_their_columns():
    headers = ["No. NIK", "Nomor KK", "NAMA LENGKAP", "TGL_LHR", "Tempat Lahir", "L/P", "Kode Kelurahan",
               "alamat", "rt", "R.W."]
    assert header_map(headers, PENDUDUK) == {
        "No. NIK": "nik", "Nomor KK": "no_kk", "NAMA LENGKAP": "nama", "TGL_LHR": "tanggal_lahir",
        "Tempat Lahir": "tempat_lahir", "L/P": "jenis_kelamin", "Kode Kelurahan": "kode_desa", "alamat": "alamat",
        "rt": "rt", "R.W.": "rw",
    }
    assert header_map(["Nomor Induk Kependudukan", "No. Kartu Keluarga", "Nama", "JK", "Kode Wilayah Desa"],
                      PENDUDUK) == {"Nomor Induk Kependudukan": "nik", "No. Kartu Keluarga": "no_kk", "Nama": "nama",
                                    "JK": "jenis_kelamin", "Kode Wilayah Desa": "kode_desa"}


def test_column_names_work_as_headers_too():
    assert header_map(["nik", "no_kk", "status_hidup"], PENDUDUK) == {
        "nik": "nik", "no_kk": "no_kk", "status_hidup": "status_hidup"}


def test_an_alias_applies_only_when_the_contract_has_that_column():
    # the family register has no "nama" and no "tempat_lahir"; its NIK is the head of family's
    assert header_map(["NIK", "Nama", "Tempat Lahir", "No. KK"], KELUARGA) == {
        "NIK": "nik_kepala_keluarga", "No. KK": "no_kk"}


def test_a_contracts_own_aliases_are_used():
    assert header_map(["NIK", "Nama Balita", "BB Lahir", "PB Lahir"], BALITA) == {
        "NIK": "nik_anak", "Nama Balita": "nama_anak", "BB Lahir": "berat_lahir_kg", "PB Lahir": "panjang_lahir_cm"}


def test_no_column_is_taken_twice(tmp_path):
    # "NIK Ibu" is the contract's header, "NIK" only its alias: the header wins wherever it stands
    assert header_map(["NIK", "NIK Ibu", "Nama Ibu", "Nama"], KEHAMILAN) == {"NIK Ibu": "nik_ibu", "Nama Ibu": "nama_ibu"}
    # two headers matched the same way: the one further left wins, the other is reported
    path = write_text(tmp_path / "p.csv", f"Nama Lengkap,NIK,Nama Lengkap\nAde,{NIK_1},Ade S.\n")
    table = read_source(path, PENDUDUK)
    assert rows(table, "nama") == [("Ade",)]
    assert table.unmapped == ["Nama Lengkap"]


def test_an_explicit_mapping_comes_first():
    mapping = {"No. Induk": "nik", "NIK": "no_kk", "Nama KK": "Nama Lengkap"}  # a header also names its column
    assert header_map(["NIK", "No. Induk", "Nama KK"], PENDUDUK, mapping) == {
        "No. Induk": "nik", "NIK": "no_kk", "Nama KK": "nama"}


def test_a_mapping_to_a_column_the_contract_lacks_is_refused():
    with pytest.raises(UserError, match="'umur' bukan kolom sumber penduduk; pakai salah satu dari: nik, no_kk"):
        header_map(["Umur"], PENDUDUK, {"Umur": "umur"})


def test_a_mapping_file_in_csv(tmp_path):
    path = write_text(tmp_path / "pemetaan.csv",
                      "header_in_file,column\n# Dinsos export 2024\nNo. Induk,nik\n\n\"Nama, lengkap\";nama\n"
                      .replace(";", ","))
    assert load_mapping(path) == {"No. Induk": "nik", "Nama, lengkap": "nama"}
    semicolons = write_text(tmp_path / "pemetaan2.csv", "No. Induk;nik\nNama KPM;nama\n")
    assert load_mapping(semicolons) == {"No. Induk": "nik", "Nama KPM": "nama"}


def test_a_mapping_file_in_toml(tmp_path):
    flat = write_text(tmp_path / "m.toml", '"No. Induk" = "nik"\n"Nama KPM" = "nama"\n')
    table = write_text(tmp_path / "t.toml", '[kolom]\n"No. Induk" = "nik"\n')
    assert load_mapping(flat) == {"No. Induk": "nik", "Nama KPM": "nama"}
    assert load_mapping(table) == {"No. Induk": "nik"}


def test_read_source_uses_the_mapping(tmp_path):
    path = write_text(tmp_path / "p.csv", f"No. Induk,Nama Warga\n{NIK_1},Ade\n")
    with pytest.raises(UserError, match="tidak cocok"):
        read_source(path, PENDUDUK)
    mapping = load_mapping(write_text(tmp_path / "m.toml", '"No. Induk" = "nik"\n"Nama Warga" = "nama"\n'))
    assert rows(read_source(path, PENDUDUK, mapping), "nik", "nama") == [(NIK_1, "Ade")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("m.csv", "No. Induk,nik\nNama Warga\n", r"Berkas pemetaan m\.csv baris 2: harus dua kolom"),
    ("m.csv", "No. Induk,nik\nNama,nama,extra\n", r"m\.csv baris 2: harus dua kolom .* ditemukan 3"),
    ("m.csv", "No. Induk,nik\nNO. INDUK,no_kk\n", r"m\.csv baris 2: judul 'NO. INDUK' sudah dipetakan ke 'nik' di baris 1"),
    ("m.csv", "# nothing yet\n", r"m\.csv kosong"),
    ("m.toml", '"No. Induk" = "nik"\n"Nama" = 3\n', r"m\.toml baris 2: nilai untuk 'Nama' harus teks"),
    ("m.toml", '"No. Induk" = nik\n', r"m\.toml bukan TOML yang sah \(.*line 1"),
    ("m.json", "{}", r"format \.json tidak didukung"),
])
def test_a_bad_mapping_file_is_refused_naming_the_line(tmp_path, name, content, message):
    with pytest.raises(UserError, match=message):
        load_mapping(write_text(tmp_path / name, content))


# --------------------------------------------------------------------------- JSON


def test_json_keys_are_headers_or_column_names(tmp_path):
    path = write_text(tmp_path / "p.json", json.dumps([
        {"nik": NIK_1, "Nama Lengkap": "Ade", "RT": 13, "meninggal": False},
        {"nik": NIK_2, "Nama Lengkap": " Anisa ", "RT": None, "meninggal": True},
    ]))
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "nama", "rt", "_row") == [(NIK_1, "Ade", "13", 1), (NIK_2, "Anisa", None, 2)]
    assert table.unmapped == ["meninggal"]
    assert table.encoding == "utf-8"


def test_ndjson_rows_are_the_line_numbers(tmp_path):
    lines = [json.dumps({"NIK": NIK_1, "Nama Lengkap": "Ade"}), "", json.dumps({"NIK": NIK_2, "Nama Lengkap": "Anisa"})]
    table = read_source(write_text(tmp_path / "p.ndjson", "\n".join(lines) + "\n"), PENDUDUK)
    assert rows(table, "nik", "_row") == [(NIK_1, 1), (NIK_2, 3)]
    assert rows(read_source(write_text(tmp_path / "p.jsonl", lines[0]), PENDUDUK), "nik") == [(NIK_1,)]


def test_pushed_records_numbers_and_booleans_become_text():
    table = read_records([{"nik": 3211010101900001, "no_kk": 3211010902200001.0, "rt": 5, "status_hidup": True},
                          {"nik": NIK_2, "rt": "07"}], PENDUDUK)
    assert rows(table, "nik", "no_kk", "rt", "status_hidup", "_row", "_sheet") == [
        (NIK_1, "3211010902200001.0", "5", "true", 1, None),
        (NIK_2, None, "07", None, 2, None),
    ]
    assert table.encoding is None


def test_pushed_records_with_a_mapping():
    table = read_records([{"No. Induk": NIK_1}], PENDUDUK, {"No. Induk": "nik"})
    assert rows(table, "nik") == [(NIK_1,)]


# --------------------------------------------------------------------------- bad input


def test_an_unsupported_extension(tmp_path):
    with pytest.raises(UserError, match=r"Format berkas data\.pdf \(\.pdf\) tidak didukung: kirim CSV, XLSX, JSON atau NDJSON"):
        read_source(write_text(tmp_path / "data.pdf", "%PDF-1.4"), PENDUDUK)


def test_a_file_that_is_not_there(tmp_path):
    with pytest.raises(UserError, match="tidak ditemukan: periksa nama dan foldernya"):
        read_source(tmp_path / "hilang.csv", PENDUDUK)


@pytest.mark.parametrize(("name", "content"), [
    ("p.csv", b""), ("p.csv", b"\xef\xbb\xbf\r\n  \n"), ("p.json", b"  "), ("p.ndjson", b"\n\n"), ("p.xlsx", None),
])
def test_an_empty_file(tmp_path, name, content):
    path = tmp_path / name
    if content is None:
        write_xlsx(path, {"Sheet1": []})
    else:
        path.write_bytes(content)
    with pytest.raises(UserError, match=rf"Berkas {name.replace('.', '[.]')} kosong: ekspor ulang data Data penduduk"):
        read_source(path, PENDUDUK)


def test_a_corrupt_workbook(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"Data": [["NIK"], [NIK_1]]})
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(good.read_bytes()[:400])  # cut off mid-download
    with pytest.raises(UserError, match=r"Berkas rusak\.xlsx rusak atau tidak bisa dibaca sebagai Excel .*simpan ulang sebagai \.xlsx"):
        read_source(broken, PENDUDUK)
    not_a_workbook = tmp_path / "lain.xlsx"
    with zipfile.ZipFile(not_a_workbook, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UserError, match=r"lain\.xlsx rusak atau tidak bisa dibaca sebagai Excel"):
        read_source(not_a_workbook, PENDUDUK)


def test_an_html_table_saved_with_an_excel_extension(tmp_path):
    path = write_text(tmp_path / "export.xls", "<html><table><tr><td>NIK</td></tr></table></html>")
    with pytest.raises(UserError, match=r"export\.xls sebenarnya halaman HTML/XML, bukan buku kerja Excel: buka di Excel"):
        read_source(path, PENDUDUK)


def test_text_saved_with_an_excel_extension_is_read_as_the_text_it_is(tmp_path):
    path = write_text(tmp_path / "export.xls", f"NIK\tNama Lengkap\n{NIK_1}\tAde\n")
    table = read_source(path, PENDUDUK)
    assert rows(table, "nik", "nama", "_row", "_sheet") == [(NIK_1, "Ade", 2, None)]
    assert table.encoding == "utf-8"


def test_no_header_matches_the_contract(tmp_path):
    expected = r"\(NIK, No\. KK, Nama Lengkap, Jenis Kelamin, .*, Status\); perbaiki judul kolomnya atau pakai --mapping"
    csv_path = write_text(tmp_path / "lain.csv", "Kode Barang,Harga\nA1,1000\n")
    with pytest.raises(UserError, match=r"Judul kolom di lain\.csv tidak cocok dengan sumber 'penduduk': tidak ada "
                                        r"baris judul yang memuat kolom yang diharapkan " + expected):
        read_source(csv_path, PENDUDUK)
    xlsx_path = write_xlsx(tmp_path / "lain.xlsx", {"Barang": [["Kode Barang", "Harga"], ["A1", 1000]]})
    with pytest.raises(UserError, match=r"lain\.xlsx .* tidak ada lembar dengan baris judul yang memuat kolom yang diharapkan " + expected):
        read_source(xlsx_path, PENDUDUK)
    with pytest.raises(UserError, match=r"data yang dikirim .* tidak ada kunci rekaman"):
        read_records([{"harga": 1}], PENDUDUK)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("p.json", '[{"NIK": "1"},\n {"NIK": }]', r"p\.json bukan JSON yang sah \(baris 2: Expecting value\)"),
    ("p.json", '{"NIK": "1"}', r"p\.json harus berisi larik objek JSON"),
    ("p.json", '["NIK"]', r"rekaman ke-1 bukan objek JSON"),
    ("p.json", "[]", r"p\.json tidak berisi rekaman"),
    ("p.ndjson", '{"NIK": "1"}\n{"NIK": \n', r"p\.ndjson baris 2 bukan JSON yang sah"),
    ("p.ndjson", '{"NIK": "1"}\n[1, 2]\n', r"p\.ndjson baris 2 bukan objek JSON"),
])
def test_bad_json(tmp_path, name, content, message):
    with pytest.raises(UserError, match=message):
        read_source(write_text(tmp_path / name, content), PENDUDUK)


def test_every_refusal_is_one_line(tmp_path):
    bad = [write_text(tmp_path / "a.csv", ""), write_text(tmp_path / "b.csv", "x,y\n1,2\n"),
           write_text(tmp_path / "c.xls", "<html>")]
    for path in bad:
        with pytest.raises(UserError) as caught:
            read_source(path, PENDUDUK)
        assert "\n" not in str(caught.value)
