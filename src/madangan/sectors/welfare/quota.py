"""A quota file for the whole regency (XLSX or CSV): one row per desa × program with its new quota.

Headers in Indonesian, as a Dinsos or DPMD spreadsheet has them: **Kode Desa**, **Program**, **Kuota**
(case, spaces and underscores do not matter; title rows above the header are skipped). Every row is
checked before anything is computed; a bad row is named by its row number in the file and its column,
and then nothing is computed at all (no half-applied what-if).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from madangan.errors import UserError
from madangan.i18n import t
from madangan.regions import regions
from madangan.sectors.welfare.rules import Version

HEADERS = {"kode_desa": "Kode Desa", "program": "Program", "kuota": "Kuota"}
ALIASES = {"kode_desa": {"kode_desa", "kode_desa_kelurahan", "kode_wilayah", "kode_kemendagri"},
           "program": {"program", "program_bansos"},
           "kuota": {"kuota", "kuota_baru", "kuota_keluarga", "kuota_kpm"}}
DESA = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
MAX_ROWS = 100_000
MAX_LISTED = 25  # problems named in the message; the count says how many more


@dataclass(frozen=True)
class QuotaRow:
    row: int  # as the spreadsheet numbers it
    kode_desa: str
    program: str
    kuota: int


def _key(header) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header or "").strip().lower()).strip("_")


def _rows_of(name: str, data: bytes) -> list[tuple[int, list]]:
    """(row number in the file, cells) of the first sheet, or of the CSV (',' or ';', UTF-8 or Windows-1252)."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's file problem
            raise UserError(t("welfare.quota_unreadable", file=name)) from None
        sheet = book.worksheets[0]
        out = [(i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
        return out
    if name.lower().endswith((".csv", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        return [(i, r) for i, r in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]
    raise UserError(t("welfare.quota_format", file=name))


def _header(rows: list[tuple[int, list]], name: str) -> tuple[int, dict[str, int]]:
    for at, (_, cells) in enumerate(rows[:20]):
        keys = [_key(c) for c in cells]
        found = {field: next((i for i, k in enumerate(keys) if k in names), None) for field, names in ALIASES.items()}
        if found["kode_desa"] is not None and (found["program"] is not None or found["kuota"] is not None):
            missing = [HEADERS[f] for f, i in found.items() if i is None]
            if missing:
                raise UserError(t("welfare.quota_columns", file=name, missing=", ".join(missing)))
            return at, found  # type: ignore[return-value]
    raise UserError(t("welfare.quota_columns", file=name, missing=", ".join(HEADERS.values())))


def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace(".", "").replace(" ", "") if value is not None else ""
    return int(text) if text.isdigit() else None


def read(name: str, data: bytes, version: Version, deployment_code: str, in_scope=lambda code: True) -> list[QuotaRow]:
    """Every row of the file checked against the program rules, the region list and the caller's scope;
    a UserError naming each bad row (row number, column, why) when any is wrong."""
    rows = _rows_of(name, data)
    start, cols = _header(rows, name)
    quota_programs = [p for p, r in version.program.items() if r.berkuota]
    names = regions()
    problems: list[str] = []
    out: list[QuotaRow] = []
    seen: dict[tuple[str, str], int] = {}

    def bad(row: int, field: str, reason: str) -> None:
        problems.append(t("welfare.quota_bad_row", row=row, field=HEADERS[field], reason=reason))

    body = [(n, cells) for n, cells in rows[start + 1:] if any(str(c).strip() for c in cells if c is not None)]
    if len(body) > MAX_ROWS:
        raise UserError(t("welfare.quota_too_long", file=name, limit=MAX_ROWS))
    for n, cells in body:
        def cell(field):
            i = cols[field]
            return cells[i] if i < len(cells) else None

        code = str(cell("kode_desa") or "").strip()
        program = str(cell("program") or "").strip().upper().replace(" ", "_")
        quota = _int(cell("kuota"))
        ok = True
        if not DESA.match(code):
            bad(n, "kode_desa", t("welfare.quota_not_desa_code", value=code or "–"))
            ok = False
        elif code not in names or not code.startswith(deployment_code + "."):
            bad(n, "kode_desa", t("welfare.quota_outside", value=code, region=deployment_code))
            ok = False
        elif not in_scope(code):
            bad(n, "kode_desa", t("welfare.quota_out_of_scope", value=code))
            ok = False
        if program not in version.program:
            bad(n, "program", t("welfare.quota_unknown_program", value=program or "–", allowed=", ".join(quota_programs)))
            ok = False
        elif program not in quota_programs:
            bad(n, "program", t("welfare.quota_no_quota", value=program, allowed=", ".join(quota_programs)))
            ok = False
        elif ok and version.program[program].hanya_desa and code[9] == "1":  # a kelurahan (eligibility.kelurahan)
            bad(n, "kode_desa", t("welfare.quota_kelurahan", value=code, program=program))
            ok = False
        if quota is None or quota < 0:
            bad(n, "kuota", t("welfare.quota_not_number", value=cell("kuota") if cell("kuota") is not None else "–"))
            ok = False
        if ok:
            earlier = seen.get((code, program))
            if earlier is not None:
                bad(n, "kode_desa", t("welfare.quota_duplicate", value=code, program=program, row=earlier))
                continue
            seen[(code, program)] = n
            out.append(QuotaRow(n, code, program, quota))
    if problems:
        more = len(problems) - MAX_LISTED
        listed = "; ".join(problems[:MAX_LISTED]) + (t("welfare.quota_more", n=more) if more > 0 else "")
        raise UserError(t("welfare.quota_invalid", file=name, count=len(problems), problems=listed))
    if not out:
        raise UserError(t("welfare.quota_empty", file=name))
    return out
