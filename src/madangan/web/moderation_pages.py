"""Staff moderation of citizens' feedback from the public portal: list the queue, approve or reject with a reason.

Each decision is written with its audit entry in one transaction (`madangan.opendata.feedback.moderate`); the
form carries the session's CSRF token (checked by `require`). Citizens' text is shown escaped, as typed.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from madangan.access import Permission, Principal
from madangan.access.web import principal, require
from madangan.errors import UserError
from madangan.i18n import add_messages, t
from madangan.opendata import feedback
from madangan.web.deps import actor_of, client_of, lang_of, render

router = APIRouter(include_in_schema=False)

add_messages({
    "moderation.title": {"id": "Moderasi tanggapan warga", "en": "Moderating citizens' feedback"},
    "moderation.lead": {"id": "Tanggapan dari portal publik tampil setelah disetujui. Penolakan wajib diberi alasan; "
                                "setiap keputusan tercatat di log audit.",
                        "en": "Feedback from the public portal appears once approved. A rejection needs a reason; "
                              "every decision is recorded in the audit log."},
    "moderation.none": {"id": "Tidak ada tanggapan dengan status ini.", "en": "No feedback with this status."},
    "moderation.received": {"id": "Diterima", "en": "Received"},
    "moderation.about": {"id": "Tentang", "en": "About"},
    "moderation.text": {"id": "Isi", "en": "Text"},
    "moderation.reason": {"id": "Alasan (wajib bila ditolak)", "en": "Reason (required to reject)"},
    "moderation.approve": {"id": "Setujui", "en": "Approve"},
    "moderation.reject": {"id": "Tolak", "en": "Reject"},
    "moderation.done": {"id": "Tanggapan #{id}: {status}.", "en": "Feedback #{id}: {status}."},
    "moderation.by": {"id": "oleh {who}", "en": "by {who}"},
    "moderation.status.menunggu": {"id": "Menunggu", "en": "Waiting"},
    "moderation.status.disetujui": {"id": "Disetujui", "en": "Approved"},
    "moderation.status.ditolak": {"id": "Ditolak", "en": "Rejected"},
})


def _page(request: Request, status: str, message: str | None = None, error: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    if status not in feedback.STATUSES:
        status = "menunggu"
    rows = feedback.listing(request.app.state.engine, status, limit=200)
    return render(request, "moderation.html", status_code=status_code, rows=rows, status=status,
                  statuses=feedback.STATUSES, message=message, error=error)


@router.get("/moderasi", response_class=HTMLResponse, dependencies=[require(Permission.ADMIN)])
def moderation_queue(request: Request, status: str = "menunggu", pesan: str | None = None):
    return _page(request, status, message=pesan[:200] if pesan else None)


@router.post("/moderasi/{feedback_id}", response_class=HTMLResponse, dependencies=[require(Permission.ADMIN)])
def moderation_decide(request: Request, feedback_id: int, keputusan: str = Form(""), alasan: str = Form(""),
                      who: Principal = Depends(principal)):
    lang = lang_of(request)
    try:
        row = feedback.moderate(request.app.state.engine, feedback_id, keputusan, actor_of(who) or "?", alasan,
                                client=client_of(request), lang=lang)
    except UserError as exc:
        return _page(request, "menunggu", error=str(exc), status_code=400)
    done = t("moderation.done", lang, id=row.id, status=t(f"moderation.status.{row.status}", lang))
    return RedirectResponse(f"/moderasi?pesan={quote(done)}", status_code=303)
