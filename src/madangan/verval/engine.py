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


#: A batch's records, for its row-local checks: a temporary table (each connection has its own), so the SQL
#: Ibis compiles for a check over it is the same for every batch and is compiled once: for a batch of a few
#: thousand readings compiling the query costs more than running it.
SCOPE_TABLE = "_verval_lingkup"
_SCOPED_SQL: dict[tuple, tuple[str, object]] = {}  # key → (SQL, the expression: its in-memory tables)


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


def run_check(check: Check, tables: Tables, ctx: CheckContext, con, owners: dict[str, Contract],
              cache_key: tuple | None = None) -> pl.DataFrame:
    """One check's findings in the stored shape (evidence as a JSON object). With `cache_key`, the check's SQL
    is compiled once for that key and reused."""
    if cache_key is None or not check.sql_reusable:
        frame = con.to_polars(_with_posyandu(check.find(tables, ctx), check, tables, owners))
    else:
        if cache_key not in _SCOPED_SQL:
            expr = _with_posyandu(check.find(tables, ctx), check, tables, owners)
            _SCOPED_SQL[cache_key] = (str(con.compile(expr)), expr)
        sql, expr = _SCOPED_SQL[cache_key]
        con._run_pre_execute_hooks(expr)  # registers the check's in-memory tables (lists) on this connection
        frame = con.con.execute(sql).pl()
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


def _touched(con, change) -> tuple[list[str], object]:
    """The record keys a batch touched (the versions it wrote and those it closed or took out), as a list
    and as an Ibis table with one column `record_key`."""
    rows = change.rows.select(record_key=identity.record_key(change.rows, change.contract)).distinct()
    return con.to_polars(rows)["record_key"].cast(pl.String).to_list(), rows


def _scope(con, tables: Tables, change, entity: str, made: dict[str, list[str]]) -> tuple[Tables, list[str]]:
    """The tables with the batch's source cut to what a scoped check must see again, and the record keys whose
    findings it decides: the records the batch touched, and with `entity` every record of the units it touched.
    Kept in a temporary table of the connection (one per entity; `made`: its name → those keys) for the run."""
    name = SCOPE_TABLE + (f"_{entity}" if entity else "")
    source, contract = change.contract.name, change.contract
    if name not in made:
        keys, rows = _touched(con, change)
        t = tables[source]
        if entity:
            cut = t.filter(t[entity].isin(change.rows[entity]))
            keys = sorted(set(keys) | set(con.to_polars(cut.select(k=identity.record_key(cut, contract)))["k"]
                                          .cast(pl.String).to_list()))
        else:
            cut = t.filter(identity.record_key(t, contract).isin(rows.record_key))
        con.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {con.compile(cut)}")
        made[name] = keys
    return {**tables, source: con.table(name)}, made[name]


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
           only_source: str | None = None, con=None, change=None) -> RunReport:
    """Run the checks (all, or those reading `only_source`) and bring findings and quality scores up to date.

    After a batch (`change`, a `madangan.ingest.store.BatchChange` of `only_source`), a row-local check of
    that source looks only at the records the batch touched; its other records' findings stay as they are.
    """
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
        scoped = [c for c in runnable if change is not None and (c.row_local or c.entity)
                  and c.source == change.contract.name]
        frames, scope, temporary = [], {}, {}
        try:
            with warehouse.unchanging():  # checks write no source: what one check read, another may reuse
                for i, check in enumerate(runnable):
                    progress(f"{check.source}: {check.rule}", i, len(runnable))
                    if check in scoped:
                        cut, keys = _scope(con, tables, change, check.entity, temporary)
                        key = (check.rule, check.source, ctx.region_code, ctx.today, repr(sorted(ctx.params.items())))
                        frames.append(run_check(check, cut, ctx, con, owners, cache_key=key))
                        scope[(check.rule, check.source)] = [finding_id(check.rule, check.source, k) for k in keys]
                    else:
                        frames.append(run_check(check, tables, ctx, con, owners))
        finally:
            for name in temporary:
                con.con.execute(f"DROP TABLE IF EXISTS {name}")
        progress("", len(runnable), len(runnable))
        found = pl.concat(frames) if frames else pl.DataFrame(schema={c: pl.String for c in FINDING_COLUMNS})
        run_id, summary = store.sync(engine, found, {(c.rule, c.source): c.severity for c in runnable}, actor, started,
                                     scope)
        scored = owners if only_source is None else {n: c for n, c in owners.items() if n in {c.source for c in runnable}}
        open_errors = store.open_error_keys(engine, None if only_source is None else list(scored))
        quality.write_scores(con, scored, open_errors, ctx.today)
    finally:
        if own:
            con.disconnect()
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    return RunReport(run_id, summary, skipped, seconds)
