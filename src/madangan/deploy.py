"""Setting up a deployment for a region, and building the demo regency.

A named step each: check → migrate → regions → (synthesize → write → load) → summary.
Every check that can fail runs before anything is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, select

from madangan import boundaries, synth, warehouse
from madangan.appdb import make_engine, migrate, sessions
from madangan.appdb.models import Deployment
from madangan.config import Settings
from madangan.errors import UserError
from madangan.i18n import t
from madangan.plugins import contracts, sectors
from madangan.regions import Region, regions

Step = Callable[[str], None]


@dataclass
class DemoResult:
    region: Region
    population: int
    sources: dict[str, int]
    seconds: float
    accounts: list[tuple[str, str, str, str]]  # (username, role, region, password)


DEMO_ACCOUNTS_FILE = "akun-demo.txt"


def _first_posyandu(warehouse_path: Path | None, desa_code: str) -> tuple[str, str] | None:
    """(desa, posyandu): the first posyandu by name of `desa_code` in the loaded posyandu data, else the first
    posyandu of the regency; None without posyandu data."""
    if warehouse_path is None or not Path(warehouse_path).exists():
        return None
    con = warehouse.connect(warehouse_path)
    try:
        if "posyandu" not in con.list_tables():
            return None
        p = con.table("posyandu")
        first = (p.kode_desa != desa_code).name("lain")
        rows = con.to_pyarrow(p.select("kode_desa", "posyandu", lain=first).distinct()
                              .order_by(["lain", "kode_desa", "posyandu"]).limit(1)).to_pylist()
    finally:
        con.disconnect()
    return (rows[0]["kode_desa"], rows[0]["posyandu"]) if rows else None


def demo_accounts(engine: Engine, region: Region, data_dir: Path,
                  warehouse_path: Path | None = None) -> list[tuple[str, str, str, str]]:
    """One account per role on the demo regency, passwords random; written (mode 600) for the demo's user.
    The cadre works at the first posyandu of the desa operator's desa."""
    from madangan.access import Role, store

    index = regions()
    kecamatan = index.children(region.code)[0]
    desa = index.children(kecamatan.code)[0]
    wanted = [
        ("admin", Role.ADMIN, region.code, (), None),
        ("bupati", Role.EXECUTIVE, region.code, (), None),
        ("dinkes", Role.ANALYST, region.code, ("health",), None),
        ("dinsos", Role.ANALYST, region.code, ("welfare", "population"), None),
        (f"camat.{_slug(kecamatan.name)}", Role.KECAMATAN, kecamatan.code, (), None),
        (f"desa.{_slug(desa.name)}", Role.DESA, desa.code, (), None),
    ]
    found = _first_posyandu(warehouse_path, desa.code)
    if found:
        cadre_desa, posyandu = found
        wanted.append((f"kader.{_slug(posyandu.removeprefix('Posyandu '))}", Role.CADRE, cadre_desa, (), posyandu))
    existing = {u.username for u in store.list_users(engine)}
    accounts = []
    for username, role, code, sectors_, posyandu_ in wanted:
        if username in existing:
            password = store.reset_password(engine, username)
        else:
            password = store.add_user(engine, username, role, code, region.code, sectors=sectors_,
                                      posyandu=posyandu_)
        accounts.append((username, role.value, code, password))
    path = data_dir / DEMO_ACCOUNTS_FILE
    path.write_text("".join(f"{u}\t{r}\t{c}\t{p}\n" for u, r, c, p in accounts))
    path.chmod(0o600)
    return accounts


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def check_data_dir(path: Path) -> None:
    """The data directory exists (or can be made) and is writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise UserError(t("datadir.unwritable", path=path, reason=exc.strerror or exc)) from None


def current(engine: Engine) -> Deployment | None:
    with sessions(engine)() as session:
        return session.scalars(select(Deployment)).first()


def open_deployment(settings: Settings) -> tuple[Engine, Deployment]:
    """The existing deployment in the data directory (for serve)."""
    if settings.database_url is None and not (settings.data_dir / "app.db").exists():
        raise UserError(t("datadir.not_initialised", path=settings.data_dir))
    engine = make_engine(settings.app_db_url)
    migrate(engine)
    deployment = current(engine)
    if deployment is None:
        raise UserError(t("datadir.not_initialised", path=settings.data_dir))
    return engine, deployment


def init(settings: Settings, region_code: str, step: Step = lambda _: None, kind: str = "init",
         population: int | None = None, seed: int | None = None) -> tuple[Engine, Region]:
    index = regions()
    region = index.regency(region_code)
    check_data_dir(settings.data_dir)
    engine = make_engine(settings.app_db_url)
    step(t("step.appdb"))
    migrate(engine)
    existing = current(engine)
    if existing is not None and existing.region_code != region.code:
        raise UserError(t("datadir.other_region", path=settings.data_dir,
                          other=f"{existing.region_code} {existing.region_name}", region=region.code))
    step(t("step.regions", name=region.name))
    con = warehouse.connect(settings.warehouse)
    warehouse.write_regions(con, index, region.code)
    con.disconnect()
    boundaries.write(settings.data_dir, boundaries.for_regency(region.code))
    with sessions(engine).begin() as session:
        session.execute(delete(Deployment))
        session.add(Deployment(region_code=region.code, region_name=region.name, kind=kind,
                               population=population, seed=seed))
    return engine, region


def demo(settings: Settings, region_code: str, population: int, seed: int, step: Step = lambda _: None) -> DemoResult:
    started = time.perf_counter()
    synth.check_population(population)
    engine, region = init(settings, region_code, step, kind="demo", population=population, seed=seed)
    ctx = synth.build(region.code, population, seed, step)
    files = synth.write(ctx, settings.sources_dir, step)
    del ctx
    from madangan.verval.continuous import paused
    from madangan.verval.engine import verify

    with paused():  # verify once, after everything is loaded
        loaded = ingest_files(settings, region, [f for f in files if f.name != synth.GROUND_TRUTH_FILE], step)
    step(t("step.verify"))
    demo_impact_assessment(engine)
    verify(settings, engine, region.code, actor="demo")
    from madangan.opendata.publish import publish

    publish(settings, engine, region.code, region.name, label="demo", actor="demo")  # the public portal's first data
    accounts = demo_accounts(engine, region, settings.data_dir, settings.warehouse)
    return DemoResult(region, population, loaded, time.perf_counter() - started, accounts)


def demo_impact_assessment(engine) -> None:
    """The demo matches its synthetic registry with itself; a real deployment's DPO records their own DPIA first."""
    from madangan import pdp

    if not pdp.assessed(engine, "linkage", "penerima_bansos"):
        pdp.add_assessment(engine, "linkage", ["penduduk", "penerima_bansos"], approved_by="demo (data sintetis)",
                           summary="Demo: pencocokan data sintetis untuk menemukan satu orang dengan dua NIK "
                                   "dan penerima bansos yang NIK-nya tidak ada di data kependudukan.")


def ingest_files(settings: Settings, region: Region, files: list[Path], step: Step = lambda _: None) -> dict[str, int]:
    """Send source files (named after their contract) through ingest, then rebuild the per-desa summary."""
    from madangan.ingest.pipeline import ingest_file

    by_file = {c.file_name(): c for c in contracts().values()}
    counts = {}
    for path in files:
        contract = by_file[path.name]
        step(t("step.load", source=contract.name))
        result = ingest_file(settings, region.code, contract.name, path, submitted_by="demo", channel="demo")
        counts[contract.name] = result.counts.accepted
    rebuild_summary(settings, step)
    return counts


def rebuild_summary(settings: Settings, step: Step = lambda _: None, sources: list[str] | None = None) -> None:
    """The per-desa counts (residents, families, …); after a batch of `sources`, only if a count reads one."""
    if sources is not None and not any(set(sources) & set(c.sources) for s in sectors() for c in s.desa_counts):
        return
    step(t("step.summary"))
    con = warehouse.connect(settings.warehouse)
    try:
        warehouse.build_summary(con, [c for s in sectors() for c in s.desa_counts])
    finally:
        con.disconnect()
