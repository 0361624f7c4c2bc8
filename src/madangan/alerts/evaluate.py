"""Evaluate alert rules over the warehouse and bring the alerts in line.

    evaluate(settings, engine)                       every rule (`madangan alerts evaluate`)
    evaluate(..., change=BatchChange, con=con)       after a batch: the rules that read its source; record
                                                     rules with `subject_from` only for the subjects it touched

Then: notifications are queued for what fired, escalated or resolved (madangan.alerts.notify), and open
dashboards hear of every change at once (madangan.alerts.stream).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import ibis

from madangan import warehouse
from madangan.alerts import RuleContext
from madangan.alerts.baseline import judge
from madangan.alerts.rules import EffectiveRule, RuleSet
from madangan.alerts.store import Match, apply, mark_rule

FACT_TABLE = "fakta_indikator"
Step = Callable[[str], None]


@dataclass
class RuleOutcome:
    rule: str
    health: str  # ok, no_data, error, skipped
    matches: int = 0
    seconds: float = 0.0
    message: str | None = None


@dataclass
class EvaluationResult:
    outcomes: list[RuleOutcome] = field(default_factory=list)
    events: list[tuple[int, int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, kind: str) -> int:
        return sum(1 for _, _, k in self.events if k == kind)


def _sources(rule: EffectiveRule) -> set[str]:
    """Warehouse tables the rule needs (an indicator rule: the facts, and the indicator's own sources)."""
    needed = set(rule.rule.sources)
    if rule.rule.indicator:
        from madangan.indicators.engine import indicators

        needed.add(FACT_TABLE)
        found = indicators().get(rule.rule.indicator)
        if found is not None:
            needed |= set(found.sources)
    return needed


def reads(rule: EffectiveRule, source: str) -> bool:
    return source in _sources(rule)


def evaluate(settings, engine, ruleset: RuleSet | None = None, *, only: list[str] | None = None, change=None,
             con=None, at: datetime | None = None, today: date | None = None, actor: str = "evaluate",
             step: Step = lambda _: None, notify: bool = True) -> EvaluationResult:
    from madangan.alerts import notify as notifier
    from madangan.alerts import rules as rules_module
    from madangan.alerts import stream

    started = time.perf_counter()
    ruleset = ruleset or rules_module.load(settings)
    at = at or datetime.now(UTC)
    today = today or at.date()
    own = con is None
    con = con or warehouse.connect(settings.warehouse)
    result = EvaluationResult()
    try:
        present = set(con.list_tables())
        regency = _regency(con, present)
        names = _region_names(con, present)
        for rule in ruleset.rules.values():
            if not rule.enabled or (only is not None and rule.id not in only):
                continue
            if change is not None and not reads(rule, change.contract.name):
                continue
            step(rule.id)
            t0 = time.perf_counter()
            missing = sorted(_sources(rule) - present)
            if missing:
                outcome = RuleOutcome(rule.id, "no_data", message="Sumber belum dimuat (not loaded): " + ", ".join(missing))
                changes = mark_rule(engine, rule, "no_data", at, actor, message=outcome.message)
            else:
                ctx = RuleContext(params=rule.params, today=today, now=at.astimezone(UTC).replace(tzinfo=None),
                                  region_code=regency or "")
                try:
                    matches, subjects = _matches(con, rule, ctx, names, change)
                except Exception as exc:  # noqa: BLE001 - a broken rule is shown as an error alert, not a crash
                    message = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
                    outcome = RuleOutcome(rule.id, "error", message=message)
                    changes = mark_rule(engine, rule, "error", at, actor, time.perf_counter() - t0, message=message)
                else:
                    changes = apply(engine, rule, matches, at, actor, subjects)
                    outcome = RuleOutcome(rule.id, "ok", len(matches))
                    mark_rule(engine, rule, "ok", at, actor, time.perf_counter() - t0, len(matches))
            outcome.seconds = time.perf_counter() - t0
            result.outcomes.append(outcome)
            result.events.extend(changes.events)
            if changes.events:
                if notify:
                    notifier.enqueue(engine, ruleset, changes)
                stream.announce()
    finally:
        if own:
            con.disconnect()
    result.seconds = time.perf_counter() - started
    return result


def _regency(con, present) -> str | None:
    if warehouse.REGION_TABLE not in present:
        return None
    found = con.con.execute(f"SELECT code FROM {warehouse.REGION_TABLE} WHERE level IN ('kabupaten', 'kota')").fetchall()
    return found[0][0] if found else None


def _region_names(con, present) -> dict[str, str]:
    if warehouse.REGION_TABLE not in present:
        return {}
    return dict(con.con.execute(f"SELECT code, name FROM {warehouse.REGION_TABLE}").fetchall())


def _matches(con, rule: EffectiveRule, ctx: RuleContext, names: dict[str, str], change) -> tuple[dict[str, Match], set[str] | None]:
    if rule.rule.indicator and rule.rule.kind == "place":
        rows = _indicator_place(con, rule)
        subjects = None
    elif rule.rule.kind == "trend":
        rows = _trend(con, rule)
        subjects = None
    else:
        tables = {name: con.table(name) for name in rule.rule.sources}
        subjects = None
        if change is not None and rule.rule.subject_from and rule.rule.subject_from[0] == change.contract.name:
            source, column = rule.rule.subject_from
            touched = change.rows.select(column).distinct().to_pyarrow()[column].to_pylist()
            subjects = {str(s) for s in touched if s is not None}
            # a subquery on the batch's rows, not a list of thousands of literals (compiling that costs seconds)
            tables[source] = tables[source].filter(tables[source][column].isin(change.rows[column]))
        frame = rule.rule.compute(tables, ctx).to_pyarrow().to_pylist()
        rows = frame
    if subjects is not None and rule.rule.personal:
        subjects = {subject_key(rule, s) for s in subjects}
    matches: dict[str, Match] = {}
    for row in rows:
        subject = str(row.pop("subject"))
        if rule.rule.personal:
            subject = subject_key(rule, subject)
        region = row.pop("kode_wilayah", None)
        value = row.pop("value", None)
        value = float(value) if value is not None and not (isinstance(value, float) and math.isnan(value)) else None
        values = {**rule.params, **row, "nilai": value, "wilayah": names.get(region or "", region or "-"),
                  "kode_wilayah": region or "-"}
        evidence = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        matches[subject] = Match(subject, region, value, rule.rule.text("id", values), rule.rule.text("en", values),
                                 evidence)
    return matches, subjects


def subject_key(rule: EffectiveRule, subject: str) -> str:
    """A person's alert is named by a keyed hash, not by the NIK: the id travels in URLs, feeds and logs."""
    return "h" + hashlib.sha256(f"{rule.id}:{subject}".encode()).hexdigest()[:24]


def _indicator_place(con, rule: EffectiveRule) -> list[dict]:
    """The latest month per region (with enough cases) against the thresholds and the previous month."""
    p = rule.params
    facts = con.table(FACT_TABLE)
    f = facts.filter((facts.indicator == rule.rule.indicator) & (facts.level == rule.rule.level)
                     & (facts.dimensi == "") & facts.value.notnull()
                     & (facts.denominator >= (p.get("penyebut_min") or 0)))
    w = ibis.window(group_by=f.kode_wilayah, order_by=ibis.desc(f.bulan))
    f = f.mutate(_n=ibis.row_number().over(w), sebelumnya=f.value.lead().over(w),
                 bulan_sebelumnya=f.bulan.lead().over(w))
    latest = f.filter(f._n == 0)
    conditions = []
    if p.get("batas_atas") is not None:
        conditions.append(latest.value > p["batas_atas"])
    if p.get("batas_bawah") is not None:
        conditions.append(latest.value < p["batas_bawah"])
    if p.get("naik_poin") is not None:
        conditions.append((latest.value - latest.sebelumnya) > p["naik_poin"])
    if not conditions:
        return []
    hit = conditions[0]
    for c in conditions[1:]:
        hit = hit | c
    out = latest.filter(hit.fill_null(False)).select(
        subject=latest.kode_wilayah, kode_wilayah=latest.kode_wilayah, value=latest.value,
        bulan=latest.bulan.cast("string").substr(0, 7), sebelumnya=latest.sebelumnya,
        perubahan=latest.value - latest.sebelumnya, numerator=latest.numerator, denominator=latest.denominator)
    rows = out.to_pyarrow().to_pylist()
    for r in rows:
        for k in ("sebelumnya", "perubahan"):
            if r[k] is None:
                r[k] = float("nan")
    return rows


def _trend(con, rule: EffectiveRule) -> list[dict]:
    """This month per region against the same month ± 1 of the previous years (robust, see baseline.py)."""
    p = rule.params
    facts = con.table(FACT_TABLE)
    f = facts.filter((facts.indicator == rule.rule.indicator) & (facts.level == rule.rule.level) & (facts.dimensi == ""))
    frame = f.select("kode_wilayah", "bulan", measure=f[rule.rule.measure]).to_pyarrow().to_pylist()
    if not frame:
        return []
    latest = max(r["bulan"] for r in frame)
    years = int(p.get("tahun_dasar") or 3)
    window = set()
    for back in range(1, years + 1):
        for shift in (-1, 0, 1):
            month = latest.month + shift
            year = latest.year - back + (month - 1) // 12
            window.add((year, (month - 1) % 12 + 1))
    current: dict[str, float] = {}
    history: dict[str, list[float]] = {}
    for r in frame:
        key = r["kode_wilayah"]
        if r["bulan"] == latest:
            current[key] = r["measure"]
        elif (r["bulan"].year, r["bulan"].month) in window:
            history.setdefault(key, []).append(r["measure"])
    rows = []
    for region, value in current.items():
        verdict = judge(value, history.get(region, []), z=p.get("ambang_z") or 3.0, alpha=p.get("alfa") or 0.01,
                        small_counts=p.get("hitungan_kecil") or 10.0, minimum=p.get("minimal") or 0.0)
        if verdict is None or not verdict.anomaly:
            continue
        rows.append({"subject": region, "kode_wilayah": region, "value": value, "bulan": latest.isoformat()[:7],
                     "median_dasar": verdict.median, "skor": round(verdict.score, 2), "metode": verdict.method,
                     "n_dasar": verdict.baseline_n})
    return rows
