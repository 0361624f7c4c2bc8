"""Budget verval: realization above allocation, negative amounts; for village budgets (APBDes) also spending
above its allocation per bidang and an account code of the wrong kind (a 5.x spending code on a revenue line)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from madangan.plugins import contracts
from madangan.verval import Check, CheckContext, Tables
from madangan.verval.identity import record_key

#: source → its money columns
AMOUNTS = {"anggaran": ("pagu",), "realisasi": ("rencana", "realisasi"), "pendapatan": ("target", "realisasi"),
           "apbdes": ("anggaran", "realisasi")}
#: sources whose rows belong to one desa: their findings name it, so the village sees its own
VILLAGE = {"apbdes"}
#: APBDes kind → the first segment of its account codes (Permendagri 20/2018: 4 pendapatan, 5 belanja)
APBDES_PREFIX = {"PENDAPATAN": "4", "BELANJA": "5"}


def _above_allocation(tables: Tables, ctx: CheckContext) -> ir.Table:
    a, r = tables["anggaran"], tables["realisasi"]
    spent = r.group_by("tahun", "kode_unit", "kode_sub_kegiatan").agg(realisasi=r.realisasi.fill_null(0).sum())
    j = a.inner_join(spent, ["tahun", "kode_unit", "kode_sub_kegiatan"])
    over = j.filter(j.realisasi > j.pagu)
    return over.select(record_key=record_key(over, contracts()["anggaran"]), kode_desa=ibis.null("string"),
                       opd=over.opd, sub_kegiatan=over.sub_kegiatan, pagu=over.pagu, realisasi=over.realisasi)


def _negative(source: str, columns: tuple[str, ...]) -> Check:
    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t = tables[source]
        negative = ibis.or_(*(t[c].fill_null(0) < 0 for c in columns))
        bad = t.filter(negative)
        desa = bad.kode_desa if source in VILLAGE else ibis.null("string")
        return bad.select(record_key=record_key(bad, contracts()[source]), kode_desa=desa,
                          kolom=ibis.literal(", ".join(columns)), **{c: bad[c] for c in columns})

    return Check(
        rule="nilai_negatif", source=source, severity="error",
        title={"id": "Nilai uang negatif", "en": "Negative amount"},
        message={"id": "Baris ini berisi nilai uang negatif ({kolom}). Koreksi pembukuan dicatat sebagai baris tersendiri, bukan angka negatif.",
                 "en": "This row holds a negative amount ({kolom}). Book corrections as their own rows, not negative figures."},
        find=find,
    )


def _apbdes_above_allocation(tables: Tables, ctx: CheckContext) -> ir.Table:
    """Spending lines (BELANJA) whose realization exceeds their allocation. Revenue above its target is not an
    error (a village's own revenue often beats its estimate), so revenue lines are left alone."""
    t = tables["apbdes"]
    over = t.filter((t.jenis == "BELANJA") & (t.realisasi > t.anggaran))
    return over.select(record_key=record_key(over, contracts()["apbdes"]), kode_desa=over.kode_desa,
                       kode_rekening=over.kode_rekening, uraian=over.uraian, anggaran=over.anggaran,
                       realisasi=over.realisasi)


def _apbdes_code_kind(tables: Tables, ctx: CheckContext) -> ir.Table:
    """Lines whose account code does not belong to their kind: revenue codes start with 4, spending (bidang)
    codes with 5."""
    t = tables["apbdes"]
    head = t.kode_rekening.strip().split(".")[0]
    expected = t.jenis.cases(*APBDES_PREFIX.items(), else_=ibis.null("string"))
    bad = t.filter(expected.notnull() & (head != expected))
    return bad.select(record_key=record_key(bad, contracts()["apbdes"]), kode_desa=bad.kode_desa,
                      kode_rekening=bad.kode_rekening, jenis=bad.jenis, uraian=bad.uraian,
                      awalan=bad.jenis.cases(*APBDES_PREFIX.items(), else_=ibis.null("string")))


CHECKS = (
    Check(
        rule="realisasi_melebihi_pagu", source="anggaran", severity="error",
        title={"id": "Realisasi melebihi pagu", "en": "Spending above allocation"},
        message={"id": "{opd} — {sub_kegiatan}: realisasi Rp{realisasi} melebihi pagu Rp{pagu}. Periksa SP2D yang tercatat ganda atau pergeseran anggaran yang belum dicatat.",
                 "en": "{opd} — {sub_kegiatan}: spending Rp{realisasi} exceeds the allocation Rp{pagu}. Look for SP2D booked twice or an unrecorded budget shift."},
        find=_above_allocation, needs=("realisasi",),
    ),
    *(_negative(source, columns) for source, columns in AMOUNTS.items()),
    Check(
        rule="realisasi_apbdes_melebihi_anggaran", source="apbdes", severity="error",
        title={"id": "Realisasi belanja desa melebihi anggaran", "en": "Village spending above its allocation"},
        message={"id": "Belanja {kode_rekening} {uraian}: realisasi Rp{realisasi} melebihi anggaran Rp{anggaran}. "
                       "Periksa pencatatan ganda atau perubahan APBDes yang belum dimasukkan.",
                 "en": "Spending {kode_rekening} {uraian}: realization Rp{realisasi} exceeds the allocation Rp{anggaran}. "
                       "Look for entries booked twice or an APBDes amendment not yet entered."},
        find=_apbdes_above_allocation,
    ),
    Check(
        rule="kode_rekening_tidak_sesuai_jenis", source="apbdes", severity="error",
        title={"id": "Kode rekening tidak sesuai jenis", "en": "Account code does not match the line's kind"},
        message={"id": "Baris {jenis} memakai kode rekening {kode_rekening} ({uraian}); kode {jenis} harus diawali {awalan} "
                       "(Permendagri 20/2018: 4 pendapatan, 5 belanja).",
                 "en": "A {jenis} line uses account code {kode_rekening} ({uraian}); {jenis} codes start with {awalan} "
                       "(Permendagri 20/2018: 4 revenue, 5 spending)."},
        find=_apbdes_code_kind,
    ),
)
