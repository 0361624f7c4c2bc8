"""Open data, no login: the CKAN Action API, the DCAT catalog and the resource downloads.

All of it reads a publication (`madangan publish`): the newest, or the one named by `terbitan=N`.
"""

from __future__ import annotations

import csv
import io
import json

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from madangan.access.web import public
from madangan.errors import UserError
from madangan.exports import neutralise
from madangan.opendata import ckan, dcat
from madangan.opendata.publish import load
from madangan.web.deps import error_responses

router = APIRouter(dependencies=[public], tags=["data terbuka (open data)"])


class CkanReply(BaseModel):
    """CKAN's envelope: `result` when `success`, else `error` with `__type` and `message`."""

    help: str
    success: bool
    result: Any = None
    error: dict[str, Any] | None = None


MAX_NUMBER = 2**31 - 1
CKAN_RESPONSES = {code: {"model": CkanReply, "description": meaning} for code, meaning in
                  ((200, "Berhasil (success)"), (400, "Aksi atau kueri tidak sah"), (404, "Tidak ditemukan"),
                   (409, "Parameter tidak sah (Validation Error)"))}


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def catalog(request: Request, number: str | None = None) -> ckan.Catalog | None:
    """The CKAN view of a publication; None when nothing has been published yet."""
    if number not in (None, ""):
        try:
            number_int = int(number)
            if not 1 <= number_int <= MAX_NUMBER:
                raise ValueError(number)
        except ValueError:
            raise ckan.invalid("terbitan", f"harus nomor terbitan (must be a publication number): {number!r}") from None
    else:
        number_int = None
    try:
        published = load(request.app.state.settings, request.app.state.engine, number_int)
    except UserError as exc:
        raise ckan.ActionError("Not Found Error", str(exc), 404) from None
    return None if published is None else ckan.Catalog(published, base_url(request))


def _envelope(request: Request, action: str, payload: dict) -> JSONResponse:
    help_url = f"{base_url(request)}/api/3/action/help_show?name={action}"
    try:
        if action not in ckan.ACTIONS:
            raise ckan.ActionError("Bad Request", f"Aksi tidak dikenal (action name not known): {action}", 400)
        found = catalog(request, payload.pop("terbitan", None))
        if found is None and action != "status_show":
            raise ckan.ActionError("Not Found Error", "Belum ada terbitan data terbuka; jalankan 'madangan publish' "
                                                      "(nothing has been published yet).", 404)
        result = ckan.ACTIONS[action](found, payload)
        return JSONResponse({"help": help_url, "success": True, "result": ckan.Catalog.public(result)})
    except ckan.ActionError as exc:
        return JSONResponse({"help": help_url, "success": False, "error": exc.body()}, status_code=exc.status)


@router.get("/api/3/action/{action}", summary="CKAN Action API (read actions)", responses=CKAN_RESPONSES)
@router.get("/api/action/{action}", include_in_schema=False)
def action_get(request: Request, action: str = Path(json_schema_extra={"enum": sorted(ckan.ACTIONS)})) -> JSONResponse:
    return _envelope(request, action, dict(request.query_params))


@router.post("/api/3/action/{action}", summary="CKAN Action API (read actions, JSON body)", responses=CKAN_RESPONSES)
@router.post("/api/action/{action}", include_in_schema=False)
async def action_post(request: Request, action: str = Path(json_schema_extra={"enum": sorted(ckan.ACTIONS)})) -> JSONResponse:
    payload: dict = dict(request.query_params)
    body = await request.body()
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            form = await request.form()
            parsed = dict(form)
        if not isinstance(parsed, dict):
            parsed = {}
        payload.update(parsed)
    return _envelope(request, action, payload)


def _published_or_404(request: Request, number: int | None) -> ckan.Catalog:
    try:
        found = catalog(request, None if number is None else str(number))
    except ckan.ActionError as exc:
        raise HTTPException(exc.status, exc.message) from None
    if found is None:
        raise HTTPException(404, "Belum ada terbitan data terbuka (nothing has been published yet).")
    return found


@router.get("/catalog.jsonld", summary="Katalog DCAT-AP (JSON-LD)", response_class=Response,
            responses={200: {"content": {"application/ld+json": {}}, "description": "DCAT-AP"}, **error_responses(404)})
def catalog_jsonld(request: Request, terbitan: int | None = Query(None, ge=1, le=MAX_NUMBER)) -> Response:
    found = _published_or_404(request, terbitan)
    return Response(dcat.graph(found).serialize(format="json-ld", auto_compact=True), media_type="application/ld+json")


@router.get("/catalog.ttl", summary="Katalog DCAT-AP (Turtle)", response_class=Response,
            responses={200: {"content": {"text/turtle": {}}, "description": "DCAT-AP"}, **error_responses(404)})
def catalog_ttl(request: Request, terbitan: int | None = Query(None, ge=1, le=MAX_NUMBER)) -> Response:
    found = _published_or_404(request, terbitan)
    return Response(dcat.graph(found).serialize(format="turtle"), media_type="text/turtle")


@router.get("/publik/data/{resource_file}", summary="Unduh sumber daya (CSV, XLSX, JSON)", response_class=Response,
            responses={200: {"content": {media: {} for media in ckan.FORMATS.values()}, "description": "Berkas"},
                       **error_responses(404)})
def download(request: Request, resource_file: str) -> Response:
    """`<resource id>.csv`, `.xlsx` or `.json` — any publication's resource, by its CKAN id."""
    rid, _, fmt = resource_file.rpartition(".")
    if fmt not in ckan.FORMATS:
        raise HTTPException(404, f"Format '{fmt}' tidak tersedia; pilih csv, xlsx atau json (unknown format).")
    settings, engine = request.app.state.settings, request.app.state.engine
    from madangan.opendata.publish import publications

    for publication in publications(engine):  # ids name their publication; newest first
        found = ckan.Catalog(load(settings, engine, publication.id), base_url(request))
        if rid in found.resources:
            package, resource = found.resources[rid]
            frame = found.frame(resource)
            name = f"{package['name']}_{resource['name']}_{found.p.label}"
            return Response(render(frame, fmt), media_type=ckan.FORMATS[fmt],
                            headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                                     "Cache-Control": "public, max-age=3600"})
    raise HTTPException(404, f"Sumber daya '{rid}' tidak ada (unknown resource).")


def render(frame, fmt: str) -> bytes:
    """A resource as a file; text cells that look like formulas are neutralised for spreadsheets."""
    if fmt == "json":
        return json.dumps(frame.to_dicts(), ensure_ascii=False, default=str).encode("utf-8")
    rows = [[neutralise(v) for v in row] for row in frame.iter_rows()]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(frame.columns)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "in_memory": True}) as book:
        sheet = book.add_worksheet("data")
        sheet.write_row(0, 0, frame.columns, book.add_format({"bold": True}))
        for n, row in enumerate(rows, start=1):
            sheet.write_row(n, 0, row)
    return buffer.getvalue()
