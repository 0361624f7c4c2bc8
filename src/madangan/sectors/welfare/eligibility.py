"""A program's rule as an Ibis expression over a family's DTSEN row: used by verval's checks and by targeting."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from madangan.sectors.welfare.rules import ProgramRule, Version


def kelurahan(code: ir.StringValue) -> ir.BooleanValue:
    """A kelurahan's Kemendagri serial starts with 1 (32.11.17.1001), a desa's with 2."""
    return code.substr(9, 1) == "1"


def program_eligible(rule: ProgramRule, t: ir.Table) -> ir.BooleanValue:
    """Decile in the program's list, at least one component when it names some, a desa when it must be."""
    ok = t.desil.notnull() & t.desil.isin(list(rule.desil)).fill_null(False)
    if rule.komponen:
        ok = ok & ibis.or_(*(t[c].fill_null(False) for c in rule.komponen))
    if rule.hanya_desa:
        ok = ok & ~kelurahan(t.kode_desa)
    return ok


def family_eligible(version: Version, program: ir.StringValue, t: ir.Table) -> ir.BooleanValue:
    """The rule of the program named in `program` (a column or literal); an unknown program: not eligible."""
    return ibis.cases(*((program == name, program_eligible(rule, t)) for name, rule in version.program.items()),
                      else_=False)


def tier(rule: ProgramRule, desil: ir.IntegerValue) -> ir.IntegerValue:
    """Priority tier (1 = first) of a decile under the program's `prioritas`."""
    tiers = rule.tiers()
    return ibis.cases(*((desil.isin(list(t)), i + 1) for i, t in enumerate(tiers)), else_=len(tiers) + 1)
