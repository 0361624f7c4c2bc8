"""Health verval checks: hand-made positives and negatives, then the generator's ground truth."""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import polars as pl
import pytest

from madangan import synth
from madangan.sectors import health
from madangan.sectors.health.checks import CHECKS
from madangan.verval import CheckContext

BY_RULE = {c.rule: c for c in CHECKS}
DESA = "32.11.01.2001"
TODAY = date(2025, 6, 30)
CTX = CheckContext("32.11", frozenset({DESA}), frozenset(), TODAY)


def tables(**frames: pl.DataFrame):
    con = ibis.duckdb.connect()
    return {name: con.create_table(name, frame.to_arrow()) for name, frame in frames.items()}


def found(rule: str, t, ctx: CheckContext = CTX) -> pl.DataFrame:
    r = BY_RULE[rule].find(t, ctx).to_polars()
    assert {"record_key", "kode_desa"} <= set(r.columns)
    # every placeholder of the message is an evidence column
    for text in BY_RULE[rule].message.values():
        for name in __import__("string").Formatter().parse(text):
            assert name[1] is None or name[1] in r.columns, name[1]
    return r


def keys(rule: str, t, ctx: CheckContext = CTX) -> set[str]:
    return set(found(rule, t, ctx)["record_key"])


def posyandu(rows) -> pl.DataFrame:
    """rows: (id, nik, date, weight, height, position, oedema)."""
    return pl.DataFrame(
        rows, schema={"id_pengukuran": pl.String, "nik_anak": pl.String, "tanggal_ukur": pl.Date, "berat_kg": pl.Float64,
                      "tinggi_cm": pl.Float64, "cara_ukur": pl.String, "edema": pl.String}, orient="row",
    ).with_columns(kode_desa=pl.lit(DESA))


def balita(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"nik_anak": pl.String, "jenis_kelamin": pl.String, "tanggal_lahir": pl.Date},
                        orient="row")


def test_the_health_sector_registers_its_checks():
    sector = health.madangan_sectors()[0]
    assert [c.rule for c in sector.checks] == list(BY_RULE)
    for check in sector.checks:
        assert check.source in {"posyandu", "kehamilan"}
        assert check.title["id"] and check.message["id"] and check.message["en"]


# ------------------------------------------------------------------ posyandu


def test_who_plausibility_flags():
    seen = date(2025, 1, 20)
    kids = balita([("a", "L", seen - timedelta(days=1000)), ("b", "L", seen - timedelta(days=1001)),
                   ("c", "L", seen - timedelta(days=1010)), ("d", "L", seen - timedelta(days=1000)),
                   ("e", "L", seen - timedelta(days=1000))])
    rows = posyandu([
        ("ok", "a", seen, 15.0, 100.0, "BERDIRI", "TIDAK"),  # HAZ 1.70, WHZ −0.29: fine
        ("tall", "b", seen, 18.0, 120.0, "BERDIRI", "TIDAK"),  # HAZ 7.31 flagged
        ("thin", "c", seen, 10.0, 100.0, "BERDIRI", "TIDAK"),  # WHZ −5.19, BAZ −5.61 flagged
        ("comma", "d", seen, 150.0, 100.0, "BERDIRI", "TIDAK"),  # 15.0 typed as 150: WAZ far above 5
        ("swollen", "e", seen, 150.0, 100.0, "BERDIRI", "YA"),  # oedema: weight-based z-scores not judged
    ])
    r = found("pengukuran_tidak_wajar", tables(posyandu=rows, balita=kids))
    flags = dict(zip(r["record_key"], r["z_tidak_wajar"]))
    assert set(flags) == {"tall", "thin", "comma"}
    assert flags["tall"] == "TB/U +7.31"
    assert flags["thin"] == "BB/TB -5.19; IMT/U -5.61"
    assert flags["comma"].startswith("BB/U +")


def test_height_drop_beyond_one_and_a_half_cm():
    rows = posyandu([
        ("a1", "a", date(2025, 1, 10), 9.0, 75.0, "TERLENTANG", "TIDAK"),
        ("a2", "a", date(2025, 2, 10), 9.2, 74.0, "TERLENTANG", "TIDAK"),  # −1.0: measurement noise, no finding
        ("a3", "a", date(2025, 3, 10), 9.3, 72.4, "TERLENTANG", "TIDAK"),  # −1.6 from 74.0: finding
        ("b1", "b", date(2025, 1, 10), 9.0, 80.0, "TERLENTANG", "TIDAK"),
        ("b2", "b", date(2025, 3, 10), 9.0, 78.5, "TERLENTANG", "TIDAK"),  # −1.5 exactly: allowed
        ("c1", "c", date(2025, 1, 10), 9.0, 80.0, "TERLENTANG", "TIDAK"),
        ("c2", "c", date(2025, 2, 10), 9.0, None, "TERLENTANG", "TIDAK"),  # weighed only: skipped
        ("c3", "c", date(2025, 3, 10), 9.0, 77.0, "TERLENTANG", "TIDAK"),  # −3.0 from the last height: finding
    ])
    r = found("tinggi_menurun", tables(posyandu=rows)).sort("record_key")
    assert r["record_key"].to_list() == ["a3", "c3"]
    assert r["turun_cm"].to_list() == [1.6, 3.0]
    assert r["id_sebelumnya"].to_list() == ["a2", "c1"]
    stricter = CheckContext("32.11", frozenset({DESA}), frozenset(), TODAY, params={"tinggi_turun_maks_cm": 0.5})
    assert keys("tinggi_menurun", tables(posyandu=rows), stricter) == {"a2", "a3", "b2", "c3"}


def test_measurement_before_birth_or_from_60_months():
    birth = date(2020, 3, 1)
    kids = balita([("a", "P", birth)])
    sixty_months = birth + timedelta(days=1827)  # 1827 / 30.4375 ≥ 60; 1826 is still 59.99 months
    rows = posyandu([
        ("before", "a", birth - timedelta(days=1), 3.0, 49.0, "TERLENTANG", "TIDAK"),
        ("birth", "a", birth, 3.0, 49.0, "TERLENTANG", "TIDAK"),
        ("last", "a", birth + timedelta(days=1826), 17.0, 108.0, "BERDIRI", "TIDAK"),
        ("over", "a", sixty_months, 17.0, 108.0, "BERDIRI", "TIDAK"),
    ])
    assert keys("umur_ukur_di_luar_rentang", tables(posyandu=rows, balita=kids)) == {"before", "over"}


# ------------------------------------------------------------------ kehamilan


def pregnancies(rows) -> pl.DataFrame:
    """rows: (id, nik, hpht, hpl, delivered)."""
    return pl.DataFrame(rows, schema={"id_kehamilan": pl.String, "nik_ibu": pl.String, "hpht": pl.Date, "hpl": pl.Date,
                                      "tanggal_persalinan": pl.Date}, orient="row").with_columns(kode_desa=pl.lit(DESA))


def test_hpht_in_the_future():
    rows = pregnancies([
        ("today", "m1", TODAY, TODAY + timedelta(days=280), None),
        ("tomorrow", "m2", TODAY + timedelta(days=1), TODAY + timedelta(days=281), None),
    ])
    assert keys("hpht_masa_depan", tables(kehamilan=rows)) == {"tomorrow"}


def test_hpl_must_be_hpht_plus_280_days_within_naegele_rounding():
    hpht = date(2024, 12, 1)
    rows = pregnancies([
        ("exact", "m1", hpht, hpht + timedelta(days=280), None),
        ("naegele", "m2", hpht, date(2025, 9, 8), None),  # 1 Dec + 1 y − 3 mo + 7 d = 281 days
        ("late", "m3", hpht, hpht + timedelta(days=284), None),
        ("early", "m4", hpht, hpht + timedelta(days=250), None),
    ])
    r = found("hpl_tidak_konsisten", tables(kehamilan=rows)).sort("record_key")
    assert r["record_key"].to_list() == ["early", "late"]
    assert r["selisih_hari"].to_list() == [-30, 4]


def test_two_active_pregnancies_for_one_woman():
    rows = pregnancies([
        ("a1", "m1", date(2024, 1, 1), date(2024, 10, 7), date(2024, 10, 1)),
        ("a2", "m1", date(2025, 1, 1), date(2025, 10, 8), None),  # after a1 ended: fine
        ("b1", "m2", date(2024, 11, 1), date(2025, 8, 8), None),
        ("b2", "m2", date(2025, 2, 1), date(2025, 11, 8), None),  # during b1 (not delivered): both found
        ("c1", "m3", date(2025, 1, 1), date(2025, 10, 8), None),
    ])
    r = found("kehamilan_ganda_aktif", tables(kehamilan=rows))
    assert dict(zip(r["record_key"], r["kehamilan_lain"])) == {"b1": "b2", "b2": "b1"}


# ------------------------------------------------------------------ the generator's ground truth


@pytest.fixture(scope="module")
def regency():
    ctx = synth.build("32.11", 20000, 7, only={"health"})
    con = ibis.duckdb.connect()
    t = {n: con.create_table(n, ctx.frames[n].to_arrow()) for n in ("posyandu", "balita", "kehamilan")}
    check_ctx = CheckContext("32.11", frozenset(ctx.desa()["desa_code"]), frozenset(), ctx.reference_date)
    return t, check_ctx, ctx.ground_truth()


@pytest.mark.parametrize("rule", ["tinggi_menurun", "hpl_tidak_konsisten"])
def test_matches_the_generators_ground_truth_exactly(regency, rule):
    t, ctx, truth = regency
    expected = set(truth.filter(pl.col("error_kind") == rule)["record_key"])
    assert expected
    assert keys(rule, t, ctx) == expected  # precision = recall = 1


def test_implausible_measurements_recall_all_injected_errors(regency):
    t, ctx, truth = regency
    expected = set(truth.filter(pl.col("error_kind") == "pengukuran_tidak_wajar")["record_key"])
    r = found("pengukuran_tidak_wajar", t, ctx)
    assert expected <= set(r["record_key"])  # recall = 1
    # The generator draws length-for-age and weight-for-age, so it keeps HAZ and WAZ plausible
    # but not weight-for-length: a very light, long newborn can be beyond WHZ −5 naturally.
    # Every extra finding is such a row: flagged on BB/TB or IMT/U only. (seed 7: one row)
    extra = r.filter(~pl.col("record_key").is_in(list(expected)))
    assert extra.height <= 2
    assert extra["z_tidak_wajar"].str.contains("TB/U|BB/U ").not_().all()


@pytest.mark.parametrize("rule", ["umur_ukur_di_luar_rentang", "hpht_masa_depan", "kehamilan_ganda_aktif"])
def test_clean_generated_data_raises_nothing(regency, rule):
    t, ctx, _truth = regency
    assert keys(rule, t, ctx) == set()
