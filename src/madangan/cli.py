"""The `madangan` command (Typer + Rich). User-facing text in Bahasa Indonesia; MADANGAN_LANG=en for English."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from madangan import deploy
from madangan.config import load_settings
from madangan.errors import UserError
from madangan.i18n import current_language, t
from madangan.progress import steps
from madangan.regions import regions

DEMO_REGION = "32.11"  # Kabupaten Sumedang
DEMO_POPULATION = 1_226_660  # Kepmendagri 300.2.2-2138/2025
console = Console()


def _h(id_text: str, en_text: str) -> str:
    return en_text if current_language() == "en" else id_text


app = typer.Typer(
    help=_h("Madangan: pusat komando data untuk pemerintah kabupaten/kota.",
            "Madangan: a data command center for regency/city governments."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
regions_app = typer.Typer(help=_h("Cari dan tampilkan wilayah Kemendagri.", "Find and show Kemendagri regions."),
                          no_args_is_help=True)
boundaries_app = typer.Typer(help=_h("Batas wilayah (peta).", "Region boundaries (maps)."), no_args_is_help=True)
app.add_typer(regions_app, name="regions")
app.add_typer(boundaries_app, name="boundaries")

RegionOpt = Annotated[str, typer.Option("--region", "-r", help=_h("Kode kabupaten/kota, mis. 32.11", "Regency/city code, e.g. 32.11"))]
HostOpt = Annotated[str, typer.Option(help=_h("Alamat untuk melayani", "Address to serve on"))]
PortOpt = Annotated[int, typer.Option(help=_h("Port untuk melayani", "Port to serve on"))]


@app.command()
def init(region: RegionOpt) -> None:
    """Siapkan deployment untuk satu kabupaten/kota (Set up a deployment for a regency/city)."""
    settings = load_settings(region=region)
    with steps() as step:
        _, reg = deploy.init(settings, region, step)
    console.print(t("done.init", name=reg.name, code=reg.code, path=settings.data_dir))


@app.command()
def demo(
    region: RegionOpt = DEMO_REGION,
    population: Annotated[int, typer.Option(help=_h("Jumlah penduduk sintetis", "Synthetic population"))] = DEMO_POPULATION,
    seed: Annotated[int, typer.Option(help=_h("Benih acak (hasil sama untuk benih sama)", "Random seed"))] = 7,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help=_h("Langsung layani web", "Serve the web app afterwards"))] = True,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Bangun kabupaten demo sintetis lalu layani pusat komandonya (Build the synthetic demo regency and serve it)."""
    settings = load_settings(region=region)
    with steps() as step:
        result = deploy.demo(settings, region, population, seed, step)
    console.print(t("done.demo", name=result.region.name, population=f"{population:,}".replace(",", "."),
                    sources=len(result.sources), seconds=result.seconds))
    if serve_after:
        _serve(settings, host, port)


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Layani deployment yang sudah ada (Serve an existing deployment)."""
    _serve(load_settings(), host, port)


def _serve(settings, host: str, port: int) -> None:
    import uvicorn

    from madangan.web.app import create_app

    application = create_app(settings)
    console.print(t("serve.start", host=host, port=port))
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def synth(
    region: RegionOpt,
    out: Annotated[Path, typer.Option(help=_h("Direktori keluaran", "Output directory"))],
    population: Annotated[int, typer.Option(help=_h("Jumlah penduduk", "Population"))] = DEMO_POPULATION,
    seed: Annotated[int, typer.Option(help=_h("Benih acak", "Random seed"))] = 7,
) -> None:
    """Tulis semua sumber data sintetis seperti ekspor OPD, plus ground_truth.csv (Write every synthetic source file)."""
    from madangan import synth as synthetic

    with steps() as step:
        ctx = synthetic.build(region, population, seed, step)
        files = synthetic.write(ctx, out, step)
    console.print(t("done.synth", files=len(files), path=out, errors=len(ctx.ground_truth())))


@regions_app.command("show")
def regions_show(code: str) -> None:
    """Ringkasan pohon wilayah (Tree summary of a region)."""
    index = regions()
    region = index.get(code)
    tree = Tree(f"[bold]{region.code}[/] {region.name} ({region.level})")
    for child in index.children(region.code):
        grandchildren = index.children(child.code)
        kinds = _count_levels(grandchildren)
        suffix = f" — {kinds}" if kinds else ""
        tree.add(f"{child.code} {child.name}{suffix}")
    console.print(tree)
    console.print(_h("Total: ", "Total: ") + _count_levels(index.children(region.code), index.desa_of(region.code)))


def _count_levels(*groups) -> str:
    from collections import Counter

    counts = Counter(r.level for group in groups for r in group)
    return ", ".join(f"{n} {level}" for level, n in counts.items())


@regions_app.command("search")
def regions_search(query: str) -> None:
    """Cari desa/kelurahan, kecamatan atau kabupaten menurut nama (Find a region by name)."""
    index = regions()
    found = index.search(query)
    if not found:
        raise UserError(t("region.no_match", query=query))
    table = Table(_h("Kode", "Code"), _h("Tingkat", "Level"), _h("Wilayah", "Region"))
    for region in found:
        table.add_row(region.code, region.level, index.path(region.code))
    console.print(table)


@boundaries_app.command("import")
def boundaries_import(file: Path) -> None:
    """Ganti batas wilayah dengan berkas GeoJSON resmi (Replace boundaries with an official GeoJSON file)."""
    from madangan import boundaries

    settings = load_settings()
    _, deployment = deploy.open_deployment(settings)
    index = regions()
    known = {deployment.region_code, *index.children_of[deployment.region_code],
             *(r.code for r in index.desa_of(deployment.region_code))}
    count = boundaries.import_file(settings.data_dir, file, deployment.region_code, known)
    console.print(t("boundaries.imported", count=count, region=deployment.region_name))


def main() -> None:
    try:
        app()
    except UserError as exc:
        Console(stderr=True).print(f"[bold red]Galat:[/] {exc}" if current_language() == "id" else f"[bold red]Error:[/] {exc}",
                                   highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
