"""The indicator engine: every registered indicator per desa × month, rolled up, stored as facts.

    refresh(con)                 recompute every indicator (`madangan refresh`)
    refresh_change(con, change)  after a batch: only the desa × months it touched
    query(con, ...)              facts of a region, level and period range (API and CLI)

Two warehouse tables:

- ``fakta_indikator_desa``: what each indicator's `compute` returned — indicator, kode_desa (null:
  data without a desa), bulan, dimensi and kategori (a breakdown, '' for the total), numerator,
  denominator. A batch replaces only the rows it touched.
- ``fakta_indikator``: the facts people read — indicator, level (desa, kecamatan, kabupaten),
  kode_wilayah, bulan, dimensi, kategori, numerator, denominator, value, computed_at. Kecamatan and
  kabupaten are sums of the desa numerators and denominators (never averages of rates); the kabupaten
  also counts the rows without a desa. An indicator's roll-up is rebuilt from its desa rows after every change: a few
  thousand rows, so it costs milliseconds.

The engine hears about batches through the `madangan_batch_changed` hook, as any plugin would.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import polars as pl
from ibis import _

from madangan import warehouse
from madangan.hookspecs import hookimpl
from madangan.indicators import Indicator
from madangan.plugins import contracts, sectors

DESA_TABLE = "fakta_indikator_desa"
FACT_TABLE = "fakta_indikator"
LEVELS = ("kabupaten", "kecamatan", "desa")
#: Beyond this many touched desa × months a batch recomputes the indicator whole (cheaper than the filter).
MAX_TOUCHED_KEYS = 5_000
BATCH_TABLE = "_batch"  # the batch register, given to every compute for lineage (e.g. a budget's year)

Step = Callable[[str], None]
#: One writer of facts at a time in a process: two batches pushed at once over the API would otherwise
#: replace the same rows in concurrent transactions, and DuckDB refuses the second (other processes
#: wait on the warehouse file's own lock).
_writing = threading.Lock()


def indicators() -> dict[str, Indicator]:
    """Every registered indicator, by id, in sector order."""
    return {i.id: i for s in sectors() for i in s.indicators}


def ensure_tables(raw) -> None:
    raw.execute(f"""CREATE TABLE IF NOT EXISTS {DESA_TABLE} (indicator VARCHAR NOT NULL, kode_desa VARCHAR,
                    bulan DATE NOT NULL, dimensi VARCHAR NOT NULL, kategori VARCHAR NOT NULL, numerator DOUBLE,
                    denominator DOUBLE)""")
    raw.execute(f"""CREATE TABLE IF NOT EXISTS {FACT_TABLE} (indicator VARCHAR NOT NULL, level VARCHAR NOT NULL,
                    kode_wilayah VARCHAR NOT NULL, bulan DATE NOT NULL, dimensi VARCHAR NOT NULL,
                    kategori VARCHAR NOT NULL, numerator DOUBLE, denominator DOUBLE, value DOUBLE,
                    computed_at TIMESTAMP)""")


def _tables(con, indicator: Indicator, present: set[str]) -> dict[str, ir.Table] | None:
    if not set(indicator.sources) <= present:
        return None
    names = [*indicator.sources, *([BATCH_TABLE] if BATCH_TABLE in present else [])]
    return {name: con.table(name) for name in names}


def _desa_rows(indicator: Indicator, tables: dict[str, ir.Table]) -> ir.Table:
    """The indicator's compute in the desa table's shape: the total, and each breakdown, per desa and month."""
    t = indicator.compute(tables)
    t = t.filter(t.bulan.notnull())  # a row with no month belongs to no fact
    if indicator.statistic == "quantile":  # one row per unit → how many units have each value
        t = t.filter(t.value.notnull()).mutate(numerator=t.value.cast("float64"))
        value, sums = dict(numerator=t.numerator), dict(denominator=t.count().cast("float64"))
    else:
        t = t.mutate(numerator=t.numerator.cast("float64").fill_null(0),
                     denominator=t.denominator.cast("float64").fill_null(0))
        value, sums = {}, dict(numerator=t.numerator.sum(), denominator=t.denominator.sum())
    keys = dict(kode_desa=t.kode_desa.cast("string"), bulan=t.bulan.cast("date"), **value)
    parts = [t.group_by(**keys).agg(**sums).mutate(dimensi=ibis.literal(""), kategori=ibis.literal(""))]
    for column in indicator.disaggregations:
        parts.append(t.group_by(**keys, kategori=_category(t, indicator, column)).agg(**sums)
                     .mutate(dimensi=ibis.literal(column)))
    columns = ("kode_desa", "bulan", "dimensi", "kategori", "numerator", "denominator")
    return ibis.union(*(part.select(*columns) for part in parts)).mutate(indicator=ibis.literal(indicator.id))


def _category(t: ir.Table, indicator: Indicator, column: str) -> ir.StringValue:
    """A row's category of breakdown `column`: its value, after its desa code when named within a desa."""
    name = t[column].cast("string").fill_null("?")
    if column in indicator.local_breakdowns:
        return t.kode_desa.cast("string").fill_null("-").concat(" ", name)
    return name


def _regency(con) -> str:
    found = [code for (code,) in con.con.execute(
        f"SELECT code FROM {warehouse.REGION_TABLE} WHERE level IN ('kabupaten', 'kota')").fetchall()]
    if len(found) != 1:
        raise RuntimeError("the region table must hold exactly one regency; run `madangan init`")
    return found[0]


def _rollup(con, indicator: Indicator, regency: str) -> ir.Table:
    """Desa, kecamatan and kabupaten facts of one indicator from its desa rows: sums, then the value."""
    d = con.table(DESA_TABLE).filter(_.indicator == indicator.id)
    if indicator.statistic == "quantile":
        return _rollup_quantile(d, indicator, regency)
    sums = dict(numerator=_.numerator.sum(), denominator=_.denominator.sum())
    in_desa = d.filter(_.kode_desa.notnull())
    by = ("bulan", "dimensi", "kategori")
    desa = in_desa.group_by(*by, kode_wilayah=_.kode_desa).agg(**sums).mutate(level=ibis.literal("desa"))
    kecamatan = (in_desa.group_by(*by, kode_wilayah=_.kode_desa.re_extract(r"^(.+)\.[^.]+$", 1))
                 .agg(**sums).mutate(level=ibis.literal("kecamatan")))
    kabupaten = d.group_by(*by).agg(**sums).mutate(level=ibis.literal("kabupaten"), kode_wilayah=ibis.literal(regency))
    columns = ("level", "kode_wilayah", "bulan", "dimensi", "kategori", "numerator", "denominator")
    facts = ibis.union(*(t.select(*columns) for t in (desa, kecamatan, kabupaten)))
    if indicator.statistic == "sum":
        value = facts.numerator
    else:
        value = ibis.cases((facts.denominator != 0, facts.numerator / facts.denominator * indicator.scale), else_=None)
    return facts.select(indicator=ibis.literal(indicator.id), *columns, value=value,
                        computed_at=ibis.now().cast("timestamp"))


def _rollup_quantile(d: ir.Table, indicator: Indicator, regency: str) -> ir.Table:
    """Quantile facts from the desa rows' counts per value (numerator = value, denominator = how many units)."""
    in_desa = d.filter(_.kode_desa.notnull())
    by = ("bulan", "dimensi", "kategori", "numerator")
    count = dict(n=_.denominator.sum())
    levels = (
        in_desa.group_by(*by, kode_wilayah=_.kode_desa).agg(**count).mutate(level=ibis.literal("desa")),
        in_desa.group_by(*by, kode_wilayah=_.kode_desa.re_extract(r"^(.+)\.[^.]+$", 1)).agg(**count)
        .mutate(level=ibis.literal("kecamatan")),
        d.group_by(*by).agg(**count).mutate(level=ibis.literal("kabupaten"), kode_wilayah=ibis.literal(regency)),
    )
    bins = ibis.union(*(t.select("level", "kode_wilayah", *by, "n") for t in levels))
    cell = ("level", "kode_wilayah", "bulan", "dimensi", "kategori")
    running = ibis.window(group_by=cell, order_by="numerator", rows=(None, 0))
    bins = bins.mutate(upto=bins.n.sum().over(running), total=bins.n.sum().over(ibis.window(group_by=cell)))
    reached = bins.filter(bins.upto >= bins.total * indicator.quantile - 1e-9)
    facts = reached.group_by(*cell).agg(value=reached.numerator.min(), denominator=reached.total.max())
    facts = facts.mutate(indicator=ibis.literal(indicator.id), numerator=facts.value,
                         computed_at=ibis.now().cast("timestamp"))
    return facts.select("indicator", *cell, "numerator", "denominator", "value", "computed_at")


Replacement = tuple[Indicator, ir.Table, "pl.DataFrame | None"]  # an indicator, its new desa rows, the keys they replace


def _write(con, replacements: list[Replacement], regency: str) -> None:
    """Replace each indicator's desa rows (all, or those under its keys) with its new rows, then its roll-up; all
    in one transaction (one commit: DuckDB may checkpoint at each). The caller holds `_writing` from before it
    built the rows, so a later batch's figures are never overwritten by older ones."""
    raw = con.con
    computed = [(indicator, rows.to_pyarrow(), keys) for indicator, rows, keys in replacements]  # thousands of rows
    raw.execute("BEGIN TRANSACTION")
    try:
        for indicator, rows, keys in computed:
            _replace(con, indicator, rows, keys, regency)
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise


def _replace(con, indicator: Indicator, rows, keys: pl.DataFrame | None, regency: str) -> None:
    raw = con.con
    raw.register("_new_rows", rows)
    if keys is not None:
        raw.register("_touched_keys", keys.to_arrow())
    try:
        if keys is None:
            raw.execute(f"DELETE FROM {DESA_TABLE} WHERE indicator = ?", [indicator.id])
        else:
            raw.execute(f"DELETE FROM {DESA_TABLE} f WHERE indicator = ? AND {_touched_sql('f')}", [indicator.id])
        raw.execute(f"INSERT INTO {DESA_TABLE} BY NAME SELECT * FROM _new_rows")
        raw.execute(f"DELETE FROM {FACT_TABLE} WHERE indicator = ?", [indicator.id])
        raw.execute(f"INSERT INTO {FACT_TABLE} BY NAME {con.compile(_rollup(con, indicator, regency))}")
    finally:
        raw.unregister("_new_rows")
        if keys is not None:
            raw.unregister("_touched_keys")


def _touched_sql(alias: str) -> str:
    """Rows under the registered `_touched_keys` (k = desa or '' for none, bulan; bulan null = every month)."""
    return (f"EXISTS (SELECT 1 FROM _touched_keys t WHERE t.k = coalesce({alias}.kode_desa, '') "
            f"AND (t.bulan IS NULL OR t.bulan = {alias}.bulan))")


@dataclass
class RefreshResult:
    computed: list[str]  # indicator ids recomputed
    skipped: list[str]  # indicators whose sources are not all loaded
    seconds: float = 0.0


def refresh(con, only: list[str] | None = None, step: Step = lambda _: None) -> RefreshResult:
    """Recompute every registered indicator (or those in `only`) whose sources are loaded."""
    with _writing, warehouse.unchanging():
        return _refresh(con, only, step)


def _refresh(con, only: list[str] | None, step: Step) -> RefreshResult:
    started = time.perf_counter()
    ensure_tables(con.con)
    present = set(con.list_tables())
    regency = _regency(con)
    computed, skipped = [], []
    for indicator in indicators().values():
        if only is not None and indicator.id not in only:
            continue
        tables = _tables(con, indicator, present)
        if tables is None:
            skipped.append(indicator.id)
            continue
        step(indicator.id)
        _write(con, [(indicator, _desa_rows(indicator, tables), None)], regency)  # one by one: whole tables
        computed.append(indicator.id)
    return RefreshResult(computed, skipped, time.perf_counter() - started)


def _period_column(indicator: Indicator, source: str, columns: list[str]) -> str | None:
    """The column of `source` the indicator's month comes from, if the source has it."""
    name = indicator.period_from
    if "." in name:
        owner, name = name.split(".", 1)
        if owner != source:
            return None
    return name if name and name in columns else None


def _month_of(column: ir.Column) -> ir.Column:
    return column.cast("date").truncate("M").cast("date")  # truncating gives a timestamp


def _touched_keys(con, change, indicator: Indicator) -> pl.DataFrame | None:
    """(k, bulan) the batch touched for this indicator; None when it cannot tell (recompute whole)."""
    contract = change.contract
    if not indicator.incremental or contract.region_column is None:
        return None
    rows = change.rows
    period = _period_column(indicator, contract.name, contract.column_names)
    kind = rows[period].type() if period else None
    if kind is not None and kind.is_temporal():
        bulan = _month_of(rows[period])
    elif kind is not None and kind.is_string() and not indicator.lookback:  # "2026-10"
        bulan = (rows[period].substr(0, 7) + "-01").try_cast("date")
    elif indicator.lookback:  # its later months cannot be told without a date: recompute whole
        return None
    else:  # no month column in this source (or one of another shape): every month of the touched desa
        bulan, period = ibis.null("date"), None
    keys = rows.select(k=rows[contract.region_column].cast("string").fill_null(""), bulan=bulan).distinct()
    if period is not None:  # a row without a month counts toward no month
        keys = keys.filter(_.bulan.notnull())
    if indicator.lookback and indicator.entity in contract.column_names:
        keys = keys.union(_later_keys(con, change, indicator, period))
    found = keys.to_polars()
    return None if len(found) > MAX_TOUCHED_KEYS else found


def _touch_shape(change, indicator: Indicator) -> tuple:
    """What `_touched_keys` depends on besides the batch: indicators alike in it share one answer."""
    return (indicator.incremental, _period_column(indicator, change.contract.name, change.contract.column_names),
            indicator.entity, indicator.lookback)


def _later_keys(con, change, indicator: Indicator, period: str) -> ir.Table:
    """(k, bulan) of the current rows of the units the batch changed, in the `lookback` months after each changed
    row: their figures read the changed rows (a child's gain next month is measured from this month's weight)."""
    region, unit = change.contract.region_column, indicator.entity
    rows = change.rows
    changed = rows.select(e=rows[unit], m=_month_of(rows[period])).distinct()
    current = con.table(change.contract.name)
    current = current.select(e=current[unit], k=current[region].cast("string").fill_null(""),
                             bulan=_month_of(current[period]))
    later = current.join(changed, [current.e == changed.e, current.bulan > changed.m,
                                   current.bulan <= changed.m + ibis.interval(months=indicator.lookback)])
    return later.select("k", "bulan").distinct()


def refresh_change(con, change) -> list[str]:
    """After a batch (`madangan.ingest.store.BatchChange`): recompute what it touched. Returns indicator ids."""
    source = change.contract.name
    affected = [i for i in indicators().values() if source in i.sources]
    if not affected:
        return []
    with _writing, warehouse.unchanging():
        return _refresh_change(con, change, affected)


def _refresh_change(con, change, affected: list[Indicator]) -> list[str]:
    ensure_tables(con.con)
    present = set(con.list_tables())
    regency = _regency(con)
    replacements: list[Replacement] = []
    for indicator in affected:
        tables = _tables(con, indicator, present)
        if tables is None:
            continue
        keys = None
        if _has_rows(con, indicator):
            keys = warehouse.memo(f"engine.touched:{id(change)}:{_touch_shape(change, indicator)}",
                                  lambda i=indicator: _touched_keys(con, change, i))
        if keys is not None and keys.is_empty():
            continue
        rows = _desa_rows(indicator, tables if keys is None else _restrict(tables, indicator, keys))
        if keys is not None:
            touched = ibis.memtable(keys)
            every_month = touched.filter(_.bulan.isnull()).k
            # month keys as text: a compute's month may reach here as a date or a timestamp
            months = touched.filter(_.bulan.notnull()).select(j=_.k.concat("|", _.bulan.strftime("%Y-%m"))).j
            k = rows.kode_desa.fill_null("")
            rows = rows.filter(k.isin(every_month) | k.concat("|", rows.bulan.strftime("%Y-%m")).isin(months))
        replacements.append((indicator, rows, keys))
    if replacements:
        _write(con, replacements, regency)
    return [indicator.id for indicator, _rows, _keys in replacements]


def _restrict(tables: dict[str, ir.Table], indicator: Indicator, keys: pl.DataFrame) -> dict[str, ir.Table]:
    """The sources cut down to the touched desa (and months), before compute: an incremental indicator's
    rows count only toward their own desa and month, so the touched facts come out the same, from
    thousands of rows instead of a million. The result is still filtered to the exact keys afterwards."""
    registry = contracts()
    desa = sorted(k for k in keys["k"].unique().to_list() if k)  # sorted: the same keys give the same SQL
    months = keys["bulan"]
    restricted = dict(tables)
    for name in indicator.sources:
        column = registry[name].region_column if name in registry else None
        if column is None:
            continue
        t = tables[name]
        keep = t[column].isin(desa) if desa else ibis.literal(False)
        if "" in keys["k"]:
            keep |= t[column].isnull()
        period = _period_column(indicator, name, t.columns)
        dated = period and months.null_count() == 0 and t[period].type().is_temporal()
        if dated:
            first, last = months.min(), months.max()
            keep &= (t[period] >= first) & (t[period] < _add_months(last, 1))
        if indicator.entity in t.columns:  # the units seen there, with their rows from `lookback` months earlier
            seen = t.filter(keep)[indicator.entity]
            keep = t[indicator.entity].isin(seen)
            if dated:
                keep &= (t[period] >= _add_months(first, -indicator.lookback)) & (t[period] < _add_months(last, 1))
        restricted[name] = t.filter(keep)
    return restricted


def _add_months(first_of_month: date, n: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _has_rows(con, indicator: Indicator) -> bool:
    """True once the indicator was computed whole (its first computation never starts from a batch)."""
    return con.con.execute(f"SELECT count(*) FROM {DESA_TABLE} WHERE indicator = ?", [indicator.id]).fetchone()[0] > 0


@hookimpl
def madangan_batch_changed(con, change) -> None:
    refresh_change(con, change)


# --- reading the facts ---------------------------------------------------------------------------------

PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)
REGION_CODE = re.compile(r"\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?", re.ASCII)


class QueryError(ValueError):
    """A query parameter is wrong: `field` names it, the message says why (Bahasa Indonesia, then English)."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.status = field, status


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """'2026-01:2026-10', '2026-03' or None → (first month, last month)."""
    if not text:
        return None, None
    parts = text.split(":")
    if len(parts) > 2 or not all(PERIOD.fullmatch(p.strip()) for p in parts):
        raise QueryError("period", f"Periode '{text}' tidak sah: tulis YYYY-MM atau YYYY-MM:YYYY-MM, "
                                   f"mis. 2026-01:2026-10 (period must be YYYY-MM or YYYY-MM:YYYY-MM).")
    start, end = (date(int(p[:4]), int(p[5:7]), 1) for p in (parts[0].strip(), parts[-1].strip()))
    if start > end:
        raise QueryError("period", f"Periode '{text}': bulan awal sesudah bulan akhir (start after end).")
    return start, end


def level_of(code: str) -> str:
    """The level of a region code of a deployment: kabupaten (or kota), kecamatan, desa (or kelurahan)."""
    return {1: "kabupaten", 2: "kecamatan", 3: "desa"}[code.count(".")]


@dataclass
class Query:
    indicator: Indicator
    region: str
    level: str
    start: date | None
    end: date | None
    by: str = ""  # a breakdown (one of the indicator's disaggregations); '' for the total


def check_query(con, indicator_id: str, region: str | None, level: str | None, period: str | None,
                scope: str | None = None, by: str | None = None) -> Query:
    """Validate the parameters of a facts query; `scope` (a user's region) bounds the region."""
    def known(code: str) -> bool:
        return con.con.execute(f"SELECT count(*) FROM {warehouse.REGION_TABLE} WHERE code = ?", [code]).fetchone()[0] > 0

    return validate_query(indicator_id, region, level, period, scope=scope, by=by, regency=lambda: _regency(con),
                          known=known)


def validate_query(indicator_id: str, region: str | None, level: str | None, period: str | None, *,
                   scope: str | None, by: str | None, regency: Callable[[], str], known: Callable[[str], bool]) -> Query:
    """check_query without a connection: `regency()` gives the deployment's code, `known(code)` says whether a
    region is part of it (the server answers both from its in-memory read model)."""
    found = indicators().get(indicator_id)
    if found is None:
        raise QueryError("indicator", f"Indikator '{indicator_id}' tidak dikenal (unknown indicator). "
                                      f"Yang ada: {', '.join(indicators())}.", 404)
    region = (region or scope or regency()).strip()
    if not REGION_CODE.fullmatch(region):
        raise QueryError("region", f"Kode wilayah '{region}' tidak sah: tulis kode Kemendagri, mis. 32.11, 32.11.01 "
                                   f"atau 32.11.01.2001 (region must be a Kemendagri code).")
    if not known(region):
        raise QueryError("region", f"Wilayah '{region}' tidak ada di deployment ini (unknown region).", 404)
    if scope is not None and not (region == scope or region.startswith(scope + ".")):
        raise QueryError("region", f"Wilayah '{region}' di luar wilayah akun Anda ({scope}) "
                                   f"(region outside your scope).", 403)
    own = level_of(region)
    level = level or own
    if level not in LEVELS:
        raise QueryError("level", f"Tingkat '{level}' tidak dikenal: pilih {', '.join(LEVELS)} (unknown level).")
    if LEVELS.index(level) < LEVELS.index(own):
        raise QueryError("level", f"Tingkat '{level}' berada di atas wilayah {region} ({own}); pilih {own} atau "
                                  f"di bawahnya (level must be the region's own or below it).")
    start, end = parse_period(period)
    if by and by not in found.disaggregations:
        known_by = ", ".join(found.disaggregations) or "tidak ada (none)"
        raise QueryError("by", f"Rincian '{by}' tidak ada untuk indikator ini; yang ada: {known_by} "
                               f"(unknown breakdown for this indicator).")
    return Query(found, region, level, start, end, by or "")


def query(con, q: Query, limit: int | None = None, offset: int = 0) -> tuple[pl.DataFrame, int]:
    """Facts of `q` with region names and status, ordered by region, month and category; and the total count.

    One parameterised statement over the small facts table (a request's whole cost is a few ms)."""
    if FACT_TABLE not in con.list_tables():  # nothing computed yet
        return pl.DataFrame(schema={"kode_wilayah": pl.String, "nama_wilayah": pl.String, "level": pl.String,
                                    "bulan": pl.Date, "kategori": pl.String, "numerator": pl.Float64,
                                    "denominator": pl.Float64, "value": pl.Float64,
                                    "computed_at": pl.Datetime("us"), "status": pl.String}), 0
    where = ["f.indicator = ?", "f.level = ?", "f.dimensi = ?", "(f.kode_wilayah = ? OR starts_with(f.kode_wilayah, ?))"]
    params: list = [q.indicator.id, q.level, q.by, q.region, q.region + "."]
    if q.start is not None:
        where.append("f.bulan BETWEEN ? AND ?")
        params += [q.start, q.end]
    page = ""
    if limit is not None:
        page = "LIMIT ? OFFSET ?"
        params += [limit, offset]
    frame = con.con.execute(
        f"""SELECT f.kode_wilayah, w.name AS nama_wilayah, f.level, f.bulan, f.kategori, f.numerator, f.denominator,
                   f.value, f.computed_at, count(*) OVER () AS _total
            FROM {FACT_TABLE} f LEFT JOIN {warehouse.REGION_TABLE} w ON w.code = f.kode_wilayah
            WHERE {' AND '.join(where)} ORDER BY f.kode_wilayah, f.bulan, f.kategori {page}""",
        params,
    ).pl()
    total = int(frame["_total"][0]) if len(frame) else _count(con, where, params[: len(params) - (2 if limit else 0)])
    status = [q.indicator.status(v) for v in frame["value"].to_list()]
    return frame.drop("_total").with_columns(status=pl.Series(status, dtype=pl.String)), total


FACT_SCHEMA = {"kode_wilayah": pl.String, "nama_wilayah": pl.String, "level": pl.String, "bulan": pl.Date,
               "kategori": pl.String, "numerator": pl.Float64, "denominator": pl.Float64, "value": pl.Float64,
               "computed_at": pl.Datetime("us")}


def load_facts(con) -> dict[tuple[str, str, str], pl.DataFrame]:
    """Every fact with its region's name, split by (indicator, level, dimensi), each part ordered as `query`
    orders its answer: what a server keeps in memory to answer `query_frames` without opening the file."""
    if FACT_TABLE not in con.list_tables():
        return {}
    frame = con.con.execute(
        f"""SELECT f.indicator, f.dimensi, f.kode_wilayah, w.name AS nama_wilayah, f.level, f.bulan, f.kategori,
                   f.numerator, f.denominator, f.value, f.computed_at
            FROM {FACT_TABLE} f LEFT JOIN {warehouse.REGION_TABLE} w ON w.code = f.kode_wilayah
            ORDER BY f.indicator, f.level, f.dimensi, f.kode_wilayah, f.bulan, f.kategori""").pl()
    parts = frame.partition_by("indicator", "level", "dimensi", as_dict=True, maintain_order=True)
    return {key: part.drop("indicator", "dimensi").cast(FACT_SCHEMA) for key, part in parts.items()}


def query_frames(facts: dict[tuple[str, str, str], pl.DataFrame], q: Query, limit: int | None = None,
                 offset: int = 0) -> tuple[pl.DataFrame, int]:
    """`query` over facts held in memory (`load_facts`): the same rows, order, status and total."""
    part = facts.get((q.indicator.id, q.level, q.by))
    if part is None:
        part = pl.DataFrame(schema=FACT_SCHEMA)
    keep = (pl.col("kode_wilayah") == q.region) | pl.col("kode_wilayah").str.starts_with(q.region + ".")
    if q.start is not None:
        keep &= pl.col("bulan").is_between(q.start, q.end)
    found = part.filter(keep)
    total = len(found)
    if limit is not None:
        found = found.slice(offset, limit)
    status = [q.indicator.status(v) for v in found["value"].to_list()]
    return found.with_columns(status=pl.Series(status, dtype=pl.String)), total


def _count(con, where: list[str], params: list) -> int:
    """The row count when the page itself is empty (an offset past the end)."""
    return con.con.execute(f"SELECT count(*) FROM {FACT_TABLE} f WHERE {' AND '.join(where)}", params).fetchone()[0]
