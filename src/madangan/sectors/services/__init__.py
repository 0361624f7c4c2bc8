"""Public services sector: service requests (IKM/SLA) and complaints (SP4N-LAPOR!).

`layanan` is one row per service request, as a service information system
(SIPP, the MPP queue, SIAK for civil registration) exports it: which service,
which agency, who asked, when it was submitted and finished, against which
standard (standar pelayanan, in working days, see holidays.py) and the
applicant's satisfaction score (SKM, PermenPANRB 14/2017: 1–4; a service whose survey uses 1–5 declares
it in `skala_kepuasan`, and its scores are converted to 1–4 — see indicators.ikm_converted).
`pengaduan` is one row per complaint from SP4N-LAPOR!, WhatsApp or in person.
"""

from __future__ import annotations

from madangan.contracts import Column, Contract, Processing
from madangan.hookspecs import hookimpl
from madangan.sector import Sector

LAYANAN_STATUS = ("SELESAI", "DIPROSES", "DITOLAK")
LAYANAN_KANAL = ("LOKET", "ONLINE", "MPP")
PENGADUAN_STATUS = ("SELESAI", "DIPROSES", "BELUM DITINDAKLANJUTI")
PENGADUAN_KANAL = ("LAPOR!", "WA", "LANGSUNG")

LAYANAN = Contract(
    name="layanan",
    sector="services",
    title={"id": "Permohonan layanan publik", "en": "Public-service requests"},
    owner="Bagian Organisasi Setda",
    columns=(
        Column("no_registrasi", "No. Registrasi"),
        Column("layanan", "Jenis Layanan"),
        Column("opd", "OPD Penyelenggara"),
        Column("kode_desa", "Kode Desa Pemohon"),
        Column("nik_pemohon", "NIK Pemohon", personal=True),
        Column("tanggal_diajukan", "Tanggal Pengajuan", "date"),
        Column("tanggal_selesai", "Tanggal Selesai", "date", required=False,
               description="Tanggal selesai atau ditolak; kosong selama masih diproses"),
        Column("status", "Status", allowed=LAYANAN_STATUS),
        Column("standar_hari", "Standar Waktu (Hari Kerja)", "int",
               description="Jangka waktu penyelesaian menurut standar pelayanan, dalam hari kerja"),
        Column("kanal", "Kanal", allowed=LAYANAN_KANAL,
               synonyms={"DARING": "ONLINE", "MAL PELAYANAN PUBLIK": "MPP"}),
        Column("nilai_kepuasan", "Nilai Kepuasan", "int", required=False, value_range=(1, 5),
               description="Survei kepuasan masyarakat, 1 (tidak baik) – 4 (sangat baik), atau 1–5 bila "
                           "Skala Survei Kepuasan diisi 5; kosong bila tidak mengisi"),
        Column("skala_kepuasan", "Skala Survei Kepuasan", "int", required=False, value_range=(4, 5),
               description="Nilai tertinggi skala survei layanan ini: 4 (skala nasional 1–4, PermenPANRB 14/2017) "
                           "atau 5 (survei 1–5, dikonversi ke 1–4 sebelum dihitung IKM); kosong berarti 4"),
    ),
    processing=Processing("Pemantauan kinerja pelayanan publik", "UU 25/2009 tentang Pelayanan Publik", retention_years=5, retention_column="tanggal_diajukan"),
    key=("no_registrasi",),
    nik_column="nik_pemohon",
    region_column="kode_desa",
    aliases={
        "Nomor Registrasi": "no_registrasi",
        "No Registrasi": "no_registrasi",
        "NIK": "nik_pemohon",
        "Tgl Pengajuan": "tanggal_diajukan",
        "Tgl Selesai": "tanggal_selesai",
        "Layanan": "layanan",
        "Perangkat Daerah": "opd",
        "Skala Kepuasan": "skala_kepuasan",
        "Skala SKM": "skala_kepuasan",
    },
)

PENGADUAN = Contract(
    name="pengaduan",
    sector="services",
    title={"id": "Pengaduan masyarakat (SP4N-LAPOR!)", "en": "Public complaints (SP4N-LAPOR!)"},
    owner="Diskominfosanditik",
    columns=(
        Column("id_pengaduan", "ID Pengaduan"),
        Column("tanggal_masuk", "Tanggal Masuk", "date"),
        Column("kanal", "Kanal", allowed=PENGADUAN_KANAL,
               synonyms={"LAPOR": "LAPOR!", "SP4N-LAPOR!": "LAPOR!", "SP4N LAPOR!": "LAPOR!", "SP4N-LAPOR": "LAPOR!",
                         "WHATSAPP": "WA"}),
        Column("opd_tujuan", "OPD Tujuan"),
        Column("kategori", "Kategori"),
        Column("kode_desa", "Kode Desa Lokasi", required=False,
               description="Desa tempat masalah yang diadukan; kosong bila tidak terkait satu desa"),
        Column("status", "Status", allowed=PENGADUAN_STATUS),
        Column("tanggal_selesai", "Tanggal Selesai", "date", required=False),
    ),
    processing=Processing("Penanganan pengaduan masyarakat", "UU 25/2009 tentang Pelayanan Publik; Perpres 76/2013", retention_years=5, retention_column="tanggal_masuk"),
    key=("id_pengaduan",),
    region_column="kode_desa",
    export_format="xlsx",
    aliases={"No. Tiket": "id_pengaduan", "Tanggal Laporan": "tanggal_masuk", "Instansi Tujuan": "opd_tujuan"},
)


@hookimpl
def madangan_sectors():
    from madangan.sectors.services.alerts import ALERT_RULES
    from madangan.sectors.services.checks import CHECKS
    from madangan.sectors.services.indicators import INDICATORS
    from madangan.sectors.services.opendata import DATASETS
    from madangan.sectors.services.pages import PAGES
    from madangan.sectors.services.synth import synthesize

    return [
        Sector(
            name="services",
            title={"id": "Pelayanan Publik", "en": "Public Services"},
            contracts=(LAYANAN, PENGADUAN),
            synthesize=synthesize,
            checks=CHECKS,
            indicators=INDICATORS,
            pages=PAGES,
            alert_rules=ALERT_RULES,
            datasets=DATASETS,
            requires=("population",),
        )
    ]
