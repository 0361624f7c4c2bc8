"""Benchmark: every health indicator and verval check on the full-size synthetic regency.

    python benchmarks/bench_health.py [--population 1226660] [--seed 7]

Target (health issue): all health computations for the full regency (~85k children, ~1 M
measurements, ~20k pregnancies) in ≤ 30 s on 2 cores. The sources are generated in memory
and loaded into an in-memory DuckDB first (not timed); each indicator is computed as the engine stores it
(the total and every declared breakdown: age group, posyandu); prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time

import ibis

from madangan import synth, warehouse
from madangan.indicators.engine import _desa_rows
from madangan.sectors.health.checks import CHECKS
from madangan.sectors.health.indicators import INDICATORS
from madangan.verval.engine import context

SOURCES = ("penduduk", "balita", "posyandu", "kehamilan", "anc", "telemetri")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ctx = synth.build("32.11", args.population, args.seed, only={"health"})
    con = ibis.duckdb.connect(threads=2)
    tables = {name: con.create_table(name, ctx.frames[name].to_arrow()) for name in SOURCES}
    sizes = {name: tables[name].count().execute() for name in SOURCES}
    print("rows: " + ", ".join(f"{name} {n:,}" for name, n in sizes.items()) + "\n")
    check_ctx = context("32.11", today=ctx.reference_date)

    # Wall seconds, and CPU seconds of the process (all threads): on a shared machine the wall time says how
    # busy the others were, the CPU time what the work costs.
    print("| step | result rows | wall s | CPU s |")
    print("| --- | --- | --- | --- |")
    total = cpu_total = 0.0

    def timed(label: str, run) -> None:
        nonlocal total, cpu_total
        t, c = time.perf_counter(), time.process_time()
        n = run()
        total += (s := time.perf_counter() - t)
        cpu_total += (cs := time.process_time() - c)
        print(f"| {label} | {n} | {s:.2f} | {cs:.2f} |")

    with warehouse.unchanging():  # as in `madangan refresh`: the growth prevalences share one scoring
        for indicator in INDICATORS:  # as the engine stores it: the total and every breakdown
            timed(f"indicator `{indicator.id}`", lambda i=indicator: f"{len(_desa_rows(i, tables).to_pyarrow()):,}")
    with warehouse.unchanging():  # as in a verval run
        for check in CHECKS:
            timed(f"check `{check.rule}`", lambda c=check: f"{len(c.find(tables, check_ctx).to_pyarrow()):,} findings")
    print(f"| **all {len(INDICATORS)} indicators + {len(CHECKS)} checks** | | **{total:.1f}** | **{cpu_total:.1f}** |")


if __name__ == "__main__":
    main()
