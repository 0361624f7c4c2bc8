"""Civil-service sector (BKPSDM): civil servants (ASN), TNI, Polri and village officials.

The register matters beyond HR: ASN/TNI/Polri and perangkat desa may not receive
social assistance (Kemensos exclusion categories 4, 5 and 8), so the welfare
checks match recipients against it by NIK.
"""

from __future__ import annotations

from madangan.contracts import Column, Contract, Processing
from madangan.hookspecs import hookimpl
from madangan.sector import Sector

JENIS_PEGAWAI = ("PNS", "PPPK", "TNI", "POLRI", "PERANGKAT DESA")

PEGAWAI = Contract(
    name="pegawai",
    sector="civil_service",
    # No "/" here: the title names the XLSX sheet (at most 31 characters, no []:*?/\).
    title={"id": "Data pegawai dan perangkat desa", "en": "Public employees and village officials"},
    owner="BKPSDM",
    columns=(
        Column("nip", "NIP", required=False, personal=True,
               description="Nomor Induk Pegawai (PNS), 18 digit: tanggal lahir YYYYMMDD + TMT CPNS YYYYMM "
                           "+ jenis kelamin (1 laki-laki, 2 perempuan) + nomor urut 3 digit; kosong untuk selain PNS"),
        Column("nik", "NIK", personal=True, description="Nomor Induk Kependudukan, 16 digit"),
        Column("nama", "Nama", personal=True),
        Column("jenis_kelamin", "Jenis Kelamin", allowed=("L", "P"),
               synonyms={"LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L",
                         "PEREMPUAN": "P", "WANITA": "P"}),
        Column("tanggal_lahir", "Tanggal Lahir", "date", personal=True),
        Column("jenis_pegawai", "Jenis Pegawai", allowed=JENIS_PEGAWAI,
               synonyms={"P3K": "PPPK", "ASN PPPK": "PPPK", "ASN PNS": "PNS", "POLISI": "POLRI",
                         "PERADES": "PERANGKAT DESA"}),
        Column("instansi", "Instansi / Unit Kerja"),
        Column("jabatan", "Jabatan"),
        Column("golongan", "Golongan", required=False,
               description="PNS: I/a sampai IV/e; PPPK: V sampai XVII; kosong untuk TNI, Polri dan perangkat desa"),
        Column("tmt", "TMT Pengangkatan", "date", description="Terhitung mulai tanggal pengangkatan"),
        Column("kode_desa", "Kode Desa Domisili", description="Desa/kelurahan tempat tinggal"),
    ),
    processing=Processing("Pengecualian penerima bantuan sosial: ASN, TNI/Polri dan perangkat desa", "UU 20/2023 tentang Aparatur Sipil Negara; Permensos 3/2021"),
    key=("nik",),
    nik_column="nik",
    region_column="kode_desa",
    export_format="xlsx",
    aliases={
        "NIP Baru": "nip",
        "Unit Kerja": "instansi",
        "Pangkat/Golongan": "golongan",
        "Gol. Ruang": "golongan",
        "TMT": "tmt",
        "Kode Desa": "kode_desa",
    },
)


@hookimpl
def madangan_sectors():
    from madangan.sectors.civil_service.synth import synthesize
    from madangan.sectors.population import PENDUDUK
    from madangan.verval import identity

    return [
        Sector(
            name="civil_service",
            title={"id": "Kepegawaian", "en": "Civil service"},
            contracts=(PEGAWAI,),
            synthesize=synthesize,
            requires=("population",),
            checks=(
                identity.nik_matches_person(PEGAWAI, "tanggal_lahir", "jenis_kelamin"),
                identity.nik_same_person(PEGAWAI, "tanggal_lahir", PENDUDUK, "tanggal_lahir"),
            ),
        )
    ]
