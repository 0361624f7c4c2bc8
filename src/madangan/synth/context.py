"""The state a synthetic regency is built in, shared by the sectors' generators.

Each sector's `synthesize(ctx)` reads what earlier sectors put in `ctx.frames`
(e.g. the population registry) and adds its own sources, plus the errors it
injected to `ctx.truth`. Random streams are per sector, so adding a sector
never changes the data of another.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from madangan.regions import Region, RegionIndex

#: Last day of the synthetic data's reference period (fixed so a seed is reproducible).
REFERENCE_DATE = date(2026, 10, 31)

#: Share of the affected population (rows of the named source) that gets each injected error.
DEFAULT_ERROR_RATES: dict[str, float] = {
    "duplikat_nik_berbeda": 0.004,  # same person twice, different NIK, name variant
    "nik_tanggal_lahir_tidak_cocok": 0.002,  # NIK's date part disagrees with the birth date
    "nik_tidak_valid": 0.001,  # NIK that breaks the 16-digit structure
    "kode_desa_salah": 0.001,  # desa code that does not exist
    "meninggal_menerima_bansos": 0.01,  # of deaths: the deceased still on a program list
    "asn_menerima_bansos": 0.01,  # of civil servants/TNI/Polri/village officials on a list
    "pengukuran_tidak_wajar": 0.002,  # implausible weight/height
    "tinggi_menurun": 0.002,  # height lower than the previous month's
    "realisasi_melebihi_pagu": 0.01,  # of budget lines: realization above allocation
    "hpl_tidak_konsisten": 0.01,  # due date not HPHT + 280 days
    "selesai_sebelum_diajukan": 0.003,  # service finished before it was submitted
}

TRUTH_SCHEMA = {
    "error_kind": pl.String,
    "source": pl.String,
    "record_key": pl.String,
    "related_key": pl.String,
}


@dataclass
class SynthContext:
    regency: Region
    index: RegionIndex
    population: int
    seed: int
    reference_date: date = REFERENCE_DATE
    error_rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_ERROR_RATES))
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    truth: list[pl.DataFrame] = field(default_factory=list)

    def rng(self, stream: str) -> np.random.Generator:
        """An independent, reproducible random stream for one generator step."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    def desa(self) -> pl.DataFrame:
        """The regency's desa/kelurahan: desa_code, desa_name, kecamatan_code, kecamatan_name, kelurahan."""
        rows = self.index.desa_of(self.regency.code)
        return pl.DataFrame(
            {
                "desa_code": [r.code for r in rows],
                "desa_name": [r.name for r in rows],
                "kecamatan_code": [r.parent_code for r in rows],
                "kecamatan_name": [self.index.names[r.parent_code] for r in rows],
                "kelurahan": [r.level == "kelurahan" for r in rows],
            }
        )

    def count(self, kind: str, rows: int) -> int:
        """How many records get error `kind` out of `rows` candidates (at least 1 when rows allow)."""
        rate = self.error_rates.get(kind, 0.0)
        if rate <= 0 or rows == 0:
            return 0
        return max(1, min(rows, round(rows * rate)))

    def inject(self, kind: str, source: str, keys: pl.Series | list, related: pl.Series | list | None = None) -> None:
        """Record injected errors in the ground truth."""
        keys = pl.Series(keys, dtype=pl.String) if not isinstance(keys, pl.Series) else keys.cast(pl.String)
        n = len(keys)
        if n == 0:
            return
        rel = (
            pl.Series(related).cast(pl.String)
            if related is not None
            else pl.Series([None] * n, dtype=pl.String)
        )
        self.truth.append(
            pl.DataFrame(
                {"error_kind": [kind] * n, "source": [source] * n, "record_key": keys, "related_key": rel},
                schema=TRUTH_SCHEMA,
            )
        )

    def truth_keys(self, kind: str) -> set[str]:
        """Record keys of one injected error kind."""
        truth = self.ground_truth()
        return set(truth.filter(pl.col("error_kind") == kind)["record_key"])

    def tainted_keys(self, source: str) -> pl.Series:
        """Keys of `source` records involved in an injected error (either column of the ground truth).

        Other sectors keep these records out of their clean data, so each sector's
        checks are scored only against the errors that sector injects.
        """
        truth = self.ground_truth().filter(pl.col("source") == source)
        return pl.concat([truth["record_key"], truth["related_key"]]).drop_nulls().unique()

    def ground_truth(self) -> pl.DataFrame:
        if not self.truth:
            return pl.DataFrame(schema=TRUTH_SCHEMA)
        return pl.concat(self.truth)
