"""The public services sector's thematic page."""

from madangan.indicators import ThemePage

PAGES = (
    ThemePage(
        slug="layanan-publik",
        title={"id": "Layanan Publik", "en": "Public Services"},
        indicators=("kepatuhan_standar_layanan", "pengaduan_ditindaklanjuti", "indeks_kepuasan_masyarakat"),
        headline=("kepatuhan_standar_layanan",),
        order=50,
        lead={"id": "Layanan selesai sesuai standar waktu (SLA), tindak lanjut pengaduan dan kepuasan masyarakat.",
              "en": "Services completed within their standard time (SLA), complaint follow-up and satisfaction."},
    ),
)
