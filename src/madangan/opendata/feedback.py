"""Citizens' feedback on a budget line or a public service: checked, queued, moderated, then shown.

Nothing personal is asked. Bad input is refused whole with a message saying why (nothing is stored);
flooding is refused by the web layer's rate limiter. Text is stored as typed and escaped on display.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from madangan.appdb import sessions
from madangan.errors import UserError
from madangan.i18n import add_messages, t
from madangan.opendata.models import PublicFeedback

MAX_LENGTH = 1000
MIN_LENGTH = 10
KINDS = ("anggaran", "layanan")
STATUSES = ("menunggu", "disetujui", "ditolak")

add_messages({
    "feedback.too_long": {
        "id": "Tanggapan terlalu panjang: {length} karakter, paling banyak {max}. Persingkat lalu kirim lagi.",
        "en": "Feedback is too long: {length} characters, at most {max}. Shorten it and send again.",
    },
    "feedback.too_short": {
        "id": "Tanggapan terlalu pendek: tulis sedikitnya {min} karakter.",
        "en": "Feedback is too short: write at least {min} characters.",
    },
    "feedback.unknown_target": {
        "id": "Pilih mata anggaran atau layanan dari daftar; '{target}' tidak ada dalam terbitan ini.",
        "en": "Choose a budget line or service from the list; '{target}' is not in this publication.",
    },
    "feedback.looks_personal": {
        "id": "Tanggapan memuat nomor 16 digit (NIK/KK?). Jangan menulis data pribadi di tanggapan publik.",
        "en": "Feedback contains a 16-digit number (NIK/KK?). Do not write personal data in public feedback.",
    },
    "feedback.received": {
        "id": "Terima kasih. Tanggapan Anda diterima dan akan tampil setelah diperiksa moderator.",
        "en": "Thank you. Your feedback was received and will appear once a moderator has checked it.",
    },
    "feedback.flood": {
        "id": "Terlalu banyak tanggapan dari alamat Anda dalam waktu singkat. Coba lagi beberapa menit lagi.",
        "en": "Too many submissions from your address in a short time. Try again in a few minutes.",
    },
    "feedback.unknown": {
        "id": "Tanggapan #{id} tidak ada.", "en": "Feedback #{id} does not exist.",
    },
    "feedback.reason_needed": {
        "id": "Tulis alasan penolakan: warga berhak tahu mengapa tanggapannya tidak ditampilkan.",
        "en": "Give the reason for rejecting: citizens are entitled to know why their feedback is not shown.",
    },
    "feedback.reason_too_long": {
        "id": "Alasan terlalu panjang: {length} karakter, paling banyak 500.",
        "en": "The reason is too long: {length} characters, at most 500.",
    },
    "feedback.bad_status": {
        "id": "Status '{status}' tidak dikenal: pilih disetujui atau ditolak.",
        "en": "Unknown status '{status}': choose disetujui (approved) or ditolak (rejected).",
    },
})


def check(kind: str, target: str, message: str, allowed_targets: set[str], lang: str | None = None) -> str:
    """The cleaned message, or UserError saying what is wrong."""
    import re

    message = (message or "").strip()
    if kind not in KINDS or target not in allowed_targets:
        raise UserError(t("feedback.unknown_target", lang, target=target[:80]))
    if len(message) > MAX_LENGTH:
        raise UserError(t("feedback.too_long", lang, length=len(message), max=MAX_LENGTH))
    if len(message) < MIN_LENGTH:
        raise UserError(t("feedback.too_short", lang, min=MIN_LENGTH))
    if re.search(r"(?<!\d)\d{16}(?!\d)", re.sub(r"[\s.-]", "", message)):
        raise UserError(t("feedback.looks_personal", lang))
    return message


def submit(engine, kind: str, target: str, message: str, allowed_targets: set[str], publication_id: int | None,
           lang: str | None = None) -> PublicFeedback:
    message = check(kind, target, message, allowed_targets, lang)
    with sessions(engine).begin() as session:
        row = PublicFeedback(target_kind=kind, target=target, message=message, status="menunggu",
                             publication_id=publication_id)
        session.add(row)
    return row


def listing(engine, status: str | None = None, kind: str | None = None, limit: int = 200) -> list[PublicFeedback]:
    query = sa.select(PublicFeedback).order_by(PublicFeedback.id.desc()).limit(limit)
    if status:
        query = query.where(PublicFeedback.status == status)
    if kind:
        query = query.where(PublicFeedback.target_kind == kind)
    with sessions(engine)() as session:
        return list(session.scalars(query))


def moderate(engine, feedback_id: int, status: str, actor: str, note: str = "", client: str | None = None,
             lang: str | None = None) -> PublicFeedback:
    """Approve or reject one comment; a rejection needs a reason. The change and its audit entry are written
    in one transaction (both or neither)."""
    from madangan.appdb.models import AuditEntry

    note = (note or "").strip()
    if status not in STATUSES[1:]:
        raise UserError(t("feedback.bad_status", lang, status=status[:40]))
    if status == "ditolak" and not note:
        raise UserError(t("feedback.reason_needed", lang))
    if len(note) > 500:
        raise UserError(t("feedback.reason_too_long", lang, length=len(note)))
    with sessions(engine).begin() as session:
        row = session.get(PublicFeedback, feedback_id)
        if row is None:
            raise UserError(t("feedback.unknown", lang, id=feedback_id))
        previous = row.status
        row.status, row.moderated_by, row.moderation_note = status, actor, note
        row.moderated_at = datetime.now(timezone.utc)
        session.add(AuditEntry(actor=actor, action="feedback.moderasi", target=f"tanggapan:{feedback_id}",
                               client=client, reason=note or None, detail=f"{previous} → {status}"))
    return row
