"""Population sector (Disdukcapil): residents, families (KK) and deaths."""

from __future__ import annotations

from ibis import _

from madangan.contracts import Column, Contract, Processing
from madangan.hookspecs import hookimpl
from madangan.sector import DesaCount, Sector, rows_per_desa

PENDUDUK = Contract(
    name="penduduk",
    sector="population",
    title={"id": "Data penduduk (SIAK)", "en": "Population registry (SIAK)"},
    owner="Disdukcapil",
    columns=(
        Column("nik", "NIK", personal=True, description="Nomor Induk Kependudukan, 16 digit"),
        Column("no_kk", "No. KK", personal=True),
        Column("nama", "Nama Lengkap", personal=True),
        Column("jenis_kelamin", "Jenis Kelamin", allowed=("L", "P"),
               synonyms={"LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L",
                         "PEREMPUAN": "P", "WANITA": "P"}),
        Column("tempat_lahir", "Tempat Lahir", personal=True),
        Column("tanggal_lahir", "Tanggal Lahir", "date", personal=True),
        Column("status_hubungan", "Status Hubungan Dalam Keluarga",
               allowed=("KEPALA KELUARGA", "ISTRI", "SUAMI", "ANAK", "ORANG TUA"),
               synonyms={"KK": "KEPALA KELUARGA", "KEPALA KK": "KEPALA KELUARGA", "ISTERI": "ISTRI",
                         "ANAK KANDUNG": "ANAK"}),
        Column("status_kawin", "Status Perkawinan", allowed=("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"),
               synonyms={"BELUM MENIKAH": "BELUM KAWIN", "MENIKAH": "KAWIN", "KAWIN TERCATAT": "KAWIN",
                         "KAWIN BELUM TERCATAT": "KAWIN", "KAWIN TIDAK TERCATAT": "KAWIN"}),
        Column("agama", "Agama"),
        Column("pekerjaan", "Pekerjaan"),
        Column("kode_desa", "Kode Desa"),
        Column("rt", "RT", "int"),
        Column("rw", "RW", "int"),
        Column("alamat", "Alamat", personal=True),
        Column("status_hidup", "Status", allowed=("HIDUP", "MATI"),
               synonyms={"MENINGGAL": "MATI", "MENINGGAL DUNIA": "MATI", "WAFAT": "MATI"}),
    ),
    processing=Processing("Verifikasi dan validasi data kependudukan untuk pelayanan publik dan penetapan sasaran program", "UU 24/2013 tentang Administrasi Kependudukan; Perpres 39/2019 tentang Satu Data Indonesia"),
    key=("nik",),
    nik_column="nik",
    kk_column="no_kk",
    region_column="kode_desa",
    person_registry=True,
)

KELUARGA = Contract(
    name="keluarga",
    sector="population",
    title={"id": "Data keluarga (Kartu Keluarga)", "en": "Families (family cards)"},
    owner="Disdukcapil",
    columns=(
        Column("no_kk", "No. KK", personal=True),
        Column("nik_kepala_keluarga", "NIK Kepala Keluarga", personal=True),
        Column("nama_kepala_keluarga", "Nama Kepala Keluarga", personal=True),
        Column("kode_desa", "Kode Desa"),
        Column("rt", "RT", "int"),
        Column("rw", "RW", "int"),
        Column("alamat", "Alamat", personal=True),
        Column("jumlah_anggota", "Jumlah Anggota Keluarga", "int"),
    ),
    processing=Processing("Verifikasi dan validasi data kependudukan untuk pelayanan publik dan penetapan sasaran program", "UU 24/2013 tentang Administrasi Kependudukan; Perpres 39/2019 tentang Satu Data Indonesia"),
    key=("no_kk",),
    nik_column="nik_kepala_keluarga",
    kk_column="no_kk",
    region_column="kode_desa",
)

KEMATIAN = Contract(
    name="kematian",
    sector="population",
    title={"id": "Data kematian", "en": "Deaths"},
    owner="Disdukcapil",
    columns=(
        Column("nik", "NIK", personal=True),
        Column("nama", "Nama", personal=True),
        Column("jenis_kelamin", "Jenis Kelamin", allowed=("L", "P"),
               synonyms={"LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L",
                         "PEREMPUAN": "P", "WANITA": "P"}),
        Column("tanggal_lahir", "Tanggal Lahir", "date", personal=True),
        Column("tanggal_kematian", "Tanggal Kematian", "date", personal=True),
        Column("no_akta_kematian", "No. Akta Kematian", personal=True),
        Column("kode_desa", "Kode Desa"),
    ),
    processing=Processing("Verifikasi dan validasi data kependudukan untuk pelayanan publik dan penetapan sasaran program", "UU 24/2013 tentang Administrasi Kependudukan; Perpres 39/2019 tentang Satu Data Indonesia", retention_years=10, retention_column="tanggal_kematian"),
    key=("nik",),
    nik_column="nik",
    region_column="kode_desa",
    export_format="xlsx",
)


def _residents(tables):
    alive = tables["penduduk"].filter(_.status_hidup == "HIDUP")
    return alive.group_by(desa_code=_.kode_desa).agg(value=_.count())


@hookimpl
def madangan_sectors():
    from madangan.sectors.population.checks import checks
    from madangan.sectors.population.indicators import INDICATORS
    from madangan.sectors.population.pages import PAGES
    from madangan.sectors.population.synth import synthesize

    return [
        Sector(
            name="population",
            title={"id": "Kependudukan", "en": "Population"},
            contracts=(PENDUDUK, KELUARGA, KEMATIAN),
            synthesize=synthesize,
            checks=checks(PENDUDUK, KEMATIAN),
            indicators=INDICATORS,
            pages=PAGES,
            desa_counts=(
                DesaCount("penduduk", {"id": "Penduduk", "en": "Residents"}, _residents, ("penduduk",)),
                DesaCount("keluarga", {"id": "Keluarga", "en": "Families"}, rows_per_desa("keluarga"), ("keluarga",)),
            ),
        )
    ]
