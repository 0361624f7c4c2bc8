"""Ingest: agency files and API pushes into the warehouse — validated, idempotent, atomic."""
