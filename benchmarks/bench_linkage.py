"""Benchmark: find the same person under different NIKs in the full synthetic population registry.

    python benchmarks/bench_linkage.py [--population 1226660] [--seed 7] [--threshold 0.99]

Targets (verval issue): linkage ≤ 60 s and ≤ 4 GiB peak on 2 cores; against the generator's
ground truth for duplikat_nik_berbeda precision ≥ 0.99, recall ≥ 0.95. The registry is
generated first (not counted) and loaded into an in-memory DuckDB. Prints Markdown for
docs/benchmarks.md; no personal data is printed.
"""

from __future__ import annotations

import argparse
import resource
import time

import duckdb
import polars as pl

from madangan import synth
from madangan.linkage import find_duplicate_persons


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def score(pairs: pl.DataFrame, truth: pl.DataFrame) -> tuple[int, int, int]:
    """(true pairs, found pairs, found true pairs), pairs unordered."""
    expected = {frozenset(p) for p in zip(truth["record_key"], truth["related_key"])}
    found = {frozenset(p) for p in zip(pairs["nik_l"], pairs["nik_r"])}
    return len(expected), len(found), len(expected & found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=0.99)
    args = parser.parse_args()

    ctx = synth.build("32.11", args.population, args.seed, only=["population"])
    people = ctx.frames["penduduk"]
    truth = ctx.ground_truth().filter(pl.col("error_kind") == "duplikat_nik_berbeda")
    con = duckdb.connect()
    con.execute("CREATE TABLE penduduk AS SELECT * FROM people")
    del ctx, people
    before = peak_gib()

    started = time.perf_counter()
    pairs = find_duplicate_persons(con, "penduduk", threshold=args.threshold)
    total = time.perf_counter() - started
    expected, found, correct = score(pairs, truth)

    rows = con.execute("SELECT count(*) FROM penduduk").fetchone()[0]
    print(f"| records | {rows:,} |\n| --- | --- |")
    print(f"| **linkage (prepare, train, block, score, cluster)** | **{total:.1f} s** |")
    print(f"| pairs found (p ≥ {args.threshold}) | {found:,} in {pairs['cluster_id'].n_unique():,} clusters |")
    print(f"| injected duplicates (duplikat_nik_berbeda) | {expected:,} |")
    print(f"| precision | {correct / max(found, 1):.4f} ({found - correct} false pairs) |")
    print(f"| recall | {correct / max(expected, 1):.4f} ({expected - correct} missed) |")
    print(f"| peak memory (max RSS, whole process) | {peak_gib():.2f} GiB (before linkage: {before:.2f} GiB) |")


if __name__ == "__main__":
    main()
