"""Health indicators per desa × month, each computed on a small hand-made warehouse.

The expected counts are worked out by hand in the comments, from WHO's golden z-scores
(see test_health_growth.py) and the SKDN/KSPR/ANC rules.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import ibis
import polars as pl
import pytest

from madangan.sectors import health
from madangan.sectors.health import kspr_category
from madangan.sectors.health.indicators import INDICATORS, kspr_score

BY_ID = {i.id: i for i in INDICATORS}
DESA, OTHER = "32.11.01.2001", "32.11.01.2002"
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def tables(**frames: pl.DataFrame):
    con = ibis.duckdb.connect()
    return {name: con.create_table(name, frame.to_arrow()) for name, frame in frames.items()}


def result(indicator_id: str, t) -> dict[tuple[str, date], tuple[int, int]]:
    """Totals per desa × month, as the engine stores them (the sum over any breakdown columns)."""
    indicator = BY_ID[indicator_id]
    r = indicator.compute(t).to_polars()
    assert set(r.columns) == {"kode_desa", "bulan", "numerator", "denominator", *indicator.disaggregations}
    r = r.group_by("kode_desa", "bulan").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    return {(row["kode_desa"], row["bulan"]): (row["numerator"], row["denominator"]) for row in r.iter_rows(named=True)}


def breakdown(indicator_id: str, t, by: str, month: date) -> dict[str, tuple[int, int]]:
    """Numerator and denominator per category of breakdown `by` in `month`, via the engine's own desa rows."""
    from madangan.indicators.engine import _desa_rows

    r = _desa_rows(BY_ID[indicator_id], t).to_polars().filter(pl.col("dimensi") == by, pl.col("bulan") == month)
    return {row["kategori"]: (int(row["numerator"]), int(row["denominator"])) for row in r.iter_rows(named=True)}


def posyandu_rows(rows) -> pl.DataFrame:
    """rows: (id, nik, date, months, weight, height, position, oedema, desa)."""
    return pl.DataFrame(
        rows,
        schema={"id_pengukuran": pl.String, "nik_anak": pl.String, "tanggal_ukur": pl.Date, "umur_bulan": pl.Int64,
                "berat_kg": pl.Float64, "tinggi_cm": pl.Float64, "cara_ukur": pl.String, "edema": pl.String,
                "kode_desa": pl.String},
        orient="row",
    ).with_columns(posyandu=pl.lit("Posyandu Mawar 1"))


def balita_rows(rows) -> pl.DataFrame:
    """rows: (nik, sex L/P, birth date, desa)."""
    return pl.DataFrame(rows, schema={"nik_anak": pl.String, "jenis_kelamin": pl.String, "tanggal_lahir": pl.Date,
                                      "kode_desa": pl.String}, orient="row")


def test_the_health_sector_registers_its_indicators():
    sector = health.madangan_sectors()[0]
    ids = [i.id for i in sector.indicators]
    assert len(ids) == len(set(ids))
    assert {"prevalensi_stunting", "prevalensi_stunting_berat", "prevalensi_wasting", "prevalensi_underweight",
            "skdn_partisipasi", "skdn_naik", "skdn_terdaftar", "balita_2t", "cakupan_pengukuran",
            "kehamilan_risiko_tinggi", "cakupan_k1", "cakupan_k4", "cakupan_k6", "telemetri_di_luar_batas"} <= set(ids)
    for indicator in sector.indicators:
        assert indicator.sector == "health"
        assert indicator.title["id"] and indicator.title["en"]
        assert set(indicator.sources) <= {"posyandu", "balita", "kehamilan", "anc", "telemetri", "penduduk"}
        assert indicator.metadata["definisi"] and indicator.metadata["rumus"]


# ------------------------------------------------------------------ growth prevalences

SEEN = date(2025, 1, 20)


def born(days_before: int) -> date:
    return SEEN - timedelta(days=days_before)


@pytest.fixture(scope="module")
def growth_tables():
    # WHO golden children, all measured on 20 January 2025 in one desa:
    # c1 ♂ 1000 d 15 kg 100 cm: HAZ 1.70  WAZ 0.69  WHZ −0.29
    # c2 ♀ 1000 d 15 kg  80 cm: HAZ −3.50 WAZ 0.95  WHZ 4.13
    # c3 ♂ 1010 d 10 kg 100 cm: HAZ 1.62  WAZ −2.76 WHZ −5.19 (flagged)
    # c4 ♂  987 d  —    72.86 cm lying: HAZ −6.09 (flagged)
    # c5 ♂ 1001 d 18 kg 120 cm: HAZ 7.31 (flagged) WAZ 2.20 WHZ −2.39
    # c6 ♀ 1000 d 15 kg  80 cm with oedema: HAZ −3.50; weight-based z-scores not computed
    # c1 was also measured earlier that month at 80 cm: only the latest measurement counts.
    balita = balita_rows([
        ("c1", "L", born(1000), DESA), ("c2", "P", born(1000), DESA), ("c3", "L", born(1010), DESA),
        ("c4", "L", born(987), DESA), ("c5", "L", born(1001), DESA), ("c6", "P", born(1000), DESA),
    ])
    posyandu = posyandu_rows([
        ("u0", "c1", date(2025, 1, 5), 32, 15.0, 80.0, "BERDIRI", "TIDAK", DESA),
        ("u1", "c1", SEEN, 32, 15.0, 100.0, "BERDIRI", "TIDAK", DESA),
        ("u2", "c2", SEEN, 32, 15.0, 80.0, "BERDIRI", "TIDAK", DESA),
        ("u3", "c3", SEEN, 33, 10.0, 100.0, "BERDIRI", "TIDAK", DESA),
        ("u4", "c4", SEEN, 32, None, 72.86, "TERLENTANG", "TIDAK", DESA),
        ("u5", "c5", SEEN, 32, 18.0, 120.0, "BERDIRI", "TIDAK", DESA),
        ("u6", "c6", SEEN, 32, 15.0, 80.0, "BERDIRI", "YA", DESA),
    ])
    return tables(balita=balita, posyandu=posyandu)


def test_stunting_counts_measured_children_below_minus_two_without_flagged_ones(growth_tables):
    # valid HAZ: c1, c2, c3, c6 (c4, c5 flagged); below −2: c2, c6
    assert result("prevalensi_stunting", growth_tables) == {(DESA, JAN): (2, 4)}
    assert result("prevalensi_stunting_berat", growth_tables) == {(DESA, JAN): (2, 4)}


def test_wasting_counts_oedema_as_below_minus_three(growth_tables):
    # valid WHZ: c1, c2, c5 (c3 flagged, c4 no weight) + c6 with oedema; wasted: c5 (−2.39), c6
    assert result("prevalensi_wasting", growth_tables) == {(DESA, JAN): (2, 4)}
    # overweight: c2 (4.13) of the same four
    assert result("prevalensi_gizi_lebih", growth_tables) == {(DESA, JAN): (1, 4)}


def test_underweight(growth_tables):
    # valid WAZ: c1, c2, c3, c5 + c6 (oedema); below −2: c3 (−2.76), c6
    assert result("prevalensi_underweight", growth_tables) == {(DESA, JAN): (2, 5)}


def test_measurement_coverage_is_children_measured_over_registered_children(growth_tables):
    # all six registered children had a length/height taken in January
    assert result("cakupan_pengukuran", growth_tables) == {(DESA, JAN): (6, 6)}


# ------------------------------------------------------------------ SKDN


@pytest.fixture(scope="module")
def skdn_tables():
    # A (14 mo in Feb, KBM 200 g): Jan 10.0 → Feb 10.3 (+300, N; an earlier Feb reading 10.1 is ignored) → Mar 10.4 (+100, T)
    # B (12 mo in Feb): Jan 8.0 → Feb 8.1 (+100, T) → Mar 8.2 (+100, T): 2T in March
    # C: Jan, absent Feb, Mar (O: neither N nor T)
    # D: first weighing in March (B, baru)
    # E (2 mo in Feb, KBM 900 g): Jan 4.0 → Feb 4.9 (+900, N)
    # F: registered, never weighed.  G: in the population register only (not registered, K < S)
    def row(i, nik, when, months, kg):
        return (i, nik, when, months, kg, 70.0, "TERLENTANG", "TIDAK", DESA)

    posyandu = posyandu_rows([
        row("a1", "A", date(2025, 1, 10), 13, 10.0), row("a2a", "A", date(2025, 2, 3), 14, 10.1),
        row("a2", "A", date(2025, 2, 10), 14, 10.3), row("a3", "A", date(2025, 3, 10), 15, 10.4),
        row("b1", "B", date(2025, 1, 10), 11, 8.0), row("b2", "B", date(2025, 2, 10), 12, 8.1),
        row("b3", "B", date(2025, 3, 10), 13, 8.2),
        row("c1", "C", date(2025, 1, 10), 20, 11.0), row("c3", "C", date(2025, 3, 10), 22, 11.5),
        row("d3", "D", date(2025, 3, 10), 30, 12.0),
        row("e1", "E", date(2025, 1, 10), 1, 4.0), row("e2", "E", date(2025, 2, 10), 2, 4.9),
    ])
    births = {"A": date(2023, 12, 1), "B": date(2024, 2, 1), "C": date(2023, 5, 1), "D": date(2022, 9, 1),
              "E": date(2024, 12, 1), "F": date(2023, 1, 1)}
    balita = balita_rows([(nik, "L", b, DESA) for nik, b in births.items()])
    people = pl.DataFrame({
        "nik": [*births, "G", "OLD", "DEAD"],
        "tanggal_lahir": [*births.values(), date(2021, 6, 1), date(2019, 1, 1), date(2023, 1, 1)],
        "kode_desa": [DESA] * 9,
        "status_hidup": ["HIDUP"] * 8 + ["MATI"],
    })
    return tables(posyandu=posyandu, balita=balita, penduduk=people)


def test_n_over_d_uses_the_minimum_monthly_gain_for_age(skdn_tables):
    assert result("skdn_naik", skdn_tables) == {
        (DESA, JAN): (0, 4),  # A, B, C, E weighed; nobody has last month's weight
        (DESA, FEB): (2, 3),  # A +300 g ≥ 200, E +900 g ≥ 900; B +100 g < 200
        (DESA, MAR): (0, 4),  # A and B below KBM, C absent in Feb (O), D new (B)
    }


def test_2t_is_no_gain_two_months_running(skdn_tables):
    assert result("balita_2t", skdn_tables) == {(DESA, JAN): (0, 4), (DESA, FEB): (0, 3), (DESA, MAR): (1, 4)}


def test_d_over_s_and_k_over_s(skdn_tables):
    # S: living under-fives in the population register: A–F and G (OLD is over five, DEAD is dead)
    # except E, born 1 Dec 2024, counts from December; all are under five in Jan–Mar 2025
    assert result("skdn_partisipasi", skdn_tables) == {(DESA, JAN): (4, 7), (DESA, FEB): (3, 7), (DESA, MAR): (4, 7)}
    # K: the six registered children
    assert result("skdn_terdaftar", skdn_tables) == {(DESA, JAN): (6, 7), (DESA, FEB): (6, 7), (DESA, MAR): (6, 7)}


def test_skdn_status_of_each_child(skdn_tables):
    from madangan.sectors.health.indicators import weighings

    w = weighings(skdn_tables).to_polars().sort("nik_anak", "bulan")
    status = {
        (r["nik_anak"], r["bulan"].month): "2T" if r["dua_t"] else "N" if r["naik"] else "T" if r["tidak_naik"]
        else "B" if r["baru"] else "O" if r["bolos"] else "?"
        for r in w.iter_rows(named=True)
    }
    assert status == {
        ("A", 1): "B", ("A", 2): "N", ("A", 3): "T",
        ("B", 1): "B", ("B", 2): "T", ("B", 3): "2T",
        ("C", 1): "B", ("C", 3): "O",
        ("D", 3): "B",
        ("E", 1): "B", ("E", 2): "N",
    }


@pytest.fixture(scope="module")
def two_posyandu_tables(skdn_tables):
    # The same children, A and B at Posyandu Mawar 1, C, D and E at Posyandu Melati 2.
    # Ages on 1 March 2025 (S): E 3 mo; A 15, B 13, C 22; D 30, F 26; G 45.
    frames = {name: t.to_polars() for name, t in skdn_tables.items()}
    frames["posyandu"] = frames["posyandu"].with_columns(
        posyandu=pl.when(pl.col("nik_anak").is_in(["A", "B"])).then(pl.lit("Posyandu Mawar 1"))
        .otherwise(pl.lit("Posyandu Melati 2")))
    return tables(**frames)


def test_skdn_breakdowns_by_age_group_and_posyandu(two_posyandu_tables):
    t = two_posyandu_tables
    # February: E (2 mo) N; A (14 mo) N, B (12 mo) T
    assert breakdown("skdn_naik", t, "kelompok_umur", FEB) == {"00–05 bln": (1, 1), "12–23 bln": (1, 2)}
    # a posyandu is named within its desa: the category carries the desa's code
    mawar, melati = f"{DESA} Posyandu Mawar 1", f"{DESA} Posyandu Melati 2"
    assert breakdown("skdn_naik", t, "posyandu", FEB) == {mawar: (1, 2), melati: (1, 1)}
    # March: A T and B 2T at Mawar 1; C O and D B at Melati 2
    assert breakdown("balita_2t", t, "posyandu", MAR) == {mawar: (1, 2), melati: (0, 2)}
    assert breakdown("balita_2t", t, "kelompok_umur", MAR) == {"12–23 bln": (1, 3), "24–35 bln": (0, 1)}
    # D/S in March: D = A 15, B 13, C 22, D 30 months; S by age on 1 March (E, then A B C, D F, G)
    assert breakdown("skdn_partisipasi", t, "kelompok_umur", MAR) == {
        "00–05 bln": (0, 1), "12–23 bln": (3, 3), "24–35 bln": (1, 2), "36–59 bln": (0, 1)}
    # categories add up to the total, as the engine's roll-up needs
    assert sum(n for n, _ in breakdown("skdn_partisipasi", t, "kelompok_umur", MAR).values()) == 4


def test_skdn_report_counts_d_n_t_2t_o_b_per_posyandu(two_posyandu_tables):
    from madangan.sectors.health.indicators import skdn_counts

    r = skdn_counts(two_posyandu_tables).to_polars().filter(pl.col("bulan") == MAR)
    got = {(row["posyandu"], row["kelompok_umur"]): tuple(row[c] for c in ("D", "N", "T", "dua_t", "O", "B"))
           for row in r.iter_rows(named=True)}
    assert got == {
        ("Posyandu Mawar 1", "12–23 bln"): (2, 0, 2, 1, 0, 0),  # A T, B T and 2T
        ("Posyandu Melati 2", "12–23 bln"): (1, 0, 0, 0, 1, 0),  # C absent in February: O
        ("Posyandu Melati 2", "24–35 bln"): (1, 0, 0, 0, 0, 1),  # D weighed for the first time: B
    }


# ------------------------------------------------------------------ pregnancy


def pregnancy_rows(rows) -> pl.DataFrame:
    """rows: (id, nik, desa, hpht, hpl, delivered, factors)."""
    return pl.DataFrame(rows, schema={"id_kehamilan": pl.String, "nik_ibu": pl.String, "kode_desa": pl.String,
                                      "hpht": pl.Date, "hpl": pl.Date, "tanggal_persalinan": pl.Date,
                                      "faktor_risiko": pl.String}, orient="row")


@pytest.mark.parametrize("factors, score, category", [
    (None, 2, "KRR"),
    ("TERLALU TUA (>=35 TH)", 6, "KRT"),
    ("KURANG DARAH; TERLALU PENDEK (<=145 CM)", 10, "KRT"),
    ("PERNAH OPERASI SESAR", 10, "KRT"),
    ("LETAK SUNGSANG; KURANG DARAH", 14, "KRST"),
    ("PERNAH OPERASI SESAR; PERDARAHAN DALAM KEHAMILAN INI", 18, "KRST"),
])
def test_kspr_score_and_category(factors, score, category):
    t = tables(k=pl.DataFrame({"faktor_risiko": [factors]}, schema={"faktor_risiko": pl.String}))["k"]
    assert t.select(s=kspr_score(t.faktor_risiko)).to_polars()["s"][0] == score
    assert kspr_category(score) == category


def test_kspr_category_boundaries():
    # the card starts at 2 and adds 4 or 8, so 3–5 and 11 never occur; 12 is the KRST boundary
    assert [kspr_category(s) for s in (2, 6, 10, 12, 14)] == ["KRR", "KRT", "KRT", "KRST", "KRST"]


def test_high_risk_pregnancies_per_month():
    # ongoing in Feb 2025: p1 (KRT 10), p2 (KRST 14), p3 (KRR 2), p4 (KRT 6); p5 delivered in January
    k = pregnancy_rows([
        ("p1", "m1", DESA, date(2024, 6, 1), date(2025, 3, 8), None, "PERNAH OPERASI SESAR"),
        ("p2", "m2", DESA, date(2024, 7, 1), date(2025, 4, 7), None, "LETAK SUNGSANG; KURANG DARAH"),
        ("p3", "m3", DESA, date(2024, 8, 1), date(2025, 5, 8), None, None),
        ("p4", "m4", DESA, date(2025, 2, 1), date(2025, 11, 8), None, "TERLALU TUA (>=35 TH)"),
        ("p5", "m5", DESA, date(2024, 4, 1), date(2025, 1, 6), date(2025, 1, 10), "KURANG DARAH"),
    ])
    t = tables(kehamilan=k)
    assert result("kehamilan_risiko_tinggi", t)[(DESA, FEB)] == (3, 4)
    assert result("kehamilan_risiko_sangat_tinggi", t)[(DESA, FEB)] == (1, 4)
    assert result("kehamilan_risiko_tinggi", t)[(DESA, JAN)] == (3, 4)  # p1, p2, p3, p5
    assert result("kehamilan_risiko_tinggi", t)[(DESA, date(2025, 5, 1))] == (1, 2)  # p3 (KRR, due 8 May), p4
    assert result("kehamilan_risiko_tinggi", t)[(DESA, date(2025, 6, 1))] == (1, 1)  # p4


def test_anc_coverage_k1_k4_k6_against_pregnancies_due_in_the_month():
    hpht = date(2024, 1, 1)
    k = pregnancy_rows([
        ("p1", "m1", DESA, hpht, date(2024, 10, 7), None, None),
        ("p2", "m2", DESA, hpht, date(2024, 10, 7), None, None),
        ("p3", "m3", DESA, hpht, date(2024, 10, 7), None, None),
        ("p4", "m4", OTHER, hpht, date(2024, 10, 7), None, None),
    ])
    ga = {"p1": [50, 80, 120, 200, 220, 250],  # 2-1-3: K1, K4, K6
          "p2": [50, 120, 200, 210],  # 1-1-2: K1, K4
          "p4": [150]}  # K1 only; p3 had no visit
    anc = pl.DataFrame(
        [(f"{p}-{i}", p, hpht + timedelta(days=d)) for p, days in ga.items() for i, d in enumerate(days)],
        schema={"id_kunjungan": pl.String, "id_kehamilan": pl.String, "tanggal_kunjungan": pl.Date}, orient="row",
    )
    t = tables(kehamilan=k, anc=anc)
    oct_ = date(2024, 10, 1)
    assert result("cakupan_k1", t) == {(DESA, oct_): (2, 3), (OTHER, oct_): (1, 1)}
    assert result("cakupan_k4", t) == {(DESA, oct_): (2, 3), (OTHER, oct_): (0, 1)}
    assert result("cakupan_k6", t) == {(DESA, oct_): (1, 3), (OTHER, oct_): (0, 1)}


def test_telemetry_readings_outside_safe_ranges():
    t0 = datetime(2025, 2, 3, 8)
    readings = pl.DataFrame({
        "id_perangkat": ["SW-1"] * 4 + ["SW-2"],
        "waktu": [t0, t0 + timedelta(hours=4), t0 + timedelta(hours=8), t0 + timedelta(hours=12), t0],
        "nik_ibu": ["m1"] * 4 + ["m2"],
        "kode_desa": [DESA] * 4 + [OTHER],
        "detak_jantung": [84, 130, 80, 82, 90],  # 130 bpm: too fast
        "sistolik": [118, 120, None, 150, 110],  # 150 mmHg: hypertensive; a missing reading is not an event
        "diastolik": [76, 78, None, 95, 70],
        "spo2": [98, 97, 99, 98, 93],  # 93 %: desaturated
    })
    assert result("telemetri_di_luar_batas", tables(telemetri=readings)) == {(DESA, FEB): (2, 4), (OTHER, FEB): (1, 1)}


def test_kbm_table_is_the_kms_table_of_permenkes_155_2010():
    from madangan.sectors.health.indicators import KBM_GRAMS, KBM_LATER_GRAMS

    kms = {1: 800, 2: 900, 3: 800, 4: 600, 5: 500, 6: 400, 7: 400, 8: 300, 9: 300, 10: 300}
    assert {m: KBM_GRAMS[m] for m in kms} == kms
    assert KBM_LATER_GRAMS == 200 and 11 not in KBM_GRAMS  # 11 to 60 months: 200 g


# ------------------------------------------------------------------ KSPR over the pregnancy, near-term KRST

SEP = date(2025, 9, 1)
TUA, SUNGSANG, PEB = "TERLALU TUA (>=35 TH)", "LETAK SUNGSANG", "PREEKLAMPSIA BERAT/KEJANG-KEJANG"


def kspr_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    # P1: 38 years old (known at K1: 2 + 4 = 6, KRT); pre-eclampsia found at the visit of 1 June (trimester II,
    #     +8 → 14, KRST); breech at the visit of 1 August (trimester III, +8 → 22). Due 8 Oct, plans a home birth.
    # P2: previous caesarean and bleeding from K1 (18, KRST), due 20 Oct, plans the hospital.
    # P3: KRST, due 5 Oct, but already delivered on 25 Sep.  P4: KRT only (6), due 10 Oct, home.
    k = pl.DataFrame([
        ("P1", "3211014101870001", "Ani", DESA, date(2025, 1, 1), date(2025, 10, 8), date(2025, 2, 10), None,
         f"{TUA}; {SUNGSANG}; {PEB}", "RUMAH"),
        ("P2", "3211014101900002", "Bela", DESA, date(2025, 1, 13), date(2025, 10, 20), date(2025, 3, 1), None,
         "PERNAH OPERASI SESAR; PERDARAHAN DALAM KEHAMILAN INI", "RUMAH SAKIT"),
        ("P3", "3211014101900003", "Cici", DESA, date(2024, 12, 29), date(2025, 10, 5), date(2025, 2, 1),
         date(2025, 9, 25), "PERNAH OPERASI SESAR; LETAK LINTANG", "RUMAH"),
        ("P4", "3211014101800004", "Dewi", DESA, date(2025, 1, 3), date(2025, 10, 10), date(2025, 2, 1), None, TUA,
         "RUMAH"),
    ], schema={"id_kehamilan": pl.String, "nik_ibu": pl.String, "nama_ibu": pl.String, "kode_desa": pl.String,
               "hpht": pl.Date, "hpl": pl.Date, "tanggal_daftar": pl.Date, "tanggal_persalinan": pl.Date,
               "faktor_risiko": pl.String, "rencana_persalinan": pl.String}, orient="row")
    a = pl.DataFrame([
        ("P1-K1", "P1", date(2025, 2, 10), None), ("P1-K3", "P1", date(2025, 6, 1), PEB),
        ("P1-K5", "P1", date(2025, 8, 1), SUNGSANG), ("P2-K1", "P2", date(2025, 3, 1), None),
    ], schema={"id_kunjungan": pl.String, "id_kehamilan": pl.String, "tanggal_kunjungan": pl.Date,
               "faktor_risiko_baru": pl.String}, orient="row")
    return k, a


@pytest.fixture(scope="module")
def kspr_tables():
    k, a = kspr_frames()
    return tables(kehamilan=k, anc=a)


def test_kspr_is_recomputed_as_factors_are_found_at_visits(kspr_tables):
    from madangan.sectors.health.indicators import kspr_history

    h = kspr_history(kspr_tables).to_polars().filter(pl.col("id_kehamilan") == "P1").sort("tanggal")
    assert [(r["tanggal"], r["trimester"], r["skor"], r["kategori"]) for r in h.iter_rows(named=True)] == [
        (date(2025, 2, 10), "I", 6, "KRT"), (date(2025, 6, 1), "II", 14, "KRST"), (date(2025, 8, 1), "III", 22, "KRST")]


def test_monthly_risk_shares_use_the_score_as_of_the_month(kspr_tables):
    krst = result("kehamilan_risiko_sangat_tinggi", kspr_tables)
    # May: P2 and P3 are KRST from K1, P1 not yet (6); June: P1 too
    assert krst[(DESA, date(2025, 5, 1))] == (2, 4)
    assert krst[(DESA, date(2025, 6, 1))] == (3, 4)


def test_near_term_krst_without_a_facility_birth_planned(kspr_tables):
    # End of September: P1 (KRST, due in 8 days, home) and P2 (KRST, due in 20 days, hospital) count; P3 has
    # delivered, P4 is not KRST. One of two has no facility planned.
    assert result("krst_dekat_hpl_tanpa_faskes", kspr_tables) == {(DESA, SEP): (1, 2)}


def test_scoring_is_shared_between_indicators_within_one_refresh_only():
    from madangan import warehouse
    from madangan.sectors.health.indicators import measurements, scored

    con = ibis.duckdb.connect()
    con.create_table("balita", balita_rows([("c1", "P", born(1000), DESA)]).to_arrow())
    con.create_table("posyandu", posyandu_rows([("u1", "c1", SEEN, 32, 15.0, 80.0, "BERDIRI", "TIDAK", DESA)]).to_arrow())
    t = {name: con.table(name) for name in ("balita", "posyandu")}
    with warehouse.unchanging():  # one refresh: the five prevalences score the same rows once
        first = scored(measurements(t))
        assert scored(measurements({name: con.table(name) for name in t})) is first
    assert first.to_polars()["haz"].round(2).to_list() == [-3.5]
    con.con.execute("UPDATE posyandu SET tinggi_cm = 100.0")  # a batch changed a measurement
    with warehouse.unchanging():  # the next refresh reads it
        again = scored(measurements({name: con.table(name) for name in t}))
    assert again is not first and again.to_polars()["haz"].round(2).to_list() != [-3.5]
    assert scored(measurements(t)) is not scored(measurements(t))  # outside a refresh nothing is kept
