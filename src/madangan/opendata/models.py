"""App-database tables of the public portal: publications and the citizens' feedback queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from madangan.appdb.models import Base


class Publication(Base):
    """One publication of the open-data catalog (`madangan publish`): its files never change afterwards.

    The files live under the data directory (`terbitan/<number>/`); `manifest_sha256` is the digest of the
    manifest, which itself lists the digest of every resource file, so any later edit is detected on read."""

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "2026-T3"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str | None] = mapped_column(String(100))
    datasets: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64))


class PublicFeedback(Base):
    """A citizen's comment on a budget line or a public service, waiting for moderation.

    No name, NIK, address or contact is asked or kept; the text is stored as typed and escaped on display."""

    __tablename__ = "public_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    target_kind: Mapped[str] = mapped_column(String(20))  # "anggaran" or "layanan"
    target: Mapped[str] = mapped_column(String(400))  # "OPD / program" or "OPD / layanan"
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="menunggu", index=True)  # menunggu, disetujui, ditolak
    publication_id: Mapped[int | None] = mapped_column(Integer)
    moderated_by: Mapped[str | None] = mapped_column(String(100))
    moderated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    moderation_note: Mapped[str] = mapped_column(String(500), default="")
