"""Assessments in and out of Excel/CSV, the way a data officer works.

One row per region × year × indicator, Indonesian headers. An import is checked whole before
anything is written: every bad row is named (row, column, why) and nothing is applied while one
remains. Files are read by the platform's reader (title rows, `,`/`;`, Windows-1252, XLSX sheets).
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import xlsxwriter
from sqlalchemy import Engine

from madangan.access import Permission, Principal
from madangan.appdb import sessions
from madangan.contracts import Column, Contract
from madangan.errors import UserError
from madangan.exports import neutralise
from madangan.ingest.readers import read_source
from madangan.sectors.spbe import store
from madangan.sectors.spbe.instrument import DEFAULT_INSTRUMENT, load
from madangan.sectors.spbe.text import Refused, tr

#: Not a warehouse source: only the shape the reader matches headers against.
LEVELS_FILE = Contract(
    name="spbe_tingkat", sector="spbe", title={"id": "Penilaian SPBE per indikator", "en": "SPBE assessment per indicator"},
    owner="Diskominfo",
    columns=(
        Column("kode_wilayah", "Kode Wilayah"),
        Column("tahun", "Tahun"),
        Column("indikator", "No. Indikator"),
        Column("tingkat", "Tingkat"),
        Column("penjelasan", "Penjelasan", required=False),
        Column("tautan_bukti", "Tautan Bukti", required=False),
    ),
    key=("kode_wilayah", "tahun", "indikator"),
    aliases={"Indikator": "indikator", "Nomor Indikator": "indikator", "Tingkat Kematangan": "tingkat",
             "Level": "tingkat", "Nilai": "tingkat", "Kode": "kode_wilayah", "Bukti": "tautan_bukti"},
)
PUBLISHED_FILE = Contract(
    name="spbe_terbit", sector="spbe", title={"id": "Indeks SPBE terbitan", "en": "Published SPBE index"},
    owner="KemenPANRB",
    columns=(
        Column("kode_wilayah", "Kode Wilayah"),
        Column("tahun", "Tahun"),
        Column("indeks", "Indeks"),
        Column("sumber", "Sumber", required=False),
        Column("penduduk", "Jumlah Penduduk", required=False),
    ),
    key=("kode_wilayah", "tahun"),
    aliases={"Indeks SPBE": "indeks", "Nilai Indeks": "indeks", "Kode": "kode_wilayah", "Penduduk": "penduduk",
             "Population": "penduduk"},
)
EXPORT_HEADERS = ["Kode Wilayah", "Nama Wilayah", "Tahun", "Status", "Domain", "Aspek", "No. Indikator",
                  "Nama Indikator", "Bobot (%)", "Tingkat", "Nama Tingkat", "Penjelasan", "Tautan Bukti",
                  "Tingkat Terverifikasi", "Catatan Verifikator"]


def _read(path: Path, contract: Contract) -> list[dict]:
    table = read_source(Path(path), contract)
    required = [c.header for c in contract.columns if c.required and c.name in table.missing]
    if required:
        raise UserError(tr(f"{Path(path).name}: kolom {', '.join(required)} tidak ditemukan (ada: {', '.join(table.unmapped) or '—'}).",
                           f"{Path(path).name}: columns {', '.join(required)} not found (present: {', '.join(table.unmapped) or '—'})."))
    return table.frame.to_dicts()


def _int(value, lo: int, hi: int) -> int | None:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if number != number.to_integral_value() or not lo <= number <= hi:
        return None
    return int(number)


def _where(row: dict) -> str:
    sheet = f"{row['_sheet']}, " if row.get("_sheet") else ""
    return tr(f"{sheet}baris {row['_row']}", f"{sheet}row {row['_row']}")


def import_levels(engine: Engine, who: Principal, path: Path, instrument_id: str = DEFAULT_INSTRUMENT) -> dict[tuple[str, int], int]:
    """Levels, justifications and evidence links from a file; all or nothing.

    Returns the number of indicators written per (region, year).
    """
    instrument = load(instrument_id)
    rows = _read(path, LEVELS_FILE)
    problems: list[str] = []
    parsed: list[tuple[str, int, str, int, str | None, list[str]]] = []
    seen: dict[tuple[str, int, str], str] = {}
    for row in rows:
        where = _where(row)
        try:
            code = store.check_region(row.get("kode_wilayah") or "")
        except UserError as exc:
            problems.append(f"{where}, kolom 'Kode Wilayah': {exc}")
            continue
        year = _int(row.get("tahun"), store.MIN_YEAR, store.MAX_YEAR)
        if year is None:
            problems.append(tr(f"{where}, kolom 'Tahun': '{row.get('tahun')}' bukan tahun {store.MIN_YEAR}–{store.MAX_YEAR}.",
                               f"{where}, column 'Tahun': '{row.get('tahun')}' is not a year {store.MIN_YEAR}–{store.MAX_YEAR}."))
            continue
        indicator = str(row.get("indikator") or "").strip().removesuffix(".0")
        if indicator not in {i.id for i in instrument.indicators}:
            problems.append(tr(f"{where}, kolom 'No. Indikator': '{indicator}' bukan indikator {instrument.id} (1–{len(instrument.indicators)}).",
                               f"{where}, column 'No. Indikator': '{indicator}' is not a {instrument.id} indicator (1–{len(instrument.indicators)})."))
            continue
        level = _int(row.get("tingkat"), instrument.scale.min, instrument.scale.max)
        if level is None:
            problems.append(tr(f"{where}, kolom 'Tingkat': '{row.get('tingkat')}' bukan tingkat {instrument.scale.min}–{instrument.scale.max}.",
                               f"{where}, column 'Tingkat': '{row.get('tingkat')}' is not a level {instrument.scale.min}–{instrument.scale.max}."))
            continue
        key = (code, year, indicator)
        if key in seen:
            problems.append(tr(f"{where}: indikator {indicator} untuk {code} tahun {year} sudah ada di {seen[key]}.",
                               f"{where}: indicator {indicator} for {code} {year} already given at {seen[key]}."))
            continue
        seen[key] = where
        links = (row.get("tautan_bukti") or "").split()
        bad = [u for u in links if not u.startswith(("http://", "https://"))]
        if bad:
            problems.append(tr(f"{where}, kolom 'Tautan Bukti': '{bad[0][:60]}' bukan alamat http:// atau https://.",
                               f"{where}, column 'Tautan Bukti': '{bad[0][:60]}' is not an http:// or https:// address."))
            continue
        if not (who.can(Permission.SPBE) and who.in_scope(code)):
            problems.append(tr(f"{where}: Anda tidak boleh mengisi penilaian {code} (cakupan Anda {who.region_code}).",
                               f"{where}: you may not fill in {code}'s assessment (your scope is {who.region_code})."))
            continue
        parsed.append((code, year, indicator, level, row.get("penjelasan"), links))
    if not rows:
        problems.append(tr("berkas tidak berisi baris penilaian", "the file has no assessment rows"))
    if problems:
        shown = problems[:30] + ([tr(f"… dan {len(problems) - 30} masalah lain", f"… and {len(problems) - 30} more")] if len(problems) > 30 else [])
        raise Refused(tr(f"{Path(path).name}: tidak ada yang disimpan, {len(problems)} baris bermasalah:\n",
                         f"{Path(path).name}: nothing was saved, {len(problems)} rows have problems:\n") + "\n".join(shown))
    return _write(engine, who, parsed, instrument_id, Path(path).name)


def _write(engine, who, parsed, instrument_id, file_name) -> dict[tuple[str, int], int]:
    """Everything in one transaction: a refused assessment (not a draft) stops the whole import."""
    from madangan.appdb.models import SpbeEvidence

    counts: dict[tuple[str, int], int] = {}
    with sessions(engine).begin() as session:
        drafts = {}
        for code, year, indicator, level, justification, links in parsed:
            if (code, year) not in drafts:
                drafts[(code, year)] = store._open_draft(session, who, code, year, instrument_id)
                store._event(session, drafts[(code, year)].id, who.username, "import", note=file_name)
            assessment = drafts[(code, year)]
            answer = store._answer(session, assessment.id, indicator)
            if answer.level != level:
                store._event(session, assessment.id, who.username, "level", indicator, answer.level, level)
                answer.level = level
            if justification is not None:
                answer.justification = justification[:4000]
            known = {e.url for e in session.query(SpbeEvidence).filter_by(assessment_id=assessment.id, indicator=indicator)}
            for url in links:
                if url not in known:
                    session.add(SpbeEvidence(assessment_id=assessment.id, indicator=indicator, level=level, url=url,
                                             description="", added_by=who.username))
            counts[(code, year)] = counts.get((code, year), 0) + 1
    return counts


def import_published(engine: Engine, who: Principal, path: Path, note: str = "",
                     instrument_id: str = DEFAULT_INSTRUMENT) -> int:
    """Published totals (Kode Wilayah, Tahun, Indeks, Sumber) for regions that do not self-assess."""
    instrument = load(instrument_id)
    rows = _read(path, PUBLISHED_FILE)
    problems, parsed = [], []
    for row in rows:
        where = _where(row)
        try:
            code = store.check_region(row.get("kode_wilayah") or "")
        except UserError as exc:
            problems.append(f"{where}, kolom 'Kode Wilayah': {exc}")
            continue
        year = _int(row.get("tahun"), store.MIN_YEAR, store.MAX_YEAR)
        try:
            index = Decimal(str(row.get("indeks")).strip().replace(",", "."))
        except InvalidOperation:
            index = None
        raw_population = str(row.get("penduduk") or "").strip().replace(".", "").replace(" ", "").removesuffix(",0")
        population = _int(raw_population, 1_000, store.MAX_POPULATION) if raw_population else None
        if year is None:
            problems.append(tr(f"{where}, kolom 'Tahun': '{row.get('tahun')}' bukan tahun.", f"{where}, column 'Tahun': '{row.get('tahun')}' is not a year."))
        elif index is None or not index.is_finite() or not 0 <= index <= instrument.scale.max:
            problems.append(tr(f"{where}, kolom 'Indeks': '{row.get('indeks')}' bukan angka 0–{instrument.scale.max}.",
                               f"{where}, column 'Indeks': '{row.get('indeks')}' is not a number 0–{instrument.scale.max}."))
        elif raw_population and population is None:
            problems.append(tr(f"{where}, kolom 'Jumlah Penduduk': '{row.get('penduduk')}' bukan bilangan bulat 1.000–{store.MAX_POPULATION:_}.".replace("_", "."),
                               f"{where}, column 'Jumlah Penduduk': '{row.get('penduduk')}' is not a whole number 1,000–{store.MAX_POPULATION:,}."))
        else:
            parsed.append({"region": code, "year": year, "index": instrument.round(index), "population": population,
                           "note": row.get("sumber") or note})
    if problems or not rows:
        raise Refused(tr(f"{Path(path).name}: tidak ada yang disimpan:\n", f"{Path(path).name}: nothing was saved:\n")
                      + "\n".join(problems or [tr("berkas kosong", "empty file")]))
    return store.load_published(engine, who, parsed, instrument_id=instrument_id)


def export(engine: Engine, path: Path, region_code: str | None = None, year: int | None = None,
           instrument_id: str = DEFAULT_INSTRUMENT) -> int:
    """Assessments to XLSX or CSV (by the suffix); the same columns import back. Returns rows written."""
    instrument = load(instrument_id)
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UserError(tr(f"Ekspor ke .xlsx atau .csv, bukan {path.suffix or 'tanpa ekstensi'}.",
                           f"Export to .xlsx or .csv, not {path.suffix or 'no suffix'}."))
    years = [year] if year is not None else store.years(engine, instrument_id)
    views = [v for y in years for v in store.for_year(engine, y, instrument_id)
             if region_code is None or v.region_code == region_code]
    evidence_by: dict[int, dict[str, list[str]]] = {}
    for v in views:
        full = store.get(engine, v.region_code, v.year, instrument_id)
        evidence_by[v.id] = {k: [e.url or e.file_name for e in items] for k, items in full.evidence.items()}
    rows = []
    for v in sorted(views, key=lambda v: (v.region_code, v.year)):
        for ind in instrument.indicators:
            answer = v.answers.get(ind.id)
            if answer is None:
                continue
            rows.append([v.region_code, v.region_name, v.year, store.STATUS_LABELS[v.status]["id"],
                         instrument.domain_of(ind).name, instrument.aspect_of(ind).name, int(ind.id) if ind.id.isdigit() else ind.id,
                         ind.name, float(ind.weight), answer.level,
                         instrument.level_name(answer.level) if answer.level else "", answer.justification,
                         " ".join(evidence_by[v.id].get(ind.id, [])), answer.verified_level, answer.verifier_note])
    rows = [[neutralise(c) if isinstance(c, str) else c for c in row] for row in rows]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_HEADERS)
            writer.writerows(["" if c is None else c for c in row] for row in rows)
    else:
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("Penilaian SPBE")
        bold = book.add_format({"bold": True, "bg_color": "#e4eef0", "text_wrap": True})
        sheet.write_row(0, 0, EXPORT_HEADERS, bold)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, len(rows)), len(EXPORT_HEADERS) - 1)
        for col, width in enumerate((12, 24, 7, 12, 22, 30, 8, 55, 9, 8, 22, 40, 40, 10, 30)):
            sheet.set_column(col, col, width)
        book.close()
    return len(rows)


#: A bare levels file for scoring and planning: indicator number and level (effort optional).
SCORE_FILE = Contract(
    name="spbe_skor", sector="spbe", title={"id": "Tingkat per indikator", "en": "Level per indicator"},
    owner="Diskominfo",
    columns=(
        Column("indikator", "No. Indikator"),
        Column("tingkat", "Tingkat"),
        Column("usaha", "Usaha per Langkah", required=False),
    ),
    key=("indikator",),
    aliases={"Indikator": "indikator", "indicator": "indikator", "Nomor Indikator": "indikator",
             "level": "tingkat", "Level": "tingkat", "Tingkat Kematangan": "tingkat", "effort": "usaha", "Usaha": "usaha"},
)


def read_levels(path: Path, instrument_id: str = DEFAULT_INSTRUMENT,
                surveys_out: list | None = None) -> tuple[dict[str, int], dict[str, float]]:
    """Levels (and optional effort per step) by indicator from a small CSV/XLSX; every bad row named.

    For an instrument with a survey-scored indicator (PEMDI's user satisfaction), rows may give the
    survey's items instead (e.g. "K1;4,2" … "B5;3,1", item means on the survey scale): the
    indicator's level is then computed from them (mean benefit − mean cost → the file's bands), and
    the result is appended to `surveys_out` when given.
    """
    instrument = load(instrument_id)
    rows = _read(path, SCORE_FILE)
    known = {i.id for i in instrument.indicators}
    levels, effort, problems = {}, {}, []
    answers: dict[str, dict[str, Decimal]] = {}  # survey id → item → value
    for row in rows:
        where = _where(row)
        indicator = str(row.get("indikator") or "").strip().removesuffix(".0")
        survey = instrument.survey_for(indicator) if indicator not in known else None
        if survey is not None:
            try:
                value = Decimal(str(row.get("tingkat")).strip().replace(",", "."))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or not survey.scale.min <= value <= survey.scale.max:
                problems.append(tr(f"{where}, kolom 'Tingkat': butir survei {indicator} perlu nilai {survey.scale.min}–{survey.scale.max}, bukan '{row.get('tingkat')}'.",
                                   f"{where}, column 'Tingkat': survey item {indicator} needs a value {survey.scale.min}–{survey.scale.max}, not '{row.get('tingkat')}'."))
            elif indicator in answers.setdefault(survey.id, {}):
                problems.append(tr(f"{where}: butir survei {indicator} muncul dua kali.", f"{where}: survey item {indicator} appears twice."))
            else:
                answers[survey.id][indicator] = value
            continue
        level = _int(row.get("tingkat"), instrument.scale.min, instrument.scale.max)
        if indicator not in known:
            problems.append(tr(f"{where}: '{indicator}' bukan indikator {instrument.id}.", f"{where}: '{indicator}' is not a {instrument.id} indicator."))
        elif indicator in levels:
            problems.append(tr(f"{where}: indikator {indicator} muncul dua kali.", f"{where}: indicator {indicator} appears twice."))
        elif level is None:
            problems.append(tr(f"{where}, kolom 'Tingkat': '{row.get('tingkat')}' bukan tingkat {instrument.scale.min}–{instrument.scale.max}.",
                               f"{where}, column 'Tingkat': '{row.get('tingkat')}' is not a level {instrument.scale.min}–{instrument.scale.max}."))
        else:
            levels[indicator] = level
            if row.get("usaha"):
                try:
                    effort[indicator] = float(str(row["usaha"]).replace(",", "."))
                except ValueError:
                    problems.append(tr(f"{where}, kolom 'Usaha per Langkah': '{row['usaha']}' bukan angka.",
                                       f"{where}, column 'Usaha per Langkah': '{row['usaha']}' is not a number."))
    for survey_id, given in answers.items():
        survey = next(s for s in instrument.surveys if s.id == survey_id)
        if survey.indicator in levels:
            problems.append(tr(f"indikator {survey.indicator} diberi tingkat dan juga butir survei {survey.id}; pilih salah satu.",
                               f"indicator {survey.indicator} has a level and also survey {survey.id} items; give one of them."))
            continue
        try:
            result = instrument.survey_value(survey, given)
        except UserError as exc:
            problems.append(str(exc))
            continue
        levels[survey.indicator] = result.level
        if surveys_out is not None:
            surveys_out.append(result)
    if problems:
        raise Refused(f"{Path(path).name}:\n" + "\n".join(problems))
    return levels, effort
