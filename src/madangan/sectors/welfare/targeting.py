"""Welfare targeting: per program × desa × period, who receives, who should, and what goes astray.

Set-based over the warehouse (Ibis on DuckDB); only the small per-desa results and one desa's
lists come out as Polars frames. Definitions (counts behind every rate are returned too):

* recipients (`penerima`): active rows of the program (a row per family; PBI-JK a row per member);
* inclusion error (`salah_inklusi`): a recipient row whose family fails the program's rule
  (desil, component, desa), or whose person/family falls in an exclusion category (deceased,
  ASN/TNI/Polri/perangkat desa or their family), or whose family a field visit found not
  eligible/moved/deceased/not found; rate = salah_inklusi / penerima;
* eligible families (`keluarga_layak`): families meeting the rule, outside every exclusion;
  `layak_menerima` those with a row of the program in the period; coverage = layak_menerima / keluarga_layak;
* exclusion error (`salah_eksklusi`): an eligible family without the program; for a quota program
  (BLT Dana Desa) only when a family of a later priority tier of the same desa receives it
  instead; rate = salah_eksklusi / keluarga_layak;
* leakage (`kebocoran_rp`): the money on inclusion-error rows.

Field outcomes apply per program: `tidak_layak`/`layak` recorded for one program change that program's
lists and rates only; `pindah`/`meninggal`/`tidak_ditemukan` (or any outcome recorded without a program)
apply to every program of the family. The latest outcome that applies wins.

A program with `desil_kriteria_lokal` (BLT Dana Desa) has a last priority tier: a family of those deciles
meeting at least one of its `kriteria_lokal` is a candidate after every decile tier, and its aid is no
inclusion error once every decile-eligible family of the desa receives the program in that period.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import polars as pl

from madangan.errors import UserError
from madangan.i18n import t
from madangan.sectors.welfare import rules as rules_mod
from madangan.sectors.welfare.eligibility import family_eligible, kelurahan, program_eligible, tier
from madangan.sectors.welfare.rules import COMPONENTS, RuleFile, Version, period_start
from madangan.sectors.welfare.store import FAMILY_LEVEL, NEGATIVE

REQUIRED = ("desil", "penerima_bansos")
FLAGS = (*COMPONENTS, "kehilangan_mata_pencaharian")
REASONS = ("tidak_layak", "meninggal", "pegawai", "keluarga_pegawai", "verifikasi")
COUNTS = ("penerima", "keluarga_penerima", "salah_inklusi", *(f"alasan_{r}" for r in REASONS), "nominal_rp",
          "kebocoran_rp", "keluarga_layak", "layak_menerima", "salah_eksklusi")
VULNERABILITIES = ("balita_stunting", "ibu_hamil_risiko_tinggi", "lansia_sendiri", "disabilitas")
STUNTED_HAZ = -2.0
HIGH_RISK_KSPR = 6
ELDERLY_AGE = 60


@dataclass
class Inputs:
    """The warehouse tables (name → Ibis table) and the current field outcomes (no_kk, kode_desa, outcome and,
    optionally, program — null for the whole family — and id, later rows winning), as `store.current` gives."""

    tables: dict[str, ir.Table]
    outcomes: pl.DataFrame

    def has(self, *names: str) -> bool:
        return all(n in self.tables for n in names)


def in_region(column: ir.StringValue, code: str | None) -> ir.BooleanValue:
    if not code or code.count(".") < 2:
        return ibis.literal(True)
    return (column == code) | column.startswith(code + ".")


def effective_outcomes(outcomes: pl.DataFrame, programs: list[str]) -> pl.DataFrame:
    """Per family × program (no_kk, program, outcome): the latest outcome that applies to that program —
    one recorded for it, or one about the whole family (family-level kinds, or recorded without a program)."""
    o = outcomes
    if "program" not in o.columns:
        o = o.with_columns(program=pl.lit(None, dtype=pl.String))
    o = o.with_columns(_seq=pl.col("id") if "id" in o.columns else pl.int_range(0, pl.len()))
    o = o.with_columns(program=pl.when(pl.col("outcome").is_in(list(FAMILY_LEVEL))).then(None)
                       .otherwise(pl.col("program")))
    every = o.filter(pl.col("program").is_null()).drop("program").join(
        pl.DataFrame({"program": programs}, schema={"program": pl.String}), how="cross")
    own = o.filter(pl.col("program").is_in(programs))
    both = pl.concat([every.select("no_kk", "program", "outcome", "_seq"), own.select("no_kk", "program", "outcome", "_seq")])
    return both.sort("_seq").group_by("no_kk", "program", maintain_order=True).last().select("no_kk", "program", "outcome")


def _outcome_table(inputs: Inputs, programs: list[str]) -> ir.Table:
    frame = effective_outcomes(inputs.outcomes, programs)
    if not frame.height:
        frame = pl.DataFrame({"no_kk": ["-"], "program": ["-"], "outcome": ["-"]})
    return ibis.memtable(frame.to_arrow())


def families(inputs: Inputs, version: Version, scope: str | None = None) -> ir.Table:
    """DTSEN families with what the rules need: flags, pegawai family, field outcome per program
    (`ditolak_P` negative, `terverifikasi_P` confirmed eligible), eligibility `el_P` per program."""
    d = inputs.tables["desil"]
    d = d.filter(in_region(d.kode_desa, scope))
    f = d.select("no_kk", "kode_desa", "desil", "nik_kepala_keluarga", "nama_kepala_keluarga",
                 *(d[c].fill_null(False).name(c) for c in FLAGS))
    if inputs.has("penduduk", "pegawai") and "keluarga_pegawai" in version.pengecualian:
        p, peg = inputs.tables["penduduk"], inputs.tables["pegawai"]
        f = f.mutate(pegawai=f.no_kk.isin(p.filter(p.nik.isin(peg.nik)).no_kk))
    else:
        f = f.mutate(pegawai=ibis.literal(False))
    flags = [f"{kind}_{name}" for kind in ("ditolak", "terverifikasi") for name in version.program]
    eff = effective_outcomes(inputs.outcomes, list(version.program))
    if eff.height:  # one row per family with an outcome, a column per program and kind: a single join
        wide = eff.with_columns(ditolak=pl.col("outcome").is_in(list(NEGATIVE)), terverifikasi=pl.col("outcome") == "layak")
        wide = wide.pivot(on="program", index="no_kk", values=["ditolak", "terverifikasi"], aggregate_function="max")
        wide = wide.rename({c: c.replace("ditolak_program_", "ditolak_").replace("terverifikasi_program_", "terverifikasi_")
                            for c in wide.columns})
        wide = wide.with_columns(pl.lit(False).alias(c) for c in flags if c not in wide.columns).select(
            pl.col("no_kk").alias("kk_o"), *flags)
        o = ibis.memtable(wide.to_arrow())
        f = f.left_join(o, f.no_kk == o.kk_o).drop("kk_o")
        f = f.mutate(**{c: f[c].fill_null(False) for c in flags})
    else:
        f = f.mutate(**{c: ibis.literal(False) for c in flags})
    return f.mutate(**{f"el_{name}": program_eligible(rule, f) & ~f.pegawai & ~f[f"ditolak_{name}"]
                       for name, rule in version.program.items()})


def recipient_rows(inputs: Inputs, version: Version, periods: list[str] | None = None, scope: str | None = None,
                   program: str | None = None) -> ir.Table:
    """Active recipient rows with one boolean per inclusion-error reason and `salah` (any of them)."""
    r = inputs.tables["penerima_bansos"]
    r = r.filter(in_region(r.kode_desa, scope) & (r.status.fill_null("AKTIF") == "AKTIF"))
    if periods:
        r = r.filter(r.periode.isin(periods))
    every = r
    if program:
        r = r.filter(r.program == program)
    d = inputs.tables["desil"]
    fam = d.select(kk_f="no_kk", desil="desil", **_flags(d))
    j = r.left_join(fam, r.no_kk == fam.kk_f).drop("kk_f")
    local = [(name, rule) for name, rule in version.program.items()
             if rule.desil_kriteria_lokal and (not program or program == name)]
    let_in = [_local_tier_rows(inputs, version, name, rule, every, periods, scope) for name, rule in local]
    let_in = pl.concat(let_in).unique() if let_in else pl.DataFrame()
    ineligible = ~family_eligible(version, j.program, j)
    if let_in.height:  # rows the local-criteria tier lets in (few): one join with a small table
        lt = ibis.memtable(let_in.rename({"id_penerima": "id_lt", "periode": "periode_lt"}).to_arrow())
        j = j.left_join(lt, (j.id_penerima == lt.id_lt) & (j.periode == lt.periode_lt))
        j = j.mutate(lokal=j.id_lt.notnull()).drop("id_lt", "periode_lt")
        ineligible = ~family_eligible(version, j.program, j) & ~j.lokal
    reasons = {"tidak_layak": ineligible}
    dead = inputs.has("kematian") and "meninggal" in version.pengecualian
    reasons["meninggal"] = j.nik.isin(inputs.tables["kematian"].nik) if dead else ibis.literal(False)
    staff = inputs.has("pegawai") and "pegawai" in version.pengecualian
    reasons["pegawai"] = j.nik.isin(inputs.tables["pegawai"].nik) if staff else ibis.literal(False)
    if inputs.has("penduduk", "pegawai") and "keluarga_pegawai" in version.pengecualian:
        p, peg = inputs.tables["penduduk"], inputs.tables["pegawai"]
        reasons["keluarga_pegawai"] = j.no_kk.isin(p.filter(p.nik.isin(peg.nik)).no_kk) & ~reasons["pegawai"]
    else:
        reasons["keluarga_pegawai"] = ibis.literal(False)
    j = j.mutate(**{f"alasan_{k}": v.fill_null(False) for k, v in reasons.items() if k != "verifikasi"})
    o = _outcome_table(inputs, list(version.program))
    neg = o.filter(o.outcome.isin(list(NEGATIVE))).select(kk_o="no_kk", program_o="program")
    j = j.left_join(neg, (j.no_kk == neg.kk_o) & (j.program == neg.program_o))
    j = j.mutate(alasan_verifikasi=j.kk_o.notnull()).drop("kk_o", "program_o", *(["lokal"] if let_in.height else []))
    return j.mutate(salah=ibis.or_(*(j[f"alasan_{k}"] for k in REASONS)))


def _flags(d: ir.Table) -> dict[str, ir.Value]:
    """The DTSEN flags, false where an older export lacks a column (kehilangan_mata_pencaharian)."""
    return {c: d[c] if c in d.columns else ibis.literal(False) for c in FLAGS}


def _alone(inputs: Inputs, scope: str | None, among: ir.StringColumn) -> ir.Table | None:
    """Families (among those numbers) of one living person (kk_a) and that person's birth date (born_a)."""
    if not inputs.has("penduduk"):
        return None
    p = inputs.tables["penduduk"]
    people = p.filter(in_region(p.kode_desa, scope) & (p.status_hidup == "HIDUP") & p.no_kk.isin(among))
    g = people.group_by("no_kk").agg(n=people.count(), born=people.tanggal_lahir.min())
    return g.filter(g.n == 1).select(kk_a="no_kk", born_a="born")


def _with_local_criteria(inputs: Inputs, j: ir.Table, every: ir.Table, scope: str | None) -> ir.Table:
    """Recipient rows with `kl_<criterion>` for each local criterion, as of the row's period."""
    pkh = every.filter(every.program == "PKH").select(kk_h="no_kk", periode_h="periode").distinct()
    j = j.left_join(pkh, (j.no_kk == pkh.kk_h) & (j.periode == pkh.periode_h))
    j = j.mutate(kl_tidak_menerima_pkh=j.kk_h.isnull()).drop("kk_h", "periode_h")
    alone = _alone(inputs, scope, j.no_kk)
    if alone is not None:
        j = j.left_join(alone, j.no_kk == alone.kk_a)
        start = (j.periode + "-01").cast("date")
        j = j.mutate(kl_lansia_sendiri=(start.delta(j.born_a, unit="day") / 365.25 >= ELDERLY_AGE).fill_null(False))
        j = j.drop("kk_a", "born_a")
    else:
        j = j.mutate(kl_lansia_sendiri=ibis.literal(False))
    return j.mutate(kl_kehilangan_mata_pencaharian=j.kehilangan_mata_pencaharian.fill_null(False),
                    kl_punya_disabilitas=j.punya_disabilitas.fill_null(False))


def _local_tier_rows(inputs: Inputs, version: Version, name: str, rule, every: ir.Table, periods: list[str] | None,
                     scope: str | None) -> pl.DataFrame:
    """(id_penerima, periode) of `name` rows whose family enters through the local-criteria tier: of a
    `desil_kriteria_lokal` decile, meeting at least one local criterion, in a desa × period where every
    decile-eligible family receives the program. Computed apart because it is small (usually empty): the
    rows that could qualify first, and only for their periods whether their desa's decile tiers are full."""
    con = inputs.tables["desil"]._find_backend()
    rows = every.filter(every.program == name)
    d = inputs.tables["desil"]
    d = d.filter(d.desil.isin(list(rule.desil_kriteria_lokal))).select(
        kk_f="no_kk", desil="desil", **_flags(d))
    rows = rows.inner_join(d, rows.no_kk == d.kk_f).drop("kk_f")
    if rule.hanya_desa:
        rows = rows.filter(~kelurahan(rows.kode_desa))
    rows = _with_local_criteria(inputs, rows, every, scope)
    rows = rows.filter(ibis.or_(*(rows[f"kl_{c}"] for c in rule.kriteria_lokal)))
    found = con.to_polars(rows.select("id_penerima", "periode", "kode_desa").distinct())
    empty = pl.DataFrame(schema={"id_penerima": pl.String, "periode": pl.String})
    if not found.height:
        return empty
    its_periods = sorted(found["periode"].unique().to_list())
    ep = eligible_periods(inputs, version, its_periods, scope, [name], every.filter(every.periode.isin(its_periods)))
    waiting = con.to_polars(ep.filter(~ep.menerima).select("kode_desa", "periode").distinct())
    found = found.join(waiting, on=["kode_desa", "periode"], how="anti")
    return found.select(pl.col("id_penerima").cast(pl.String), pl.col("periode").cast(pl.String))


def periods_of(inputs: Inputs, period: str | None) -> list[str]:
    if period:
        period_start(period)  # checks the format
        return [period]
    r = inputs.tables["penerima_bansos"]
    return sorted(r.select("periode").distinct().to_pyarrow()["periode"].to_pylist())


def _eligible_long(fam: ir.Table, version: Version, programs: list[str]) -> ir.Table:
    parts = [fam.filter(fam[f"el_{p}"]).select("no_kk", "kode_desa", program=ibis.literal(p),
                                               tier=tier(version.program[p], fam.desil))
             for p in programs]
    return ibis.union(*parts)


def eligible_periods(inputs: Inputs, version: Version, periods: list[str], scope: str | None,
                     programs: list[str], rows: ir.Table | None = None) -> ir.Table:
    """Eligible family × program × period, with `menerima` (has a row) and `missed` (an exclusion error)."""
    if rows is None:
        rows = recipient_rows(inputs, version, periods, scope)
    fam = families(inputs, version, scope)
    el = _eligible_long(fam, version, programs)
    per = ibis.memtable(pl.DataFrame({"periode": periods}).to_arrow())
    ep = el.cross_join(per)
    got = rows.select(kk_r="no_kk", program_r="program", periode_r="periode").distinct()
    ep = ep.left_join(got, (ep.no_kk == got.kk_r) & (ep.program == got.program_r) & (ep.periode == got.periode_r))
    ep = ep.mutate(menerima=ep.kk_r.notnull()).drop("kk_r", "program_r", "periode_r")
    pairs = [(a, b) for a, b in version.saling_eksklusif if a in programs]
    if pairs:  # a family receiving `other` is not a candidate for `first` (equi-join on three keys)
        blocked = ibis.union(*(got.filter(got.program_r == b).select(kk_x="kk_r", periode_x="periode_r",
                                                                     program_x=ibis.literal(a)) for a, b in pairs)).distinct()
        ep = ep.left_join(blocked, (ep.no_kk == blocked.kk_x) & (ep.periode == blocked.periode_x)
                          & (ep.program == blocked.program_x))
        ep = ep.filter(ep.kk_x.isnull() | ep.menerima).drop("kk_x", "periode_x", "program_x")
    quota = [p for p in programs if version.program[p].berkuota]
    w = ibis.window(group_by=[ep.program, ep.kode_desa, ep.periode])
    worst = ep.menerima.ifelse(ep.tier, 0).max().over(w)
    missed = ~ep.menerima & (~ep.program.isin(quota) | (ep.tier < worst)) if quota else ~ep.menerima
    return ep.mutate(missed=missed)


def _counts(inputs: Inputs, version: Version, periods: list[str], scope: str | None,
            programs: list[str]) -> pl.DataFrame:
    """Per program × desa × period: every count the rates are made of."""
    con = inputs.tables["desil"]._find_backend()
    every = recipient_rows(inputs, version, periods, scope)
    rows = every.filter(every.program.isin(programs))
    rec = rows.group_by("program", "kode_desa", "periode").agg(
        penerima=rows.count(), keluarga_penerima=rows.no_kk.nunique(), salah_inklusi=rows.salah.cast("int64").sum(),
        nominal_rp=rows.nominal.sum(), kebocoran_rp=rows.salah.ifelse(rows.nominal, 0).sum(),
        **{f"alasan_{k}": rows[f"alasan_{k}"].cast("int64").sum() for k in REASONS},
    )
    ep = eligible_periods(inputs, version, periods, scope, programs, every)
    elig = ep.group_by("program", "kode_desa", "periode").agg(
        keluarga_layak=ep.count(), layak_menerima=ep.menerima.cast("int64").sum(),
        salah_eksklusi=ep.missed.cast("int64").sum())
    a, b = con.to_polars(rec), con.to_polars(elig)
    keys = ["program", "kode_desa", "periode"]
    out = a.join(b, on=keys, how="full", coalesce=True)
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNTS)


def with_rates(frame: pl.DataFrame) -> pl.DataFrame:
    def ratio(num: str, den: str) -> pl.Expr:
        return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)

    return frame.with_columns(
        cakupan=ratio("layak_menerima", "keluarga_layak"),
        tingkat_inklusi=ratio("salah_inklusi", "penerima"),
        tingkat_eksklusi=ratio("salah_eksklusi", "keluarga_layak"),
    )


def level_code(level: str) -> pl.Expr:
    """kode_desa → the code of its kecamatan or regency."""
    width = {"desa": 13, "kecamatan": 8, "kabupaten": 5}[level]
    return pl.col("kode_desa").str.slice(0, width)


def rates(inputs: Inputs, rules: RuleFile, *, program: str | None = None, scope: str | None = None,
          period: str | None = None, level: str = "desa") -> pl.DataFrame:
    """Counts and rates per program × region (desa, kecamatan or kabupaten) × period."""
    periods = periods_of(inputs, period)
    frames = []
    by_version: dict[str, tuple[Version, list[str]]] = {}
    for p in periods:
        v = rules.for_period(p)
        by_version.setdefault(v.nama, (v, []))[1].append(p)
    for version, its_periods in by_version.values():
        rules_mod.check_program(program, version)
        programs = [program] if program else list(version.program)
        frames.append(_counts(inputs, version, its_periods, scope, programs))
    if not frames:
        return with_rates(pl.DataFrame(schema={"program": pl.String, "kode_wilayah": pl.String, "periode": pl.String,
                                               **{c: pl.Int64 for c in COUNTS}}))
    counts = pl.concat(frames)
    rolled = (counts.with_columns(kode_wilayah=level_code(level))
              .group_by("program", "kode_wilayah", "periode").agg(pl.col(c).sum() for c in COUNTS))
    return with_rates(rolled).sort("periode", "program", "kode_wilayah")


# --------------------------------------------------------------------------- cross-sector view


def vulnerabilities(inputs: Inputs, scope: str | None, period: str) -> pl.DataFrame:
    """Per family (no_kk) in scope: stunted child, high-risk pregnancy, elderly living alone (when the
    health and population sources are loaded); disability comes from DTSEN itself."""
    t = inputs.tables
    con = t["desil"]._find_backend()
    start = period_start(period)
    found: list[pl.DataFrame] = []
    if inputs.has("penduduk"):
        p = t["penduduk"]
        people = p.filter(in_region(p.kode_desa, scope) & (p.status_hidup == "HIDUP"))
        age = ibis.literal(start).delta(people.tanggal_lahir, unit="day") / 365.25
        alone = people.group_by("no_kk").agg(n=people.count(), old=(age >= ELDERLY_AGE).cast("int64").max())
        alone = alone.filter((alone.n == 1) & (alone.old == 1)).select("no_kk", lansia_sendiri=ibis.literal(True))
        found.append(con.to_polars(alone))
        kk_of = t["penduduk"].select(nik_p="nik", no_kk="no_kk")
        if inputs.has("posyandu", "balita"):
            from madangan.sectors.health.indicators import measurements, with_z

            pos = t["posyandu"].filter(in_region(t["posyandu"].kode_desa, scope)
                                       & (t["posyandu"].tanggal_ukur < ibis.literal(_next_month(start))))
            m = measurements({**t, "posyandu": pos})
            last = ibis.window(group_by=m.nik_anak, order_by=[ibis.desc(m.tanggal_ukur), ibis.desc(m.id_pengukuran)])
            m = m.mutate(_r=ibis.row_number().over(last))
            m = with_z(m.filter(m._r == 0), "haz")
            stunted = m.filter(m.z < STUNTED_HAZ)
            stunted = stunted.inner_join(kk_of, stunted.nik_anak == kk_of.nik_p).select("no_kk").distinct()
            found.append(con.to_polars(stunted.mutate(balita_stunting=ibis.literal(True))))
        if inputs.has("kehamilan"):
            from madangan.sectors.health.indicators import kspr_score

            k = t["kehamilan"]
            k = k.filter(in_region(k.kode_desa, scope) & k.tanggal_persalinan.isnull() & (k.hpl >= ibis.literal(start))
                         & (k.hpht <= ibis.literal(start)))
            k = k.filter(kspr_score(k.faktor_risiko) >= HIGH_RISK_KSPR)
            risky = k.inner_join(kk_of, k.nik_ibu == kk_of.nik_p).select("no_kk").distinct()
            found.append(con.to_polars(risky.mutate(ibu_hamil_risiko_tinggi=ibis.literal(True))))
    out = pl.DataFrame(schema={"no_kk": pl.String})
    for frame in found:
        out = out.join(frame.unique("no_kk"), on="no_kk", how="full", coalesce=True)
    for c in VULNERABILITIES[:3]:
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Boolean).alias(c))
    return out.with_columns(pl.col(c).fill_null(False) for c in VULNERABILITIES[:3])


def _next_month(day):
    return day.replace(year=day.year + (day.month == 12), month=day.month % 12 + 1)


def latest_period(inputs: Inputs, period: str | None) -> str:
    found = periods_of(inputs, period)
    if not found:
        raise UserError(t("welfare.missing_sources", sources="penerima_bansos"))
    return found[-1]


def _family_frame(inputs: Inputs, version: Version, scope: str, period: str) -> pl.DataFrame:
    """Families in scope with eligibility, receipt per program in the period, vulnerabilities and local criteria."""
    con = inputs.tables["desil"]._find_backend()
    fam = con.to_polars(families(inputs, version, scope))
    r = inputs.tables["penerima_bansos"]
    got = con.to_polars(r.filter(in_region(r.kode_desa, scope) & (r.periode == period)
                                 & (r.status.fill_null("AKTIF") == "AKTIF")).select("no_kk", "program").distinct())
    for p in version.program:
        fam = fam.with_columns(pl.col("no_kk").is_in(got.filter(pl.col("program") == p)["no_kk"].implode())
                               .alias(f"rc_{p}"))
    vul = vulnerabilities(inputs, scope, period)
    fam = fam.join(vul, on="no_kk", how="left").with_columns(
        pl.col(c).fill_null(False) for c in VULNERABILITIES[:3]).with_columns(disabilitas=pl.col("punya_disabilitas"))
    local = {
        "kehilangan_mata_pencaharian": pl.col("kehilangan_mata_pencaharian"),
        "punya_disabilitas": pl.col("punya_disabilitas"),
        "tidak_menerima_pkh": ~pl.col("rc_PKH") if "PKH" in version.program else pl.lit(True),
        "lansia_sendiri": pl.col("lansia_sendiri"),
    }
    fam = fam.with_columns(**{f"kl_{c}": e for c, e in local.items()})
    for name, rule in version.program.items():  # the local-criteria tier (lk_P): outside the deciles, a criterion met
        if rule.desil_kriteria_lokal:
            ok = (pl.col("desil").is_in(list(rule.desil_kriteria_lokal)).fill_null(False)
                  & pl.any_horizontal(*(pl.col(f"kl_{c}") for c in rule.kriteria_lokal))
                  & ~pl.col("pegawai") & ~pl.col(f"ditolak_{name}"))
            if rule.hanya_desa:
                ok = ok & (pl.col("kode_desa").str.slice(9, 1) != "1")
        else:
            ok = pl.lit(False)
        fam = fam.with_columns(ok.alias(f"lk_{name}"))
    for first, other in version.saling_eksklusif:
        if first in version.program and other in version.program:
            blocked = pl.col(f"rc_{other}") & ~pl.col(f"rc_{first}")
            fam = fam.with_columns(pl.col(f"el_{first}") & ~blocked, pl.col(f"lk_{first}") & ~blocked)
    return fam.with_columns(skor_kerentanan=pl.sum_horizontal(pl.col(c).cast(pl.Int32) for c in VULNERABILITIES))


def _local_score(rule) -> pl.Expr:
    return pl.sum_horizontal(*(pl.col(f"kl_{c}").cast(pl.Int32) for c in rule.kriteria_lokal)) if rule.kriteria_lokal \
        else pl.lit(0)


def _tier(rule, program: str) -> pl.Expr:
    """Priority tier: the decile tiers, then the local-criteria tier for a family only it lets in."""
    expr = pl.lit(len(rule.tiers()) + 1)
    for i, deciles in reversed(list(enumerate(rule.tiers()))):
        expr = pl.when(pl.col("desil").is_in(list(deciles))).then(pl.lit(i + 1)).otherwise(expr)
    return pl.when(pl.col(f"el_{program}")).then(expr).otherwise(pl.lit(rule.local_tier() or len(rule.tiers()) + 1))


def _criteria_met(rule) -> pl.Expr:
    """The program's local criteria the family meets, by name (which put it in the local tier, or ahead in its own)."""
    if not rule.kriteria_lokal:
        return pl.lit([], dtype=pl.List(pl.String))
    return pl.concat_list(pl.when(pl.col(f"kl_{c}")).then(pl.lit(c)).otherwise(pl.lit(None, dtype=pl.String))
                          for c in rule.kriteria_lokal).list.drop_nulls()


def _pool(fam: pl.DataFrame, program: str, rule) -> pl.DataFrame:
    """Families a program may reach, with their tier, local criteria met and field verification for that program."""
    return fam.filter(pl.col(f"el_{program}") | pl.col(f"lk_{program}")).with_columns(
        program=pl.lit(program), tingkat_prioritas=_tier(rule, program), skor_kriteria_lokal=_local_score(rule),
        kriteria_lokal=_criteria_met(rule), terverifikasi=pl.col(f"terverifikasi_{program}"),
        lewat_kriteria_lokal=~pl.col(f"el_{program}"))


#: The order in which families are added: priority tier, poorer decile, confirmed in the field, more local
#: criteria, more cross-sector vulnerability (then, in a what-if, current recipients keep their place).
ORDER = ("tingkat_prioritas", "desil", "terverifikasi", "skor_kriteria_lokal", "skor_kerentanan")
ORDER_DESCENDING = (False, False, True, True, True)


def candidates(inputs: Inputs, version: Version, scope: str, period: str, program: str | None = None) -> pl.DataFrame:
    """Eligible families not receiving, one row per family × program, in the order a village should add them (ORDER)."""
    fam = _family_frame(inputs, version, scope, period)
    parts = []
    for p in [program] if program else list(version.program):
        parts.append(_pool(fam.filter(~pl.col(f"rc_{p}")), p, version.program[p]))
    out = pl.concat(parts, how="vertical_relaxed") if parts else fam.head(0)
    out = out.sort(["kode_desa", "program", *ORDER, "no_kk"], descending=[False, False, *ORDER_DESCENDING, False])
    return out.with_columns(urutan=pl.int_range(1, pl.len() + 1).over("kode_desa", "program")).select(
        "kode_desa", "program", "urutan", "no_kk", "nik_kepala_keluarga", "nama_kepala_keluarga", "desil",
        "tingkat_prioritas", "lewat_kriteria_lokal", "kriteria_lokal", "terverifikasi", "skor_kriteria_lokal",
        *VULNERABILITIES, "skor_kerentanan")


def review_rows(inputs: Inputs, version: Version, scope: str, period: str, keys: list[str]) -> pl.DataFrame:
    """Recipient rows named by finding record keys, plus rows whose family a field visit found ineligible."""
    con = inputs.tables["desil"]._find_backend()
    rows = recipient_rows(inputs, version, [period], scope)
    key_table = ibis.memtable(pl.DataFrame({"kunci": keys or ["-"]}, schema={"kunci": pl.String}).to_arrow())
    chosen = rows.filter(rows.id_penerima.isin(key_table.kunci) | rows.alasan_verifikasi)
    return con.to_polars(chosen.select("id_penerima", "program", "periode", "nik", "no_kk", "nama", "kode_desa",
                                       "nominal", "desil", *(f"alasan_{r}" for r in REASONS)))


def whatif(inputs: Inputs, version: Version, desa: str, period: str, quota: int, program: str) -> dict:
    """A new quota for one desa: who would receive the program under the rules, and the rates before and after."""
    rule = version.program[program]
    fam = _family_frame(inputs, version, desa, period)
    pool = _pool(fam, program, rule)
    pool = pool.sort([*ORDER, f"rc_{program}", "no_kk"], descending=[*ORDER_DESCENDING, True, False])
    chosen = pool.head(quota).with_columns(urutan=pl.int_range(1, pl.len() + 1))
    con = inputs.tables["desil"]._find_backend()
    current = con.to_polars(recipient_rows(inputs, version, [period], desa, program))
    before = _one_desa_counts(pool, current["no_kk"], current["salah"], current["nominal"], program, rule)
    nominal = pl.Series([rule.nominal_per_bulan] * chosen.height, dtype=pl.Int64)
    after = _one_desa_counts(pool, chosen["no_kk"], pl.Series([False] * chosen.height, dtype=pl.Boolean), nominal,
                             program, rule)
    leaving = current.filter(~pl.col("no_kk").is_in(chosen["no_kk"].implode()))
    chosen = chosen.with_columns(status=pl.when(pl.col(f"rc_{program}")).then(pl.lit("tetap")).otherwise(pl.lit("baru")))
    return {"sebelum": before, "sesudah": after, "terpilih": chosen, "keluar": leaving,
            "kuota_sekarang": int(rule.kuota_per_desa.get(desa, current["no_kk"].n_unique()))}


def _one_desa_counts(pool: pl.DataFrame, receivers: pl.Series, wrong: pl.Series, nominal: pl.Series, program: str,
                     rule) -> dict:
    receiving = pool["no_kk"].is_in(receivers.implode())
    worst = pool.filter(receiving)["tingkat_prioritas"].max() or 0
    pool, receiving = pool.filter(~pool["lewat_kriteria_lokal"]), receiving.filter(~pool["lewat_kriteria_lokal"])
    missed = (~receiving & ((pool["tingkat_prioritas"] < worst) if rule.berkuota else True)).sum()
    wrong = wrong.cast(pl.Boolean)
    counts = {"penerima": len(receivers), "salah_inklusi": int(wrong.sum()), "keluarga_layak": pool.height,
              "layak_menerima": int(receiving.sum()), "salah_eksklusi": int(missed),
              "nominal_rp": int(nominal.sum()), "kebocoran_rp": int(nominal.filter(wrong).sum())}
    row = with_rates(pl.DataFrame([counts])).to_dicts()[0]
    return row


# --------------------------------------------------------------------------- regency-wide what-if (a quota file)

PER_DESA = ("penerima", "salah_inklusi", "keluarga_layak", "layak_menerima", "salah_eksklusi", "nominal_rp", "kebocoran_rp")


def _desa_counts(pool: pl.DataFrame, receivers: pl.DataFrame, rule) -> pl.DataFrame:
    """Per kode_desa, the what-if counts for a set of receivers (no_kk, kode_desa, salah, nominal)."""
    rec = receivers.group_by("kode_desa").agg(
        penerima=pl.len(), salah_inklusi=pl.col("salah").cast(pl.Int64).sum(), nominal_rp=pl.col("nominal").sum(),
        kebocoran_rp=pl.when(pl.col("salah")).then(pl.col("nominal")).otherwise(0).sum())
    p = pool.with_columns(receiving=pl.col("no_kk").is_in(receivers["no_kk"].implode()))
    p = p.with_columns(worst=pl.when(pl.col("receiving")).then(pl.col("tingkat_prioritas")).otherwise(0).max()
                       .over("kode_desa"))
    missed = ~pl.col("receiving") & ((pl.col("tingkat_prioritas") < pl.col("worst")) if rule.berkuota else pl.lit(True))
    el = p.filter(~pl.col("lewat_kriteria_lokal")).group_by("kode_desa").agg(
        keluarga_layak=pl.len(), layak_menerima=pl.col("receiving").cast(pl.Int64).sum(),
        salah_eksklusi=missed.cast(pl.Int64).sum())
    out = rec.join(el, on="kode_desa", how="full", coalesce=True)
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in PER_DESA)


def whatif_regency(inputs: Inputs, version: Version, scope: str, period: str, program: str,
                   quotas: dict[str, int]) -> pl.DataFrame:
    """New quotas for many desa at once (a quota file), set-based over the whole scope: per listed desa, who
    the rules would pick (counts of families coming in and going out) and the counts before and after, as
    `sebelum_*` / `sesudah_*` columns. Desa not listed are left out (they stay as they are)."""
    rule = version.program[program]
    wanted = pl.DataFrame({"kode_desa": list(quotas), "kuota_baru": list(quotas.values())},
                          schema={"kode_desa": pl.String, "kuota_baru": pl.Int64})
    fam = _family_frame(inputs, version, scope, period).join(wanted.select("kode_desa"), on="kode_desa", how="semi")
    pool = _pool(fam, program, rule)
    pool = pool.sort(["kode_desa", *ORDER, f"rc_{program}", "no_kk"],
                     descending=[False, *ORDER_DESCENDING, True, False])
    pool = pool.with_columns(rank=pl.int_range(1, pl.len() + 1).over("kode_desa")).join(wanted, on="kode_desa", how="left")
    chosen = pool.filter(pl.col("rank") <= pl.col("kuota_baru"))
    con = inputs.tables["desil"]._find_backend()
    current = con.to_polars(recipient_rows(inputs, version, [period], scope, program).select(
        "no_kk", "kode_desa", "salah", "nominal")).join(wanted.select("kode_desa"), on="kode_desa", how="semi")
    before = _desa_counts(pool, current, rule)
    after = _desa_counts(pool, chosen.select("no_kk", "kode_desa", salah=pl.lit(False),
                                             nominal=pl.lit(rule.nominal_per_bulan, dtype=pl.Int64)), rule)
    moves = chosen.group_by("kode_desa").agg(masuk=(~pl.col(f"rc_{program}")).cast(pl.Int64).sum())
    leaving = current.filter(~pl.col("no_kk").is_in(chosen["no_kk"].implode())).group_by("kode_desa").agg(
        keluar=pl.col("no_kk").n_unique().cast(pl.Int64))
    now = current.group_by("kode_desa").agg(kuota_sekarang=pl.col("no_kk").n_unique().cast(pl.Int64))
    out = (wanted.join(now, on="kode_desa", how="left")
           .join(before.rename({c: f"sebelum_{c}" for c in PER_DESA}), on="kode_desa", how="left")
           .join(after.rename({c: f"sesudah_{c}" for c in PER_DESA}), on="kode_desa", how="left")
           .join(moves, on="kode_desa", how="left").join(leaving, on="kode_desa", how="left"))
    counts = ["kuota_sekarang", "masuk", "keluar", *(f"{w}_{c}" for w in ("sebelum", "sesudah") for c in PER_DESA)]
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts).sort("kode_desa")


def regency_totals(per_desa: pl.DataFrame) -> dict:
    """The sums over the listed desa, with the rates recomputed from them: {'sebelum': {...}, 'sesudah': {...}}."""
    out = {}
    for when in ("sebelum", "sesudah"):
        sums = {c: int(per_desa[f"{when}_{c}"].sum()) for c in PER_DESA}
        out[when] = with_rates(pl.DataFrame([sums])).to_dicts()[0]
    out.update(kuota_sekarang=int(per_desa["kuota_sekarang"].sum()), kuota_baru=int(per_desa["kuota_baru"].sum()),
               masuk=int(per_desa["masuk"].sum()), keluar=int(per_desa["keluar"].sum()), desa=per_desa.height)
    return out
