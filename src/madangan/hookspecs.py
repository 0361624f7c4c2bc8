"""Every extension point of Madangan, in one place (as Datasette does).

A plugin (built-in sector or a regency's own package, found through the
`madangan` entry-point group) implements these with `@hookimpl`.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("madangan")
hookimpl = pluggy.HookimplMarker("madangan")


@hookspec
def madangan_sectors() -> list:
    """Return the `madangan.sector.Sector` objects this plugin brings."""


@hookspec
def madangan_batch_changed(con, change, settings) -> None:
    """A batch was committed or reverted (`madangan.ingest.store.BatchChange`); the warehouse is `con` (Ibis),
    the deployment's `settings` (madangan.config.Settings) say where the rest lives.

    `change.rows` holds the records the batch touched: the versions it wrote and the ones it replaced
    (or, on revert, took out and brought back), with the contract's columns. The indicator engine
    recomputes the desa × months under them; verval re-runs the checks that read the source;
    early-warning rules can listen the same way.
    """


@hookspec
def madangan_alert_rules() -> list:
    """Return early-warning rules (`madangan.alerts.AlertRule`) that belong to no sector (the platform's
    "stale source" rule, a regency's own cross-sector rule). Sectors list theirs in `Sector.alert_rules`."""
