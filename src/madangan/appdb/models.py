"""App database tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Deployment(Base):
    """The one region this installation serves."""

    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13))
    region_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # "init" or "demo"
    population: Mapped[int | None] = mapped_column(Integer)
    seed: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    """A local account: a role and a region scope."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(13))
    sectors: Mapped[str] = mapped_column(String(500), default="")  # comma-separated, analysts
    posyandu: Mapped[str | None] = mapped_column(String(200))  # cadres
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The account's subject (`sub`) at the configured OpenID Connect provider, once bound.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True, index=True)
    email: Mapped[str | None] = mapped_column(String(254))


class UserSession(Base):
    """A server-side login session; the cookie holds a random id whose hash is stored here."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(default=False)
    method: Mapped[str] = mapped_column(String(10), default="password")  # "password" or "oidc"


class ApiToken(Base):
    """An application's API token, scoped to sources and a region; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists to tell tokens apart
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(13))
    sources: Mapped[str] = mapped_column(String(1000), default="")  # comma-separated
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Append-only: who did what, when, from where and why. The application never updates or deletes it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    actor: Mapped[str | None] = mapped_column(String(100), index=True)  # username or token:<name>
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str | None] = mapped_column(String(500))  # e.g. source:penduduk/desa:32.11.22.2001
    region_code: Mapped[str | None] = mapped_column(String(13))
    client: Mapped[str | None] = mapped_column(String(100))  # IP address
    reason: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(String(2000))


class ImpactAssessment(Base):
    """A data protection impact assessment (DPIA) for a high-risk processing (UU 27/2022 Pasal 34)."""

    __tablename__ = "impact_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    processing: Mapped[str] = mapped_column(String(50))  # e.g. linkage, scoring, health
    sources: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(String(4000))
    risks: Mapped[str] = mapped_column(String(4000), default="")
    mitigations: Mapped[str] = mapped_column(String(4000), default="")
    approved_by: Mapped[str] = mapped_column(String(200))  # the data protection officer
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    review_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Breach(Base):
    """A personal-data breach and its 3×24-hour notification clock (UU 27/2022 Pasal 46)."""

    __tablename__ = "breach"

    id: Mapped[int] = mapped_column(primary_key=True)
    discovered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    description: Mapped[str] = mapped_column(String(4000))
    sources: Mapped[str] = mapped_column(String(500), default="")
    subjects_estimate: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    subjects_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    authority_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VervalRun(Base):
    """One run of `madangan verify`: when, by whom, and what changed per source and rule."""

    __tablename__ = "verval_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text, default="[]")  # JSON: per source × rule: open, new, closed


class Finding(Base):
    """One record with one problem. The id is stable: a hash of rule, source and record key."""

    __tablename__ = "finding"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    rule: Mapped[str] = mapped_column(String(60), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(60), index=True)
    record_key: Mapped[str] = mapped_column(String(200))
    kode_desa: Mapped[str | None] = mapped_column(String(13), index=True)
    #: The posyandu of the record (sources with a posyandu column): a cadre sees their posyandu's findings only.
    posyandu: Mapped[str | None] = mapped_column(String(200), index=True)
    agency: Mapped[str] = mapped_column(String(100))
    evidence: Mapped[str] = mapped_column(Text)  # JSON object: the values involved (personal data: read through scope)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(1000))  # of the last status change
    first_run: Mapped[int] = mapped_column(Integer)
    last_run: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FindingEvent(Base):
    """A finding's history: every status change, by a person or by a verify run."""

    __tablename__ = "finding_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("finding.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(100))  # username, or verify:<run id>
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(1000))


class SpbeAssessment(Base):
    """A region's SPBE (or PEMDI, LOSI) assessment for one year: draft → submitted → verified → published.

    `origin` tells a region's own self-assessment from an imported published result and from the
    synthetic benchmark set; `published_index` holds a published total when no levels are known.
    """

    __tablename__ = "spbe_assessment"
    __table_args__ = (UniqueConstraint("instrument", "region_code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    origin: Mapped[str] = mapped_column(String(20), default="self")  # self, published, synthetic
    published_index: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    population: Mapped[int | None] = mapped_column(BigInteger)  # residents that year (peer groups by population band)
    source_note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(100))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SpbeAnswer(Base):
    """The level a region claims for one indicator, its justification, and the verifier's own level."""

    __tablename__ = "spbe_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("spbe_assessment.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(20))
    level: Mapped[int | None] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(String(4000), default="")
    verified_level: Mapped[int | None] = mapped_column(Integer)
    verifier_note: Mapped[str] = mapped_column(String(2000), default="")


class SpbeEvidence(Base):
    """Evidence for a level claimed: a link (URL) or an uploaded file (document, screenshot)."""

    __tablename__ = "spbe_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("spbe_assessment.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(20))
    level: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(String(1000))
    file_name: Mapped[str | None] = mapped_column(String(255))
    stored_as: Mapped[str | None] = mapped_column(String(500))  # path under the data directory
    description: Mapped[str] = mapped_column(String(1000), default="")
    added_by: Mapped[str | None] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SpbeEvent(Base):
    """The history of an assessment: every level change, status move and evidence, by whom and when."""

    __tablename__ = "spbe_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("spbe_assessment.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    indicator: Mapped[str | None] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(2000), default="")


class SpbeApplication(Base):
    """A digital service a region lists in the Living Lab catalog so that others can copy it."""

    __tablename__ = "spbe_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13), index=True)
    name: Mapped[str] = mapped_column(String(200))
    indicators: Mapped[str] = mapped_column(String(200))  # comma-separated indicator ids
    owner: Mapped[str] = mapped_column(String(200), default="")
    technology: Mapped[str] = mapped_column(String(200), default="")
    license: Mapped[str] = mapped_column(String(100), default="")
    source_code: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(2000), default="")
    added_by: Mapped[str | None] = mapped_column(String(100))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
