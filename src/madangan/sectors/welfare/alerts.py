"""Welfare early warning: targeting errors above threshold before a disbursement."""

from __future__ import annotations

from madangan.alerts import indicator_rule

ALERT_RULES = (
    indicator_rule(
        "salah_sasaran_bansos", "welfare", "ketepatan_sasaran_bansos",
        {"id": "Ketepatan sasaran bansos di bawah batas", "en": "Aid targeting accuracy below threshold"},
        {"id": "Hanya {nilai} % penerima bansos di {wilayah} berada di desil 1–4 ({bulan}): periksa daftar sebelum penyaluran.",
         "en": "Only {nilai} % of aid recipients in {wilayah} are in desil 1–4 ({bulan}): check the list before disbursement."},
        below=90.0, level="kecamatan", minimum_denominator=20, severity="tinggi", agency="Dinas Sosial", sla_hours=168.0,
    ),
)
