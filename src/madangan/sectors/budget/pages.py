"""The regional finance sector's thematic page."""

from madangan.indicators import ThemePage

PAGES = (
    ThemePage(
        slug="keuangan-daerah",
        title={"id": "Keuangan Daerah", "en": "Regional Finance"},
        indicators=("realisasi_belanja", "realisasi_anggaran_kas"),
        headline=("realisasi_belanja",),
        order=60,
        lead={"id": "Realisasi belanja APBD terhadap pagu dan anggaran kas (dicatat per OPD, tidak per desa).",
              "en": "APBD spending against the budget and the cash plan (kept per agency, not per village)."},
    ),
)
