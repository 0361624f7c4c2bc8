"""Indicators over the REST API, shaped like DHIS2's analytics: what each indicator is, and its facts.

    GET /api/v1/indicators                       every indicator with its metadata
    GET /api/v1/indicators/{indicator_id}?region=32.11&level=desa&period=2026-01:2026-10[&format=csv]

Aggregates only (numerator, denominator, value per region and month): no person ever appears.
A caller sees only the regions inside its own scope.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from madangan.access import Permission, Principal
from madangan.access.web import principal, require
from madangan.exports import neutralise
from madangan.indicators import engine
from madangan.web.deps import error_responses
from madangan.web.readmodel import snapshot

router = APIRouter(prefix="/api/v1/indicators", tags=["indikator"], responses=error_responses(400, 401, 403, 404))
MAX_ROWS = 50_000  # DHIS2's analytics cap per response
ANSWER_CACHE_SIZE = 256  # answers kept per process (keyed by the warehouse state, so never stale)
_answers: OrderedDict[tuple, tuple[bytes, str, dict]] = OrderedDict()
_answers_lock = threading.Lock()
# the same shapes engine.check_query accepts, so the OpenAPI description tells clients exactly what is valid
REGION_PATTERN = r"^[0-9]{2}\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?$"
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])(:[0-9]{4}-(0[1-9]|1[0-2]))?$"
CSV_COLUMNS = ("indicator", "kode_wilayah", "nama_wilayah", "level", "bulan", "kategori", "numerator", "denominator",
               "value", "status")


class SurveyInfo(BaseModel):
    """A national survey's estimate shown beside the computed (census) figure, never mixed into it."""

    wilayah: str  # Kemendagri code the estimate is for, e.g. 32.11
    survei: str  # short name, e.g. SSGI, SKI
    tahun: int
    nilai: float  # in the indicator's unit
    n: int | None  # sample size; null when the source does not give it
    sumber: str


class IndicatorInfo(BaseModel):
    id: str
    sector: str
    title: dict[str, str]
    unit: str
    higher_is_better: bool
    target: float | None
    thresholds: list[float] | None
    sources: list[str]
    period_from: str
    disaggregations: dict[str, dict[str, str]]  # breakdown column → label; query one with `by`
    metadata: dict[str, str]
    survei: list[SurveyInfo]  # national survey estimates (e.g. SSGI, SKI), newest first


class FactRow(BaseModel):
    kode_wilayah: str
    nama_wilayah: str | None
    level: str
    bulan: str  # YYYY-MM
    kategori: str | None  # the category of the breakdown asked with `by`; null for the total
    numerator: float
    denominator: float
    value: float | None
    status: str | None  # hijau, kuning, merah against the thresholds; null without thresholds or value


class FactPage(BaseModel):
    indicator: IndicatorInfo
    region: str
    level: str
    period: str | None
    by: str | None
    total: int
    limit: int
    offset: int
    computed_at: datetime | None
    rows: list[FactRow]


def _info(i) -> IndicatorInfo:
    return IndicatorInfo(id=i.id, sector=i.sector, title=i.title, unit=i.unit, higher_is_better=i.higher_is_better,
                         target=i.target, thresholds=list(i.thresholds) if i.thresholds else None,
                         sources=list(i.sources), period_from=i.period_from, disaggregations=i.disaggregations,
                         metadata=i.metadata,
                         survei=[SurveyInfo(wilayah=s.region, survei=s.survey, tahun=s.year, nilai=s.value, n=s.n,
                                            sumber=s.source) for s in sorted(i.surveys, key=lambda s: -s.year)])


@router.get("", dependencies=[require(Permission.AGGREGATES)])
def list_indicators() -> list[IndicatorInfo]:
    """Every registered indicator with its Satu Data metadata (definisi, rumus, sumber, frekuensi), unit,
    direction, target and thresholds, and the national surveys' estimates of it (survei: wilayah, survei, tahun,
    nilai, n, sumber; newest first), shown beside the computed figure and never mixed into it."""
    return [_info(i) for i in engine.indicators().values()]


@router.get("/{indicator_id}", dependencies=[require(Permission.AGGREGATES)],
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                             "description": "Facts as JSON (paged) or, with format=csv, all rows (up to 50,000) as CSV"}})
def indicator_facts(
    request: Request,
    indicator_id: str,
    region: str | None = Query(None, pattern=REGION_PATTERN,
                               description="Kode wilayah, mis. 32.11 atau 32.11.01 (bawaan: wilayah akun)"),
    level: Literal["kabupaten", "kecamatan", "desa"] | None = Query(
        None, description="kabupaten, kecamatan atau desa (bawaan: tingkat wilayah itu)"),
    period: str | None = Query(None, pattern=PERIOD_PATTERN,
                               description="YYYY-MM atau YYYY-MM:YYYY-MM, mis. 2026-01:2026-10"),
    by: str | None = Query(None, description="Rincian (salah satu disaggregations indikator), mis. kanal"),
    format: Literal["json", "csv"] = Query("json", description="json atau csv (csv: semua baris s.d. 50.000, tanpa halaman)"),
    limit: int = Query(1000, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=10**9),
    who: Principal = Depends(principal),
) -> FactPage:
    """Numerator, denominator, value and status per region of `level` under `region`, per month of `period`.

    Malformed parameters get 422 naming the parameter; an unknown indicator or region 404; a region
    outside the caller's scope 403; a level above the region or a period ending before it starts 400."""
    # answered from the read model (facts in memory, reloaded when the warehouse file changes), like the pages
    snap = snapshot(request.app.state.settings.warehouse)
    try:
        q = engine.validate_query(indicator_id, region, level, period, scope=who.region_code, by=by,
                                  regency=lambda: request.app.state.deployment.region_code,
                                  known=lambda code: code in snap.regions)
    except engine.QueryError as exc:
        raise HTTPException(exc.status, f"{exc.field}: {exc}") from None
    # open dashboards ask the same questions again and again: one answer per warehouse state and question
    key = (str(request.app.state.settings.warehouse), snap.stamp, q.indicator.id, q.region, q.level, q.start, q.end,
           q.by, period, format, limit, offset)
    with _answers_lock:
        hit = _answers.get(key)
        if hit is not None:
            _answers.move_to_end(key)
    if hit is not None:
        return Response(hit[0], media_type=hit[1], headers=hit[2])
    if format == "csv":
        rows, _ = engine.query_frames(snap.facts, q, limit=MAX_ROWS)
        response = _csv(q, rows)
    else:
        rows, total = engine.query_frames(snap.facts, q, limit=limit, offset=offset)
        page = FactPage(
            indicator=_info(q.indicator), region=q.region, level=q.level, period=period, by=q.by or None,
            total=total, limit=limit, offset=offset, computed_at=rows["computed_at"].max() if len(rows) else None,
            rows=[FactRow(kode_wilayah=r["kode_wilayah"], nama_wilayah=r["nama_wilayah"], level=r["level"],
                          bulan=r["bulan"].strftime("%Y-%m"), kategori=r["kategori"] or None, numerator=r["numerator"],
                          denominator=r["denominator"],
                          value=r["value"], status=r["status"]) for r in rows.iter_rows(named=True)],
        )
        response = Response(page.model_dump_json(), media_type="application/json")
    kept = {k: v for k, v in response.headers.items() if k.lower() == "content-disposition"}
    with _answers_lock:
        _answers[key] = (bytes(response.body), response.media_type, kept)
        while len(_answers) > ANSWER_CACHE_SIZE:
            _answers.popitem(last=False)
    return response


def _csv(q: engine.Query, rows) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows.iter_rows(named=True):
        r = {**r, "indicator": q.indicator.id, "bulan": r["bulan"].strftime("%Y-%m")}
        writer.writerow([neutralise(r[c]) for c in CSV_COLUMNS])
    name = f"{q.indicator.id}-{q.region}-{q.level}{'-' + q.by if q.by else ''}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
