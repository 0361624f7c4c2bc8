"""Who may see what: roles, region scope and permissions (issue: access and personal data).

Every route declares one rule (see `madangan.access.web.require` / `public`);
every query for persons goes through `Principal.scope_filter`, so scope is
enforced in the data layer, not only hidden in pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # Diskominfo: runs the deployment
    EXECUTIVE = "executive"  # Bupati/Sekda: every aggregate; persons only on an alert's evidence
    ANALYST = "analyst"  # an OPD: its sectors, all regions
    KECAMATAN = "kecamatan"  # kecamatan officer
    DESA = "desa"  # desa operator: persons of their desa only
    CADRE = "cadre"  # posyandu cadre: their posyandu's children
    LIVINGLAB = "livinglab"  # another region's SPBE team in a hosted Living Lab: its own assessment only
    PUBLIC = "public"  # no login


class Permission(StrEnum):
    AGGREGATES = "aggregates"  # figures per region, no person
    PERSONS = "persons"  # person-level records within scope
    UNMASKED = "unmasked"  # NIK/KK in full (each read audited)
    INGEST = "ingest"  # send data
    ADMIN = "admin"  # users, tokens, settings
    AUDIT = "audit"  # read the audit log
    SPBE = "spbe"  # fill in and submit the own region's SPBE self-assessment (Living Lab)
    SPBE_VERIFY = "spbe_verify"  # verify and publish SPBE assessments, load published results
    LIVINGLAB = "livinglab"  # see the Living Lab: benchmark, published results, catalog (no person, no host data)


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EXECUTIVE: frozenset({Permission.AGGREGATES, Permission.LIVINGLAB}),
    Role.ANALYST: frozenset({Permission.AGGREGATES, Permission.PERSONS, Permission.UNMASKED, Permission.INGEST,
                             Permission.SPBE, Permission.LIVINGLAB}),
    Role.KECAMATAN: frozenset({Permission.AGGREGATES, Permission.PERSONS, Permission.LIVINGLAB}),
    Role.DESA: frozenset({Permission.AGGREGATES, Permission.PERSONS, Permission.UNMASKED, Permission.LIVINGLAB}),
    Role.CADRE: frozenset({Permission.AGGREGATES, Permission.PERSONS, Permission.LIVINGLAB}),
    # A hosted Living Lab (a province, a ministry or Sumedang's lab) lets officers of other regions
    # in: the Living Lab and their own region's assessment, none of the host's command center.
    Role.LIVINGLAB: frozenset({Permission.LIVINGLAB, Permission.SPBE}),
    Role.PUBLIC: frozenset(),
}

#: The narrowest region a role may be scoped to (dots in the code + 1).
ROLE_SCOPE_DEPTH: dict[Role, tuple[int, ...]] = {
    Role.ADMIN: (2,),
    Role.EXECUTIVE: (2,),
    Role.ANALYST: (2,),
    Role.KECAMATAN: (3,),
    Role.DESA: (4,),
    Role.CADRE: (4,),
    Role.LIVINGLAB: (1, 2),  # a province or regency/city anywhere in the country, not the deployment's
    Role.PUBLIC: (2,),
}


#: Columns naming a record's posyandu (a name such as "Posyandu Mawar 1", unique within its desa, or a code).
POSYANDU_COLUMNS = ("posyandu", "kode_posyandu")


def posyandu_column(columns) -> str | None:
    """The column of a table that names its records' posyandu, if any."""
    return next((c for c in POSYANDU_COLUMNS if c in columns), None)


def same_posyandu(a: str | None, b: str | None) -> bool:
    """Posyandu names compared as people type them: case and surrounding spaces do not matter."""
    return a is not None and b is not None and a.strip().upper() == b.strip().upper() != ""


@dataclass(frozen=True)
class Principal:
    """The person or application behind a request."""

    role: Role
    region_code: str  # scope: regency, kecamatan or desa code
    username: str | None = None
    user_id: int | None = None
    token_id: int | None = None
    sectors: frozenset[str] = field(default_factory=frozenset)  # analyst: the OPD's sectors
    sources: frozenset[str] = field(default_factory=frozenset)  # API token: sources it may push
    posyandu: str | None = None  # cadre

    @property
    def is_authenticated(self) -> bool:
        return self.role is not Role.PUBLIC

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def guest(self) -> bool:
        """An officer of another region using a hosted Living Lab (scope outside the deployment)."""
        return self.role is Role.LIVINGLAB

    def in_scope(self, code: str) -> bool:
        """True when the region `code` lies inside (or is) the principal's scope."""
        return code == self.region_code or code.startswith(self.region_code + ".")

    @property
    def posyandu_scoped(self) -> bool:
        """A cadre's persons are their posyandu's children: person queries also match the posyandu."""
        return self.role is Role.CADRE

    def scope_filter(self, table, desa_column: str):
        """An Ibis table of person records restricted to those the principal may see.

        Records whose desa lies in the region scope; for a posyandu cadre, moreover only records of their
        posyandu (the table's `posyandu`/`kode_posyandu` column). A cadre gets nothing from a table without
        such a column, and a cadre account without a posyandu gets nothing at all.
        """
        column = table[desa_column]
        scoped = table.filter((column == self.region_code) | column.startswith(self.region_code + "."))
        if not self.posyandu_scoped:
            return scoped
        name = posyandu_column(table.columns)
        wanted = (self.posyandu or "").strip().upper()
        if name is None or not wanted:
            import ibis

            return scoped.filter(ibis.literal(False))  # nothing, with the table's schema
        return scoped.filter(scoped[name].cast("string").strip().upper() == wanted)


def anonymous(region_code: str) -> Principal:
    return Principal(Role.PUBLIC, region_code)


def mask(number: str | None) -> str | None:
    """3211012305900001 → 3211********0001: region and serial stay, the birth date goes."""
    if number is None or len(number) < 8:
        return number
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
