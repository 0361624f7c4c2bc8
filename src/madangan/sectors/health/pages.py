"""The health sector's thematic pages: child growth and maternal health."""

from madangan.indicators import ThemePage

PAGES = (
    ThemePage(
        slug="stunting-gizi",
        title={"id": "Stunting & Gizi", "en": "Stunting & Nutrition"},
        indicators=("prevalensi_stunting", "prevalensi_stunting_berat", "prevalensi_wasting", "prevalensi_underweight",
                    "prevalensi_gizi_lebih", "skdn_partisipasi", "skdn_naik", "skdn_terdaftar", "balita_2t",
                    "cakupan_pengukuran"),
        headline=("prevalensi_stunting",),
        order=30,
        lead={"id": "Pertumbuhan balita dari penimbangan posyandu (Standar WHO 2006, Permenkes 2/2020) dan SKDN.",
              "en": "Child growth from posyandu measurements (WHO 2006 standards, Permenkes 2/2020) and SKDN."},
    ),
    ThemePage(
        slug="kesehatan-ibu",
        title={"id": "Kesehatan Ibu", "en": "Maternal Health"},
        indicators=("kehamilan_risiko_tinggi", "kehamilan_risiko_sangat_tinggi", "cakupan_k1", "cakupan_k4",
                    "cakupan_k6", "telemetri_di_luar_batas"),
        headline=("kehamilan_risiko_tinggi",),
        order=40,
        lead={"id": "Ibu hamil: risiko (skor KSPR), kunjungan antenatal K1–K6 dan bacaan jam pintar.",
              "en": "Pregnancies: risk (KSPR score), antenatal visits K1–K6 and smartwatch readings."},
    ),
)
