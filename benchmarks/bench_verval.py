"""Benchmark: `madangan verify` over the full synthetic regency, scored against the generator's ground truth.

    python benchmarks/bench_verval.py [--data-dir DIR] [--population 1226660] [--seed 7]

Targets (verval issue): all checks + linkage ≤ 120 s and ≤ 6 GiB peak on 2 cores;
deterministic rules precision = recall = 1.0. Without --data-dir a demo deployment is
built first (not counted). The verify run happens in a child process so its peak memory
is its own. Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from madangan import deploy, synth
from madangan.config import Settings
from madangan.verval.scoring import EXPECTED_RULE, expected_and_found, precision_recall

CHILD = """
import resource, sys, time
from pathlib import Path
from madangan.config import Settings
from madangan.verval.scoring import EXPECTED_RULE, expected_and_found, precision_recall
from madangan.appdb import make_engine
from madangan.verval.engine import verify
settings = Settings(data_dir=Path(sys.argv[1]))
engine = make_engine(settings.app_db_url)
started = time.perf_counter()
report = verify(settings, engine, "32.11", actor="benchmark")
print(f"{time.perf_counter() - started:.1f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f}")
"""


def score(data_dir: Path) -> list[tuple]:
    settings = Settings(data_dir=data_dir)
    truth = pl.read_csv(settings.sources_dir / synth.GROUND_TRUTH_FILE, infer_schema_length=0)
    engine = sa.create_engine(settings.app_db_url)
    found = pl.read_database("SELECT rule, source, record_key FROM finding WHERE status <> 'resolved'", engine)
    rows = []
    for kind, (rule, _) in EXPECTED_RULE.items():
        expected, got = expected_and_found(kind, truth, found)
        rows.append((kind, rule, len(expected), len(got), *precision_recall(expected, got)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = args.data_dir
    if data_dir is None or not (data_dir / "app.db").exists():
        data_dir = data_dir or Path(tempfile.mkdtemp(prefix="madangan-verval-bench-")) / "data"
        started = time.perf_counter()
        deploy.demo(Settings(data_dir=data_dir), "32.11", args.population, args.seed)
        print(f"demo deployment built in {time.perf_counter() - started:.0f} s at {data_dir}", file=sys.stderr)
    runs = []
    for _ in range(2):  # the first run after the demo's own finds nothing new; both are full runs
        out = subprocess.run([sys.executable, "-c", CHILD, str(data_dir)], check=True, capture_output=True, text=True)
        runs.append(tuple(float(x) for x in out.stdout.split()[-2:]))
    for seconds, gib in runs:
        print(f"verify: {seconds:.1f} s, peak {gib:.2f} GiB (max RSS of the verify process)")
    print("\n| injected error | rule | injected | found | precision | recall |\n| --- | --- | --- | --- | --- | --- |")
    for kind, rule, expected, got, precision, recall in score(data_dir):
        print(f"| {kind} | {rule} | {expected:,} | {got:,} | {precision:.3f} | {recall:.3f} |")


if __name__ == "__main__":
    main()
