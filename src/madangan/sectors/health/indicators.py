"""Health indicators per desa × month: child growth, posyandu SKDN, pregnancy risk, ANC, telemetry.

Z-scores come from `growth.zscores` (NumPy, ~3 M rows/s) on the rows a growth indicator needs,
fetched once and handed back to the query as an in-memory table (see `scored`). Why not at ingest:
the warehouse keeps what the agency sent, and WHO's rules live in one function used by the
generator, the checks and the indicators. Why not SQL: the weight-for-length interpolation and
restricted ±3 SD rule would be a second implementation to keep identical to WHO's.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
from ibis import _

from madangan import warehouse
from madangan.indicators import Indicator, load_surveys
from madangan.sectors.health import KSPR_FACTORS, KSPR_START
from madangan.sectors.health.growth import zscores

DATA = Path(__file__).parent / "data"

SECTOR = "health"

#: KBM (Kenaikan Berat badan Minimal), grams a child must gain since last month's weighing to count as N, by
#: age in completed months at this month's weighing. Source: Permenkes 155/2010 tentang Penggunaan Kartu Menuju
#: Sehat (KMS) bagi Balita, lampiran "Tabel Kenaikan Berat Badan Minimal (KBM)" — 1 bln 800 g, 2 bln 900 g,
#: 3 bln 800 g, 4 bln 600 g, 5 bln 500 g, 6–7 bln 400 g, 8–10 bln 300 g, 11–60 bln 200 g; the same row is
#: printed on the growth chart of the Buku KIA (edisi 2023, "KBM (gr)": 800 900 800 600 500 400 300 200).
#: Age 0 has no previous monthly weighing on the card; it takes the 1-month value should one occur.
KBM_GRAMS = {0: 800, 1: 800, 2: 900, 3: 800, 4: 600, 5: 500, 6: 400, 7: 400, 8: 300, 9: 300, 10: 300}
KBM_LATER_GRAMS = 200

#: Safe ranges of smartwatch readings for a pregnant woman, inclusive; outside → an event.
SAFE_RANGES = {
    "detak_jantung": (50, 120),  # bpm
    "sistolik": (90, 139),  # mmHg; ≥ 140 is hypertension in pregnancy
    "diastolik": (50, 89),  # mmHg; ≥ 90 likewise
    "spo2": (95, 100),  # %
}

#: Gestational age (days since HPHT) where trimesters II and III begin (14 and 28 weeks).
TRIMESTER_2_DAY, TRIMESTER_3_DAY = 98, 196


# ---------------------------------------------------------------- z-scores beside the query


LABELS = {"haz": "TB/U", "waz": "BB/U", "whz": "BB/TB", "baz": "IMT/U"}
NAN = ibis.literal(float("nan"), type="float64")


def scored(m: ibis.Table) -> ibis.Table:
    """`m` (rows from `zscore_inputs`' columns) with WHO z-scores: haz, waz, whz, baz (NULL when not
    computable or flagged implausible) and z_tidak_wajar (the flagged ones as text, "" when none).

    The rows are fetched and scored by `growth.zscores` in NumPy, then handed back as an in-memory
    table. Not a DuckDB Python UDF: a UDF lives in the database's catalog beyond the connection
    that registered it, and the server opens a short-lived connection per request.
    """
    backend = ibis.get_backend(m)
    prepared = m.mutate(**dict(zip(INPUTS, zscore_inputs(m))))
    return warehouse.memo(f"health.scored:{id(backend)}:{backend.compile(prepared)}", lambda: _score(backend, prepared))


def _score(backend, prepared: ibis.Table) -> ibis.Table:
    frame = backend.to_pyarrow(prepared)
    z = zscores(*(frame[c].to_numpy(zero_copy_only=False) for c in INPUTS))
    columns = {}
    flags = np.full(frame.num_rows, "", dtype=object)
    for name, label in LABELS.items():
        values, flagged = getattr(z, name), z.flag(name)
        columns[name] = pa.array(np.where(flagged | np.isnan(values), None, values), type=pa.float64())
        text = np.char.add(f"{label} ", np.char.mod("%+.2f", values[flagged]))
        flags[flagged] = np.where(flags[flagged] == "", text, flags[flagged] + "; " + text)
    columns["z_tidak_wajar"] = pa.array(flags, type=pa.string())
    for name, values in columns.items():
        frame = frame.append_column(name, values)
    return ibis.memtable(frame)


INPUTS = ("sex", "umur_hari", "_berat", "_tinggi", "lying", "oedema")


def zscore_inputs(m: ibis.Table) -> tuple:
    """The UDF arguments from posyandu rows joined with the child's sex and birth date."""
    return (
        m.jenis_kelamin.cases(("L", 1), ("P", 2), else_=0).cast("int64"),
        m.tanggal_ukur.delta(m.tanggal_lahir, unit="day").cast("float64"),
        m.berat_kg.fill_null(NAN),
        m.tinggi_cm.fill_null(NAN),
        m.cara_ukur.cases(("TERLENTANG", 1.0), ("BERDIRI", 0.0), else_=NAN),
        (m.edema == "YA").fill_null(False),
    )


def with_child(tables) -> ibis.Table:
    """Every posyandu row with the child's sex and birth date (rows of unregistered children drop out)."""
    p, b = tables["posyandu"], tables["balita"]
    return p.join(b.select("nik_anak", "jenis_kelamin", "tanggal_lahir"), "nik_anak")


def measurements(tables) -> ibis.Table:
    """The latest posyandu measurement per child and month, with the z-score inputs."""
    m = with_child(tables)
    m = m.mutate(bulan=m.tanggal_ukur.truncate("M"))
    latest = ibis.window(group_by=[m.nik_anak, m.bulan], order_by=[ibis.desc(m.tanggal_ukur), ibis.desc(m.id_pengukuran)])
    m = m.mutate(_rank=ibis.row_number().over(latest)).filter(_._rank == 0).drop("_rank")
    sex, age, _weight, _lenhei, lying, oedema = zscore_inputs(m)
    return m.mutate(sex=sex, umur_hari=age, lying=lying, oedema=oedema)


#: SKDN age groups (months), as in the posyandu monthly report (LB3 Gizi): label → first month of the group.
AGE_GROUPS = {"00–05 bln": 0, "06–11 bln": 6, "12–23 bln": 12, "24–35 bln": 24, "36–59 bln": 36}
BY_AGE = {"kelompok_umur": {"id": "Kelompok umur", "en": "Age group"}}
BY_POSYANDU = {"posyandu": {"id": "Posyandu", "en": "Posyandu"}}
LOCAL = ("posyandu",)  # a posyandu is named within its desa


def age_group(months) -> ibis.Value:
    """The SKDN age-group label of an age in completed months (NULL for a negative or missing age)."""
    bounds = list(AGE_GROUPS.items())
    branches = [(months < bounds[i + 1][1], label) for i, (label, _start) in enumerate(bounds[:-1])]
    return ibis.cases(
        (months.isnull() | (months < 0), ibis.null("string")), *branches, else_=bounds[-1][0])


def _months_at_start(birth, month) -> ibis.Value:
    """Completed months of age on the first day of `month` for someone born on `birth`."""
    return _month_index(month) - _month_index(birth) - (birth.day() > 1).cast("int64")


def with_z(m: ibis.Table, indicator: str) -> ibis.Table:
    """Adds column `z`: the WHO z-score (NULL when not computable or flagged implausible)."""
    m = scored(m)
    return m.mutate(z=m[indicator])


def _prevalence(indicator: str, below: float | None = None, above: float | None = None):
    """Share of measured children whose z-score is below (or above) a cut-off.

    As in WHO's anthro prevalence, a child with oedema counts as < −3 SD for the weight-based
    "below" indicators (wasting, underweight), and flagged z-scores are left out.
    """
    weight_based = indicator != "haz"

    def compute(tables):
        m = measurements(tables)
        m = with_z(m.select(*(c for c in m.columns if c not in ("id_pengukuran", "nik_anak", "umur_bulan"))), indicator)
        oedema = m.oedema & m.umur_hari.between(0, 60 * 30.4375 - 1e-9) & m.sex.isin([1, 2]) if weight_based else ibis.literal(False)
        hit = (m.z < below) if below is not None else (m.z > above)
        if below is not None and weight_based:
            hit = hit.fill_null(False) | oedema
        counted = m.z.notnull() | oedema
        m = m.mutate(kelompok_umur=age_group((m.umur_hari / 30.4375).floor().cast("int64")))
        return m.group_by("kode_desa", "bulan", "kelompok_umur", "posyandu").agg(
            numerator=hit.fill_null(False).cast("int64").sum(),
            denominator=counted.cast("int64").sum(),
        )

    return compute


# ---------------------------------------------------------------- SKDN


def _months(tables) -> ibis.Table:
    """The months the posyandu data covers (one row each, column bulan)."""
    p = tables["posyandu"]
    return p.select(bulan=p.tanggal_ukur.truncate("M")).distinct()


def _under_five_per_month(people: ibis.Table, months: ibis.Table, birth: str) -> ibis.Table:
    """Count per desa × month × age group (completed months on the month's first day) of people born in the
    60 months before the month's end."""
    end = months.bulan + ibis.interval(months=1) - ibis.interval(days=1)
    j = people.join(months, [people[birth] <= end, people[birth] > end - ibis.interval(months=60)])
    j = j.mutate(kelompok_umur=age_group(ibis.greatest(_months_at_start(j[birth], j.bulan), 0)))
    return j.group_by("kode_desa", "bulan", "kelompok_umur").agg(n=_.count())


def _ratio(numerator: ibis.Table, denominator: ibis.Table, keys=("kode_desa", "bulan", "kelompok_umur")) -> ibis.Table:
    """Outer-joins two desa × month (× breakdown) counts (column n) into numerator/denominator."""
    j = numerator.rename(num="n").outer_join(denominator.rename(den="n"), list(keys))
    return j.select(
        **{k: ibis.coalesce(j[k], j[k + "_right"]) for k in keys},
        numerator=j.num.fill_null(0),
        denominator=j.den.fill_null(0),
    )


def _s(tables) -> ibis.Table:
    """S: children under five living in the desa (population registry)."""
    people = tables["penduduk"]
    return warehouse.kept(_under_five_per_month(people.filter(people.status_hidup == "HIDUP"), _months(tables),
                                                "tanggal_lahir"))


def _k(tables) -> ibis.Table:
    """K: children under five registered with the posyandu (balita register, KIA book)."""
    return warehouse.kept(_under_five_per_month(tables["balita"], _months(tables), "tanggal_lahir"))


def weighings(tables) -> ibis.Table:
    """One row per child × month weighed, with the SKDN status: N, T, 2T, O (absent last month), B (new)."""
    p = tables["posyandu"]
    p = p.filter(p.berat_kg > 0).mutate(bulan=p.tanggal_ukur.truncate("M"))
    latest = ibis.window(group_by=[p.nik_anak, p.bulan], order_by=[ibis.desc(p.tanggal_ukur), ibis.desc(p.id_pengukuran)])
    p = p.mutate(_rank=ibis.row_number().over(latest)).filter(_._rank == 0)
    child = ibis.window(group_by=p.nik_anak, order_by=p.bulan)
    p = p.mutate(berat_lalu=p.berat_kg.lag().over(child), bulan_lalu=p.bulan.lag().over(child))
    kbm = p.umur_bulan.cases(*KBM_GRAMS.items(), else_=KBM_LATER_GRAMS)
    consecutive = (p.bulan_lalu == p.bulan - ibis.interval(months=1)).fill_null(False)
    gain_g = ((p.berat_kg - p.berat_lalu) * 1000).round()
    p = p.mutate(
        naik=consecutive & (gain_g >= kbm),
        tidak_naik=consecutive & (gain_g < kbm),
        baru=p.bulan_lalu.isnull(),
        bolos=p.bulan_lalu.notnull() & ~consecutive,
        consecutive=consecutive,
        kelompok_umur=age_group(p.umur_bulan),
    )
    child = ibis.window(group_by=p.nik_anak, order_by=p.bulan)
    prev_t = p.tidak_naik.lag().over(child).fill_null(False)
    return p.mutate(dua_t=p.tidak_naik & prev_t)


def skdn_counts(tables) -> ibis.Table:
    """The posyandu monthly report's counts per desa × month × posyandu × age group: D (weighed), N (gained at
    least the KBM), T (did not, 2T included), dua_t (2T: no gain two months running), O (weighed, but not the
    month before), B (first weighing)."""
    w = weighings(tables)
    as_int = lambda flag: flag.cast("int64").sum()  # noqa: E731
    return w.group_by("kode_desa", "bulan", "posyandu", "kelompok_umur").agg(
        D=_.count(), N=as_int(w.naik), T=as_int(w.tidak_naik), dua_t=as_int(w.dua_t), O=as_int(w.bolos),
        B=as_int(w.baru))


def _count(table: ibis.Table, *by: str) -> ibis.Table:
    return table.group_by("kode_desa", "bulan", *by).agg(n=_.count())


def _d_over_s(tables):
    w = warehouse.kept(weighings(tables))  # one series of weighings for the three SKDN rates
    return _ratio(_count(w, "kelompok_umur"), _s(tables))


def _k_over_s(tables):
    return _ratio(_k(tables), _s(tables))


def _n_over_d(tables):
    w = warehouse.kept(weighings(tables))  # one series of weighings for the three SKDN rates
    return w.group_by("kode_desa", "bulan", "kelompok_umur", "posyandu").agg(
        numerator=w.naik.cast("int64").sum(), denominator=_.count())


def _two_t(tables):
    w = warehouse.kept(weighings(tables))  # one series of weighings for the three SKDN rates
    return w.group_by("kode_desa", "bulan", "kelompok_umur", "posyandu").agg(
        numerator=w.dua_t.cast("int64").sum(), denominator=_.count())


def _coverage(tables):
    m = measurements(tables)
    m = m.mutate(kelompok_umur=age_group(_months_at_start(m.tanggal_lahir, m.bulan)))
    measured = _count(m.filter(m.tinggi_cm > 0), "kelompok_umur")
    return _ratio(measured, _k(tables))


# ---------------------------------------------------------------- pregnancy


def kspr_score(factors) -> ibis.Value:
    """KSPR score recomputed from the recorded risk factors (start 2, +4 or +8 per factor)."""
    recorded = factors.fill_null("").upper().split(";").map(lambda f: f.strip())
    return KSPR_START + sum(recorded.contains(label).cast("int64") * score for label, score in KSPR_FACTORS.items())


def _month_index(d) -> ibis.Value:
    return d.year() * 12 + d.month() - 1


def kspr_category_of(score) -> ibis.Value:
    """KRR (2), KRT (6–10) or KRST (≥ 12) of a KSPR score expression."""
    return ibis.cases((score <= KSPR_START, "KRR"), (score < 12, "KRT"), else_="KRST")


def _visit_increments(tables) -> ibis.Table | None:
    """Per ANC visit that recorded new KSPR factors: id_kehamilan, tanggal (visit date), tambah (score added).
    None when no visit table (or no such column) is loaded: scores are then the register's total."""
    a = tables.get("anc")
    if a is None or "faktor_risiko_baru" not in a.columns:
        return None
    a = a.filter(a.faktor_risiko_baru.notnull() & (a.faktor_risiko_baru.strip() != ""))
    return a.select("id_kehamilan", tanggal=a.tanggal_kunjungan,
                    tambah=kspr_score(a.faktor_risiko_baru) - KSPR_START)


def score_as_of(rows: ibis.Table, tables, on: str) -> ibis.Table:
    """`rows` (with id_kehamilan and skor_total, the register's KSPR score from all recorded factors) plus column
    skor: the score as of the date in column `on` — the total less what visits after that date added. The
    register holds the factors known at K1 plus those found later; each visit says which it found."""
    inc = _visit_increments(tables)
    if inc is None:
        return rows.mutate(skor=rows.skor_total)
    keyed = rows.mutate(_row=ibis.row_number())
    later = keyed.select("_row", "id_kehamilan", _on=keyed[on]).join(inc, "id_kehamilan").filter(
        lambda t: t.tanggal > t._on)
    after = later.group_by("_row").agg(_later=later.tambah.sum())
    j = keyed.left_join(after, "_row")
    out = j.mutate(skor=ibis.greatest(j.skor_total - j._later.fill_null(0), KSPR_START))
    return out.drop("_row", "_later", *[c for c in out.columns if c not in keyed.columns and c.endswith("_right")])


def kspr_history(tables) -> ibis.Table:
    """The KSPR card over the pregnancy: one row per pregnancy × event (K1 registration, then each visit that
    recorded a factor) with the score and category from that date on, and the trimester (I, II, III) it fell in."""
    k = tables["kehamilan"]
    k = k.select("id_kehamilan", "kode_desa", "hpht", "tanggal_daftar", skor_total=kspr_score(k.faktor_risiko))
    events = k.select("id_kehamilan", "kode_desa", "hpht", "skor_total", tanggal=k.tanggal_daftar)
    inc = _visit_increments(tables)
    if inc is not None:
        v = inc.join(k.select("id_kehamilan", "kode_desa", "hpht", "skor_total"), "id_kehamilan")
        events = events.union(v.select("id_kehamilan", "kode_desa", "hpht", "skor_total", "tanggal").distinct())
    h = score_as_of(events, tables, "tanggal")
    ga = h.tanggal.delta(h.hpht, unit="day")
    trimester = ibis.cases((ga < TRIMESTER_2_DAY, "I"), (ga < TRIMESTER_3_DAY, "II"), else_="III")
    return h.mutate(kategori=kspr_category_of(h.skor), trimester=trimester).drop("skor_total")


def _pregnancies_per_month(tables) -> ibis.Table:
    """One row per pregnancy × month it was ongoing (HPHT to delivery, or to HPL if not delivered), with the KSPR
    score as of the month's last day (skor) — factors found at later visits do not count yet."""
    k = tables["kehamilan"]
    end = ibis.coalesce(k.tanggal_persalinan, k.hpl)
    k = k.filter(end >= k.hpht).mutate(
        _months=ibis.range(_month_index(k.hpht), _month_index(end) + 1), skor_total=kspr_score(k.faktor_risiko)
    )
    k = k.unnest("_months")
    k = k.mutate(bulan=ibis.date((k._months // 12).cast("int32"), (k._months % 12 + 1).cast("int32"), 1))
    k = k.mutate(_akhir=k.bulan + ibis.interval(months=1) - ibis.interval(days=1))
    return score_as_of(k, tables, "_akhir")


def _kspr_share(minimum: int):
    def compute(tables):
        k = _pregnancies_per_month(tables)
        return k.group_by("kode_desa", "bulan").agg(
            numerator=(k.skor >= minimum).cast("int64").sum(), denominator=_.count()
        )

    return compute


#: Where a KRST mother should give birth (KSPR: hospital with a doctor); home is no facility at all.
FACILITY_PLANS = ("RUMAH SAKIT", "PUSKESMAS", "PRAKTIK MANDIRI BIDAN")
NEAR_TERM_DAYS = 28


def near_term_krst(tables, on) -> ibis.Table:
    """Pregnancies not delivered by date column/value `on`, KRST as of then, due (HPL) within 28 days after it;
    with tanpa_faskes: no facility birth planned (home, or nothing written)."""
    k = tables["kehamilan"]
    k = k.mutate(skor_total=kspr_score(k.faktor_risiko), _on=on)
    k = k.filter((k.tanggal_persalinan.isnull() | (k.tanggal_persalinan > k._on)) & (k.hpl > k._on)
                 & (k.hpl <= k._on + ibis.interval(days=NEAR_TERM_DAYS)) & (k.tanggal_daftar <= k._on))
    k = score_as_of(k, tables, "_on").filter(lambda t: t.skor >= 12)
    return k.mutate(tanpa_faskes=~k.rencana_persalinan.isin(FACILITY_PLANS).fill_null(False))


def _krst_near_term_without_facility(tables):
    """Per month (as of its last day): near-term KRST pregnancies, and those without a facility birth planned."""
    k = tables["kehamilan"]
    months = k.select(bulan=(k.hpl - ibis.interval(days=NEAR_TERM_DAYS)).truncate("M")).union(
        k.select(bulan=(k.hpl - ibis.interval(days=1)).truncate("M"))).distinct()
    months = months.mutate(_akhir=months.bulan + ibis.interval(months=1) - ibis.interval(days=1))
    k = k.join(months, [k.hpl > months._akhir, k.hpl <= months._akhir + ibis.interval(days=NEAR_TERM_DAYS)])
    near = near_term_krst({**tables, "kehamilan": k}, k._akhir)
    return near.group_by("kode_desa", "bulan").agg(numerator=near.tanpa_faskes.cast("int64").sum(),
                                                   denominator=_.count())


def _anc_coverage(visits: int):
    """Pregnancies due (HPL) in the month with K1 (any visit), K4 (1-1-2) or K6 (2-1-3 by trimester)."""
    need = {1: (0, 0, 0), 4: (1, 1, 2), 6: (2, 1, 3)}[visits]

    def compute(tables):
        k, a = tables["kehamilan"], tables["anc"]
        j = k.select("id_kehamilan", "kode_desa", "hpht", "hpl").left_join(
            a.select("id_kehamilan", "tanggal_kunjungan"), "id_kehamilan"
        )
        ga = j.tanggal_kunjungan.delta(j.hpht, unit="day")
        per = j.group_by("id_kehamilan", "kode_desa", "hpl").agg(
            n=j.tanggal_kunjungan.count(),
            tm1=(ga < TRIMESTER_2_DAY).cast("int64").sum(),
            tm2=((ga >= TRIMESTER_2_DAY) & (ga < TRIMESTER_3_DAY)).cast("int64").sum(),
            tm3=(ga >= TRIMESTER_3_DAY).cast("int64").sum(),
        )
        met = (per.n >= 1) & (per.tm1.fill_null(0) >= need[0]) & (per.tm2.fill_null(0) >= need[1]) & (
            per.tm3.fill_null(0) >= need[2])
        per = per.mutate(bulan=per.hpl.truncate("M"), met=met)
        return per.group_by("kode_desa", "bulan").agg(numerator=per.met.cast("int64").sum(), denominator=_.count())

    return compute


def _telemetry_out_of_range(tables):
    t = tables["telemetri"]
    outside = ibis.literal(False)
    for column, (low, high) in SAFE_RANGES.items():
        outside = outside | ((t[column] < low) | (t[column] > high)).fill_null(False)
    t = t.mutate(bulan=t.waktu.date().truncate("M"), outside=outside)
    return t.group_by("kode_desa", "bulan").agg(numerator=t.outside.cast("int64").sum(), denominator=_.count())


# ---------------------------------------------------------------- declarations


def _meta(definisi: str, rumus: str, sumber: str, en: str) -> dict[str, str]:
    return {"definisi": definisi, "rumus": rumus, "sumber": sumber, "frekuensi": "Bulanan", "definisi_en": en}


def _growth(id_, title, indicator, en_title, definisi, en, below=None, above=None, target=None, thresholds=None,
            public=False, surveys=()):
    return Indicator(
        id=id_, sector=SECTOR, title={"id": title, "en": en_title},
        compute=_prevalence(indicator, below=below, above=above), sources=("posyandu", "balita"),
        unit="%", higher_is_better=False, target=target, thresholds=thresholds, period_from="posyandu.tanggal_ukur",
        metadata=_meta(definisi, "balita dengan z-skor memenuhi batas ÷ balita diukur dengan z-skor sah × 100",
                       "Pengukuran posyandu (e-PPGBM), Standar WHO 2006, Permenkes 2/2020", en),
        public=public, surveys=surveys, disaggregations={**BY_AGE, **BY_POSYANDU}, local_breakdowns=LOCAL,
        persons=f"/kesehatan/balita?indikator={id_}",
    )


INDICATORS = (
    _growth("prevalensi_stunting", "Prevalensi stunting (TB/U < −2 SD)", "haz", "Stunting prevalence (HAZ < −2)",
            "Persentase balita diukur dengan tinggi/panjang badan menurut umur di bawah −2 SD (pendek dan sangat pendek)",
            "Share of measured children under five with length/height-for-age below −2 SD",
            below=-2, target=14.0, thresholds=(10.0, 20.0), public=True,
            surveys=load_surveys(DATA / "survei_stunting.csv", "prevalensi_stunting")),
    _growth("prevalensi_stunting_berat", "Prevalensi sangat pendek (TB/U < −3 SD)", "haz",
            "Severe stunting prevalence (HAZ < −3)",
            "Persentase balita diukur dengan TB/U di bawah −3 SD", "Share of measured children with HAZ below −3 SD",
            below=-3, thresholds=(2.5, 5.0)),
    _growth("prevalensi_wasting", "Prevalensi wasting (BB/TB < −2 SD)", "whz", "Wasting prevalence (WHZ < −2)",
            "Persentase balita diukur dengan berat menurut panjang/tinggi badan di bawah −2 SD atau edema",
            "Share of measured children with weight-for-length/height below −2 SD or oedema",
            below=-2, target=7.0, thresholds=(5.0, 10.0)),
    _growth("prevalensi_underweight", "Prevalensi berat badan kurang (BB/U < −2 SD)", "waz",
            "Underweight prevalence (WAZ < −2)",
            "Persentase balita ditimbang dengan berat menurut umur di bawah −2 SD atau edema",
            "Share of weighed children with weight-for-age below −2 SD or oedema",
            below=-2, thresholds=(10.0, 20.0)),
    _growth("prevalensi_gizi_lebih", "Prevalensi gizi lebih (BB/TB > +2 SD)", "whz", "Overweight prevalence (WHZ > +2)",
            "Persentase balita diukur dengan BB/TB di atas +2 SD (gizi lebih dan obesitas)",
            "Share of measured children with weight-for-length/height above +2 SD",
            above=2, thresholds=(5.0, 10.0)),
    Indicator(
        id="skdn_partisipasi", sector=SECTOR, disaggregations=BY_AGE, title={"id": "Partisipasi penimbangan (D/S)", "en": "Weighing participation (D/S)"},
        compute=_d_over_s, sources=("posyandu", "penduduk"), target=80.0, thresholds=(80.0, 60.0),
        period_from="posyandu.tanggal_ukur",
        metadata=_meta("Balita ditimbang (D) dibanding seluruh balita di wilayah (S)", "D ÷ S × 100",
                       "Pengukuran posyandu; register penduduk", "Children weighed (D) over all children under five in the area (S)"),
    ),
    Indicator(
        id="skdn_naik", sector=SECTOR, disaggregations={**BY_AGE, **BY_POSYANDU}, local_breakdowns=LOCAL, title={"id": "Balita naik berat badan (N/D)", "en": "Children gaining weight (N/D)"},
        # N reads last month; lookback 2 as 2T so that both cut the same rows and share one series of weighings
        compute=_n_over_d, sources=("posyandu",), entity="nik_anak", lookback=2, target=80.0, thresholds=(80.0, 60.0), period_from="posyandu.tanggal_ukur",
        metadata=_meta("Balita ditimbang yang berat badannya naik minimal KBM sejak bulan lalu (N) dibanding balita ditimbang (D)",
                       "N ÷ D × 100", "Pengukuran posyandu; KBM menurut KMS",
                       "Weighed children who gained at least the minimum monthly gain (KBM) since last month"),
    ),
    Indicator(
        id="skdn_terdaftar", sector=SECTOR, disaggregations=BY_AGE, title={"id": "Balita terdaftar (K/S)", "en": "Children registered (K/S)"},
        compute=_k_over_s, sources=("balita", "penduduk", "posyandu"), target=100.0, thresholds=(95.0, 80.0), period_from="posyandu.tanggal_ukur",
        metadata=_meta("Balita terdaftar di posyandu / punya buku KIA (K) dibanding seluruh balita di wilayah (S)", "K ÷ S × 100",
                       "Data balita (e-PPGBM); register penduduk", "Children registered (K) over all children under five (S)"),
    ),
    Indicator(
        id="balita_2t", sector=SECTOR, disaggregations={**BY_AGE, **BY_POSYANDU}, local_breakdowns=LOCAL,
        persons="/kesehatan/balita?indikator=balita_2t", title={"id": "Balita 2T (tidak naik 2× berturut-turut)", "en": "Children 2T (no gain twice running)"},
        compute=_two_t, sources=("posyandu",), entity="nik_anak", lookback=2, higher_is_better=False, thresholds=(2.0, 5.0), period_from="posyandu.tanggal_ukur",
        metadata=_meta("Balita ditimbang yang berat badannya tidak naik (di bawah KBM) dua bulan berturut-turut; pembilang = jumlah anak 2T",
                       "2T ÷ D × 100", "Pengukuran posyandu; KBM menurut KMS",
                       "Weighed children whose weight did not go up two months running; numerator = number of 2T children"),
    ),
    Indicator(
        id="cakupan_pengukuran", sector=SECTOR, disaggregations=BY_AGE, title={"id": "Cakupan pengukuran balita", "en": "Child measurement coverage"},
        compute=_coverage, sources=("posyandu", "balita"), target=100.0, thresholds=(95.0, 80.0), period_from="posyandu.tanggal_ukur",
        metadata=_meta("Balita yang diukur panjang/tinggi badannya dibanding balita sasaran (terdaftar)", "diukur ÷ sasaran × 100",
                       "Pengukuran posyandu; data balita", "Children measured for length/height over the registered target children"),
    ),
    Indicator(
        id="kehamilan_risiko_tinggi", sector=SECTOR,
        title={"id": "Ibu hamil risiko tinggi (KSPR ≥ 6)", "en": "High-risk pregnancies (KSPR ≥ 6)"},
        compute=_kspr_share(6), sources=("kehamilan", "anc"), incremental=False, higher_is_better=False,
        period_from="kehamilan.hpht", persons="/kesehatan/ibu-hamil?daftar=risiko_tinggi",
        metadata=_meta("Kehamilan berjalan dengan skor KSPR ≥ 6 (KRT dan KRST) dibanding seluruh kehamilan berjalan",
                       "kehamilan skor ≥ 6 ÷ kehamilan berjalan × 100 (skor per akhir bulan: faktor yang ditemukan pada kunjungan ANC dihitung sejak tanggal kunjungan)", "Register ibu hamil, Kartu Skor Poedji Rochjati; kunjungan ANC",
                       "Ongoing pregnancies with a KSPR score of 6 or more over all ongoing pregnancies"),
    ),
    Indicator(
        id="kehamilan_risiko_sangat_tinggi", sector=SECTOR,
        title={"id": "Ibu hamil risiko sangat tinggi (KRST, KSPR ≥ 12)", "en": "Very high-risk pregnancies (KRST, KSPR ≥ 12)"},
        compute=_kspr_share(12), sources=("kehamilan", "anc"), incremental=False, higher_is_better=False,
        period_from="kehamilan.hpht",
        metadata=_meta("Kehamilan berjalan dengan skor KSPR ≥ 12 dibanding seluruh kehamilan berjalan",
                       "kehamilan skor ≥ 12 ÷ kehamilan berjalan × 100", "Register ibu hamil, Kartu Skor Poedji Rochjati",
                       "Ongoing pregnancies with a KSPR score of 12 or more over all ongoing pregnancies"),
    ),
    Indicator(
        id="krst_dekat_hpl_tanpa_faskes", sector=SECTOR,
        title={"id": "Ibu hamil KRST menjelang HPL tanpa rencana bersalin di fasilitas kesehatan",
               "en": "Very high-risk (KRST) pregnancies due within 4 weeks without a planned facility birth"},
        compute=_krst_near_term_without_facility, sources=("kehamilan", "anc"), incremental=False,
        higher_is_better=False, target=0.0, thresholds=(0.0, 10.0), period_from="kehamilan.hpl",
        persons="/kesehatan/ibu-hamil?daftar=krst_dekat_hpl",
        metadata=_meta("Kehamilan KRST (skor KSPR ≥ 12 per akhir bulan) yang belum bersalin dengan HPL dalam 28 hari "
                       "sesudah akhir bulan, yang rencana tempat persalinannya bukan fasilitas kesehatan (rumah atau "
                       "kosong)", "KRST dekat HPL tanpa rencana faskes ÷ KRST dekat HPL × 100",
                       "Register ibu hamil (HPL, rencana persalinan); kunjungan ANC (faktor risiko baru)",
                       "KRST pregnancies due within 28 days of the month's end with no health-facility birth planned"),
    ),
    *(
        Indicator(
            id=f"cakupan_k{n}", sector=SECTOR, title={"id": f"Cakupan K{n} ibu hamil", "en": f"ANC K{n} coverage"},
            compute=_anc_coverage(n), sources=("kehamilan", "anc"), target=100.0, thresholds=(90.0, 70.0),
            period_from="kehamilan.hpl",
            metadata=_meta(
                f"Ibu hamil dengan HPL pada bulan ini yang mendapat {rule}",
                f"kehamilan K{n} ÷ kehamilan dengan HPL bulan ini × 100", "Register ibu hamil; kunjungan ANC (Permenkes 21/2021)",
                f"Pregnancies due this month with {en}",
            ),
        )
        for n, rule, en in (
            (1, "minimal satu kunjungan antenatal", "at least one antenatal visit"),
            (4, "minimal 4 kunjungan (1 trimester I, 1 trimester II, 2 trimester III)", "at least 4 visits (1-1-2 by trimester)"),
            (6, "minimal 6 kunjungan (2 trimester I, 1 trimester II, 3 trimester III)", "at least 6 visits (2-1-3 by trimester)"),
        )
    ),
    Indicator(
        id="telemetri_di_luar_batas", sector=SECTOR,
        title={"id": "Bacaan jam pintar di luar batas aman", "en": "Smartwatch readings outside safe ranges"},
        compute=_telemetry_out_of_range, sources=("telemetri",), higher_is_better=False, thresholds=(2.0, 5.0),
        period_from="telemetri.waktu",
        metadata=_meta("Bacaan detak jantung, tekanan darah atau SpO2 ibu hamil di luar batas aman dibanding seluruh bacaan",
                       "bacaan di luar batas ÷ seluruh bacaan × 100", "Telemetri jam pintar (SINURMI)",
                       "Heart-rate, blood-pressure or SpO2 readings outside safe ranges over all readings"),
    ),
)
