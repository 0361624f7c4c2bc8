"""What routes share: the deployment's state, page rendering, and the read models they show."""

from __future__ import annotations

from contextlib import contextmanager

from fastapi import HTTPException, Request
from pydantic import BaseModel
from fastapi.responses import HTMLResponse

from madangan import structure, warehouse
from madangan.i18n import LANGUAGES, t
from madangan.plugins import contracts


class ErrorDetail(BaseModel):
    detail: str


def error_responses(*codes: int) -> dict:
    """OpenAPI entries for the error answers a route can give (checked by the schemathesis test)."""
    meaning = {400: "Permintaan tidak sah", 401: "Perlu login atau token API", 403: "Tidak berhak",
               404: "Tidak ditemukan", 409: "Tidak sesuai dengan keadaan saat ini", 422: "Isi tidak bisa diproses"}
    return {code: {"model": ErrorDetail, "description": meaning[code]} for code in codes}


def format_number(n: int, lang: str) -> str:
    """12345 → '12.345' in Indonesian, '12,345' in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "id" else text


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or request.app.state.settings.lang
    return lang if lang in LANGUAGES else "id"


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = lang_of(request)
    principal = getattr(request.state, "principal", None)
    response = request.app.state.templates.TemplateResponse(
        request, name,
        {"lang": lang, "tr": lambda key, **kw: t(key, lang, **kw), "fmt": lambda n: format_number(n, lang),
         "deployment": request.app.state.deployment, "principal": principal,
         "csrf_token": getattr(request.state, "csrf", None), **context},
        status_code=status_code,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def source_rows(request: Request) -> list[dict]:
    """Every registered source with its current rows and last committed batch."""
    from madangan.ingest import store

    con = warehouse.connect(request.app.state.settings.warehouse)
    try:
        fresh = store.freshness(con.con) if "_batch" in con.list_tables() else {}
        rows = []
        for name, contract in contracts().items():
            last = fresh.get(name)
            rows.append({
                "name": name, "title": contract.title, "owner": contract.owner,
                "file": last["file_name"] if last else None,
                "rows": store.current_rows(con.con, contract) if last else None,
                "loaded_at": last["committed_at"].strftime("%Y-%m-%d %H:%M") if last else None,
                "batch": last["batch"] if last else None,
            })
        return rows
    finally:
        con.disconnect()


def region_structure(request: Request, code: str) -> structure.Structure:
    """The structure of a region of this deployment, or 404."""
    deployment = request.app.state.deployment
    if not (code == deployment.region_code or code.startswith(deployment.region_code + ".")):
        raise HTTPException(404, f"Wilayah {code} tidak ada di deployment ini")
    con = warehouse.connect(request.app.state.settings.warehouse)
    try:
        found = structure.structure(con, code)
    finally:
        con.disconnect()
    if found is None:
        raise HTTPException(404, f"Wilayah {code} tidak ada di deployment ini")
    return found


@contextmanager
def http_errors():
    """User errors as HTTP answers: not found 404, outside the caller's scope 403, state conflict 409, else 400."""
    from madangan.errors import Conflict, NotFound, OutOfScope, UserError

    try:
        yield
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except OutOfScope as exc:
        raise HTTPException(403, str(exc)) from None
    except Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    except UserError as exc:
        raise HTTPException(400, str(exc)) from None


def client_of(request: Request) -> str | None:
    """The caller's address, for the audit log."""
    return request.client.host if request.client else None


def actor_of(who) -> str | None:
    """A principal as the audit log names it: the username, or token:<id>."""
    return who.username or (f"token:{who.token_id}" if who.token_id else None)
