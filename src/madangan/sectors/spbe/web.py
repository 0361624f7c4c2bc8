"""Living Lab pages (/living-lab) and JSON API (/api/v1/spbe/...).

Every route declares its access rule. Reading (index, ranking, peers, catalog) needs the
`livinglab` permission; filling in the region's own assessment needs `spbe`; verifying needs
`spbe_verify`. The store checks region scope and workflow state again, so a page is never the
only guard.

One deployment hosts the lab for many regions: an officer of another region signs in with the
`livinglab` role, scoped to their own region code. They see the lab (ranking, published results,
the catalog) and fill in their own assessment; another region's draft answers 403 until it is
verified (`store.may_see`), and the host's command-center pages need `aggregates`, which they lack.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path as PathParam, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from madangan.access import Permission, Principal
from madangan.access.web import principal, public, require
from madangan.errors import UserError
from madangan.i18n import add_messages, t
from madangan.regions import regions
from madangan.sectors.spbe import benchmark, catalog, files, planner, store
from madangan.sectors.spbe.instrument import DEFAULT_INSTRUMENT, load, shipped
from madangan.web.deps import ErrorDetail, lang_of, render

add_messages({f"spbe.{key}": {"id": id_text, "en": en_text} for key, (id_text, en_text) in {
    "title": ("Living Lab Layanan Digital", "Digital Services Living Lab"),
    "lead": ("Bandingkan indeks SPBE per indikator, tiru yang berhasil (studi tiru: Amati, Tiru, Modifikasi), naikkan indeks.",
             "Compare the SPBE index indicator by indicator, copy what works (observe, copy, modify), raise the index."),
    "index": ("Indeks SPBE", "SPBE index"),
    "predicate": ("Predikat", "Predicate"),
    "rank": ("Peringkat", "Rank"),
    "status": ("Status", "Status"),
    "year": ("Tahun", "Year"),
    "group": ("Kelompok pembanding", "Peer group"),
    "show": ("Tampilkan", "Show"),
    "aspects": ("Indeks per aspek", "Index per aspect"),
    "ranking": ("Peringkat dalam kelompok", "Ranking in the peer group"),
    "gaps": ("Celah per indikator dan siapa yang bisa ditiru", "Gaps per indicator and who to learn from"),
    "indicator": ("Indikator", "Indicator"),
    "us": ("Kita", "Us"),
    "best": ("Terbaik", "Best"),
    "gain": ("+Indeks", "+Index"),
    "learn_from": ("Belajar dari", "Learn from"),
    "apps": ("Aplikasi di katalog", "Apps in the catalog"),
    "plan": ("Rencana termurah ke predikat berikutnya", "Cheapest plan to the next predicate"),
    "plan_none": ("Sudah di predikat tertinggi.", "Already at the top predicate."),
    "steps": ("langkah", "steps"),
    "index_after": ("Indeks sesudahnya", "Index after"),
    "no_assessment": ("Belum ada penilaian untuk tahun ini. Isi penilaian mandiri atau muat hasil terbitan (madangan spbe import).",
                      "No assessment for this year yet. Fill in the self-assessment or load published results (madangan spbe import)."),
    "fill": ("Isi penilaian mandiri", "Fill in the self-assessment"),
    "compare": ("Bandingkan", "Compare"),
    "catalog": ("Katalog aplikasi", "Application catalog"),
    "export": ("Unduh penilaian (XLSX)", "Download the assessment (XLSX)"),
    "report": ("Laporan celah", "Gap report"),
    "self_assessment": ("Penilaian mandiri SPBE", "SPBE self-assessment"),
    "level": ("Tingkat", "Level"),
    "justification": ("Penjelasan", "Justification"),
    "evidence": ("Bukti", "Evidence"),
    "evidence_url": ("Tautan bukti (https://…)", "Evidence link (https://…)"),
    "save": ("Simpan", "Save"),
    "saved": ("Tersimpan.", "Saved."),
    "live": ("Indeks saat ini (dihitung langsung)", "Current index (computed live)"),
    "missing": ("indikator belum diisi, dihitung 0", "indicators not filled in, counted as 0"),
    "submit": ("Ajukan untuk verifikasi", "Submit for verification"),
    "verify": ("Verifikasi", "Verify"),
    "return": ("Kembalikan ke draf", "Return to draft"),
    "publish": ("Terbitkan", "Publish"),
    "verified_level": ("Tingkat verifikator", "Verifier's level"),
    "verifier_note": ("Catatan verifikator", "Verifier's note"),
    "save_verification": ("Simpan hasil verifikasi", "Save the verification"),
    "read_only": ("Hanya baca: penilaian ini bukan draf atau Anda tidak berhak mengisinya.",
                  "Read only: this assessment is not a draft or you may not fill it in."),
    "upload": ("Unggah berkas bukti", "Upload an evidence file"),
    "history": ("Riwayat", "History"),
    "with": ("Dibandingkan dengan", "Compared with"),
    "per_indicator": ("Tingkat per indikator", "Level per indicator"),
    "domains": ("Indeks per domain", "Index per domain"),
    "search": ("Cari", "Search"),
    "all": ("semua", "all"),
    "owner": ("Pemilik", "Owner"),
    "license": ("Lisensi", "License"),
    "source_code": ("Kode sumber", "Source code"),
    "contact": ("Kontak", "Contact"),
    "add_app": ("Daftarkan aplikasi wilayah Anda", "List your region's application"),
    "app_name": ("Nama aplikasi", "Application name"),
    "technology": ("Teknologi", "Technology"),
    "description": ("Keterangan", "Description"),
    "sources": ("Sumber", "Sources"),
    "population": ("Jumlah penduduk", "Population"),
    "population_note": ("untuk kelompok pembanding sekelas penduduk", "for the population-band peer group"),
    "peer_band": ("Kelas penduduk", "Population band"),
    "synthetic_note": ("Wilayah bertanda 'sintetis' berasal dari generator data pembanding, bukan hasil nyata.",
                       "Regions marked 'synthetic' come from the benchmark generator, not real results."),
}.items()})

router = APIRouter()
SPBE = load()
IndicatorId = Literal[tuple(i.id for i in SPBE.indicators)]
LevelValue = Annotated[int, Field(ge=SPBE.scale.min, le=SPBE.scale.max)]
RegionCode = Annotated[str, PathParam(pattern=r"^\d{2}(\.\d{2})?$", description="Kode provinsi atau kabupaten/kota, mis. 32.11")]
Year = Annotated[int, PathParam(ge=store.MIN_YEAR, le=store.MAX_YEAR)]
YearQuery = Annotated[int | None, Query(ge=store.MIN_YEAR, le=store.MAX_YEAR)]
FormYear = Annotated[int, Form(ge=store.MIN_YEAR, le=store.MAX_YEAR)]
FormText = Annotated[str, Form(max_length=4000)]
PeerGroup = Literal[tuple(benchmark.PEER_GROUPS)]
pages = dict(include_in_schema=False, response_class=HTMLResponse)
CONFLICT = {409: {"model": ErrorDetail, "description": "Status penilaian tidak mengizinkan perubahan ini"}}
API_ERRORS = {code: {"model": ErrorDetail, "description": text} for code, text in
              {400: "Permintaan tidak sah", 401: "Perlu login atau token API", 403: "Tidak berhak", 404: "Tidak ditemukan",
               409: "Data belum lengkap untuk permintaan ini (mis. jumlah penduduk belum diisi)"}.items()}


def _refused(exc: UserError) -> HTTPException:
    return HTTPException(getattr(exc, "code", 400), str(exc))


def _home(request: Request, who: Principal) -> str:
    """The region a page shows by default: a guest's own region, else the deployment's."""
    return who.region_code if who.guest else request.app.state.deployment.region_code


def _visible_view(request: Request, who: Principal, region_code: str, year: int):
    """The region's assessment if `who` may see its details, else None (403 where details are asked for)."""
    view = store.get(request.app.state.engine, region_code, year)
    return view if view is not None and store.may_see(who, view) else None


def _year(request: Request, year: int | None) -> int:
    if year is not None:
        return year
    found = store.years(request.app.state.engine)
    return found[0] if found else date.today().year


def _json(data) -> str:
    """JSON for a <script type="application/json"> block (no "</" can close it)."""
    return json.dumps(data).replace("</", "<\\/")


def _form_year(form) -> int:
    raw = str(form.get("tahun", "")).strip()
    return int(raw) if raw.isdigit() and len(raw) == 4 else 0


def _fmt(value, lang: str) -> str:
    if value is None:
        return "—"
    text = f"{float(value):.2f}"
    return text.replace(".", ",") if lang == "id" else text


def _context(request: Request, who: Principal, region_code: str, year: int, group: str) -> dict:
    """Everything the Living Lab overview shows for one region and year."""
    instrument = load()
    engine = request.app.state.engine
    found = benchmark.entries(instrument, store.visible(who, store.for_year(engine, year)))
    group_error = None
    try:
        peer_entries = benchmark.peers(region_code, found, group)
    except UserError as exc:
        group_error, group, peer_entries = str(exc), "all", benchmark.peers(region_code, found, "all")
    ranked = benchmark.ranking(peer_entries)
    own = next((r for r in ranked if r.entry.region_code == region_code), None)
    view = _visible_view(request, who, region_code, year)
    score = view.score(instrument) if view else None
    with_levels = [e for e in peer_entries if e.levels]
    best = max(with_levels, key=lambda e: e.index) if with_levels else None
    gaps = []
    plan = None
    if own and own.entry.levels:
        gaps = sorted((g for g in benchmark.gaps(instrument, own.entry, peer_entries) if g.gap),
                      key=lambda g: (-g.index_points, int(g.indicator)))
        plan = planner.plan_to_next_predicate(instrument, own.entry.levels)
    mean_profile = {}
    if with_levels:
        profiles = [benchmark.aspect_profile(instrument, e.levels) for e in with_levels]
        mean_profile = {a.id: round(sum(p[a.id] for p in profiles) / len(profiles), 2) for a in instrument.aspects}
    top = ranked[:15] + ([own] if own and own not in ranked[:15] else [])
    chart = {
        "aspects": [{"id": a.id, "name": a.name} for a in instrument.aspects],
        "series": [s for s in (
            {"name": store.region_name(region_code), "values": [round(float(score.aspects[a.id]), 2) for a in instrument.aspects]} if score else None,
            {"name": f"{best.region_name} ({'terbaik' if lang_of(request) == 'id' else 'best'})",
             "values": [benchmark.aspect_profile(instrument, best.levels)[a.id] for a in instrument.aspects]} if best and best.region_code != region_code else None,
            {"name": "rata-rata kelompok" if lang_of(request) == "id" else "peer mean",
             "values": [mean_profile[a.id] for a in instrument.aspects]} if mean_profile else None,
        ) if s],
        "ranking": [{"name": r.entry.region_name, "index": float(r.entry.index), "own": r.entry.region_code == region_code}
                    for r in reversed(top)],
    }
    apps_by_indicator = {}
    for app in catalog.applications(engine):
        for indicator in app.indicators:
            apps_by_indicator.setdefault(indicator, []).append(app)
    return {
        "instrument": instrument, "region_code": region_code, "region_name": store.region_name(region_code),
        "year": year, "years": store.years(engine) or [year], "group": group, "groups": benchmark.PEER_GROUPS,
        "view": view, "score": score, "own": own, "peers_count": len(peer_entries), "gaps": gaps, "plan": plan,
        "chart_json": _json(chart), "apps_by_indicator": apps_by_indicator, "f2": lambda v: _fmt(v, lang_of(request)),
        "status_labels": store.STATUS_LABELS, "origin_labels": store.ORIGIN_LABELS,
        "chart_has_synthetic": any(e.origin == "synthetic" for e in peer_entries), "group_error": group_error,
        "peer_band": (f"{t('spbe.peer_band', lang_of(request))}: {benchmark.band_label(own.entry.population, lang_of(request))}"
                      if group == "population" and own and own.entry.population else None),
        "can_fill": who.can(Permission.SPBE) and who.in_scope(region_code),
    }


# --- pages --------------------------------------------------------------------------------------


@router.get("/living-lab", dependencies=[require(Permission.LIVINGLAB)], **pages)
def lab_page(request: Request, tahun: YearQuery = None, kelompok: str = "province", wilayah: str | None = None,
             who: Principal = Depends(principal)):
    region_code = wilayah or _home(request, who)
    if region_code not in regions().names:
        raise HTTPException(404, f"Wilayah {region_code[:20]} tidak ada di daftar Kemendagri.")
    if kelompok not in benchmark.PEER_GROUPS:
        kelompok = "province"
    return render(request, "spbe_lab.html", **_context(request, who, region_code, _year(request, tahun), kelompok))


@router.get("/living-lab/penilaian", dependencies=[require(Permission.LIVINGLAB)], **pages)
def form_page(request: Request, tahun: YearQuery = None, wilayah: str | None = None, tersimpan: int = 0,
              who: Principal = Depends(principal)):
    region_code = wilayah or _home(request, who)
    return _form(request, who, region_code, _year(request, tahun), saved=bool(tersimpan))


def _form(request: Request, who: Principal, region_code: str, year: int, saved: bool = False, error: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    instrument = load()
    engine = request.app.state.engine
    view = store.get(engine, region_code, year)
    if view is not None and not store.may_see(who, view):
        try:
            store.check_may_see(who, view)
        except UserError as exc:
            raise _refused(exc) from None
    if view is None and not who.in_scope(region_code) and not who.can(Permission.SPBE_VERIFY):
        raise HTTPException(404, f"Belum ada penilaian untuk {region_code[:20]} tahun {year}.")
    status = view.status if view else "draft"
    editable = status == "draft" and who.can(Permission.SPBE) and who.in_scope(region_code) and (view is None or view.origin == "self")
    verifying = status == "submitted" and who.can(Permission.SPBE_VERIFY)
    score = view.score(instrument) if view else None
    return render(request, "spbe_form.html", status_code=status_code, instrument=instrument, region_code=region_code,
                  region_name=store.region_name(region_code), year=year, view=view, status=status, editable=editable,
                  verifying=verifying, score=score, saved=saved, error=error, status_labels=store.STATUS_LABELS,
                  history=store.history(engine, region_code, year), f2=lambda v: _fmt(v, lang_of(request)),
                  can_publish=status == "verified" and who.can(Permission.SPBE_VERIFY),
                  can_submit=editable and view is not None)


@router.post("/living-lab/penilaian", dependencies=[require(Permission.SPBE)], **pages)
async def form_save(request: Request, who: Principal = Depends(principal)):
    form = await request.form()
    region_code, year = str(form.get("wilayah", "")), _form_year(form)
    instrument = load()
    engine = request.app.state.engine
    view = store.get(engine, region_code, year)
    try:
        raw_population = str(form.get("penduduk", "")).strip().replace(".", "").replace(" ", "")
        if raw_population and not raw_population.isdigit():
            raise UserError(f"Jumlah penduduk: '{raw_population[:12]}' bukan bilangan bulat.")
        population = int(raw_population) if raw_population else None
        if population != (view.population if view else None):
            store.set_population(engine, who, region_code, year, population)
        for ind in instrument.indicators:
            raw_level = str(form.get(f"level_{ind.id}", "")).strip()
            justification = str(form.get(f"alasan_{ind.id}", ""))
            current = view.answers.get(ind.id) if view else None
            if raw_level and (current is None or str(current.level) != raw_level or current.justification != justification):
                if not raw_level.isdigit():
                    raise UserError(f"Indikator {ind.id}: tingkat '{raw_level[:10]}' bukan angka.")
                store.set_level(engine, who, region_code, year, ind.id, int(raw_level), justification)
            url = str(form.get(f"bukti_{ind.id}", "")).strip()
            if url:
                store.add_evidence(engine, who, region_code, year, ind.id, url=url)
    except UserError as exc:
        return _form(request, who, region_code, year, error=str(exc), status_code=getattr(exc, "code", 400))
    return RedirectResponse(f"/living-lab/penilaian?wilayah={region_code}&tahun={year}&tersimpan=1", status_code=303)


@router.post("/living-lab/penilaian/status", dependencies=[require(Permission.SPBE)], **pages)
def form_move(request: Request, wilayah: FormText, tahun: FormYear, aksi: FormText, catatan: FormText = "",
              who: Principal = Depends(principal)):
    try:
        store.move(request.app.state.engine, who, wilayah, tahun, aksi, note=catatan)
    except UserError as exc:
        return _form(request, who, wilayah, tahun, error=str(exc), status_code=getattr(exc, "code", 400))
    return RedirectResponse(f"/living-lab/penilaian?wilayah={wilayah}&tahun={tahun}&tersimpan=1", status_code=303)


@router.post("/living-lab/penilaian/verifikasi", dependencies=[require(Permission.SPBE_VERIFY)], **pages)
async def form_verify(request: Request, who: Principal = Depends(principal)):
    form = await request.form()
    region_code, year = str(form.get("wilayah", "")), _form_year(form)
    try:
        for ind in load().indicators:
            raw = str(form.get(f"verif_{ind.id}", "")).strip()
            if raw.isdigit():
                store.verify_level(request.app.state.engine, who, region_code, year, ind.id, int(raw),
                                   note=str(form.get(f"catatan_{ind.id}", "")))
    except UserError as exc:
        return _form(request, who, region_code, year, error=str(exc), status_code=getattr(exc, "code", 400))
    return RedirectResponse(f"/living-lab/penilaian?wilayah={region_code}&tahun={year}&tersimpan=1", status_code=303)


@router.post("/living-lab/bukti", dependencies=[require(Permission.SPBE)], **pages)
async def upload_evidence(request: Request, wilayah: FormText, tahun: FormYear, indikator: FormText,
                          berkas: Annotated[UploadFile, File()], who: Principal = Depends(principal)):
    content = await berkas.read(10 * 1024 * 1024 + 1)
    try:
        if len(content) > 10 * 1024 * 1024:
            raise UserError("Berkas bukti maksimal 10 MB.")
        store.add_evidence(request.app.state.engine, who, wilayah, tahun, indikator, file_name=berkas.filename or "bukti",
                           content=content, data_dir=Path(request.app.state.settings.data_dir))
    except UserError as exc:
        return _form(request, who, wilayah, tahun, error=str(exc), status_code=getattr(exc, "code", 400))
    return RedirectResponse(f"/living-lab/penilaian?wilayah={wilayah}&tahun={tahun}&tersimpan=1", status_code=303)


@router.get("/living-lab/bukti/{evidence_id}", dependencies=[require(Permission.LIVINGLAB)], include_in_schema=False)
def download_evidence(request: Request, evidence_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
                      who: Principal = Depends(principal)):
    from madangan.appdb import sessions
    from madangan.appdb.models import SpbeAssessment, SpbeEvidence

    with sessions(request.app.state.engine)() as session:
        evidence = session.get(SpbeEvidence, evidence_id)
        assessment = session.get(SpbeAssessment, evidence.assessment_id) if evidence is not None else None
    if evidence is None or not evidence.stored_as or assessment is None:
        raise HTTPException(404, "Bukti tidak ditemukan.")
    view = store.get(request.app.state.engine, assessment.region_code, assessment.year, assessment.instrument)
    try:
        store.check_may_see(who, view)
    except UserError as exc:
        raise _refused(exc) from None
    path = Path(request.app.state.settings.data_dir) / evidence.stored_as
    if not path.is_file():
        raise HTTPException(404, "Berkas bukti tidak ditemukan.")
    return FileResponse(path, filename=evidence.file_name or path.name)


@router.get("/living-lab/banding", dependencies=[require(Permission.LIVINGLAB)], **pages)
def compare_page(request: Request, dengan: str | None = None, tahun: YearQuery = None, wilayah: str | None = None,
                 who: Principal = Depends(principal)):
    instrument = load()
    year = _year(request, tahun)
    region_code = wilayah or _home(request, who)
    found = {e.region_code: e for e in benchmark.entries(instrument, store.visible(who, store.for_year(request.app.state.engine, year)))}
    ranked = benchmark.ranking(list(found.values()))
    if dengan is None and ranked:
        dengan = next((r.entry.region_code for r in ranked if r.entry.levels and r.entry.region_code != region_code), None)
    chosen = [found[c] for c in (region_code, dengan) if c in found]
    chart = {
        "aspects": [{"id": a.id, "name": a.name} for a in instrument.aspects],
        "series": [{"name": e.region_name, "values": [benchmark.aspect_profile(instrument, e.levels)[a.id] for a in instrument.aspects]}
                   for e in chosen if e.levels],
        "indicators": [i.id for i in instrument.indicators],
        "levels": [{"name": e.region_name, "values": [e.levels.get(i.id) for i in instrument.indicators]} for e in chosen if e.levels],
    }
    return render(request, "spbe_compare.html", instrument=instrument, year=year, region_code=region_code, chosen=chosen,
                  dengan=dengan, options=[r.entry for r in ranked], chart_json=_json(chart), origin_labels=store.ORIGIN_LABELS,
                  f2=lambda v: _fmt(v, lang_of(request)))


@router.get("/living-lab/katalog", dependencies=[require(Permission.LIVINGLAB)], **pages)
def catalog_page(request: Request, indikator: str | None = None, cari: str | None = None,
                 who: Principal = Depends(principal)):
    return _catalog(request, who, indikator, cari)


def _catalog(request: Request, who: Principal, indikator: str | None = None, cari: str | None = None,
             error: str | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "spbe_catalog.html", status_code=status_code, instrument=load(),
                  apps=catalog.search(indikator or None, cari or None, request.app.state.engine),
                  indikator=indikator or "", cari=cari or "", region_name=store.region_name,
                  can_add=who.can(Permission.SPBE), error=error)


@router.post("/living-lab/katalog", dependencies=[require(Permission.SPBE)], **pages)
async def catalog_add(request: Request, who: Principal = Depends(principal)):
    form = await request.form()
    row = {key: str(form.get(key, ""))[:2000] for key in ("nama", "indikator", "opd", "teknologi", "lisensi", "kode_sumber",
                                                          "kontak", "keterangan")}
    row["kode_wilayah"] = who.region_code
    try:
        catalog.add(request.app.state.engine, who, [row])
    except UserError as exc:
        return _catalog(request, who, error=str(exc), status_code=getattr(exc, "code", 400))
    return RedirectResponse("/living-lab/katalog", status_code=303)


@router.get("/living-lab/ekspor", dependencies=[require(Permission.LIVINGLAB)], include_in_schema=False)
def export_xlsx(request: Request, tahun: YearQuery = None, wilayah: str | None = None,
                who: Principal = Depends(principal)):
    import tempfile

    region_code = wilayah or _home(request, who)
    year = _year(request, tahun)
    _check_details(request, who, region_code, year)
    out = Path(tempfile.mkdtemp(prefix="spbe-")) / f"penilaian-spbe-{region_code}-{year}.xlsx"
    files.export(request.app.state.engine, out, region_code=region_code, year=year)
    return FileResponse(out, filename=out.name,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/living-lab/laporan", dependencies=[require(Permission.LIVINGLAB)], include_in_schema=False)
def report_download(request: Request, tahun: YearQuery = None, wilayah: str | None = None,
                    kelompok: PeerGroup = "province", format: Literal["pdf", "xlsx"] = "pdf",
                    who: Principal = Depends(principal)):
    """The assessment and gap report as PDF or XLSX."""
    import tempfile

    from madangan.sectors.spbe import report

    region_code = wilayah or _home(request, who)
    year = _year(request, tahun)
    _check_details(request, who, region_code, year)
    try:
        built = report.build(request.app.state.engine, region_code, year, kelompok, who=who)
    except UserError as exc:
        raise _refused(exc) from None
    out = Path(tempfile.mkdtemp(prefix="spbe-")) / f"laporan-spbe-{region_code}-{year}.{format}"
    report.write(built, out)
    return FileResponse(out, filename=out.name)


def _check_details(request: Request, who: Principal, region_code: str, year: int) -> None:
    """Exports and reports show a region's levels: refused (403) for another region's unverified draft."""
    view = store.get(request.app.state.engine, region_code, year)
    if view is not None:
        try:
            store.check_may_see(who, view)
        except UserError as exc:
            raise _refused(exc) from None


# --- JSON API -----------------------------------------------------------------------------------


class LevelIn(BaseModel):
    level: LevelValue
    justification: str | None = Field(None, max_length=4000)


class LevelsIn(BaseModel):
    levels: dict[IndicatorId, LevelValue]


class PlanIn(BaseModel):
    levels: dict[IndicatorId, LevelValue]
    target: float | None = Field(None, ge=0, le=5, description="Indeks tujuan; bawaan: predikat berikutnya")
    effort: dict[IndicatorId, Annotated[float, Field(gt=0, le=1e6)]] = Field(
        default_factory=dict, description="Usaha per langkah per indikator (bawaan 1)")


@router.get("/api/v1/spbe/instrument", tags=["spbe"], dependencies=[public])
def api_instrument(id: Literal[tuple(shipped())] = DEFAULT_INSTRUMENT) -> dict:
    """An instrument as data (default SPBE, PermenPANRB 59/2020; also pemdi-2025, losi-2022): domains,
    aspects, indicators, weights, levels, predicates, surveys, sources and which texts are unverified."""
    return load(id).model_dump(mode="json")


@router.get("/api/v1/spbe/catalog", tags=["spbe"], dependencies=[public])
def api_catalog(request: Request, indicator: Annotated[str | None, Query(max_length=20)] = None,
                q: Annotated[str | None, Query(max_length=100)] = None) -> list[dict]:
    """Replicable applications (shipped and listed by regions), optionally those serving one indicator or matching a text."""
    return [a.model_dump() for a in catalog.search(indicator, q, request.app.state.engine)]


@router.get("/api/v1/spbe/assessments/{code}/{year}", tags=["spbe"], dependencies=[require(Permission.LIVINGLAB)],
            responses=API_ERRORS)
def api_assessment(request: Request, code: Annotated[str, PathParam(max_length=13)], year: Year,
                   who: Principal = Depends(principal)) -> dict:
    """A region's assessment for a year: status, levels (claimed and verified), evidence links, index.

    Another region's assessment answers 403 until it is verified (its own team and verifiers see it always)."""
    view = store.get(request.app.state.engine, code, year)
    if view is None:
        raise HTTPException(404, f"Belum ada penilaian untuk {code} tahun {year}.")
    try:
        store.check_may_see(who, view)
    except UserError as exc:
        raise _refused(exc) from None
    score = view.score()
    return {
        "region": view.region_code, "name": view.region_name, "year": view.year, "status": view.status,
        "origin": view.origin, "published_index": float(view.published_index) if view.published_index is not None else None,
        "score": score.as_dict() if score else None,
        "answers": [{"indicator": k, "level": a.level, "verified_level": a.verified_level, "justification": a.justification,
                     "evidence": [e.url or f"/living-lab/bukti/{e.id}" for e in view.evidence.get(k, [])]}
                    for k, a in sorted(view.answers.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)],
    }


@router.put("/api/v1/spbe/assessments/{code}/{year}/indicators/{indicator}", tags=["spbe"],
            dependencies=[require(Permission.SPBE)], responses={**API_ERRORS, **CONFLICT})
def api_set_level(request: Request, code: RegionCode, year: Year, indicator: IndicatorId, body: LevelIn,
                  who: Principal = Depends(principal)) -> dict:
    """Claim a level for one indicator of the region's draft (only within the caller's region)."""
    if code not in regions().names:
        raise HTTPException(404, f"Wilayah {code} tidak ada di daftar Kemendagri.")
    try:
        store.set_level(request.app.state.engine, who, code, year, indicator, body.level, body.justification)
    except UserError as exc:
        raise _refused(exc) from None
    score = store.get(request.app.state.engine, code, year).score()
    return score.as_dict()


@router.post("/api/v1/spbe/score", tags=["spbe"], dependencies=[require(Permission.LIVINGLAB)], responses=API_ERRORS)
def api_score(body: LevelsIn) -> dict:
    """Index, domain and aspect indices and predicate for levels by indicator (missing ones count as 0)."""
    try:
        return load().score(body.levels, partial=True).as_dict()
    except UserError as exc:
        raise _refused(exc) from None


@router.post("/api/v1/spbe/plan", tags=["spbe"], dependencies=[require(Permission.LIVINGLAB)], responses=API_ERRORS)
def api_plan(body: PlanIn) -> dict:
    """The least-effort set of level steps to the target index (exact optimisation), with the index after each step."""
    instrument = load()
    try:
        if body.target is None:
            plan = planner.plan_to_next_predicate(instrument, body.levels, body.effort)
            if plan is None:
                return {"target": None, "cost": 0, "steps": [], "start": instrument.score(body.levels, partial=True).as_dict()}
        else:
            plan = planner.cheapest_plan(instrument, body.levels, body.target, body.effort)
    except UserError as exc:
        raise _refused(exc) from None
    return plan.as_dict()


@router.get("/api/v1/spbe/benchmark/{year}", tags=["spbe"], dependencies=[require(Permission.LIVINGLAB)],
            responses=API_ERRORS)
def api_benchmark(request: Request, year: Year,
                  region: Annotated[str | None, Query(pattern=r"^\d{2}\.\d{2}$", description="Kode kabupaten/kota")] = None,
                  group: PeerGroup = "all", who: Principal = Depends(principal)) -> dict:
    """Ranking of a peer group, and for `region` its gaps per indicator and who to learn from.

    Groups: all, province (same province), kind (regencies with regencies, cities with cities),
    province_kind (both), population (same population band)."""
    instrument = load()
    region = region or _home(request, who)
    if region not in regions().names:
        raise HTTPException(404, f"Kode wilayah {region} tidak dikenal.")
    try:
        found = benchmark.entries(instrument, store.visible(who, store.for_year(request.app.state.engine, year)))
        peer_entries = benchmark.peers(region, found, group)
    except UserError as exc:
        raise _refused(exc) from None
    ranked = benchmark.ranking(peer_entries)
    own = next((r.entry for r in ranked if r.entry.region_code == region), None)
    return {
        "year": year, "group": group, "summary": benchmark.summary(peer_entries),
        "ranking": [{"rank": r.rank, "region": r.entry.region_code, "name": r.entry.region_name,
                     "index": float(r.entry.index), "predicate": r.entry.predicate, "origin": r.entry.origin}
                    for r in ranked],
        "gaps": [{"indicator": g.indicator, "level": g.level, "best": g.best, "gap": g.gap,
                  "index_points": float(g.index_points), "learn_from": [e.region_code for e in g.learn_from]}
                 for g in (benchmark.gaps(instrument, own, peer_entries) if own and own.levels else [])],
    }

