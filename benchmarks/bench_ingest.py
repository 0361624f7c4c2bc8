"""Benchmark: ingest the full synthetic regency (every source) into a fresh deployment.

    python benchmarks/bench_ingest.py [--files DIR] [--population 1226660] [--seed 7]

Targets (ingest issue): all sources ≤ 90 s and ≤ 3 GiB peak on 2 cores; penduduk.csv
(1.2 M rows) alone ≤ 25 s. Also times a 100k-row XLSX sheet. Without --files the
sources are generated first (not counted). Prints Markdown rows for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from madangan import deploy, synth
from madangan.config import Settings
from madangan.contracts import Contract
from madangan.ingest.pipeline import ingest_file
from madangan.plugins import contracts


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=Path)
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="madangan-ingest-bench-"))
    files = args.files
    if files is None:
        files = work / "files"
        synth.write(synth.build("32.11", args.population, args.seed), files)
    settings = Settings(data_dir=work / "data")
    deploy.init(settings, "32.11")
    generated_peak = peak_gib()

    print("| source | rows read | accepted | quarantined | seconds | rows/s |\n| --- | --- | --- | --- | --- | --- |")
    started = time.perf_counter()
    for name, contract in contracts().items():
        path = files / contract.file_name()
        result = ingest_file(settings, "32.11", name, path, channel="benchmark")
        c = result.counts
        print(f"| {name} ({path.suffix[1:]}) | {c.rows_read:,} | {c.accepted:,} | {c.quarantined:,} | "
              f"{result.seconds:.1f} | {c.rows_read / max(result.seconds, 1e-9):,.0f} |")
    total = time.perf_counter() - started
    print(f"| **all sources** | | | | **{total:.1f}** | |")
    print(f"peak memory (max RSS, whole process incl. generation): {peak_gib():.2f} GiB "
          f"(after generation, before ingest: {generated_peak:.2f} GiB)")
    xlsx_benchmark(settings, files, work)


def xlsx_benchmark(settings: Settings, files: Path, work: Path) -> None:
    """A 100k-row XLSX sheet of posyandu measurements: what reading Excel costs against CSV."""
    import polars as pl

    from madangan.synth.export import write_source

    posyandu: Contract = contracts()["posyandu"]
    frame = pl.read_csv(files / "posyandu.csv", infer_schema=False, n_rows=100_000)
    frame = frame.rename({c.header: c.name for c in posyandu.columns}).with_columns(
        [pl.col(c.name).cast(pl.Float64) for c in posyandu.columns if c.type == "float"]
        + [pl.col(c.name).cast(pl.Int64) for c in posyandu.columns if c.type == "int"]
        + [pl.col(c.name).str.to_date() for c in posyandu.columns if c.type == "date"]
    )
    xlsx_contract = Contract(**{**posyandu.__dict__, "export_format": "xlsx"})
    out = work / "xlsx"
    out.mkdir()
    path = write_source(xlsx_contract, frame, out)
    result = ingest_file(settings, "32.11", "posyandu", path, channel="benchmark")
    print(f"XLSX, 100,000 rows ({path.stat().st_size / 1e6:.1f} MB): {result.seconds:.1f} s "
          f"({result.counts.rows_read:,} read, {result.counts.unchanged:,} unchanged)")


if __name__ == "__main__":
    main()
