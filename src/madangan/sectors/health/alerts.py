"""Health early-warning rules: children, pregnancies and smartwatches (records), villages (places), wasting
cases against earlier years (trend). Thresholds are params a deployment changes in peringatan.toml."""

from __future__ import annotations

from datetime import date, timedelta

import ibis

from madangan.alerts import AlertRule, indicator_rule, trend_rule
from madangan.sectors.health import OWNER
from madangan.sectors.health.indicators import SAFE_RANGES, measurements, scored, weighings

SECTOR = "health"


def _latest_per(t, key: str, order: str, tiebreak: str):
    w = ibis.window(group_by=t[key], order_by=[ibis.desc(t[order]), ibis.desc(t[tiebreak])])
    return t.mutate(_n=ibis.row_number().over(w)).filter(lambda x: x._n == 0).drop("_n")


def _severe_wasting(tables, ctx):
    """Each child's latest measurement in the window with weight-for-height below the cut-off (gizi buruk)."""
    since = ctx.today - timedelta(days=int(ctx.params["jendela_hari"]))
    p = tables["posyandu"]
    # a child's latest measurement lies in the window exactly when its latest one within the window exists
    m = measurements({**tables, "posyandu": p.filter(p.tanggal_ukur >= since)})
    m = _latest_per(m, "nik_anak", "tanggal_ukur", "id_pengukuran")
    m = m.filter(m.tanggal_ukur >= since)
    z = scored(m)
    z = z.filter(z.whz < ctx.params["batas_whz"])
    return z.select(subject=z.nik_anak, kode_wilayah=z.kode_desa, value=z.whz, posyandu=z.posyandu,
                    nik_anak=z.nik_anak, tanggal_ukur=z.tanggal_ukur.cast("string"), berat_kg=z.berat_kg,
                    tinggi_cm=z.tinggi_cm, whz=z.whz.round(2))


def _two_t(tables, ctx):
    """Children whose latest weighing (in the window) is their second month running without the minimum gain."""
    since = ctx.today - timedelta(days=int(ctx.params["jendela_hari"]))
    # 2T at a weighing needs the two months before it: read from two months before the window's first month
    first = date(since.year, since.month, 1)
    start = date(first.year - (first.month <= 2), (first.month - 3) % 12 + 1, 1)
    p = tables["posyandu"]
    w = weighings({**tables, "posyandu": p.filter(p.tanggal_ukur >= start)})
    w = _latest_per(w, "nik_anak", "bulan", "id_pengukuran")
    w = w.filter(w.dua_t & (w.tanggal_ukur >= since))
    return w.select(subject=w.nik_anak, kode_wilayah=w.kode_desa, value=((w.berat_kg - w.berat_lalu) * 1000).round(),
                    posyandu=w.posyandu, nik_anak=w.nik_anak, tanggal_ukur=w.tanggal_ukur.cast("string"),
                    berat_kg=w.berat_kg, berat_lalu=w.berat_lalu)


def _krst_near_term(tables, ctx):
    """KRST pregnancies (KSPR ≥ 12) due within N days, not delivered, without a planned delivery in a facility
    that can take them (KSPR: KRST goes straight to hospital)."""
    k = tables["kehamilan"]
    until = ctx.today + timedelta(days=int(ctx.params["hari_sebelum_hpl"]))
    overdue = ctx.today - timedelta(days=int(ctx.params["hari_lewat_hpl"]))
    facilities = list(ctx.params["fasilitas"])
    k = k.filter((k.skor_kspr >= ctx.params["skor_min"]) & k.tanggal_persalinan.isnull()
                 & k.hpl.between(overdue, until)
                 & ~k.rencana_persalinan.fill_null("").isin(facilities))
    days = k.hpl.delta(ibis.literal(ctx.today), unit="day")
    return k.select(subject=k.id_kehamilan, kode_wilayah=k.kode_desa, value=days.cast("float64"),
                    hari_ke_hpl=days, id_kehamilan=k.id_kehamilan, nik_ibu=k.nik_ibu, nama_ibu=k.nama_ibu,
                    hpl=k.hpl.cast("string"), skor_kspr=k.skor_kspr, rencana_persalinan=k.rencana_persalinan)


def _missed_anc(tables, ctx):
    """Ongoing pregnancies (not delivered, due date ahead) whose last antenatal contact — the last visit, or the
    registration (K1) when there is none — is more than N days ago."""
    k, a = tables["kehamilan"], tables["anc"]
    last = a.group_by("id_kehamilan").agg(kunjungan_terakhir=a.tanggal_kunjungan.max())
    k = k.filter(k.tanggal_persalinan.isnull() & (k.hpl >= ctx.today))
    j = k.left_join(last, "id_kehamilan")
    contact = ibis.coalesce(j.kunjungan_terakhir, j.tanggal_daftar)
    since = ctx.today - timedelta(days=int(ctx.params["jarak_hari"]))
    j = j.mutate(kontak_terakhir=contact, hari_sejak=ibis.literal(ctx.today).delta(contact, unit="day"))
    j = j.filter(j.kontak_terakhir < since)
    return j.select(subject=j.id_kehamilan, kode_wilayah=j.kode_desa, value=j.hari_sejak.cast("float64"),
                    hari_sejak=j.hari_sejak, kontak_terakhir=j.kontak_terakhir.cast("string"),
                    id_kehamilan=j.id_kehamilan, nik_ibu=j.nik_ibu, nama_ibu=j.nama_ibu, hpl=j.hpl.cast("string"))


VITALS = {"detak_jantung": ("Detak jantung", "Heart rate", "bpm"), "sistolik": ("TD sistolik", "Systolic BP", "mmHg"),
          "diastolik": ("TD diastolik", "Diastolic BP", "mmHg"), "spo2": ("SpO2", "SpO2", "%")}


def _device_out_of_range(tables, ctx):
    """Each device's latest reading in the last minutes, when a vital sign is outside its safe range."""
    t = tables["telemetri"]
    since = ctx.now - timedelta(minutes=float(ctx.params["jendela_menit"]))
    t = t.filter(t.waktu >= since)
    t = _latest_per(t, "id_perangkat", "waktu", "waktu")
    outside = ibis.literal(False)
    parts = []
    for column, (label, _, unit) in VITALS.items():
        low, high = ctx.params[f"{column}_min"], ctx.params[f"{column}_maks"]
        bad = ((t[column] < low) | (t[column] > high)).fill_null(False)
        outside = outside | bad
        parts.append(ibis.ifelse(bad, ibis.literal(f"{label} ") + t[column].cast("string") + f" {unit}", ibis.null("string")))
    tanda = ibis.array(parts).filter(lambda x: x.notnull()).join("; ")
    t = t.mutate(outside=outside, tanda=tanda)
    t = t.filter(t.outside)
    return t.select(subject=t.id_perangkat, kode_wilayah=t.kode_desa, value=t.spo2.cast("float64"), tanda=t.tanda,
                    id_perangkat=t.id_perangkat, nik_ibu=t.nik_ibu, waktu=t.waktu.cast("string"),
                    detak_jantung=t.detak_jantung, sistolik=t.sistolik, diastolik=t.diastolik, spo2=t.spo2)


_VITAL_PARAMS = {f"{c}_{end}": float(v) for c, (lo, hi) in SAFE_RANGES.items() for end, v in (("min", lo), ("maks", hi))}

ALERT_RULES = (
    AlertRule(
        id="gizi_buruk", sector=SECTOR, kind="record", severity="darurat", agency=OWNER, personal=True,
        title={"id": "Balita gizi buruk (BB/TB < −3 SD)", "en": "Severely wasted child (WHZ < −3)"},
        message={"id": "Balita gizi buruk di {wilayah} (posyandu {posyandu}), diukur {tanggal_ukur}: rujuk ke puskesmas hari ini.",
                 "en": "Severely wasted child in {wilayah} (posyandu {posyandu}), measured {tanggal_ukur}: refer to the health centre today."},
        sources=("posyandu", "balita"), compute=_severe_wasting, subject_from=("posyandu", "nik_anak"),
        params={"batas_whz": -3.0, "jendela_hari": 62}, sla_hours=24.0,
        labels={"keluarga": "gizi"},
    ),
    AlertRule(
        id="balita_2t", sector=SECTOR, kind="record", severity="tinggi", agency=OWNER, personal=True,
        title={"id": "Balita 2T (tidak naik berat badan 2× berturut-turut)", "en": "Child 2T (no weight gain twice running)"},
        message={"id": "Balita di {wilayah} (posyandu {posyandu}) tidak naik berat badan dua bulan berturut-turut: rujuk ke puskesmas.",
                 "en": "Child in {wilayah} (posyandu {posyandu}) has not gained weight two months running: refer to the health centre."},
        sources=("posyandu", "balita"), compute=_two_t, subject_from=("posyandu", "nik_anak"),
        params={"jendela_hari": 62}, sla_hours=72.0,
        labels={"keluarga": "gizi"},
    ),
    AlertRule(
        id="krst_dekat_persalinan", sector=SECTOR, kind="record", severity="darurat", agency=OWNER, personal=True,
        title={"id": "Ibu hamil KRST mendekati persalinan tanpa rencana di rumah sakit",
               "en": "Very-high-risk pregnancy near term without a hospital delivery plan"},
        message={"id": "Ibu hamil KRST di {wilayah}: HPL {hari_ke_hpl} hari lagi, rencana persalinan '{rencana_persalinan}'. Pastikan rujukan ke rumah sakit.",
                 "en": "Very-high-risk pregnancy in {wilayah}: due in {hari_ke_hpl} days, planned delivery '{rencana_persalinan}'. Arrange a hospital referral."},
        sources=("kehamilan",), compute=_krst_near_term, subject_from=("kehamilan", "id_kehamilan"),
        params={"skor_min": 12, "hari_sebelum_hpl": 28, "hari_lewat_hpl": 14, "fasilitas": ["RUMAH SAKIT"]},
        sla_hours=24.0,
    ),
    AlertRule(
        id="anc_terlewat", sector=SECTOR, kind="record", severity="sedang", agency=OWNER, personal=True,
        title={"id": "Ibu hamil melewatkan kunjungan antenatal", "en": "Pregnant woman missed an antenatal visit"},
        message={"id": "Ibu hamil di {wilayah} tidak periksa kehamilan selama {hari_sejak} hari: minta bidan desa mengunjungi.",
                 "en": "Pregnant woman in {wilayah} has had no antenatal check for {hari_sejak} days: ask the village midwife to visit."},
        sources=("kehamilan", "anc"), compute=_missed_anc, subject_from=("kehamilan", "id_kehamilan"),
        params={"jarak_hari": 45}, sla_hours=72.0,
    ),
    AlertRule(
        id="telemetri_darurat", sector=SECTOR, kind="record", severity="darurat", agency=OWNER, personal=True,
        title={"id": "Tanda vital ibu hamil di luar batas aman", "en": "Pregnant woman's vital signs outside the safe range"},
        message={"id": "Jam pintar ibu hamil di {wilayah}: {tanda}. Hubungi bidan desa sekarang.",
                 "en": "Pregnant woman's smartwatch in {wilayah}: {tanda}. Call the village midwife now."},
        sources=("telemetri",), compute=_device_out_of_range, subject_from=("telemetri", "id_perangkat"),
        params={"jendela_menit": 60.0, **_VITAL_PARAMS}, sla_hours=0.25,
    ),
    indicator_rule(
        "stunting_desa", SECTOR, "prevalensi_stunting",
        {"id": "Prevalensi stunting desa tinggi atau naik", "en": "Village stunting high or rising"},
        {"id": "Stunting di {wilayah} {nilai} % pada {bulan} (bulan sebelumnya {sebelumnya} %).",
         "en": "Stunting in {wilayah} at {nilai} % in {bulan} (previous month {sebelumnya} %)."},
        above=20.0, rise_points=5.0, minimum_denominator=10, severity="tinggi", agency=OWNER, sla_hours=168.0,
        labels={"keluarga": "gizi"},
    ),
    indicator_rule(
        "partisipasi_ds_rendah", SECTOR, "skdn_partisipasi",
        {"id": "Partisipasi penimbangan (D/S) di bawah 80 %", "en": "Weighing participation (D/S) below 80 %"},
        {"id": "D/S di {wilayah} {nilai} % pada {bulan}: ajak orang tua ke posyandu.",
         "en": "D/S in {wilayah} at {nilai} % in {bulan}: bring parents to the posyandu."},
        below=80.0, minimum_denominator=5, severity="sedang", agency=OWNER, sla_hours=168.0,
    ),
    trend_rule(
        "wasting_melonjak", SECTOR, "prevalensi_wasting",
        {"id": "Kasus wasting melonjak dibanding tahun-tahun lalu", "en": "Wasting cases above earlier years"},
        {"id": "Kasus wasting di {wilayah} pada {bulan}: {nilai}, biasanya sekitar {median_dasar} ({metode}).",
         "en": "Wasting cases in {wilayah} in {bulan}: {nilai}, usually about {median_dasar} ({metode})."},
        level="kecamatan", severity="tinggi", agency=OWNER, sla_hours=72.0,
    ),
)
