"""Read an agency file into a table of raw strings named by contract column.

Agencies' exports are messy in known ways; each is handled here and nowhere else:

* CSV with ``,`` ``;`` tab or ``|`` (sniffed from the header line), UTF-8 with or
  without BOM, Windows-1252 when the bytes are not UTF-8 (transcoded chunk by
  chunk to a temporary file, never held as one string), quoted fields with the
  delimiter or line breaks inside, title lines above the header.
* Excel (read with calamine through fastexcel, every cell as text): title rows
  above the header, several sheets, blank rows, a total row at the bottom, a
  two-row header under merged cells, a row of column numbers under the header,
  date cells (→ ``yyyy-mm-dd``).
* JSON (array of objects) and NDJSON/JSONL (one object per line).

Values are only stripped (empty → null); nothing is parsed or repaired: a NIK that
Excel stored as a number comes through as whatever text calamine gives for it, and
the cleaning step decides. Each row carries ``_row`` — the number a person sees
in the file (CSV line, counting the header as line 1 and the first line of a
record that spans lines; Excel row in its sheet; NDJSON line; JSON array
position from 1) — and ``_sheet`` (the Excel sheet, else null).

A CSV larger than memory is read in chunks with `iter_csv_chunks` (polars'
streaming reader): the same header handling and row numbers, chunk after chunk.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, pairwise, zip_longest
from pathlib import Path

import polars as pl

from madangan.contracts import Contract
from madangan.errors import UserError
from madangan.ingest.headers import HeaderMatcher

__all__ = ["CSV_CHUNK_ROWS", "CSV_SUFFIXES", "SUPPORTED_SUFFIXES", "RawTable", "iter_csv_chunks", "read_records",
           "read_source"]

#: How many rows from the top may hold titles before the header.
HEADER_SCAN_ROWS = 20
CSV_DELIMITERS = (",", ";", "\t", "|")
CHUNK = 8 << 20
#: Records per chunk when a CSV is read in chunks (`iter_csv_chunks`): small enough to keep the reader and
#: the cleaning of a chunk to a few hundred MB, large enough that a chunk's accepted rows fill a DuckDB row
#: group (122,880 rows), which DuckDB inserts about twice as fast as a partial one.
CSV_CHUNK_ROWS = 150_000
#: Extra columns read beyond the header to catch rows with too many fields.
_SPARE_COLUMNS = 8

_FORMATS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".ods": "excel",
    ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson",
}
SUPPORTED_SUFFIXES = tuple(_FORMATS)
CSV_SUFFIXES = tuple(suffix for suffix, kind in _FORMATS.items() if kind == "csv")

_TOTAL_RE = r"(?i)^(jumlah|total|grand\s*total|sub\s*-?\s*total)\b"
_EXCEL_MIDNIGHT_RE = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$"
_COLUMN_NUMBER_RE = re.compile(r"^\(?(\d{1,3})\)?\.?$")


@dataclass
class RawTable:
    #: Every column pl.String, named by contract column (only those found), then
    #: ``_row`` (pl.Int64) and ``_sheet`` (pl.String; null for CSV/JSON).
    frame: pl.DataFrame
    #: Contract columns not found in the file.
    missing: list[str]
    #: File headers that matched no contract column (or lost to an earlier header for the same column).
    unmapped: list[str]
    #: Detected text encoding: "utf-8", "utf-8-sig", "cp1252", "utf-16"; None for Excel and in-memory records.
    encoding: str | None
    #: Rows left out because they are not records: {"blank": n, "total": n, "column_numbers": n}.
    dropped: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- entry points


def read_source(path: Path, contract: Contract, mapping: dict[str, str] | None = None) -> RawTable:
    """Read a CSV, Excel, JSON or NDJSON file for ``contract``."""
    path = Path(path)
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UserError(f"Format berkas {path.name} ({path.suffix or 'tanpa ekstensi'}) tidak didukung: "
                        "kirim CSV, XLSX, JSON atau NDJSON.")
    _check_file(path, contract)
    matcher = HeaderMatcher(contract, mapping)
    if kind == "csv":
        return _read_csv(path, contract, matcher)
    if kind == "excel":
        return _read_excel(path, contract, matcher)
    return _read_json_file(path, contract, matcher, ndjson=kind == "ndjson")


def _check_file(path: Path, contract: Contract) -> None:
    if not path.is_file():
        raise UserError(f"Berkas {path} tidak ditemukan: periksa nama dan foldernya.")
    if path.stat().st_size == 0:
        raise _empty(path, contract)


def read_records(records: list[dict], contract: Contract, mapping: dict[str, str] | None = None) -> RawTable:
    """Records pushed as JSON (keys are headers or column names); ``_row`` is the position from 1."""
    return _from_records(records, contract, HeaderMatcher(contract, mapping), None,
                         name="data yang dikirim", subject="Data yang dikirim")


# --------------------------------------------------------------------------- shared steps


@dataclass
class _Header:
    score: int
    first: int  # index of the header's first row among the scanned rows
    last: int  # index of its last row (first + 1 for a two-row header)
    names: list[str | None]
    assigned: dict[int, str]  # position → contract column


def _cell(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _combine(upper: list[str | None], lower: list[str | None], matcher: HeaderMatcher) -> list[str | None]:
    """One header from two rows under merged cells: per cell the text that names a column."""
    filled, last = [], None
    for u in upper:
        last = u if u is not None else last
        filled.append(last)
    names: list[str | None] = []
    for u, lo, f in zip_longest(upper, lower, filled):
        options = [lo, u] + ([f"{f} {lo}", f"{lo} {f}"] if f and lo else [])
        names.append(next((o for o in options if o and matcher.matches(o)), None) or lo or u)
    return names


def _find_header(rows: list[list], matcher: HeaderMatcher) -> _Header | None:
    """The header among the first rows: the row (or pair of rows) that names the most columns; the first on a tie."""
    rows = [[_cell(v) for v in row] for row in rows[: HEADER_SCAN_ROWS + 1]]
    singles = [matcher.assign(row) for row in rows]
    best: _Header | None = None
    for i in range(min(len(rows), HEADER_SCAN_ROWS)):
        candidate = _Header(len(singles[i]), i, i, rows[i], singles[i])
        if i + 1 < len(rows):
            names = _combine(rows[i], rows[i + 1], matcher)
            assigned = matcher.assign(names)
            if len(assigned) > max(len(singles[i]), len(singles[i + 1])):
                candidate = _Header(len(assigned), i, i + 1, names, assigned)
        if candidate.score > (best.score if best else 0):
            best = candidate
    return best


def _is_column_numbering(row: list) -> bool:
    """A row like 1 | 2 | 3 | … or (1) | (2) | … printed under the header of government tables."""
    numbers = []
    for value in row:
        text = _cell(value)
        if text is None:
            continue
        m = _COLUMN_NUMBER_RE.match(text)
        if not m:
            return False
        numbers.append(int(m.group(1)))
    return len(numbers) >= 3 and all(b == a + 1 for a, b in pairwise(numbers))


def _finish(handed: list[pl.DataFrame], header: _Header, rows: pl.Expr, sheet: str | None, contract: Contract,
            *, excel: bool = False) -> tuple[pl.DataFrame, dict[str, int]]:
    """Strip, drop blank and total rows, name the columns, add ``_row``/``_sheet``.

    The raw frame is handed over in a list, so that the last reference to it is
    dropped once it is cleaned: a 1.2 M-row file then peaks at one copy plus
    the cleaned columns, not two copies.
    """
    raw = handed.pop()
    columns = raw.columns
    cleaned = []
    for name in columns:
        # only values that need it are rebuilt: the rest keep sharing the reader's buffers
        value = pl.col(name)
        stripped = value.str.strip_chars()
        value = pl.when(value.str.contains(r"^\s|\s$|^$")).then(
            pl.when(stripped.str.len_bytes() > 0).then(stripped)).otherwise(value)
        if excel:
            value = pl.when(value.str.contains(_EXCEL_MIDNIGHT_RE)).then(
                value.str.replace(_EXCEL_MIDNIGHT_RE, "${1}")).otherwise(value)
        cleaned.append(value.alias(name))
    assigned = dict(sorted(header.assigned.items()))
    mapped = [columns[pos] for pos in assigned if pos < len(columns)]
    keys = [columns[pos] for pos, name in assigned.items() if name in contract.key and pos < len(columns)]
    keys_empty = pl.all_horizontal([pl.col(c).is_null() for c in keys]) if keys else pl.lit(True)
    all_empty = pl.all_horizontal([pl.col(c).is_null() for c in mapped]) if mapped else pl.lit(True)
    first = pl.coalesce([pl.col(c) for c in columns]) if columns else pl.lit(None, pl.String)
    total = keys_empty & first.str.contains(_TOTAL_RE).fill_null(False)
    flag = pl.when(total).then(pl.lit("total")).when(all_empty).then(pl.lit("blank")).otherwise(pl.lit(None))

    order = {name: i for i, name in enumerate(contract.column_names)}
    selected = sorted(((assigned[columns.index(c)], c) for c in mapped), key=lambda t: order[t[0]])
    lazy = raw.lazy()
    del raw
    frame = (
        lazy.with_columns(rows.cast(pl.Int64).alias("__row"))
        .with_columns(cleaned)
        .with_columns(flag.alias("__drop"))
        .collect()
    )
    del lazy
    dropped = {k: v for k, v in frame["__drop"].drop_nulls().value_counts().iter_rows()}
    if dropped:
        frame = frame.filter(pl.col("__drop").is_null())
    frame = frame.select(
        *[pl.col(c).alias(name) for name, c in selected],
        pl.col("__row").alias("_row"),
        pl.lit(sheet, pl.String).alias("_sheet"),
    )
    return frame, dropped


def _assemble(parts: list[tuple[pl.DataFrame, _Header]], dropped: dict[str, int], contract: Contract,
              encoding: str | None) -> RawTable:
    found: set[str] = set()
    unmapped: list[str] = []
    for _, header in parts:
        found.update(header.assigned.values())
        for pos, name in enumerate(header.names):
            if name is not None and pos not in header.assigned and name not in unmapped:
                unmapped.append(name)
    columns = [c for c in contract.column_names if c in found]
    frames = [
        frame.with_columns([pl.lit(None, pl.String).alias(c) for c in columns if c not in frame.columns])
        .select(*columns, "_row", "_sheet")
        for frame, _ in parts
    ]
    frame = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    return RawTable(
        frame=frame,
        missing=[c for c in contract.column_names if c not in found],
        unmapped=unmapped,
        encoding=encoding,
        dropped={k: v for k, v in dropped.items() if v},
    )


def _add(total: dict[str, int], more: dict[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value


def _empty(path: Path, contract: Contract) -> UserError:
    return UserError(f"Berkas {path.name} kosong: ekspor ulang data {contract.title.get('id', contract.name)} "
                     "dari aplikasi sumbernya lalu kirim lagi.")


def _no_header(name: str, contract: Contract, where: str) -> UserError:
    expected = ", ".join(c.header for c in contract.columns)
    return UserError(f"Judul kolom di {name} tidak cocok dengan sumber '{contract.name}': tidak ada {where} yang "
                     f"memuat kolom yang diharapkan ({expected}); perbaiki judul kolomnya atau pakai --mapping.")


# --------------------------------------------------------------------------- CSV


def _sniff_encoding(path: Path) -> tuple[str, bool, bool]:
    """(encoding, has a quote character, has any non-blank byte), in one streaming pass."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid, quoted, content = True, False, False
    with path.open("rb") as f:
        head = f.read(3)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode Text"
            return "utf-16", True, bool(head[2:].strip(b"\x00 \t\r\n") or f.read(CHUNK).strip(b"\x00 \t\r\n"))
        bom = head == codecs.BOM_UTF8
        f.seek(len(codecs.BOM_UTF8) if bom else 0)
        while chunk := f.read(CHUNK):
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
            quoted = quoted or b'"' in chunk
            content = content or bool(chunk.strip())
        if valid:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                valid = False
    if not valid:
        return "cp1252", quoted, content
    return ("utf-8-sig" if bom else "utf-8"), quoted, content


def _cp1252_undefined(err: UnicodeDecodeError):
    # five bytes have no cp1252 character; keep them as their Latin-1 code points
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("madangan-cp1252", _cp1252_undefined)


def _transcode(path: Path, encoding: str) -> Path:
    """Windows-1252 or UTF-16 → UTF-8 into a temporary file, chunk by chunk."""
    fd, name = tempfile.mkstemp(prefix="madangan-", suffix=".csv")
    errors = "madangan-cp1252" if encoding == "cp1252" else "replace"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    with path.open("rb") as src, os.fdopen(fd, "wb") as out:
        while chunk := src.read(CHUNK):
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return Path(name)


def _csv_records(text: str, delimiter: str, limit: int) -> list[tuple[list[str], int, int]]:
    """The first records of ``text`` with the line numbers (from 1) they start and end on."""
    lines = [line + "\n" for line in text.split("\n")]
    reader = csv.reader(iter(lines), delimiter=delimiter, quotechar='"')
    out: list[tuple[list[str], int, int]] = []
    previous = 0
    try:
        for fields in reader:
            out.append((fields, previous + 1, reader.line_num))
            previous = reader.line_num
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


@dataclass
class _CsvLayout:
    """How to parse one CSV file below its header, and the row numbers of what is read, chunk after chunk."""

    name: str  # the file's name, for messages
    source: Path  # the file to parse: the original, or its UTF-8 copy when it was cp1252 / UTF-16
    encoding: str
    quoted: bool  # has a quote character anywhere, so a value may hold a line break
    delimiter: str
    header: _Header
    header_end_line: int  # the file line the header ends on (title lines and a two-row header included)
    next_line: int = 0  # the line the next record starts on; carried from one chunk to the next
    first: bool = True  # no record read yet: the next one may be a row of column numbers

    def read_options(self) -> dict:
        """Options for polars' CSV readers: every column text, a few spare columns to catch ragged lines."""
        # trailing delimiters leave empty headers; keep them so the columns line up
        width = len(self.header.names) + _SPARE_COLUMNS
        return {"has_header": False, "separator": self.delimiter, "quote_char": '"',
                "skip_lines": self.header_end_line, "schema": {f"c{i}": pl.String for i in range(width)},
                "infer_schema": False, "truncate_ragged_lines": True, "raise_if_empty": False,
                "missing_columns": "insert"}

    def unreadable(self, exc: Exception) -> UserError:
        return UserError(f"Berkas {self.name} tidak bisa dibaca sebagai CSV ({str(exc).splitlines()[0]}): "
                         "periksa tanda kutipnya atau simpan ulang dari Excel sebagai CSV UTF-8.")

    def table(self, handed: list[pl.DataFrame], contract: Contract) -> RawTable:
        """The next records read (handed over in a list, see `_finish`) as a RawTable numbered by file line."""
        raw = handed.pop()
        width = len(self.header.names)
        rows = self.next_line + pl.int_range(pl.len())
        breaks_total = 0
        if self.quoted and len(raw):
            # a record spanning lines moves every later record down by its line breaks
            breaks = pl.sum_horizontal(
                [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in raw.columns[:width]])
            rows = rows + breaks.cum_sum().shift(1, fill_value=0)
            breaks_total = raw.select(breaks.sum()).item()
        spare = raw.columns[width:]
        if spare and len(raw):
            ragged = raw.lazy().with_columns(rows.alias("__row")).filter(
                pl.any_horizontal([pl.col(c).str.strip_chars().str.len_bytes() > 0 for c in spare])
            ).select("__row").head(5).collect()["__row"].to_list()
            if ragged:
                lines = ", ".join(str(n) for n in ragged)
                shown = "tab" if self.delimiter == "\t" else f"'{self.delimiter}'"
                raise UserError(
                    f"Berkas {self.name} baris {lines}: lebih banyak kolom daripada judulnya (biasanya {shown} di "
                    "dalam nilai tanpa tanda kutip); beri tanda kutip pada nilai itu atau simpan ulang dari Excel.")
        raw = raw.select(raw.columns[:width])
        self.next_line += len(raw) + breaks_total
        numbering = self.first and len(raw) > 0 and _is_column_numbering(list(raw.row(0)))
        self.first = self.first and len(raw) == 0
        if numbering:
            handed = [raw.slice(1)]
            del raw
            frame, dropped = _finish(handed, self.header, rows + 1, None, contract)
            dropped["column_numbers"] = 1
        else:
            handed = [raw]
            del raw
            frame, dropped = _finish(handed, self.header, rows, None, contract)
        return _assemble([(frame, self.header)], dropped, contract, self.encoding)


@contextmanager
def _csv_layout(path: Path, contract: Contract, matcher: HeaderMatcher) -> Iterator[_CsvLayout]:
    """Sniff encoding and delimiter, find the header below any title lines; UTF-8 copy removed on exit."""
    encoding, quoted, content = _sniff_encoding(path)
    if not content:
        raise _empty(path, contract)
    source, temporary = path, None
    if encoding in ("cp1252", "utf-16"):
        source = temporary = _transcode(path, encoding)
    try:
        with source.open("rb") as f:
            prefix = f.read(1 << 20)
        text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(prefix)
        if len(prefix) == 1 << 20 and "\n" in text:
            text = text[: text.rindex("\n")]  # the last line may be cut short
        best: tuple[tuple[int, int], str, _Header, list] | None = None
        for delimiter in CSV_DELIMITERS:
            records = _csv_records(text, delimiter, HEADER_SCAN_ROWS + 1)
            header = _find_header([r[0] for r in records], matcher)
            if header is None:
                continue
            rank = (header.score, len(header.names))
            if best is None or rank > best[0]:
                best = (rank, delimiter, header, records)
        if best is None:
            raise _no_header(path.name, contract, "baris judul")
        _, delimiter, header, records = best
        header_end_line = records[header.last][2]
        yield _CsvLayout(path.name, source, encoding, quoted, delimiter, header, header_end_line,
                         next_line=header_end_line + 1)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _read_csv(path: Path, contract: Contract, matcher: HeaderMatcher) -> RawTable:
    with _csv_layout(path, contract, matcher) as layout:
        try:
            handed = [pl.read_csv(layout.source, **layout.read_options())]
        except pl.exceptions.PolarsError as exc:
            raise layout.unreadable(exc) from None
        return layout.table(handed, contract)


def iter_csv_chunks(path: Path, contract: Contract, mapping: dict[str, str] | None = None,
                    chunk_rows: int = CSV_CHUNK_ROWS) -> Iterator[RawTable]:
    """A CSV file as consecutive RawTables of at most ``chunk_rows`` records each, for files larger than memory.

    Read with polars' streaming engine, so only a chunk or two are in memory at a time. Together the chunks
    are exactly what `read_source` gives for the file: the same header handling and the same ``_row``
    numbers (carried across chunks, records spanning lines included); at least one table is given, even
    when the file has no records. A row with too many fields is refused when its chunk is read.
    """
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    _check_file(path, contract)
    if _FORMATS.get(path.suffix.lower()) != "csv":
        raise UserError(f"Berkas {path.name} bukan CSV: hanya CSV yang dibaca per bagian.")
    with _csv_layout(path, contract, HeaderMatcher(contract, mapping)) as layout:
        batches = pl.scan_csv(layout.source, **layout.read_options()).collect_batches(chunk_size=chunk_rows,
                                                                                      lazy=True)
        given = False
        while True:
            try:
                handed = [next(batches)]
            except StopIteration:
                break
            except pl.exceptions.PolarsError as exc:
                raise layout.unreadable(exc) from None
            if handed[0].height == 0 and given:
                continue
            given = True
            yield layout.table(handed, contract)
        if not given:
            yield layout.table([pl.DataFrame(schema=layout.read_options()["schema"])], contract)


# --------------------------------------------------------------------------- Excel


def _read_excel(path: Path, contract: Contract, matcher: HeaderMatcher) -> RawTable:
    import fastexcel

    with path.open("rb") as f:
        head = f.read(512)
    if not head.startswith((b"PK", b"\xd0\xcf\x11\xe0")):  # zip (xlsx, ods) or OLE (xls)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _read_csv(path, contract, matcher)  # Excel's "Unicode Text" under an .xls name
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if text.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta", b"<head")):
            raise UserError(f"Berkas {path.name} sebenarnya halaman HTML/XML, bukan buku kerja Excel: buka di Excel "
                            "lalu simpan ulang sebagai .xlsx (atau kirim sebagai CSV).")
        if b"\x00" not in head:
            # many applications export text with tabs or semicolons under an .xls name: read it as the text it is
            return _read_csv(path, contract, matcher)
        raise UserError(f"Berkas {path.name} bukan buku kerja Excel (isinya tidak dikenali): buka di Excel lalu "
                        "simpan ulang sebagai .xlsx.")
    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except Exception as exc:  # noqa: BLE001 — calamine reports broken zips, XML and OLE in several ways
        raise UserError(f"Berkas {path.name} rusak atau tidak bisa dibaca sebagai Excel "
                        f"({str(exc).splitlines()[0][:120]}): buka di Excel lalu simpan ulang sebagai .xlsx.") from None

    found: list[tuple[str, pl.DataFrame, _Header]] = []
    any_cells = False
    for name in names:
        try:
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            df = sheet.to_polars()
        except Exception as exc:  # noqa: BLE001 — as above, for one sheet
            raise UserError(f"Lembar '{name}' di {path.name} tidak bisa dibaca ({str(exc).splitlines()[0][:120]}): "
                            "buka di Excel lalu simpan ulang sebagai .xlsx.") from None
        if df.width == 0 or df.height == 0:
            continue
        df = df.rename(dict(zip(df.columns, [f"c{i}" for i in range(df.width)])))
        any_cells = True
        header = _find_header(df.head(HEADER_SCAN_ROWS + 1).rows(), matcher)
        if header is not None:
            found.append((name, df, header))
    if not any_cells:
        raise _empty(path, contract)
    if not found:
        raise _no_header(path.name, contract, "lembar dengan baris judul")
    best = max(h.score for _, _, h in found)
    parts, dropped = [], {}
    for name, df, header in found:
        if header.score * 2 < best:  # a summary or notes sheet that shares a word or two with the header
            continue
        start = header.last + 1  # index of the first data row; Excel row = index + 1
        data = df.slice(start)
        if len(data) and _is_column_numbering(list(data.row(0))):
            data, start = data.slice(1), start + 1
            _add(dropped, {"column_numbers": 1})
        frame, more = _finish([data], header, pl.int_range(pl.len()) + start + 1, name, contract, excel=True)
        _add(dropped, more)
        parts.append((frame, header))
    return _assemble(parts, dropped, contract, None)


# --------------------------------------------------------------------------- JSON


def _decode(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        return (text[1:], "utf-8-sig") if text.startswith("\ufeff") else (text, "utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="madangan-cp1252"), "cp1252"


def _read_json_file(path: Path, contract: Contract, matcher: HeaderMatcher, *, ndjson: bool) -> RawTable:
    text, encoding = _decode(path)
    if not text.strip():
        raise _empty(path, contract)
    if ndjson:
        numbered = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        rows = [n for n, _ in numbered]
        try:  # one parse for the whole file; line by line only to find a bad line
            records = json.loads("[" + ",".join(line for _, line in numbered) + "]")
            bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None) \
                if len(records) == len(numbered) else 0
        except json.JSONDecodeError:
            records, bad = None, None
        if records is None or bad is not None:
            for number, line in numbered:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UserError(f"Berkas {path.name} baris {number} bukan JSON yang sah ({exc.msg}): "
                                    "tulis satu objek JSON per baris.") from None
                if not isinstance(record, dict):
                    raise UserError(f"Berkas {path.name} baris {number} bukan objek JSON: tulis satu objek "
                                    '{"kolom": "nilai", ...} per baris.')
    else:
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"Berkas {path.name} bukan JSON yang sah (baris {exc.lineno}: {exc.msg}): "
                            "periksa isinya atau ekspor ulang.") from None
        rows = None
        if not isinstance(records, list):
            raise UserError(f"Berkas {path.name} harus berisi larik objek JSON: "
                            '[{"kolom": "nilai", ...}, ...].')
    return _from_records(records, contract, matcher, encoding, name=path.name, subject=f"Berkas {path.name}", rows=rows)


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _column(records: list[dict], key) -> list[str | None]:
    values = [r.get(key) for r in records]
    if set(map(type, values)) <= {str, type(None)}:
        return values
    return [_text(v) for v in values]


def _from_records(records, contract: Contract, matcher: HeaderMatcher, encoding: str | None, *, name: str,
                  subject: str, rows: list[int] | None = None) -> RawTable:
    if not isinstance(records, list):
        raise UserError(f"{subject} harus larik objek JSON: " + '[{"kolom": "nilai", ...}, ...].')
    if not records:
        raise UserError(f"{subject} tidak berisi rekaman: kirim minimal satu objek.")
    if set(map(type, records)) != {dict}:
        number = next(n for n, r in enumerate(records, start=1) if not isinstance(r, dict))
        raise UserError(f"{subject}: rekaman ke-{number} bukan objek JSON; "
                        'kirim larik objek [{"kolom": "nilai", ...}].')
    names = list(dict.fromkeys(chain.from_iterable(records)))  # every key, in the order first seen
    assigned = matcher.assign([str(k) for k in names])
    if not assigned:
        raise _no_header(name, contract, "kunci rekaman")
    positions = sorted(assigned)
    raw = pl.DataFrame(
        {f"c{i}": _column(records, names[pos]) for i, pos in enumerate(positions)},
        schema={f"c{i}": pl.String for i in range(len(positions))},
    )
    header = _Header(len(assigned), 0, 0, [str(n) for n in names], assigned)
    local = _Header(header.score, 0, 0, [str(names[p]) for p in positions],
                    {i: assigned[p] for i, p in enumerate(positions)})
    row_numbers = pl.Series("r", rows, dtype=pl.Int64) if rows is not None else None
    row_expr = pl.lit(row_numbers) if row_numbers is not None else pl.int_range(pl.len()) + 1
    frame, dropped = _finish([raw], local, row_expr, None, contract)
    return _assemble([(frame, header)], dropped, contract, encoding)
