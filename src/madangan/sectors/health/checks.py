"""Health verval checks: implausible child measurements, shrinking children, ages out of range,
pregnancy dates that cannot be right, and one woman with two pregnancies at once."""

from __future__ import annotations

import ibis

from madangan.sectors.health.indicators import scored, with_child
from madangan.verval import Check

DAYS_PER_MONTH = 30.4375
#: Naegele's rule (HPHT + 1 year − 3 months + 7 days) lands 2 days before to 3 days after HPHT + 280.
HPL_TOLERANCE_DAYS = 3
#: A child's length/height may read up to this much below the last one (measurement error) before it is a finding.
HEIGHT_DROP_CM = 1.5


def _implausible(tables, ctx):
    m = scored(with_child(tables))
    return m.filter(m.z_tidak_wajar != "").select(
        record_key=m.id_pengukuran, kode_desa=m.kode_desa, tanggal_ukur=m.tanggal_ukur,
        berat_kg=m.berat_kg, tinggi_cm=m.tinggi_cm, z_tidak_wajar=m.z_tidak_wajar,
    )


def _height_drop(tables, ctx):
    p = tables["posyandu"]
    p = p.filter(p.tinggi_cm > 0)
    child = ibis.window(group_by=p.nik_anak, order_by=[p.tanggal_ukur, p.id_pengukuran])
    p = p.mutate(
        tinggi_sebelumnya=p.tinggi_cm.lag().over(child),
        tanggal_sebelumnya=p.tanggal_ukur.lag().over(child),
        id_sebelumnya=p.id_pengukuran.lag().over(child),
    )
    drop = (p.tinggi_sebelumnya - p.tinggi_cm).round(1)
    limit = float(ctx.param("tinggi_turun_maks_cm", HEIGHT_DROP_CM))
    return p.filter(drop > limit).select(
        record_key=p.id_pengukuran, kode_desa=p.kode_desa, tanggal_ukur=p.tanggal_ukur, tinggi_cm=p.tinggi_cm,
        tinggi_sebelumnya=p.tinggi_sebelumnya, tanggal_sebelumnya=p.tanggal_sebelumnya,
        id_sebelumnya=p.id_sebelumnya, turun_cm=drop,
    )


def _age_out_of_range(tables, ctx):
    m = with_child(tables)
    days = m.tanggal_ukur.delta(m.tanggal_lahir, unit="day")
    months = (days / DAYS_PER_MONTH).round(1)
    return m.filter((days < 0) | (days / DAYS_PER_MONTH >= 60)).select(
        record_key=m.id_pengukuran, kode_desa=m.kode_desa, tanggal_ukur=m.tanggal_ukur,
        tanggal_lahir=m.tanggal_lahir, umur_bulan_hitung=months,
    )


def _hpht_in_future(tables, ctx):
    k = tables["kehamilan"]
    return k.filter(k.hpht > ctx.today).select(record_key=k.id_kehamilan, kode_desa=k.kode_desa, hpht=k.hpht)


def _hpl_inconsistent(tables, ctx):
    k = tables["kehamilan"]
    expected = k.hpht + ibis.interval(days=280)
    off = k.hpl.delta(expected, unit="day")
    tolerance = int(ctx.param("hpl_toleransi_hari", HPL_TOLERANCE_DAYS))
    return k.filter(off.abs() > tolerance).select(
        record_key=k.id_kehamilan, kode_desa=k.kode_desa, hpht=k.hpht, hpl=k.hpl, hpl_seharusnya=expected.cast("date"),
        selisih_hari=off,
    )


def _two_active(tables, ctx):
    """Pregnancies of one woman whose spans (HPHT to delivery, or to HPL while not delivered) overlap."""
    k = tables["kehamilan"]
    k = k.mutate(akhir=ibis.coalesce(k.tanggal_persalinan, k.hpl))
    other = k.select(nik_lain=k.nik_ibu, id_lain=k.id_kehamilan, hpht_lain=k.hpht, akhir_lain=k.akhir)
    j = k.join(other, [k.nik_ibu == other.nik_lain, k.id_kehamilan != other.id_lain,
                       k.hpht <= other.akhir_lain, other.hpht_lain <= k.akhir])
    return j.group_by(record_key=j.id_kehamilan, kode_desa=j.kode_desa).agg(kehamilan_lain=j.id_lain.min())


def _t(id_: str, en: str) -> dict[str, str]:
    return {"id": id_, "en": en}


CHECKS = (
    Check(
        rule="pengukuran_tidak_wajar", source="posyandu", severity="error", needs=("balita",), find=_implausible,
        row_local=True, sql_reusable=False,
        title=_t("Pengukuran balita tidak wajar", "Implausible child measurement"),
        message=_t(
            "Z-skor di luar batas wajar WHO ({z_tidak_wajar}) untuk berat {berat_kg} kg dan tinggi {tinggi_cm} cm "
            "pada {tanggal_ukur}. Periksa salah ketik (koma, satuan) dan cara ukur, lalu ukur ulang.",
            "Z-score outside WHO's plausible range ({z_tidak_wajar}) for weight {berat_kg} kg and height {tinggi_cm} cm "
            "on {tanggal_ukur}. Check for typing errors (decimal point, unit) and how the child was measured; re-measure.",
        ),
    ),
    Check(
        rule="tinggi_menurun", source="posyandu", severity="warning", find=_height_drop, entity="nik_anak",
        title=_t("Tinggi badan menurun", "Height went down"),
        message=_t(
            "Tinggi/panjang badan {tinggi_cm} cm pada {tanggal_ukur} turun {turun_cm} cm dari {tinggi_sebelumnya} cm "
            "pada {tanggal_sebelumnya}. Anak tidak memendek: periksa alat, posisi ukur dan catatan sebelumnya.",
            "Length/height {tinggi_cm} cm on {tanggal_ukur} is {turun_cm} cm below {tinggi_sebelumnya} cm on "
            "{tanggal_sebelumnya}. Children do not shrink: check the board, the position and the previous record.",
        ),
    ),
    Check(
        rule="umur_ukur_di_luar_rentang", source="posyandu", severity="error", needs=("balita",), find=_age_out_of_range,
        row_local=True,
        title=_t("Umur saat diukur di luar 0–59 bulan", "Age at measurement outside 0–59 months"),
        message=_t(
            "Tanggal ukur {tanggal_ukur} dan tanggal lahir {tanggal_lahir} memberi umur {umur_bulan_hitung} bulan: "
            "sebelum lahir atau sudah 60 bulan. Periksa kedua tanggal dan identitas anak.",
            "Measurement date {tanggal_ukur} and birth date {tanggal_lahir} give an age of {umur_bulan_hitung} months: "
            "before birth or 60 months or older. Check both dates and the child's identity.",
        ),
    ),
    Check(
        rule="hpht_masa_depan", source="kehamilan", severity="error", find=_hpht_in_future,
        title=_t("HPHT di masa depan", "Last menstrual period in the future"),
        message=_t("HPHT {hpht} belum terjadi. Periksa tanggal (hari/bulan tertukar, tahun salah).",
                   "LMP {hpht} is in the future. Check the date (day and month swapped, wrong year)."),
    ),
    Check(
        rule="hpl_tidak_konsisten", source="kehamilan", severity="warning", find=_hpl_inconsistent,
        title=_t("HPL tidak sesuai HPHT", "Due date does not match the LMP"),
        message=_t(
            "HPL {hpl} berbeda {selisih_hari} hari dari HPHT + 280 hari ({hpl_seharusnya}). Hitung ulang HPL dengan "
            "rumus Naegele atau perbaiki HPHT.",
            "Due date {hpl} is {selisih_hari} days off LMP + 280 days ({hpl_seharusnya}). Recompute it with "
            "Naegele's rule or correct the LMP.",
        ),
    ),
    Check(
        rule="kehamilan_ganda_aktif", source="kehamilan", severity="error", find=_two_active,
        title=_t("Dua kehamilan aktif untuk satu ibu", "Two active pregnancies for one woman"),
        message=_t(
            "Ibu ini juga tercatat dengan kehamilan {kehamilan_lain} pada waktu yang sama. Gabungkan catatan yang "
            "ganda atau isi tanggal persalinan kehamilan sebelumnya.",
            "This woman is also recorded with pregnancy {kehamilan_lain} at the same time. Merge the duplicate or "
            "record the earlier pregnancy's delivery date.",
        ),
    ),
)
