"""Public-service early warning: service standard (SLA) compliance below target; the overdue complaint backlog."""

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
    indicator_rule(
        "tunggakan_pengaduan_tinggi", "services", "pengaduan_melewati_batas",
        {"id": "Tunggakan pengaduan melewati batas waktu", "en": "Open complaints past their deadline"},
        {"id": "{nilai} % pengaduan yang masih terbuka di {wilayah} pada {bulan} sudah lebih dari 60 hari.",
         "en": "{nilai} % of the complaints still open in {wilayah} in {bulan} are more than 60 days old."},
        above=25.0, level="kabupaten", minimum_denominator=10, severity="sedang", agency="Diskominfosanditik",
        sla_hours=168.0,
    ),
)
