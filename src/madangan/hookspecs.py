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
