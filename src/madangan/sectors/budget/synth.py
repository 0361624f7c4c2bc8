"""Synthetic APBD for the reference year: allocations, monthly cash plan, realization, revenue.

Total spending scales with the population (Rp 3 trillion for 1,226,660
residents, about Sumedang's APBD); the structure (agencies, kecamatan,
kelurahan, puskesmas) comes from the regency's real region list. Absorption
is slow early in the year and back-loaded, and some agencies lag behind plan.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from madangan.sectors.budget import ANGGARAN, catalog
from madangan.synth.context import SynthContext

REFERENCE_POPULATION = 1_226_660
REFERENCE_SPENDING = 3.0e12  # Rp, for REFERENCE_POPULATION
#: Revenue covers ~96 % of spending; the rest is financed from last year's surplus (SiLPA).
REVENUE_TO_SPENDING = 0.96
PUSKESMAS_PER_KECAMATAN = 1.35
RSUD_STAFF = 4.0
BLUD_WEIGHT = {"rsud": 1000.0, "puskesmas": 12.0}

# Cash plan shape over months 1..12 per account kind (relative weights).
_SALARY = [1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1]  # THR before Lebaran (March 2026), 13th salary in June
_GOODS = [0.3, 0.6, 0.8, 0.9, 1.0, 1.0, 1.1, 1.1, 1.1, 1.2, 1.3, 1.6]
_CAPITAL = [0, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.6, 2.0, 3.0]  # tender in Q1, pay on progress
_QUARTERLY = [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
_GRANTS = [0, 0.2, 1, 0.5, 0.3, 1, 0.3, 0.2, 1, 0.5, 0.3, 0.5]
_VILLAGE = [0, 0.05, 0.3, 0.15, 0.1, 0.3, 0.05, 0.05, 0.25, 0.1, 0.05, 0.2]  # Dana Desa stages
PLAN_SHAPE = {
    "pegawai": _SALARY, "barjas": _GOODS, "hibah": _GRANTS, "bansos": _QUARTERLY,
    "tanah": _CAPITAL, "alat": _CAPITAL, "gedung": _CAPITAL, "jalan": _CAPITAL, "aset": _CAPITAL,
    "btt": [1] * 12, "bagihasil": _QUARTERLY, "bankeu": _VILLAGE,
}
CAPITAL = ("tanah", "alat", "gedung", "jalan", "aset")
LAGGARD_SHARE = 0.2  # agencies clearly behind their cash plan


def synthesize(ctx: SynthContext) -> None:
    total = REFERENCE_SPENDING * ctx.population / REFERENCE_POPULATION
    lines = _structure(ctx)
    lines = _allocate(ctx, lines, total).with_columns(tahun=pl.lit(ctx.reference_date.year, pl.Int64))
    plan = _cash_plan(ctx, lines)
    paid = _realization(ctx, lines, plan)
    paid = _inject_errors(ctx, lines, paid)
    month = ctx.reference_date.month
    n = len(lines)
    ctx.frames["anggaran"] = lines.select(ANGGARAN.column_names)
    ctx.frames["realisasi"] = pl.DataFrame(
        {
            "tahun": np.full(12 * n, ctx.reference_date.year, dtype=np.int64),
            "kode_unit": np.repeat(lines["kode_unit"].to_numpy(), 12),
            "kode_sub_kegiatan": np.repeat(lines["kode_sub_kegiatan"].to_numpy(), 12),
            "bulan": np.tile(np.arange(1, 13, dtype=np.int64), n),
            "rencana": plan.reshape(-1),
            "realisasi": paid.reshape(-1),
        }
    ).with_columns(realisasi=pl.when(pl.col("bulan") <= month).then("realisasi"))
    ctx.frames["pendapatan"] = _revenue(ctx, total * REVENUE_TO_SPENDING)


def line_key() -> pl.Expr:
    """The string that names one budget line (year + unit + sub kegiatan), as written in the ground truth."""
    return pl.col("tahun").cast(pl.String) + "|" + pl.col("kode_unit") + "|" + pl.col("kode_sub_kegiatan")


def _lines(text: str, block: str, program_code: str = "", program: str = "") -> pl.DataFrame:
    rows = catalog.parse(text, program_code, program)
    return pl.DataFrame(
        {
            "block": [block] * len(rows),
            "kode_sub_kegiatan": [r.code for r in rows],
            "program": [r.program for r in rows],
            "kegiatan": [r.kegiatan for r in rows],
            "sub_kegiatan": [r.name for r in rows],
            "kind": [r.kind for r in rows],
            "weight": [r.weight for r in rows],
            "located": [r.located for r in rows],
            "tagging_stunting": [r.stunting for r in rows],
            "puskesmas": [r.puskesmas for r in rows],
        },
        schema_overrides={"block": pl.String, "weight": pl.Float64},
    )


def _catalog() -> pl.DataFrame:
    """Every nomenclature block, one row per sub kegiatan, keyed by block name."""
    # "{b}" stands for the unit's own bidang; the common SKPD block is program <bidang>.01
    common = _lines(catalog.PENUNJANG, "penunjang", "{b}.01", catalog.PENUNJANG_PROGRAM)
    blud = _lines(catalog.BLUD, "blud", "{b}.01", catalog.PENUNJANG_PROGRAM)
    dinkes = _lines(catalog.PROGRAMS["Dinkes"], "opd:Dinkes")
    puskesmas = dinkes.filter("puskesmas").with_columns(block=pl.lit("puskesmas"), weight=pl.col("weight") * 0.3)
    return pl.concat(
        [
            common, blud, puskesmas,
            _lines(catalog.RSUD, "rsud"),
            _lines(catalog.KECAMATAN, "kecamatan"),
            _lines(catalog.KELURAHAN, "kelurahan"),
            *(_lines(text, f"opd:{short}") for short, text in catalog.PROGRAMS.items()),
        ]
    ).drop("puskesmas")


def _units(ctx: SynthContext) -> pl.DataFrame:
    """SKPD units and sub-units: agencies, RSUD, puskesmas, kecamatan and their kelurahan."""
    desa = ctx.desa()
    kec = desa.group_by("kecamatan_code", "kecamatan_name").agg(
        n_desa=pl.len(), desa_names=pl.col("desa_name").filter(~pl.col("kelurahan")),
        kelurahan=pl.col("desa_name").filter(pl.col("kelurahan")),
    ).sort("kecamatan_code")
    home = ctx.regency.name.replace("Kabupaten ", "").replace("Kota ", "")
    units = []
    for o in catalog.OPDS:
        staff = o.staff - RSUD_STAFF if o.short == "Dinkes" else o.staff
        units.append((f"{o.code}.0000", o.short, o.name, o.code[:4], None, staff, ["penunjang", f"opd:{o.short}"]))
    dinkes = next(o for o in catalog.OPDS if o.short == "Dinkes")
    units.append((f"{dinkes.code}.0001", "Dinkes", f"RSUD {home}", "1.02", None, RSUD_STAFF,
                  ["penunjang", "blud:rsud", "rsud"]))
    # puskesmas: one per kecamatan, extra ones in the kecamatan with most desa
    n_pkm = max(len(kec), round(len(kec) * PUSKESMAS_PER_KECAMATAN))
    extra = kec.sort("n_desa", "kecamatan_code", descending=[True, False]).head(n_pkm - len(kec))["kecamatan_code"]
    serial = 2
    for row in kec.iter_rows(named=True):
        names = [row["kecamatan_name"]]
        if row["kecamatan_code"] in extra.to_list():
            others = [d for d in row["desa_names"] if d != row["kecamatan_name"]] or [f"{row['kecamatan_name']} II"]
            names.append(others[0])
        for name in names:
            units.append((f"{dinkes.code}.{serial:04d}", "Dinkes", f"UPTD Puskesmas {name}", "1.02",
                          row["kecamatan_code"], 0.0, ["blud:puskesmas", "puskesmas"]))
            serial += 1
    for i, row in enumerate(kec.iter_rows(named=True), start=1):
        code = f"{catalog.KECAMATAN_CODE}.{i:02d}"
        units.append((f"{code}.0000", f"Kecamatan {row['kecamatan_name']}", f"Kecamatan {row['kecamatan_name']}",
                      "7.01", row["kecamatan_code"], catalog.KECAMATAN_STAFF, ["penunjang", "kecamatan"]))
        for j, name in enumerate(sorted(row["kelurahan"]), start=1):
            units.append((f"{code}.{j:04d}", f"Kecamatan {row['kecamatan_name']}", f"Kelurahan {name}",
                          "7.01", row["kecamatan_code"], 0.0, ["kelurahan"]))
    return pl.DataFrame(
        units,
        schema={"kode_unit": pl.String, "opd": pl.String, "unit": pl.String, "bidang": pl.String,
                "unit_kecamatan": pl.String, "staff": pl.Float64, "block": pl.List(pl.String)},
        orient="row",
    )


def _structure(ctx: SynthContext) -> pl.DataFrame:
    rng = ctx.rng("budget-structure")
    units = _units(ctx).explode("block").with_columns(
        blud=pl.col("block").str.strip_prefix("blud:")
        .replace_strict(BLUD_WEIGHT, default=None, return_dtype=pl.Float64),
        block=pl.when(pl.col("block").str.starts_with("blud:")).then(pl.lit("blud")).otherwise("block"),
    )
    lines = units.join(_catalog(), on="block", how="inner", maintain_order="left").with_columns(
        kode_sub_kegiatan=pl.col("kode_sub_kegiatan").str.replace("{b}", pl.col("bidang"), literal=True),
        weight=pl.when(pl.col("block") == "blud").then("blud").otherwise("weight"),
    )
    n = len(lines)
    # not every unit budgets every common sub kegiatan in a given year; salaries always
    keep = (lines["block"] != "penunjang").to_numpy() | (lines["kind"] == "pegawai").to_numpy()
    keep |= rng.random(n) < 0.93
    lines = lines.filter(pl.Series(keep))
    n = len(lines)
    kecamatan = np.array(sorted(ctx.desa()["kecamatan_code"].unique().to_list()))
    somewhere = kecamatan[rng.integers(0, len(kecamatan), n)]
    located = lines["located"].to_numpy() & (rng.random(n) < 0.6)
    accounts = pl.DataFrame(
        {"kind": list(catalog.ACCOUNTS), "kode_rekening": [a for a, _ in catalog.ACCOUNTS.values()],
         "nama_rekening": [b for _, b in catalog.ACCOUNTS.values()]}
    )
    return lines.with_columns(
        lokasi_kecamatan=pl.coalesce("unit_kecamatan", pl.when(pl.Series(located)).then(pl.Series(somewhere))),
    ).join(accounts, on="kind", how="left", maintain_order="left")


def _allocate(ctx: SynthContext, lines: pl.DataFrame, total: float) -> pl.DataFrame:
    """Pagu per line: each account's share of the total, split by weight × unit size × noise."""
    rng = ctx.rng("budget-pagu")
    salary = (lines["kind"] == "pegawai").to_numpy()
    common = (lines["block"] == "penunjang").to_numpy()
    staff = lines["staff"].to_numpy()
    size = np.where(salary, staff, np.where(common, np.sqrt(np.maximum(staff, 0.2)), 1.0))
    weight = lines["weight"].to_numpy()
    # big lines (BOS, BLUD, Dana Desa) follow formulas and vary little; small ones a lot
    spread = np.select([salary, weight >= 10], [0.08, 0.15], default=0.6)
    w = weight * size * rng.lognormal(0, spread)
    kind = lines["kind"].to_numpy()
    share = np.array([catalog.ACCOUNT_SHARE[k] for k in catalog.ACCOUNTS])
    kind_index = pl.Series(kind).replace_strict({k: i for i, k in enumerate(catalog.ACCOUNTS)}).to_numpy()
    per_kind = np.bincount(kind_index, weights=w, minlength=len(share))
    share = np.where(per_kind > 0, share, 0.0)  # an account no line uses gives its share to the others
    pagu = total * share[kind_index] / share.sum() * w / per_kind[kind_index]
    pagu = np.maximum(np.round(pagu / 1000) * 1000, 1000).astype(np.int64)  # DPA figures in whole thousands
    return lines.with_columns(pagu=pl.Series(pagu, dtype=pl.Int64))


def _cash_plan(ctx: SynthContext, lines: pl.DataFrame) -> np.ndarray:
    """Anggaran kas: months 1..12 summing exactly to the pagu."""
    rng = ctx.rng("budget-kas")
    kind = lines["kind"].to_numpy()
    shape = np.array([PLAN_SHAPE[k] for k in kind], dtype=float)
    shape *= np.where(np.isin(kind, ["pegawai", "btt"])[:, None], 1.0, rng.lognormal(0, 0.3, shape.shape))
    shape /= shape.sum(axis=1, keepdims=True)
    pagu = lines["pagu"].to_numpy()
    plan = (np.floor(pagu[:, None] * shape / 1000) * 1000).astype(np.int64)
    last = 11 - np.argmax(shape[:, ::-1] > 0, axis=1)  # rounding remainder goes to the last planned month
    plan[np.arange(len(pagu)), last] += pagu - plan.sum(axis=1)
    return plan


def _realization(ctx: SynthContext, lines: pl.DataFrame, plan: np.ndarray) -> np.ndarray:
    """SP2D paid per month up to the reference month (zeros after); cumulative never above the pagu."""
    rng = ctx.rng("budget-realisasi")
    n = len(lines)
    months = ctx.reference_date.month
    kind = lines["kind"].to_numpy()
    # how well each agency keeps to its plan; sub-units share their agency's habit
    opds = lines["opd"].unique(maintain_order=True)
    opd_factor = np.where(rng.random(len(opds)) < LAGGARD_SHARE, rng.uniform(0.4, 0.65, len(opds)),
                          rng.uniform(0.85, 0.99, len(opds)))
    discipline = pl.Series(lines["opd"]).replace_strict(opds, opd_factor).to_numpy() * rng.lognormal(0, 0.08, n)

    planned = plan.astype(float)
    lagged = np.concatenate([np.zeros((n, 1)), planned[:, :-1]], axis=1)
    base = np.where(np.isin(kind, CAPITAL)[:, None], 0.4 * planned + 0.6 * lagged, planned)
    ramp = np.ones(12)
    ramp[:2] = [0.3, 0.7]  # DPA signed late, first SP2D in February
    paid = base * discipline[:, None] * ramp * rng.lognormal(0, 0.2, (n, 12))
    salary = kind == "pegawai"
    paid[salary] = planned[salary] * rng.uniform(0.97, 1.0, (int(salary.sum()), 12))
    btt = kind == "btt"  # emergency reserve: spent only when something happens
    paid[btt] = planned[btt] * 0.3 * (rng.random((int(btt.sum()), 12)) < 0.25)
    grants = np.isin(kind, ["hibah", "bansos"])
    paid[grants] *= rng.random((int(grants.sum()), 12)) > 0.15  # some tranches slip
    paid[:, months:] = 0

    cumulative = np.minimum(np.floor(np.cumsum(paid, axis=1)), lines["pagu"].to_numpy()[:, None])
    return np.diff(cumulative, axis=1, prepend=0).astype(np.int64)


def _inject_errors(ctx: SynthContext, lines: pl.DataFrame, paid: np.ndarray) -> np.ndarray:
    """realisasi_melebihi_pagu: a payment (double-posted SP2D, wrong line) pushes the year-to-date above the pagu."""
    rng = ctx.rng("budget-errors")
    months = ctx.reference_date.month
    pagu = lines["pagu"].to_numpy()
    # ordinary lines already well spent, so the slip is plausible and does not swamp an agency's totals
    candidates = np.flatnonzero((paid.sum(axis=1) >= 0.5 * pagu) & (pagu <= np.quantile(pagu, 0.9)))
    k = min(ctx.count("realisasi_melebihi_pagu", len(lines)), len(candidates))
    rows = np.sort(rng.choice(candidates, size=k, replace=False))
    pagu = pagu[rows]
    target = np.ceil(pagu * rng.uniform(1.02, 1.30, k)).astype(np.int64)
    month = rng.integers(max(0, months - 4), months, k)
    paid = paid.copy()
    paid[rows, month] += target - paid[rows].sum(axis=1)
    ctx.inject("realisasi_melebihi_pagu", "anggaran", lines[rows].select(key=line_key())["key"])
    return paid


def _revenue(ctx: SynthContext, total: float) -> pl.DataFrame:
    rng = ctx.rng("budget-pendapatan")
    code, name, opd, share, done, spread = (list(col) for col in zip(*catalog.REVENUE))
    share = np.array(share)
    target = (np.round(total * share / share.sum() / 1000) * 1000).astype(np.int64)
    # revenue may well exceed its target (e.g. BPHTB in a land boom); that is not an error
    realised = np.clip(rng.normal(done, spread), 0.05, 1.4) * target
    return pl.DataFrame(
        {
            "tahun": [ctx.reference_date.year] * len(code),
            "kode_rekening": code,
            "uraian": name,
            "kelompok": [catalog.REVENUE_GROUPS[c[:3]] for c in code],
            "opd": opd,
            "target": target,
            "realisasi": np.round(realised).astype(np.int64),
        }
    )
