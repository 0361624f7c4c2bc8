"""`madangan verify`: run every registered check over the warehouse, keep findings, score quality.

A clear pipeline of named steps (as Splink's): collect checks → run each over
current rows → sync findings with the app database (stable ids, statuses kept)
→ quality score per source × desa × month.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone

import polars as pl

from madangan import warehouse
from madangan.contracts import Contract
from madangan.i18n import t
from madangan.plugins import contracts, sectors
from madangan.regions import regions
from madangan.verval import identity, quality, store
from madangan.verval.checks import Check, CheckContext, Tables
from madangan.verval.freshness import freshness_checks

FINDING_COLUMNS = ("id", "rule", "severity", "source", "record_key", "kode_desa", "posyandu", "agency", "evidence")
#: Internal column carrying the record's posyandu from the source table (never part of the evidence).
_POSYANDU = "_posyandu_rekaman"


@dataclass
class RunReport:
    run_id: int
    #: one row per source × rule that ran: source, rule, severity, open, new, closed
    summary: list[dict]
    skipped: list[tuple[str, str, str]]  # (source, rule, why)
    seconds: float


def all_checks() -> list[Check]:
    """Every check: the identity checks contracts imply, each sector's own, and source freshness."""
    found = contracts()
    checks = identity.contract_checks(found) + [c for s in sectors() for c in s.checks] + freshness_checks(found)
    seen: set[tuple[str, str]] = set()
    for check in checks:
        if (check.rule, check.source) in seen:
            raise ValueError(f"two checks named {check.rule!r} on source {check.source!r}")
        seen.add((check.rule, check.source))
    return checks


def context(region_code: str, today: date | None = None, params: dict | None = None) -> CheckContext:
    index = regions()
    return CheckContext(
        region_code=region_code,
        desa_codes=frozenset(r.code for r in index.desa_of(region_code)),
        kecamatan_prefixes=frozenset(c.replace(".", "") for c in index.names if c.count(".") == 2),
        today=today or date.today(),
        params=params or {},
    )


def finding_id(rule: str, source: str, record_key: str) -> str:
    return hashlib.sha1(f"{rule}\x1f{source}\x1f{record_key}".encode()).hexdigest()[:20]


def _with_posyandu(found, check: Check, tables: Tables, owners: dict[str, Contract]):
    """The check's rows with the posyandu of each record, when its source has a posyandu column.

    A cadre's worklist is their posyandu's children (madangan.access), so every finding on a record of a
    source that names the posyandu carries it; a join on the record key, whatever the check selected.
    """
    from madangan.access import posyandu_column
    from madangan.verval.identity import record_key

    source = tables.get(check.source)
    contract = owners.get(check.source)
    column = posyandu_column(source.columns) if source is not None else None
    if column is None or contract is None:
        return found
    source = source.view()  # the check's rows often come from the same table: a self-join
    lookup = source.select(_rk=record_key(source, contract), _pos=source[column].cast("string"))
    lookup = lookup.group_by("_rk").agg(_pos=lookup._pos.max())
    keyed = found.mutate(_rk_temuan=found.record_key.cast("string"))
    joined = keyed.left_join(lookup, keyed._rk_temuan == lookup._rk)
    return joined.select(*found.columns, **{_POSYANDU: joined._pos})


def run_check(check: Check, tables: Tables, ctx: CheckContext, con, owners: dict[str, Contract]) -> pl.DataFrame:
    """One check's findings in the stored shape (evidence as a JSON object)."""
    frame = con.to_polars(_with_posyandu(check.find(tables, ctx), check, tables, owners))
    posyandu = frame[_POSYANDU].cast(pl.String) if _POSYANDU in frame.columns else None
    evidence_columns = [c for c in frame.columns if c not in ("record_key", "kode_desa", _POSYANDU)]
    if evidence_columns:
        packed = pl.struct([pl.col(c).cast(pl.String) for c in evidence_columns]).struct.json_encode()
        evidence = frame.select(packed).to_series()
    else:
        evidence = pl.Series(["{}"] * frame.height, dtype=pl.String)
    keys = frame["record_key"].cast(pl.String)
    return pl.DataFrame(
        {
            "id": [finding_id(check.rule, check.source, k) for k in keys],
            "rule": check.rule,
            "severity": check.severity,
            "source": check.source,
            "record_key": keys,
            "kode_desa": frame["kode_desa"].cast(pl.String),
            "posyandu": posyandu if posyandu is not None else pl.Series([None] * frame.height, dtype=pl.String),
            "agency": check.agency or owners[check.source].owner,
            "evidence": evidence,
        },
        schema={c: pl.String for c in FINDING_COLUMNS},
    ).unique("id", keep="first", maintain_order=True)


def _runnable(checks: list[Check], present: set[str], engine) -> tuple[list[Check], list[tuple[str, str, str]]]:
    """The checks whose sources are loaded and whose high-risk processing has a current impact assessment."""
    from madangan.pdp import assessed

    runnable, skipped = [], []
    for check in checks:
        missing = [s for s in check.sources if s not in present]
        if missing:
            skipped.append((check.source, check.rule, t("verval.skip.missing", sources=", ".join(missing))))
        elif check.dpia and not assessed(engine, check.dpia, check.source):
            skipped.append((check.source, check.rule, t("verval.skip.dpia", processing=check.dpia, source=check.source)))
        else:
            runnable.append(check)
    return runnable, skipped


def verify(settings, engine, region_code: str, *, actor: str | None = None, today: date | None = None,
           params: dict | None = None, progress: Callable[[str, int, int], None] = lambda *_: None,
           only_source: str | None = None, con=None) -> RunReport:
    """Run the checks (all, or those reading `only_source`) and bring findings and quality scores up to date."""
    started = datetime.now(timezone.utc)
    ctx = context(region_code, today, settings.verval if params is None else params)
    checks = [c for c in all_checks() if only_source is None or only_source in c.sources]
    owners = contracts()
    own = con is None
    con = warehouse.connect(settings.warehouse) if own else con
    try:
        # only the sources the checks read: other connections' temporary tables come and go meanwhile
        needed = {source for check in checks for source in check.sources}
        present = set(con.list_tables()) & needed
        tables = {name: con.table(name) for name in present}
        runnable, skipped = _runnable(checks, present, engine)
        frames = []
        for i, check in enumerate(runnable):
            progress(f"{check.source}: {check.rule}", i, len(runnable))
            frames.append(run_check(check, tables, ctx, con, owners))
        progress("", len(runnable), len(runnable))
        found = pl.concat(frames) if frames else pl.DataFrame(schema={c: pl.String for c in FINDING_COLUMNS})
        run_id, summary = store.sync(engine, found, {(c.rule, c.source): c.severity for c in runnable}, actor, started)
        open_errors = store.open_error_keys(engine)
        scored = owners if only_source is None else {n: c for n, c in owners.items() if n in {c.source for c in runnable}}
        quality.write_scores(con, scored, open_errors, ctx.today)
    finally:
        if own:
            con.disconnect()
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    return RunReport(run_id, summary, skipped, seconds)
