"""Benchmark: welfare targeting rates on the full synthetic regency, scored against the ground truth.

    python benchmarks/bench_targeting.py [--population 1226660] [--seed 7]

Target (issue 6): the rates per program × desa × period for the whole regency in ≤ 20 s;
the inclusion and exclusion errors they count, per injected kind, with precision and recall.
The sources are generated in memory and loaded into an in-memory DuckDB first (not timed).
Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import ibis
import polars as pl

from madangan import synth
from madangan.sectors.welfare import export, rules, targeting

SOURCES = ("desil", "penerima_bansos", "penduduk", "pegawai", "kematian", "balita", "posyandu", "kehamilan")
#: Injected kind → the inclusion-error reasons that must flag exactly its rows.
INCLUSION = {
    "penerima_tidak_layak": ("alasan_tidak_layak",),
    "meninggal_menerima_bansos": ("alasan_meninggal",),
    "asn_menerima_bansos": ("alasan_pegawai", "alasan_keluarga_pegawai"),
}


def score(ctx, inputs: targeting.Inputs, rule_file: rules.RuleFile) -> list[tuple]:
    """(kind, injected, found, precision, recall) per injected welfare error kind."""
    truth = ctx.ground_truth()
    periods = targeting.periods_of(inputs, None)
    version = rule_file.for_period(periods[-1])
    con = inputs.tables["desil"]._find_backend()
    rows = con.to_polars(targeting.recipient_rows(inputs, version, periods))
    out = []
    for kind, reasons in INCLUSION.items():
        expected = set(truth.filter(pl.col("error_kind") == kind)["record_key"])
        got = set(rows.filter(pl.any_horizontal(*reasons))["id_penerima"])
        out.append(_row(kind, expected, got))
    ep = targeting.eligible_periods(inputs, version, periods, None, list(version.program))
    missed = con.to_polars(ep.filter(ep.missed).select("no_kk", "program"))
    expected = set(truth.filter(pl.col("error_kind") == "layak_tidak_menerima").select("record_key", "related_key").iter_rows())
    out.append(_row("layak_tidak_menerima", expected, set(missed.iter_rows())))
    return out


def _row(kind, expected: set, got: set) -> tuple:
    hit = len(expected & got)
    return (kind, len(expected), len(got), hit / len(got) if got else float("nan"),
            hit / len(expected) if expected else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population", type=int, default=1_226_660)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ctx = synth.build("32.11", args.population, args.seed, only={"welfare", "health"})
    con = ibis.duckdb.connect(threads=2)
    tables = {name: con.create_table(name, ctx.frames[name].to_arrow()) for name in SOURCES}
    sizes = {name: tables[name].count().execute() for name in SOURCES}
    print("rows: " + ", ".join(f"{name} {n:,}" for name, n in sizes.items()) + "\n")
    inputs = targeting.Inputs(tables, pl.DataFrame(schema={"no_kk": pl.String, "kode_desa": pl.String, "outcome": pl.String}))
    rule_file = rules.load()

    print("| step | result rows | seconds | CPU seconds |")
    print("| --- | --- | --- | --- |")
    for level in ("desa", "kecamatan", "kabupaten"):
        started, cpu = time.perf_counter(), time.process_time()
        result = targeting.rates(inputs, rule_file, level=level)
        print(f"| rates per program × {level} × period | {result.height:,} | {time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |")
    period = targeting.latest_period(inputs, None)
    version = rule_file.for_period(period)
    d = tables["desil"].filter(tables["desil"].kode_desa.substr(9, 1) == "2")  # a desa (BLT Dana Desa), not a kelurahan
    biggest = d.group_by("kode_desa").agg(n=d.count()).order_by(ibis.desc("n")).limit(1)
    desa = biggest.execute()["kode_desa"][0]
    for label, scope in ((f"desa {desa}", desa), (f"kecamatan {desa[:8]}", desa[:8])):
        started, cpu = time.perf_counter(), time.process_time()
        n = targeting.candidates(inputs, version, scope, period).height
        print(f"| candidates to add, {label} (with stunting, KSPR, elderly alone) | {n:,} | {time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |")
    started, cpu = time.perf_counter(), time.process_time()
    quota = targeting.whatif(inputs, version, desa, period, 50, "BLT_DD")
    print(f"| what-if: BLT DD quota 50 in desa {desa} | {quota['terpilih'].height:,} | {time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |")
    codes = d.select("kode_desa").distinct().execute()["kode_desa"].to_list()
    current = tables["penerima_bansos"].filter((tables["penerima_bansos"].program == "BLT_DD")
                                               & (tables["penerima_bansos"].periode == period))
    now = dict(current.group_by("kode_desa").agg(n=current.count()).execute().itertuples(index=False, name=None))
    wanted = {c: int(now.get(c, 0) * 1.1) + 1 for c in codes}  # every desa: its quota + 10 %
    started, cpu = time.perf_counter(), time.process_time()
    per_desa = targeting.whatif_regency(inputs, version, "32.11", period, "BLT_DD", wanted)
    print(f"| what-if from a quota file: BLT DD, all {len(wanted):,} desa (+10 %) | {per_desa.height:,} | "
          f"{time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |")
    started, cpu = time.perf_counter(), time.process_time()
    whole = targeting.candidates(inputs, version, "32.11", period)
    print(f"| candidates to add, whole regency (every program) | {whole.height:,} | {time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |")
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), time.process_time()
        rows = whole.with_columns(desa=pl.col("kode_desa"), kerentanan=pl.lit([], dtype=pl.List(pl.String)),
                                  prioritas=pl.col("tingkat_prioritas").cast(pl.String)).to_dicts()
        export.musyawarah_xlsx(Path(tmp) / "kabupaten.xlsx", desa="32.11", desa_name="Sumedang", period=period,
                               summary=[], candidates=rows, review=[])
        size = (Path(tmp) / "kabupaten.xlsx").stat().st_size
        print(f"| XLSX of those candidates (one sheet, row by row; {size / 1024**2:.0f} MiB) | {len(rows):,} | "
              f"{time.perf_counter() - started:.2f} | {time.process_time() - cpu:.2f} |")
    print()
    print("| program | recipients | inclusion errors | inclusion rate | eligible families | exclusion errors | "
          "exclusion rate | coverage | leakage (Rp/month) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in result.to_dicts():
        print(f"| {r['program']} | {r['penerima']:,} | {r['salah_inklusi']:,} | {r['tingkat_inklusi']:.1%} | "
              f"{r['keluarga_layak']:,} | {r['salah_eksklusi']:,} | {r['tingkat_eksklusi']:.1%} | {r['cakupan']:.1%} | "
              f"{r['kebocoran_rp']:,} |")
    print()
    print("| injected kind | injected | found | precision | recall |")
    print("| --- | --- | --- | --- | --- |")
    for kind, n, found, precision, recall in score(ctx, inputs, rule_file):
        print(f"| `{kind}` | {n:,} | {found:,} | {precision:.4f} | {recall:.4f} |")
    print(f"\npeak memory (incl. generator): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GiB")


if __name__ == "__main__":
    main()
