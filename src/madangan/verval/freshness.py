"""Freshness: a source not updated within the interval its agency is expected to send it."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from madangan.contracts import Contract
from madangan.verval.checks import Check, CheckContext, Tables

BATCHES = "_batch"  # the ingest batch log (madangan.ingest.store)


def stale_source(contract: Contract) -> Check:
    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        b = tables[BATCHES]
        last = b.filter((b.source == contract.name) & (b.status == "committed")).agg(terakhir=b.committed_at.max())
        last = last.mutate(umur_hari=ibis.literal(ctx.today).delta(last.terakhir.date(), unit="day"))
        stale = last.filter(last.umur_hari > contract.update_every_days)
        return stale.select(
            record_key=ibis.literal(contract.name), kode_desa=ibis.null("string"),
            terakhir=stale.terakhir.date().cast("string"), umur_hari=stale.umur_hari,
            batas_hari=ibis.literal(contract.update_every_days),
        )

    return Check(
        rule="sumber_kedaluwarsa", source=contract.name, severity="warning",
        title={"id": "Sumber data tidak diperbarui", "en": "Source not updated"},
        message={"id": "Data terakhir dikirim {terakhir} ({umur_hari} hari lalu); seharusnya paling lambat tiap {batas_hari} hari. Minta OPD pemilik mengirim data terbaru.",
                 "en": "Last sent on {terakhir} ({umur_hari} days ago); it is due every {batas_hari} days. Ask the owning agency for a fresh export."},
        find=find, needs=(BATCHES,),
    )


def freshness_checks(contracts: dict[str, Contract]) -> list[Check]:
    return [stale_source(c) for c in contracts.values() if c.update_every_days]
