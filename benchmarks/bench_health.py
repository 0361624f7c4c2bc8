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

from madangan import synth
from madangan.indicators.engine import _desa_rows
from madangan.sectors.health.checks import CHECKS
from madangan.sectors.health.indicators import INDICATORS
from madangan.verval import CheckContext

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
    check_ctx = CheckContext("32.11", frozenset(ctx.desa()["desa_code"]), ctx.reference_date)

    print("| step | result rows | seconds |")
    print("| --- | --- | --- |")
    total = 0.0
    for indicator in INDICATORS:
        t = time.perf_counter()
        n = len(_desa_rows(indicator, tables).to_pyarrow())  # as the engine stores it: total and breakdowns
        total += (s := time.perf_counter() - t)
        print(f"| indicator `{indicator.id}` | {n:,} | {s:.2f} |")
    for check in CHECKS:
        t = time.perf_counter()
        n = len(check.find(tables, check_ctx).to_pyarrow())
        total += (s := time.perf_counter() - t)
        print(f"| check `{check.rule}` | {n:,} findings | {s:.2f} |")
    print(f"| **all {len(INDICATORS)} indicators + {len(CHECKS)} checks** | | **{total:.1f}** |")


if __name__ == "__main__":
    main()
