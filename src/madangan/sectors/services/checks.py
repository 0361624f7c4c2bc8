"""Public-services verval: dates that cannot be; satisfaction scores above their survey's declared scale."""

from __future__ import annotations

import ibis
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


def _score_above_scale(tables: Tables, ctx: CheckContext) -> ir.Table:
    from madangan.sectors.services.indicators import declared_scale

    t = tables["layanan"]
    if "nilai_kepuasan" not in t.columns:  # an export without the survey
        t = t.mutate(nilai_kepuasan=ibis.null("int64"))
    t = t.mutate(skala=declared_scale(t))
    bad = t.filter(t.nilai_kepuasan.notnull() & (t.nilai_kepuasan > t.skala))
    return bad.select(record_key=bad.no_registrasi, kode_desa=bad.kode_desa, nilai=bad.nilai_kepuasan,
                      skala=bad.skala)


CHECKS = (
    _finished_before("layanan", "no_registrasi", "tanggal_diajukan"),
    _finished_before("pengaduan", "id_pengaduan", "tanggal_masuk"),
    Check(
        rule="nilai_kepuasan_di_luar_skala", source="layanan", severity="error",
        title={"id": "Nilai kepuasan di luar skala survei", "en": "Satisfaction score outside its survey's scale"},
        message={"id": "Nilai Kepuasan {nilai} melebihi skala 1–{skala}; nilai ini tidak dihitung dalam IKM. Bila survei "
                       "layanan ini memakai skala 1–5, isi kolom skala_kepuasan (Skala Survei Kepuasan) = 5; bila tidak, "
                       "perbaiki nilainya (skala nasional PermenPANRB 14/2017 adalah 1–4).",
                 "en": "Satisfaction score {nilai} exceeds the 1–{skala} scale and is left out of the IKM. If this service's "
                       "survey uses 1–5, set the skala_kepuasan column (Skala Survei Kepuasan) to 5; otherwise fix the "
                       "score (the national scale of PermenPANRB 14/2017 is 1–4)."},
        find=_score_above_scale,
    ),
)
