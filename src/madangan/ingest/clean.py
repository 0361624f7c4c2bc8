"""Clean and validate one source's rows: the step between reading a file and storing it.

Input is what a reader produced: every contract column it found, as text, plus `_row` (the row
number the officer sees in the file). Output (`Cleaned`):

- `accepted`: the rows with no problem, every contract column cast to the contract's type
  (an optional column the file did not have is null), plus `_row`;
- `problems`: one row per (row, column, problem), with a code from `REASONS` and a message in
  Bahasa Indonesia (and English) that names the column by its export header and the value;
- `rejected_rows`: the refused rows whole, as they came in, so they can be corrected and re-sent.

What is checked here is the *form* of each value as agencies really write it (Excel numbers,
Indonesian dates and decimals, region codes with or without dots). Whether a value makes sense
(a NIK's birth date, a desa that exists) is the verification step's business, not a reason to
refuse a row at the door.

Everything is one vectorised Polars plan: no Python runs per row.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache

import polars as pl

from madangan.contracts import POLARS_TYPES, Column, Contract
from madangan.errors import UserError
from madangan.regions import normalize_code

#: code → message templates. Placeholders: {column} (the export header), {value} (the value as
#: written, NIK/KK masked), {allowed}, {example}, {region}, {key}, {first_row}.
REASONS: dict[str, dict[str, str]] = {
    "wajib_diisi": {
        "id": "Kolom {column} wajib diisi, tetapi kosong.",
        "en": "Column {column} is required but empty.",
    },
    "nik_rusak_excel": {
        "id": "Kolom {column} berisi {value}: Excel telah mengubah nomor ini menjadi angka dan merusak digitnya, "
              "sehingga nomor aslinya tidak bisa dipulihkan. Ekspor ulang dengan kolom {column} sebagai Teks "
              "(Format Cells → Text, atau awali nomor dengan tanda petik ') lalu kirim ulang.",
        "en": "Column {column} contains {value}: Excel turned this number into a numeric value and destroyed its "
              "digits, so the original number cannot be recovered. Export again with column {column} as Text "
              "(Format Cells → Text, or prefix the number with an apostrophe ') and re-send.",
    },
    "nik_format": {
        "id": "Kolom {column} berisi '{value}': harus tepat 16 digit angka.",
        "en": "Column {column} contains '{value}': it must be exactly 16 digits.",
    },
    "bukan_angka": {
        "id": "Kolom {column} berisi '{value}', bukan angka. Tulis angka saja, mis. {example}.",
        "en": "Column {column} contains '{value}', which is not a number. Write a number only, e.g. {example}.",
    },
    "tanggal_tidak_valid": {
        "id": "Kolom {column} berisi '{value}', bukan tanggal yang valid. Tulis tanggal seperti 31/12/2024, "
              "2024-12-31 atau 31 Desember 2024.",
        "en": "Column {column} contains '{value}', which is not a valid date. Write dates like 31/12/2024, "
              "2024-12-31 or 31 Desember 2024.",
    },
    "bukan_ya_tidak": {
        "id": "Kolom {column} berisi '{value}'; isi dengan Ya atau Tidak.",
        "en": "Column {column} contains '{value}'; fill it with Ya (yes) or Tidak (no).",
    },
    "di_luar_rentang": {
        "id": "Kolom {column} berisi '{value}', di luar rentang yang berlaku ({allowed}).",
        "en": "Column {column} contains '{value}', outside the valid range ({allowed}).",
    },
    "nilai_tidak_dikenal": {
        "id": "Kolom {column} berisi '{value}', nilai yang tidak dikenal. Nilai yang diterima: {allowed}.",
        "en": "Column {column} contains '{value}', which is not a known value. Accepted values: {allowed}.",
    },
    "kode_wilayah_format": {
        "id": "Kolom {column} berisi '{value}', bukan kode desa/kelurahan Kemendagri. Tulis kode 10 digit, "
              "dengan atau tanpa titik, mis. {example}.",
        "en": "Column {column} contains '{value}', which is not a Kemendagri desa/kelurahan code. Write the "
              "10-digit code, with or without dots, e.g. {example}.",
    },
    "di_luar_wilayah": {
        "id": "Kolom {column} berisi {value}, kode desa di luar wilayah {region}. Periksa kodenya; data desa di luar "
              "{region} tidak diterima di sini.",
        "en": "Column {column} contains {value}, a desa code outside {region}. Check the code; data for desa "
              "outside {region} is not accepted here.",
    },
    "kunci_ganda": {
        "id": "Baris ganda: {key} sudah ada di baris {first_row}. Hapus salah satu atau perbaiki nilainya, "
              "lalu kirim ulang.",
        "en": "Duplicate row: {key} already appears in row {first_row}. Remove one of them or correct the value, "
              "then re-send.",
    },
}

PROBLEM_SCHEMA = {
    "_row": pl.Int64(), "column": pl.String(), "value": pl.String(), "code": pl.String(),
    "message": pl.String(), "message_en": pl.String(),
}

MONTHS: dict[str, str] = {
    name: f"{number:02d}"
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "pebruari", "peb", "february"),
            ("maret", "mar", "march"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("agustus", "agu", "agt", "ags", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov", "nopember", "nop"),
            ("desember", "des", "dec", "december"),
        ),
        start=1,
    )
    for name in names
}

BOOLEANS: dict[str, bool] = {
    **dict.fromkeys(("ya", "y", "iya", "true", "1", "1.0", "benar", "yes"), True),
    **dict.fromkeys(("tidak", "t", "tdk", "false", "0", "0.0", "salah", "no"), False),
}

EXCEL_EPOCH = pl.date(1899, 12, 30)  # serial 1 = 1900-01-01 for every date after 1900-02-28
EXCEL_SERIAL_MAX = 80000
MASK = "********"
MAX_SHOWN_ALLOWED = 20
MAX_SHOWN_VALUE = 80

# Numbers. An optional "Rp" in front of money is tolerated.
_SIGN = r"^[+-]?"
_INT_PLAIN = _SIGN + r"\d+$"
_INT_THOUSANDS = _SIGN + r"(?:\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+)$"  # 1.250.000 or 1,250,000 (never mixed)
_INT_ZERO_DECIMAL = _SIGN + r"\d+[.,]0+$"  # 12.0 as Excel writes whole numbers
_FLOAT_PLAIN = _SIGN + r"\d+(?:\.\d+)?$"  # 12, 12.5 (a single dot is a decimal point)
_FLOAT_DECIMAL_COMMA = _SIGN + r"\d+,\d+$"  # 12,5
_FLOAT_ID_GROUPED = _SIGN + r"(?:\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,})$"  # 1.250.000,50 / 1.250.000
_FLOAT_EN_GROUPED = _SIGN + r"(?:\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,})$"  # 1,250,000.50 / 1,250,000
_MONEY_PREFIX = r"(?i)^rp\.?\s*"

# Dates (matched on the lower-cased text).
_DMY = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"
_YMD = r"^(\d{4})[/\-](\d{1,2})[/\-](\d{1,2})(?:[ t]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:z|[+\-]\d{2}:?\d{2})?)?$"
_NAMED = r"^(\d{1,2})[ \-]+([a-z]+)\.?[ \-,]+(\d{4})$"
_SERIAL = r"^\d{1,5}(?:\.\d+)?$"

# NIK / KK.
_SCIENTIFIC = r"^[+-]?\d+(?:[.,]\d*)?e[+-]?\d+$"
_SIXTEEN_ZERO_DECIMAL = r"^\d{16}[.,]0+$"  # 3211010101900001.0: a number, but every digit kept
_DOT_SEPARATED = r"^\d+(?:\.\d{2,})+$"  # 3211.0101.9000.01 (groups of two or more digits)

# Region codes.
_DESA_DOTTED = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
_DESA_DIGITS = r"^\d{10}(?:[.,]0+)?$"


@dataclass
class Cleaned:
    accepted: pl.DataFrame  # contract columns cast to contract.polars_schema, plus "_row"
    problems: pl.DataFrame  # _row, column (None = whole row), value (raw), code, message, message_en
    rejected_rows: pl.DataFrame  # the refused rows whole, as they came in


def is_identity_column(contract: Contract, name: str) -> bool:
    """NIK and family-card (KK) numbers: 16 digits, never shown whole in a message."""
    return name in (contract.nik_column, contract.kk_column) or name.startswith(("nik", "no_kk"))


def clean(frame: pl.DataFrame, contract: Contract, regency_code: str) -> Cleaned:
    """Split `frame` into the rows that can land and the problems of the rest (see the module docstring).

    Raises UserError when a required column is missing from the file altogether.
    """
    regency = normalize_code(regency_code)
    present = [c for c in contract.columns if c.name in frame.columns]
    missing = [c.header for c in contract.columns if c.required and c.name not in frame.columns]
    if missing:
        raise UserError(
            f"Kolom wajib tidak ada di berkas {contract.name}: {', '.join(missing)}. "
            f"Tambahkan kolom tersebut dengan judul seperti tertulis, lalu kirim ulang."
        )
    frame = _text_frame(frame, present)

    plan = _Plan()
    for column in present:
        _check(column, contract, regency, plan.steps(column.name))
    codes = [_code(c.name) for c in present]
    work = plan.apply(frame.lazy()).with_columns(
        pl.any_horizontal(pl.col(codes).is_not_null()).alias("__bad") if codes else pl.lit(False).alias("__bad"),
    )
    key = [_value(k) for k in contract.key if k in frame.columns]
    deduplicate = bool(key) and len(key) == len(contract.key)
    if deduplicate:
        # Among the rows still standing, the second and later rows with the same key are refused.
        keyed = pl.col("__bad").not_() & pl.all_horizontal(pl.col(key).is_not_null())
        work = work.with_columns(keyed.alias("__keyed")).with_columns(
            (pl.col("__keyed") & pl.struct("__keyed", *key).is_first_distinct().not_()).alias("__duplicate")
        )
    else:
        work = work.with_columns(pl.lit(False).alias("__keyed"), pl.lit(False).alias("__duplicate"))
    work = work.select(
        "_row", *[f(c.name) for c in present for f in (_text, _value, _code)], "__keyed", "__duplicate",
        (pl.col("__bad") | pl.col("__duplicate")).alias("__rejected"),
    ).collect()

    rejected = work["__rejected"]
    accepted = work.select(*[pl.col(_value(c.name)).alias(c.name) for c in present], "_row").filter(rejected.not_())
    accepted = accepted.select(
        *[
            pl.col(c.name) if c.name in frame.columns else pl.lit(None, POLARS_TYPES[c.type]).alias(c.name)
            for c in contract.columns
        ],
        pl.col("_row"),
    )
    rejected_rows = frame.filter(rejected)
    refused = work.with_row_index("__i").filter(rejected).with_columns(_raws(rejected_rows, present))
    if deduplicate and work["__duplicate"].any():
        refused = refused.join(_first_rows(work, key), on="__i", how="left", maintain_order="left")
    else:
        refused = refused.with_columns(pl.lit(None, pl.Int64).alias("__first_row"))
    problems = _problems(refused, contract, present, regency)
    return Cleaned(accepted=accepted, problems=problems, rejected_rows=rejected_rows)


def _first_rows(work: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """The duplicate rows (position `__i` in `work`) and the row number where their key first appears."""
    work = work.select("_row", *key, "__keyed", "__duplicate")
    duplicates = work.with_row_index("__i").filter("__duplicate").select("__i", *key)
    first = (
        work.filter(pl.col("__keyed") & pl.col("__duplicate").not_())
        .join(duplicates.select(key).unique(), on=key, how="semi")
        .select(*key, pl.col("_row").alias("__first_row"))
    )
    return duplicates.join(first, on=key, how="left", maintain_order="left").select("__i", "__first_row")


# -- working columns -------------------------------------------------------------------------------------

class _Plan:
    """Working columns computed in successive `with_columns` stages, so that every intermediate result
    is computed once and then read by name (nested expressions would recompute shared parts)."""

    def __init__(self) -> None:
        self.stages: list[list[pl.Expr]] = []

    def steps(self, column: str) -> _Steps:
        return _Steps(self, column)

    def apply(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        for stage in self.stages:
            frame = frame.with_columns(stage)
        return frame


class _Steps:
    """One contract column's working columns: `put` one in the current stage, `next` to use it."""

    def __init__(self, plan: _Plan, column: str) -> None:
        self.plan, self.column, self.stage = plan, column, 0

    def put(self, tag: str, expr: pl.Expr) -> pl.Expr:
        name = f"__{tag}__{self.column}"
        while len(self.plan.stages) <= self.stage:
            self.plan.stages.append([])
        self.plan.stages[self.stage].append(expr.alias(name))
        return pl.col(name)

    def next(self) -> None:
        self.stage += 1


def _text(name: str) -> str:
    return f"__text__{name}"


def _value(name: str) -> str:
    return f"__value__{name}"


def _code(name: str) -> str:
    return f"__code__{name}"


def _raw(name: str) -> str:
    return f"__raw__{name}"


def _raws(rejected_rows: pl.DataFrame, present: list[Column]) -> list[pl.Series]:
    return [rejected_rows[c.name].alias(_raw(c.name)) for c in present]


def _text_frame(frame: pl.DataFrame, present: list[Column]) -> pl.DataFrame:
    """Contract columns as String and `_row` as Int64, whatever the reader handed over."""
    fixes = [pl.col(c.name).cast(pl.String) for c in present if frame.schema[c.name] != pl.String]
    if "_row" not in frame.columns:  # numbered as in a file with one header line
        fixes.append((pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_row"))
    elif frame.schema["_row"] != pl.Int64:
        fixes.append(pl.col("_row").cast(pl.Int64))
    return frame.with_columns(fixes) if fixes else frame


# -- one column's rules ----------------------------------------------------------------------------------

def _check(column: Column, contract: Contract, regency: str, steps: _Steps) -> None:
    """Add the working columns `__text__`, `__value__` (typed or null) and `__code__` (problem or null)."""
    stripped = steps.put("stripped", pl.col(column.name).str.strip_chars())
    steps.next()
    text = steps.put("text", pl.when(stripped.str.len_bytes() > 0).then(stripped))
    steps.next()
    bad: pl.Expr | str | None
    if column.name == contract.region_column:
        value, bad = _region(text, regency, steps)
    elif column.type == "str" and is_identity_column(contract, column.name):
        value, bad = _identity_number(text, steps)
    elif column.type == "str":
        value, bad = text, None
    elif column.type == "int":
        value, bad = _integer(text, steps), "bukan_angka"
    elif column.type == "float":
        value, bad = _decimal(text, steps), "bukan_angka"
    elif column.type == "date":
        value, bad = _date(text, steps), "tanggal_tidak_valid"
    elif column.type == "datetime":
        value, bad = _datetime(text), "tanggal_tidak_valid"
    elif column.type == "bool":
        value, bad = _boolean(text), "bukan_ya_tidak"
    else:  # pragma: no cover - contracts only declare the types above
        raise ValueError(f"unknown column type {column.type!r}")
    value = steps.put("parsed", value)
    steps.next()
    if isinstance(bad, str):
        bad = pl.when(value.is_null()).then(pl.lit(bad))
    if column.value_range is not None and column.type in ("int", "float"):
        low, high = column.value_range
        outside = pl.when(value.is_not_null() & ~value.is_between(low, high)).then(pl.lit("di_luar_rentang"))
        bad = outside if bad is None else pl.coalesce(bad, outside)
    if column.allowed is not None and column.type == "str":
        value = steps.put("canonical", _canonical(value, column))
        steps.next()
        known = pl.when(value.is_null()).then(pl.lit("nilai_tidak_dikenal"))
        bad = known if bad is None else pl.coalesce(bad, known)
    empty = pl.lit("wajib_diisi") if column.required else pl.lit(None, pl.String)
    code = pl.when(text.is_null()).then(empty)
    if bad is not None:
        code = code.otherwise(bad)
    steps.put("value", value)
    steps.put("code", code)


def _identity_number(text: pl.Expr, steps: _Steps) -> tuple[pl.Expr, pl.Expr]:
    """NIK/KK: separators and Excel's '.0' removed; scientific notation or zeroed digits are Excel damage."""
    compact = steps.put("compact", text.str.replace_all(r"\s+", "").str.strip_prefix("'").str.strip_prefix("`"))
    steps.next()
    digits = steps.put(
        "digits",
        pl.when(compact.str.contains(_SIXTEEN_ZERO_DECIMAL)).then(compact.str.slice(0, 16))
        .when(compact.str.contains(_DOT_SEPARATED)).then(compact.str.replace_all(".", "", literal=True))
        .otherwise(compact),
    )
    scientific = steps.put("scientific", compact.str.to_lowercase().str.contains(_SCIENTIFIC))
    steps.next()
    sixteen = steps.put("sixteen", digits.str.contains(r"^\d{16}$"))
    steps.next()
    # Excel keeps 15 significant digits: what it rounds ends in zeros. No NIK or KK has serial 0000.
    excel = steps.put("excel", scientific | (sixteen & digits.str.ends_with("0000")))
    steps.next()
    code = pl.when(excel).then(pl.lit("nik_rusak_excel")).when(sixteen.not_()).then(pl.lit("nik_format"))
    return pl.when(sixteen & excel.not_()).then(digits), code


def _region(text: pl.Expr, regency: str, steps: _Steps) -> tuple[pl.Expr, pl.Expr]:
    """A desa/kelurahan code, dotted, inside the deployment's regency."""
    compact = steps.put("compact", text.str.replace_all(r"\s+", ""))
    steps.next()
    dotted = steps.put(
        "dotted",
        pl.when(compact.str.contains(_DESA_DOTTED)).then(compact)
        .when(compact.str.contains(_DESA_DIGITS))
        .then(pl.concat_str(compact.str.slice(0, 2), compact.str.slice(2, 2), compact.str.slice(4, 2),
                            compact.str.slice(6, 4), separator=".")),
    )
    steps.next()
    inside = steps.put("inside", dotted.str.starts_with(regency + "."))
    steps.next()
    code = (
        pl.when(dotted.is_null()).then(pl.lit("kode_wilayah_format"))
        .when(inside.not_()).then(pl.lit("di_luar_wilayah"))
    )
    return pl.when(inside).then(dotted), code


def _integer(text: pl.Expr, steps: _Steps) -> pl.Expr:
    t = steps.put("number", text.str.replace(_MONEY_PREFIX, ""))
    steps.next()
    digits = (
        pl.when(t.str.contains(_INT_PLAIN)).then(t)
        .when(t.str.contains(_INT_THOUSANDS)).then(t.str.replace_all(r"[.,]", ""))
        .when(t.str.contains(_INT_ZERO_DECIMAL)).then(t.str.replace(r"[.,]0+$", ""))
    )
    return digits.str.strip_prefix("+").cast(pl.Int64, strict=False)


def _decimal(text: pl.Expr, steps: _Steps) -> pl.Expr:
    t = steps.put("number", text.str.replace(_MONEY_PREFIX, ""))
    steps.next()
    number = (
        pl.when(t.str.contains(_FLOAT_PLAIN)).then(t)
        .when(t.str.contains(_FLOAT_DECIMAL_COMMA)).then(t.str.replace(",", ".", literal=True))
        .when(t.str.contains(_FLOAT_ID_GROUPED))
        .then(t.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(t.str.contains(_FLOAT_EN_GROUPED)).then(t.str.replace_all(",", "", literal=True))
    )
    return number.str.strip_prefix("+").cast(pl.Float64, strict=False)


def _date(text: pl.Expr, steps: _Steps) -> pl.Expr:
    t = steps.put("lower", text.str.to_lowercase())
    steps.next()
    dmy = steps.put("dmy", t.str.extract_groups(_DMY))
    ymd = steps.put("ymd", t.str.extract_groups(_YMD))
    named = steps.put("named", t.str.extract_groups(_NAMED))
    serial = steps.put(
        "serial", pl.when(t.str.contains(_SERIAL)).then(t.cast(pl.Float64, strict=False).floor().cast(pl.Int64))
    )
    steps.next()
    month = named.struct.field("2").replace_strict(MONTHS, default=None, return_dtype=pl.String)
    iso = steps.put("iso", pl.coalesce(
        pl.concat_str(dmy.struct.field("3"), dmy.struct.field("2"), dmy.struct.field("1"), separator="-"),
        pl.concat_str(ymd.struct.field("1"), ymd.struct.field("2"), ymd.struct.field("3"), separator="-"),
        pl.concat_str(named.struct.field("3"), month, named.struct.field("1"), separator="-"),
    ))
    from_serial = steps.put(
        "from_serial", pl.when(serial.is_between(1, EXCEL_SERIAL_MAX)).then(EXCEL_EPOCH + pl.duration(days=serial))
    )
    steps.next()
    return pl.coalesce(iso.str.to_date("%Y-%m-%d", strict=False), from_serial)


_NAIVE_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                           "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M")


def _datetime(text: pl.Expr) -> pl.Expr:
    """A moment as devices and apps send it: ISO 8601 (with Z or an offset → UTC), dd/mm/yyyy hh:mm, epoch ms."""
    aware = text.str.replace(r"Z$", "+00:00").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us")
    aware = aware.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    naive = [text.str.to_datetime(f, strict=False, time_unit="us") for f in _NAIVE_DATETIME_FORMATS]
    epoch = pl.when(text.str.contains(r"^\d{12,13}$")).then(
        pl.from_epoch(text.cast(pl.Int64, strict=False), time_unit="ms").cast(pl.Datetime("us")))
    return pl.coalesce(aware, *naive, epoch)


def _boolean(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().replace_strict(BOOLEANS, default=None, return_dtype=pl.Boolean)


def _fold(text: pl.Expr) -> pl.Expr:
    """Case- and whitespace-insensitive form used to match allowed values."""
    return text.str.to_uppercase().str.replace_all(r"\s+", "")


def _fold_str(text: str) -> str:
    return "".join(text.upper().split())


def _canonical(value: pl.Expr, column: Column) -> pl.Expr:
    """The allowed value a text means (synonyms included), or null."""
    lookup = {_fold_str(k): v for k, v in column.synonyms.items()}
    lookup.update({_fold_str(a): a for a in column.allowed or ()})
    return _fold(value).replace_strict(lookup, default=None, return_dtype=pl.String)


# -- problems and their messages -------------------------------------------------------------------------

def _problems(work: pl.DataFrame, contract: Contract, present: list[Column], regency: str) -> pl.DataFrame:
    parts: list[pl.DataFrame] = []
    for column in present:
        rows = work.filter(pl.col(_code(column.name)).is_not_null())
        if rows.is_empty():
            continue
        code = pl.col(_code(column.name))
        reasons = set(rows[_code(column.name)].unique())
        fields = {
            "column": column.header,
            "value": _shown(column.name, contract),
            "allowed": _allowed_list(column),
            "example": _example(column, regency),
            "region": _region_label(regency) if "di_luar_wilayah" in reasons else regency,
        }
        parts.append(rows.select(
            pl.col("_row"),
            pl.lit(column.name, pl.String).alias("column"),
            pl.col(_raw(column.name)).alias("value"),
            code.alias("code"),
            _message(code, "id", fields, reasons).alias("message"),
            _message(code, "en", fields, reasons).alias("message_en"),
        ))
    duplicates = work.filter(pl.col("__first_row").is_not_null())
    if not duplicates.is_empty():
        headers = contract.headers
        key = pl.concat_str(
            [pl.concat_str(pl.lit(headers[k] + " "), _shown(k, contract)) for k in contract.key],
            separator=", ",
        )
        fields = {"key": key, "first_row": pl.col("__first_row").cast(pl.String)}
        code = pl.lit("kunci_ganda")
        parts.append(duplicates.select(
            pl.col("_row"),
            pl.lit(None, pl.String).alias("column"),
            # The key may be a NIK; a row-level value has no column to mask it by, so it stays empty here
            # (the refused row itself is kept whole in rejected_rows).
            pl.lit(None, pl.String).alias("value"),
            code.alias("code"),
            _message(code, "id", fields, {"kunci_ganda"}).alias("message"),
            _message(code, "en", fields, {"kunci_ganda"}).alias("message_en"),
        ))
    if not parts:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    order = {c.name: i for i, c in enumerate(contract.columns)}
    position = pl.col("column").replace_strict(order, default=len(order), return_dtype=pl.Int64).fill_null(len(order))
    return pl.concat(parts, how="vertical").cast(PROBLEM_SCHEMA).sort(pl.col("_row"), position, maintain_order=True)


def _message(code: pl.Expr, language: str, fields: dict[str, str | pl.Expr], reasons: set[str]) -> pl.Expr:
    """The message for each row's `code`; only `reasons` (the codes present) are rendered."""
    message = None
    for reason in sorted(reasons):
        text = _render(REASONS[reason][language], fields)
        if text is None:
            continue
        message = (pl.when(code == reason) if message is None else message.when(code == reason)).then(text)
    return message if message is not None else pl.lit(None, pl.String)


def _render(template: str, fields: dict[str, str | pl.Expr]) -> pl.Expr | None:
    """A message template as a Polars expression; None when it needs a field this context lacks."""
    parts: list[pl.Expr] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal))
        if name is not None:
            if name not in fields:
                return None
            field = fields[name]
            parts.append(pl.lit(field) if isinstance(field, str) else field)
    return pl.concat_str(parts) if parts else pl.lit("")


def _shown(name: str, contract: Contract) -> pl.Expr:
    """The value as written, fit for a message: shortened, and a NIK/KK masked (first 4 + ******** + last 4)."""
    text = pl.col(_text(name))
    if is_identity_column(contract, name):
        # Fewer than 9 digits (a typo, "3.21101E+15") cannot be anyone's number: shown as written.
        return (
            pl.when(text.str.count_matches(r"\d") > 8)
            .then(pl.concat_str(text.str.slice(0, 4), pl.lit(MASK), text.str.slice(-4)))
            .otherwise(text)
            .fill_null("")
        )
    return (
        pl.when(text.str.len_chars() > MAX_SHOWN_VALUE)
        .then(pl.concat_str(text.str.slice(0, MAX_SHOWN_VALUE - 1), pl.lit("…")))
        .otherwise(text)
        .fill_null("")
    )


def _allowed_list(column: Column) -> str:
    if column.value_range is not None:
        return "–".join(f"{v:g}" for v in column.value_range)
    allowed = list(column.allowed or ())
    if len(allowed) > MAX_SHOWN_ALLOWED:
        return ", ".join(allowed[:MAX_SHOWN_ALLOWED]) + f", … ({len(allowed)} nilai)"
    return ", ".join(allowed)


def _example(column: Column, regency: str) -> str:
    if column.type == "float":
        return "12,5"
    if column.type == "int":
        return "1250000"
    return f"{regency}.01.2001 atau {regency.replace('.', '')}012001"


@cache
def _region_label(regency: str) -> str:
    """'Kabupaten Sumedang (32.11)', or just the code when the region list cannot say."""
    try:
        from madangan.regions import regions

        return f"{regions().region(regency).name} ({regency})"
    except Exception:  # noqa: BLE001 - the name only decorates the message
        return regency
