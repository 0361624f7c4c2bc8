"""Program rules as data: a versioned TOML file, validated with pydantic, read by verval and targeting.

The shipped file is `programs.toml` next to this module; `[verval] aturan_program = "FILE"` in
madangan.toml points a deployment at its own. The verval overrides `desil_maks = {BPNT = 5}` and
`program_saling_eksklusif = [["BLT_DD", "PKH"]]` still apply on top of the file.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from madangan.errors import NotFound, UserError
from madangan.i18n import t
from madangan.sectors.welfare import PROGRAMS
from madangan.sectors.welfare import messages  # noqa: F401  (registers the texts)

#: DTSEN flags a program may require (at least one: PKH components).
COMPONENTS = ("ada_ibu_hamil", "punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia", "punya_disabilitas")
#: Local criteria that order families within a priority tier (BLT Dana Desa, PMK 201/2022 Pasal 36).
LOCAL_CRITERIA = ("kehilangan_mata_pencaharian", "punya_disabilitas", "tidak_menerima_pkh", "lansia_sendiri")
#: Exclusion categories the data shows (Kemensos categories 3, 4/8 and 5).
EXCLUSIONS = ("meninggal", "pegawai", "keluarga_pegawai")
SETTING = "aturan_program"

Desil = Annotated[int, Field(ge=1, le=10)]
ProgramName = Literal[PROGRAMS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProgramRule(_Strict):
    judul: str
    satuan: Literal["keluarga", "jiwa"] = "keluarga"  # a row per family, or per member (PBI-JK)
    desil: tuple[Desil, ...] = Field(min_length=1)
    komponen: tuple[Literal[COMPONENTS], ...] = ()  # type: ignore[valid-type]
    hanya_desa: bool = False
    prioritas: tuple[tuple[Desil, ...], ...] = ()
    kriteria_lokal: tuple[Literal[LOCAL_CRITERIA], ...] = ()  # type: ignore[valid-type]
    #: The last priority tier: families of these deciles (outside `desil`) meeting at least one local criterion,
    #: eligible only once every family of the decile tiers in the desa receives the program.
    desil_kriteria_lokal: tuple[Desil, ...] = ()
    nominal_per_bulan: int = Field(ge=0)
    berkuota: bool = False
    kuota_per_desa: dict[Annotated[str, Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")], Annotated[int, Field(ge=0)]] = {}

    @model_validator(mode="after")
    def _tiers_within_deciles(self):
        for tier in self.prioritas:
            outside = sorted(set(tier) - set(self.desil))
            if outside:
                raise ValueError(f"prioritas names desil {outside} outside the program's desil {list(self.desil)}")
        if self.desil_kriteria_lokal:
            inside = sorted(set(self.desil_kriteria_lokal) & set(self.desil))
            if inside:
                raise ValueError(f"desil_kriteria_lokal names desil {inside} already in the program's desil {list(self.desil)}")
            if not self.kriteria_lokal:
                raise ValueError("desil_kriteria_lokal needs kriteria_lokal (at least one local criterion)")
        return self

    def tiers(self) -> tuple[tuple[int, ...], ...]:
        """Priority tiers over the eligible deciles; without `prioritas`, one tier of all of them."""
        return self.prioritas or (tuple(self.desil),)

    def local_tier(self) -> int | None:
        """The number of the local-criteria tier (after the decile tiers), or None when the program has none."""
        return len(self.tiers()) + 1 if self.desil_kriteria_lokal else None


class Version(_Strict):
    nama: str
    berlaku_mulai: date
    berlaku_sampai: date | None = None
    pengecualian: tuple[Literal[EXCLUSIONS], ...] = EXCLUSIONS  # type: ignore[valid-type]
    saling_eksklusif: tuple[tuple[ProgramName, ProgramName], ...] = ()
    program: dict[ProgramName, ProgramRule]

    def valid_on(self, day: date) -> bool:
        return self.berlaku_mulai <= day and (self.berlaku_sampai is None or day <= self.berlaku_sampai)

    def max_desil(self) -> dict[str, int]:
        return {p: max(r.desil) for p, r in self.program.items()}


class RuleFile(_Strict):
    versi: tuple[Version, ...] = Field(min_length=1)

    @field_validator("versi")
    @classmethod
    def _no_overlap(cls, versions):
        ordered = sorted(versions, key=lambda v: v.berlaku_mulai)
        for a, b in zip(ordered, ordered[1:]):
            if a.berlaku_sampai is None or a.berlaku_sampai >= b.berlaku_mulai:
                raise ValueError(f"versions {a.nama!r} and {b.nama!r} are valid at the same time")
        return tuple(ordered)

    def for_day(self, day: date) -> Version:
        for version in self.versi:
            if version.valid_on(day):
                return version
        raise NotFound(t("welfare.no_rules_for", day=day.isoformat(),
                          versions=", ".join(f"{v.nama} ({v.berlaku_mulai}–{v.berlaku_sampai or '…'})" for v in self.versi)))

    def for_period(self, period: str) -> Version:
        return self.for_day(period_start(period))


def period_start(period: str) -> date:
    try:
        year, month = period.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise UserError(t("welfare.bad_period", period=period)) from None


def shipped_file() -> Path:
    return Path(str(resources.files("madangan.sectors.welfare") / "programs.toml"))


def parse(text: str, name: str = "programs.toml") -> RuleFile:
    """A rule file from its text; any problem becomes a UserError naming the field and why."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(t("welfare.rules_invalid", file=name, field="-", reason=str(exc))) from None
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "-"
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            reason = t("welfare.unknown_field")
        raise UserError(t("welfare.rules_invalid", file=name, field=field, reason=reason)) from None


@cache
def _load(path: str, mtime: float) -> RuleFile:
    file = Path(path)
    return parse(file.read_text(encoding="utf-8"), file.name)


def path_of(params: dict | None = None) -> Path:
    """The rule file in force: the deployment's own (`[verval] aturan_program`), else the shipped one."""
    return Path((params or {}).get(SETTING) or shipped_file())


def load(params: dict | None = None) -> RuleFile:
    """The deployment's rules: its own file when `[verval] aturan_program` names one, else the shipped one;
    the `desil_maks` and `program_saling_eksklusif` overrides applied."""
    params = params or {}
    path = path_of(params)
    if not path.is_file():
        raise UserError(t("welfare.rules_missing", file=path))
    rules = _load(str(path.resolve()), path.stat().st_mtime)
    return _overridden(rules, params.get("desil_maks") or {}, params.get("program_saling_eksklusif"))


def _overridden(rules: RuleFile, max_desil: dict, exclusive) -> RuleFile:
    if not max_desil and exclusive is None:
        return rules
    versions = []
    for v in rules.versi:
        programs = dict(v.program)
        for name, top in max_desil.items():
            if name not in programs:
                raise UserError(t("welfare.unknown_program", program=name, allowed=", ".join(programs)))
            rule = programs[name]
            programs[name] = ProgramRule.model_validate({**rule.model_dump(), "desil": tuple(range(1, int(top) + 1)),
                                                         "prioritas": (), "desil_kriteria_lokal": tuple(
                                                             d for d in rule.desil_kriteria_lokal if d > int(top))})
        data = {**v.model_dump(), "program": {k: r.model_dump() for k, r in programs.items()}}
        if exclusive is not None:
            data["saling_eksklusif"] = [tuple(p) for p in exclusive]
        try:
            versions.append(Version.model_validate(data))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise UserError(t("welfare.rules_invalid", file="[verval]", field=".".join(str(p) for p in err["loc"]),
                              reason=err["msg"])) from None
    return RuleFile(versi=tuple(versions))


def check_program(name: str | None, version: Version) -> str | None:
    if name is not None and name not in version.program:
        raise UserError(t("welfare.unknown_program", program=name, allowed=", ".join(version.program)))
    return name
