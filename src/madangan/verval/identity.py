"""Identity checks any source can use: NIK and KK structure, NIK ↔ person, desa code, registry.

These follow national conventions (Dukcapil's NIK and KK), not one sector: the
platform derives the structural ones from each contract's declared NIK, KK and
desa columns; sectors apply the factories below to their own columns.
NIK = 6-digit kecamatan of registration + DDMMYY birth date (women: day + 40) + 4-digit serial.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from madangan.contracts import Contract
from madangan.verval.checks import Check, CheckContext, Tables

DUKCAPIL = "Disdukcapil"


def _digits(value: ir.StringValue, start: int, length: int) -> ir.IntegerValue:
    return value.substr(start, length).try_cast("int32")


def _days_in_month(month: ir.IntegerValue, year2: ir.IntegerValue) -> ir.IntegerValue:
    """Days in a month; a two-digit year divisible by 4 is leap (2000 was, and 1900 is out of range)."""
    february = ibis.ifelse(year2 % 4 == 0, 29, 28)
    return ibis.cases((month == 2, february), (month.isin([4, 6, 9, 11]), 30), else_=31)


def _date_problem(number: ir.StringValue, offset: int, allow_women: bool) -> ir.StringValue:
    """Why the DDMMYY at `offset` is not a date (null when it is)."""
    day, month, year = _digits(number, offset, 2), _digits(number, offset + 2, 2), _digits(number, offset + 4, 2)
    real_day = ibis.ifelse(day > 40, day - 40, day) if allow_women else day
    return ibis.cases(
        (~month.between(1, 12), "bulan lahir tidak valid"),
        (~real_day.between(1, 31), "tanggal lahir tidak valid"),
        (real_day > _days_in_month(month, year), "tanggal tidak ada di kalender"),
        else_=ibis.null("string"),
    )


def number_problem(number: ir.StringValue, ctx: CheckContext, *, women_day: bool) -> ir.StringValue:
    """Why a NIK (women_day=True) or KK number breaks the structure, or null when it does not."""
    prefix = number.substr(0, 6)
    return ibis.cases(
        (~number.re_search(r"^[0-9]{16}$"), "bukan 16 digit angka"),
        (~prefix.isin(ibis.memtable({"prefix": sorted(ctx.kecamatan_prefixes)}).prefix), "kode wilayah (6 digit pertama) tidak dikenal"),
        (number.substr(12, 4) == "0000", "nomor urut 0000"),
        else_=_date_problem(number, 6, women_day),
    )


def _malformed(contract: Contract, column: str, shown_as: str, women_day: bool):
    """A `find` for numbers in `column` that break the NIK/KK structure; the number is shown as `shown_as`."""

    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t = tables[contract.name]
        t = t.filter(t[column].notnull()).mutate(masalah=number_problem(t[column], ctx, women_day=women_day))
        return _select(t.filter(t.masalah.notnull()), contract, **{shown_as: t[column]}, masalah=t.masalah)

    return find


def nik_structure(contract: Contract) -> Check:
    return Check(
        rule="nik_struktur", source=contract.name, severity="error",
        title={"id": "Struktur NIK salah", "en": "Malformed NIK"},
        message={"id": "NIK {nik} tidak sah: {masalah}. Cocokkan dengan KTP/KK dan perbaiki di sumber data.",
                 "en": "NIK {nik} is not valid ({masalah}). Check it against the ID/family card and fix it at the source."},
        find=_malformed(contract, contract.nik_column, "nik", women_day=True), row_local=True,
    )


def kk_structure(contract: Contract) -> Check:
    return Check(
        rule="kk_struktur", source=contract.name, severity="error",
        title={"id": "Struktur No. KK salah", "en": "Malformed family card number"},
        message={"id": "No. KK {no_kk} tidak sah: {masalah}. Cocokkan dengan kartu keluarga dan perbaiki di sumber data.",
                 "en": "Family card number {no_kk} is not valid ({masalah}). Check it against the card and fix it at the source."},
        find=_malformed(contract, contract.kk_column, "no_kk", women_day=False), row_local=True,
    )


def desa_in_regency(contract: Contract) -> Check:
    column = contract.region_column

    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t = tables[contract.name]
        t = t.filter(t[column].notnull() & ~t[column].isin(sorted(ctx.desa_codes)))
        return _select(t, contract, kode_desa_tercatat=t[column], desa=False)

    return Check(
        rule="desa_di_luar_wilayah", source=contract.name, severity="error",
        title={"id": "Kode desa tidak ada di kabupaten", "en": "Desa code not in the regency"},
        message={"id": "Kode desa {kode_desa_tercatat} tidak ada di wilayah ini. Periksa alamat dan isi kode desa Kemendagri yang benar.",
                 "en": "Desa code {kode_desa_tercatat} does not exist in this regency. Check the address and enter the right Kemendagri code."},
        find=find, row_local=True,
    )


def nik_in_registry(contract: Contract, registry: Contract, severity="warning") -> Check:
    """Records whose NIK the population registry does not know."""
    column = contract.nik_column

    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t, known = tables[contract.name], tables[registry.name]
        missing = t.filter(t[column].notnull()).anti_join(known, t[column] == known[registry.nik_column])
        return _select(missing, contract, nik=missing[column])

    return Check(
        rule="nik_tidak_terdaftar", source=contract.name, severity=severity,
        title={"id": "NIK tidak ada di data kependudukan", "en": "NIK not in the population registry"},
        message={"id": "NIK {nik} tidak ditemukan di data kependudukan. Pastikan NIK sesuai KTP/KK; bila benar, minta Disdukcapil memutakhirkan data.",
                 "en": "NIK {nik} is not in the population registry. Make sure it matches the ID card; if it does, ask Disdukcapil to update the registry."},
        find=find, needs=(registry.name,), row_local=True,
    )


def nik_matches_person(contract: Contract, birth_column: str, sex_column: str) -> Check:
    """The birth date and sex hidden in the NIK agree with the record's own."""
    column = contract.nik_column

    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t = tables[contract.name]
        # a malformed NIK is nik_struktur's finding; only a well-formed one can disagree with the person
        t = t.filter(number_problem(t[column], ctx, women_day=True).isnull() & t[birth_column].notnull())
        nik = t[column]
        day = _digits(nik, 6, 2)
        born = t[birth_column]
        female = day > 40
        real_day = ibis.ifelse(female, day - 40, day)
        date_differs = (real_day != born.day()) | (_digits(nik, 8, 2) != born.month()) | (_digits(nik, 10, 2) != born.year() % 100)
        sex_differs = t[sex_column].notnull() & (female != (t[sex_column] == "P"))
        t = t.filter(date_differs | sex_differs)
        return _select(t, contract, nik=t[column], tanggal_lahir=t[birth_column].cast("string"),
                       jenis_kelamin=t[sex_column])

    return Check(
        rule="nik_tidak_cocok_biodata", source=contract.name, severity="error",
        title={"id": "NIK tidak cocok dengan tanggal lahir/jenis kelamin", "en": "NIK disagrees with birth date/sex"},
        message={"id": "NIK {nik} tidak cocok dengan tanggal lahir {tanggal_lahir} atau jenis kelamin {jenis_kelamin}. Periksa KTP/akta lahir; salah satunya keliru.",
                 "en": "NIK {nik} disagrees with birth date {tanggal_lahir} or sex {jenis_kelamin}. Check the ID card/birth certificate; one of them is wrong."},
        find=find,
    )


def record_key(table: ir.Table, contract: Contract) -> ir.StringValue:
    """The source's key as ingest writes it: key columns joined by '|'."""
    parts = [table[k].cast("string").fill_null("") for k in contract.key]
    return parts[0] if len(parts) == 1 else ibis.literal("|").join(parts)


def _select(table: ir.Table, contract: Contract, desa: bool = True, **evidence) -> ir.Table:
    """The finding shape: record_key, kode_desa, evidence columns."""
    kode_desa = table[contract.region_column] if contract.region_column else ibis.null("string")
    if not desa and contract.region_column:
        kode_desa = ibis.null("string")  # the recorded code is the problem; no desa owns it
    return table.select(record_key=record_key(table, contract), kode_desa=kode_desa, **evidence)


def contract_checks(contracts: dict[str, Contract]) -> list[Check]:
    """Structural identity checks every contract gets from the columns it declares."""
    registry = next((c for c in contracts.values() if c.person_registry), None)
    checks: list[Check] = []
    for contract in contracts.values():
        if contract.nik_column:
            checks.append(nik_structure(contract))
            if registry is not None and contract is not registry:
                checks.append(nik_in_registry(contract, registry))
        if contract.kk_column:
            checks.append(kk_structure(contract))
        if contract.region_column:
            checks.append(desa_in_regency(contract))
    return checks



def nik_same_person(contract: Contract, birth_column: str, registry: Contract, registry_birth: str) -> Check:
    """One NIK, two persons: the registry holds the same NIK with another birth date."""
    column = contract.nik_column

    def find(tables: Tables, ctx: CheckContext) -> ir.Table:
        t, reg = tables[contract.name], tables[registry.name]
        reg = reg.select(_nik=reg[registry.nik_column], _lahir_registri=reg[registry_birth])
        j = t.inner_join(reg, t[column] == reg._nik)
        j = j.filter(j[birth_column] != j._lahir_registri)
        return _select(j, contract, nik=j[column], tanggal_lahir=j[birth_column].cast("string"),
                       tanggal_lahir_registri=j._lahir_registri.cast("string"))

    return Check(
        rule="nik_dipakai_orang_lain", source=contract.name, severity="error",
        title={"id": "Satu NIK untuk dua orang", "en": "One NIK, two persons"},
        message={"id": "NIK {nik} di sini lahir {tanggal_lahir}, tetapi di data kependudukan lahir {tanggal_lahir_registri}. Pastikan NIK milik orang ini; salah satu data keliru.",
                 "en": "NIK {nik} is born {tanggal_lahir} here but {tanggal_lahir_registri} in the population registry. Make sure the NIK is this person's; one record is wrong."},
        find=find, needs=(registry.name,), row_local=True,
    )
