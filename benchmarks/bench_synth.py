"""Benchmark: the full-size synthetic regency (generate + write all sources).

    python benchmarks/bench_synth.py [--population 1226660] [--seed 7] [--out DIR]

Target (foundation issue): ≤ 60 s and ≤ 4 GiB peak memory on 2 cores.
Prints one Markdown table row per step; copy them into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import polars as pl

from madangan import synth


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # ru_maxrss is KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--region", default="32.11")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="madangan-bench-"))

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    ctx = synth.build(args.region, args.population, args.seed, lambda name: marks.append((name, time.perf_counter())))
    files = synth.write(ctx, out, lambda name: marks.append((name, time.perf_counter())))
    total = time.perf_counter() - started
    marks.append(("end", started + total))
    timings = [(name, t2 - t1) for (name, t1), (_, t2) in zip(marks, marks[1:])]

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, polars {pl.__version__}")
    print(f"population {args.population:,}, seed {args.seed}, out {out}")
    print("| step | seconds |\n| --- | --- |")
    for name, seconds in timings:
        print(f"| {name} | {seconds:.1f} |")
    print(f"| **total** | **{total:.1f}** |")
    print(f"peak memory (max RSS): {peak_rss_gib():.2f} GiB")
    print("| source | rows | file MB |\n| --- | --- | --- |")
    for name, frame in ctx.frames.items():
        path = next((f for f in files if f.stem == name), None)
        size = path.stat().st_size / 1e6 if path else 0
        print(f"| {name} | {len(frame):,} | {size:.1f} |")
    print(f"| ground truth | {len(ctx.ground_truth()):,} | |")


if __name__ == "__main__":
    main()
