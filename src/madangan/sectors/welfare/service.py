"""Targeting on behalf of a person: region checked against their scope, numbers masked, lists with their reasons.

The CLI and the API both come through here. Auditing is the caller's job (it knows the
channel and client), as in madangan.verval.findings.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import date

import polars as pl

from madangan import warehouse
from madangan.access import Permission, Principal, mask
from madangan.errors import Conflict, NotFound, OutOfScope, UserError
from madangan.i18n import t
from madangan.regions import normalize_code, regions
from madangan.sectors.welfare import quota, rules, store, targeting
from madangan.sectors.welfare.messages import LOCAL_LABELS, OUTCOME_LABELS, REASON_LABELS, VULNERABILITY_LABELS
from madangan.verval import store as verval_store
from madangan.verval import worklist

#: Verval rules whose findings put a recipient on the review list (source penerima_bansos).
REVIEW_RULES = ("penerima_meninggal", "penerima_pegawai", "penerima_keluarga_pegawai", "penerima_tidak_layak",
                "program_saling_eksklusif", "penerima_ganda")
LEVELS = ("desa", "kecamatan", "kabupaten")


def rule_file(settings) -> rules.RuleFile:
    """The program rules in force; a file changed since last recorded is noted in the audit log."""
    from madangan.access import rulefiles

    rulefiles.note_for(settings, rules.path_of(settings.verval))
    return rules.load(settings.verval)


@contextmanager
def inputs(settings, engine, scope: str | None = None):
    """The warehouse tables and current field outcomes; a clear error when the welfare sources are missing."""
    con = warehouse.connect(settings.warehouse)
    try:
        present = set(con.list_tables())
        missing = [n for n in targeting.REQUIRED if n not in present]
        if missing:
            raise UserError(t("welfare.missing_sources", sources=", ".join(missing)))
        yield targeting.Inputs({n: con.table(n) for n in present}, store.current(engine, scope))
    finally:
        con.disconnect()


def region(deployment_code: str, who: Principal, code: str | None, *, desa_only: bool = False) -> str:
    """The region a request is about: the caller's scope by default; refused outside the deployment or scope."""
    if not code:
        code = who.region_code or deployment_code
        if desa_only and code.count(".") != 3:
            raise UserError(t("welfare.need_desa"))
        return code
    code = normalize_code(code)
    if code not in regions() or not (code == deployment_code or code.startswith(deployment_code + ".")):
        raise NotFound(t("verval.desa_outside", code=code, region=deployment_code))
    if desa_only and code.count(".") != 3:
        raise UserError(t("welfare.not_desa", code=code))
    if who.region_code and not who.in_scope(code):
        raise OutOfScope(t("verval.not_in_scope", code=code, scope=who.region_code))
    return code


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise UserError(t("verval.unknown_status", status=level, allowed=", ".join(LEVELS)))
    return level


def rates(settings, engine, who: Principal, deployment_code: str, *, program=None, desa=None, period=None,
          level: str = "desa") -> list[dict]:
    scope = region(deployment_code, who, desa)
    with inputs(settings, engine) as found:
        frame = targeting.rates(found, rule_file(settings), program=program, scope=scope, period=period,
                                level=check_level(level))
    names = regions().names
    return [{**r, "nama_wilayah": names.get(r["kode_wilayah"])} for r in frame.to_dicts()]


def sees_welfare(who: Principal) -> bool:
    """An analyst of another OPD, or a posyandu cadre, sees no welfare person (as with verval findings)."""
    visible = worklist.visible_sources(who)
    return visible is None or "penerima_bansos" in visible


def _shown(who: Principal):
    return (lambda s: s) if who.can(Permission.UNMASKED) else mask


def _labels(row: dict, keys: dict, lang: str) -> list[str]:
    return [labels[lang] for k, labels in keys.items() if row.get(k)]


def outcomes_by_program(engine, scope: str | None, programs) -> dict[tuple[str, str], str]:
    """(no_kk, program) → the field outcome that counts for that program (see targeting.effective_outcomes)."""
    frame = targeting.effective_outcomes(store.current(engine, scope), list(programs))
    return {(r[0], r[1]): r[2] for r in frame.iter_rows()}


def priority_label(rule: rules.ProgramRule, tier: int, criteria: list[str], lang: str) -> str:
    """'Prioritas 1: desil 1' or 'Prioritas 3: kriteria lokal (kehilangan mata pencaharian)' — why the family is there."""
    tiers = rule.tiers()
    if tier <= len(tiers):
        return t("ui.targeting.tier_decile", lang, tier=tier, deciles=", ".join(str(d) for d in tiers[tier - 1]))
    return t("ui.targeting.tier_local", lang, tier=tier, criteria=", ".join(LOCAL_LABELS[c][lang] for c in criteria))


def candidates(settings, engine, who: Principal, deployment_code: str, *, desa=None, program=None, period=None,
               lang: str = "id") -> tuple[list[dict], str]:
    """Eligible families not receiving, ranked per desa and program; (rows, period)."""
    scope = region(deployment_code, who, desa)
    file = rule_file(settings)
    with inputs(settings, engine, scope) as found:
        period = targeting.latest_period(found, period)
        version = file.for_period(period)
        rules.check_program(program, version)
        if not sees_welfare(who):
            return [], period
        frame = targeting.candidates(found, version, scope, period, program)
    outcome_of = outcomes_by_program(engine, scope, version.program)
    finding_of = _finding_ids(engine, scope, "layak_tidak_menerima", "desil")
    shown, names = _shown(who), regions().names
    vul = {k: v for k, v in VULNERABILITY_LABELS.items()}
    rows = []
    for r in frame.to_dicts():
        outcome = outcome_of.get((r["no_kk"], r["program"]))
        rule = version.program[r["program"]]
        rows.append({
            "kode_desa": r["kode_desa"], "desa": names.get(r["kode_desa"]), "program": r["program"],
            "urutan": r["urutan"], "no_kk": shown(r["no_kk"]), "nik_kepala_keluarga": shown(r["nik_kepala_keluarga"]),
            "nama_kepala_keluarga": r["nama_kepala_keluarga"], "desil": r["desil"],
            "tingkat_prioritas": r["tingkat_prioritas"], "skor_kriteria_lokal": r["skor_kriteria_lokal"],
            "lewat_kriteria_lokal": r["lewat_kriteria_lokal"],
            "kriteria_lokal": [LOCAL_LABELS[c][lang] for c in r["kriteria_lokal"]],
            "prioritas": priority_label(rule, r["tingkat_prioritas"], r["kriteria_lokal"], lang),
            "kerentanan": _labels(r, vul, lang), "skor_kerentanan": r["skor_kerentanan"],
            "hasil_verifikasi": OUTCOME_LABELS[outcome][lang] if outcome else None,
            "id_temuan": finding_of.get(r["no_kk"]),
        })
    return rows, period


def _finding_ids(engine, scope: str, rule: str, source: str) -> dict[str, str]:
    f = verval_store.FindingFilter(desa=scope if scope.count(".") > 1 else None, rule=rule, source=source)
    found, _ = verval_store.list_findings(engine, f, scope_code=scope, sources=None, limit=None)
    return {x.record_key: x.id for x in found}


def review(settings, engine, who: Principal, deployment_code: str, *, desa=None, program=None, period=None,
           lang: str = "id") -> tuple[list[dict], str]:
    """Recipients to review: the active verval findings on their row, and negative field outcomes."""
    scope = region(deployment_code, who, desa)
    if not sees_welfare(who):
        return [], period or ""
    f = verval_store.FindingFilter(desa=scope if scope.count(".") > 1 else None, source="penerima_bansos")
    found_rows, _ = verval_store.list_findings(engine, f, scope_code=scope, sources=None, limit=None)
    by_key: dict[str, list] = {}
    for x in found_rows:
        if x.rule in REVIEW_RULES:
            by_key.setdefault(x.record_key, []).append(x)
    titles = worklist.rules()
    file = rule_file(settings)
    with inputs(settings, engine, scope) as data:
        period = targeting.latest_period(data, period)
        version = file.for_period(period)
        rules.check_program(program, version)
        frame = targeting.review_rows(data, version, scope, period, sorted(by_key))
    if program:
        frame = frame.filter(pl.col("program") == program)
    outcome_of = outcomes_by_program(engine, scope, version.program)
    shown, names = _shown(who), regions().names
    rows = []
    for r in frame.sort("kode_desa", "program", "no_kk", "id_penerima").to_dicts():
        findings = by_key.get(r["id_penerima"], [])
        reasons = [titles[x.rule].title[lang] for x in findings]
        outcome = outcome_of.get((r["no_kk"], r["program"]))
        if r["alasan_verifikasi"] and outcome:
            reasons.append(f"{REASON_LABELS['verifikasi'][lang]}: {OUTCOME_LABELS[outcome][lang]}")
        rows.append({
            "kode_desa": r["kode_desa"], "desa": names.get(r["kode_desa"]), "program": r["program"],
            "periode": r["periode"], "id_penerima": r["id_penerima"], "nik": shown(r["nik"]), "no_kk": shown(r["no_kk"]),
            "nama": r["nama"], "nominal": r["nominal"], "desil": r["desil"], "alasan": reasons,
            "temuan": [{"id": x.id, "aturan": x.rule, "status": x.status} for x in findings],
            "hasil_verifikasi": OUTCOME_LABELS[outcome][lang] if outcome else None,
        })
    return rows, period


def whatif(settings, engine, who: Principal, deployment_code: str, *, desa: str | None, quota: int,
           program: str = "BLT_DD", period=None) -> dict:
    scope = region(deployment_code, who, desa, desa_only=True)
    if not sees_welfare(who):
        raise NotFound(t("welfare.not_desa", code=scope))
    file = rule_file(settings)
    with inputs(settings, engine, scope) as data:
        period = targeting.latest_period(data, period)
        version = file.for_period(period)
        rules.check_program(program, version)
        quota_programs = [p for p, r in version.program.items() if r.berkuota]
        if program not in quota_programs:
            raise Conflict(t("welfare.not_quota", program=program, allowed=", ".join(quota_programs)))
        result = targeting.whatif(data, version, scope, period, quota, program)
    shown = _shown(who)
    chosen = [{"urutan": r["urutan"], "no_kk": shown(r["no_kk"]), "nik_kepala_keluarga": shown(r["nik_kepala_keluarga"]),
               "nama_kepala_keluarga": r["nama_kepala_keluarga"], "desil": r["desil"],
               "tingkat_prioritas": r["tingkat_prioritas"], "status": r["status"],
               "prioritas": priority_label(version.program[program], r["tingkat_prioritas"], r["kriteria_lokal"], "id")}
              for r in result["terpilih"].to_dicts()]
    leaving = [{"id_penerima": r["id_penerima"], "no_kk": shown(r["no_kk"]), "nama": r["nama"], "desil": r["desil"],
                "salah_sasaran": r["salah"]} for r in result["keluar"].to_dicts()]
    return {"kode_desa": scope, "program": program, "periode": period, "kuota_sekarang": result["kuota_sekarang"],
            "kuota_baru": quota, "sebelum": result["sebelum"], "sesudah": result["sesudah"], "terpilih": chosen,
            "keluar": leaving}


def whatif_file(settings, engine, who: Principal, deployment_code: str, name: str, data: bytes,
                period=None) -> dict:
    """A regency-wide quota file (Kode Desa, Program, Kuota): every row checked first — one bad row and nothing is
    computed — then per program the counts before and after for each listed desa, and their totals."""
    scope = region(deployment_code, who, None)
    if not sees_welfare(who):
        raise NotFound(t("welfare.not_desa", code=scope))
    file = rule_file(settings)
    names = regions().names
    with inputs(settings, engine, scope) as data_in:
        period = targeting.latest_period(data_in, period)
        version = file.for_period(period)
        rows = quota.read(name, data, version, deployment_code,
                          in_scope=lambda code: not who.region_code or who.in_scope(code))
        results = []
        for program in dict.fromkeys(r.program for r in rows):
            wanted = {r.kode_desa: r.kuota for r in rows if r.program == program}
            per_desa = targeting.whatif_regency(data_in, version, scope, period, program, wanted)
            results.append({"program": program, "jumlah": targeting.regency_totals(per_desa),
                            "desa": [{**r, "nama_desa": names.get(r["kode_desa"])} for r in per_desa.to_dicts()]})
    return {"periode": period, "berkas": name, "baris": len(rows), "hasil": results}


def family_desa(settings, no_kk: str, engine) -> str | None:
    """Where a family lives: its DTSEN row, its family card, or the desa its self-report named."""
    con = warehouse.connect(settings.warehouse)
    try:
        present = set(con.list_tables())
        for name in ("desil", "keluarga"):
            if name in present:
                tbl = con.table(name)
                found = tbl.filter(tbl.no_kk == no_kk).select("kode_desa").limit(1).to_pyarrow()["kode_desa"].to_pylist()
                if found:
                    return found[0]
    finally:
        con.disconnect()
    return store.reported_desa(engine, no_kk)


def record_outcome(settings, engine, who: Principal, no_kk: str, outcome: str, actor: str, reason: str | None = None,
                   program: str | None = None) -> list[dict]:
    """A field visit's outcome for a family in the caller's scope; returns the family's history."""
    no_kk = no_kk.strip()
    if outcome not in store.OUTCOMES:
        raise UserError(t("welfare.unknown_outcome", outcome=outcome, allowed=", ".join(store.OUTCOMES)))
    if program is not None:
        file = rule_file(settings)
        rules.check_program(program, file.versi[-1])
    desa = family_desa(settings, no_kk, engine) if sees_welfare(who) else None
    if desa is None or (who.region_code and not who.in_scope(desa)):
        raise NotFound(t("welfare.unknown_family"))  # outside the scope looks the same as unknown
    store.record_outcome(engine, no_kk, desa, outcome, actor, reason, program)
    return history(engine, who, no_kk)


def history(engine, who: Principal, no_kk: str) -> list[dict]:
    rows = store.history(engine, no_kk) if sees_welfare(who) else []
    if rows and who.region_code and not who.in_scope(rows[-1]["kode_desa"]):
        raise NotFound(t("welfare.unknown_family"))
    return [{"waktu": r["at"].isoformat(timespec="seconds"), "hasil": r["outcome"], "program": r["program"],
             "alasan": r["reason"], "oleh": r["actor"], "kode_desa": r["kode_desa"]} for r in rows]


def verification_queue(engine, who: Principal, deployment_code: str, desa: str | None = None) -> list[dict]:
    scope = region(deployment_code, who, desa)
    if not sees_welfare(who):
        return []
    shown = _shown(who)
    return [{"nomor": r["id"], "kode_desa": r["kode_desa"], "no_kk": shown(r["no_kk"]), "nik": shown(r["nik"]),
             "alasan": r["alasan"], "diterima": r["created_at"].isoformat(timespec="seconds") if r["created_at"] else None}
            for r in store.queue(engine, scope if scope.count(".") > 1 else None)]


# --------------------------------------------------------------------------- citizen self-check


def digits(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) != 16 or not value.isdigit():
        raise UserError(t("welfare.bad_number", field=field))
    return value


def fingerprint(number: str) -> str:
    """What the audit log may hold of a looked-up number: a short hash prefix, never the number."""
    return hashlib.sha256(number.encode()).hexdigest()[:8]


def self_check(settings, nik: str | None, no_kk: str | None, birth: date) -> dict:
    """Registered in DTSEN, and which programs: nothing else (no decile, no names, no other members).

    The NIK must be a living resident's with that birth date; a KK number needs its head's birth date."""
    con = warehouse.connect(settings.warehouse)
    try:
        present = set(con.list_tables())
        kk = None
        if "penduduk" in present:
            p = con.table("penduduk")
            match = p.filter((p.nik == nik) if nik else ((p.no_kk == no_kk) & (p.status_hubungan == "KEPALA KELUARGA")))
            match = match.filter((match.tanggal_lahir == birth) & (match.status_hidup == "HIDUP"))
            found = match.select("no_kk").limit(1).to_pyarrow()["no_kk"].to_pylist()
            kk = found[0] if found else None
        if kk is None:
            return {"ditemukan": False, "terdaftar_dtsen": False, "program": []}
        registered = False
        if "desil" in present:
            d = con.table("desil")
            registered = d.filter(d.no_kk == kk).count().execute() > 0
        programs: list[str] = []
        if "penerima_bansos" in present:
            r = con.table("penerima_bansos")
            r = r.filter((r.no_kk == kk) & (r.status.fill_null("AKTIF") == "AKTIF"))
            latest = r.periode.max().execute()
            if latest is not None:
                programs = sorted(set(r.filter(r.periode == latest).program.to_pyarrow().to_pylist()))
    finally:
        con.disconnect()
    return {"ditemukan": True, "terdaftar_dtsen": registered, "program": programs}
