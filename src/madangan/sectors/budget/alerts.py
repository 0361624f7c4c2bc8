"""Budget early warning: an agency (OPD) whose spending is behind its cash plan."""

from __future__ import annotations

import ibis
from ibis import _

from madangan.alerts import AlertRule


def _behind_plan(tables, ctx):
    """Per OPD unit, in the latest fiscal year: cumulative realization against the cumulative cash plan through the
    latest reported month;
    behind by more than `tertinggal_poin` points from month `bulan_mulai` on."""
    r = tables["realisasi"]
    r = r.filter(r.tahun == r.tahun.max().as_scalar())  # the current fiscal year: the latest loaded
    units = tables["anggaran"].group_by("kode_unit").agg(opd=_.opd.arbitrary())
    reported = r.filter(r.realisasi.notnull())
    latest = reported.agg(terakhir=reported.bulan.max())
    upto = r.cross_join(latest)
    upto = upto.filter(upto.bulan <= upto.terakhir)
    per = upto.group_by("kode_unit").agg(rencana=upto.rencana.sum(), realisasi=upto.realisasi.fill_null(0).sum(),
                                         bulan=upto.terakhir.max())
    per = per.filter(per.rencana > 0)
    pct = per.realisasi / per.rencana * 100
    per = per.mutate(persen=pct.round(1), tertinggal=(100 - pct).round(1))
    per = per.filter((per.tertinggal > ctx.params["tertinggal_poin"]) & (per.bulan >= ctx.params["bulan_mulai"]))
    per = per.left_join(units, "kode_unit")
    return per.select(subject=per.kode_unit, kode_wilayah=ibis.literal(ctx.region_code or None, type="string"),
                      value=per.persen.cast("float64"), opd=per.opd.fill_null(per.kode_unit), bulan=per.bulan,
                      persen=per.persen, tertinggal=per.tertinggal, rencana=per.rencana, realisasi=per.realisasi)


ALERT_RULES = (
    AlertRule(
        id="belanja_opd_tertinggal", sector="budget", kind="place", severity="sedang", agency="BPKAD",
        title={"id": "Realisasi belanja OPD tertinggal dari anggaran kas", "en": "Agency spending behind its cash plan"},
        message={"id": "{opd}: realisasi s.d. bulan {bulan} baru {persen} % dari anggaran kas (tertinggal {tertinggal} poin).",
                 "en": "{opd}: spending through month {bulan} is {persen} % of its cash plan ({tertinggal} points behind)."},
        sources=("anggaran", "realisasi"), compute=_behind_plan,
        params={"tertinggal_poin": 20.0, "bulan_mulai": 3}, sla_hours=168.0,
    ),
)
