"""Digital Services Living Lab: SPBE self-assessment with evidence, the index per PermenPANRB 59/2020,
benchmarking across regions ("studi tiru"), a what-if planner and a catalog of replicable applications.

The instrument is data (data/spbe-2020.toml); assessments live in the app database (store.py);
the CLI (`madangan spbe …`) and pages (/living-lab) are this package's own.
"""

from __future__ import annotations

from madangan.hookspecs import hookimpl
from madangan.sector import NavLink, Sector


@hookimpl
def madangan_sectors():
    return [Sector(name="spbe", title={"id": "SPBE / Living Lab Layanan Digital", "en": "SPBE / Digital Services Living Lab"},
                   nav=(NavLink("/living-lab", {"id": "Living Lab", "en": "Living Lab"}, "aggregates", order=20),))]
