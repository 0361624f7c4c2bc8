"""Applications push data: a file (multipart) or records (JSON array / NDJSON), with an API token."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from madangan import deploy
from madangan.access import Permission, Principal, store
from madangan.access.web import principal, require
from madangan.errors import UserError
from madangan.ingest.pipeline import IngestResult, contract_for, ingest_file, ingest_records
from madangan.web.deps import error_responses

router = APIRouter(prefix="/api/v1/sources", tags=["ingest"], responses=error_responses(400, 401, 403, 404, 422))
MAX_RECORDS = 100_000


def _allowed_source(source: str, who: Principal) -> None:
    """A token may push only its sources; an analyst only its sectors' sources."""
    try:
        contract = contract_for(source)
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    if who.token_id is not None and source not in who.sources:
        raise HTTPException(403, f"Token ini tidak berhak mengirim sumber '{source}'.")
    if who.token_id is None and who.sectors and contract.sector not in who.sectors:
        raise HTTPException(403, f"Akun ini tidak berhak mengirim sumber sektor '{contract.sector}'.")


def _answer(request: Request, who: Principal, result: IngestResult) -> JSONResponse:
    store.audit(request.app.state.engine, "ingest", who.username, target=f"source:{result.source}",
                region_code=who.region_code, client=request.client.host if request.client else None,
                detail=f"batch={result.batch} accepted={result.counts.accepted} quarantined={result.counts.quarantined}")
    if result.batch is not None:
        deploy.rebuild_summary(request.app.state.settings, sources=[result.source])
    return JSONResponse(result.as_dict(), status_code=201 if result.batch is not None else 200)


@router.post("/{source}/batches", summary="Kirim satu berkas (CSV, XLSX, JSON, NDJSON)",
             dependencies=[require(Permission.INGEST)])
async def push_file(request: Request, source: str, file: UploadFile = File(...),
                    who: Principal = Depends(principal)) -> JSONResponse:
    """Same validation as `madangan ingest`: each row is accepted or quarantined with its reason."""
    _allowed_source(source, who)
    suffix = Path(file.filename or "upload.csv").suffix.lower() or ".csv"
    folder = Path(request.app.state.settings.data_dir) / "unggahan"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / (Path(file.filename or f"upload{suffix}").name)
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        try:
            result = await run_in_threadpool(
                ingest_file, request.app.state.settings, who.region_code, source, path,
                submitted_by=who.username, channel="api")
        except UserError as exc:
            raise HTTPException(422, str(exc)) from None
    return _answer(request, who, result)


@router.post("/{source}/records", summary="Kirim rekaman (larik JSON atau NDJSON)",
             dependencies=[require(Permission.INGEST)])
async def push_records(request: Request, source: str, who: Principal = Depends(principal)) -> JSONResponse:
    """A JSON array of objects, or NDJSON (one object per line, Content-Type application/x-ndjson)."""
    _allowed_source(source, who)
    body = await request.body()
    try:
        if "ndjson" in request.headers.get("content-type", ""):
            records = [json.loads(line) for line in body.splitlines() if line.strip()]
        else:
            records = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"Isi permintaan bukan JSON/NDJSON yang sah: {exc}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise HTTPException(400, "Kirim larik objek JSON: [{...}, {...}].")
    if not records or len(records) > MAX_RECORDS:
        raise HTTPException(400, f"Kirim 1 sampai {MAX_RECORDS} rekaman per permintaan.")
    try:
        result = await run_in_threadpool(
            ingest_records, request.app.state.settings, who.region_code, source, records, submitted_by=who.username)
    except UserError as exc:
        raise HTTPException(422, str(exc)) from None
    return _answer(request, who, result)
