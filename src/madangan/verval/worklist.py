"""Findings as people read them: messages in their language, masked numbers, and the XLSX worklist."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from madangan.access import Principal, Role, mask
from madangan.appdb.models import Finding
from madangan.exports import neutralise
from madangan.plugins import contracts, sectors
from madangan.regions import regions
from madangan.verval.checks import Check
from madangan.verval.store import STATUS_LABELS

NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")  # a NIK or KK number inside any text
#: Cadres work on posyandu children only: the sectors whose findings they see.
CADRE_SECTORS = frozenset({"health"})


@cache
def checks_by_key() -> dict[tuple[str, str], Check]:
    from madangan.verval.engine import all_checks

    return {(c.rule, c.source): c for c in all_checks()}


def rules() -> dict[str, Check]:
    """One check per rule name (its title and severity are the same for every source)."""
    return {c.rule: c for c in checks_by_key().values()}


def visible_sources(who: Principal) -> frozenset[str] | None:
    """Sources whose findings the principal may read (None: all): an analyst its sectors', a cadre health's."""
    allowed = who.sectors or (CADRE_SECTORS if who.role is Role.CADRE else frozenset())
    if not allowed:
        return None
    return frozenset(c.name for s in sectors() if s.name in allowed for c in s.contracts)


def visible_posyandu(who: Principal) -> str | None:
    """A cadre's posyandu: their findings are those on records of it ("" for a cadre without one: nothing).
    None for every other role (no posyandu restriction)."""
    return (who.posyandu or "") if who.posyandu_scoped else None


def mask_text(text: str) -> str:
    return NUMBER.sub(lambda m: mask(m.group(0)), text)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(f: Finding, lang: str, unmasked: bool) -> dict:
    """A finding for the API and exports: message filled from its evidence, numbers masked unless allowed."""
    check = checks_by_key().get((f.rule, f.source))
    evidence = {k: ("" if v is None else v) for k, v in json.loads(f.evidence).items()}
    message = check.message[lang].format_map(_Blank(evidence)) if check else ""
    shown = (lambda s: s) if unmasked else mask_text
    desa = regions().names.get(f.kode_desa or "", None)
    return {
        "id": f.id,
        "rule": f.rule,
        "title": check.title[lang] if check else f.rule,
        "severity": f.severity,
        "source": f.source,
        "record_key": shown(f.record_key),
        "kode_desa": f.kode_desa,
        "desa": desa,
        "agency": f.agency,
        "message": shown(message),
        "evidence": {k: shown(str(v)) for k, v in evidence.items()},
        "status": f.status,
        "status_label": STATUS_LABELS[f.status][lang],
        "reason": f.reason,
        "updated_at": f.updated_at.isoformat() if f.updated_at else None,
    }


HEADERS = {
    "id": ("ID Temuan", "Finding ID"), "desa": ("Desa/Kelurahan", "Desa"), "kode_desa": ("Kode Desa", "Desa code"),
    "title": ("Masalah", "Problem"), "severity": ("Tingkat", "Severity"), "source": ("Sumber", "Source"),
    "record_key": ("Kunci Record", "Record key"), "agency": ("OPD", "Agency"), "message": ("Keterangan dan Tindakan", "What to do"),
    "status_label": ("Status", "Status"), "reason": ("Alasan", "Reason"),
}
FIELD_COLUMNS = (("Hasil Verifikasi Lapangan", "Field outcome"), ("Catatan Petugas", "Officer's notes"))


def export_xlsx(items: list[dict], path: Path, lang: str) -> None:
    """The worklist a village works from: one row per finding, blank columns for the field outcome."""
    import xlsxwriter

    col = 0 if lang == "id" else 1
    keys = list(HEADERS)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("Temuan" if lang == "id" else "Findings")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@", "valign": "top"})
    headers = [HEADERS[k][col] for k in keys] + [h[col] for h in FIELD_COLUMNS]
    sheet.write_row(0, 0, headers, bold)
    for r, item in enumerate(items, start=1):
        for c, key in enumerate(keys):
            value = neutralise(item.get(key))
            sheet.write_string(r, c, str(value), wrap if key == "message" else text)
    widths = {"id": 22, "desa": 18, "kode_desa": 14, "title": 28, "severity": 9, "source": 16, "record_key": 22,
              "agency": 16, "message": 70, "status_label": 16, "reason": 24}
    for c, key in enumerate(keys):
        sheet.set_column(c, c, widths[key])
    sheet.set_column(len(keys), len(keys) + 1, 26)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(items), 1), len(headers) - 1)
    book.close()


def known_source(name: str) -> bool:
    return name in contracts()
