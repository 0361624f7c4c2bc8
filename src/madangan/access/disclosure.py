"""Statistical disclosure control for public outputs: small cells are suppressed.

A public figure built on fewer than `MIN_CELL` people (1–4; zero is no person and stays) could
point at someone in a small village ("the two stunted children of Desa X"). Every public output
(portal pages, CKAN API, DCAT downloads, publications) passes its rows through `suppress`:

- a count of people between 1 and `MIN_CELL` − 1 is blanked;
- so is every rate built on such a count (its numerator, its denominator, or the complement
  denominator − numerator, which is a count of people too: "48 of 50 receive aid" names the 2);
- the row keeps a flag column `disensor` (True) so a reader sees why the cell is empty.

Which counts are people is declared per indicator (`Indicator.disclosure`):
``"counts"`` numerator and denominator count people (or their records); ``"denominator"`` only the
denominator does (IKM: a sum of scores over respondents); ``"none"`` money (the budget).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

MIN_CELL = 5
FLAG = "disensor"
KINDS = ("counts", "denominator", "none")


def small(count: pl.Expr) -> pl.Expr:
    """True where `count` is a small cell: 1 ≤ count < MIN_CELL (null and 0 are not)."""
    return ((count > 0) & (count < MIN_CELL)).fill_null(False)


def suppress(frame: pl.DataFrame, kind: str = "counts", numerator: str = "numerator",
             denominator: str = "denominator", derived: Iterable[str] = ("value",),
             counts: Iterable[str] = ()) -> pl.DataFrame:
    """Blank small cells of `frame` and everything derived from them; add the `disensor` flag.

    `numerator`/`denominator`: the counts a rate is built on (columns may be absent);
    `derived`: columns computed from them (the rate, a status colour);
    `counts`: further standalone people counts in the row (each suppressed with the whole row's figures)."""
    if kind not in KINDS:
        raise ValueError(f"unknown disclosure kind {kind!r}; one of {KINDS}")
    columns = set(frame.columns)
    hide = pl.col(FLAG) if FLAG in columns else pl.lit(False)  # an earlier pass over the same rows
    if kind != "none":
        if denominator in columns:
            hide = hide | small(pl.col(denominator))
        if kind == "counts" and numerator in columns:
            hide = hide | small(pl.col(numerator))
            if denominator in columns:
                hide = hide | small(pl.col(denominator) - pl.col(numerator))
    for name in counts:
        if name in columns:
            hide = hide | small(pl.col(name))
    frame = frame.with_columns(hide.alias(FLAG))
    blank = [c for c in (numerator, denominator, *derived, *counts) if c in columns]
    return frame.with_columns(
        [pl.when(pl.col(FLAG)).then(None).otherwise(pl.col(c)).alias(c) for c in blank])
