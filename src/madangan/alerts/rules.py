"""The rules in force: what sectors declare, with the deployment's rules file (`peringatan.toml`) on top.

    [aturan.gizi_buruk]          # one table per rule id; every key is optional
    aktif = true
    keparahan = "darurat"        # darurat, tinggi, sedang, rendah
    tunda_menit = 0              # "for": the condition must hold this long before firing
    tahan_menit = 0              # "keep firing for": recovering this long before resolved
    sla_jam = 24                 # not acknowledged within → escalated one level
    batas_whz = -3.0             # any of the rule's own thresholds (`madangan alerts rules` lists them)

    [[rute]]                     # where notifications go (see madangan.alerts.notify)
    nama = "Grup WA Dinkes"
    webhook = "http://gateway.local/kirim"
    templat = "chat"             # json (default), chat, or a Jinja2 template that renders JSON
    sektor = ["health"]          # default: every sector
    wilayah = "32.11.01"         # alerts in this region (default: all)
    keparahan_min = "tinggi"     # default: rendah (all)
    tingkat = ["desa", "kecamatan"]   # escalation levels served (default: all)

    [[penerima]]                 # a receiver several routes share (webhook and/or surel, templat, header)
    nama = "Dinkes"
    surel = ["kadis@dinkes.go.id"]

    [[rute]]                     # by labels (madangan.alerts.routing), to a named receiver
    nama = "Darurat Jatinangor"
    penerima = "Dinkes"
    cocok = {keparahan = ["darurat", "tinggi"], kecamatan = "32.11.01"}
    berhenti = true              # a match ends the search (later routes are not tried)

    [[hambat]]                   # inhibition: an open `sumber` alert mutes the `sasaran` alerts' notifications
    sumber = {aturan = "sumber_basi"}
    sasaran = {jenis = ["record", "place", "trend"]}
    sama = ["sumber"]            # the alerts computed from the stale source

    [surel]                      # SMTP for routes with `surel = ["a@b"]`
    host = "127.0.0.1"
    port = 25

The file is checked whole when it is read; the first wrong field is named ("aturan.gizi_buruk.batas_whz: …").
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from madangan.alerts import KINDS, LEVELS, SEVERITIES, AlertRule
from madangan.errors import UserError

RULES_FILE = "peringatan.toml"
FILE_ENV = "MADANGAN_ALERTS_FILE"

Severity = Literal["darurat", "tinggi", "sedang", "rendah"]
Level = Literal["desa", "kecamatan", "opd", "sekda"]


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nama: str
    webhook: str | None = None
    templat: str = "json"
    surel: list[str] = Field(default_factory=list)
    sektor: list[str] = Field(default_factory=list)
    aturan: list[str] = Field(default_factory=list)
    wilayah: str | None = None
    keparahan_min: Severity = "rendah"
    tingkat: list[Level] = Field(default_factory=lambda: list(LEVELS))
    header: dict[str, str] = Field(default_factory=dict)  # extra HTTP headers (a gateway's API key)
    #: label matchers (madangan.alerts.routing): every one must hold
    cocok: dict[str, str | list[str]] = Field(default_factory=dict)
    #: a `[[penerima]]` by name: its webhook, addresses, template and headers
    penerima: str | None = None
    #: a match here ends the search: the routes after this one are not tried (Alertmanager's continue = false)
    berhenti: bool = False

    @field_validator("webhook")
    @classmethod
    def _http(cls, value):
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("harus diawali http:// atau https:// (must start with http:// or https://)")
        return value

    @field_validator("surel")
    @classmethod
    def _emails(cls, value):
        for address in value:
            if "@" not in address or " " in address:
                raise ValueError(f"alamat surel tidak sah: {address!r} (not an email address)")
        return value

    def matches(self, rule: "EffectiveRule", region: str | None, level: str, subject: str | None = None) -> bool:
        if self.cocok:
            from madangan.alerts.routing import labels, matches

            if not matches(self.cocok, labels(rule, region, level, subject)):
                return False
        if self.sektor and rule.rule.sector not in self.sektor:
            return False
        if self.aturan and rule.id not in self.aturan:
            return False
        if SEVERITIES.index(rule.severity) > SEVERITIES.index(self.keparahan_min):
            return False
        if level not in self.tingkat:
            return False
        if self.wilayah and region and not (region == self.wilayah or region.startswith(self.wilayah + ".")
                                            or self.wilayah.startswith(region + ".")):
            return False
        return True


class Receiver(BaseModel):
    """`[[penerima]]`: where notifications go, named once and used by routes (`penerima = "…"`)."""

    model_config = ConfigDict(extra="forbid")

    nama: str
    webhook: str | None = None
    templat: str = "json"
    surel: list[str] = Field(default_factory=list)
    header: dict[str, str] = Field(default_factory=dict)

    @field_validator("webhook")
    @classmethod
    def _http(cls, value):
        return Route._http(value)

    @field_validator("surel")
    @classmethod
    def _emails(cls, value):
        return Route._emails(value)


class Inhibition(BaseModel):
    """`[[hambat]]`: while an alert matching `sumber` fires, alerts matching `sasaran` whose `sama` labels are
    equal to it notify nobody (they stay on the dashboards, marked; their timeline says which alert muted them)."""

    model_config = ConfigDict(extra="forbid")

    nama: str = ""
    sumber: dict[str, str | list[str]]
    sasaran: dict[str, str | list[str]]
    sama: list[str] = Field(default_factory=list)
    alasan: str | None = None


class Smtp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = 25
    pengirim: str = "peringatan@madangan.local"
    pengguna: str | None = None
    sandi_env: str | None = None  # the name of the environment variable that holds the password
    starttls: bool = False

    def password(self) -> str | None:
        return os.environ.get(self.sandi_env) if self.sandi_env else None


class Delivery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    maks_percobaan: int = Field(8, ge=1, le=100)
    jeda_awal_detik: float = Field(2.0, ge=0)
    jeda_maks_detik: float = Field(3600.0, gt=0)
    batas_waktu_detik: float = Field(10.0, gt=0)
    #: this many alerts of one rule changing together for one route go out as one grouped notification
    kelompok_min: int = Field(5, ge=2)


@dataclass(frozen=True)
class EffectiveRule:
    """A declared rule with the deployment's settings applied."""

    rule: AlertRule
    params: dict[str, Any]
    enabled: bool = True
    severity: str = "sedang"
    pending_minutes: float = 0.0
    keep_firing_minutes: float = 0.0
    sla_hours: float = 24.0
    labels: dict[str, str] = field(default_factory=dict)  # added by the rules file (`label = {…}`)

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class RuleSet:
    rules: dict[str, EffectiveRule]
    routes: tuple[Route, ...] = ()
    smtp: Smtp = field(default_factory=Smtp)
    delivery: Delivery = field(default_factory=Delivery)
    path: Path | None = None
    inhibitions: tuple[Inhibition, ...] = ()
    receivers: tuple[Receiver, ...] = ()


def declared() -> dict[str, AlertRule]:
    """Every rule sectors and plugins declare, by id; a malformed declaration is a programming error."""
    from madangan.plugins import plugin_manager, sectors

    found: dict[str, AlertRule] = {}
    batches = [s.alert_rules for s in sectors()] + list(plugin_manager().hook.madangan_alert_rules())
    for batch in batches:
        for rule in batch or ():
            problem = _declaration_problem(rule)
            if problem:
                raise ValueError(f"alert rule {rule.id!r}: {problem}")
            if rule.id in found:
                raise ValueError(f"alert rule {rule.id!r} is declared twice")
            found[rule.id] = rule
    return found


def _declaration_problem(rule: AlertRule) -> str | None:
    if rule.kind not in KINDS:
        return f"kind must be one of {KINDS}"
    if rule.severity not in SEVERITIES:
        return f"severity must be one of {SEVERITIES}"
    if rule.kind == "record" and rule.compute is None:
        return "a record rule needs compute"
    if rule.kind == "trend" and rule.indicator is None:
        return "a trend rule needs an indicator"
    if rule.kind == "place" and rule.indicator is None and rule.compute is None:
        return "a place rule needs an indicator or compute"
    if set(rule.message) != {"id", "en"} or set(rule.title) != {"id", "en"}:
        return "title and message need 'id' and 'en'"
    return None


_COMMON = {
    "aktif": (bool, None), "keparahan": (Severity | None, None), "tunda_menit": (float | None, Field(None, ge=0)),
    "tahan_menit": (float | None, Field(None, ge=0)), "sla_jam": (float | None, Field(None, gt=0)),
    "label": (dict[str, str] | None, None),
}


def _param_type(default: Any):
    if isinstance(default, bool):
        return bool
    if isinstance(default, int):
        return int
    if isinstance(default, float) or default is None:
        return float | None
    if isinstance(default, list):
        return list[str]
    return type(default)


_MODELS: dict[tuple, type[BaseModel]] = {}


def _rule_model(rule: AlertRule) -> type[BaseModel]:
    key = (rule.id, tuple((k, type(v).__name__) for k, v in rule.params.items()))
    if key not in _MODELS:
        _MODELS[key] = _build_model(rule)
    return _MODELS[key]


def _build_model(rule: AlertRule) -> type[BaseModel]:
    fields = {name: (annotation, default) for name, (annotation, default) in _COMMON.items()}
    for name, default in rule.params.items():
        fields[name] = (_param_type(default) | None, None)  # None: keep the declared default
    return create_model(f"Rule_{rule.id}", __config__=ConfigDict(extra="forbid"), **fields)


def rules_path(settings) -> Path:
    given = os.environ.get(FILE_ENV)
    return Path(given) if given else Path(settings.data_dir) / RULES_FILE


def load(settings=None, path: Path | None = None) -> RuleSet:
    """The rules in force; the rules file at `path` (default: the deployment's) if it exists.

    The deployment's own file, when it changed since last recorded, is noted in the audit log."""
    if path is None and settings is not None:
        path = rules_path(settings)
        from madangan.access import rulefiles

        rulefiles.note_for(settings, path)
    data: dict = {}
    if path is not None and Path(path).exists():
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise UserError(f"{path}: bukan TOML yang sah: {exc} (not valid TOML)") from None
    return parse(data, Path(path) if path else None)


def parse(data: dict, path: Path | None = None) -> RuleSet:
    """Validate a rules document (the TOML as a dict); a wrong field raises UserError naming it."""
    where = str(path) if path else RULES_FILE
    known = {"aturan", "rute", "surel", "pengiriman", "penerima", "hambat"}
    for key in data:
        if key not in known:
            raise UserError(f"{where}: {key}: bagian tidak dikenal; yang ada: {', '.join(sorted(known))} "
                            f"(unknown section)")
    rules = declared()
    overrides = data.get("aturan", {})
    if not isinstance(overrides, dict):
        raise UserError(f"{where}: aturan: harus tabel [aturan.ID] (must be a table per rule)")
    effective: dict[str, EffectiveRule] = {}
    for rule_id, given in overrides.items():
        if rule_id not in rules:
            raise UserError(f"{where}: aturan.{rule_id}: aturan tidak dikenal; yang ada: {', '.join(sorted(rules))} "
                            f"(unknown rule)")
        if not isinstance(given, dict):
            raise UserError(f"{where}: aturan.{rule_id}: harus tabel (must be a table)")
    for rule_id, rule in rules.items():
        given = overrides.get(rule_id, {})
        try:
            checked = _rule_model(rule).model_validate(given)
        except ValidationError as exc:
            raise UserError(_named(where, f"aturan.{rule_id}", exc)) from None
        values = checked.model_dump(exclude_none=True)
        params = {**rule.params, **{k: v for k, v in values.items() if k in rule.params}}
        effective[rule_id] = EffectiveRule(
            rule, params, enabled=values.get("aktif", True), severity=values.get("keparahan", rule.severity),
            pending_minutes=values.get("tunda_menit", rule.pending_minutes),
            keep_firing_minutes=values.get("tahan_menit", rule.keep_firing_minutes),
            sla_hours=values.get("sla_jam", rule.sla_hours), labels=values.get("label", {}))
    from madangan.alerts import routing

    label_names = set(routing.BUILT_IN) | {n for r in effective.values() for n in (*r.rule.labels, *r.labels)}
    label_names |= {r.rule.subject_label for r in effective.values() if r.rule.subject_label}

    def check_matchers(field_name: str, matchers: dict) -> None:
        for name in matchers:
            if name not in label_names:
                raise UserError(f"{where}: {field_name}.{name}: label tidak dikenal; yang ada: "
                                f"{', '.join(sorted(label_names))} (unknown label)")
        problem = routing.matcher_problem(matchers)
        if problem:
            raise UserError(f"{where}: {field_name}.{problem}")

    receivers: dict[str, Receiver] = {}
    raw_receivers = data.get("penerima", [])
    if not isinstance(raw_receivers, list):
        raise UserError(f"{where}: penerima: tulis [[penerima]] (must be an array of tables)")
    for n, raw in enumerate(raw_receivers):
        try:
            receiver = Receiver.model_validate(raw)
        except ValidationError as exc:
            raise UserError(_named(where, f"penerima[{n}]", exc)) from None
        if receiver.webhook is None and not receiver.surel:
            raise UserError(f"{where}: penerima[{n}].webhook: penerima '{receiver.nama}' perlu webhook atau surel "
                            f"(a receiver needs a webhook or email addresses)")
        if receiver.nama in receivers:
            raise UserError(f"{where}: penerima[{n}].nama: '{receiver.nama}' sudah dipakai (name used twice)")
        _check_template(where, f"penerima[{n}]", receiver.templat)
        receivers[receiver.nama] = receiver
    routes = []
    raw_routes = data.get("rute", [])
    if not isinstance(raw_routes, list):
        raise UserError(f"{where}: rute: tulis [[rute]] (must be an array of tables)")
    for n, raw in enumerate(raw_routes):
        try:
            route = Route.model_validate(raw)
        except ValidationError as exc:
            raise UserError(_named(where, f"rute[{n}]", exc)) from None
        check_matchers(f"rute[{n}].cocok", route.cocok)
        if route.penerima is not None:
            receiver = receivers.get(route.penerima)
            if receiver is None:
                raise UserError(f"{where}: rute[{n}].penerima: penerima '{route.penerima}' tidak ada; yang ada: "
                                f"{', '.join(sorted(receivers)) or '-'} (unknown receiver)")
            if route.webhook or route.surel:
                raise UserError(f"{where}: rute[{n}].penerima: tulis penerima atau webhook/surel, bukan keduanya "
                                f"(a receiver or a webhook/addresses, not both)")
            route = route.model_copy(update={"webhook": receiver.webhook, "surel": list(receiver.surel),
                                             "templat": receiver.templat, "header": dict(receiver.header)})
        if route.webhook is None and not route.surel:
            raise UserError(f"{where}: rute[{n}].webhook: rute '{route.nama}' perlu webhook atau surel "
                            f"(a route needs a webhook or email addresses)")
        for rule_id in route.aturan:
            if rule_id not in rules:
                raise UserError(f"{where}: rute[{n}].aturan: aturan '{rule_id}' tidak dikenal (unknown rule)")
        if route.penerima is None:
            _check_template(where, f"rute[{n}]", route.templat)
        routes.append(route)
    inhibitions = []
    raw_inhibitions = data.get("hambat", [])
    if not isinstance(raw_inhibitions, list):
        raise UserError(f"{where}: hambat: tulis [[hambat]] (must be an array of tables)")
    for n, raw in enumerate(raw_inhibitions):
        try:
            inhibition = Inhibition.model_validate(raw)
        except ValidationError as exc:
            raise UserError(_named(where, f"hambat[{n}]", exc)) from None
        for part in ("sumber", "sasaran"):
            matchers = getattr(inhibition, part)
            if not matchers:
                raise UserError(f"{where}: hambat[{n}].{part}: perlu paling sedikit satu pencocok (needs a matcher)")
            check_matchers(f"hambat[{n}].{part}", matchers)
        for name in inhibition.sama:
            if name not in label_names:
                raise UserError(f"{where}: hambat[{n}].sama: label '{name}' tidak dikenal (unknown label)")
        if not any(routing.matches({k: v for k, v in inhibition.sumber.items() if k in routing.RULE_LABELS},
                                   routing.labels(r, None)) for r in effective.values()):
            raise UserError(f"{where}: hambat[{n}].sumber: tidak cocok dengan aturan mana pun "
                            f"(matches no rule's alerts)")
        inhibitions.append(inhibition.model_copy(update={"nama": inhibition.nama or f"hambat[{n}]"}))
    try:
        smtp = Smtp.model_validate(data.get("surel", {}))
    except ValidationError as exc:
        raise UserError(_named(where, "surel", exc)) from None
    try:
        delivery = Delivery.model_validate(data.get("pengiriman", {}))
    except ValidationError as exc:
        raise UserError(_named(where, "pengiriman", exc)) from None
    return RuleSet(effective, tuple(routes), smtp, delivery, path, tuple(inhibitions), tuple(receivers.values()))


def _check_template(where: str, field_name: str, template: str) -> None:
    if template not in ("json", "chat"):
        from madangan.alerts.notify import check_template

        problem = check_template(template)
        if problem:
            raise UserError(f"{where}: {field_name}.templat: {problem}")


def _named(where: str, prefix: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    field_name = f"{prefix}.{loc}" if loc else prefix
    reason = "kolom tidak dikenal (unknown field)" if err["type"] == "extra_forbidden" else err["msg"]
    return f"{where}: {field_name}: {reason}"


def with_params(ruleset: RuleSet, rule_id: str, **params) -> RuleSet:
    """A copy of the rule set with some thresholds changed (tests, what-if)."""
    rules = dict(ruleset.rules)
    rules[rule_id] = replace(rules[rule_id], params={**rules[rule_id].params, **params})
    return replace(ruleset, rules=rules)
