"""Early warning: what an alert rule is. Sectors declare rules; the platform evaluates them.

Three kinds, one shape (`AlertRule`):

- ``record`` — about one person or device (a child newly below −3 SD, a KRST pregnancy near term,
  a smartwatch reading outside its safe range). `compute` returns one row per subject that meets
  the condition now.
- ``place`` — about a region or an agency: an indicator beyond a threshold, or up by N points
  against the previous month (`indicator` set: the platform reads the indicator facts), or a
  `compute` of the sector's own (an OPD's spending behind its cash plan).
- ``trend`` — an indicator's count (or value) this month against the same month of earlier years,
  judged with robust statistics: median and MAD, or a Poisson tail for small counts
  (`madangan.alerts.baseline`).

Sectors list rules in `Sector.alert_rules`; plugins that are not a sector (the platform's own
"stale source" rule) return them from the `madangan_alert_rules` hook. Thresholds are `params`:
their defaults live here, a deployment changes them in its rules file (`peringatan.toml`), which is
validated at load, naming the field that is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir

Tables = dict[str, "ir.Table"]

KINDS = ("record", "place", "trend")
#: Most urgent first. darurat = urgent (seconds matter), tinggi = high, sedang = medium, rendah = low.
SEVERITIES = ("darurat", "tinggi", "sedang", "rendah")
SEVERITY_LABELS = {
    "darurat": {"id": "Darurat", "en": "Urgent"},
    "tinggi": {"id": "Tinggi", "en": "High"},
    "sedang": {"id": "Sedang", "en": "Medium"},
    "rendah": {"id": "Rendah", "en": "Low"},
}
#: Escalation ladder when an alert is not acknowledged within its rule's SLA.
LEVELS = ("desa", "kecamatan", "opd", "sekda")
LEVEL_LABELS = {
    "desa": {"id": "Desa/kelurahan", "en": "Village"},
    "kecamatan": {"id": "Kecamatan", "en": "Sub-district"},
    "opd": {"id": "Kepala OPD", "en": "Agency head"},
    "sekda": {"id": "Sekretaris Daerah", "en": "Regional Secretary"},
}


@dataclass(frozen=True)
class RuleContext:
    """What a rule's compute may know besides the tables."""

    params: dict[str, Any]
    today: date
    now: datetime  # UTC, naive (the warehouse keeps UTC timestamps without zone)
    region_code: str  # the deployment's regency


@dataclass(frozen=True)
class AlertRule:
    id: str  # stable snake_case; with the subject it names the alert
    sector: str
    kind: str  # one of KINDS
    title: dict[str, str]  # {"id": ..., "en": ...}
    #: What happened and what to do; str.format placeholders name result columns and params. Shown on
    #: dashboards, webhooks and email, so it must never use a personal column (NIK, name, values of a person).
    message: dict[str, str]
    severity: str = "sedang"
    agency: str = ""  # the OPD that must act
    sources: tuple[str, ...] = ()  # warehouse tables the rule reads; skipped (no data) while one is missing
    #: Thresholds by name → default. Their types follow the defaults (None: a number or nothing).
    params: dict[str, Any] = field(default_factory=dict)
    #: record / own place rules: (tables, RuleContext) → rows with columns subject (str), kode_wilayah (str or
    #: null), value (number) and any evidence columns.
    compute: Callable[[Tables, RuleContext], "ir.Table"] | None = None
    #: record rules: the source and column that identify the subject. After a batch of that source only the
    #: subjects it touched are evaluated (a smartwatch reading re-judges one device, not all of them).
    subject_from: tuple[str, str] | None = None
    #: The evidence columns hold personal data: shown only to roles that may see persons, in scope.
    personal: bool = False
    #: place and trend rules over an indicator: its id, the level judged (desa, kecamatan, kabupaten) and,
    #: for trends, what is compared ("numerator": the count of cases; "value": the rate).
    indicator: str | None = None
    level: str = "desa"
    measure: str = "numerator"
    #: Grafana's "pending period": the condition must hold this long before the alert fires (0: at once).
    pending_minutes: float = 0.0
    #: Grafana's "keep firing for": once the condition clears, the alert recovers for this long before resolving.
    keep_firing_minutes: float = 0.0
    #: Not acknowledged within this many hours → escalated one level up (desa → kecamatan → OPD → Sekda).
    sla_hours: float = 24.0
    #: Labels of the rule's alerts beyond the built-in ones (madangan.alerts.routing), e.g. {"keluarga": "gizi"}:
    #: what routes and inhibition rules in the rules file match on.
    labels: dict[str, str] = field(default_factory=dict)
    #: The label the subject is the value of (the platform's stale-source rule: "sumber", the stale source).
    subject_label: str | None = None

    def text(self, lang: str, values: dict[str, Any]) -> str:
        """The message with its placeholders filled (numbers rounded for people)."""
        shown = {k: _shown(v, lang) for k, v in values.items()}
        try:
            return self.message[lang].format(**shown)
        except (KeyError, IndexError, ValueError):
            return self.title[lang]


def _shown(value: Any, lang: str) -> Any:
    if isinstance(value, float):
        text = f"{value:.1f}" if abs(value) < 1000 else f"{value:,.0f}"
        return text.replace(".", ",") if lang == "id" and abs(value) < 1000 else (
            text.replace(",", ".") if lang == "id" else text)
    return value


def indicator_rule(id: str, sector: str, indicator: str, title: dict[str, str], message: dict[str, str], *,
                   above: float | None = None, below: float | None = None, rise_points: float | None = None,
                   level: str = "desa", minimum_denominator: float = 1, **options) -> AlertRule:
    """A place rule over an indicator's facts: the latest month's value above `above`, below `below`, or up by
    more than `rise_points` against the region's previous month with data. Each is a threshold the rules file
    can change (batas_atas, batas_bawah, naik_poin); `penyebut_min` skips regions with too few cases to judge."""
    params = {"batas_atas": above, "batas_bawah": below, "naik_poin": rise_points, "penyebut_min": minimum_denominator}
    return AlertRule(id=id, sector=sector, kind="place", title=title, message=message, indicator=indicator,
                     level=level, params=params, **options)


def trend_rule(id: str, sector: str, indicator: str, title: dict[str, str], message: dict[str, str], *,
               level: str = "kecamatan", measure: str = "numerator", years: int = 3, z: float = 3.0,
               alpha: float = 0.01, small_counts: float = 10.0, minimum: float = 3.0, **options) -> AlertRule:
    """A trend rule: this month's figure against the same month (± 1) of the previous `years` years."""
    params = {"tahun_dasar": years, "ambang_z": z, "alfa": alpha, "hitungan_kecil": small_counts, "minimal": minimum}
    return AlertRule(id=id, sector=sector, kind="trend", title=title, message=message, indicator=indicator,
                     level=level, measure=measure, params=params, **options)
