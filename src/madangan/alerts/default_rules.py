"""The platform's own rule, registered through the same hook a plugin would use: a source not updated
within the interval its contract expects (`Contract.update_every_days`) — for every sector alike."""

from __future__ import annotations

import ibis

from madangan.alerts import AlertRule
from madangan.hookspecs import hookimpl

BATCHES = "_batch"


def _stale(tables, ctx):
    from madangan.plugins import contracts

    intervals = {name: c.update_every_days for name, c in contracts().items() if c.update_every_days}
    extra = float(ctx.params.get("toleransi_hari") or 0)
    b = tables[BATCHES]
    last = b.filter(b.status == "committed").group_by("source").agg(terakhir=b.committed_at.max())
    interval = ibis.literal(None, type="int64")
    for name, days in intervals.items():
        interval = ibis.ifelse(last.source == name, ibis.literal(days), interval)
    age = ibis.literal(ctx.today).delta(last.terakhir.date(), unit="day")
    last = last.mutate(umur_hari=age, batas_hari=interval)
    stale = last.filter(last.batas_hari.notnull() & (last.umur_hari > last.batas_hari + extra))
    return stale.select(subject=stale.source, kode_wilayah=ibis.literal(ctx.region_code or None, type="string"),
                        value=stale.umur_hari.cast("float64"), sumber=stale.source,
                        terakhir=stale.terakhir.date().cast("string"), umur_hari=stale.umur_hari,
                        batas_hari=stale.batas_hari)


STALE_SOURCE = AlertRule(
    id="sumber_basi", sector="platform", kind="place", severity="rendah", agency="Diskominfo",
    title={"id": "Sumber data tidak diperbarui", "en": "Source not updated"},
    message={"id": "Sumber {sumber} terakhir dikirim {terakhir} ({umur_hari} hari lalu); seharusnya tiap {batas_hari} hari.",
             "en": "Source {sumber} was last sent on {terakhir} ({umur_hari} days ago); it is due every {batas_hari} days."},
    sources=(BATCHES,), compute=_stale, params={"toleransi_hari": 0.0}, sla_hours=72.0,
    subject_label="sumber",  # `[[hambat]] sama = ["sumber"]` mutes the alerts computed from the stale source
)


@hookimpl
def madangan_alert_rules():
    return [STALE_SOURCE]
