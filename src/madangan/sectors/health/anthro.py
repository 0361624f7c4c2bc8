"""`madangan anthro FILE --out OUT.csv`: WHO z-scores for a survey or posyandu file, like WHO Anthro's batch mode.

Reads CSV or XLSX with Indonesian or English headers; writes every input column back
with z-scores, WHO flags and Permenkes 2/2020 categories beside each row. A row that
cannot be scored gets its reason in `alasan` — never a silent blank.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from madangan.errors import UserError
from madangan.sectors.health.growth import category, zscores

#: input role → header spellings seen in the wild (compared case-insensitively, spaces/underscores ignored)
ROLES = {
    "sex": ("sex", "jenis_kelamin", "jk", "kelamin", "gender"),
    "age_days": ("age_days", "umur_hari", "usia_hari", "agedays", "age"),
    "birth_date": ("birth_date", "tanggal_lahir", "tgl_lahir", "dob"),
    "visit_date": ("visit_date", "tanggal_ukur", "tanggal_pengukuran", "tgl_ukur", "date_of_visit"),
    "weight": ("weight", "berat", "berat_kg", "bb", "weight_kg"),
    "lenhei": ("lenhei", "height", "length", "tinggi", "panjang", "tinggi_cm", "tb", "pb", "tinggi_badan"),
    "measure": ("measure", "cara_ukur", "posisi", "position"),
    "oedema": ("oedema", "edema", "edem"),
}
SEX_CODES = {"1": 1, "2": 2, "L": 1, "M": 1, "LAKI-LAKI": 1, "P": 2, "F": 2, "PEREMPUAN": 2}
LYING = {"L": 1.0, "TERLENTANG": 1.0, "LYING": 1.0, "H": 0.0, "BERDIRI": 0.0, "STANDING": 0.0}
YES = {"Y", "YA", "YES", "1", "TRUE"}
NO = {"N", "T", "TIDAK", "NO", "0", "FALSE", ""}
OUTPUT = {"haz": "z_tb_u", "waz": "z_bb_u", "whz": "z_bb_tb", "baz": "z_imt_u"}


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_").replace("(", "").replace(")", "")


def find_columns(headers: list[str]) -> dict[str, str]:
    """Input role → the file's header; sex and a way to know the age are required."""
    by_key = {_key(h): h for h in headers}
    found = {role: next((by_key[s] for s in spellings if s in by_key), None) for role, spellings in ROLES.items()}
    missing = []
    if not found["sex"]:
        missing.append("jenis kelamin (sex)")
    if not found["age_days"] and not (found["birth_date"] and found["visit_date"]):
        missing.append("umur dalam hari (age_days) atau tanggal lahir + tanggal ukur")
    if not (found["weight"] or found["lenhei"]):
        missing.append("berat (weight) atau tinggi/panjang (height)")
    if missing:
        raise UserError(f"Kolom wajib tidak ada: {'; '.join(missing)}. Kolom berkas: {', '.join(headers)}.")
    return {role: header for role, header in found.items() if header}


def read(path: Path) -> pl.DataFrame:
    if not path.exists():
        raise UserError(f"Berkas '{path}' tidak ada.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pl.read_excel(path, infer_schema_length=0)
    if path.suffix.lower() != ".csv":
        raise UserError(f"'{path.name}': gunakan berkas .csv atau .xlsx.")
    text = path.read_bytes()[:4096].decode("utf-8", "replace")
    separator = ";" if text.count(";") > text.count(",") else ","
    return pl.read_csv(path, separator=separator, infer_schema_length=0, encoding="utf8-lossy")


def _number(frame: pl.DataFrame, column: str | None) -> pl.Series:
    if column is None:
        return pl.Series([None] * frame.height, dtype=pl.Float64)
    return frame[column].str.strip_chars().str.replace(",", ".").cast(pl.Float64, strict=False)


def _date(frame: pl.DataFrame, column: str) -> pl.Series:
    text = frame[column].str.strip_chars()
    parsed = [text.str.to_date(f, strict=False) for f in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S")]
    return pl.select(pl.coalesce(parsed)).to_series()


def score(frame: pl.DataFrame) -> pl.DataFrame:
    """The input with umur_hari, z-scores, flags, categories and `alasan` (why a row has no z-score)."""
    cols = find_columns(frame.columns)
    raw_sex = frame[cols["sex"]].str.strip_chars().str.to_uppercase()
    sex = raw_sex.replace_strict(SEX_CODES, default=None, return_dtype=pl.Int64)
    if "age_days" in cols:
        age = _number(frame, cols["age_days"])
    else:
        age = (_date(frame, cols["visit_date"]) - _date(frame, cols["birth_date"])).dt.total_days().cast(pl.Float64)
    weight, lenhei = _number(frame, cols.get("weight")), _number(frame, cols.get("lenhei"))
    measure = (frame[cols["measure"]].str.strip_chars().str.to_uppercase() if "measure" in cols
               else pl.Series([None] * frame.height, dtype=pl.String))
    lying = measure.replace_strict(LYING, default=None, return_dtype=pl.Float64)
    oedema_text = (frame[cols["oedema"]].fill_null("").str.strip_chars().str.to_uppercase() if "oedema" in cols
                   else pl.Series([""] * frame.height))
    oedema = oedema_text.is_in(list(YES))

    reasons = _reasons(raw_sex, sex, age, weight, lenhei, measure, lying, oedema_text, frame, cols)
    z = zscores(sex.fill_null(0).to_numpy(), age.fill_null(np.nan).to_numpy(), weight.fill_null(np.nan).to_numpy(),
                lenhei.fill_null(np.nan).to_numpy(), lying.fill_null(np.nan).to_numpy(), oedema.to_numpy())
    out = {"umur_hari": age, "tinggi_terkoreksi_cm": pl.Series(np.round(z.clenhei, 2)).fill_nan(None)}
    for name, column in OUTPUT.items():
        values = getattr(z, name)
        out[column] = pl.Series(np.round(values, 2)).fill_nan(None)
        out[f"{column}_flag"] = pl.Series(z.flag(name).astype(np.int8))
        out[f"kategori_{column[2:]}"] = pl.Series(np.where(z.flag(name), "", category(name, values)))
    return frame.with_columns(**{k: v for k, v in out.items()}, alasan=reasons)


def _reasons(raw_sex, sex, age, weight, lenhei, measure, lying, oedema_text, frame, cols) -> pl.Series:
    """Per row, every reason a z-score is missing or may be off, joined by '; ' ("" when none)."""
    checks = [
        (sex.is_null(), "jenis kelamin '{}' tidak dikenal (1/2 atau L/P)", raw_sex),
        (age.is_null(), "umur tidak terbaca", None),
        (age < 0, "umur negatif (tanggal ukur sebelum lahir)", None),
        (age / 30.4375 >= 60, "umur ≥ 60 bulan: di luar standar WHO balita", None),
        (weight.is_not_null() & (weight <= 0), "berat harus lebih dari 0", None),
        (lenhei.is_not_null() & ((lenhei <= 0) | (lenhei > 150)), "tinggi/panjang {} cm tidak wajar", lenhei),
        (measure.is_not_null() & lying.is_null(), "cara ukur '{}' tidak dikenal (l/h, TERLENTANG/BERDIRI)", measure),
        (~oedema_text.is_in(list(YES | NO)), "edema '{}' tidak dikenal (ya/tidak)", oedema_text),
    ]
    if "weight" in cols:
        checks.append((frame[cols["weight"]].is_not_null() & weight.is_null(), "berat '{}' bukan angka", frame[cols["weight"]]))
    if "lenhei" in cols:
        checks.append((frame[cols["lenhei"]].is_not_null() & lenhei.is_null(), "tinggi '{}' bukan angka", frame[cols["lenhei"]]))
    parts = []
    for mask, text, values in checks:
        mask = mask.fill_null(False)
        if values is None:
            parts.append(pl.when(mask).then(pl.lit(text)).otherwise(None))
        else:  # "… '{}' …" around the row's own value, column-wise (files can hold a million rows)
            before, after = text.split("{}")
            filled = pl.lit(before) + pl.lit(values.cast(pl.String).fill_null("")) + pl.lit(after)
            parts.append(pl.when(mask).then(filled).otherwise(None))
    return pl.select(pl.concat_str(parts, separator="; ", ignore_nulls=True).fill_null("")).to_series()


def run(path: Path, out: Path) -> tuple[int, int]:
    """Score `path` into `out` (CSV, or XLSX by suffix). Returns (rows, rows with a reason)."""
    from madangan.exports import neutralise

    scored = score(read(path))
    if out.suffix.lower() == ".xlsx":
        text_columns = [c for c, t in scored.schema.items() if t == pl.String]
        scored.with_columns(pl.col(c).map_elements(neutralise, return_dtype=pl.String) for c in text_columns) \
            .write_excel(out, worksheet="z-score")
    else:
        scored.with_columns(pl.col(c).map_elements(neutralise, return_dtype=pl.String)
                            for c, t in scored.schema.items() if t == pl.String).write_csv(out)
    return scored.height, int((scored["alasan"] != "").sum())
