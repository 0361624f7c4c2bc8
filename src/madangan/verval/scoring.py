"""Verval scored against the synthetic generator's ground truth: which rule must find which injected error."""

from __future__ import annotations

import polars as pl

#: Injected error kind (madangan.synth ground truth) → the (rule, source) that must find those records.
EXPECTED_RULE = {
    "nik_tidak_valid": ("nik_struktur", "penduduk"),
    "kode_desa_salah": ("desa_di_luar_wilayah", "penduduk"),
    "nik_tanggal_lahir_tidak_cocok": ("nik_tidak_cocok_biodata", "penduduk"),
    "duplikat_nik_berbeda": ("duplikat_orang", "penduduk"),
    "penerima_tidak_layak": ("penerima_tidak_layak", "penerima_bansos"),
    "meninggal_menerima_bansos": ("penerima_meninggal", "penerima_bansos"),
    "asn_menerima_bansos": ("penerima_pegawai", "penerima_bansos"),
    "layak_tidak_menerima": ("layak_tidak_menerima", "desil"),
    "selesai_sebelum_diajukan": ("selesai_sebelum_diajukan", "layanan"),
    "realisasi_melebihi_pagu": ("realisasi_melebihi_pagu", "anggaran"),
    "tinggi_menurun": ("tinggi_menurun", "posyandu"),
    "pengukuran_tidak_wajar": ("pengukuran_tidak_wajar", "posyandu"),
    "hpl_tidak_konsisten": ("hpl_tidak_konsisten", "kehamilan"),
}
#: Pair findings are keyed "nik|nik" and match an injected (record, related) pair.
PAIR_KINDS = {"duplikat_nik_berbeda"}


def expected_and_found(kind: str, truth: pl.DataFrame, findings: pl.DataFrame) -> tuple[set, set]:
    """The injected keys of `kind` and the keys its rule found (pairs as frozensets), from a ground-truth frame
    (error_kind, record_key, related_key) and a findings frame (rule, source, record_key)."""
    rule, source = EXPECTED_RULE[kind]
    injected = truth.filter(pl.col("error_kind") == kind)
    found = set(findings.filter((pl.col("rule") == rule) & (pl.col("source") == source))["record_key"])
    if kind in PAIR_KINDS:
        return ({frozenset(p) for p in injected.select("record_key", "related_key").iter_rows()},
                {frozenset(k.split("|")) for k in found})
    return set(injected["record_key"]), found


def precision_recall(expected: set, found: set) -> tuple[float, float]:
    hit = len(expected & found)
    return (hit / len(found) if found else float("nan"), hit / len(expected) if expected else float("nan"))
