"""Public-services verval: dates that cannot be."""

from __future__ import annotations

import ibis.expr.types as ir

from madangan.verval import Check, CheckContext, Tables


def _finished_before(source: str, key: str, start: str):
    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t = tables[source]
        bad = t.filter(t.tanggal_selesai.notnull() & (t.tanggal_selesai < t[start]))
        return bad.select(record_key=bad[key], kode_desa=bad.kode_desa, mulai=bad[start].cast("string"),
                          selesai=bad.tanggal_selesai.cast("string"))

    return Check(
        rule="selesai_sebelum_diajukan", source=source, severity="error",
        title={"id": "Selesai sebelum diajukan", "en": "Finished before submitted"},
        message={"id": "Tanggal selesai {selesai} lebih awal dari tanggal masuk {mulai}. Perbaiki tanggal di aplikasi layanan.",
                 "en": "Finished on {selesai}, before it was submitted on {mulai}. Fix the dates in the service application."},
        find=find,
    )


CHECKS = (
    _finished_before("layanan", "no_registrasi", "tanggal_diajukan"),
    _finished_before("pengaduan", "id_pengaduan", "tanggal_masuk"),
)
