"""XLSX for a village deliberation (musyawarah desa): a summary, candidates to add, recipients to review.

Indonesian headers, NIK and KK as text (never a number that loses digits), every cell through
madangan.exports.neutralise (no formula injection from a name), blank columns for the meeting's
decision and notes.
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


def _cell(value):
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return neutralise(value)


def _sheet(book, name: str, title: str, columns, rows: list[dict], formats: dict, decision: bool = True) -> None:
    sheet = book.add_worksheet(name)
    sheet.write_string(0, 0, title, formats["title"])
    headers = ["No."] + [h for _, h in columns] + (list(DECISION) if decision else [])
    sheet.write_row(2, 0, headers, formats["head"])
    for i, row in enumerate(rows, start=3):
        sheet.write_number(i, 0, i - 2)
        for c, (key, _) in enumerate(columns, start=1):
            value = _cell(row.get(key))
            if key.startswith(("tingkat_", "cakupan")) and isinstance(value, float):
                sheet.write_number(i, c, value, formats["pct"])
            elif isinstance(value, (int, float)) and key not in TEXT_KEYS and not isinstance(value, bool):
                sheet.write_number(i, c, value, formats["num"])
            else:
                sheet.write_string(i, c, str(value), formats["text"])
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, len(headers), 18)
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, max(len(rows), 1) + 2, len(headers) - 1)


def musyawarah_xlsx(path: Path, *, desa: str, desa_name: str | None, period: str, summary: list[dict],
                    candidates: list[dict], review: list[dict]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
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
           SUMMARY, summary, formats, decision=False)
    _sheet(book, "Usulan Penerima Baru", f"Usulan penerima baru (layak, belum menerima) — {where}, periode {period}",
           CANDIDATES, candidates, formats)
    _sheet(book, "Penerima Ditinjau", f"Penerima yang perlu ditinjau — {where}, periode {period}",
           REVIEW, review, formats)
    book.close()


def rates_xlsx(path: Path, rows: list[dict]) -> None:
    """The rates table (aggregates only)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 13}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top", "border": 1}),
        "text": book.add_format({"num_format": "@"}), "num": book.add_format({"num_format": "#,##0"}),
        "pct": book.add_format({"num_format": "0.0%"}),
    }
    _sheet(book, "Ketepatan Sasaran", f"Ketepatan sasaran bantuan sosial (dibuat {date.today().isoformat()})",
           SUMMARY, rows, formats, decision=False)
    book.close()
