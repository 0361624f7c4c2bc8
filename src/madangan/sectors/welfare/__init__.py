"""Welfare sector (Dinas Sosial): the DTSEN welfare ranking and social-assistance recipients.

Eligibility rules (the ones the synthetic data follows and the checks apply):

* a family is eligible for nothing when a member is in `pegawai` (ASN, TNI,
  Polri, perangkat desa — Kemensos exclusion categories 4, 5, 8);
* PKH: desil 1–2 and at least one PKH component (pregnant mother, child 0–6,
  school child 7–18, elderly 70+, disability);
* BPNT (sembako): desil 1–4;
* BLT Dana Desa: only in a desa (not a kelurahan), within the desa's quota,
  desil 1 first, desil 2–4 only once every eligible desil-1 family of that desa
  receives it (PMK 201/2022 Pasal 36);
* PBI-JK: every member of a desil 1–5 family.

See synth.py for the exact meaning of each injected error kind.
"""

from __future__ import annotations

from madangan.contracts import Column, Contract, Processing
from madangan.hookspecs import hookimpl
from madangan.sector import DesaCount, NavLink, Sector

PROGRAMS = ("PKH", "BPNT", "BLT_DD", "PBI_JK")

DESIL = Contract(
    name="desil",
    sector="welfare",
    title={"id": "Peringkat kesejahteraan keluarga (DTSEN)", "en": "Family welfare ranking (DTSEN)"},
    owner="Dinas Sosial",
    columns=(
        Column("no_kk", "No. KK", personal=True),
        Column("nik_kepala_keluarga", "NIK Kepala Keluarga", personal=True),
        Column("nama_kepala_keluarga", "Nama Kepala Keluarga", personal=True),
        Column("kode_desa", "Kode Desa"),
        Column("desil", "Desil", "int", value_range=(1, 10),
               description="Peringkat kesejahteraan nasional 1–10; 1 = termiskin"),
        Column("tanggal_pemutakhiran", "Tanggal Pemutakhiran", "date"),
        Column("punya_anak_usia_dini", "Memiliki Anak Usia Dini (0-6 Tahun)", "bool"),
        Column("punya_anak_sekolah", "Memiliki Anak Usia Sekolah (7-18 Tahun)", "bool"),
        Column("punya_lansia", "Memiliki Lansia (70 Tahun ke Atas)", "bool"),
        Column("punya_disabilitas", "Memiliki Anggota Penyandang Disabilitas", "bool", personal=True),
        Column("ada_ibu_hamil", "Ada Ibu Hamil", "bool", personal=True),
        Column("kehilangan_mata_pencaharian", "Kehilangan Mata Pencaharian", "bool"),
    ),
    processing=Processing("Penargetan bantuan sosial: kesalahan inklusi dan eksklusi per desa", "UU 13/2011 tentang Penanganan Fakir Miskin; Inpres 4/2025 tentang DTSEN"),
    key=("no_kk",),
    nik_column="nik_kepala_keluarga",
    kk_column="no_kk",
    region_column="kode_desa",
    aliases={"Nomor KK": "no_kk", "NOKK": "no_kk", "Desil Kesejahteraan": "desil", "Peringkat Desil": "desil"},
)

PENERIMA_BANSOS = Contract(
    name="penerima_bansos",
    sector="welfare",
    title={"id": "Penerima bantuan sosial", "en": "Social-assistance recipients"},
    owner="Dinas Sosial",
    columns=(
        Column("id_penerima", "ID Penerima"),
        Column("program", "Program", allowed=PROGRAMS,
               synonyms={"SEMBAKO": "BPNT", "BLT DD": "BLT_DD", "BLT-DD": "BLT_DD", "BLT DANA DESA": "BLT_DD",
                         "PBI JK": "PBI_JK", "PBI-JK": "PBI_JK"},
               description="PKH, BPNT (sembako), BLT_DD (BLT Dana Desa), PBI_JK (PBI Jaminan Kesehatan)"),
        Column("periode", "Periode", description="Bulan penyaluran, YYYY-MM"),
        Column("nik", "NIK", personal=True,
               description="NIK penerima: pengurus keluarga (PKH), kepala keluarga (BPNT, BLT_DD), "
                           "setiap peserta (PBI_JK)"),
        Column("no_kk", "No. KK", personal=True),
        Column("nama", "Nama Penerima", personal=True),
        Column("kode_desa", "Kode Desa"),
        Column("nominal", "Nominal (Rp/bulan)", "int"),
        Column("status", "Status", allowed=("AKTIF", "DITANGGUHKAN", "DIHENTIKAN")),
    ),
    processing=Processing("Penargetan bantuan sosial: kesalahan inklusi dan eksklusi per desa", "UU 13/2011 tentang Penanganan Fakir Miskin; Inpres 4/2025 tentang DTSEN", retention_years=5),
    key=("id_penerima",),
    nik_column="nik",
    kk_column="no_kk",
    region_column="kode_desa",
    aliases={"NIK KPM": "nik", "Nama KPM": "nama", "Jenis Bantuan": "program", "Nilai Bantuan": "nominal"},
)


def _aided_families(tables):
    t = tables["penerima_bansos"]
    return t.group_by(desa_code=t.kode_desa).agg(value=t.no_kk.nunique())


@hookimpl
def madangan_sectors():
    from madangan.sectors.welfare.alerts import ALERT_RULES
    from madangan.sectors.welfare.checks import CHECKS
    from madangan.sectors.welfare.indicators import INDICATORS
    from madangan.sectors.welfare.themes import PAGES
    from madangan.sectors.welfare.synth import synthesize

    return [
        Sector(
            name="welfare",
            title={"id": "Kesejahteraan sosial", "en": "Social welfare"},
            contracts=(DESIL, PENERIMA_BANSOS),
            synthesize=synthesize,
            indicators=INDICATORS,
            pages=PAGES,
            alert_rules=ALERT_RULES,
            nav=(NavLink("/penargetan", {"id": "Penargetan", "en": "Targeting"}, "aggregates", order=10),),
            requires=("population", "civil_service"),
            checks=CHECKS,
            desa_counts=(
                DesaCount(
                    "penerima_bansos",
                    {"id": "Keluarga penerima bansos", "en": "Families receiving aid"},
                    _aided_families,
                    ("penerima_bansos",),
                ),
            ),
        )
    ]
