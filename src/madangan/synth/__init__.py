"""The synthetic regency: every registered sector's sources, plus the ground truth of injected errors.

    build(...)  runs each sector's generator in dependency order (a named step each)
    write(...)  writes the sources the way agencies export them (CSV/XLSX, Indonesian headers)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from madangan.errors import UserError
from madangan.i18n import t
from madangan.plugins import contracts, sectors
from madangan.regions import regions
from madangan.synth.context import SynthContext
from madangan.synth.export import write_source

GROUND_TRUTH_FILE = "ground_truth.csv"

Step = Callable[[str], None]  # announces a named step (for progress bars)


def check_population(population: int) -> None:
    if population < 1:
        raise UserError(t("population.invalid", value=population))


def build(region_code: str, population: int, seed: int, step: Step = lambda _: None,
          only: Iterable[str] | None = None, **kwargs) -> SynthContext:
    """Generate the sources of every sector (or of `only` those and what they require) in memory."""
    check_population(population)
    index = regions()
    ctx = SynthContext(index.regency(region_code), index, population, seed, **kwargs)
    wanted = _with_requirements(set(only)) if only is not None else None
    for sector in sectors():
        if sector.synthesize is not None and (wanted is None or sector.name in wanted):
            step(t("step.synth", source=sector.title[_lang()]))
            sector.synthesize(ctx)
    return ctx


def _with_requirements(names: set[str]) -> set[str]:
    by_name = {s.name: s for s in sectors()}
    unknown = names - by_name.keys()
    if unknown:
        raise ValueError(f"unknown sectors: {sorted(unknown)}")
    needed, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(by_name[name].requires)
    return needed


def write(ctx: SynthContext, out_dir: Path, step: Step = lambda _: None) -> list[Path]:
    """Write each source file plus ground_truth.csv into `out_dir`, all or nothing."""
    out_dir = Path(out_dir)
    staging = _staging_dir(out_dir)
    try:
        written = []
        for name, contract in contracts().items():
            if name in ctx.frames:
                step(t("step.write", source=contract.file_name()))
                written.append(write_source(contract, ctx.frames[name], staging))
        ctx.ground_truth().write_csv(staging / GROUND_TRUTH_FILE)
        written.append(staging / GROUND_TRUTH_FILE)
        for path in written:
            shutil.move(str(path), out_dir / path.name)
        return [out_dir / p.name for p in written]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _staging_dir(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".synth-", dir=out_dir))
    except OSError as exc:
        raise UserError(t("outdir.unwritable", path=out_dir, reason=exc.strerror or exc)) from None


def _lang() -> str:
    from madangan.i18n import current_language

    return current_language()
