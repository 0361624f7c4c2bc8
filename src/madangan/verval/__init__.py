"""Verval (verifikasi dan validasi): checks over every source, findings and worklists, quality scores."""

from madangan.verval import messages  # noqa: F401  (registers verval's texts)
from madangan.verval.checks import Check, CheckContext, Severity, Tables

__all__ = ["Check", "CheckContext", "Severity", "Tables"]
