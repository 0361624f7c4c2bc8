"""Indonesian (mostly Sundanese) personal names and the ways one name gets written.

Vectorised: names are drawn as index arrays into fixed vocabularies. Variants
(titles, Muhammad/Moh./M., old spelling oe/dj/tj) are applied to the few
records that need them, e.g. injected duplicates.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl

MALE_FIRST = (
    "Asep Dedi Ujang Cecep Agus Budi Dadang Entis Iwan Yayan Ade Deden Rudi Hendra Wawan Eko Ahmad "
    "Muhammad Rizki Fajar Dimas Ilham Aldi Rendi Irfan Yusuf Ridwan Dani Galih Jajang Engkos Oman Udin "
    "Maman Tatang Odang Usep Aep Dudung Encep Dodi Yudi Rahmat Jaka Surya Bayu Arif Taufik Cahya Rizal"
).split()
FEMALE_FIRST = (
    "Siti Euis Neneng Yeti Imas Nining Rina Dewi Sri Nurhayati Lilis Iis Enung Cucu Tuti Yuyun Nia "
    "Ratna Wulan Putri Ayu Fitri Rini Elis Eneng Popon Icih Entin Aisyah Nabila Salsabila Zahra Aulia "
    "Nurul Dinda Intan Yuli Teti Eti Dede Cicih Heni Mimin Kokom Lina Susi Tika Yanti Rika Anisa"
).split()
MALE_SECOND = (
    "Saepudin Supriatna Mulyana Hidayat Rahmat Sopandi Suryadi Permana Kurniawan Setiawan Gunawan "
    "Nugraha Ramdani Hermawan Sudrajat Suhendar Firmansyah Hidayatullah Saputra Pratama Rohman Maulana "
    "Kusnadi Sutisna Mulyadi Sumarna Wijaya Iskandar Abdullah Junaedi Sukmana Somantri Ruhiyat Yusuf"
).split()
FEMALE_SECOND = (
    "Nurhasanah Rohaeti Kurniasih Rahmawati Lestari Komalasari Marlina Susanti Handayani Sulastri "
    "Nuraeni Fitriani Wulandari Rosmiati Suryani Maryam Hasanah Rahayu Nurjanah Sumiati Mulyani "
    "Yulianti Rostini Aminah Juariah Kartika Safitri Puspitasari Nurlela Apriani Rosita"
).split()
BIRTH_PLACES_ELSEWHERE = "BANDUNG GARUT MAJALENGKA JAKARTA CIREBON SUBANG INDRAMAYU TASIKMALAYA BOGOR".split()

MUHAMMAD_VARIANTS = ("Muhammad", "Moh.", "M.", "Mochamad", "Muhamad", "Moch.")
TITLES_MALE = ("H.", "Drs.", "Ir.")
TITLES_FEMALE = ("Hj.", "Dra.")
_OLD_SPELLING = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"))


def draw_names(rng: np.random.Generator, female: np.ndarray) -> pl.Series:
    """One full name per person; `female` is a boolean array."""
    n = len(female)
    first_m = np.array(MALE_FIRST)[rng.integers(0, len(MALE_FIRST), n)]
    first_f = np.array(FEMALE_FIRST)[rng.integers(0, len(FEMALE_FIRST), n)]
    second_m = np.array(MALE_SECOND)[rng.integers(0, len(MALE_SECOND), n)]
    second_f = np.array(FEMALE_SECOND)[rng.integers(0, len(FEMALE_SECOND), n)]
    first = np.where(female, first_f, first_m)
    second = np.where(female, second_f, second_m)
    # Sundanese names are often a single word; most have two.
    single = rng.random(n) < 0.15
    full = np.where(single, first, np.char.add(np.char.add(first, " "), second))
    return pl.Series("nama", full, dtype=pl.String)


def variant(name: str, rng: np.random.Generator, female: bool) -> str:
    """Another way the same person's name gets written in another registry."""
    choice = rng.integers(0, 4)
    if choice == 0 and name.split()[0] in MUHAMMAD_VARIANTS:
        others = [v for v in MUHAMMAD_VARIANTS if v != name.split()[0]]
        return " ".join([others[rng.integers(0, len(others))], *name.split()[1:]])
    if choice == 1:
        titles = TITLES_FEMALE if female else TITLES_MALE
        return f"{titles[rng.integers(0, len(titles))]} {name}"
    if choice == 2:
        for new, old in _OLD_SPELLING:
            if new in name.lower():
                return re.sub(new, old, name, count=1, flags=re.IGNORECASE).title()
    if choice == 3 and len(name.split()) > 1:
        parts = name.split()
        return f"{parts[0]} {parts[1][0]}."  # abbreviated second name
    return name.upper() if name != name.upper() else name.title()
