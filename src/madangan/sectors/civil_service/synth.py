"""Synthetic employee register: ASN (PNS, PPPK), TNI, Polri and perangkat desa living in the regency.

Everyone is a living, working-age resident taken from `penduduk`, so the NIK,
name, sex and birth date agree with the population registry. Residents the
population generator tampered with (duplicated, invalid NIK, wrong desa, birth
date mismatch) are never chosen: the register is meant to be clean, so a check
on it only finds what this or a later sector injects on purpose.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from madangan.synth.context import SynthContext

ASN_SHARE = 0.009  # of residents (Sumedang: ~11k ASN)
PNS_SHARE_OF_ASN = 0.62  # the rest PPPK, hired in waves since 2021
TNI_POLRI_SHARE = 0.0015
POLRI_SHARE_OF_TNI_POLRI = 0.55
PERANGKAT_PER_DESA = (8, 10)  # inclusive range, drawn per desa (kelurahan have none)
FULL_DESA_RESIDENTS = 1500  # a desa this size or larger has its full complement of officials

GOLONGAN = (
    "I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d",
    "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
)
# Entry golongan by education (index into GOLONGAN: 8 = III/a for a degree, 6 = II/c diploma, 4 = II/a school).
_ENTRY = {"pendidikan": ([8, 6, 4], [0.90, 0.05, 0.05]),
          "kesehatan": ([8, 6, 4], [0.40, 0.55, 0.05]),
          "umum": ([8, 6, 4, 0], [0.60, 0.15, 0.20, 0.05])}
YEARS_PER_PROMOTION = 4  # regular promotion (kenaikan pangkat reguler)

# Regency offices (OPD) and the share of ASN working there; "Kecamatan" and "RSUD" get a name.
OFFICES = (
    ("Dinas Pendidikan", 0.43, "pendidikan"),
    ("Dinas Kesehatan", 0.13, "kesehatan"),
    ("RSUD", 0.06, "kesehatan"),
    ("Kecamatan", 0.09, "umum"),
    ("Sekretariat Daerah", 0.04, "umum"),
    ("Dinas Sosial", 0.015, "umum"),
    ("Bappeda", 0.012, "umum"),
    ("BKPSDM", 0.012, "umum"),
    ("BPKAD", 0.018, "umum"),
    ("DPMPTSP", 0.012, "umum"),
    ("Diskominfo", 0.012, "umum"),
    ("Dinas Pertanian", 0.03, "umum"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", 0.02, "umum"),
    ("Dinas Kependudukan dan Pencatatan Sipil", 0.012, "umum"),
    ("Dinas Perhubungan", 0.01, "umum"),
    ("Dinas Lingkungan Hidup", 0.012, "umum"),
    ("Inspektorat", 0.01, "umum"),
    ("Satuan Polisi Pamong Praja", 0.015, "umum"),
    ("Sekretariat DPRD", 0.01, "umum"),
)

HEALTH_POSTS = (
    ("Perawat", 0.32), ("Bidan", 0.28), ("Dokter", 0.08), ("Dokter Gigi", 0.02), ("Apoteker", 0.04),
    ("Nutrisionis", 0.04), ("Sanitarian", 0.04), ("Pranata Laboratorium Kesehatan", 0.05),
    ("Perekam Medis", 0.05), ("Administrator Kesehatan", 0.08),
)
GENERAL_POSTS_PNS = (
    ("Pengadministrasi Umum", 0.24), ("Pengelola Keuangan", 0.10), ("Analis Kebijakan", 0.10),
    ("Pranata Komputer", 0.06), ("Arsiparis", 0.05), ("Penata Layanan Operasional", 0.15),
    ("Kepala Seksi", 0.13), ("Kepala Sub Bagian", 0.08), ("Kepala Bidang", 0.05), ("Sekretaris", 0.04),
)
STRUCTURAL = ("Kepala Seksi", "Kepala Sub Bagian", "Kepala Bidang", "Sekretaris")
STRUCTURAL_MIN_GOLONGAN = 10  # III/c
CLERICAL = ("Pengadministrasi Umum", "Penata Layanan Operasional")
GENERAL_POSTS_PPPK = (
    ("Penata Layanan Operasional", 0.45), ("Operator Layanan Operasional", 0.30),
    ("Pengelola Keuangan", 0.10), ("Pranata Komputer", 0.15),
)
VILLAGE_POSTS = (
    "Kepala Desa", "Sekretaris Desa", "Kaur Keuangan", "Kaur Umum dan Perencanaan",
    "Kasi Pemerintahan", "Kasi Kesejahteraan", "Kasi Pelayanan",
)  # then Kepala Dusun
PPPK_WAVES = (  # appointment dates of the PPPK intakes, and their weight
    ("2021-04-01", 0.10), ("2022-03-01", 0.18), ("2023-03-01", 0.17), ("2023-10-01", 0.10),
    ("2024-03-01", 0.15), ("2025-03-01", 0.15), ("2025-10-01", 0.10), ("2026-01-01", 0.05),
)


def synthesize(ctx: SynthContext) -> None:
    rng = ctx.rng("civil-service")
    people = _candidates(ctx)
    village = _village_officials(ctx, rng, people)
    available = ~people["nik"].is_in(village["nik"].implode()).to_numpy()
    n = ctx.population
    n_asn = round(n * ASN_SHARE)
    n_pns = round(n_asn * PNS_SHARE_OF_ASN)
    n_tp = round(n * TNI_POLRI_SHARE)
    n_polri = round(n_tp * POLRI_SHARE_OF_TNI_POLRI)

    age = people["age"].to_numpy()
    female = (people["jenis_kelamin"] == "P").to_numpy()
    town = people["kelurahan"].to_numpy()
    picked = {}
    # Weights say who is likely: ASN are older and live nearer the offices, TNI/Polri are men.
    plans = (
        ("PNS", n_pns, _band(age, 23, 58) * (age - 20) * np.where(female, 1.2, 1.0) * np.where(town, 1.8, 1.0)),
        ("PPPK", n_asn - n_pns, _band(age, 28, 56) * _bell(age, 38, 8) * np.where(female, 1.4, 1.0) * np.where(town, 1.3, 1.0)),
        ("TNI", n_tp - n_polri, _band(age, 19, 53) * _bell(age, 32, 9) * np.where(female, 0.04, 1.0)),
        ("POLRI", n_polri, _band(age, 19, 58) * _bell(age, 33, 10) * np.where(female, 0.08, 1.0)),
    )
    for kind, count, weight in plans:
        idx = _weighted_pick(rng, weight * available, count)
        available[idx] = False
        picked[kind] = people[idx]

    frames = [
        _asn(ctx, rng, picked["PNS"], "PNS"),
        _asn(ctx, rng, picked["PPPK"], "PPPK"),
        _tni_polri(ctx, rng, picked["TNI"], "TNI"),
        _tni_polri(ctx, rng, picked["POLRI"], "POLRI"),
        village,
    ]
    pegawai = pl.concat([f.select(_COLUMNS) for f in frames])
    ctx.frames["pegawai"] = _with_heads(pegawai).sort("jenis_pegawai", "instansi", "nik")


_COLUMNS = ["nip", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "jenis_pegawai", "instansi",
            "jabatan", "golongan", "tmt", "kode_desa"]


def _candidates(ctx: SynthContext) -> pl.DataFrame:
    """Living, untampered residents aged 18–60, with the desa they live in."""
    desa = ctx.desa().select(
        kode_desa="desa_code", nama_desa="desa_name", nama_kecamatan="kecamatan_name", kelurahan="kelurahan"
    )
    ref = pl.lit(ctx.reference_date)
    return (
        ctx.frames["penduduk"]
        .filter(
            (pl.col("status_hidup") == "HIDUP")
            & ~pl.col("nik").is_in(ctx.tainted_keys("penduduk").implode())
        )
        .select("nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_desa",
                age=(ref - pl.col("tanggal_lahir")).dt.total_days() / 365.25)
        .filter(pl.col("age").is_between(18, 60))
        .join(desa, on="kode_desa", how="inner")
        .sort("nik")  # a fixed order, so picks depend only on the seed
    )


def _band(age: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return ((age >= lo) & (age < hi)).astype(float)


def _bell(age: np.ndarray, mid: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((age - mid) / sd) ** 2)


def _weighted_pick(rng: np.random.Generator, weight: np.ndarray, n: int) -> np.ndarray:
    """`n` distinct indices drawn with probability ∝ weight (Efraimidis–Spirakis keys)."""
    n = min(n, int((weight > 0).sum()))
    if n <= 0:
        return np.array([], dtype=np.int64)
    with np.errstate(divide="ignore"):
        # np.where, not a bare division: a weight of -0.0 would give -inf and always win
        key = np.where(weight > 0, rng.exponential(size=len(weight)) / weight, np.inf)
    return np.sort(np.argpartition(key, n - 1)[:n])


def _choice(rng: np.random.Generator, options, n: int) -> np.ndarray:
    values = np.array([o[0] for o in options], dtype=object)
    p = np.array([o[1] for o in options], dtype=float)
    return values[rng.choice(len(values), size=n, p=p / p.sum())].astype(str)


def _month_start(birth: pl.Series, years: np.ndarray) -> pl.Series:
    """birth + years, on the first of its month (appointments take effect on the 1st)."""
    days = pl.Series((years * 365.25).astype(np.int32))
    return (birth.cast(pl.Int32) + days).cast(pl.Date).dt.month_start()


def _regency_short(ctx: SynthContext) -> str:
    return ctx.regency.name.replace("Kabupaten ", "").replace("Kota ", "")


def _asn(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame, kind: str) -> pl.DataFrame:
    n = len(people)
    age = people["age"].to_numpy()
    female = (people["jenis_kelamin"] == "P").to_numpy()

    office = rng.choice(len(OFFICES), size=n, p=_normalised([o[1] for o in OFFICES]))
    group = np.array([o[2] for o in OFFICES])[office]
    instansi = np.array([o[0] for o in OFFICES], dtype=object)[office]
    # Kecamatan staff mostly work in the kecamatan they live in.
    kecamatan = np.array([r.name for r in ctx.index.children(ctx.regency.code)], dtype=object)
    home_kec = people["nama_kecamatan"].to_numpy().astype(object)
    at_home = rng.random(n) < 0.7
    kec_name = np.where(at_home, home_kec, kecamatan[rng.integers(0, len(kecamatan), n)])
    instansi = np.where(instansi == "Kecamatan", "Kecamatan " + kec_name, instansi)
    instansi = np.where(instansi == "RSUD", f"RSUD {_regency_short(ctx)}", instansi).astype(str)

    jabatan = np.empty(n, dtype=object)
    health = group == "kesehatan"
    jabatan[health] = _choice(rng, HEALTH_POSTS, int(health.sum()))
    jabatan = np.where(health & ~female & (jabatan == "Bidan"), "Perawat", jabatan)

    birth = people["tanggal_lahir"]
    if kind == "PNS":
        entry = np.zeros(n, dtype=np.int64)
        for g, (levels, p) in _ENTRY.items():
            m = group == g
            entry[m] = rng.choice(levels, size=int(m.sum()), p=p)
        # Age at CPNS appointment: 22 up to 45 (the CPNS age limit in practice), most early.
        start_age = 22 + (np.minimum(age, 45) - 22) * rng.beta(1.3, 2.5, n)
        tmt = _month_start(birth, start_age)
        years = (np.datetime64(ctx.reference_date) - tmt.to_numpy()).astype("timedelta64[D]").astype(float) / 365.25
        # Highest rank a career reaches from its entry: I → II/b, II → III/d, III → IV/c.
        cap = np.select([entry >= 8, entry >= 4], [14, 11], 5)
        level = np.minimum(entry + (years // YEARS_PER_PROMOTION).astype(np.int64), cap)
        golongan = np.array(GOLONGAN)[level]
        teacher = group == "pendidikan"
        guru = np.select([level >= 12, level >= 10], ["Guru Ahli Madya", "Guru Ahli Muda"], "Guru Ahli Pertama")
        guru = np.where((level >= 11) & (rng.random(n) < 0.07), "Kepala Sekolah", guru)
        guru = np.where((level >= 12) & (rng.random(n) < 0.03), "Pengawas Sekolah", guru)
        guru = np.where(level < 8, "Pengadministrasi Umum", guru)
        general = _choice(rng, GENERAL_POSTS_PNS, n)
        general = np.where(np.isin(general, STRUCTURAL) & (level < STRUCTURAL_MIN_GOLONGAN), "Pengadministrasi Umum", general)
        # Senior staff (IV/a+) are not clerks.
        general = np.where(np.isin(general, CLERICAL) & (level >= 12), "Analis Kebijakan", general)
        general = np.where((instansi == "Dinas Pertanian") & (rng.random(n) < 0.6), "Penyuluh Pertanian", general)
        jabatan = np.where(teacher, guru, np.where(health, jabatan, general))
        # NIP: birth YYYYMMDD (no +40 for women, unlike NIK) + TMT CPNS YYYYMM + sex + serial.
        prefix = birth.dt.strftime("%Y%m%d") + tmt.dt.strftime("%Y%m") + pl.Series(np.where(female, "2", "1"))
        nip = pl.DataFrame({"prefix": prefix}).select(
            pl.col("prefix") + (pl.int_range(pl.len()).over("prefix") + 1).cast(pl.String).str.zfill(3)
        ).to_series()
    else:
        wave = rng.choice(len(PPPK_WAVES), size=n, p=_normalised([w[1] for w in PPPK_WAVES]))
        tmt = pl.Series([w[0] for w in PPPK_WAVES])[wave].str.to_date()
        golongan = np.select(
            [group == "pendidikan", group == "kesehatan"],
            [np.full(n, "IX"), np.where(rng.random(n) < 0.6, "VII", "IX")],
            np.where(rng.random(n) < 0.45, "V", np.where(rng.random(n) < 0.35, "VII", "IX")),
        )
        jabatan = np.where(group == "pendidikan", "Guru Ahli Pertama",
                           np.where(health, jabatan, _choice(rng, GENERAL_POSTS_PPPK, n)))
        nip = pl.Series([None] * n, dtype=pl.String)

    return people.with_columns(
        nip=nip,
        jenis_pegawai=pl.lit(kind),
        instansi=pl.Series(instansi, dtype=pl.String),
        jabatan=pl.Series(jabatan.astype(str), dtype=pl.String),
        golongan=pl.Series(golongan.astype(str), dtype=pl.String),
        tmt=tmt,
    )


def _tni_polri(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame, kind: str) -> pl.DataFrame:
    n = len(people)
    age = people["age"].to_numpy()
    local = rng.random(n) < 0.6  # posted to the Koramil/Polsek of their own kecamatan
    kec = people["nama_kecamatan"].to_numpy().astype(str)
    short = _regency_short(ctx)
    if kind == "TNI":
        instansi = np.where(local, np.char.add("Koramil ", kec), f"Kodim {short}")
        jabatan = np.where(local, np.where(rng.random(n) < 0.75, "Babinsa", "Bintara Staf"),
                           _choice(rng, (("Bintara Staf", 0.5), ("Tamtama", 0.3), ("Perwira Staf", 0.2)), n))
    else:
        instansi = np.where(local, np.char.add("Polsek ", kec), f"Polres {short}")
        jabatan = np.where(local, np.where(rng.random(n) < 0.45, "Bhabinkamtibmas", "Bintara Polsek"),
                           _choice(rng, (("Bintara Polres", 0.7), ("Perwira Staf", 0.3)), n))
    # Enlisted at 18–23.
    start_age = 18 + (np.minimum(age, 23) - 18) * rng.random(n)
    return people.with_columns(
        nip=pl.lit(None, dtype=pl.String),
        jenis_pegawai=pl.lit(kind),
        instansi=pl.Series(instansi.astype(str), dtype=pl.String),
        jabatan=pl.Series(jabatan.astype(str), dtype=pl.String),
        golongan=pl.lit(None, dtype=pl.String),
        tmt=_month_start(people["tanggal_lahir"], start_age),
    )


def _village_officials(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """8–10 officials per desa (none in kelurahan, whose staff are ASN), chosen among its residents.

    A desa smaller than FULL_DESA_RESIDENTS (as in a down-scaled test regency)
    gets proportionally fewer, rounded at random, so officials stay a realistic
    share of its residents instead of a tenth of them.
    """
    residents = ctx.frames["penduduk"].group_by("kode_desa").agg(residents=pl.len())
    villages = (
        ctx.desa().filter(~pl.col("kelurahan")).select(kode_desa="desa_code")
        .join(residents, on="kode_desa", how="left").fill_null(0)
        .sort("kode_desa")  # joins do not promise an order; draws below are positional
    )
    full = rng.integers(PERANGKAT_PER_DESA[0], PERANGKAT_PER_DESA[1] + 1, len(villages))
    scaled = full * np.minimum(1.0, villages["residents"].to_numpy() / FULL_DESA_RESIDENTS)
    quota = villages.with_columns(quota=pl.Series(np.floor(scaled + rng.random(len(villages))).astype(np.int64)))
    pool = people.filter(pl.col("age").is_between(25, 59) & ~pl.col("kelurahan"))
    weight = np.where((pool["jenis_kelamin"] == "L").to_numpy(), 3.0, 1.0)  # mostly men
    key = rng.exponential(size=len(pool)) / weight
    chosen = (
        pool.with_columns(key=pl.Series(key))
        .with_columns(rank=pl.col("key").rank("ordinal").over("kode_desa").cast(pl.Int64) - 1)
        .join(quota, on="kode_desa", how="inner")
        .filter(pl.col("rank") < pl.col("quota"))
        .sort("kode_desa", "rank")
    )
    n = len(chosen)
    rank = chosen["rank"].to_numpy()
    posts = np.array(VILLAGE_POSTS)
    jabatan = np.where(rank < len(posts), posts[np.minimum(rank, len(posts) - 1)], "Kepala Dusun")
    age = chosen["age"].to_numpy()
    # A kepala desa serves six-year terms; other officials up to ten years so far.
    served = np.minimum(np.where(rank == 0, 6.0, 10.0), age - 22) * rng.random(n)
    return chosen.with_columns(
        nip=pl.lit(None, dtype=pl.String),
        jenis_pegawai=pl.lit("PERANGKAT DESA"),
        instansi=pl.lit("Pemerintah Desa ") + pl.col("nama_desa"),
        jabatan=pl.Series(jabatan, dtype=pl.String),
        golongan=pl.lit(None, dtype=pl.String),
        tmt=_month_start(chosen["tanggal_lahir"], age - served),
    )


def _head_title(instansi: str) -> str | None:
    if instansi.startswith("Kecamatan "):
        return "Camat"
    if instansi.startswith("RSUD"):
        return "Direktur"
    if instansi.startswith("Dinas") or instansi in ("Diskominfo", "DPMPTSP"):
        return "Kepala Dinas"
    return {
        "Bappeda": "Kepala Badan", "BKPSDM": "Kepala Badan", "BPKAD": "Kepala Badan",
        "Sekretariat Daerah": "Sekretaris Daerah", "Inspektorat": "Inspektur",
        "Satuan Polisi Pamong Praja": "Kepala Satuan", "Sekretariat DPRD": "Sekretaris DPRD",
    }.get(instansi)


def _with_heads(pegawai: pl.DataFrame) -> pl.DataFrame:
    """Each regency office is led by its most senior PNS (highest golongan, then longest service)."""
    level = pl.col("golongan").replace_strict(list(GOLONGAN), list(range(len(GOLONGAN))), default=None)
    pns = pegawai.filter(pl.col("jenis_pegawai") == "PNS").with_columns(level=level)
    heads = (
        pns.sort(["instansi", "level", "tmt", "nik"], descending=[False, True, False, False])
        .group_by("instansi", maintain_order=True)
        .first()
        .filter(pl.col("level") >= 12)  # IV/a and above lead an office
        .with_columns(title=pl.col("instansi").map_elements(_head_title, return_dtype=pl.String))  # one per office
        .filter(pl.col("title").is_not_null())
        .select("nik", "title")
    )
    return (
        pegawai.join(heads, on="nik", how="left")
        .with_columns(jabatan=pl.coalesce("title", "jabatan"))
        .drop("title")
    )


def _normalised(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()
