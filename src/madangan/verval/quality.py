"""Data quality score per source × desa × month, kept as a trend in the warehouse.

score = 100 × (0.60 × validity + 0.25 × completeness + 0.15 × timeliness), where
validity = share of records without an error finding that still needs work,
completeness = share of optional cells filled (required ones are enforced at ingest),
timeliness = 1 while the source is within its update interval, falling linearly to 0
at twice the interval.
"""

from __future__ import annotations

import threading
from datetime import date

import ibis
import polars as pl

from madangan.contracts import Contract
from madangan.verval.identity import record_key

TABLE = "kualitas_data"
_writing = threading.Lock()
WEIGHTS = {"validitas": 0.60, "kelengkapan": 0.25, "ketepatan_waktu": 0.15}
SCHEMA = {
    "sumber": pl.String, "kode_desa": pl.String, "bulan": pl.Date, "jumlah_record": pl.Int64,
    "record_bermasalah": pl.Int64, "validitas": pl.Float64, "kelengkapan": pl.Float64,
    "ketepatan_waktu": pl.Float64, "skor": pl.Float64,
}


def timeliness(age_days: int | None, interval: int | None) -> float:
    if age_days is None or not interval or age_days <= interval:
        return 1.0
    return max(0.0, 1.0 - (age_days - interval) / interval)


def _per_desa(con, contract: Contract, errors: pl.DataFrame) -> pl.DataFrame:
    table = con.table(contract.name)
    optional = [c.name for c in contract.columns if not c.required]
    desa = table[contract.region_column] if contract.region_column else ibis.null("string")
    keyed = table.select(record_key=record_key(table, contract), kode_desa=desa,
                         **{f"_f{i}": table[c].notnull().cast("int64") for i, c in enumerate(optional)})
    bad = ibis.memtable(errors.select("record_key").unique().with_columns(bermasalah=pl.lit(1)))
    joined = keyed.left_join(bad, "record_key")
    filled = sum((joined[f"_f{i}"] for i in range(len(optional))), ibis.literal(0)) if optional else None
    agg = joined.group_by("kode_desa").agg(
        jumlah_record=joined.count(),
        record_bermasalah=joined.bermasalah.fill_null(0).sum(),
        terisi=filled.sum() if filled is not None else ibis.literal(0),
    )
    frame = con.to_polars(agg)
    return frame.with_columns(
        sumber=pl.lit(contract.name),
        kelengkapan=(pl.col("terisi") / (pl.col("jumlah_record") * len(optional))) if optional else pl.lit(1.0),
    ).drop("terisi")


def scores(con, contracts: dict[str, Contract], open_errors: pl.DataFrame, today: date,
           last_sent: dict[str, date]) -> pl.DataFrame:
    present = set(con.list_tables())
    month = today.replace(day=1)
    parts = []
    for contract in contracts.values():
        if contract.name not in present:
            continue
        errors = open_errors.filter(pl.col("source") == contract.name)
        frame = _per_desa(con, contract, errors)
        sent = last_sent.get(contract.name)
        on_time = timeliness((today - sent).days if sent else None, contract.update_every_days)
        parts.append(frame.with_columns(bulan=pl.lit(month), ketepatan_waktu=pl.lit(on_time)))
    if not parts:
        return pl.DataFrame(schema=SCHEMA)
    frame = pl.concat(parts, how="diagonal_relaxed").with_columns(
        validitas=1 - pl.col("record_bermasalah") / pl.col("jumlah_record"),
    )
    score = sum(pl.col(name) * weight for name, weight in WEIGHTS.items())
    return frame.with_columns(skor=(100 * score).round(1)).select(
        [pl.col(c).cast(t) for c, t in SCHEMA.items()])


def write_scores(con, contracts: dict[str, Contract], open_errors: pl.DataFrame, today: date) -> pl.DataFrame:
    """Compute this month's scores and replace this month's rows (earlier months stay: the trend)."""
    raw = con.con
    last_sent = dict(raw.execute(
        "SELECT source, max(committed_at)::DATE FROM _batch WHERE status = 'committed' GROUP BY source"
    ).fetchall()) if "_batch" in set(con.list_tables()) else {}
    frame = scores(con, contracts, open_errors, today, last_sent)
    raw.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (sumber VARCHAR, kode_desa VARCHAR, bulan DATE,
        jumlah_record BIGINT, record_bermasalah BIGINT, validitas DOUBLE, kelengkapan DOUBLE,
        ketepatan_waktu DOUBLE, skor DOUBLE)""")
    # two batches of one source at once (concurrent API pushes) replace the same rows: without the lock the later
    # transaction fails ("Conflict on tuple deletion") and its push answers 500 (one process writes the file)
    with _writing:
        raw.register("_scores", frame.to_arrow())
        raw.execute("BEGIN")
        try:
            raw.execute(f"DELETE FROM {TABLE} WHERE bulan = ? AND list_contains(?, sumber)",
                        [today.replace(day=1), list(contracts)])
            raw.execute(f"INSERT INTO {TABLE} SELECT {', '.join(SCHEMA)} FROM _scores")
            raw.execute("COMMIT")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        finally:
            raw.unregister("_scores")
    return frame
