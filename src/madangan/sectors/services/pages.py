"""The public services sector's thematic page."""

from madangan.indicators import ThemePage

PAGES = (
    ThemePage(
        slug="layanan-publik",
        title={"id": "Layanan Publik", "en": "Public Services"},
        indicators=("kepatuhan_standar_layanan", "median_hari_penyelesaian", "p90_hari_penyelesaian",
                    "tunggakan_layanan", "indeks_kepuasan_masyarakat", "pengaduan_ditindaklanjuti",
                    "pengaduan_melewati_batas"),
        headline=("kepatuhan_standar_layanan",),
        order=50,
        lead={"id": "Layanan selesai sesuai standar waktu (SLA), lama penyelesaian (median dan persentil ke-90), "
                    "tunggakan, kepuasan masyarakat (IKM) dan penanganan pengaduan.",
              "en": "Services completed within their standard time (SLA), completion time (median and 90th "
                    "percentile), backlog, satisfaction (IKM) and complaint handling."},
    ),
)
