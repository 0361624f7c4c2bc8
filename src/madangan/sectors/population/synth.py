"""Synthetic population registry: households by desa, members with ages, NIK and KK."""

from __future__ import annotations

import numpy as np
import polars as pl

from madangan.synth.context import SynthContext
from madangan.synth.names import BIRTH_PLACES_ELSEWHERE, draw_names, variant

# Household size 1..8 (mean ≈ 3.4, BPS Susenas order of magnitude)
HOUSEHOLD_SIZE_P = np.array([0.10, 0.21, 0.24, 0.22, 0.12, 0.065, 0.025, 0.02])


def synthesize(ctx: SynthContext) -> None:
    rng = ctx.rng("population")
    desa = ctx.desa()
    people = _people(ctx, rng, desa)
    people = _identity_numbers(ctx, rng, people)
    people = _attributes(ctx, rng, people)
    deaths = _deaths(ctx, rng, people)
    people = people.with_columns(
        status_hidup=pl.when(pl.col("nik").is_in(deaths["nik"].implode())).then(pl.lit("MATI")).otherwise(pl.lit("HIDUP"))
    )
    families = _families(people)
    people = _inject_errors(ctx, rng, people)
    ctx.frames["penduduk"] = people.select(_PENDUDUK_COLUMNS)
    ctx.frames["keluarga"] = families
    ctx.frames["kematian"] = deaths


_PENDUDUK_COLUMNS = [
    "nik", "no_kk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_hubungan",
    "status_kawin", "agama", "pekerjaan", "kode_desa", "rt", "rw", "alamat", "status_hidup",
]


def _households(ctx: SynthContext, rng: np.random.Generator, n_desa: int, kelurahan: np.ndarray):
    """Household sizes summing exactly to the population, and the desa of each household."""
    n = ctx.population
    sizes = rng.choice(np.arange(1, 9), size=int(n / 3.0) + 16, p=HOUSEHOLD_SIZE_P)
    total = np.cumsum(sizes)
    h = int(np.searchsorted(total, n)) + 1
    sizes = sizes[:h].copy()
    sizes[-1] -= total[h - 1] - n
    weights = rng.lognormal(0.0, 0.45, n_desa) * np.where(kelurahan, 2.0, 1.0)
    desa_of_household = np.sort(rng.choice(n_desa, size=h, p=weights / weights.sum()))
    return sizes, desa_of_household


def _people(ctx: SynthContext, rng: np.random.Generator, desa: pl.DataFrame) -> pl.DataFrame:
    sizes, hh_desa = _households(ctx, rng, len(desa), desa["kelurahan"].to_numpy())
    h = len(sizes)
    hh = np.repeat(np.arange(h), sizes)
    n = len(hh)
    pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    size = sizes[hh]

    head_male = np.where(sizes == 1, rng.random(h) < 0.45, rng.random(h) < 0.87)
    has_spouse = (sizes >= 2) & (rng.random(h) < 0.85)
    has_elder = (sizes >= 4) & (rng.random(h) < 0.10)
    head_age = np.where(sizes == 1, rng.uniform(20, 88, h), np.clip(rng.normal(48, 12, h), 20, 88))
    spouse_age = np.clip(head_age + np.where(head_male, rng.normal(-4, 3, h), rng.normal(3, 3, h)), 19, 90)
    mother_age = np.where(has_spouse, np.where(head_male, spouse_age, head_age), head_age)

    is_head = pos == 0
    is_spouse = (pos == 1) & has_spouse[hh]
    is_elder = (pos == size - 1) & has_elder[hh] & ~is_head & ~is_spouse

    # a child's age = mother's age - her age at that birth (19..42)
    mother = np.maximum(mother_age[hh], 19.5)
    child_age = mother - rng.uniform(19, np.minimum(45, mother))
    age = np.select(
        [is_head, is_spouse, is_elder],
        [head_age[hh], spouse_age[hh], np.minimum(head_age[hh] + rng.uniform(22, 32, n), 100)],
        default=child_age,
    )
    male = np.select([is_head, is_spouse], [head_male[hh], ~head_male[hh]], default=rng.random(n) < 0.51)
    role = np.select(
        [is_head, is_spouse & ~male, is_spouse & male, is_elder],
        ["KEPALA KELUARGA", "ISTRI", "SUAMI", "ORANG TUA"],
        default="ANAK",
    )
    age_days = (age * 365.25).astype(np.int64)
    birth = np.datetime64(ctx.reference_date) - age_days.astype("timedelta64[D]")
    desa_index = desa.with_row_index("desa_idx").select(
        pl.col("desa_idx").cast(pl.Int64), pl.col("desa_code").alias("kode_desa"), "kecamatan_code"
    )
    return pl.DataFrame(
        {
            "household": hh,
            "desa_idx": hh_desa[hh].astype(np.int64),
            "jenis_kelamin": np.where(male, "L", "P"),
            "tanggal_lahir": birth,
            "age": age,
            "status_hubungan": role,
        }
    ).with_columns(pl.col("tanggal_lahir").cast(pl.Date)).join(desa_index, on="desa_idx", how="left")


def _identity_numbers(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """NIK (place of first registration + birth date, women day+40 + serial) and KK per household."""
    n = len(people)
    kec_codes = people["kecamatan_code"].to_numpy()
    own_kec = np.char.replace(kec_codes.astype(str), ".", "")
    regency_kec = np.array([r.digits for r in ctx.index.children(ctx.regency.code)])
    province_kec = np.array(
        [c.replace(".", "") for c in ctx.index.names if c.count(".") == 2 and c.startswith(ctx.regency.code[:3])]
    )
    where = rng.random(n)
    registered = np.where(
        where < 0.90, own_kec,
        np.where(where < 0.97, regency_kec[rng.integers(0, len(regency_kec), n)],
                 province_kec[rng.integers(0, len(province_kec), n)]),
    )
    people = people.with_columns(nik_place=pl.Series(registered, dtype=pl.String))
    day = pl.col("tanggal_lahir").dt.day() + pl.when(pl.col("jenis_kelamin") == "P").then(40).otherwise(0)
    people = people.with_columns(
        nik_prefix=pl.col("nik_place")
        + day.cast(pl.String).str.zfill(2)
        + pl.col("tanggal_lahir").dt.strftime("%m%y")
    )
    people = people.with_columns(
        nik=pl.col("nik_prefix") + (pl.int_range(pl.len()).over("nik_prefix") + 1).cast(pl.String).str.zfill(4)
    )
    # KK: kecamatan of issue + recording date + serial, one per household
    h = int(people["household"].max()) + 1
    issued = np.datetime64(ctx.reference_date) - rng.integers(30, 15 * 365, h).astype("timedelta64[D]")
    households = (
        people.filter(pl.col("status_hubungan") == "KEPALA KELUARGA")
        .select("household", "kecamatan_code")
        .sort("household")
        .with_columns(issued=pl.Series(issued).cast(pl.Date))
        .with_columns(
            kk_prefix=pl.col("kecamatan_code").str.replace_all(".", "", literal=True) + pl.col("issued").dt.strftime("%d%m%y")
        )
        .with_columns(
            no_kk=pl.col("kk_prefix") + (pl.int_range(pl.len()).over("kk_prefix") + 1).cast(pl.String).str.zfill(4)
        )
        .select("household", "no_kk")
    )
    return people.join(households, on="household", how="left").drop("nik_place", "nik_prefix")


OCCUPATIONS_ADULT_MALE = np.array(
    ["PETANI/PEKEBUN", "WIRASWASTA", "KARYAWAN SWASTA", "BURUH HARIAN LEPAS", "PEDAGANG",
     "BELUM/TIDAK BEKERJA", "SOPIR", "BURUH TANI/PERKEBUNAN"]
)
OCCUPATIONS_ADULT_MALE_P = np.array([0.24, 0.22, 0.16, 0.14, 0.08, 0.06, 0.04, 0.06])
OCCUPATIONS_ADULT_FEMALE = np.array(
    ["MENGURUS RUMAH TANGGA", "WIRASWASTA", "KARYAWAN SWASTA", "PEDAGANG", "PETANI/PEKEBUN", "BELUM/TIDAK BEKERJA"]
)
OCCUPATIONS_ADULT_FEMALE_P = np.array([0.58, 0.10, 0.12, 0.08, 0.06, 0.06])


def _attributes(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    n = len(people)
    female = (people["jenis_kelamin"] == "P").to_numpy()
    age = people["age"].to_numpy()
    role = people["status_hubungan"].to_numpy()
    occupation = np.where(
        female,
        OCCUPATIONS_ADULT_FEMALE[rng.choice(len(OCCUPATIONS_ADULT_FEMALE), n, p=OCCUPATIONS_ADULT_FEMALE_P)],
        OCCUPATIONS_ADULT_MALE[rng.choice(len(OCCUPATIONS_ADULT_MALE), n, p=OCCUPATIONS_ADULT_MALE_P)],
    )
    occupation = np.select(
        [age < 5, age < 19, age >= 65], ["BELUM/TIDAK BEKERJA", "PELAJAR/MAHASISWA", "PENSIUNAN"], default=occupation
    )
    occupation = np.where((age >= 65) & (rng.random(n) < 0.8), np.where(female, "MENGURUS RUMAH TANGGA", "PETANI/PEKEBUN"), occupation)
    hh = people["household"].to_numpy()
    is_spouse = np.isin(role, ["ISTRI", "SUAMI"])
    has_spouse = np.zeros(int(hh.max()) + 1, dtype=bool)
    has_spouse[hh[is_spouse]] = True
    # a head without a spouse is widowed or divorced when older, single when young
    alone = np.where(age >= 45, "CERAI MATI", np.where(rng.random(n) < 0.3, "CERAI HIDUP", "BELUM KAWIN"))
    status_kawin = np.select(
        [is_spouse | ((role == "KEPALA KELUARGA") & has_spouse[hh]), role == "KEPALA KELUARGA", role == "ORANG TUA"],
        ["KAWIN", alone, "CERAI MATI"],
        default="BELUM KAWIN",
    )
    home = ctx.regency.name.replace("Kabupaten ", "").replace("Kota ", "").upper()
    born_elsewhere = rng.random(n) < 0.12
    birth_place = np.where(
        born_elsewhere, np.array(BIRTH_PLACES_ELSEWHERE)[rng.integers(0, len(BIRTH_PLACES_ELSEWHERE), n)], home
    )
    h = int(people["household"].max()) + 1
    rt, rw = rng.integers(1, 16, h), rng.integers(1, 11, h)
    dusun = np.array(["DUSUN I", "DUSUN II", "DUSUN III", "DUSUN IV", "DUSUN V"])[rng.integers(0, 5, h)]
    religion = np.where(rng.random(n) < 0.985, "ISLAM", np.where(rng.random(n) < 0.6, "KRISTEN", "KATOLIK"))
    return people.with_columns(
        nama=draw_names(rng, female),
        tempat_lahir=pl.Series(birth_place, dtype=pl.String),
        status_kawin=pl.Series(status_kawin, dtype=pl.String),
        agama=pl.Series(religion, dtype=pl.String),
        pekerjaan=pl.Series(occupation, dtype=pl.String),
        rt=pl.Series(rt[hh], dtype=pl.Int64),
        rw=pl.Series(rw[hh], dtype=pl.Int64),
        alamat=pl.Series(dusun[hh], dtype=pl.String),
    )


def _deaths(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """About 6.5 deaths per 1,000 residents in the reference year, mostly the elderly."""
    age = people["age"].to_numpy()
    hazard = np.where(age < 1, 0.02, 0.0005) + np.exp((age - 95) / 9.0)
    hazard *= 0.0095 * len(age) / hazard.sum()
    died = rng.random(len(age)) < hazard
    chosen = people.filter(pl.Series(died) & (pl.col("status_hubungan") != "KEPALA KELUARGA"))
    days_ago = rng.integers(0, 365, len(chosen))
    death_date = (np.datetime64(ctx.reference_date) - days_ago.astype("timedelta64[D]"))
    return chosen.select(
        "nik", "nama", "jenis_kelamin", "tanggal_lahir",
        tanggal_kematian=pl.Series(death_date).cast(pl.Date),
        no_akta_kematian=pl.lit("AKM-") + pl.col("kode_desa").str.replace_all(".", "", literal=True)
        + pl.lit("-") + (pl.int_range(pl.len()) + 1).cast(pl.String).str.zfill(6),
        kode_desa="kode_desa",
    ).with_columns(
        # nobody dies before they were born
        tanggal_kematian=pl.max_horizontal("tanggal_kematian", "tanggal_lahir")
    )


def _families(people: pl.DataFrame) -> pl.DataFrame:
    heads = people.filter(pl.col("status_hubungan") == "KEPALA KELUARGA")
    sizes = people.group_by("no_kk").agg(jumlah_anggota=pl.len())
    return heads.join(sizes, on="no_kk").select(
        "no_kk",
        nik_kepala_keluarga="nik",
        nama_kepala_keluarga="nama",
        kode_desa="kode_desa",
        rt="rt",
        rw="rw",
        alamat="alamat",
        jumlah_anggota=pl.col("jumlah_anggota").cast(pl.Int64),
    ).sort("no_kk")


def _inject_errors(ctx: SynthContext, rng: np.random.Generator, people: pl.DataFrame) -> pl.DataFrame:
    """Known errors a verval must find; each is written to the ground truth."""
    alive_adults = people.filter((pl.col("status_hidup") == "HIDUP") & (pl.col("age") >= 17))
    pool = rng.permutation(len(alive_adults))
    taken = 0

    def take(kind: str) -> pl.DataFrame:
        nonlocal taken
        k = ctx.count(kind, len(people))
        rows = alive_adults[pool[taken : taken + k]]
        taken += k
        return rows

    # Same person registered twice: another NIK (registered elsewhere), a name variant.
    dup = take("duplikat_nik_berbeda")
    other_kec = np.array([r.digits for r in ctx.index.children(ctx.regency.code)])
    new_prefix = pl.Series(other_kec[rng.integers(0, len(other_kec), len(dup))])
    copies = dup.with_columns(
        nik=new_prefix + pl.col("nik").str.slice(6, 6) + (9000 + pl.int_range(pl.len()) % 999).cast(pl.String),
        nama=pl.Series([variant(nm, rng, sex == "P") for nm, sex in zip(dup["nama"], dup["jenis_kelamin"])], dtype=pl.String),
    )
    ctx.inject("duplikat_nik_berbeda", "penduduk", copies["nik"], dup["nik"])

    # Birth date that disagrees with the NIK (typo in one of them).
    mismatch = take("nik_tanggal_lahir_tidak_cocok")
    shift = pl.Series(rng.integers(1, 3 * 365, len(mismatch))).cast(pl.Int64)
    mismatch_dates = mismatch.select("nik", new=pl.col("tanggal_lahir") - pl.duration(days=shift))

    # NIK that breaks the structure: month + 12 (13..24; one-to-one, so still unique).
    invalid = take("nik_tidak_valid")
    bad_month = (pl.col("nik").str.slice(8, 2).cast(pl.Int64) + 12).cast(pl.String)
    invalid_map = invalid.select("nik", new=pl.col("nik").str.slice(0, 8) + bad_month + pl.col("nik").str.slice(10, 6))
    ctx.inject("nik_tidak_valid", "penduduk", invalid_map["new"])

    # Desa code that does not exist.
    wrong = take("kode_desa_salah")
    wrong_codes = wrong.select(
        "nik", new=pl.col("kode_desa").str.slice(0, 9) + pl.Series(rng.integers(9000, 9999, len(wrong))).cast(pl.String)
    )
    assert not any(c in ctx.index for c in wrong_codes["new"])
    ctx.inject("kode_desa_salah", "penduduk", wrong_codes["nik"])

    people = people.with_columns(
        tanggal_lahir=pl.col("nik").replace_strict(mismatch_dates["nik"], mismatch_dates["new"], default=pl.col("tanggal_lahir")),
        kode_desa=pl.col("nik").replace_strict(wrong_codes["nik"], wrong_codes["new"], default=pl.col("kode_desa")),
    ).with_columns(
        nik=pl.col("nik").replace_strict(invalid_map["nik"], invalid_map["new"], default=pl.col("nik")),
    )
    # The date mismatch is keyed after NIKs are final (none of these were made invalid).
    ctx.inject("nik_tanggal_lahir_tidak_cocok", "penduduk", mismatch_dates["nik"])
    return pl.concat([people, copies.select(people.columns)])
