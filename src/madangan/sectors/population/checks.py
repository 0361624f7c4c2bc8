"""Population sector's verval checks: the NIK against the person it belongs to."""

from __future__ import annotations

from madangan.verval import identity


def checks(penduduk, kematian) -> tuple:
    return (
        identity.nik_matches_person(penduduk, "tanggal_lahir", "jenis_kelamin"),
        identity.nik_matches_person(kematian, "tanggal_lahir", "jenis_kelamin"),
        identity.nik_same_person(kematian, "tanggal_lahir", penduduk, "tanggal_lahir"),
    )
