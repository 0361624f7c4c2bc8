"""What an indicator is: declared once by the sector that owns it, computed per region × month.

Sectors register indicators in `Sector.indicators`; the indicator engine
(`madangan.indicators.engine`) computes them for every desa and month and rolls
them up to kecamatan and regency by summing numerators and denominators (so
every figure keeps its counts).

Data without a desa (the budget is kept per agency, some complaints name no
village): `compute` returns those rows with ``kode_desa`` null. They count
toward the regency's figure only — kabupaten = its kecamatan + what has no desa.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

Tables = dict[str, "ir.Table"]


@dataclass(frozen=True)
class SurveyValue:
    """A national survey's estimate of an indicator for one region and year (e.g. SSGI 2022: stunting 27.6 % in
    Kabupaten Sumedang from 636 sampled children), shown beside the computed census figure, never mixed into it."""

    region: str  # Kemendagri code the estimate is for, e.g. 32.11
    survey: str  # short name, e.g. SSGI, SKI
    year: int
    value: float  # in the indicator's unit
    n: int | None  # sample size; None when the source does not give it
    source: str  # who published it, and where it was read


def load_surveys(path, indicator_id: str) -> tuple[SurveyValue, ...]:
    """The rows of a survey file (CSV: indikator, kode_wilayah, survei, tahun, nilai, n, sumber) for one indicator."""
    import csv
    from pathlib import Path

    with Path(path).open(encoding="utf-8", newline="") as f:
        return tuple(SurveyValue(r["kode_wilayah"], r["survei"], int(r["tahun"]), float(r["nilai"]),
                                 int(r["n"]) if r["n"].strip() else None, r["sumber"])
                     for r in csv.DictReader(f) if r["indikator"] == indicator_id)


@dataclass(frozen=True)
class Indicator:
    id: str  # stable, snake_case, e.g. "prevalensi_stunting"
    sector: str
    title: dict[str, str]  # {"id": ..., "en": ...}
    #: Given the tables (name → Ibis table of current rows): one row per desa × month with columns
    #: kode_desa (str), bulan (date, first day of the month), numerator and denominator (numbers).
    compute: Callable[[Tables], "ir.Table"]
    sources: tuple[str, ...]  # the sources it needs; skipped while one is not loaded
    unit: str = "%"  # "%" → 100 × numerator / denominator; "per 1000"; "Rp"; "hari"; "" (plain ratio)
    higher_is_better: bool = True
    target: float | None = None  # in `unit`
    #: Status boundaries in `unit`: (green_from, red_from). With higher_is_better=False, values at or
    #: below green_from are green and at or above red_from red; the other way round otherwise.
    thresholds: tuple[float, float] | None = None
    #: Satu Data Indonesia metadata: definisi, rumus, sumber, frekuensi (Indonesian; "en" variants optional).
    metadata: dict[str, str] = field(default_factory=dict)
    #: The column the month comes from ("tanggal_ukur" or "posyandu.tanggal_ukur"). A batch of a source
    #: that has this column touches only the months of its rows; of one that lacks it, every month.
    period_from: str = ""
    #: True when each row of a source counts only toward the desa in that source's region column (and the
    #: month of `period_from`): after a batch the engine recomputes just the desa × months it touched.
    #: Set False when rows reach a desa through another source (a join on no_kk, months taken from
    #: another table): the indicator is then recomputed whole whenever one of its sources changes.
    incremental: bool = True
    #: For an incremental indicator whose figure for a month also reads earlier months of the same unit (SKDN's N
    #: compares a child's weight with last month's; 2T with the two before): the column naming the unit
    #: (``nik_anak``) and how many months back it reads. A batch then also touches the `lookback` months after
    #: each changed row where that unit has rows, and compute gets those units' rows from `lookback` months
    #: earlier, wherever they were recorded: the figures stay exact when a child moves to another desa.
    entity: str = ""
    lookback: int = 0
    #: Breakdowns: a column `compute` also returns → its label, e.g. {"kanal": {"id": "Kanal", "en": "Channel"}}.
    #: Each counted unit must fall in one category (a request has one channel), so categories sum to the total.
    disaggregations: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Breakdowns whose categories are named within one desa (a posyandu: many villages have a "Posyandu Mawar"):
    #: stored as "<kode_desa> <name>", so two villages' categories of one name never merge in a kecamatan's or
    #: the regency's figure; pages show the name with its desa.
    local_breakdowns: tuple[str, ...] = ()
    #: A page listing, by name, the persons counted in the numerator (e.g. "/kesehatan/balita?indikator=…"); the
    #: theme page links to it, with ``&wilayah=`` the region shown, for roles with the persons permission.
    persons: str = ""
    #: Published on the public portal and the open-data catalog (aggregates only, small cells suppressed).
    public: bool = False
    #: What the public output must protect (`madangan.access.disclosure`): "counts" when numerator and
    #: denominator count people, "denominator" when only the denominator does, "none" for money.
    disclosure: str = "counts"
    #: National surveys' estimates (SSGI, SKI, Susenas) of the same figure, shown beside the computed one.
    surveys: tuple[SurveyValue, ...] = ()
    #: How the figure of a region is made from its units:
    #: "ratio" — value = scale × Σ numerator ÷ Σ denominator (the default);
    #: "sum" — value = Σ numerator (a count, e.g. requests still open); the denominator is kept as context;
    #: "quantile" — value = the `quantile` of the units' measurements (e.g. the median of completion days).
    #: `compute` then returns one row per unit with kode_desa, bulan, `value` (the measurement) and the
    #: breakdown columns; the engine keeps how many units have each value per desa × month (numerator =
    #: the value, denominator = how many), so kecamatan and regency figures are exact quantiles of all
    #: their units, not averages of desa medians. Quantile = the smallest value v with at least q × n
    #: units ≤ v (nearest rank: the lower median when n is even). Facts carry numerator = value and
    #: denominator = n, so small cells are suppressed on n.
    statistic: str = "ratio"
    quantile: float = 0.5

    def __post_init__(self):
        if self.statistic not in ("ratio", "sum", "quantile"):
            raise ValueError(f"indicator {self.id}: statistic must be ratio, sum or quantile, not {self.statistic!r}")
        if self.lookback < 0 or bool(self.lookback) != bool(self.entity):
            raise ValueError(f"indicator {self.id}: entity and lookback (months ≥ 1) are declared together")
        if self.statistic == "quantile" and not 0 < self.quantile <= 1:
            raise ValueError(f"indicator {self.id}: quantile must be in (0, 1], not {self.quantile!r}")

    @property
    def scale(self) -> float:
        """value = scale × numerator / denominator."""
        return {"%": 100.0, "per 1000": 1000.0}.get(self.unit, 1.0)

    def status(self, value: float | None) -> str | None:
        """'hijau', 'kuning' or 'merah' against the thresholds; None without thresholds or value."""
        if value is None or self.thresholds is None:
            return None
        green, red = self.thresholds
        if self.higher_is_better:
            return "hijau" if value >= green else ("merah" if value <= red else "kuning")
        return "hijau" if value <= green else ("merah" if value >= red else "kuning")


@dataclass(frozen=True)
class ThemePage:
    """A thematic page of the command center, declared by the sector that owns its indicators.

    Registered through `Sector.pages`; the platform lists the pages in its navigation, serves each at
    /tema/{slug} (indicators over time, ranking of kecamatan/desa, map, the tables behind the charts) and
    shows the `headline` indicators as tiles on the overview. No page list lives in platform code."""

    slug: str  # URL part, e.g. "stunting-gizi"
    title: dict[str, str]  # {"id": ..., "en": ...}
    indicators: tuple[str, ...]  # indicator ids, in the order the page shows them
    #: Indicators shown as headline tiles (trend sparkline, status colour) on the overview.
    headline: tuple[str, ...] = ()
    #: Where the page sits among the others (navigation, overview tiles, wall-mode rotation).
    order: int = 100
    lead: dict[str, str] = field(default_factory=dict)  # one sentence under the title
