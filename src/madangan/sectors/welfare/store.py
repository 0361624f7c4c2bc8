"""Field-verification outcomes per family (with history) and citizens' self-reports, in the app database.

Each outcome is a new row: the latest per family is its current state, the rows before it are
its history. A self-report waits in the verification queue until an outcome is recorded for
that family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl
from sqlalchemy import Date, DateTime, Engine, String, case, delete, func, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from madangan.appdb.models import Base
from madangan.errors import UserError
from madangan.i18n import t
from madangan.sectors.welfare.messages import OUTCOME_LABELS

OUTCOMES = tuple(OUTCOME_LABELS)
#: Outcomes that take a family out of the eligible set and make its aid an inclusion error.
NEGATIVE = ("tidak_layak", "pindah", "meninggal", "tidak_ditemukan")
#: Outcomes about the whole family: they apply to every program, whichever program the visit was about.
#: The others (layak, tidak_layak) recorded with a program apply to that program only.
FAMILY_LEVEL = ("pindah", "meninggal", "tidak_ditemukan")
WAITING, DONE = "menunggu", "selesai"
#: How long a self-report keeps the NIK and birth date it was sent with (UU 27/2022: no longer than the purpose
#: needs); `[verval] retensi_laporan_warga_hari` in madangan.toml changes it.
SELF_REPORT_RETENTION_DAYS = 365
RETENTION_SETTING = "retensi_laporan_warga_hari"


class FamilyOutcome(Base):
    """One field-verification outcome of a family (no. KK); append-only history."""

    __tablename__ = "welfare_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16), index=True)
    kode_desa: Mapped[str] = mapped_column(String(13), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    program: Mapped[str | None] = mapped_column(String(20))  # the program the visit was about, if any
    reason: Mapped[str | None] = mapped_column(String(1000))
    actor: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SelfReport(Base):
    """A citizen's report that their family is missing from the lists (MAUNEH-style)."""

    __tablename__ = "welfare_self_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    no_kk: Mapped[str] = mapped_column(String(16), index=True)
    nik: Mapped[str | None] = mapped_column(String(16))  # removed when the report passes its retention
    tanggal_lahir: Mapped[date | None] = mapped_column(Date)
    kode_desa: Mapped[str] = mapped_column(String(13), index=True)
    alasan: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default=WAITING, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def now() -> datetime:
    return datetime.now(UTC)


def record_outcome(engine: Engine, no_kk: str, kode_desa: str, outcome: str, actor: str | None,
                   reason: str | None = None, program: str | None = None) -> None:
    if outcome not in OUTCOMES:
        raise UserError(t("welfare.unknown_outcome", outcome=outcome, allowed=", ".join(OUTCOMES)))
    with engine.begin() as conn:
        conn.execute(insert(FamilyOutcome).values(no_kk=no_kk, kode_desa=kode_desa, outcome=outcome, program=program,
                                                  reason=(reason or "").strip() or None, actor=actor, at=now()))
        conn.execute(update(SelfReport).where(SelfReport.no_kk == no_kk, SelfReport.status == WAITING)
                     .values(status=DONE))


def history(engine: Engine, no_kk: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(*FamilyOutcome.__table__.c).where(FamilyOutcome.no_kk == no_kk)
                            .order_by(FamilyOutcome.id)).all()
    return [dict(r._mapping) for r in rows]


def _applies_to():
    """The program an outcome row applies to: '' (every program) for a family-level outcome or none named."""
    return case((FamilyOutcome.outcome.in_(FAMILY_LEVEL), ""), else_=func.coalesce(FamilyOutcome.program, ""))


def current(engine: Engine, scope_code: str | None = None) -> pl.DataFrame:
    """The latest outcome per family and program it applies to (no_kk, kode_desa, outcome, program, id);
    `program` is null for an outcome about the whole family. `targeting.effective_outcomes` turns this into
    the one outcome that counts per family × program."""
    latest = select(func.max(FamilyOutcome.id)).group_by(FamilyOutcome.no_kk, _applies_to())
    query = select(FamilyOutcome.no_kk, FamilyOutcome.kode_desa, FamilyOutcome.outcome,
                   case((FamilyOutcome.outcome.in_(FAMILY_LEVEL), None), else_=FamilyOutcome.program).label("program"),
                   FamilyOutcome.id).where(FamilyOutcome.id.in_(latest))
    if scope_code:
        query = query.where((FamilyOutcome.kode_desa == scope_code) | FamilyOutcome.kode_desa.startswith(scope_code + "."))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(FamilyOutcome.id)).all()
    return pl.DataFrame(rows, schema={"no_kk": pl.String, "kode_desa": pl.String, "outcome": pl.String,
                                      "program": pl.String, "id": pl.Int64}, orient="row")


def add_self_report(engine: Engine, no_kk: str, nik: str, tanggal_lahir: date, kode_desa: str, alasan: str) -> int:
    with engine.begin() as conn:
        return conn.execute(insert(SelfReport).values(no_kk=no_kk, nik=nik, tanggal_lahir=tanggal_lahir,
                                                      kode_desa=kode_desa, alasan=alasan.strip(), status=WAITING,
                                                      created_at=now())).inserted_primary_key[0]


def queue(engine: Engine, scope_code: str | None) -> list[dict]:
    """Self-reports still waiting for a field visit, oldest first."""
    query = select(SelfReport.id, SelfReport.no_kk, SelfReport.nik, SelfReport.kode_desa, SelfReport.alasan,
                   SelfReport.created_at).where(SelfReport.status == WAITING)
    if scope_code:
        query = query.where((SelfReport.kode_desa == scope_code) | SelfReport.kode_desa.startswith(scope_code + "."))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(SelfReport.id)).all()]


def reported_desa(engine: Engine, no_kk: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(SelfReport.kode_desa).where(SelfReport.no_kk == no_kk)
                            .order_by(SelfReport.id.desc()).limit(1)).scalar()


@dataclass
class SelfReportRetention:
    cutoff: date
    deleted: int  # handled reports (an outcome was recorded): removed whole
    anonymised: int  # still waiting for a visit: the request stays (KK, desa, reason), NIK and birth date go


def retention_days(params: dict | None) -> int:
    value = (params or {}).get(RETENTION_SETTING, SELF_REPORT_RETENTION_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise UserError(t("welfare.bad_retention", field=f"[verval] {RETENTION_SETTING}", value=value))
    return value


def self_report_retention(engine: Engine, days: int, today: date | None = None,
                          apply: bool = False) -> SelfReportRetention:
    """Self-reports received before `today - days`: counted (dry run) or, with apply, in one transaction the
    handled ones deleted and the waiting ones stripped of NIK and birth date."""
    cutoff = (today or date.today()) - timedelta(days=days)
    since = datetime.combine(cutoff, time.min, tzinfo=UTC)
    old = SelfReport.created_at < since
    done = old & (SelfReport.status != WAITING)
    waiting = old & (SelfReport.status == WAITING) & (SelfReport.nik.is_not(None) | SelfReport.tanggal_lahir.is_not(None))
    with engine.begin() as conn:
        deleted = conn.execute(select(func.count()).select_from(SelfReport).where(done)).scalar_one()
        anonymised = conn.execute(select(func.count()).select_from(SelfReport).where(waiting)).scalar_one()
        if apply:
            conn.execute(delete(SelfReport).where(done))
            conn.execute(update(SelfReport).where(waiting).values(nik=None, tanggal_lahir=None, anonymised_at=now()))
    return SelfReportRetention(cutoff, deleted, anonymised)
