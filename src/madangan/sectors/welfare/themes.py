"""The welfare sector's thematic page on the command center."""

from madangan.indicators import ThemePage

PAGES = (
    ThemePage(
        slug="kemiskinan-bansos",
        title={"id": "Kemiskinan & Bansos", "en": "Poverty & Social Assistance"},
        indicators=("ketepatan_sasaran_bansos", "cakupan_bansos_desil_1_4"),
        headline=("ketepatan_sasaran_bansos", "cakupan_bansos_desil_1_4"),
        order=20,
        lead={"id": "Apakah bansos sampai ke keluarga termiskin (desil 1–4): salah sasaran dan yang terlewat.",
              "en": "Does social assistance reach the poorest families (desil 1–4): inclusion and exclusion."},
    ),
)
