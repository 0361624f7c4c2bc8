"""A region's assessment and gap report as XLSX and PDF.

One report: the index, predicate and rank in the peer group; domain and aspect indices; the gap
per indicator to the best peer and who reached it; the cheapest plan to the next predicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from fpdf import FPDF
from sqlalchemy import Engine

from madangan.access import Principal

from madangan.exports import neutralise
from madangan.sectors.spbe import benchmark, planner, store
from madangan.sectors.spbe.instrument import DEFAULT_INSTRUMENT, Instrument, Score, load
from madangan.sectors.spbe.text import Refused, tr


@dataclass(frozen=True)
class Report:
    instrument: Instrument
    region_code: str
    region_name: str
    year: int
    group: str
    status: str
    score: Score
    rank: int
    peers: int
    gaps: list[benchmark.Gap]
    plan: planner.Plan | None


def build(engine: Engine, region_code: str, year: int, group: str = "province",
          instrument_id: str = DEFAULT_INSTRUMENT, who: Principal | None = None) -> Report:
    """The report; with `who`, peers are only the assessments that caller may see (`store.may_see`)."""
    instrument = load(instrument_id)
    view = store.get(engine, region_code, year, instrument_id)
    levels = view.levels() if view else {}
    if len(levels) != len(instrument.indicators):
        raise Refused(tr(f"Laporan perlu tingkat semua indikator; {region_code} tahun {year} belum lengkap.",
                         f"A report needs every indicator's level; {region_code} {year} is incomplete."), code=404)
    views = store.for_year(engine, year, instrument_id)
    found = benchmark.entries(instrument, store.visible(who, views) if who is not None else views)
    peer_entries = benchmark.peers(region_code, found, group)
    ranked = benchmark.ranking(peer_entries)
    own = next(r for r in ranked if r.entry.region_code == region_code)
    gaps = sorted((g for g in benchmark.gaps(instrument, own.entry, peer_entries) if g.gap),
                  key=lambda g: (-g.index_points, g.indicator))
    return Report(instrument, region_code, view.region_name, year, group, view.status, instrument.score(levels),
                  own.rank, len(peer_entries), gaps, planner.plan_to_next_predicate(instrument, levels))


def _summary_rows(r: Report) -> list[tuple[str, object]]:
    return [("Wilayah", f"{r.region_name} ({r.region_code})"), ("Tahun", r.year),
            ("Status", store.STATUS_LABELS[r.status]["id"]), ("Indeks SPBE", float(r.score.index)),
            ("Predikat", r.score.predicate),
            ("Peringkat", f"{r.rank} dari {r.peers} ({benchmark.PEER_GROUPS[r.group]['id']})"),
            ("Instrumen", r.instrument.name)]


def _teachers(g: benchmark.Gap) -> str:
    names = ", ".join(e.region_name for e in g.learn_from[:5])
    return names + (f" +{len(g.learn_from) - 5}" if len(g.learn_from) > 5 else "")


def write_xlsx(r: Report, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#e4eef0"})
    two = book.add_format({"num_format": "0.00"})

    def sheet(name, headers, rows, widths):
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        for n, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, float):
                    ws.write_number(n, c, value, two)
                else:
                    ws.write(n, c, neutralise(value) if isinstance(value, str) else value)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)

    sheet("Ringkasan", ["Butir", "Nilai"], _summary_rows(r), (16, 60))
    rows = []
    for d in r.instrument.domains:
        rows.append((d.id, d.name, float(d.weight), float(r.score.domains[d.id])))
        rows += [(a.id, "  " + a.name, float(a.weight), float(r.score.aspects[a.id])) for a in r.instrument.aspects if a.domain == d.id]
    sheet("Domain dan Aspek", ["Kode", "Nama", "Bobot (%)", "Indeks"], rows, (8, 55, 10, 10))
    sheet("Celah", ["No. Indikator", "Indikator", "Tingkat Kita", "Tingkat Terbaik", "Tambahan Indeks", "Belajar dari"],
          [(g.indicator, g.name, g.level, g.best, float(g.index_points), _teachers(g)) for g in r.gaps], (12, 60, 12, 14, 15, 60))
    sheet("Rencana", ["Langkah", "No. Indikator", "Indikator", "Dari", "Ke", "Indeks Sesudahnya"],
          [(n, s.indicator, s.name, s.from_level, s.to_level, float(s.index_after)) for n, s in enumerate(r.plan.steps if r.plan else (), 1)],
          (8, 12, 60, 6, 6, 16))
    book.close()


def write_pdf(r: Report, path: Path) -> None:
    """A4 report in Helvetica (Latin-1 text only, so arrows are written as '->')."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_title(f"Laporan SPBE {r.region_name} {r.year}")
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _latin(f"Laporan Penilaian dan Celah SPBE - {r.region_name} {r.year}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for label, value in _summary_rows(r):
        pdf.cell(0, 6, _latin(f"{label}: {value:.2f}" if isinstance(value, float) else f"{label}: {value}"),
                 new_x="LMARGIN", new_y="NEXT")

    def table(title, headers, rows, widths):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=8)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5) as t:
            for row in [headers, *rows]:
                cells = t.row()
                for value in row:
                    cells.cell(_latin(f"{value:.2f}" if isinstance(value, float) else str(value if value is not None else "")))

    rows = []
    for d in r.instrument.domains:
        rows.append((d.id, d.name, f"{d.weight} %", float(r.score.domains[d.id])))
        rows += [(a.id, "   " + a.name, f"{a.weight} %", float(r.score.aspects[a.id])) for a in r.instrument.aspects if a.domain == d.id]
    table("Indeks per domain dan aspek", ("Kode", "Nama", "Bobot", "Indeks"), rows, (12, 120, 20, 20))
    table("Celah per indikator dan siapa yang bisa ditiru", ("No.", "Indikator", "Kita", "Terbaik", "+Indeks", "Belajar dari"),
          [(g.indicator, g.name.removeprefix("Tingkat Kematangan "), g.level, g.best, f"+{float(g.index_points):.3f}", _teachers(g))
           for g in r.gaps], (10, 62, 12, 14, 16, 66))
    if r.plan:
        table(f"Rencana termurah ke {r.plan.end.predicate} (indeks >= {float(r.plan.target):.2f})",
              ("#", "Indikator", "Tingkat", "Indeks sesudahnya"),
              [(n, f"{s.indicator} {s.name.removeprefix('Tingkat Kematangan ')}", f"{s.from_level} -> {s.to_level}", float(s.index_after))
               for n, s in enumerate(r.plan.steps, 1)], (10, 120, 20, 30))
    pdf.output(str(path))


def _latin(text: str) -> str:
    return text.replace("→", "->").replace("≥", ">=").replace("–", "-").encode("latin-1", "replace").decode("latin-1")


def write(r: Report, path: Path) -> None:
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        write_pdf(r, path)
    elif path.suffix.lower() == ".xlsx":
        write_xlsx(r, path)
    else:
        raise Refused(tr(f"Laporan ditulis ke .xlsx atau .pdf, bukan {path.suffix or 'tanpa ekstensi'}.",
                         f"Reports are written to .xlsx or .pdf, not {path.suffix or 'no suffix'}."))
