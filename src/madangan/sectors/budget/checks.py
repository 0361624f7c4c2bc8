"""Budget verval: realization above allocation, negative amounts."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from madangan.plugins import contracts
from madangan.verval import Check, CheckContext, Tables
from madangan.verval.identity import record_key

#: source → its money columns
AMOUNTS = {"anggaran": ("pagu",), "realisasi": ("rencana", "realisasi"), "pendapatan": ("target", "realisasi")}


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
        return bad.select(record_key=record_key(bad, contracts()[source]), kode_desa=ibis.null("string"),
                          kolom=ibis.literal(", ".join(columns)), **{c: bad[c] for c in columns})

    return Check(
        rule="nilai_negatif", source=source, severity="error",
        title={"id": "Nilai uang negatif", "en": "Negative amount"},
        message={"id": "Baris ini berisi nilai uang negatif ({kolom}). Koreksi pembukuan dicatat sebagai baris tersendiri, bukan angka negatif.",
                 "en": "This row holds a negative amount ({kolom}). Book corrections as their own rows, not negative figures."},
        find=find,
    )


CHECKS = (
    Check(
        rule="realisasi_melebihi_pagu", source="anggaran", severity="error",
        title={"id": "Realisasi melebihi pagu", "en": "Spending above allocation"},
        message={"id": "{opd} — {sub_kegiatan}: realisasi Rp{realisasi} melebihi pagu Rp{pagu}. Periksa SP2D yang tercatat ganda atau pergeseran anggaran yang belum dicatat.",
                 "en": "{opd} — {sub_kegiatan}: spending Rp{realisasi} exceeds the allocation Rp{pagu}. Look for SP2D booked twice or an unrecorded budget shift."},
        find=_above_allocation, needs=("realisasi",),
    ),
    *(_negative(source, columns) for source, columns in AMOUNTS.items()),
)
