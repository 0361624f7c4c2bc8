"""The population sector's thematic page."""

from madangan.indicators import ThemePage

PAGES = (
    ThemePage(
        slug="kependudukan",
        title={"id": "Kependudukan", "en": "Population"},
        indicators=("kematian_termutakhir",),
        order=10,
        lead={"id": "Data kependudukan (Dukcapil): apakah kematian sudah dimutakhirkan di data penduduk.",
              "en": "Civil registry (Dukcapil): are deaths recorded in the population register."},
    ),
)
