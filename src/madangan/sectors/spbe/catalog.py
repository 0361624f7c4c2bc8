"""The catalog of replicable applications ("ATP: Amati, Tiru, Plek").

Two parts, searched together: the applications shipped as data (data/katalog.toml, with sources)
and the ones regions list themselves in the app database (their own region only).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, select

from madangan.access import Permission, Principal
from madangan.appdb import sessions
from madangan.appdb.models import SpbeApplication
from madangan.contracts import Column, Contract
from madangan.errors import UserError
from madangan.sectors.spbe.instrument import load
from madangan.sectors.spbe.text import Refused, tr


class Application(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    region: str  # Kemendagri code of the region that built it; "" for shared/open projects
    indicators: tuple[str, ...]
    owner: str = ""
    description: str = ""
    technology: str = ""
    license: str = ""
    source_code: str = ""
    contact: str = ""
    sources: str = ""  # where the facts come from; "" for entries a region listed itself


@cache
def shipped() -> tuple[Application, ...]:
    raw = tomllib.loads((resources.files("madangan.sectors.spbe") / "data" / "katalog.toml").read_text(encoding="utf-8"))
    apps = tuple(Application.model_validate(a) for a in raw["applications"])
    instrument = load()
    for app in apps:
        for indicator in app.indicators:
            instrument.indicator(indicator)  # an unknown indicator is a broken catalog
    return apps


def listed(engine: Engine) -> list[Application]:
    with sessions(engine)() as session:
        rows = list(session.scalars(select(SpbeApplication).order_by(SpbeApplication.region_code, SpbeApplication.name)))
    return [Application(name=r.name, region=r.region_code, indicators=tuple(r.indicators.split(",")), owner=r.owner,
                        description=r.description, technology=r.technology, license=r.license,
                        source_code=r.source_code, contact=r.contact) for r in rows]


def applications(engine: Engine | None = None) -> list[Application]:
    return [*shipped(), *(listed(engine) if engine is not None else [])]


def search(indicator: str | None = None, text: str | None = None, engine: Engine | None = None) -> list[Application]:
    """Applications serving `indicator`, and/or whose name or description contains `text`."""
    found = applications(engine)
    if indicator:
        found = [a for a in found if indicator in a.indicators]
    if text:
        needle = text.lower()
        found = [a for a in found if needle in a.name.lower() or needle in a.description.lower()]
    return found


CATALOG_FILE = Contract(
    name="spbe_katalog", sector="spbe", title={"id": "Katalog aplikasi", "en": "Application catalog"}, owner="Diskominfo",
    columns=(
        Column("kode_wilayah", "Kode Wilayah"),
        Column("nama", "Nama Aplikasi"),
        Column("indikator", "Indikator SPBE", description="nomor indikator, dipisah koma: 42, 43"),
        Column("opd", "OPD Pemilik", required=False),
        Column("teknologi", "Teknologi", required=False),
        Column("lisensi", "Lisensi", required=False),
        Column("kode_sumber", "Kode Sumber", required=False),
        Column("kontak", "Kontak", required=False),
        Column("keterangan", "Keterangan", required=False),
    ),
    key=("kode_wilayah", "nama"),
    aliases={"Aplikasi": "nama", "Nama": "nama", "Indikator": "indikator", "Deskripsi": "keterangan"},
)


def add(engine: Engine, who: Principal, rows: list[dict], where: list[str] | None = None) -> int:
    """Regions list their applications; every row is checked first and nothing is saved while one is bad.

    `rows` use the CATALOG_FILE column names; `where` names each row for messages (file rows).
    """
    from madangan.sectors.spbe import store

    known = {i.id for i in load().indicators}
    problems, records = [], []
    for n, row in enumerate(rows):
        place = where[n] if where else tr(f"aplikasi {n + 1}", f"application {n + 1}")
        try:
            code = store.check_region(str(row.get("kode_wilayah") or ""))
        except UserError as exc:
            problems.append(f"{place}, 'Kode Wilayah': {exc}")
            continue
        name = str(row.get("nama") or "").strip()
        indicators = [i.strip() for i in str(row.get("indikator") or "").replace(";", ",").split(",") if i.strip()]
        if not name or len(name) > 200:
            problems.append(tr(f"{place}, 'Nama Aplikasi': wajib diisi, paling panjang 200 huruf.",
                               f"{place}, 'Nama Aplikasi': required, at most 200 characters."))
        elif not indicators or set(indicators) - known:
            problems.append(tr(f"{place}, 'Indikator SPBE': '{row.get('indikator')}' harus nomor indikator 1–47, dipisah koma.",
                               f"{place}, 'Indikator SPBE': '{row.get('indikator')}' must be indicator numbers 1–47, comma-separated."))
        elif not (who.can(Permission.SPBE) and who.in_scope(code)):
            problems.append(tr(f"{place}: Anda hanya boleh mendaftarkan aplikasi wilayah Anda ({who.region_code}).",
                               f"{place}: you may only list your own region's applications ({who.region_code})."))
        else:
            records.append(SpbeApplication(
                region_code=code, name=name, indicators=",".join(sorted(set(indicators), key=int)),
                owner=str(row.get("opd") or "")[:200], technology=str(row.get("teknologi") or "")[:200],
                license=str(row.get("lisensi") or "")[:100], source_code=str(row.get("kode_sumber") or "")[:500],
                contact=str(row.get("kontak") or "")[:200], description=str(row.get("keterangan") or "")[:2000],
                added_by=who.username))
    if problems or not rows:
        raise Refused(tr("Tidak ada yang disimpan:\n", "Nothing was saved:\n") + "\n".join(problems or [tr("tidak ada baris", "no rows")]))
    with sessions(engine).begin() as session:
        session.add_all(records)
    return len(records)


def import_file(engine: Engine, who: Principal, path: Path) -> int:
    from madangan.ingest.readers import read_source

    table = read_source(Path(path), CATALOG_FILE)
    missing = [c.header for c in CATALOG_FILE.columns if c.required and c.name in table.missing]
    if missing:
        raise Refused(tr(f"{Path(path).name}: kolom {', '.join(missing)} tidak ditemukan.",
                         f"{Path(path).name}: columns {', '.join(missing)} not found."))
    rows = table.frame.to_dicts()
    return add(engine, who, rows, [tr(f"baris {r['_row']}", f"row {r['_row']}") for r in rows])
