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
from madangan.linkage import PersonColumns, find_duplicate_persons, link_to_registry


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
    link_benchmark(con, truth, args.threshold)


def link_benchmark(con, truth: pl.DataFrame, threshold: float) -> None:
    """A program list of the duplicates' copies (NIK, name, KK, desa; no birth date), their
    NIKs taken out of the registry: each should link to the original."""
    keys = truth.select("record_key")  # noqa: F841 (read by DuckDB by name)
    con.execute("CREATE TABLE registry AS SELECT * FROM penduduk WHERE nik NOT IN (SELECT record_key FROM keys)")
    con.execute("CREATE TABLE program AS SELECT 'P-' || nik AS id, nik, nama, no_kk, kode_desa FROM penduduk"
                " WHERE nik IN (SELECT record_key FROM keys)")
    columns = PersonColumns(jenis_kelamin=None, tanggal_lahir=None, tempat_lahir=None)
    started = time.perf_counter()
    links = link_to_registry(con, "program", "registry", records_columns=columns, records_key="id", threshold=threshold)
    seconds = time.perf_counter() - started
    expected = dict(zip(truth["record_key"], truth["related_key"]))
    correct = sum(expected[a] == b for a, b in zip(links["nik_l"], links["nik_r"]))
    print(f"\nlink_to_registry: {len(expected):,} list records (no birth date) against {con.execute('SELECT count(*) FROM registry').fetchone()[0]:,} "
          f"residents, model trained on the list against the registry: {seconds:.1f} s, {len(links):,} links, "
          f"precision {correct / max(len(links), 1):.4f}, recall {correct / len(expected):.4f}, "
          f"peak {peak_gib():.2f} GiB")


if __name__ == "__main__":
    main()
