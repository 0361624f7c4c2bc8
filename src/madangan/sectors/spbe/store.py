"""Assessments in the app database: levels, justifications, evidence, the workflow and its history.

Workflow: draft → submitted → verified → published (a verifier may also return a submitted
assessment to draft). Who may do what:

- the region's SPBE team (permission `spbe`, the region inside their scope) fills in levels,
  justifications and evidence while the assessment is a draft, and submits it;
- a verifier (`spbe_verify`) sets their own level and note per indicator on a submitted
  assessment, verifies it (never one they submitted themselves) and publishes it; verifiers also
  load published results for regions that do not self-assess.

Every check happens here, in the data layer, so the CLI, the pages and the API share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from madangan.access import Permission, Principal
from madangan.appdb import sessions
from madangan.appdb.models import SpbeAnswer, SpbeAssessment, SpbeEvent, SpbeEvidence
from madangan.regions import regions
from madangan.sectors.spbe.instrument import DEFAULT_INSTRUMENT, Instrument, Score, load
from madangan.sectors.spbe.text import Refused, tr

STATUSES = ("draft", "submitted", "verified", "published")
STATUS_LABELS = {
    "draft": {"id": "Draf", "en": "Draft"},
    "submitted": {"id": "Diajukan", "en": "Submitted"},
    "verified": {"id": "Terverifikasi", "en": "Verified"},
    "published": {"id": "Terbit", "en": "Published"},
}
ORIGIN_LABELS = {
    "self": {"id": "penilaian mandiri", "en": "self-assessment"},
    "published": {"id": "hasil terbitan", "en": "published result"},
    "synthetic": {"id": "sintetis", "en": "synthetic"},
}
#: action → (from status, to status, permission needed)
TRANSITIONS = {
    "submit": ("draft", "submitted", Permission.SPBE),
    "return": ("submitted", "draft", Permission.SPBE_VERIFY),
    "verify": ("submitted", "verified", Permission.SPBE_VERIFY),
    "publish": ("verified", "published", Permission.SPBE_VERIFY),
}
MIN_YEAR, MAX_YEAR = 2018, 2100


@dataclass
class AssessmentView:
    """An assessment as pages, the API and exports show it."""

    id: int
    instrument: str
    region_code: str
    region_name: str
    year: int
    status: str
    origin: str
    published_index: Decimal | None
    source_note: str
    submitted_by: str | None
    verified_by: str | None
    population: int | None = None
    answers: dict[str, SpbeAnswer] = field(default_factory=dict)
    evidence: dict[str, list[SpbeEvidence]] = field(default_factory=dict)

    def levels(self) -> dict[str, int]:
        """The levels that count: the verifier's where given, else the region's own."""
        return {k: (a.verified_level if a.verified_level is not None else a.level)
                for k, a in self.answers.items() if a.level is not None or a.verified_level is not None}

    def claimed(self) -> dict[str, int]:
        return {k: a.level for k, a in self.answers.items() if a.level is not None}

    def score(self, instrument: Instrument | None = None) -> Score | None:
        instrument = instrument or load(self.instrument)
        levels = self.levels()
        return instrument.score(levels, partial=True) if levels else None

    def index(self) -> Decimal | None:
        """The index for ranking: computed from levels when all are known, else the published total."""
        instrument = load(self.instrument)
        levels = self.levels()
        if len(levels) == len(instrument.indicators):
            return instrument.score(levels).index
        return self.published_index


def region_name(code: str) -> str:
    return regions().names.get(code, code)


def check_region(code: str) -> str:
    """A province or regency/city code of the country list (SPBE assesses those)."""
    region = regions().get(code)
    if region.depth > 2:
        raise Refused(tr(f"SPBE dinilai per provinsi atau kabupaten/kota; {region.code} ({region.name}) adalah {region.level}.",
                           f"SPBE is assessed per province or regency/city; {region.code} ({region.name}) is a {region.level}."))
    return region.code


def check_year(year: int) -> int:
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise Refused(tr(f"Tahun {year} di luar {MIN_YEAR}–{MAX_YEAR}.", f"Year {year} is outside {MIN_YEAR}–{MAX_YEAR}."))
    return int(year)


def _may_edit(who: Principal, region_code: str) -> None:
    if not who.can(Permission.SPBE):
        raise Refused(tr(f"Peran '{who.role}' tidak boleh mengisi penilaian SPBE.",
                           f"Role '{who.role}' may not fill in SPBE assessments."), code=403)
    if not who.in_scope(region_code):
        raise Refused(tr(f"Anda hanya boleh mengisi penilaian wilayah Anda ({who.region_code}), bukan {region_code}.",
                           f"You may only fill in your own region's assessment ({who.region_code}), not {region_code}."),
                        code=403)


def may_see(who: Principal, view: AssessmentView) -> bool:
    """Details of an assessment (levels, justifications, evidence): the region's own team and verifiers
    always; everyone else once it is verified or published, or when it is a loaded result (published
    or synthetic). A region's draft stays its own until it is verified ("each region sees and edits
    its own, compares with all")."""
    own = who.in_scope(view.region_code) or who.region_code.startswith(view.region_code + ".")  # a desa officer's regency too
    return own or who.can(Permission.SPBE_VERIFY) or view.status in ("verified", "published") or view.origin != "self"


def visible(who: Principal, views: list[AssessmentView]) -> list[AssessmentView]:
    """The assessments `who` may compare with (see `may_see`)."""
    return [v for v in views if may_see(who, v)]


def check_may_see(who: Principal, view: AssessmentView) -> None:
    if not may_see(who, view):
        raise Refused(tr(f"Penilaian {view.region_code} tahun {view.year} masih {STATUS_LABELS[view.status]['id'].lower()}; "
                         "hanya wilayahnya dan verifikator yang boleh melihatnya sebelum terverifikasi.",
                         f"The {view.region_code} {view.year} assessment is still {STATUS_LABELS[view.status]['en'].lower()}; "
                         "only its region and verifiers may see it before it is verified."), code=403)


def _event(session: Session, assessment_id: int, actor: str | None, action: str, indicator: str | None = None,
           old=None, new=None, note: str = "") -> None:
    session.add(SpbeEvent(assessment_id=assessment_id, actor=actor, action=action, indicator=indicator,
                          old_value=None if old is None else str(old)[:100],
                          new_value=None if new is None else str(new)[:100], note=note[:2000]))


def _find(session: Session, region_code: str, year: int, instrument: str) -> SpbeAssessment | None:
    return session.scalar(select(SpbeAssessment).where(
        SpbeAssessment.instrument == instrument, SpbeAssessment.region_code == region_code,
        SpbeAssessment.year == year))


def _open_draft(session: Session, who: Principal, region_code: str, year: int, instrument: str) -> SpbeAssessment:
    """The region's assessment for the year, created as a draft when there is none; only drafts are edited."""
    found = _find(session, region_code, year, instrument)
    if found is None:
        found = SpbeAssessment(instrument=instrument, region_code=region_code, year=year, status="draft",
                               origin="self", created_by=who.username)
        session.add(found)
        session.flush()
        _event(session, found.id, who.username, "created")
    if found.status != "draft":
        label = STATUS_LABELS[found.status]
        raise Refused(tr(f"Penilaian {region_code} tahun {year} berstatus {label['id']}; hanya draf yang bisa diubah.",
                           f"The {region_code} {year} assessment is {label['en']}; only drafts can be changed."),
                        code=409)
    return found


def _answer(session: Session, assessment_id: int, indicator: str) -> SpbeAnswer:
    answer = session.scalar(select(SpbeAnswer).where(SpbeAnswer.assessment_id == assessment_id,
                                                     SpbeAnswer.indicator == indicator))
    if answer is None:
        answer = SpbeAnswer(assessment_id=assessment_id, indicator=indicator, justification="", verifier_note="")
        session.add(answer)
    return answer


# --- writing ---------------------------------------------------------------------------------


def set_level(engine: Engine, who: Principal, region_code: str, year: int, indicator: str, level: int,
              justification: str | None = None, instrument_id: str = DEFAULT_INSTRUMENT) -> None:
    """The region's team claims a level for one indicator (and says why)."""
    instrument = load(instrument_id)
    region_code, year = check_region(region_code), check_year(year)
    _may_edit(who, region_code)
    instrument.indicator(indicator)
    instrument.check_level(indicator, level)
    with sessions(engine).begin() as session:
        assessment = _open_draft(session, who, region_code, year, instrument_id)
        answer = _answer(session, assessment.id, indicator)
        if answer.level != level:
            _event(session, assessment.id, who.username, "level", indicator, answer.level, level)
            answer.level = level
        if justification is not None and justification != answer.justification:
            answer.justification = justification[:4000]
            _event(session, assessment.id, who.username, "justification", indicator)


MAX_POPULATION = 50_000_000  # the largest province has about 50 million residents


def set_population(engine: Engine, who: Principal, region_code: str, year: int, population: int | None,
                   instrument_id: str = DEFAULT_INSTRUMENT) -> None:
    """The region's population that year (for peer groups by population band), on its draft."""
    region_code, year = check_region(region_code), check_year(year)
    _may_edit(who, region_code)
    if population is not None and not 1_000 <= population <= MAX_POPULATION:
        raise Refused(tr(f"Jumlah penduduk {population} tidak masuk akal (1.000–{MAX_POPULATION:_}).".replace("_", "."),
                         f"Population {population} is not plausible (1,000–{MAX_POPULATION:,})."))
    with sessions(engine).begin() as session:
        assessment = _open_draft(session, who, region_code, year, instrument_id)
        if assessment.population != population:
            _event(session, assessment.id, who.username, "population", old=assessment.population, new=population)
            assessment.population = population


def add_evidence(engine: Engine, who: Principal, region_code: str, year: int, indicator: str, *,
                 url: str | None = None, file_name: str | None = None, content: bytes | None = None,
                 data_dir: Path | None = None, description: str = "", instrument_id: str = DEFAULT_INSTRUMENT) -> None:
    """Evidence for the level claimed: a link (http/https) or a file stored under the data directory."""
    instrument = load(instrument_id)
    region_code, year = check_region(region_code), check_year(year)
    _may_edit(who, region_code)
    instrument.indicator(indicator)
    if url is not None:
        url = url.strip()
        if not url.startswith(("http://", "https://")) or len(url) > 1000 or any(c.isspace() for c in url):
            raise Refused(tr(f"Indikator {indicator}: tautan bukti '{url[:80]}' harus alamat http:// atau https:// tanpa spasi.",
                               f"Indicator {indicator}: evidence link '{url[:80]}' must be an http:// or https:// address without spaces."))
    elif content is None or not file_name:
        raise Refused(tr("Bukti perlu tautan atau berkas.", "Evidence needs a link or a file."))
    with sessions(engine).begin() as session:
        assessment = _open_draft(session, who, region_code, year, instrument_id)
        answer = _answer(session, assessment.id, indicator)
        stored = None
        if content is not None:
            safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(file_name).name)[-120:] or "bukti"
            folder = Path(data_dir) / "spbe-bukti" / region_code / str(year) / indicator
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{datetime.now(UTC):%Y%m%d%H%M%S%f}-{safe}"
            target.write_bytes(content)
            stored = str(target.relative_to(data_dir))
        session.add(SpbeEvidence(assessment_id=assessment.id, indicator=indicator, level=answer.level, url=url,
                                 file_name=file_name, stored_as=stored, description=description[:1000],
                                 added_by=who.username))
        _event(session, assessment.id, who.username, "evidence", indicator, new=url or file_name)


def verify_level(engine: Engine, who: Principal, region_code: str, year: int, indicator: str, level: int,
                 note: str = "", instrument_id: str = DEFAULT_INSTRUMENT) -> None:
    """The verifier's own level and note for one indicator of a submitted assessment."""
    instrument = load(instrument_id)
    if not who.can(Permission.SPBE_VERIFY):
        raise Refused(tr("Hanya verifikator yang boleh menetapkan tingkat terverifikasi.",
                           "Only a verifier may set a verified level."), code=403)
    instrument.indicator(indicator)
    instrument.check_level(indicator, level)
    with sessions(engine).begin() as session:
        assessment = _get(session, region_code, year, instrument_id)
        if assessment.status != "submitted":
            raise Refused(tr("Tingkat terverifikasi hanya diisi pada penilaian yang sudah diajukan.",
                               "A verified level is set only on a submitted assessment."), code=409)
        answer = _answer(session, assessment.id, indicator)
        _event(session, assessment.id, who.username, "verified_level", indicator, answer.verified_level, level, note)
        answer.verified_level, answer.verifier_note = level, note[:2000]


def move(engine: Engine, who: Principal, region_code: str, year: int, action: str, note: str = "",
         instrument_id: str = DEFAULT_INSTRUMENT) -> str:
    """Move an assessment along its workflow; returns the new status."""
    if action not in TRANSITIONS:
        raise Refused(tr(f"Aksi '{action}' tidak dikenal; pilih {', '.join(TRANSITIONS)}.",
                           f"Unknown action '{action}'; choose {', '.join(TRANSITIONS)}."))
    source, target, permission = TRANSITIONS[action]
    if not who.can(permission):
        raise Refused(tr(f"Peran '{who.role}' tidak boleh melakukan '{action}'.",
                           f"Role '{who.role}' may not '{action}'."), code=403)
    instrument = load(instrument_id)
    with sessions(engine).begin() as session:
        assessment = _get(session, region_code, year, instrument_id)
        if action == "submit":
            _may_edit(who, assessment.region_code)
        if assessment.status != source:
            raise Refused(tr(f"Penilaian berstatus {STATUS_LABELS[assessment.status]['id']}; '{action}' hanya dari {STATUS_LABELS[source]['id']}.",
                               f"The assessment is {STATUS_LABELS[assessment.status]['en']}; '{action}' works only from {STATUS_LABELS[source]['en']}."),
                            code=409)
        answers = {a.indicator: a for a in session.scalars(select(SpbeAnswer).where(SpbeAnswer.assessment_id == assessment.id))}
        if action == "submit":
            missing = [i.id for i in instrument.indicators if answers.get(i.id) is None or answers[i.id].level is None]
            if missing:
                raise Refused(tr(f"Belum bisa diajukan: tingkat indikator {', '.join(missing)} belum diisi.",
                                   f"Cannot submit yet: no level for indicators {', '.join(missing)}."), code=409)
            assessment.submitted_by, assessment.submitted_at = who.username, datetime.now(UTC)
        if action == "verify":
            if who.username is not None and who.username == assessment.submitted_by:
                raise Refused(tr("Anda yang mengajukan penilaian ini; verifikasi harus oleh orang lain.",
                                   "You submitted this assessment; someone else must verify it."), code=403)
            assessment.verified_by, assessment.verified_at = who.username, datetime.now(UTC)
        _event(session, assessment.id, who.username, action, old=assessment.status, new=target, note=note)
        assessment.status = target
        return target


def _get(session: Session, region_code: str, year: int, instrument_id: str) -> SpbeAssessment:
    found = _find(session, region_code, int(year), instrument_id)
    if found is None:
        raise Refused(tr(f"Belum ada penilaian {instrument_id} untuk {region_code} tahun {year}.",
                           f"No {instrument_id} assessment for {region_code} in {year}."), code=404)
    return found


def load_published(engine: Engine, who: Principal, rows: list[dict], origin: str = "published",
                   instrument_id: str = DEFAULT_INSTRUMENT) -> int:
    """Published results (levels per indicator and/or a total index) for regions that do not self-assess.

    `rows`: {"region": code, "year": y, "levels": {indicator: level}, "index": Decimal|None, "note": str}.
    All rows are written in one transaction; an existing self-assessment is never overwritten.
    """
    if not who.can(Permission.SPBE_VERIFY):
        raise Refused(tr("Hanya verifikator yang boleh memuat hasil terbitan.", "Only a verifier may load published results."),
                        code=403)
    with sessions(engine).begin() as session:
        for row in rows:
            found = _find(session, row["region"], row["year"], instrument_id)
            if found is not None and found.origin == "self":
                raise Refused(tr(f"{row['region']} tahun {row['year']} sudah punya penilaian mandiri; hasil terbitan tidak menimpanya.",
                                   f"{row['region']} {row['year']} already has a self-assessment; published results do not overwrite it."))
            if found is not None:
                session.delete(found)
                session.flush()
            assessment = SpbeAssessment(instrument=instrument_id, region_code=row["region"], year=row["year"],
                                        status="published", origin=origin, published_index=row.get("index"),
                                        population=row.get("population"),
                                        source_note=row.get("note", "")[:500], created_by=who.username)
            session.add(assessment)
            session.flush()
            if row.get("levels"):
                session.execute(insert(SpbeAnswer), [
                    {"assessment_id": assessment.id, "indicator": k, "level": v, "justification": "", "verifier_note": ""}
                    for k, v in row["levels"].items()])
            _event(session, assessment.id, who.username, "loaded", new=origin, note=row.get("note", ""))
    return len(rows)


# --- reading ---------------------------------------------------------------------------------


def _view(session: Session, assessment: SpbeAssessment, with_evidence: bool = True) -> AssessmentView:
    view = AssessmentView(
        id=assessment.id, instrument=assessment.instrument, region_code=assessment.region_code,
        region_name=region_name(assessment.region_code), year=assessment.year, status=assessment.status,
        origin=assessment.origin, published_index=assessment.published_index, source_note=assessment.source_note,
        submitted_by=assessment.submitted_by, verified_by=assessment.verified_by, population=assessment.population)
    for answer in session.scalars(select(SpbeAnswer).where(SpbeAnswer.assessment_id == assessment.id)):
        view.answers[answer.indicator] = answer
    if with_evidence:
        for ev in session.scalars(select(SpbeEvidence).where(SpbeEvidence.assessment_id == assessment.id)
                                  .order_by(SpbeEvidence.id)):
            view.evidence.setdefault(ev.indicator, []).append(ev)
    return view


def get(engine: Engine, region_code: str, year: int, instrument_id: str = DEFAULT_INSTRUMENT) -> AssessmentView | None:
    with sessions(engine)() as session:
        found = _find(session, region_code, int(year), instrument_id)
        return None if found is None else _view(session, found)


def for_year(engine: Engine, year: int, instrument_id: str = DEFAULT_INSTRUMENT) -> list[AssessmentView]:
    """Every region's assessment for the year (levels, no evidence), for benchmarking."""
    with sessions(engine)() as session:
        found = list(session.scalars(select(SpbeAssessment).where(SpbeAssessment.year == int(year),
                                                                  SpbeAssessment.instrument == instrument_id)))
        answers: dict[int, dict[str, SpbeAnswer]] = {}
        for answer in session.scalars(select(SpbeAnswer).join(SpbeAssessment).where(
                SpbeAssessment.year == int(year), SpbeAssessment.instrument == instrument_id)):
            answers.setdefault(answer.assessment_id, {})[answer.indicator] = answer
        views = []
        for a in found:
            view = _view_shallow(a)
            view.answers = answers.get(a.id, {})
            views.append(view)
        return views


def _view_shallow(a: SpbeAssessment) -> AssessmentView:
    return AssessmentView(id=a.id, instrument=a.instrument, region_code=a.region_code,
                          region_name=region_name(a.region_code), year=a.year, status=a.status, origin=a.origin,
                          published_index=a.published_index, source_note=a.source_note,
                          submitted_by=a.submitted_by, verified_by=a.verified_by, population=a.population)


def years(engine: Engine, instrument_id: str = DEFAULT_INSTRUMENT) -> list[int]:
    with sessions(engine)() as session:
        return sorted(set(session.scalars(select(SpbeAssessment.year).where(SpbeAssessment.instrument == instrument_id))),
                      reverse=True)


def history(engine: Engine, region_code: str, year: int, instrument_id: str = DEFAULT_INSTRUMENT) -> list[SpbeEvent]:
    with sessions(engine)() as session:
        found = _find(session, region_code, int(year), instrument_id)
        if found is None:
            return []
        return list(session.scalars(select(SpbeEvent).where(SpbeEvent.assessment_id == found.id).order_by(SpbeEvent.id)))


def region_history(engine: Engine, region_code: str, instrument_id: str = DEFAULT_INSTRUMENT) -> list[tuple[int, Decimal | None]]:
    """The region's index by year (oldest first)."""
    with sessions(engine)() as session:
        found = list(session.scalars(select(SpbeAssessment).where(SpbeAssessment.region_code == region_code,
                                                                  SpbeAssessment.instrument == instrument_id)
                                     .order_by(SpbeAssessment.year)))
        return [(a.year, _view(session, a, with_evidence=False).index()) for a in found]
