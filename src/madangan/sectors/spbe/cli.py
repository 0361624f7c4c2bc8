"""`madangan livinglab …` (alias `madangan spbe …`): the Living Lab on the command line (Typer + Rich).

`madangan livinglab score LEVELS.csv` prints the index, domain and aspect indices and predicate;
`madangan livinglab plan LEVELS.csv --target 3.5` the cheapest plan. `--instrumen pemdi-2025`,
`losi-2022` or a path to a region's own .toml scores the same way: instruments are data.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from madangan.i18n import current_language

if TYPE_CHECKING:
    from madangan.sectors.spbe.instrument import Instrument, Score

# the heavier modules (numpy, polars readers) load inside the commands that use them
DEFAULT_INSTRUMENT = "spbe-2020"

console = Console(width=None if sys.stdout.isatty() else 160)


def _h(id_text: str, en_text: str) -> str:
    return en_text if current_language() == "en" else id_text


app = typer.Typer(help=_h("Living Lab SPBE: penilaian mandiri, indeks, pembandingan, perencana.",
                          "SPBE Living Lab: self-assessment, index, benchmarking, planner."), no_args_is_help=True)

InstrumentOpt = Annotated[str, typer.Option("--instrumen", help=_h("Instrumen (berkas data)", "Instrument (data file)"))]
YearOpt = Annotated[int, typer.Option("--tahun", "--year", help=_h("Tahun penilaian", "Assessment year"))]
RegionOpt = Annotated[Optional[str], typer.Option("--region", "-r", help=_h("Kode wilayah (bawaan: deployment)", "Region code (default: the deployment)"))]


def _deployment():
    from madangan import deploy
    from madangan.config import load_settings

    settings = load_settings()
    engine, deployment = deploy.open_deployment(settings)
    return settings, engine, deployment


def _operator(deployment):
    """The CLI runs as the deployment's operator (admin of its region)."""
    import getpass

    from madangan.access import Principal, Role

    try:
        user = getpass.getuser()
    except OSError:
        user = "cli"
    return Principal(Role.ADMIN, deployment.region_code, username=f"cli:{user}")


def _fmt(value: Decimal | float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    text = f"{float(value):.{places}f}"
    return text.replace(".", ",") if current_language() == "id" else text


def print_score(instrument: Instrument, score: Score, title: str, surveys=()) -> None:
    places = instrument.decimals
    console.print(f"[bold]{title}[/]")
    console.print(_h(f"{instrument.label}: ", f"{instrument.label_en}: ") + f"[bold]{_fmt(score.index, places)}[/] · {_h('predikat', 'predicate')} [bold]{score.predicate}[/]")
    for result in surveys:
        console.print(_h(f"Survei {result.survey} (indikator {result.indicator}): manfaat {_fmt(result.benefit)} − biaya {_fmt(result.cost)} = {_fmt(result.value)} → tingkat {result.level}",
                         f"Survey {result.survey} (indicator {result.indicator}): benefit {_fmt(result.benefit)} − cost {_fmt(result.cost)} = {_fmt(result.value)} → level {result.level}"))
    if score.missing:
        console.print(_h(f"⚠ {len(score.missing)} indikator belum diisi (dihitung 0): ", f"⚠ {len(score.missing)} indicators missing (counted as 0): ")
                      + ", ".join(score.missing), soft_wrap=True)
    table = Table(_h("Domain / aspek", "Domain / aspect"), _h("Bobot", "Weight"), _h("Indeks", "Index"))
    unit = f" {instrument.unit}" if instrument.unit else ""
    for domain in instrument.domains:
        table.add_row(f"[bold]{domain.id} {domain.name}[/]", f"{domain.weight}{unit}", f"[bold]{_fmt(score.domains[domain.id], places)}[/]")
        for aspect in instrument.aspects:
            if aspect.domain == domain.id:
                table.add_row(f"  {aspect.id} {aspect.name}", f"{aspect.weight}{unit}", _fmt(score.aspects[aspect.id], places))
    console.print(table)


@app.command("instrumen")
def show_instrument(instrument: InstrumentOpt = DEFAULT_INSTRUMENT) -> None:
    """Tampilkan indikator, bobot dan tingkat (Show the indicators, weights and levels)."""
    from madangan.sectors.spbe.instrument import load

    inst = load(instrument)
    console.print(f"[bold]{inst.name}[/] · {inst.regulation}")
    table = Table("No.", _h("Indikator", "Indicator"), _h("Aspek", "Aspect"), _h("Bobot", "Weight"))
    unit = f" {inst.unit}" if inst.unit else ""
    for ind in inst.indicators:
        table.add_row(ind.id, ind.name + ("" if ind.verified else " †"), ind.aspect,
                      f"{ind.weight}{unit}" + (" *" if ind.weight_derived else ""))
    console.print(table)
    console.print(_h("* bobot diturunkan dari total yang terverifikasi atau pengganti sementara (lihat berkas instrumen)",
                     "* weight derived from a verified total, or a placeholder (see the instrument file)"))
    if not all(i.verified for i in inst.indicators):
        console.print(_h("† teks indikator belum terverifikasi dari sumber (lihat asal-usul di berkas instrumen)",
                         "† indicator text not yet verified from a source (see the provenance in the instrument file)"))
    for survey in inst.surveys:
        console.print(_h(f"Indikator {survey.indicator} dinilai dari survei '{survey.name}': rata-rata manfaat − rata-rata biaya",
                         f"Indicator {survey.indicator} is scored from the survey '{survey.name}': mean benefit − mean cost")
                      + f" ({', '.join(i.id for i in survey.items)})")
    console.print(_h("Tingkat: ", "Levels: ") + ", ".join(f"{lv.level} {lv.name}" for lv in inst.levels))


@app.command("score")
@app.command("index", hidden=True)
def index(
    file: Annotated[Optional[Path], typer.Argument(help=_h("CSV/XLSX: No. Indikator, Tingkat", "CSV/XLSX: indicator, level"))] = None,
    region: RegionOpt = None,
    year: Annotated[Optional[int], typer.Option("--tahun", "--year")] = None,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Hitung indeks, indeks domain/aspek dan predikat dari berkas tingkat atau penilaian tersimpan
    (Compute the index, domain/aspect indices and predicate from a levels file or a stored assessment)."""
    from madangan.sectors.spbe import files, store
    from madangan.sectors.spbe.instrument import load

    inst = load(instrument)
    if file is not None:
        surveys: list = []
        levels, _ = files.read_levels(file, instrument, surveys_out=surveys)
        print_score(inst, inst.score(levels), file.name, surveys)
        return
    _, engine, deployment = _deployment()
    code = region or deployment.region_code
    years = [year] if year else store.years(engine, instrument)
    view = next((v for y in years if (v := store.get(engine, code, y, instrument)) is not None), None)
    if view is None:
        raise typer.BadParameter(_h(f"Belum ada penilaian untuk {code}.", f"No assessment for {code} yet."))
    score = view.score(inst)
    if score is None:
        console.print(f"{view.region_name} {view.year}: " + _h("indeks terbitan ", "published index ") + _fmt(view.published_index))
        return
    print_score(inst, score, f"{view.region_name} ({view.region_code}) · {view.year} · {store.STATUS_LABELS[view.status][current_language()]}")


@app.command("whatif")
def whatif(
    file: Annotated[Path, typer.Argument(help=_h("Tingkat saat ini (CSV/XLSX)", "Current levels (CSV/XLSX)"))],
    raise_: Annotated[list[str], typer.Option("--naik", "--raise", help=_h("INDIKATOR=TINGKAT, mis. 43=4", "INDICATOR=LEVEL, e.g. 43=4"))],
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Bagaimana jika indikator tertentu naik? (What if chosen indicators rise?)"""
    from madangan.sectors.spbe import files, planner
    from madangan.sectors.spbe.instrument import load

    inst = load(instrument)
    levels, _ = files.read_levels(file, instrument)
    raises = {}
    for item in raise_:
        key, _, value = item.partition("=")
        if not value.strip().isdigit():
            raise typer.BadParameter(_h(f"'{item}': tulis INDIKATOR=TINGKAT, mis. 43=4", f"'{item}': write INDICATOR=LEVEL, e.g. 43=4"))
        raises[key.strip()] = int(value)
    before, after = planner.whatif(inst, levels, raises)
    console.print(_h("Sekarang: ", "Now: ") + f"{_fmt(before.index)} ({before.predicate}) → "
                  + _h("menjadi: ", "becomes: ") + f"[bold]{_fmt(after.index)} ({after.predicate})[/]")
    table = Table("Domain", _h("Sekarang", "Now"), _h("Menjadi", "Becomes"))
    for d in inst.domains:
        table.add_row(f"{d.id} {d.name}", _fmt(before.domains[d.id]), _fmt(after.domains[d.id]))
    console.print(table)


@app.command("plan")
def plan(
    file: Annotated[Path, typer.Argument(help=_h("Tingkat saat ini; kolom opsional 'Usaha per Langkah'", "Current levels; optional column 'Usaha per Langkah' (effort)"))],
    target: Annotated[Optional[str], typer.Option("--target", help=_h("Indeks tujuan (bawaan: predikat berikutnya)", "Target index (default: the next predicate)"))] = None,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Rencana termurah menuju indeks tujuan (The cheapest plan to a target index)."""
    from madangan.sectors.spbe import files, planner
    from madangan.sectors.spbe.instrument import load

    inst = load(instrument)
    levels, effort = files.read_levels(file, instrument)
    if target is None:
        result = planner.plan_to_next_predicate(inst, levels, effort)
        if result is None:
            console.print(_h("Sudah di predikat tertinggi.", "Already at the top predicate."))
            return
    else:
        result = planner.cheapest_plan(inst, levels, target.replace(",", "."), effort)
    places = inst.decimals
    console.print(_h("Dari ", "From ") + f"{_fmt(result.start.index, places)} ({result.start.predicate}) "
                  + _h("ke ", "to ") + f"≥ {_fmt(result.target, places)}: [bold]{len(result.steps)}[/] " + _h("langkah", "steps")
                  + f", {_h('usaha', 'effort')} {result.cost:g}")
    table = Table("#", _h("Indikator", "Indicator"), _h("Tingkat", "Level"), _h("Usaha", "Effort"), _h("Indeks sesudahnya", "Index after"))
    for n, step in enumerate(result.steps, 1):
        table.add_row(str(n), f"{step.indicator} {step.name}", f"{step.from_level} → {step.to_level}", f"{step.cost:g}", _fmt(step.index_after, places))
    console.print(table)
    console.print(_h("Hasil: ", "Result: ") + f"[bold]{_fmt(result.end.index, places)} ({result.end.predicate})[/]")


@app.command("import")
def import_(
    file: Path,
    published: Annotated[bool, typer.Option("--terbitan/--mandiri", "--published/--self",
                                            help=_h("Indeks terbitan (Kode Wilayah, Tahun, Indeks, Sumber)", "Published totals (region, year, index, source)"))] = False,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Impor penilaian dari XLSX/CSV; semua baris atau tidak sama sekali (Import assessments; all rows or none)."""
    from madangan.sectors.spbe import files, store

    from madangan.access import store as access_store

    _, engine, deployment = _deployment()
    who = _operator(deployment)
    if published:
        count = files.import_published(engine, who, file, instrument_id=instrument)
        console.print(_h(f"{count} hasil terbitan dimuat dari {file.name}.", f"{count} published results loaded from {file.name}."))
    else:
        counts = files.import_levels(engine, who, file, instrument)
        for (code, year), n in sorted(counts.items()):
            console.print(f"{code} {store.region_name(code)} {year}: {n} " + _h("indikator disimpan", "indicators saved"))
    access_store.audit(engine, "spbe_import", who.username, target=f"file:{file.name}")


@app.command("export")
def export(
    out: Path,
    region: RegionOpt = None,
    year: Annotated[Optional[int], typer.Option("--tahun", "--year")] = None,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Ekspor penilaian ke XLSX/CSV (Export assessments to XLSX/CSV)."""
    from madangan.sectors.spbe import files

    _, engine, deployment = _deployment()
    rows = files.export(engine, out, region_code=region, year=year, instrument_id=instrument)
    console.print(_h(f"{rows} baris ditulis ke {out}.", f"{rows} rows written to {out}."))


@app.command("synth")
def synth(
    year: YearOpt = 2024,
    seed: Annotated[int, typer.Option(help=_h("Benih acak", "Random seed"))] = 7,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Muat data pembanding sintetis untuk 514 kabupaten/kota (Load a synthetic benchmark for all 514 regencies/cities)."""
    from madangan.sectors.spbe import store
    from madangan.sectors.spbe.instrument import load

    from madangan.sectors.spbe.synth import generate, populations

    _, engine, deployment = _deployment()
    existing = {v.region_code for v in store.for_year(engine, year, instrument) if v.origin != "synthetic"}
    generated = generate(load(instrument), year, seed)
    people = populations(seed)
    rows = [{"region": code, "year": year, "levels": levels, "population": people.get(code), "note": f"sintetis, benih {seed}"}
            for code, levels in generated.items() if code not in existing]
    store.load_published(engine, _operator(deployment), rows, origin="synthetic", instrument_id=instrument)
    console.print(_h(f"{len(rows)} penilaian sintetis tahun {year} dimuat (bukan data nyata).",
                     f"{len(rows)} synthetic {year} assessments loaded (not real data)."))


@app.command("benchmark")
def benchmark_(
    year: YearOpt = 2024,
    region: RegionOpt = None,
    group: Annotated[str, typer.Option("--kelompok", "--group", help="all, province, kind, province_kind, population")] = "all",
    top: Annotated[int, typer.Option(help=_h("Jumlah baris peringkat", "Ranking rows"))] = 10,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
) -> None:
    """Peringkat, kelompok pembanding dan celah per indikator (Ranking, peers and gaps per indicator)."""
    from madangan.sectors.spbe import benchmark, store
    from madangan.sectors.spbe.instrument import load

    inst = load(instrument)
    _, engine, deployment = _deployment()
    code = region or deployment.region_code
    found = benchmark.entries(inst, store.for_year(engine, year, instrument))
    peer_entries = benchmark.peers(code, found, group)
    ranked = benchmark.ranking(peer_entries)
    stats = benchmark.summary(peer_entries)
    own_population = next((e.population for e in peer_entries if e.region_code == code), None)
    band = f" ({benchmark.band_label(own_population, current_language())})" if group == "population" else ""
    console.print(f"[bold]{benchmark.PEER_GROUPS[group][current_language()]}{band} · {year}[/] · "
                  + _h(f"{stats['regions']} wilayah", f"{stats['regions']} regions")
                  + (f" · {_h('rata-rata', 'mean')} {_fmt(stats['mean'])}" if stats["regions"] else ""))
    table = Table(_h("Peringkat", "Rank"), _h("Wilayah", "Region"), _h("Indeks", "Index"), _h("Predikat", "Predicate"), _h("Asal", "Origin"))
    own = next((r for r in ranked if r.entry.region_code == code), None)
    for r in ranked[:top] + ([own] if own and own not in ranked[:top] else []):
        style = "bold green" if r.entry.region_code == code else None
        table.add_row(str(r.rank), f"{r.entry.region_code} {r.entry.region_name}", _fmt(r.entry.index), r.entry.predicate,
                      r.entry.origin, style=style)
    console.print(table)
    if own is None or not own.entry.levels:
        return
    gaps = sorted((g for g in benchmark.gaps(inst, own.entry, peer_entries) if g.gap), key=lambda g: -g.index_points)
    table = Table(_h("Indikator", "Indicator"), _h("Kita", "Us"), _h("Terbaik", "Best"), _h("+Indeks", "+Index"),
                  _h("Belajar dari (studi tiru)", "Learn from (studi tiru)"))
    for g in gaps[:15]:
        teachers = ", ".join(e.region_name for e in g.learn_from[:3]) + (f" +{len(g.learn_from) - 3}" if len(g.learn_from) > 3 else "")
        table.add_row(f"{g.indicator} {g.name}", str(g.level), str(g.best), f"+{float(g.index_points):.3f}", teachers)
    console.print(table)


@app.command("katalog")
def catalog_(
    indicator: Annotated[Optional[str], typer.Option("--indikator", "--indicator")] = None,
    search: Annotated[Optional[str], typer.Option("--cari", "--search")] = None,
) -> None:
    """Katalog aplikasi yang bisa ditiru (Catalog of replicable applications)."""
    from madangan.sectors.spbe import catalog, store

    table = Table(_h("Aplikasi", "Application"), _h("Wilayah", "Region"), _h("Indikator", "Indicators"), _h("Lisensi / kode sumber", "License / source code"))
    _, engine, _ = _deployment()
    for a in catalog.search(indicator, search, engine):
        table.add_row(f"[bold]{a.name}[/]\n{a.description}", store.region_name(a.region) if a.region else "—",
                      ", ".join(a.indicators), " · ".join(x for x in (a.license, a.source_code) if x) or "—")
    console.print(table)


@app.command("laporan")
def report_(
    out: Annotated[Path, typer.Argument(help=_h("Berkas .xlsx atau .pdf", "An .xlsx or .pdf file"))],
    year: YearOpt = 2024,
    region: RegionOpt = None,
    group: Annotated[str, typer.Option("--kelompok", "--group", help="all, province, kind")] = "province",
) -> None:
    """Laporan penilaian dan celah sebagai XLSX atau PDF (Assessment and gap report as XLSX or PDF)."""
    from madangan.sectors.spbe import report

    _, engine, deployment = _deployment()
    built = report.build(engine, region or deployment.region_code, year, group)
    report.write(built, out)
    console.print(_h(f"Laporan {built.region_name} {year} ditulis ke {out}.", f"Report for {built.region_name} {year} written to {out}."))


@app.command("katalog-impor")
def catalog_import(file: Annotated[Path, typer.Argument(help=_h(
        "XLSX/CSV: Kode Wilayah, Nama Aplikasi, Indikator SPBE, OPD Pemilik, Teknologi, Lisensi, Kode Sumber, Kontak, Keterangan",
        "XLSX/CSV: region code, application name, SPBE indicators, owner, technology, license, source code, contact, description"))]) -> None:
    """Daftarkan aplikasi wilayah ke katalog; semua baris atau tidak sama sekali (List the region's applications; all rows or none)."""
    from madangan.sectors.spbe import catalog

    _, engine, deployment = _deployment()
    count = catalog.import_file(engine, _operator(deployment), file)
    console.print(_h(f"{count} aplikasi ditambahkan ke katalog.", f"{count} applications added to the catalog."))
