"""An e-government maturity instrument as data (SPBE 59/2020 today; PEMDI or UN LOSI as other files).

The instrument file (TOML, see data/spbe-2020.toml) holds domains, aspects and indicators with
their weights, the level scale with names and descriptions, and the predicate cut-offs. It is
validated on load: weights add up to 100 %, every aspect and domain weight equals the sum of its
parts, every indicator sits in one known aspect. A malformed file is refused with the field named.

The index is Σ level × weight / Σ weight; aspect and domain indices are the same restricted to
their indicators. The published index is that value rounded half-up to `decimals` places (two for
SPBE), and the predicate is read from the rounded index (as KemenPANRB publishes both).

What differs between instruments is data too, so a new instrument is a new file, never new code:

- `weight_total`: what the indicator weights add up to (100 for percent weights; 86 for UN LOSI's
  86 equally weighted binary indicators, whose index is then the share of features present);
- `decimals`: places of the published index (SPBE 2, LOSI 4);
- `scale` and `levels`: 1–5 maturity for SPBE and PEMDI, 0–1 (absent/present) for LOSI;
- `[[surveys]]`: an indicator whose level comes from a survey (PEMDI aspect 9, user satisfaction):
  value = mean of the "benefit" answers − mean of the "cost" answers, turned into a level by the
  file's bands;
- `verified = false` on an aspect or indicator marks a name or text not yet seen in a source
  (the file's header says what is known).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from madangan.errors import UserError
from madangan.sectors.spbe.text import tr

DEFAULT_INSTRUMENT = "spbe-2020"
TWO_PLACES = Decimal("0.01")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Strict):
    level: int
    name: str


class Predicate(_Strict):
    name: str
    min: Decimal


class Scale(_Strict):
    min: int
    max: int


class SurveyItem(_Strict):
    id: str
    name: str
    kind: Literal["benefit", "cost"] = "benefit"


class SurveyBand(_Strict):
    min: Decimal  # lowest survey value that earns `level`
    level: int


class Survey(_Strict):
    """An indicator scored from a survey: mean(benefit answers) − mean(cost answers) → a level."""

    id: str
    indicator: str
    name: str
    scale: Scale  # of each answer (e.g. 1 Sangat Buruk … 5 Sangat Baik)
    items: tuple[SurveyItem, ...]
    bands: tuple[SurveyBand, ...]  # best first; the last one's min is the lowest possible value
    verified_bands: bool = True


class Domain(_Strict):
    id: str
    name: str
    weight: Decimal = Field(gt=0)
    level_descriptions: str | None = None


class Aspect(_Strict):
    id: str
    domain: str
    name: str
    weight: Decimal = Field(gt=0)
    verified: bool = True  # the name was seen in a source


class Indicator(_Strict):
    id: str
    aspect: str
    name: str
    weight: Decimal = Field(gt=0)
    weight_derived: bool = False  # derived from a verified total (or a placeholder), not printed by a source
    verified: bool = True  # the name/text was seen in a source


class Instrument(_Strict):
    id: str
    version: str
    name: str
    regulation: str = ""
    formula: str = ""
    label: str = "Indeks"  # how the index is called in Bahasa Indonesia ("Indeks SPBE")
    label_en: str = "Index"
    weight_total: Decimal = Field(Decimal(100), gt=0)  # what indicator weights add up to
    decimals: int = Field(2, ge=0, le=6)  # places of the published index
    sources: tuple[str, ...] = ()
    scale: Scale
    levels: tuple[Level, ...]
    predicates: tuple[Predicate, ...]
    level_descriptions: dict[str, dict[int, str]] = {}
    domains: tuple[Domain, ...]
    aspects: tuple[Aspect, ...]
    indicators: tuple[Indicator, ...]
    surveys: tuple[Survey, ...] = ()

    @field_validator("levels", "predicates", "domains", "aspects", "indicators")
    @classmethod
    def _not_empty(cls, value):
        if not value:
            raise ValueError(tr("tidak boleh kosong", "must not be empty"))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        for kind in ("domains", "aspects", "indicators"):
            ids = [item.id for item in getattr(self, kind)]
            if duplicate := sorted({i for i in ids if ids.count(i) > 1}):
                raise ValueError(tr(f"{kind}: id ganda {duplicate}", f"{kind}: duplicate id {duplicate}"))
        domains = {d.id: d for d in self.domains}
        aspects = {a.id: a for a in self.aspects}
        for a in self.aspects:
            if a.domain not in domains:
                raise ValueError(tr(f"aspects[{a.id}].domain: domain '{a.domain}' tidak ada",
                                    f"aspects[{a.id}].domain: no domain '{a.domain}'"))
        for i in self.indicators:
            if i.aspect not in aspects:
                raise ValueError(tr(f"indicators[{i.id}].aspect: aspek '{i.aspect}' tidak ada",
                                    f"indicators[{i.id}].aspect: no aspect '{i.aspect}'"))
        for d in self.domains:
            if d.level_descriptions is not None and d.level_descriptions not in self.level_descriptions:
                raise ValueError(tr(f"domains[{d.id}].level_descriptions: '{d.level_descriptions}' tidak ada",
                                    f"domains[{d.id}].level_descriptions: no '{d.level_descriptions}'"))
        for a in self.aspects:
            parts = sum(i.weight for i in self.indicators if i.aspect == a.id)
            if parts != a.weight:
                raise ValueError(tr(f"aspects[{a.id}].weight: {a.weight} % tetapi bobot indikatornya berjumlah {parts} %",
                                    f"aspects[{a.id}].weight: {a.weight} % but its indicators add up to {parts} %"))
        for d in self.domains:
            parts = sum(a.weight for a in self.aspects if a.domain == d.id)
            if parts != d.weight:
                raise ValueError(tr(f"domains[{d.id}].weight: {d.weight} % tetapi bobot aspeknya berjumlah {parts} %",
                                    f"domains[{d.id}].weight: {d.weight} % but its aspects add up to {parts} %"))
        total = sum(i.weight for i in self.indicators)
        if total != self.weight_total:
            raise ValueError(tr(f"indicators.weight: jumlah bobot indikator {total}, harus {self.weight_total} (weight_total)",
                                f"indicators.weight: indicator weights add up to {total}, not {self.weight_total} (weight_total)"))
        if [lv.level for lv in self.levels] != list(range(self.scale.min, self.scale.max + 1)):
            raise ValueError(tr(f"levels: harus tepat tingkat {self.scale.min}–{self.scale.max}, berurutan",
                                f"levels: must be exactly levels {self.scale.min}–{self.scale.max}, in order"))
        cut = [p.min for p in self.predicates]
        if cut != sorted(cut, reverse=True) or len(set(cut)) != len(cut) or cut[-1] > 0:
            raise ValueError(tr("predicates.min: harus menurun tegas dan yang terakhir 0",
                                "predicates.min: must strictly decrease and end at 0"))
        indicator_ids = {i.id for i in self.indicators}
        seen_items: set[str] = set()
        for n, survey in enumerate(self.surveys):
            where = f"surveys[{survey.id}]"
            if survey.indicator not in indicator_ids:
                raise ValueError(tr(f"{where}.indicator: indikator '{survey.indicator}' tidak ada",
                                    f"{where}.indicator: no indicator '{survey.indicator}'"))
            if [s.indicator for s in self.surveys].count(survey.indicator) > 1:
                raise ValueError(tr(f"{where}.indicator: indikator '{survey.indicator}' sudah punya survei",
                                    f"{where}.indicator: indicator '{survey.indicator}' already has a survey"))
            if not any(item.kind == "benefit" for item in survey.items):
                raise ValueError(tr(f"{where}.items: perlu sedikitnya satu butir 'benefit'",
                                    f"{where}.items: needs at least one 'benefit' item"))
            for item in survey.items:
                if item.id in seen_items or item.id in indicator_ids:
                    raise ValueError(tr(f"{where}.items: id '{item.id}' ganda atau sama dengan indikator",
                                        f"{where}.items: id '{item.id}' is a duplicate or an indicator id"))
                seen_items.add(item.id)
            cut = [b.min for b in survey.bands]
            if not cut or cut != sorted(cut, reverse=True) or len(set(cut)) != len(cut) or cut[-1] > self._survey_floor(survey):
                raise ValueError(tr(f"{where}.bands: min harus menurun tegas dan yang terakhir ≤ nilai terendah {self._survey_floor(survey)}",
                                    f"{where}.bands: min must strictly decrease and the last be ≤ the lowest value {self._survey_floor(survey)}"))
            for band in survey.bands:
                if not self.scale.min <= band.level <= self.scale.max:
                    raise ValueError(tr(f"{where}.bands: tingkat {band.level} di luar skala {self.scale.min}–{self.scale.max}",
                                        f"{where}.bands: level {band.level} is outside {self.scale.min}–{self.scale.max}"))
        return self

    @staticmethod
    def _survey_floor(survey: Survey) -> Decimal:
        """The lowest value a survey can give: every benefit at the bottom, every cost at the top."""
        has_cost = any(item.kind == "cost" for item in survey.items)
        return Decimal(survey.scale.min - (survey.scale.max if has_cost else 0))

    # --- lookups ------------------------------------------------------------------------

    def indicator(self, indicator_id: str) -> Indicator:
        for i in self.indicators:
            if i.id == indicator_id:
                return i
        raise UserError(tr(f"Indikator '{indicator_id}' tidak ada di instrumen {self.id}.",
                           f"Indicator '{indicator_id}' is not in instrument {self.id}."))

    def aspect_of(self, indicator: Indicator) -> Aspect:
        return next(a for a in self.aspects if a.id == indicator.aspect)

    def domain_of(self, indicator: Indicator) -> Domain:
        aspect = self.aspect_of(indicator)
        return next(d for d in self.domains if d.id == aspect.domain)

    def level_name(self, level: int) -> str:
        return next((lv.name for lv in self.levels if lv.level == level), str(level))

    def level_description(self, indicator: Indicator, level: int) -> str:
        key = self.domain_of(indicator).level_descriptions
        return self.level_descriptions.get(key, {}).get(level, "") if key else ""

    @property
    def unit(self) -> str:
        """How weights print: '%' when they add up to 100."""
        return "%" if self.weight_total == 100 else ""

    def round(self, value: Decimal) -> Decimal:
        return value.quantize(Decimal(1).scaleb(-self.decimals), ROUND_HALF_UP)

    # --- surveys ------------------------------------------------------------------------

    def survey_for(self, item_or_indicator: str) -> Survey | None:
        return next((s for s in self.surveys if s.indicator == item_or_indicator or s.id == item_or_indicator
                     or any(i.id == item_or_indicator for i in s.items)), None)

    def survey_value(self, survey: Survey, answers: dict[str, list[Decimal]] | dict[str, Decimal]) -> SurveyResult:
        """Mean of the benefit answers − mean of the cost answers, and the level it earns.

        `answers` maps item id to one value (an item mean) or to every respondent's answer.
        """
        items = {i.id: i for i in survey.items}
        pooled: dict[str, list[Decimal]] = {"benefit": [], "cost": []}
        for item_id, given in answers.items():
            if item_id not in items:
                raise UserError(tr(f"Survei {survey.id}: butir '{item_id}' tidak dikenal; butirnya {', '.join(items)}.",
                                   f"Survey {survey.id}: unknown item '{item_id}'; its items are {', '.join(items)}."))
            for value in (given if isinstance(given, (list, tuple)) else [given]):
                value = Decimal(str(value))
                if not survey.scale.min <= value <= survey.scale.max:
                    raise UserError(tr(f"Survei {survey.id}, butir {item_id}: nilai {value} di luar {survey.scale.min}–{survey.scale.max}.",
                                       f"Survey {survey.id}, item {item_id}: value {value} is outside {survey.scale.min}–{survey.scale.max}."))
                pooled[items[item_id].kind].append(value)
        kinds = {i.kind for i in survey.items}
        if missing := [k for k in sorted(kinds) if not pooled[k]]:
            raise UserError(tr(f"Survei {survey.id}: belum ada jawaban butir {' dan '.join(missing)}.",
                               f"Survey {survey.id}: no answers for the {' and '.join(missing)} items."))
        benefit = sum(pooled["benefit"]) / len(pooled["benefit"])
        cost = sum(pooled["cost"]) / len(pooled["cost"]) if pooled["cost"] else Decimal(0)
        value = benefit - cost
        level = next(b.level for b in survey.bands if value >= b.min)
        return SurveyResult(survey.id, survey.indicator, benefit, cost, value, level)

    def predicate(self, index: Decimal) -> str:
        return next(p.name for p in self.predicates if index >= p.min)

    def next_predicate(self, index: Decimal) -> Predicate | None:
        """The next predicate up from `index`, or None at the top."""
        above = [p for p in self.predicates if p.min > index]
        return above[-1] if above else None

    def check_level(self, indicator_id: str, level: int) -> None:
        if not self.scale.min <= level <= self.scale.max:
            raise UserError(tr(f"Indikator {indicator_id}: tingkat {level} di luar skala {self.scale.min}–{self.scale.max}.",
                               f"Indicator {indicator_id}: level {level} is outside {self.scale.min}–{self.scale.max}."))

    # --- the index ----------------------------------------------------------------------

    def score(self, levels: dict[str, int], partial: bool = False) -> Score:
        """Index, domain and aspect indices and predicate for levels by indicator id.

        Every indicator needs a level unless `partial` (a draft): then a missing one counts as 0
        and the result lists it, so the index is a lower bound.
        """
        known = {i.id for i in self.indicators}
        if unknown := sorted(set(levels) - known, key=_natural):
            raise UserError(tr(f"Indikator tidak dikenal di instrumen {self.id}: {', '.join(unknown)}.",
                               f"Unknown indicators for instrument {self.id}: {', '.join(unknown)}."))
        for indicator_id, level in levels.items():
            self.check_level(indicator_id, level)
        missing = [i.id for i in self.indicators if i.id not in levels]
        if missing and not partial:
            raise UserError(tr(f"Tingkat belum diisi untuk indikator {', '.join(missing)}.",
                               f"No level given for indicators {', '.join(missing)}."))

        weighted = {i.id: Decimal(levels.get(i.id, 0)) * i.weight for i in self.indicators}
        aspects = {a.id: sum(weighted[i.id] for i in self.indicators if i.aspect == a.id) for a in self.aspects}
        domains = {d.id: sum(aspects[a.id] for a in self.aspects if a.domain == d.id) for d in self.domains}
        # every weight total equals its parts (checked on load), so each index is its sum / its weight
        exact = sum(domains.values()) / sum(d.weight for d in self.domains)
        index = self.round(exact)
        return Score(
            instrument=self.id, exact=exact, index=index, predicate=self.predicate(index),
            domains={d.id: domains[d.id] / d.weight for d in self.domains},
            aspects={a.id: aspects[a.id] / a.weight for a in self.aspects},
            missing=tuple(missing),
        )


@dataclass(frozen=True)
class SurveyResult:
    survey: str
    indicator: str
    benefit: Decimal  # nk: mean of the benefit answers
    cost: Decimal  # nb: mean of the cost answers (0 without cost items)
    value: Decimal  # nk − nb
    level: int


@dataclass(frozen=True)
class Score:
    instrument: str
    exact: Decimal  # Σ level × weight / Σ weight, unrounded
    index: Decimal  # rounded half-up to 2 decimals, as published
    predicate: str
    domains: dict[str, Decimal]
    aspects: dict[str, Decimal]
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"instrument": self.instrument, "index": float(self.index), "predicate": self.predicate,
                "domains": {k: round(float(v), 2) for k, v in self.domains.items()},
                "aspects": {k: round(float(v), 2) for k, v in self.aspects.items()},
                "missing": list(self.missing)}


def _natural(text: str):
    return (0, int(text)) if text.isdigit() else (1, text)


def parse(raw: dict, where: str) -> Instrument:
    """An instrument from its parsed file; a malformed one is refused naming the field and why."""
    try:
        return Instrument.model_validate(_with_string_keys(raw))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{field}: {message}" if field else message)
        raise UserError(tr(f"Instrumen {where} tidak sah: ", f"Instrument {where} is invalid: ") + "; ".join(problems)) from None


def _with_string_keys(raw: dict) -> dict:
    """TOML keys of level descriptions are strings ("1"); the model wants the level as int."""
    raw = dict(raw)
    if "level_descriptions" in raw:
        raw["level_descriptions"] = {name: {int(k) if str(k).isdigit() else k: v for k, v in levels.items()}
                                     for name, levels in raw["level_descriptions"].items()}
    return raw


def load_file(path: Path) -> Instrument:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(tr(f"Berkas instrumen {path} tidak ditemukan.", f"Instrument file {path} not found.")) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(tr(f"Instrumen {path.name} bukan TOML yang sah: {exc}", f"Instrument {path.name} is not valid TOML: {exc}")) from None
    return parse(raw, path.name)


def shipped() -> list[str]:
    """The instruments shipped with Madangan, by id."""
    folder = resources.files("madangan.sectors.spbe") / "data"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml") and p.name != "katalog.toml")


@cache
def load(instrument_id: str = DEFAULT_INSTRUMENT) -> Instrument:
    """A shipped instrument by id (e.g. 'spbe-2020', 'pemdi-2025', 'losi-2022') or a region's own file (a .toml path)."""
    if instrument_id.endswith(".toml"):
        return load_file(Path(instrument_id))
    if instrument_id not in shipped():
        raise UserError(tr(f"Instrumen '{instrument_id}' tidak dikenal; tersedia: {', '.join(shipped())}.",
                           f"Unknown instrument '{instrument_id}'; available: {', '.join(shipped())}."))
    path = resources.files("madangan.sectors.spbe") / "data" / f"{instrument_id}.toml"
    return parse(tomllib.loads(path.read_text(encoding="utf-8")), f"{instrument_id}.toml")
