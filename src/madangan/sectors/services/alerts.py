"""Public-service early warning: service standard (SLA) compliance below target; the overdue complaint backlog;
an agency's backlog of open service requests growing."""

from __future__ import annotations

import ibis

from madangan.alerts import AlertRule, indicator_rule
from madangan.sectors.services.indicators import backlog, request_months


def _backlog_growing(tables, ctx):
    """Per agency (OPD), the requests still open at each month end (as the `tunggakan_layanan` indicator counts
    them; the latest month: on the latest date in the data). Fires in the latest month when the backlog is at
    least `tunggakan_min` and either rose against the previous month in each of the last `naik_bulan_berturut`
    months, or rose by more than `naik_persen` % against the previous month (from none at all counts as more).
    A month without open requests counts as 0."""
    p = ctx.params
    open_ = backlog(tables)
    per = open_.group_by("opd", "bulan").agg(tunggakan=open_.numerator.sum())
    months = request_months(tables["layanan"]).select("bulan")
    grid = tables["layanan"].select("opd").distinct().cross_join(months)
    g = grid.left_join(per, ["opd", "bulan"]).select(grid.opd, grid.bulan, tunggakan=per.tunggakan.fill_null(0))
    ordered = ibis.window(group_by=g.opd, order_by=g.bulan)
    g = g.mutate(sebelumnya=g.tunggakan.lag().over(ordered))
    rose = (g.tunggakan > g.sebelumnya).fill_null(False)
    index = g.bulan.year() * 12 + g.bulan.month()
    # months since the last month that did not rise (the first month never "rose": it has no previous month)
    last_flat = ibis.ifelse(rose, ibis.null("int64"), index.cast("int64")).max().over(
        ibis.window(group_by=g.opd, order_by=g.bulan, rows=(None, 0)))
    g = g.mutate(naik_bulan=(index - last_flat).cast("int64"),
                 kenaikan_persen=ibis.ifelse(g.sebelumnya > 0,
                                             ((g.tunggakan - g.sebelumnya) / g.sebelumnya * 100).round(1),
                                             ibis.null("float64")))
    latest = g.filter(g.bulan == g.bulan.max().as_scalar())
    jumped = (latest.kenaikan_persen > p["naik_persen"]).fill_null(False) | (
        (latest.sebelumnya == 0) & (latest.tunggakan > 0))
    hit = latest.filter((latest.tunggakan >= p["tunggakan_min"])
                        & ((latest.naik_bulan >= p["naik_bulan_berturut"]) | jumped))
    return hit.select(subject=hit.opd, kode_wilayah=ibis.literal(ctx.region_code or None, type="string"),
                      value=hit.tunggakan.cast("float64"), opd=hit.opd,
                      bulan=hit.bulan.cast("string").substr(0, 7), tunggakan=hit.tunggakan,
                      sebelumnya=hit.sebelumnya.fill_null(0), naik_bulan=hit.naik_bulan,
                      kenaikan_persen=hit.kenaikan_persen)


ALERT_RULES = (
    indicator_rule(
        "sla_layanan_rendah", "services", "kepatuhan_standar_layanan",
        {"id": "Kepatuhan standar waktu layanan di bawah target", "en": "Service-time compliance below target"},
        {"id": "Layanan di {wilayah} selesai tepat waktu hanya {nilai} % pada {bulan}.",
         "en": "Only {nilai} % of services in {wilayah} were finished on time in {bulan}."},
        below=90.0, level="kecamatan", minimum_denominator=10, severity="sedang", agency="Bagian Organisasi Setda",
        sla_hours=168.0,
    ),
    indicator_rule(
        "tunggakan_pengaduan_tinggi", "services", "pengaduan_melewati_batas",
        {"id": "Tunggakan pengaduan melewati batas waktu", "en": "Open complaints past their deadline"},
        {"id": "{nilai} % pengaduan yang masih terbuka di {wilayah} pada {bulan} sudah lebih dari 60 hari.",
         "en": "{nilai} % of the complaints still open in {wilayah} in {bulan} are more than 60 days old."},
        above=25.0, level="kabupaten", minimum_denominator=10, severity="sedang", agency="Diskominfosanditik",
        sla_hours=168.0,
    ),
    AlertRule(
        id="tunggakan_layanan_naik", sector="services", kind="place", severity="sedang",
        agency="Bagian Organisasi Setda",
        title={"id": "Tunggakan permohonan layanan terus bertambah", "en": "Service backlog growing"},
        message={"id": "{opd}: {tunggakan} permohonan belum selesai pada akhir {bulan} (bulan sebelumnya {sebelumnya}); "
                       "tunggakan naik {naik_bulan} bulan berturut-turut. Periksa kapasitas loket dan berkas yang tertahan.",
                 "en": "{opd}: {tunggakan} requests still open at the end of {bulan} ({sebelumnya} the month before); "
                       "the backlog has grown {naik_bulan} months running. Check counter capacity and stalled files."},
        sources=("layanan",), compute=_backlog_growing,
        params={"naik_bulan_berturut": 3, "naik_persen": 50.0, "tunggakan_min": 10}, sla_hours=168.0,
    ),
)
