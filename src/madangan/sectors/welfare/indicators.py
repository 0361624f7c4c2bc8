"""Welfare indicators: does social assistance reach the poorest families (desil 1–4)?

Both join recipients to the DTSEN ranking by family card (no_kk), so a recipient can reach a desa
through the ranking: they are recomputed whole when either source changes (`incremental=False`).
"""

from __future__ import annotations

from ibis import _

from madangan.indicators import Indicator

#: Programs whose rules are desil 1–4 (PBI-JK reaches desil 5, so it is left out of targeting accuracy).
DESIL_1_4_PROGRAMS = ("PKH", "BPNT", "BLT_DD")
SOURCES = ("desil", "penerima_bansos")


def _month(periode):
    return (periode + "-01").cast("date")


def _recipient_families(tables, programs=None):
    """Distinct (no_kk, kode_desa, bulan) of active recipients."""
    aid = tables["penerima_bansos"].filter(_.status == "AKTIF")
    if programs:
        aid = aid.filter(_.program.isin(programs))
    return aid.select("no_kk", "kode_desa", bulan=_month(aid.periode)).distinct()


def coverage(tables):
    """Per desa (the family's, from DTSEN) and distribution month: desil 1–4 families, and those receiving aid."""
    poor = tables["desil"].filter(_.desil <= 4).select("no_kk", "kode_desa")
    months = _recipient_families(tables).select("bulan").distinct()
    families = poor.cross_join(months)
    aided = _recipient_families(tables).select("no_kk", "bulan", aided=1)
    joined = families.left_join(aided, ["no_kk", "bulan"])
    return joined.group_by("kode_desa", "bulan").agg(
        numerator=joined.aided.notnull().sum(), denominator=joined.count())


def targeting(tables):
    """Per desa (the recipient's) and month: families receiving PKH/BPNT/BLT-DD, and those ranked desil 1–4."""
    aid = _recipient_families(tables, DESIL_1_4_PROGRAMS)
    rank = tables["desil"].select("no_kk", d=_.desil)
    joined = aid.left_join(rank, "no_kk")
    return joined.group_by("kode_desa", "bulan").agg(
        numerator=(joined.d <= 4).fill_null(False).sum(), denominator=joined.no_kk.nunique())


INDICATORS = (
    Indicator(
        id="cakupan_bansos_desil_1_4",
        public=True,
        sector="welfare",
        title={"id": "Keluarga desil 1–4 yang menerima bansos", "en": "Desil 1–4 families receiving social assistance"},
        compute=coverage,
        sources=SOURCES,
        unit="%",
        higher_is_better=True,
        target=90.0,
        thresholds=(80.0, 60.0),
        period_from="penerima_bansos.periode",
        incremental=False,
        metadata={
            "definisi": "Persentase keluarga desil 1–4 DTSEN yang menerima sedikitnya satu bansos aktif pada bulan penyaluran.",
            "rumus": "Keluarga desil 1–4 dengan bansos AKTIF (No. KK) ÷ seluruh keluarga desil 1–4 × 100",
            "sumber": "Dinas Sosial: DTSEN (desil) dan data penerima bansos",
            "frekuensi": "Bulanan (per bulan penyaluran)",
            "definition_en": "Share of DTSEN desil 1–4 families receiving at least one active aid program in the distribution month (exclusion errors are the rest).",
        },
    ),
    Indicator(
        id="ketepatan_sasaran_bansos",
        sector="welfare",
        title={"id": "Penerima bansos yang tepat sasaran (desil 1–4)", "en": "Aid recipients within target (desil 1–4)"},
        compute=targeting,
        sources=SOURCES,
        unit="%",
        higher_is_better=True,
        target=95.0,
        thresholds=(90.0, 80.0),
        period_from="penerima_bansos.periode",
        incremental=False,
        metadata={
            "definisi": "Persentase keluarga penerima PKH, BPNT atau BLT Dana Desa yang berada di desil 1–4 DTSEN; sisanya kesalahan inklusi.",
            "rumus": "Keluarga penerima (No. KK) di desil 1–4 ÷ seluruh keluarga penerima × 100",
            "sumber": "Dinas Sosial: data penerima bansos dan DTSEN (desil)",
            "frekuensi": "Bulanan (per bulan penyaluran)",
            "definition_en": "Share of PKH, BPNT or BLT-DD recipient families ranked desil 1–4; the rest are inclusion errors.",
        },
    ),
)
