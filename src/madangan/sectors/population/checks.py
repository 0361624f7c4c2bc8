"""Population sector's verval checks: the NIK against the person it belongs to, and one person under two NIKs."""

from __future__ import annotations

import ibis
import polars as pl

from madangan.verval import Check, CheckContext, Tables, identity

DUPLICATE_THRESHOLD = 0.99  # match probability from which a pair is a finding ([verval] ambang_duplikat)
WEIGHT_FIELDS = ("nama", "tanggal_lahir", "jenis_kelamin", "nik_wilayah", "no_kk", "desa", "tempat_lahir")


def _duplicates(tables: Tables, ctx: CheckContext) -> ibis.Table:
    """Pairs of registry records that are probably one person (Splink, unsupervised), explained field by field."""
    from madangan.linkage import explain_pair, find_duplicate_persons

    people = tables["penduduk"]
    pairs = find_duplicate_persons(ibis.get_backend(people).con, "penduduk",
                                   threshold=float(ctx.param("ambang_duplikat", DUPLICATE_THRESHOLD)))
    niks = pairs["nik_l"].to_list() + pairs["nik_r"].to_list()
    desa = dict(ibis.get_backend(people).to_polars(
        people.filter(people.nik.isin(niks)).select("nik", "kode_desa")).iter_rows()) if niks else {}
    rows = []
    for row in pairs.iter_rows(named=True):
        first, other = sorted((row["nik_l"], row["nik_r"]))
        text = explain_pair(row)
        rows.append({
            "record_key": f"{first}|{other}", "kode_desa": desa.get(first) or desa.get(other),
            "nik": first, "nik_lain": other, "peluang": f"{row['match_probability']:.4f}",
            "bobot": f"{row['match_weight']:.1f}", "kelompok": row["cluster_id"],
            **{f"w_{f}": f"{row[f'w_{f}']:.2f}" for f in WEIGHT_FIELDS if f"w_{f}" in row},
            "penjelasan": text["id"], "penjelasan_en": text["en"],
        })
    columns = ["record_key", "kode_desa", "nik", "nik_lain", "peluang", "bobot", "kelompok",
               *(f"w_{f}" for f in WEIGHT_FIELDS), "penjelasan", "penjelasan_en"]
    return ibis.memtable(pl.DataFrame(rows, schema={c: pl.String for c in columns}))


DUPLICATES = Check(
    rule="duplikat_orang", source="penduduk", severity="error",
    title={"id": "Satu orang dengan dua NIK", "en": "One person under two NIKs"},
    message={"id": "NIK {nik} dan {nik_lain} kemungkinan orang yang sama. {penjelasan} Periksa KTP/KK keduanya; "
                   "bila benar sama, ajukan penonaktifan NIK ganda ke Disdukcapil.",
             "en": "NIK {nik} and {nik_lain} are probably the same person. {penjelasan_en} Check both ID and family "
                   "cards; if they are one person, ask Disdukcapil to deactivate the duplicate NIK."},
    find=_duplicates, dpia="linkage",
)


def checks(penduduk, kematian) -> tuple:
    return (
        identity.nik_matches_person(penduduk, "tanggal_lahir", "jenis_kelamin"),
        identity.nik_matches_person(kematian, "tanggal_lahir", "jenis_kelamin"),
        identity.nik_same_person(kematian, "tanggal_lahir", penduduk, "tanggal_lahir"),
        DUPLICATES,
    )
