"""Budget sector (BPKAD/Bapenda): the APBD, its monthly cash plan and realization, and revenue.

Three sources, as SIPD-RI and the regional treasury export them, each row naming its fiscal year
(`tahun`), so a regency can load several years side by side and figures never depend on when a file
was loaded:

- `anggaran`: spending (belanja) per sub kegiatan of each SKPD unit, one economic account
  (kode rekening, "jenis" level) per line. A sub kegiatan code repeats across units (every
  kecamatan runs 7.01.02.2.01.0001, every puskesmas the same health sub kegiatan), so a
  line is identified by the unit code *and* the sub kegiatan code.
- `realisasi`: for every line and month 1–12 the cash plan (anggaran kas, summing to the
  allocation) and the realization (SP2D paid), empty for months after the reference date.
- `pendapatan`: revenue (pendapatan) is kept in its own source, because revenue objects have
  no program/kegiatan/sub kegiatan: one row per revenue object with its target and the
  realization to date.
- `apbdes`: the village budgets (APBDes) per desa, revenue by source and spending by bidang (apbdes.py).
"""

from __future__ import annotations

from madangan.contracts import Column, Contract
from madangan.hookspecs import hookimpl
from madangan.sector import Sector
from madangan.sectors.budget.catalog import ACCOUNTS, REVENUE_GROUPS

ANGGARAN = Contract(
    name="anggaran",
    sector="budget",
    title={"id": "APBD per sub kegiatan (DPA)", "en": "Regional budget by sub-activity"},
    owner="BPKAD",
    columns=(
        Column("tahun", "Tahun Anggaran", "int", description="Tahun anggaran (tahun fiskal), mis. 2026"),
        Column("kode_unit", "Kode Unit SKPD",
               description="Kode organisasi Permendagri 90/2019; 4 digit terakhir = sub unit (mis. puskesmas)"),
        Column("opd", "Perangkat Daerah"),
        Column("unit", "Nama Unit"),
        Column("kode_sub_kegiatan", "Kode Sub Kegiatan"),
        Column("program", "Program"),
        Column("kegiatan", "Kegiatan"),
        Column("sub_kegiatan", "Sub Kegiatan"),
        Column("kode_rekening", "Kode Rekening", allowed=tuple(code for code, _ in ACCOUNTS.values())),
        Column("nama_rekening", "Uraian Rekening"),
        Column("lokasi_kecamatan", "Kode Kecamatan Lokasi", required=False,
               description="Kecamatan tempat belanja dilaksanakan; kosong bila lingkup kabupaten"),
        Column("tagging_stunting", "Tagging Stunting", "bool",
               description="Sub kegiatan yang ditandai untuk percepatan penurunan stunting"),
        Column("pagu", "Pagu (Rp)", "int"),
    ),
    key=("tahun", "kode_unit", "kode_sub_kegiatan"),
    export_format="xlsx",
    aliases={"Tahun": "tahun", "Kode SKPD": "kode_unit", "Nama SKPD": "opd", "Pagu Anggaran": "pagu", "Nama Sub Kegiatan": "sub_kegiatan"},
)

REALISASI = Contract(
    name="realisasi",
    sector="budget",
    title={"id": "Anggaran kas dan realisasi bulanan", "en": "Monthly cash plan and realization"},
    owner="BPKAD",
    columns=(
        Column("tahun", "Tahun Anggaran", "int", description="Tahun anggaran (tahun fiskal), mis. 2026"),
        Column("kode_unit", "Kode Unit SKPD"),
        Column("kode_sub_kegiatan", "Kode Sub Kegiatan"),
        Column("bulan", "Bulan", "int", description="1–12"),
        Column("rencana", "Anggaran Kas (Rp)", "int"),
        Column("realisasi", "Realisasi (Rp)", "int", required=False,
               description="SP2D yang dibayarkan pada bulan itu; kosong untuk bulan yang belum berjalan"),
    ),
    key=("tahun", "kode_unit", "kode_sub_kegiatan", "bulan"),
    export_format="xlsx",
    aliases={"Tahun": "tahun", "Rencana": "rencana", "Anggaran Kas": "rencana"},
)

PENDAPATAN = Contract(
    name="pendapatan",
    sector="budget",
    title={"id": "Target dan realisasi pendapatan daerah", "en": "Regional revenue: target and realization"},
    owner="Bapenda",
    columns=(
        Column("tahun", "Tahun Anggaran", "int", description="Tahun anggaran (tahun fiskal), mis. 2026"),
        Column("kode_rekening", "Kode Rekening"),
        Column("uraian", "Uraian"),
        Column("kelompok", "Kelompok", allowed=tuple(REVENUE_GROUPS.values())),
        Column("opd", "Perangkat Daerah Pemungut"),
        Column("target", "Target (Rp)", "int"),
        Column("realisasi", "Realisasi s.d. Bulan Laporan (Rp)", "int"),
    ),
    key=("tahun", "kode_rekening"),
    export_format="xlsx",
    aliases={"Tahun": "tahun"},
)


@hookimpl
def madangan_sectors():
    from madangan.sectors.budget.alerts import ALERT_RULES
    from madangan.sectors.budget.apbdes import APBDES, synthesize as synthesize_apbdes
    from madangan.sectors.budget.checks import CHECKS
    from madangan.sectors.budget.indicators import INDICATORS
    from madangan.sectors.budget.opendata import DATASETS
    from madangan.sectors.budget.pages import PAGES
    from madangan.sectors.budget.synth import synthesize

    return [
        Sector(
            name="budget",
            title={"id": "Anggaran Daerah", "en": "Regional Budget"},
            contracts=(ANGGARAN, REALISASI, PENDAPATAN, APBDES),
            synthesize=lambda ctx: (synthesize(ctx), synthesize_apbdes(ctx)),
            checks=CHECKS,
            indicators=INDICATORS,
            pages=PAGES,
            alert_rules=ALERT_RULES,
            datasets=DATASETS,
        )
    ]
