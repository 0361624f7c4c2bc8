"""Helpers every export (CSV/XLSX) uses."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")  # "-5", "+62": a number, not a formula


def neutralise(value):
    """Spreadsheet formula injection: a text cell starting with = + - @ is written as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return "" if value is None else value
