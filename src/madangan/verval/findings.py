"""Reading and updating findings on behalf of a person: filters checked, scope enforced, numbers masked.

The CLI and the API both come through here, so a worklist reads the same
whoever asks, and nobody reads outside their region or sectors.
"""

from __future__ import annotations

from madangan.access import Permission, Principal, Role, same_posyandu
from madangan.errors import NotFound, OutOfScope, UserError
from madangan.i18n import t
from madangan.plugins import contracts
from madangan.regions import normalize_code, regions
from madangan.verval import store, worklist
from madangan.verval.store import ACTIVE, STATUSES, FindingFilter

#: The server operator at the console: the whole regency, numbers in full (reads are still audited).
OPERATOR = Principal(Role.ADMIN, "")


def parse_filter(region_code: str, *, desa: str | None = None, rule: str | None = None, source: str | None = None,
                 status: list[str] | None = None, severity: str | None = None) -> FindingFilter:
    """A filter from user input, every part checked against what exists."""
    if desa:
        desa = normalize_code(desa)
        if desa not in regions() or not (desa == region_code or desa.startswith(region_code + ".")):
            raise NotFound(t("verval.desa_outside", code=desa, region=region_code))
    known_rules = worklist.rules()
    if rule and rule not in known_rules:
        raise UserError(t("verval.unknown_rule", rule=rule, allowed=", ".join(sorted(known_rules))))
    if source and source not in contracts():
        raise UserError(t("verval.unknown_source", source=source, allowed=", ".join(sorted(contracts()))))
    statuses = tuple(status or ACTIVE)
    if "all" in statuses:
        statuses = STATUSES
    for s in statuses:
        if s not in STATUSES:
            raise UserError(t("verval.unknown_status", status=s, allowed=", ".join((*STATUSES, "all"))))
    if severity and severity not in ("error", "warning", "info"):
        raise UserError(t("verval.unknown_status", status=severity, allowed="error, warning, info"))
    return FindingFilter(desa=desa, rule=rule, source=source, statuses=statuses, severity=severity)


def describe_filter(f: FindingFilter) -> str:
    """The audit target of a list read: the filter, never a person."""
    parts = [f"{k}={v}" for k, v in (("desa", f.desa), ("rule", f.rule), ("source", f.source)) if v]
    return "findings:" + (",".join(parts) or "all")


def _scope_code(who: Principal) -> str | None:
    return who.region_code or None


def check_scope(who: Principal, f: FindingFilter) -> None:
    """A filter on a region that neither lies in the caller's scope nor contains it is refused."""
    if f.desa and who.region_code and not (who.in_scope(f.desa) or who.region_code.startswith(f.desa + ".")):
        raise OutOfScope(t("verval.not_in_scope", code=f.desa, scope=who.region_code))


def read(engine, f: FindingFilter, who: Principal, lang: str, *, offset: int, limit: int | None) -> tuple[list[dict], int]:
    check_scope(who, f)
    rows, total = store.list_findings(engine, f, scope_code=_scope_code(who), sources=worklist.visible_sources(who),
                                      posyandu=worklist.visible_posyandu(who), offset=offset, limit=limit)
    unmasked = who.can(Permission.UNMASKED)
    return [worklist.describe(r, lang, unmasked) for r in rows], total


def _visible(engine, finding_id: str, who: Principal):
    """The finding if the principal may see it; otherwise 'not found' (its existence is not revealed)."""
    found = store.get_finding(engine, finding_id)
    sources = worklist.visible_sources(who)
    if found is None:
        raise NotFound(t("verval.unknown_finding", id=finding_id))
    scope = _scope_code(who)
    in_region = scope is None or scope.count(".") <= 1 or (found.kode_desa is not None and who.in_scope(found.kode_desa))
    posyandu = worklist.visible_posyandu(who)
    if posyandu is not None and not same_posyandu(found.posyandu, posyandu):
        raise NotFound(t("verval.unknown_finding", id=finding_id))
    if not in_region or (sources is not None and found.source not in sources):
        raise NotFound(t("verval.unknown_finding", id=finding_id))
    return found


def read_one(engine, finding_id: str, who: Principal, lang: str) -> tuple[dict, list[dict]]:
    found = _visible(engine, finding_id, who)
    events = [
        {"at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "from_status": e.from_status,
         "to_status": e.to_status, "reason": e.reason}
        for e in store.history(engine, finding_id)
    ]
    return worklist.describe(found, lang, who.can(Permission.UNMASKED)), events


def set_status(engine, finding_id: str, status: str, reason: str | None, who: Principal, actor: str, lang: str) -> dict:
    _visible(engine, finding_id, who)
    updated = store.record_outcome(engine, finding_id, status, actor, reason)
    return worklist.describe(updated, lang, who.can(Permission.UNMASKED))
