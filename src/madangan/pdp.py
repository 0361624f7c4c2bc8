"""Duties of UU 27/2022 (personal data protection) that the platform carries out.

- the register of processing purposes, built from the contracts (purpose, legal basis, retention);
- impact assessments (DPIA) before high-risk processing (linkage, scoring, health data);
- retention: records past their retention are deleted, with a dry run first (warehouse sources, and the NIKs
  of citizens' welfare self-reports in the app database);
- breaches and their 3×24-hour notification clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select

from madangan import warehouse
from madangan.appdb import sessions
from madangan.appdb.models import Breach, ImpactAssessment
from madangan.contracts import Contract
from madangan.errors import UserError
from madangan.ingest.store import history_table
from madangan.plugins import contracts

HIGH_RISK = ("linkage", "scoring", "health")
NOTIFY_WITHIN = timedelta(hours=72)


def register() -> list[dict]:
    """One row per source: what it holds, why, on what basis, for how long."""
    rows = []
    for name, contract in contracts().items():
        p = contract.processing
        rows.append({
            "source": name, "title": contract.title["id"], "owner": contract.owner,
            "personal_columns": ", ".join(contract.personal_columns),
            "specific_data": bool(p and p.specific),
            "purpose": p.purpose if p else "", "legal_basis": p.legal_basis if p else "",
            "retention": (f"{p.retention_years} tahun" + (f" sejak {p.retention_column}" if p.retention_column else
                          " untuk versi lama")) if p and p.retention_years else "selama data berlaku",
        })
    return rows


# --- impact assessments --------------------------------------------------------------------


def add_assessment(engine: Engine, processing: str, sources: list[str], summary: str, approved_by: str,
                   risks: str = "", mitigations: str = "", review_months: int = 12) -> int:
    if processing not in HIGH_RISK:
        raise UserError(f"Jenis pemrosesan '{processing}' tidak dikenal; pilih {', '.join(HIGH_RISK)}.")
    unknown = [s for s in sources if s not in contracts()]
    if unknown:
        raise UserError(f"Sumber tidak dikenal: {', '.join(unknown)}.")
    if not summary.strip() or not approved_by.strip():
        raise UserError("Ringkasan dan nama pejabat pelindungan data (DPO) yang menyetujui wajib diisi.")
    with sessions(engine).begin() as session:
        record = ImpactAssessment(processing=processing, sources=",".join(sources), summary=summary, risks=risks,
                                  mitigations=mitigations, approved_by=approved_by,
                                  review_due=datetime.now(UTC) + timedelta(days=30 * review_months))
        session.add(record)
        session.flush()
        return record.id


def assessments(engine: Engine) -> list[ImpactAssessment]:
    with sessions(engine)() as session:
        return list(session.scalars(select(ImpactAssessment).order_by(ImpactAssessment.id)))


def assessed(engine: Engine, processing: str, source: str, on: datetime | None = None) -> bool:
    """Is there a current assessment covering `processing` of `source`? (Linkage and scoring ask first.)"""
    on = on or datetime.now(UTC)
    for a in assessments(engine):
        due = a.review_due if a.review_due.tzinfo else a.review_due.replace(tzinfo=UTC)
        if a.processing == processing and source in a.sources.split(",") and due > on:
            return True
    return False


# --- retention -----------------------------------------------------------------------------


@dataclass
class RetentionCount:
    source: str
    cutoff: date
    old_versions: int  # closed versions older than the cutoff
    expired_records: int  # current records whose retention date is older than the cutoff
    quarantined_rows: int  # refused rows of batches older than the cutoff


def retention(settings, today: date | None = None, apply: bool = False) -> list[RetentionCount]:
    """What retention removes (dry run), or removes it (apply) in one transaction."""
    today = today or date.today()
    con = warehouse.connect(settings.warehouse)
    raw = con.con
    try:
        tables = set(con.list_tables())
        counts = [_count(raw, c, today, tables) for c in contracts().values()
                  if c.processing and c.processing.retention_years and history_table(c) in tables]
        if apply and any(x.old_versions or x.expired_records or x.quarantined_rows for x in counts):
            raw.execute("BEGIN TRANSACTION")
            try:
                for c, x in zip([c for c in contracts().values() if c.processing and c.processing.retention_years
                                 and history_table(c) in tables], counts):
                    _delete(raw, c, x.cutoff, tables)
                raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
        return counts
    finally:
        con.disconnect()


def self_reports(settings, engine: Engine, today: date | None = None, apply: bool = False):
    """Citizens' welfare self-reports past their retention (`[verval] retensi_laporan_warga_hari`, default 365):
    handled ones deleted, waiting ones keep the request without NIK and birth date. Dry run unless apply."""
    from madangan.sectors.welfare import store

    return store.self_report_retention(engine, store.retention_days(settings.verval), today, apply)


def _cutoff(contract: Contract, today: date) -> date:
    years = contract.processing.retention_years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _expired_filter(contract: Contract) -> str | None:
    column = contract.processing.retention_column
    return f"_valid_to IS NULL AND CAST({column} AS DATE) < ?" if column else None


def _count(raw, contract: Contract, today: date, tables: set[str]) -> RetentionCount:
    cutoff = _cutoff(contract, today)
    history = history_table(contract)
    old = raw.execute(f"SELECT count(*) FROM {history} WHERE _valid_to < ?", [cutoff]).fetchone()[0]
    expired_sql = _expired_filter(contract)
    expired = raw.execute(f"SELECT count(*) FROM {history} WHERE {expired_sql}", [cutoff]).fetchone()[0] if expired_sql else 0
    quarantined = 0
    if "_quarantine_row" in tables:
        quarantined = raw.execute(
            "SELECT count(*) FROM _quarantine_row q JOIN _batch b ON b.id = q.batch "
            "WHERE q.source = ? AND b.committed_at < ?", [contract.name, cutoff]).fetchone()[0]
    return RetentionCount(contract.name, cutoff, old, expired, quarantined)


def _delete(raw, contract: Contract, cutoff: date, tables: set[str]) -> None:
    history = history_table(contract)
    raw.execute(f"DELETE FROM {history} WHERE _valid_to < ?", [cutoff])
    expired_sql = _expired_filter(contract)
    if expired_sql:
        raw.execute(f"DELETE FROM {history} WHERE {expired_sql}", [cutoff])
    if "_quarantine_row" in tables:
        old_batches = "SELECT id FROM _batch WHERE source = ? AND committed_at < ?"
        raw.execute(f"DELETE FROM _quarantine_row WHERE batch IN ({old_batches})", [contract.name, cutoff])
        raw.execute(f"DELETE FROM _quarantine_problem WHERE batch IN ({old_batches})", [contract.name, cutoff])


# --- breaches ------------------------------------------------------------------------------


def add_breach(engine: Engine, description: str, discovered_at: datetime, sources: list[str],
               subjects_estimate: int | None, recorded_by: str | None) -> int:
    if not description.strip():
        raise UserError("Uraian insiden wajib diisi.")
    if discovered_at.tzinfo is None:
        discovered_at = discovered_at.replace(tzinfo=UTC)
    if discovered_at > datetime.now(UTC) + timedelta(minutes=5):
        raise UserError("Waktu diketahuinya insiden tidak boleh di masa depan.")
    unknown = [s for s in sources if s not in contracts()]
    if unknown:
        raise UserError(f"Sumber tidak dikenal: {', '.join(unknown)}.")
    with sessions(engine).begin() as session:
        record = Breach(discovered_at=discovered_at, description=description, sources=",".join(sources),
                        subjects_estimate=subjects_estimate, recorded_by=recorded_by)
        session.add(record)
        session.flush()
        return record.id


def notify_breach(engine: Engine, breach_id: int, subjects: bool, authority: bool) -> None:
    with sessions(engine).begin() as session:
        record = session.get(Breach, breach_id)
        if record is None:
            raise UserError(f"Insiden #{breach_id} tidak ada.")
        if subjects:
            record.subjects_notified_at = record.subjects_notified_at or datetime.now(UTC)
        if authority:
            record.authority_notified_at = record.authority_notified_at or datetime.now(UTC)


def breaches(engine: Engine) -> list[Breach]:
    with sessions(engine)() as session:
        return list(session.scalars(select(Breach).order_by(Breach.id.desc())))


def clock(breach: Breach, now: datetime | None = None) -> str:
    """'sisa 31 jam', 'TERLAMBAT 5 jam' or 'selesai' — the 72-hour notification clock."""
    now = now or datetime.now(UTC)
    if breach.subjects_notified_at and breach.authority_notified_at:
        return "selesai"
    discovered = breach.discovered_at if breach.discovered_at.tzinfo else breach.discovered_at.replace(tzinfo=UTC)
    left = discovered + NOTIFY_WITHIN - now
    hours = int(abs(left.total_seconds()) // 3600)
    return f"sisa {hours} jam" if left.total_seconds() >= 0 else f"TERLAMBAT {hours} jam"
