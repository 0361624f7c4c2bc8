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

#: Injected error kind → the (rule, source) that must find exactly those records.
KINDS = {
    "nik_tidak_valid": ("nik_struktur", "penduduk"),
    "kode_desa_salah": ("desa_di_luar_wilayah", "penduduk"),
    "nik_tanggal_lahir_tidak_cocok": ("nik_tidak_cocok_biodata", "penduduk"),
    "duplikat_nik_berbeda": ("duplikat_orang", "penduduk"),
    "penerima_tidak_layak": ("penerima_tidak_layak", "penerima_bansos"),
    "meninggal_menerima_bansos": ("penerima_meninggal", "penerima_bansos"),
    "asn_menerima_bansos": ("penerima_pegawai", "penerima_bansos"),
    "layak_tidak_menerima": ("layak_tidak_menerima", "desil"),
    "selesai_sebelum_diajukan": ("selesai_sebelum_diajukan", "layanan"),
    "realisasi_melebihi_pagu": ("realisasi_melebihi_pagu", "anggaran"),
    "tinggi_menurun": ("tinggi_menurun", "posyandu"),
    "pengukuran_tidak_wajar": ("pengukuran_tidak_wajar", "posyandu"),
    "hpl_tidak_konsisten": ("hpl_tidak_konsisten", "kehamilan"),
}

CHILD = """
import resource, sys, time
from pathlib import Path
from madangan.config import Settings
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
    for kind, (rule, source) in KINDS.items():
        injected = truth.filter(pl.col("error_kind") == kind)
        expected = set(injected["record_key"])
        got = set(found.filter((pl.col("rule") == rule) & (pl.col("source") == source))["record_key"])
        if kind == "duplikat_nik_berbeda":  # a pair finding is keyed "nik|nik": right when it is the injected pair
            expected = {frozenset(p) for p in injected.select("record_key", "related_key").iter_rows()}
            got = {frozenset(k.split("|")) for k in got}
        hit = len(expected & got)
        rows.append((kind, rule, len(expected), len(got), hit / len(got) if got else float("nan"),
                     hit / len(expected) if expected else float("nan")))
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
