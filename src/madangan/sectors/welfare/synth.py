"""Synthetic DTSEN welfare ranking and social-assistance recipients, with known targeting errors.

Who is who
----------
* DTSEN members are the living residents of a family whose `penduduk` record
  the population generator left untouched. A family whose head it tampered
  with (duplicate, invalid NIK, wrong desa, birth-date mismatch) is not ranked
  — DTSEN could not match it with Dukcapil — and never receives aid. So every
  recipient NIK is a valid, unique NIK of a living-or-deceased resident found
  in `penduduk`, and checks on this sector only find what it injects.
* A "pegawai family" has a member in `pegawai`. It is eligible for nothing and
  natural targeting never reaches it.
* Eligibility per program is in `__init__.py` and `eligible()` below; it reads
  only the `desil` row (desil + flags), `pegawai` and `penduduk` (for the KK).

Injected error kinds (ground truth), each recountable exactly from the data
----------------------------------------------------------------------------
* ``layak_tidak_menerima`` (source ``desil``, key no_kk, related program) — an
  eligible family (PKH, BPNT or PBI_JK rule; not a pegawai family) with no row
  of that program. About 30% of eligible families. BLT_DD has no such error:
  it is a quota, so a desil-1 family outside a full quota is not excluded.
* ``penerima_tidak_layak`` (source ``penerima_bansos``, key id_penerima,
  related program) — a row whose family fails the program's desil rule:
  unranked; PKH outside desil 1–2 or without a component; BPNT outside 1–4;
  PBI_JK outside 1–5; BLT_DD outside 1–4, or desil 2–4 while an eligible
  desil-1 family of the same desa has no BLT_DD (priority broken; never
  generated, so it recounts as zero). About 10–15% of each program's rows.
  These rows are of living non-pegawai families.
* ``meninggal_menerima_bansos`` (source ``penerima_bansos``, key id_penerima,
  related the deceased's NIK) — a row whose NIK is in `kematian`; the death is
  before the first day of the period. Either a deceased member still enrolled
  in PBI_JK, or a deceased mother still the PKH pengurus. Count = rate x deaths.
  Their families pass the desil rule and receive the program anyway.
* ``asn_menerima_bansos`` (source ``penerima_bansos``, key id_penerima, related
  the NIK) — a row whose NIK is in `pegawai` (BPNT when the employee heads a
  desil 1–4 family, else PBI_JK for a desil 1–5 family). Count = rate x pegawai.
  These are also exactly the rows whose KK has a pegawai member.
"""

from __future__ import annotations

from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import polars as pl

from madangan.sectors.civil_service.synth import _weighted_pick
from madangan.synth.context import SynthContext

# Regency share of families per national decile (desil 1–4 ≈ 40%).
DESIL_SHARES = np.array([0.09, 0.10, 0.10, 0.11, 0.11, 0.11, 0.11, 0.10, 0.09, 0.08])
UNRANKED_BASE = 0.015  # not yet surveyed
UNRANKED_NEW_KK = 0.10  # extra for a KK issued in the last year (new family)

# Latent welfare: effect of the head's occupation (SIAK names).
OCCUPATION_EFFECT = {
    "BURUH TANI/PERKEBUNAN": -0.8, "BURUH HARIAN LEPAS": -0.6, "BELUM/TIDAK BEKERJA": -0.6,
    "MENGURUS RUMAH TANGGA": -0.4, "PETANI/PEKEBUN": -0.2, "SOPIR": -0.1, "PEDAGANG": 0.1,
    "PENSIUNAN": 0.2, "WIRASWASTA": 0.3, "KARYAWAN SWASTA": 0.5,
}
PEGAWAI_EFFECT = {"PNS": 1.2, "PPPK": 0.8, "TNI": 1.2, "POLRI": 1.2, "PERANGKAT DESA": 0.5}

RECEIVE_RATE = 0.70  # of eligible families, regency mean (exclusion ≈ 30%)
RECEIVE_RATE_DESA_SD = 0.07
INCLUSION_SHARE = {"PKH": 0.12, "BPNT": 0.13, "BLT_DD": 0.11, "PBI_JK": 0.12}  # of a program's rows
BLT_DD_QUOTA = (0.025, 0.06)  # of a desa's families, set by its Dana Desa

NOMINAL_BPNT = 200_000
NOMINAL_BLT_DD = 300_000
PREMI_PBI_JK = 42_000
# PKH per year (Kemensos): (components counted, Rp); at most 4 components per family.
PKH_COMPONENTS = (("n_hamil", "n_dini"), 3_000_000), (("n_dis", "n_lansia"), 2_400_000), \
    (("n_sma",), 2_000_000), (("n_smp",), 1_500_000), (("n_sd",), 900_000)
PKH_MAX_COMPONENTS = 4

FLAGS = ["punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia", "punya_disabilitas",
         "ada_ibu_hamil", "kehilangan_mata_pencaharian"]
DESIL_COLUMNS = ["no_kk", "nik_kepala_keluarga", "nama_kepala_keluarga", "kode_desa", "desil",
                 "tanggal_pemutakhiran", *FLAGS]
ROW_COLUMNS = ["program", "nik", "no_kk", "nama", "kode_desa", "nominal", "_kind", "_related"]


def period_of(ctx: SynthContext) -> tuple[str, date]:
    """The distribution month (YYYY-MM) and its first day: the reference date's month."""
    return ctx.reference_date.strftime("%Y-%m"), ctx.reference_date.replace(day=1)


def synthesize(ctx: SynthContext) -> None:
    members = _members(ctx)
    families = _families(ctx, ctx.rng("welfare-desil"), members)
    ctx.frames["desil"] = families.filter(pl.col("desil").is_not_null()).select(DESIL_COLUMNS)
    families = families.with_columns(**eligible())
    rows, families = _targeting(ctx, ctx.rng("welfare-targeting"), families, members)
    rows = _inject(ctx, ctx.rng("welfare-errors"), rows, families)
    ctx.frames["penerima_bansos"] = _finish(ctx, rows)


def eligible() -> dict[str, pl.Expr]:
    """Per program, the eligibility of a family row (columns desil, flags, pegawai)."""
    d = pl.col("desil")
    ok = d.is_not_null() & ~pl.col("pegawai")
    component = pl.any_horizontal(
        "ada_ibu_hamil", "punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia", "punya_disabilitas"
    )
    return {
        "el_PKH": ok & d.is_between(1, 2) & component,
        "el_BPNT": ok & d.is_between(1, 4),
        "el_BLT_DD": ok & d.is_between(1, 4) & ~pl.col("kelurahan"),
        "el_PBI_JK": ok & d.is_between(1, 5),
    }


def _members(ctx: SynthContext) -> pl.DataFrame:
    """DTSEN members: living residents the population generator did not tamper with."""
    ref = pl.lit(ctx.reference_date)
    return (
        ctx.frames["penduduk"]
        .filter((pl.col("status_hidup") == "HIDUP") & ~pl.col("nik").is_in(ctx.tainted_keys("penduduk").implode()))
        .select("nik", "no_kk", "nama", "jenis_kelamin", "status_hubungan", "status_kawin", "pekerjaan",
                age=(ref - pl.col("tanggal_lahir")).dt.total_days() / 365.25)
        .sort("nik")
    )


def _families(ctx: SynthContext, rng: np.random.Generator, members: pl.DataFrame) -> pl.DataFrame:
    """Every family card, with its DTSEN rank (null = not ranked) and the attributes rules use."""
    n = len(members)
    age = members["age"].to_numpy()
    female = (members["jenis_kelamin"] == "P").to_numpy()
    role = members["status_hubungan"].to_numpy()
    wife = np.isin(role, ["ISTRI", "KEPALA KELUARGA"]) & (members["status_kawin"] == "KAWIN").to_numpy()
    pregnant = female & wife & (age >= 16) & (age < 45) & (rng.random(n) < 0.07)
    disabled = rng.random(n) < (0.008 + 0.03 * (age >= 60))
    a = pl.col("age")
    per_family = (
        members.with_columns(pregnant=pl.Series(pregnant), disabled=pl.Series(disabled))
        .group_by("no_kk")
        .agg(
            n=pl.len(),
            n_dini=(a < 7).sum(), n_sd=a.is_between(7, 13, closed="left").sum(),
            n_smp=a.is_between(13, 16, closed="left").sum(), n_sma=a.is_between(16, 19, closed="left").sum(),
            n_lansia=(a >= 70).sum(), n_hamil=pl.col("pregnant").sum(), n_dis=pl.col("disabled").sum(),
            istri_nik=pl.col("nik").filter(pl.col("status_hubungan") == "ISTRI").first(),
            istri_nama=pl.col("nama").filter(pl.col("status_hubungan") == "ISTRI").first(),
        )
    )
    heads = members.select(nik_kepala_keluarga="nik", head_job="pekerjaan", head_age="age")
    pegawai = (
        ctx.frames["pegawai"].select("nik", "jenis_pegawai")
        .join(ctx.frames["penduduk"].select("nik", "no_kk"), on="nik")
        .with_columns(boost=pl.col("jenis_pegawai").replace_strict(PEGAWAI_EFFECT, return_dtype=pl.Float64))
        .group_by("no_kk").agg(pegawai_boost=pl.col("boost").max())
    )
    desa = ctx.desa().select(kode_desa="desa_code", kelurahan="kelurahan")
    fam = (
        ctx.frames["keluarga"].select("no_kk", "nik_kepala_keluarga", "nama_kepala_keluarga", "kode_desa")
        .join(desa, on="kode_desa", how="left")
        .join(per_family, on="no_kk", how="left")
        .join(heads, on="nik_kepala_keluarga", how="left")
        .join(pegawai, on="no_kk", how="left")
        .sort("no_kk")
        .with_columns(
            head_clean=pl.col("head_job").is_not_null(),
            pegawai=pl.col("pegawai_boost").is_not_null(),
            kelurahan=pl.col("kelurahan").fill_null(False),
        )
        .with_columns(pl.col(c).fill_null(0) for c in ["n", "n_dini", "n_sd", "n_smp", "n_sma", "n_lansia", "n_hamil", "n_dis"])
    )
    h = len(fam)
    loss = rng.random(h) < 0.03

    # Latent welfare: desa (poorer villages, richer kelurahan) + head's work + size + shocks + noise.
    desa_codes = desa["kode_desa"].to_numpy()
    desa_effect = rng.normal(0, 0.4, len(desa_codes)) + 0.5 * desa["kelurahan"].to_numpy()
    effect_of = dict(zip(desa_codes, desa_effect))
    f = {c: fam[c].cast(pl.Float64).to_numpy() for c in ["n", "n_dis", "head_age"]}  # not u32: n - 3 must go negative
    z = (
        fam["kode_desa"].replace_strict(effect_of, default=0.0, return_dtype=pl.Float64).to_numpy()
        + fam["head_job"].replace_strict(OCCUPATION_EFFECT, default=0.0, return_dtype=pl.Float64).to_numpy()
        - 0.12 * (f["n"] - 3)
        - 0.3 * ((f["n"] == 1) & (np.nan_to_num(f["head_age"].astype(float)) >= 60))
        - 0.7 * loss - 0.3 * (f["n_dis"] > 0)
        + fam["pegawai_boost"].fill_null(0.0).to_numpy()
        + rng.normal(0, 1, h)
    )
    issued = fam["no_kk"].str.slice(6, 6).str.to_date("%d%m%y", strict=False)
    new_kk = (issued > (ctx.reference_date - timedelta(days=365))).fill_null(False).to_numpy()
    ranked = fam["head_clean"].to_numpy() & (rng.random(h) >= UNRANKED_BASE + UNRANKED_NEW_KK * new_kk)
    cuts = np.quantile(z[ranked], np.cumsum(DESIL_SHARES)[:-1])
    desil = np.searchsorted(cuts, z) + 1
    # DTSEN is updated four times a year: the last visit is within ~18 months, mostly recent.
    last_update = date(ctx.reference_date.year, ctx.reference_date.month, 1) - timedelta(days=1)
    ago = np.floor(548 * rng.beta(1.0, 1.8, h)).astype(np.int32)
    return fam.with_columns(
        desil=pl.Series(np.where(ranked, desil, 0)).cast(pl.Int64).replace(0, None),
        tanggal_pemutakhiran=(pl.lit(last_update) - pl.duration(days=pl.Series(ago))).cast(pl.Date),
        punya_anak_usia_dini=pl.col("n_dini") > 0,
        punya_anak_sekolah=(pl.col("n_sd") + pl.col("n_smp") + pl.col("n_sma")) > 0,
        punya_lansia=pl.col("n_lansia") > 0,
        punya_disabilitas=pl.col("n_dis") > 0,
        ada_ibu_hamil=pl.col("n_hamil") > 0,
        kehilangan_mata_pencaharian=pl.Series(loss),
        pengurus_nik=pl.coalesce("istri_nik", "nik_kepala_keluarga"),
        pengurus_nama=pl.coalesce("istri_nama", "nama_kepala_keluarga"),
        pkh_nominal=pl.Series(_pkh_monthly(fam)),
    )


def _pkh_monthly(fam: pl.DataFrame) -> np.ndarray:
    """PKH per month: the family's most valuable components, at most four."""
    left = np.full(len(fam), PKH_MAX_COMPONENTS)
    total = np.zeros(len(fam))
    for columns, amount in PKH_COMPONENTS:
        count = sum(fam[c].to_numpy() for c in columns)
        take = np.minimum(left, count)
        total += take * amount
        left -= take
    # A family without a component (only ever an inclusion error) is paid the smallest one.
    total = np.where(total == 0, PKH_COMPONENTS[-1][1], total)
    return np.round(total / 12).astype(np.int64)


def _receive_threshold(rng: np.random.Generator, families: pl.DataFrame) -> np.ndarray:
    """Per family, a normal threshold: desa outreach varies around RECEIVE_RATE."""
    codes = families["kode_desa"].unique().sort()
    rate = np.clip(rng.normal(RECEIVE_RATE, RECEIVE_RATE_DESA_SD, len(codes)), 0.45, 0.92)
    cut = dict(zip(codes.to_list(), [NormalDist().inv_cdf(p) for p in rate]))  # one per desa
    return families["kode_desa"].replace_strict(cut, return_dtype=pl.Float64).to_numpy()


def _targeting(ctx: SynthContext, rng: np.random.Generator, families: pl.DataFrame, members: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Natural recipients (eligible families reached by outreach) plus inclusion errors."""
    h = len(families)
    cut = _receive_threshold(rng, families)
    reach = rng.normal(size=h)  # shared: a family reached by one program is likely reached by others
    received = {}
    for p in ("PKH", "BPNT", "PBI_JK"):
        g = 0.6 * reach + 0.8 * rng.normal(size=h)
        received[p] = families[f"el_{p}"].to_numpy() & (g < cut)
    received["BLT_DD"] = _blt_dd(rng, families)
    families = families.with_columns(**{f"rc_{p}": pl.Series(v) for p, v in received.items()})

    natural = {p: families.filter(pl.col(f"rc_{p}")) for p in received}
    rows = [_family_rows(natural[p], p) for p in ("PKH", "BPNT", "BLT_DD")]
    rows.append(_member_rows(natural["PBI_JK"], members))
    natural_rows = {p: len(r) for p, r in zip(("PKH", "BPNT", "BLT_DD", "PBI_JK"), rows)}

    # Inclusion errors: ineligible, mostly near-poor families (close to the cut-off) or unranked ones.
    d = families["desil"].fill_null(0).to_numpy()
    base = families["head_clean"].to_numpy() & ~families["pegawai"].to_numpy()
    component = families.select(
        pl.any_horizontal("ada_ibu_hamil", "punya_anak_usia_dini", "punya_anak_sekolah", "punya_lansia", "punya_disabilitas")
    ).to_series().to_numpy()
    near = {  # weight per desil (index 0 = unranked)
        "PKH": [1.5, 0, 0, 4, 2.5, 1.2, 0.6, 0.2, 0.2, 0.2, 0.2],
        "BPNT": [2, 0, 0, 0, 0, 4, 2, 1, 0.3, 0.3, 0.3],
        "BLT_DD": [2, 0, 0, 0, 0, 4, 2, 1, 0.3, 0.3, 0.3],
        "PBI_JK": [2, 0, 0, 0, 0, 0, 4, 2, 1, 0.3, 0.3],
    }
    pool_extra = {"PKH": component, "BPNT": True, "BLT_DD": ~families["kelurahan"].to_numpy(), "PBI_JK": True}
    for p in ("PKH", "BPNT", "BLT_DD", "PBI_JK"):
        weight = np.array(near[p])[d] * base * pool_extra[p] * ~received[p]
        share = INCLUSION_SHARE[p]
        target = round(share / (1 - share) * natural_rows[p])
        if p == "PBI_JK":
            chosen = families[_pick_rows(rng, weight, families["n"].to_numpy(), target)]
            rows.append(_member_rows(chosen, members, kind="penerima_tidak_layak", related=p))
        else:
            chosen = families[_weighted_pick(rng, weight, target)]
            rows.append(_family_rows(chosen, p, kind="penerima_tidak_layak", related=p))

    for p in ("PKH", "BPNT", "PBI_JK"):  # BLT_DD: a quota, so no one is excluded from it
        excluded = families.filter(pl.col(f"el_{p}") & ~pl.col(f"rc_{p}"))["no_kk"]
        ctx.inject("layak_tidak_menerima", "desil", excluded, [p] * len(excluded))
    return pl.concat(rows), families


def _blt_dd(rng: np.random.Generator, families: pl.DataFrame) -> np.ndarray:
    """Each desa's quota filled by priority: eligible desil-1 families, then desil 2–4."""
    codes = families.filter(~pl.col("kelurahan"))["kode_desa"].unique().sort()
    share = rng.uniform(*BLT_DD_QUOTA, len(codes))
    sizes = families.group_by("kode_desa").agg(size=pl.len())
    quota = (
        pl.DataFrame({"kode_desa": codes, "share": share, "u": rng.random(len(codes))})
        .join(sizes, on="kode_desa")
        .select("kode_desa", quota=(pl.col("share") * pl.col("size") + pl.col("u")).floor().cast(pl.Int64))
    )
    order = families.select(
        "no_kk", "kode_desa",
        key=pl.when(pl.col("el_BLT_DD")).then((pl.col("desil") > 1).cast(pl.Float64) + pl.Series(rng.random(len(families)))),
    )
    chosen = (
        order.filter(pl.col("key").is_not_null())
        .with_columns(rank=pl.col("key").rank("ordinal").over("kode_desa"))
        .join(quota, on="kode_desa")
        .filter(pl.col("rank") <= pl.col("quota"))
    )
    return families["no_kk"].is_in(chosen["no_kk"].implode()).to_numpy()


def _pick_rows(rng: np.random.Generator, weight: np.ndarray, size: np.ndarray, target: int) -> np.ndarray:
    """Families drawn ∝ weight until their members reach `target` rows."""
    if target <= 0:
        return np.array([], dtype=np.int64)
    with np.errstate(divide="ignore"):
        key = np.where(weight > 0, rng.exponential(size=len(weight)) / weight, np.inf)
    order = np.argsort(key, kind="stable")
    order = order[np.isfinite(key[order])]
    before = np.cumsum(size[order]) - size[order]
    return np.sort(order[before < target])


def _family_rows(fam: pl.DataFrame, program: str, kind: str | None = None, related: str | None = None) -> pl.DataFrame:
    """One row per family: PKH is paid to the mother (pengurus), BPNT/BLT_DD to the head."""
    nik, nama = ("pengurus_nik", "pengurus_nama") if program == "PKH" else ("nik_kepala_keluarga", "nama_kepala_keluarga")
    nominal = {"PKH": pl.col("pkh_nominal"), "BPNT": pl.lit(NOMINAL_BPNT), "BLT_DD": pl.lit(NOMINAL_BLT_DD)}[program]
    return fam.select(
        program=pl.lit(program), nik=nik, no_kk="no_kk", nama=nama, kode_desa="kode_desa",
        nominal=nominal.cast(pl.Int64), _kind=pl.lit(kind, dtype=pl.String), _related=pl.lit(related, dtype=pl.String),
    )


def _member_rows(fam: pl.DataFrame, members: pl.DataFrame, kind: str | None = None, related: str | None = None) -> pl.DataFrame:
    """PBI-JK: one row per living DTSEN member."""
    return fam.select("no_kk", "kode_desa").join(members.select("nik", "no_kk", "nama"), on="no_kk").select(
        program=pl.lit("PBI_JK"), nik="nik", no_kk="no_kk", nama="nama", kode_desa="kode_desa",
        nominal=pl.lit(PREMI_PBI_JK, dtype=pl.Int64), _kind=pl.lit(kind, dtype=pl.String), _related=pl.lit(related, dtype=pl.String),
    )


def _inject(ctx: SynthContext, rng: np.random.Generator, rows: pl.DataFrame, families: pl.DataFrame) -> pl.DataFrame:
    """The deceased and employees still on a list (their families pass the desil rule)."""
    _, start = period_of(ctx)
    people = ctx.frames["penduduk"].select("nik", "no_kk", "status_hubungan")

    # Deceased before the period: a PBI-JK member still enrolled, or a mother still PKH pengurus.
    deaths = (
        ctx.frames["kematian"].filter(pl.col("tanggal_kematian") < start)
        .select("nik", "nama").join(people, on="nik").sort("nik")
    )
    k = ctx.count("meninggal_menerima_bansos", len(ctx.frames["kematian"]))
    pkh_fam = families.filter(pl.col("rc_PKH"))["no_kk"].implode()
    pbi_fam = families.filter(pl.col("rc_PBI_JK"))["no_kk"].implode()
    pool_b = deaths.filter((pl.col("status_hubungan") == "ISTRI") & pl.col("no_kk").is_in(pkh_fam))
    pool_a = deaths.filter(pl.col("no_kk").is_in(pbi_fam))
    pool_b = pool_b[rng.permutation(len(pool_b))]
    n_b = min(len(pool_b), round(k * 0.25))
    pool_b = pool_b.head(n_b)
    pool_a = pool_a.filter(~pl.col("nik").is_in(pool_b["nik"].implode()))
    pool_a = pool_a[rng.permutation(len(pool_a))].head(k - n_b)
    desa_of = families.select("no_kk", "kode_desa")
    rows = rows.with_columns(  # the PKH row of a family whose deceased mother is still its pengurus
        _hit=(pl.col("program") == "PKH") & pl.col("no_kk").is_in(pool_b["no_kk"].implode())
    )
    mother = dict(zip(pool_b["no_kk"], pool_b["nik"]))
    mother_name = dict(zip(pool_b["no_kk"], pool_b["nama"]))
    rows = rows.with_columns(
        nik=pl.when("_hit").then(pl.col("no_kk").replace_strict(mother, default=None)).otherwise("nik"),
        nama=pl.when("_hit").then(pl.col("no_kk").replace_strict(mother_name, default=None)).otherwise("nama"),
        _kind=pl.when("_hit").then(pl.lit("meninggal_menerima_bansos")).otherwise("_kind"),
    ).with_columns(_related=pl.when("_hit").then("nik").otherwise("_related")).drop("_hit")
    deceased_rows = pool_a.join(desa_of, on="no_kk").select(
        program=pl.lit("PBI_JK"), nik="nik", no_kk="no_kk", nama="nama", kode_desa="kode_desa",
        nominal=pl.lit(PREMI_PBI_JK, dtype=pl.Int64), _kind=pl.lit("meninggal_menerima_bansos"), _related="nik",
    )

    # Employees: BPNT when heading a desil 1–4 family, otherwise their own PBI-JK membership.
    pegawai = (
        ctx.frames["pegawai"].select("nik", "nama", "jenis_pegawai")
        .join(people.select("nik", "no_kk"), on="nik")
        .join(families.select("no_kk", "desil", "nik_kepala_keluarga", "kode_desa"), on="no_kk")
        .filter(pl.col("desil") <= 5)
        .sort("nik")
    )
    k = ctx.count("asn_menerima_bansos", len(ctx.frames["pegawai"]))
    weight = pegawai["jenis_pegawai"].replace_strict(
        {"PERANGKAT DESA": 3.0, "PPPK": 2.0}, default=1.0, return_dtype=pl.Float64
    ).to_numpy()
    chosen = pegawai[_weighted_pick(rng, weight, k)]
    bpnt = (chosen["nik"] == chosen["nik_kepala_keluarga"]) & (chosen["desil"] <= 4) & pl.Series(rng.random(len(chosen)) < 0.5)
    employee_rows = chosen.with_columns(bpnt=bpnt).select(
        program=pl.when("bpnt").then(pl.lit("BPNT")).otherwise(pl.lit("PBI_JK")),
        nik="nik", no_kk="no_kk", nama="nama", kode_desa="kode_desa",
        nominal=pl.when("bpnt").then(pl.lit(NOMINAL_BPNT)).otherwise(pl.lit(PREMI_PBI_JK)).cast(pl.Int64),
        _kind=pl.lit("asn_menerima_bansos"), _related="nik",
    )
    return pl.concat([rows, deceased_rows.select(ROW_COLUMNS), employee_rows.select(ROW_COLUMNS)])


def _finish(ctx: SynthContext, rows: pl.DataFrame) -> pl.DataFrame:
    """Sort as an agency list is sorted (program, desa, KK), number the rows, record the truth."""
    periode, _ = period_of(ctx)
    rows = rows.sort("program", "kode_desa", "no_kk", "nik").with_columns(
        id_penerima=pl.col("program").str.replace("_", "")
        + pl.lit("-" + periode.replace("-", "") + "-")
        + (pl.int_range(pl.len()).over("program") + 1).cast(pl.String).str.zfill(7),
        periode=pl.lit(periode),
        status=pl.lit("AKTIF"),
    )
    for kind in ("penerima_tidak_layak", "meninggal_menerima_bansos", "asn_menerima_bansos"):
        hit = rows.filter(pl.col("_kind") == kind)
        ctx.inject(kind, "penerima_bansos", hit["id_penerima"], hit["_related"])
    return rows.select("id_penerima", "program", "periode", "nik", "no_kk", "nama", "kode_desa", "nominal", "status")
