"""Write a source the way agencies export it: Indonesian headers, CSV or XLSX.

NIK and KK numbers are written as text: Excel keeps only 15 significant
digits of a number, so a 16-digit NIK stored as a number is already broken.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import xlsxwriter

from madangan.contracts import Contract

XLSX_MAX_ROWS = 1_048_575  # one header row + data rows per sheet


def write_source(contract: Contract, frame: pl.DataFrame, out_dir: Path) -> Path:
    path = out_dir / contract.file_name()
    table = frame.select(contract.column_names).rename(contract.headers)
    if contract.export_format == "xlsx":
        _write_xlsx(contract, table, path)
    else:
        table.write_csv(path, date_format="%Y-%m-%d")
    return path


def sheet_name(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Data"


def _write_xlsx(contract: Contract, table: pl.DataFrame, path: Path) -> None:
    if len(table) > XLSX_MAX_ROWS:
        raise ValueError(f"{contract.name}: {len(table)} rows do not fit one sheet; export it as CSV")
    types = {c.header: c.type for c in contract.columns}
    with xlsxwriter.Workbook(path, {"constant_memory": True}) as book:
        sheet = book.add_worksheet(sheet_name(contract.title["id"]))
        bold = book.add_format({"bold": True})
        date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_row(0, 0, table.columns, bold)
        headers = table.columns
        for r, row in enumerate(table.iter_rows(), start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                kind = types[headers[c]]
                if kind == "date":
                    sheet.write_datetime(r, c, value, date_fmt)
                elif kind == "str":
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
