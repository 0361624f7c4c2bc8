"""XLSX for a village deliberation (musyawarah desa): a summary, candidates to add, recipients to review.

Indonesian headers, NIK and KK as text (never a number that loses digits), every cell through
madangan.exports.neutralise (no formula injection from a name), blank columns for the meeting's
decision and notes.

A whole regency's lists can pass Excel's 1,048,576 rows per sheet: the workbook is written row by row
(xlsxwriter's constant-memory mode) and a list that does not fit goes on in "… (2)", "… (3)" sheets, each with
its title and header rows, numbered on from the sheet before.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from madangan.exports import neutralise

SUMMARY = (("program", "Program"), ("kode_wilayah", "Kode Wilayah"), ("nama_wilayah", "Wilayah"), ("periode", "Periode"),
           ("penerima", "Penerima"), ("salah_inklusi", "Salah Inklusi"), ("tingkat_inklusi", "Tingkat Inklusi"),
           ("keluarga_layak", "Keluarga Layak"), ("layak_menerima", "Layak dan Menerima"),
           ("salah_eksklusi", "Salah Eksklusi"), ("tingkat_eksklusi", "Tingkat Eksklusi"), ("cakupan", "Cakupan"),
           ("nominal_rp", "Nominal (Rp/bulan)"), ("kebocoran_rp", "Kebocoran (Rp/bulan)"))
CANDIDATES = (("desa", "Desa/Kelurahan"), ("urutan", "Urutan"), ("program", "Program"), ("no_kk", "No. KK"), ("nik_kepala_keluarga", "NIK Kepala Keluarga"),
              ("nama_kepala_keluarga", "Nama Kepala Keluarga"), ("desil", "Desil"),
              ("prioritas", "Prioritas"), ("kriteria_lokal", "Kriteria Lokal"), ("kerentanan", "Kerentanan (lintas sektor)"),
              ("hasil_verifikasi", "Hasil Verifikasi Lapangan"))
REVIEW = (("desa", "Desa/Kelurahan"), ("program", "Program"), ("id_penerima", "ID Penerima"), ("nik", "NIK"), ("no_kk", "No. KK"), ("nama", "Nama"),
          ("nominal", "Nominal (Rp/bulan)"), ("desil", "Desil"), ("alasan", "Alasan Ditinjau"),
          ("hasil_verifikasi", "Hasil Verifikasi Lapangan"))
DECISION = ("Keputusan Musdes", "Catatan")
TEXT_KEYS = {"no_kk", "nik", "nik_kepala_keluarga", "id_penerima", "kode_wilayah"}
#: Rows per worksheet in XLSX (Excel's limit); the title, a blank row and the header take three.
MAX_SHEET_ROWS = 1_048_576
HEAD_ROWS = 3


def _cell(value):
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return neutralise(value)


def _sheet(book, name: str, title: str, columns, rows, formats: dict, decision: bool = True,
           max_rows: int = MAX_SHEET_ROWS) -> int:
    """Rows (any iterable) on as many sheets as they need; returns how many sheets were written."""
    headers = ["No."] + [h for _, h in columns] + (list(DECISION) if decision else [])
    per_sheet = max_rows - HEAD_ROWS
    sheets, sheet, written, n = 0, None, 0, 0

    def start():
        nonlocal sheets, sheet, written
        if sheet is not None:
            _finish(sheet, written, len(headers))
        sheets += 1
        sheet = book.add_worksheet(name if sheets == 1 else f"{name[:26]} ({sheets})")
        sheet.write_string(0, 0, title if sheets == 1 else f"{title} (lanjutan {sheets})", formats["title"])
        sheet.write_row(2, 0, headers, formats["head"])
        written = 0

    start()
    for row in rows:
        if written == per_sheet:
            start()
        i = HEAD_ROWS + written
        n += 1
        sheet.write_number(i, 0, n)
        for c, (key, _) in enumerate(columns, start=1):
            value = _cell(row.get(key))
            if key.startswith(("tingkat_", "cakupan")) and isinstance(value, float):
                sheet.write_number(i, c, value, formats["pct"])
            elif isinstance(value, (int, float)) and key not in TEXT_KEYS and not isinstance(value, bool):
                sheet.write_number(i, c, value, formats["num"])
            else:
                sheet.write_string(i, c, "" if value is None else str(value), formats["text"])
        written += 1
    _finish(sheet, written, len(headers))
    return sheets


def _finish(sheet, written: int, width: int) -> None:
    sheet.set_column(0, 0, 7)
    sheet.set_column(1, width, 18)
    sheet.freeze_panes(HEAD_ROWS, 0)
    sheet.autofilter(2, 0, max(written, 1) + 2, width - 1)


def musyawarah_xlsx(path: Path, *, desa: str, desa_name: str | None, period: str, summary: list[dict],
                    candidates, review, max_rows: int = MAX_SHEET_ROWS) -> None:
    """The workbook for one desa — or a kecamatan or the whole regency, the lists split over sheets when long."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "constant_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1}),
        "text": book.add_format({"num_format": "@", "valign": "top"}),
        "num": book.add_format({"num_format": "#,##0", "valign": "top"}),
        "pct": book.add_format({"num_format": "0.0%", "valign": "top"}),
    }
    where = f"{desa_name or ''} ({desa})"
    stamp = date.today().isoformat()
    _sheet(book, "Ringkasan", f"Ketepatan sasaran bantuan sosial — {where}, periode {period} (dibuat {stamp})",
           SUMMARY, summary, formats, decision=False, max_rows=max_rows)
    _sheet(book, "Usulan Penerima Baru", f"Usulan penerima baru (layak, belum menerima) — {where}, periode {period}",
           CANDIDATES, candidates, formats, max_rows=max_rows)
    _sheet(book, "Penerima Ditinjau", f"Penerima yang perlu ditinjau — {where}, periode {period}",
           REVIEW, review, formats, max_rows=max_rows)
    book.close()


def rates_xlsx(path: Path, rows: list[dict]) -> None:
    """The rates table (aggregates only)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "constant_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1}),
        "text": book.add_format({"num_format": "@"}), "num": book.add_format({"num_format": "#,##0"}),
        "pct": book.add_format({"num_format": "0.0%"}),
    }
    _sheet(book, "Ketepatan Sasaran", f"Ketepatan sasaran bantuan sosial (dibuat {date.today().isoformat()})",
           SUMMARY, rows, formats, decision=False)
    book.close()
