"""Population indicators."""

from __future__ import annotations

from ibis import _

from madangan.indicators import Indicator


def deaths_recorded(tables):
    """Per desa of death and month of death: deaths, and those the registry already shows as MATI."""
    deaths = tables["kematian"]
    dead = tables["penduduk"].filter(_.status_hidup == "MATI").select("nik", updated=1)
    joined = deaths.left_join(dead, "nik")
    return joined.group_by(kode_desa=joined.kode_desa, bulan=joined.tanggal_kematian.truncate("M")).agg(
        numerator=joined.updated.notnull().sum(), denominator=joined.count())


INDICATORS = (
    Indicator(
        id="kematian_termutakhir",
        sector="population",
        title={"id": "Kematian yang sudah dimutakhirkan di data penduduk",
               "en": "Deaths already updated in the population registry"},
        compute=deaths_recorded,
        sources=("kematian", "penduduk"),
        unit="%",
        higher_is_better=True,
        target=100.0,
        thresholds=(98.0, 90.0),
        period_from="kematian.tanggal_kematian",
        incremental=False,  # a person's status comes from penduduk, joined by NIK
        metadata={
            "definisi": "Persentase kematian tercatat yang NIK-nya sudah berstatus MATI di data penduduk (SIAK).",
            "rumus": "Kematian dengan NIK berstatus MATI di SIAK ÷ seluruh kematian tercatat × 100",
            "sumber": "Disdukcapil: data kematian dan data penduduk",
            "frekuensi": "Bulanan (bulan kematian)",
            "definition_en": "Share of recorded deaths whose NIK shows as deceased (MATI) in the population registry.",
        },
    ),
)
