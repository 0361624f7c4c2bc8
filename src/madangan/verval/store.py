"""Findings in the app database: sync after a run, worklists, field-verification outcomes, history."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl
from sqlalchemy import Engine, bindparam, false, func, insert, select, update

from madangan.appdb.models import Finding, FindingEvent, VervalRun
from madangan.errors import Conflict, NotFound, UserError
from madangan.i18n import t

OPEN = "open"
IN_VERIFICATION = "in_verification"
CONFIRMED = "confirmed"
CORRECTED = "corrected"
DISMISSED = "dismissed"
RESOLVED = "resolved"  # set by a verify run: the cause is gone from the data

#: Statuses that still need work (count against quality, appear in worklists by default).
ACTIVE = (OPEN, IN_VERIFICATION, CONFIRMED)
STATUSES = (OPEN, IN_VERIFICATION, CONFIRMED, CORRECTED, DISMISSED, RESOLVED)
#: What an officer may record, from each status. RESOLVED is only ever set by a run.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPEN: (IN_VERIFICATION, CONFIRMED, CORRECTED, DISMISSED),
    IN_VERIFICATION: (CONFIRMED, CORRECTED, DISMISSED, OPEN),
    CONFIRMED: (CORRECTED, DISMISSED),
    CORRECTED: (OPEN,),
    DISMISSED: (OPEN,),
    RESOLVED: (),
}
NEEDS_REASON = (DISMISSED, CORRECTED)
STATUS_LABELS = {
    OPEN: {"id": "terbuka", "en": "open"},
    IN_VERIFICATION: {"id": "verifikasi lapangan", "en": "in field verification"},
    CONFIRMED: {"id": "terkonfirmasi", "en": "confirmed"},
    CORRECTED: {"id": "sudah diperbaiki", "en": "corrected"},
    DISMISSED: {"id": "ditolak", "en": "dismissed"},
    RESOLVED: {"id": "selesai (data sudah benar)", "en": "resolved (data now correct)"},
}
CHUNK = 5_000


def now() -> datetime:
    return datetime.now(timezone.utc)


def _chunks(rows: list[dict]):
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def _existing(conn, checked: set[tuple[str, str]], scope: dict[tuple[str, str], list[str]]) -> pl.DataFrame:
    rows = []
    for rule, source in sorted(checked):
        query = select(Finding.id, Finding.status, Finding.evidence, Finding.posyandu)
        if (rule, source) in scope:  # only the records the run looked at
            ids = scope[(rule, source)]
            for i in range(0, len(ids), CHUNK):
                rows += conn.execute(query.where(Finding.id.in_(ids[i : i + CHUNK]))).all()
        else:
            rows += conn.execute(query.where(Finding.rule == rule, Finding.source == source)).all()
    return pl.DataFrame(rows, schema={"id": pl.String, "status": pl.String, "old_evidence": pl.String,
                                      "old_posyandu": pl.String}, orient="row")


def sync(engine: Engine, found: pl.DataFrame, checked: dict[tuple[str, str], str], actor: str | None,
         started: datetime, scope: dict[tuple[str, str], list[str]] | None = None) -> tuple[int, list[dict]]:
    """Store a run's findings: insert new ones, keep the status of those still there, resolve those gone.

    `checked` names the (rule, source) pairs that ran, with their severity; findings of checks that did
    not run (a source missing) are left as they are. `scope` names, for pairs that looked only at some
    records (a row-local check after a batch), the finding ids those records can have: only they may be
    resolved or stamped. Returns the run id and per source × rule counts.
    """
    scope = scope or {}
    with engine.begin() as conn:
        run_id = conn.execute(insert(VervalRun).values(started_at=started, started_by=actor)).inserted_primary_key[0]
        who = f"verify:{run_id}"
        existing = _existing(conn, set(checked), scope)
        joined = found.join(existing, on="id", how="left")
        new = joined.filter(pl.col("status").is_null())
        kept = joined.filter(pl.col("status").is_not_null())
        reopened = kept.filter(pl.col("status") == RESOLVED)
        changed = kept.filter((pl.col("evidence") != pl.col("old_evidence"))
                              | pl.col("posyandu").ne_missing(pl.col("old_posyandu")))
        gone = existing.filter(pl.col("status") != RESOLVED).join(found.select("id"), on="id", how="anti")
        stamp = now()

        fields = ["id", "rule", "severity", "source", "record_key", "kode_desa", "posyandu", "agency", "evidence"]
        for part in _chunks(new.select(fields).to_dicts()):
            conn.execute(insert(Finding), [dict(r, status=OPEN, first_run=run_id, last_run=run_id, updated_at=stamp)
                                           for r in part])
        for part in _chunks(changed.select("id", "evidence", "posyandu").to_dicts()):
            conn.execute(update(Finding).where(Finding.id == bindparam("b_id"))
                         .values(evidence=bindparam("b_ev"), posyandu=bindparam("b_pos")),
                         [{"b_id": r["id"], "b_ev": r["evidence"], "b_pos": r["posyandu"]} for r in part])
        _set_status(conn, reopened["id"].to_list(), RESOLVED, OPEN, who, stamp)
        for status in gone["status"].unique().to_list():
            _set_status(conn, gone.filter(pl.col("status") == status)["id"].to_list(), status, RESOLVED, who, stamp)
        for rule, source in checked:  # still there, set-based: whatever this run did not resolve
            if (rule, source) in scope:
                ids = scope[(rule, source)]
                for i in range(0, len(ids), CHUNK):
                    conn.execute(update(Finding).where(Finding.id.in_(ids[i : i + CHUNK]),
                                                       Finding.status != RESOLVED).values(last_run=run_id))
                continue
            conn.execute(update(Finding).where(Finding.rule == rule, Finding.source == source,
                                               Finding.status != RESOLVED).values(last_run=run_id))
        for part in _chunks(new.select("id").to_dicts()):
            conn.execute(insert(FindingEvent), [{"finding_id": r["id"], "at": stamp, "actor": who,
                                                 "from_status": None, "to_status": OPEN} for r in part])

        summary = _summary(conn, checked, new, gone)
        conn.execute(update(VervalRun).where(VervalRun.id == run_id)
                     .values(finished_at=now(), summary=json.dumps(summary)))
    return run_id, summary


def _set_status(conn, ids: list[str], old: str, new: str, actor: str, stamp: datetime,
                reason: str | None = None) -> None:
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        conn.execute(update(Finding).where(Finding.id.in_(part)).values(status=new, updated_at=stamp, reason=reason))
        conn.execute(insert(FindingEvent), [{"finding_id": f, "at": stamp, "actor": actor, "from_status": old,
                                             "to_status": new, "reason": reason} for f in part])


def _summary(conn, checked: dict[tuple[str, str], str], new: pl.DataFrame, gone: pl.DataFrame) -> list[dict]:
    # only the pairs that ran (after a telemetry batch: a few rules of one source, not every finding of every source)
    sources, rules = sorted({s for _, s in checked}), sorted({r for r, _ in checked})
    active = dict(
        ((rule, source), n) for rule, source, n in conn.execute(
            select(Finding.rule, Finding.source, func.count())
            .where(Finding.status.in_(ACTIVE), Finding.source.in_(sources), Finding.rule.in_(rules))
            .group_by(Finding.rule, Finding.source)
        ).all()
    )
    new_counts = {(r, s): n for r, s, n in new.group_by("rule", "source").len().iter_rows()}
    gone_ids = gone["id"].to_list()
    closed: dict[tuple[str, str], int] = {}
    for i in range(0, len(gone_ids), CHUNK):
        for rule, source, n in conn.execute(
            select(Finding.rule, Finding.source, func.count()).where(Finding.id.in_(gone_ids[i : i + CHUNK]))
            .group_by(Finding.rule, Finding.source)
        ).all():
            closed[(rule, source)] = closed.get((rule, source), 0) + n
    return [
        {"source": source, "rule": rule, "severity": severity, "open": active.get((rule, source), 0),
         "new": new_counts.get((rule, source), 0), "closed": closed.get((rule, source), 0)}
        for (rule, source), severity in sorted(checked.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def open_error_keys(engine: Engine, sources: list[str] | None = None) -> pl.DataFrame:
    """(source, record_key, kode_desa) of records with an error finding that still needs work (of `sources`)."""
    query = (select(Finding.source, Finding.record_key, Finding.kode_desa)
             .where(Finding.severity == "error", Finding.status.in_(ACTIVE)))
    if sources is not None:
        query = query.where(Finding.source.in_(sorted(sources)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pl.DataFrame(rows, schema={"source": pl.String, "record_key": pl.String, "kode_desa": pl.String},
                        orient="row").unique()


# --- worklists and outcomes ------------------------------------------------------------------


@dataclass(frozen=True)
class FindingFilter:
    desa: str | None = None  # a desa, kecamatan or the regency: everything under it
    rule: str | None = None
    source: str | None = None
    statuses: tuple[str, ...] = ACTIVE
    severity: str | None = None


def _where(query, f: FindingFilter, scope_code: str | None, sources: frozenset[str] | None,
           posyandu: str | None = None):
    """`posyandu` (a cadre's): only findings on records of that posyandu; "" matches nothing."""
    if posyandu is not None:
        wanted = posyandu.strip().upper()
        query = query.where(func.upper(func.trim(Finding.posyandu)) == wanted if wanted else false())
    if f.desa:
        query = query.where((Finding.kode_desa == f.desa) | Finding.kode_desa.startswith(f.desa + "."))
    if scope_code is not None and scope_code.count(".") > 1:
        # below the regency, only findings located inside the scope (none without a desa)
        query = query.where((Finding.kode_desa == scope_code) | Finding.kode_desa.startswith(scope_code + "."))
    if sources is not None:
        query = query.where(Finding.source.in_(sorted(sources)))
    if f.rule:
        query = query.where(Finding.rule == f.rule)
    if f.source:
        query = query.where(Finding.source == f.source)
    if f.severity:
        query = query.where(Finding.severity == f.severity)
    if f.statuses:
        query = query.where(Finding.status.in_(f.statuses))
    return query


def list_findings(engine: Engine, f: FindingFilter, *, scope_code: str | None, sources: frozenset[str] | None,
                  posyandu: str | None = None, offset: int = 0, limit: int | None = 100) -> tuple[list[Finding], int]:
    """Findings matching the filter inside the caller's scope, worst first; and how many there are in all."""
    with engine.connect() as conn:
        total = conn.execute(_where(select(func.count()).select_from(Finding), f, scope_code, sources,
                                    posyandu)).scalar_one()
        query = _where(select(Finding), f, scope_code, sources, posyandu).order_by(
            Finding.severity, Finding.kode_desa, Finding.rule, Finding.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        rows = [Finding(**dict(r._mapping)) for r in conn.execute(query.with_only_columns(*Finding.__table__.c)).all()]
    return rows, total


def get_finding(engine: Engine, finding_id: str) -> Finding | None:
    with engine.connect() as conn:
        row = conn.execute(select(*Finding.__table__.c).where(Finding.id == finding_id)).first()
    return Finding(**dict(row._mapping)) if row else None


def history(engine: Engine, finding_id: str) -> list[FindingEvent]:
    with engine.connect() as conn:
        rows = conn.execute(select(*FindingEvent.__table__.c).where(FindingEvent.finding_id == finding_id)
                            .order_by(FindingEvent.id)).all()
    return [FindingEvent(**dict(r._mapping)) for r in rows]


def record_outcome(engine: Engine, finding_id: str, status: str, actor: str, reason: str | None) -> Finding:
    """An officer's field-verification outcome; refused when the transition is not allowed."""
    if status not in STATUSES:
        raise UserError(t("verval.unknown_status", status=status, allowed=", ".join(STATUSES)))
    reason = (reason or "").strip() or None
    if status in NEEDS_REASON and reason is None:
        raise UserError(t("verval.reason_required", status=status))
    with engine.begin() as conn:
        current = conn.execute(select(Finding.status).where(Finding.id == finding_id).with_for_update()).scalar()
        if current is None:
            raise NotFound(t("verval.unknown_finding", id=finding_id))
        if status not in TRANSITIONS[current]:
            allowed = ", ".join(TRANSITIONS[current]) or "-"
            raise Conflict(t("verval.bad_transition", id=finding_id, old=current, new=status, allowed=allowed))
        _set_status(conn, [finding_id], current, status, actor, now(), reason)
    return get_finding(engine, finding_id)


def summary_by(engine: Engine, f: FindingFilter, *, scope_code: str | None, sources: frozenset[str] | None,
               by: tuple[str, ...] = ("kode_desa", "rule"), posyandu: str | None = None) -> list[dict]:
    """Counts of findings grouped (aggregates only: no record keys, no evidence)."""
    columns = [getattr(Finding, c) for c in by]
    query = _where(select(*columns, func.count().label("jumlah")).select_from(Finding), f, scope_code, sources,
                   posyandu)
    with engine.connect() as conn:
        rows = conn.execute(query.group_by(*columns).order_by(*columns)).all()
    return [dict(r._mapping) for r in rows]


def last_run(engine: Engine) -> VervalRun | None:
    with engine.connect() as conn:
        row = conn.execute(select(*VervalRun.__table__.c).order_by(VervalRun.id.desc()).limit(1)).first()
    return VervalRun(**dict(row._mapping)) if row else None
