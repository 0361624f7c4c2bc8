"""Public-service early warning: service standard (SLA) compliance below target."""

from __future__ import annotations

from madangan.alerts import indicator_rule

ALERT_RULES = (
    indicator_rule(
        "sla_layanan_rendah", "services", "kepatuhan_standar_layanan",
        {"id": "Kepatuhan standar waktu layanan di bawah target", "en": "Service-time compliance below target"},
        {"id": "Layanan di {wilayah} selesai tepat waktu hanya {nilai} % pada {bulan}.",
         "en": "Only {nilai} % of services in {wilayah} were finished on time in {bulan}."},
        below=90.0, level="kecamatan", minimum_denominator=10, severity="sedang", agency="Bagian Organisasi Setda",
        sla_hours=168.0,
    ),
)
