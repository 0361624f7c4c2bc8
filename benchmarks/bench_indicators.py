"""Benchmark: indicators at full size — `madangan refresh`, and a 1,000-row posyandu batch updating the figures.

    python benchmarks/bench_indicators.py [--data-dir DIR] [--population 1226660] [--seed 7]

Targets (issue 7): a 1,000-row posyandu batch updates the figures in ≤ 5 s; `madangan refresh` for
all indicators ≤ 30 s. A data directory without a warehouse gets a full demo regency first (not counted).

The built-in sectors have no posyandu indicator in this branch yet (the health sector declares them),
so this script registers two through the plugin hook exactly as a regency's own package would:
children weighed per desa and month (D/S of SKDN) and children weighed with a length/height recorded,
both over the ~1 M posyandu measurements. Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import polars as pl
from ibis import _

from madangan import deploy, warehouse
from madangan.config import Settings
from madangan.hookspecs import hookimpl
from madangan.indicators import Indicator, engine
from madangan.ingest import store
from madangan.ingest.pipeline import ingest_records
from madangan.plugins import contracts, plugin_manager
from madangan.sector import Sector


def weighed(tables):
    """D/S: children weighed in the month ÷ children registered in the desa (e-PPGBM)."""
    p = tables["posyandu"]
    d = p.group_by(kode_desa=p.kode_desa, bulan=p.tanggal_ukur.truncate("M")).agg(numerator=p.nik_anak.nunique())
    s = tables["balita"].group_by("kode_desa").agg(denominator=_.count())
    return d.left_join(s, "kode_desa").select("kode_desa", "bulan", "numerator", "denominator")


def measured_height(tables):
    p = tables["posyandu"]
    return p.group_by(kode_desa=p.kode_desa, bulan=p.tanggal_ukur.truncate("M")).agg(
        numerator=p.tinggi_cm.notnull().sum(), denominator=p.count())


class BenchPlugin:
    @hookimpl
    def madangan_sectors(self):
        common = dict(sector="bench_posyandu", sources=("posyandu", "balita"), period_from="posyandu.tanggal_ukur")
        return [Sector(name="bench_posyandu", title={"id": "Benchmark posyandu", "en": "Posyandu benchmark"},
                       requires=("health",),
                       indicators=(Indicator("bench_balita_ditimbang", title={"id": "Balita ditimbang (D/S)"},
                                             compute=weighed, **common),
                                   Indicator("bench_balita_diukur_tinggi", title={"id": "Balita diukur tinggi"},
                                             compute=measured_height, **common)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    plugin_manager().register(BenchPlugin(), name="bench_posyandu")
    settings = Settings(data_dir=args.data_dir or Path(tempfile.mkdtemp(prefix="madangan-ind-bench-")) / "data")
    if not settings.warehouse.exists():
        started = time.perf_counter()
        deploy.demo(settings, "32.11", args.population, args.seed)
        print(f"demo built in {time.perf_counter() - started:.0f} s (not counted)")

    con = warehouse.connect(settings.warehouse)
    try:
        posyandu = con.table("posyandu").drop("_batch")
        measurements = posyandu.count().to_pyarrow().as_py()
        result = engine.refresh(con)
        print(f"| `madangan refresh` (all {len(result.computed)} indicators) | {measurements:,} posyandu rows | "
              f"**{result.seconds:.1f} s** |")
        facts = con.table(engine.FACT_TABLE).count().to_pyarrow().as_py()
        print(f"facts stored: {facts:,}")
        samples = {
            "1,000 rows of a few posyandu (consecutive ids)": posyandu.order_by("id_pengukuran").limit(1000).to_polars(),
            "1,000 rows spread over the regency (random)": posyandu.sample(0.002, seed=42).limit(1000).to_polars(),
        }
    finally:
        con.disconnect()
    for label, sample in samples.items():
        batch_benchmark(settings, label, sample)


def batch_benchmark(settings: Settings, label: str, sample: pl.DataFrame) -> None:
    """A batch as a posyandu pushes it: 500 corrected weights, 500 new measurements a month earlier."""
    fixed = sample.head(500).with_columns(berat_kg=pl.col("berat_kg") + 0.1)
    new = sample.tail(500).with_columns(id_pengukuran=pl.col("id_pengukuran") + f"-B{time.time_ns()}",
                                        tanggal_ukur=pl.col("tanggal_ukur") - timedelta(days=31))
    records = [{k: (None if v is None else str(v)) for k, v in row.items()}
               for row in pl.concat([fixed, new]).iter_rows(named=True)]
    import madangan.alerts.evaluate  # noqa: F401 - loaded in a running server; not the batch's cost

    started = time.perf_counter()
    batch = ingest_records(settings, "32.11", "posyandu", records, submitted_by="benchmark")
    total = time.perf_counter() - started
    assert batch.counts.accepted == 1000, batch.counts

    con = warehouse.connect(settings.warehouse)
    try:
        contract = contracts()["posyandu"]
        change = store.BatchChange(contract, batch.batch, store.changed_rows(con, contract, batch.batch))
        keys = engine._touched_keys(con, change, engine.indicators()["bench_balita_ditimbang"])
        started = time.perf_counter()
        touched = engine.refresh_change(con, change)
        incremental = time.perf_counter() - started
        started = time.perf_counter()
        engine.refresh(con, only=touched)
        whole = time.perf_counter() - started
    finally:
        con.disconnect()
    print(f"| {label}: API records → validated, stored, figures updated | {len(keys)} desa × months touched | "
          f"**{total:.2f} s** |")
    print(f"| of which refreshing the {len(touched)} posyandu indicators for those desa × months | | "
          f"{incremental:.2f} s (recomputing them whole: {whole:.2f} s) |")


if __name__ == "__main__":
    main()
