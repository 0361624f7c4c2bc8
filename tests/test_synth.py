"""The synthetic regency: real region codes, valid identity numbers, and a ground truth that matches the data."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import SMALL_POPULATION
from openpyxl import load_workbook
from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from madangan import synth
from madangan.errors import UserError
from madangan.plugins import contracts
from madangan.regions import regions


def nik_is_valid(value: str) -> bool:
    try:
        stdnum_nik.validate(value)
        return True
    except ValidationError:
        return False


def test_same_seed_same_regency_other_seed_other_regency():
    a = synth.build("32.11", 3000, seed=11)
    b = synth.build("32.11", 3000, seed=11)
    c = synth.build("32.11", 3000, seed=12)
    assert a.frames.keys() == b.frames.keys()
    for name in a.frames:
        assert a.frames[name].equals(b.frames[name]), name
    assert a.ground_truth().equals(b.ground_truth())
    assert not a.frames["penduduk"].equals(c.frames["penduduk"])


def test_every_nik_is_valid_except_the_injected_invalid_ones(small_regency):
    people = small_regency.frames["penduduk"]
    invalid = {n for n in people["nik"] if not nik_is_valid(n)}
    assert invalid == small_regency.truth_keys("nik_tidak_valid")
    assert len(invalid) > 0


def test_women_have_forty_added_to_the_birth_day_in_their_nik(small_regency):
    people = small_regency.frames["penduduk"]
    injected = small_regency.truth_keys("nik_tidak_valid") | small_regency.truth_keys("nik_tanggal_lahir_tidak_cocok")
    clean = people.filter(~pl.col("nik").is_in(list(injected)))
    day_in_nik = clean["nik"].str.slice(6, 2).cast(pl.Int64)
    expected = clean["tanggal_lahir"].dt.day() + pl.Series([40 if s == "P" else 0 for s in clean["jenis_kelamin"]])
    assert (day_in_nik == expected).all()


def test_birth_date_disagrees_with_nik_exactly_where_injected(small_regency):
    people = small_regency.frames["penduduk"]
    valid = people.filter(pl.col("nik").map_elements(nik_is_valid, return_dtype=pl.Boolean))
    from_nik = valid["nik"].map_elements(lambda n: stdnum_nik.get_birth_date(n).strftime("%d%m%y"), return_dtype=pl.String)
    mismatched = set(valid.filter(from_nik != valid["tanggal_lahir"].dt.strftime("%d%m%y"))["nik"])
    assert mismatched == small_regency.truth_keys("nik_tanggal_lahir_tidak_cocok")


def test_every_desa_code_exists_except_the_injected_wrong_ones(small_regency):
    index = regions()
    wrong = small_regency.truth_keys("kode_desa_salah")
    for name, contract in contracts().items():
        if contract.region_column is None or name not in small_regency.frames:
            continue
        frame = small_regency.frames[name]
        unknown = frame.filter(~pl.col(contract.region_column).is_in(list(index.names)))
        if name == "penduduk":
            assert set(unknown["nik"]) == wrong
        else:
            assert unknown.is_empty(), f"{name} has desa codes that do not exist"
        assert frame[contract.region_column].drop_nulls().str.starts_with("32.11.").all()


def test_injected_duplicates_are_the_same_person_under_another_nik(small_regency):
    people = small_regency.frames["penduduk"].select("nik", "no_kk", "tanggal_lahir", "jenis_kelamin", "nama")
    pairs = small_regency.ground_truth().filter(pl.col("error_kind") == "duplikat_nik_berbeda")
    assert len(pairs) > 0
    joined = pairs.join(people, left_on="record_key", right_on="nik").join(
        people, left_on="related_key", right_on="nik", suffix="_original"
    )
    assert len(joined) == len(pairs)
    assert (joined["record_key"] != joined["related_key"]).all()
    for col in ("no_kk", "tanggal_lahir", "jenis_kelamin"):
        assert (joined[col] == joined[f"{col}_original"]).all()
    # the recount: extra rows of (family, birth date, sex) groups are the duplicates plus rare natural twins
    groups = people.group_by("no_kk", "tanggal_lahir", "jenis_kelamin").len()
    extra = int((groups["len"] - 1).sum())
    assert len(pairs) <= extra <= len(pairs) + SMALL_POPULATION // 1000


def test_population_size_is_as_asked_and_sizes_scale():
    small = synth.build("32.11", 5000, seed=3)
    large = synth.build("32.11", 20000, seed=3)
    for ctx, n in ((small, 5000), (large, 20000)):
        duplicates = len(ctx.truth_keys("duplikat_nik_berbeda"))
        assert len(ctx.frames["penduduk"]) - duplicates == n
        families = len(ctx.frames["keluarga"])
        assert n / 4.2 < families < n / 2.8
    for name, contract in contracts().items():
        if contract.region_column and contract.nik_column and name in small.frames:  # person records grow with people
            assert len(large.frames[name]) > 2 * len(small.frames[name]), name


def test_age_structure_is_plausible(small_regency):
    people = small_regency.frames["penduduk"]
    age_years = (pl.lit(small_regency.reference_date) - people["tanggal_lahir"]).dt.total_days() / 365.25
    ages = people.select(age=age_years)["age"]
    assert 0.06 < (ages < 5).mean() < 0.12  # children under five
    assert 0.04 < (ages >= 65).mean() < 0.15
    assert ages.min() >= 0 and ages.max() < 105


def test_files_are_written_as_agencies_export_them(small_regency, tmp_path):
    files = synth.write(small_regency, tmp_path)
    names = {f.name for f in files}
    assert synth.GROUND_TRUTH_FILE in names
    for name, contract in contracts().items():
        if name not in small_regency.frames:
            continue
        path = tmp_path / contract.file_name()
        assert path.exists(), name
        if contract.export_format == "csv":
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            assert header == [c.header for c in contract.columns]
        else:
            sheet = load_workbook(path, read_only=True).active
            rows = sheet.iter_rows(max_row=2, values_only=True)
            assert list(next(rows)) == [c.header for c in contract.columns]
            if contract.nik_column:
                nik_value = next(rows)[contract.column_names.index(contract.nik_column)]
                assert isinstance(nik_value, str) and len(nik_value) == 16  # text, never a 15-digit float
    truth = pl.read_csv(tmp_path / synth.GROUND_TRUTH_FILE, infer_schema_length=0)
    assert len(truth) == len(small_regency.ground_truth())
    assert not list(tmp_path.glob(".synth-*")), "staging directory left behind"


def test_population_must_be_positive():
    for bad in (0, -5):
        with pytest.raises(UserError, match="positif"):
            synth.build("32.11", bad, seed=1)


def test_unwritable_output_directory_is_refused(small_regency, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(UserError, match="tidak bisa ditulis"):
        synth.write(small_regency, blocker / "out")


def test_every_generated_source_matches_its_contract(small_regency):
    """A new sector's generator is held to its own contract: types, unique keys, required and allowed values."""
    registered = contracts()
    assert set(small_regency.frames) == set(registered), "every registered source is generated"
    for name, frame in small_regency.frames.items():
        contract = registered[name]
        assert dict(frame.select(contract.column_names).schema) == contract.polars_schema, name
        assert frame.select(contract.key).is_duplicated().sum() == 0, f"{name}: duplicate keys"
        for column in contract.columns:
            if column.required:
                assert frame[column.name].null_count() == 0, f"{name}.{column.name} has empty values"
            if column.allowed:
                assert set(frame[column.name].drop_nulls()) <= set(column.allowed), f"{name}.{column.name}"


def test_family_roles_and_marital_status_agree(small_regency):
    people = small_regency.frames["penduduk"]
    spouses = people.filter(pl.col("status_hubungan").is_in(["ISTRI", "SUAMI"]))
    assert (spouses["status_kawin"] == "KAWIN").all()
    age = (pl.lit(small_regency.reference_date) - pl.col("tanggal_lahir")).dt.total_days() / 365.25
    assert spouses.select(age.min()).item() >= 18
    with_spouse = set(spouses["no_kk"])
    heads = people.filter((pl.col("status_hubungan") == "KEPALA KELUARGA") & pl.col("no_kk").is_in(list(with_spouse)))
    assert (heads["status_kawin"] == "KAWIN").all()
