"""Budget indicators: spending realization against allocation and against the cash plan.

The budget is kept per agency, not per desa, so these figures exist at regency level only
(`compute` returns kode_desa null). Every row names its fiscal year (`tahun`) and month (1–12); each
year is measured against its own allocation.
"""

from __future__ import annotations

import ibis
from ibis import _

from madangan.indicators import Indicator


def _monthly(tables):
    """Per month with reported realization: realization and cash plan that month, as dated months."""
    r = tables["realisasi"]
    r = r.mutate(bulan=ibis.date(r.tahun, r.bulan, 1))
    return r.group_by("tahun", "bulan").agg(realisasi=r.realisasi.sum(), rencana=r.rencana.sum(),
                                            dilaporkan=r.realisasi.notnull().any())


def _cumulative(tables):
    m = _monthly(tables)
    w = ibis.cumulative_window(group_by=m.tahun, order_by=m.bulan)
    return m.mutate(realisasi_kum=m.realisasi.fill_null(0).sum().over(w),
                    rencana_kum=m.rencana.sum().over(w)).filter(_.dilaporkan)


def realization_vs_allocation(tables):
    """Per month: spending realized from January through that month, against the year's allocation (pagu)."""
    a = tables["anggaran"]
    totals = a.group_by("tahun").agg(pagu=a.pagu.sum())
    m = _cumulative(tables).inner_join(totals, "tahun")
    return m.select(kode_desa=ibis.null("string"), bulan=m.bulan, numerator=m.realisasi_kum, denominator=m.pagu)


def realization_vs_cash_plan(tables):
    """Per month: spending realized from January through that month, against the cash plan for those months."""
    m = _cumulative(tables)
    return m.select(kode_desa=ibis.null("string"), bulan=m.bulan, numerator=m.realisasi_kum,
                    denominator=m.rencana_kum)


INDICATORS = (
    Indicator(
        id="realisasi_belanja",
        public=True,
        disclosure="none",
        sector="budget",
        title={"id": "Realisasi belanja terhadap pagu APBD", "en": "Spending realization against the budget"},
        compute=realization_vs_allocation,
        sources=("anggaran", "realisasi"),
        unit="%",
        higher_is_better=True,
        thresholds=(75.0, 50.0),
        period_from="realisasi.bulan",
        metadata={
            "definisi": "Realisasi belanja (SP2D) kumulatif Januari s.d. bulan laporan dibanding pagu belanja APBD. "
                        "Hanya tingkat kabupaten: anggaran dicatat per perangkat daerah, bukan per desa.",
            "rumus": "Σ realisasi Januari s.d. bulan ini ÷ Σ pagu tahun anggaran yang sama × 100",
            "sumber": "BPKAD: DPA (pagu) dan realisasi bulanan (SIPD-RI)",
            "frekuensi": "Bulanan (kumulatif)",
            "definition_en": "Cumulative spending (SP2D) from January through the month against the year's allocation; regency level only.",
        },
    ),
    Indicator(
        id="realisasi_anggaran_kas",
        public=True,
        disclosure="none",
        sector="budget",
        title={"id": "Realisasi belanja terhadap anggaran kas", "en": "Spending realization against the cash plan"},
        compute=realization_vs_cash_plan,
        sources=("anggaran", "realisasi"),
        unit="%",
        higher_is_better=True,
        target=100.0,
        thresholds=(90.0, 75.0),
        period_from="realisasi.bulan",
        metadata={
            "definisi": "Realisasi belanja kumulatif dibanding rencana anggaran kas kumulatif sampai bulan yang sama: "
                        "penyerapan yang tertinggal dari rencana. Hanya tingkat kabupaten.",
            "rumus": "Σ realisasi Januari s.d. bulan ini ÷ Σ anggaran kas Januari s.d. bulan ini × 100",
            "sumber": "BPKAD: anggaran kas dan realisasi bulanan (SIPD-RI)",
            "frekuensi": "Bulanan (kumulatif)",
            "definition_en": "Cumulative spending against the cumulative cash plan up to the same month; regency level only.",
        },
    ),
)
