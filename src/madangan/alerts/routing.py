"""Labels, matchers and inhibition: who hears an alert, and which alerts another one makes redundant.

As in Prometheus' Alertmanager, every alert carries labels, and the rules file routes and inhibits by them:

    [[penerima]]                  # a receiver, named once, used by several routes
    nama = "Dinkes"
    webhook = "http://gateway.local/kirim"
    templat = "chat"

    [[rute]]                      # routes are tried in order; every matching route notifies its receiver
    nama = "Darurat kesehatan Kec. Jatinangor"
    penerima = "Dinkes"
    cocok = {sektor = "health", keparahan = ["darurat", "tinggi"], kecamatan = "32.11.01"}
    berhenti = true               # a match here ends the search (Alertmanager's continue = false)

    [[hambat]]                    # inhibition: while a `sumber` alert is open, `sasaran` alerts notify nobody
    nama = "Stunting desa meredam peringatan per anak"
    sumber = {aturan = "stunting_desa_tinggi"}
    sasaran = {keluarga = "gizi", jenis = "record"}
    sama = ["desa"]               # … of the same desa

A matcher's value is a string (equal), a list (any of), "!x" (not x) or "~regex" (the whole value matches).
The labels of an alert (`labels`):

- aturan, sektor, jenis (record, place, trend), keparahan, opd, tingkat (desa, kecamatan, opd, sekda)
- wilayah (its region code), kecamatan and desa (the codes it lies in, when it is that deep)
- sumber: the sources the rule reads — for the platform's "source not updated" rule, the stale source
  itself — so `sama = ["sumber"]` pairs that alert with every alert computed from the source
- whatever the rule declares in `AlertRule.labels` (e.g. keluarga = "gizi") or the rules file adds in
  `[aturan.ID] label = {…}`

A label may hold several values (the sources of a rule reading two): a matcher holds when one value matches,
and `sama` holds when the two alerts share one value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from madangan.alerts.rules import EffectiveRule

Labels = dict[str, tuple[str, ...]]
Matchers = dict[str, "str | list[str]"]

#: Labels every alert has (a rule or the rules file may add its own).
BUILT_IN = ("aturan", "sektor", "jenis", "keparahan", "opd", "tingkat", "wilayah", "kecamatan", "desa", "sumber")
#: Labels that identify the rule rather than the subject: what `sumber` matchers of an inhibition can narrow
#: before any alert is read.
RULE_LABELS = ("aturan", "sektor", "jenis", "keparahan", "opd")


def labels(rule: EffectiveRule, region: str | None, level: str | None = None, subject: str | None = None) -> Labels:
    """The labels of an alert of `rule` in `region` (at escalation `level`, about `subject`)."""
    out: Labels = {
        "aturan": (rule.id,), "sektor": (rule.rule.sector,), "jenis": (rule.rule.kind,),
        "keparahan": (rule.severity,), "opd": (rule.rule.agency,) if rule.rule.agency else (),
        "tingkat": (level,) if level else (), "wilayah": (region,) if region else (),
        "kecamatan": (), "desa": (),
        "sumber": _sources(rule),
    }
    if region:
        parts = region.split(".")
        if len(parts) >= 3:
            out["kecamatan"] = (".".join(parts[:3]),)
        if len(parts) >= 4:
            out["desa"] = (region,)
    if rule.rule.subject_label and subject:
        out[rule.rule.subject_label] = (subject,)
    for name, value in {**rule.rule.labels, **rule.labels}.items():
        out[name] = tuple(value) if isinstance(value, (list, tuple)) else (str(value),)
    return out


_SOURCES: dict[tuple, tuple[str, ...]] = {}


def _sources(rule: EffectiveRule) -> tuple[str, ...]:
    """The agency sources the rule's alerts are computed from (an indicator rule: the indicator's)."""
    key = (rule.id, rule.rule.indicator, rule.rule.sources)
    if key not in _SOURCES:
        from madangan.alerts.evaluate import _sources as needed
        from madangan.indicators.engine import FACT_TABLE

        _SOURCES[key] = tuple(sorted(s for s in needed(rule) if not s.startswith("_") and s != FACT_TABLE))
    return _SOURCES[key]


def matcher_problem(matchers: Matchers) -> str | None:
    """None when every matcher is well formed; else what is wrong, naming the label."""
    for name, wanted in matchers.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if not values:
            return f"{name}: daftar kosong (empty list)"
        for value in values:
            if not isinstance(value, str):
                return f"{name}: harus teks atau daftar teks (must be a string or a list of strings)"
            if value.startswith("~"):
                try:
                    re.compile(value[1:])
                except re.error as exc:
                    return f"{name}: regex tidak sah: {exc} (invalid regex)"
    return None


def _one(value: str, have: tuple[str, ...]) -> bool:
    if value.startswith("!"):
        return value[1:] not in have
    if value.startswith("~"):
        pattern = re.compile(value[1:])
        return any(pattern.fullmatch(v) for v in have)
    return value in have


def matches(matchers: Matchers, have: Labels) -> bool:
    """Every matcher holds on the labels (a list: any of its values)."""
    for name, wanted in matchers.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        got = have.get(name, ())
        if not any(_one(v, got) for v in values):
            return False
    return True


def _rule_may_match(matchers: Matchers, rule: EffectiveRule) -> bool:
    """Whether alerts of `rule` can match (judging only the labels the rule alone fixes)."""
    fixed = labels(rule, None)
    return matches({k: v for k, v in matchers.items() if k in RULE_LABELS or k in rule.rule.labels
                    or k in rule.labels}, fixed)


@dataclass(frozen=True)
class Inhibitor:
    """An open alert that mutes another's notifications, and the inhibition rule that says so."""

    alert_id: int
    rule_id: str
    kode_wilayah: str | None
    inhibition: str  # the inhibition rule's name


@dataclass(frozen=True)
class OpenAlert:
    """A firing alert that may inhibit others, with its labels."""

    alert_id: int
    rule_id: str
    kode_wilayah: str | None
    labels: Labels


def open_alerts(ruleset, rows: Iterable[tuple[int, str, str | None, str, int]]) -> list[OpenAlert]:
    """(id, rule_id, kode_wilayah, subject, escalation level) rows as `OpenAlert`s (labels computed once)."""
    from madangan.alerts import LEVELS

    return [OpenAlert(i, r, region, labels(ruleset.rules[r], region, LEVELS[min(level, len(LEVELS) - 1)], subject))
            for i, r, region, subject, level in rows if r in ruleset.rules]


def inhibitors(ruleset, target: Labels, candidates: list[OpenAlert], exclude: int | None = None) -> list[Inhibitor]:
    """The open alerts that inhibit an alert with labels `target`, under the rule set's inhibition rules."""
    found = []
    for h in ruleset.inhibitions:
        if not matches(h.sasaran, target):
            continue
        for c in candidates:
            if c.alert_id == exclude or not matches(h.sumber, c.labels):
                continue
            if all(set(c.labels.get(n, ())) & set(target.get(n, ())) for n in h.sama):
                found.append(Inhibitor(c.alert_id, c.rule_id, c.kode_wilayah, h.nama))
    return found


def source_rule_ids(ruleset) -> set[str]:
    """The rules whose alerts may inhibit others (the only open alerts worth reading)."""
    return {r.id for h in ruleset.inhibitions for r in ruleset.rules.values() if _rule_may_match(h.sumber, r)}
