"""Record linkage: Indonesian names in one form, the same person under two NIKs found, different people kept apart."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madangan.linkage import (
    PersonColumns,
    explain_cluster,
    explain_pair,
    find_duplicate_persons,
    link_to_registry,
    name_key,
    normalize_name,
    register_macros,
    train_person_model,
)
from madangan.linkage.persons import prepare_sql
from madangan.synth.names import draw_names, variant

# (as written, canonical form)
CANONICAL = [
    ("Hj. Siti Aminah", "SITI AMINAH"),
    ("SITI AMINAH", "SITI AMINAH"),
    ("siti   aminah ", "SITI AMINAH"),
    ("Hj.Siti Aminah", "SITI AMINAH"),
    ("Siti Aminah, S.Pd.", "SITI AMINAH"),
    ("Siti Aminah, S.Pd.I", "SITI AMINAH"),
    ("Siti Aminah S.Pd.I", "SITI AMINAH"),
    ("Siti Aminah SPd", "SITI AMINAH"),
    ("Dra. Hj. Siti Aminah, M.Pd.", "SITI AMINAH"),
    ("H. Asep Saepudin, S.E., M.M.", "ASEP SAEPUDIN"),
    ("Drs. Dedi Supriatna", "DEDI SUPRIATNA"),
    ("Ir. H. Dadang Sudrajat, S.T.", "DADANG SUDRAJAT"),
    ("Prof. Dr. Ir. H. Ahmad Hidayat, M.Si.", "AHMAD HIDAYAT"),
    ("dr. Rina Handayani, Sp.A", "RINA HANDAYANI"),
    ("Rina Handayani, A.Md.Keb.", "RINA HANDAYANI"),
    ("Yeti Suryani A.Md", "YETI SURYANI"),
    ("Cecep Hermawan S.Kom", "CECEP HERMAWAN"),
    ("Wawan Setiawan, S.H.", "WAWAN SETIAWAN"),
    ("Ny. Enung Rohaeti", "ENUNG ROHAETI"),
    ("Muhammad Rizki", "MUHAMMAD RIZKI"),
    ("Muhamad Rizki", "MUHAMMAD RIZKI"),
    ("Mohammad Rizki", "MUHAMMAD RIZKI"),
    ("Mochammad Rizki", "MUHAMMAD RIZKI"),
    ("Mochamad Rizki", "MUHAMMAD RIZKI"),
    ("Moh. Rizki", "MUHAMMAD RIZKI"),
    ("Moch. Rizki", "MUHAMMAD RIZKI"),
    ("Muh. Rizki", "MUHAMMAD RIZKI"),
    ("M. Rizki", "MUHAMMAD RIZKI"),
    ("M Rizki", "MUHAMMAD RIZKI"),
    ("Moch.", "MUHAMMAD"),
    ("Rizki Muhamad", "RIZKI MUHAMMAD"),
    ("Agoes Soepriatna", "AGUS SUPRIATNA"),
    ("Djadjang Soedrajat", "JAJANG SUDRAJAT"),
    ("Tjetjep Soeryadi", "CECEP SURYADI"),
    ("Sjamsul Hidajat", "SYAMSUL HIDAJAT"),
    ("Achmad Junaedi", "AHMAD JUNAEDI"),
    ("Ma'ruf Amin", "MARUF AMIN"),
    ("Nur-Aini", "NUR AINI"),
    ("Asep", "ASEP"),
    ("ASEP", "ASEP"),
    ("H. Asep", "ASEP"),
]
# Spellings the canonical form must keep: a rule that is unsafe in general must not fire.
KEPT = [
    ("Panji Sanjaya", "PANJI SANJAYA"),  # nj is modern here, not old ny
    ("Jajang Sujana", "JAJANG SUJANA"),  # j is modern j, not old y
    ("Chairul Anwar", "CHAIRUL ANWAR"),  # ch→kh is not universal
    ("Heri Hermawan", "HERI HERMAWAN"),  # starts with H, is no title
    ("Drajat Iskandar", "DRAJAT ISKANDAR"),  # starts with Dr, is no title
    ("Irma Suryani", "IRMA SURYANI"),  # starts with Ir
    ("Asep M.", "ASEP M"),  # a final initial is no Muhammad
    ("M.", "M"),  # a bare M could be any name
    ("Sepriadi S.", "SEPRIADI S"),  # a final initial is no degree
    ("H.", "H"),  # only a title: kept rather than emptied
]
# Pairs that are written differently but share the loose comparison key.
SAME_KEY = [
    ("Jusuf Hidayat", "Yusuf Hidayat"),  # old j = y
    ("Jeti Suryani", "Yeti Suryani"),
    ("Chairul Anwar", "Khairul Anwar"),
    ("Achmad", "Ahmad"),
    ("Fitri Elly", "Pitri Eli"),  # Sundanese f/p, doubled letters, final y/i
    ("Muhammad Thaufik", "Muhamad Taufik"),
]
DIFFERENT_KEY = [("Asep Saepudin", "Asep Supriatna"), ("Siti Aminah", "Siti Aisyah"), ("Dedi", "Dodi")]


@pytest.mark.parametrize(("written", "canonical"), CANONICAL + KEPT)
def test_a_name_has_one_canonical_form(written, canonical):
    assert normalize_name(written) == canonical


@pytest.mark.parametrize(("a", "b"), SAME_KEY)
def test_spelling_variants_share_the_loose_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT_KEY)
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_missing_and_empty_names_are_null():
    assert normalize_name(None) is None
    assert normalize_name("") is None
    assert normalize_name(" .,- ") is None


def _sql_forms(names: list[str | None]) -> list[tuple[str | None, str | None]]:
    con = duckdb.connect()
    register_macros(con)
    frame = pl.DataFrame({"nama": names}, schema={"nama": pl.String})  # noqa: F841 (read by DuckDB by name)
    return con.execute("SELECT nama_baku(nama), nama_kunci(nama) FROM frame").fetchall()


def test_vectorised_sql_agrees_with_the_scalar_form_on_every_case():
    names = [w for w, _ in CANONICAL + KEPT] + [n for pair in SAME_KEY + DIFFERENT_KEY for n in pair] + [None, ""]
    assert _sql_forms(names) == [(normalize_name(n), name_key(n)) for n in names]


_PIECES = st.sampled_from(
    list("aAbcdDeEhHjJkmMoOsStTuUyY .,'-\té0") + ["ß", "Ï", "Hj.", "S.Pd", "Moch.", "M. ", ", ", "oe", "dj", "tj"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=12).map("".join), min_size=1, max_size=200))
def test_vectorised_sql_agrees_with_the_scalar_form_on_any_text(names):
    assert _sql_forms(names) == [(normalize_name(n), name_key(n)) for n in names]


def test_generator_name_variants_meet_in_the_compared_forms():
    """Every way the generator writes a duplicate's name matches the original's key or first name + initials."""
    rng = np.random.default_rng(3)
    female = rng.random(3000) < 0.5
    names = draw_names(rng, female).to_list()
    variants = [variant(n, rng, f) for n, f in zip(names, female)]
    con = duckdb.connect()
    people = pl.DataFrame({"nik": [str(i) for i in range(2 * len(names))], "nama": names + variants})  # noqa: F841 (read by DuckDB by name)
    con.execute("CREATE TABLE people AS SELECT * FROM people")
    columns = PersonColumns(jenis_kelamin=None, tanggal_lahir=None, tempat_lahir=None, no_kk=None, kode_desa=None)
    prepared = con.execute(
        f"SELECT nama_kunci, nama_inisial FROM ({prepare_sql('people', columns)}) ORDER BY CAST(nik AS INTEGER)"
    ).pl()
    original, copy = prepared[: len(names)], prepared[len(names) :]
    agree = (original["nama_kunci"] == copy["nama_kunci"]) | (original["nama_inisial"] == copy["nama_inisial"])
    assert agree.all(), [(n, v) for n, v, ok in zip(names, variants, agree) if not ok][:5]


# --- persons ----------------------------------------------------------------------------------------

DESA_A, DESA_B = "32.11.01.2001", "32.11.05.2003"


def _person(nik, nama, sex, born, kk, desa=DESA_A, place="SUMEDANG"):
    return {"nik": nik, "nama": nama, "jenis_kelamin": sex, "tanggal_lahir": born, "no_kk": kk,
            "kode_desa": desa, "tempat_lahir": place}


def _nik(region: str, born: date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"{region}{day:02d}{born:%m%y}{serial:04d}"


SITI = date(1975, 3, 14)
OMAN = date(1968, 8, 2)
JAJANG = date(1981, 1, 9)
DEDI_SR, DEDI_JR = date(1970, 5, 5), date(1998, 11, 23)
ASEP_1, ASEP_2 = date(1990, 2, 1), date(1985, 6, 30)
NURHASANAH = date(1979, 12, 12)

HAND_MADE = [
    # the same person twice: titles and case
    _person(_nik("321101", SITI, True, 8001), "Hj. Siti Aminah", "P", SITI, "3211010101108001"),
    _person(_nik("321105", SITI, True, 8002), "SITI AMINAH", "P", SITI, "3211010101108001"),
    # the same person twice: degrees after a comma, another NIK region
    _person(_nik("321101", OMAN, False, 8003), "Drs. H. Oman Sutisna, M.Pd.", "L", OMAN, "3211010101108002"),
    _person(_nik("321112", OMAN, False, 8004), "Oman Sutisna", "L", OMAN, "3211010101108002"),
    # the same person twice: old spelling and Moch., on a new family card
    _person(_nik("321101", JAJANG, False, 8005), "Moch. Djadjang Supriatna", "L", JAJANG, "3211010101108003"),
    _person(_nik("321101", JAJANG, False, 8006), "Muhammad Jajang Supriatna", "L", JAJANG, "3211010101108004"),
    # father and son of one name on one family card: two people
    _person(_nik("321101", DEDI_SR, False, 8007), "Dedi Iskandar", "L", DEDI_SR, "3211010101108005"),
    _person(_nik("321101", DEDI_JR, False, 8008), "Dedi Iskandar", "L", DEDI_JR, "3211010101108005"),
    # a common single name, same desa, other birth dates and families: two people
    _person(_nik("321101", ASEP_1, False, 8009), "Asep", "L", ASEP_1, "3211010101108006"),
    _person(_nik("321101", ASEP_2, False, 8010), "ASEP", "L", ASEP_2, "3211010101108007"),
    # one name and birth date, but other kecamatan and families: two people
    _person(_nik("321101", NURHASANAH, True, 8011), "Siti Nurhasanah", "P", NURHASANAH, "3211010101108008"),
    _person(_nik("321105", NURHASANAH, True, 8012), "Siti Nurhasanah", "P", NURHASANAH, "3211050101108009", DESA_B),
]
LINKED = {frozenset((HAND_MADE[i]["nik"], HAND_MADE[i + 1]["nik"])) for i in (0, 2, 4)}
APART = {frozenset((HAND_MADE[i]["nik"], HAND_MADE[i + 1]["nik"])) for i in (6, 8, 10)}
MODEL_COLUMNS = ["nik", "nama", "jenis_kelamin", "tanggal_lahir", "no_kk", "kode_desa", "tempat_lahir"]


@pytest.fixture(scope="module")
def registry(small_regency):
    """The small synthetic regency's registry with the hand-made people added, in DuckDB."""
    people = small_regency.frames["penduduk"].select(MODEL_COLUMNS)
    hand = pl.DataFrame(HAND_MADE).select(MODEL_COLUMNS).cast(people.schema)
    con = duckdb.connect()
    frame = pl.concat([people, hand])  # noqa: F841 (read by DuckDB by name)
    con.execute("CREATE TABLE penduduk AS SELECT * FROM frame")
    return con


@pytest.fixture(scope="module")
def duplicates(registry):
    return find_duplicate_persons(registry, "penduduk")


def _pairs(frame: pl.DataFrame) -> set[frozenset]:
    return {frozenset(p) for p in zip(frame["nik_l"], frame["nik_r"])}


def test_the_same_person_under_two_niks_is_linked(duplicates):
    assert LINKED <= _pairs(duplicates)


def test_different_people_who_share_a_name_are_not_linked(duplicates):
    assert not APART & _pairs(duplicates)


def test_generated_duplicates_are_found_with_high_precision_and_recall(small_regency, duplicates):
    truth = small_regency.ground_truth().filter(pl.col("error_kind") == "duplikat_nik_berbeda")
    expected = {frozenset(p) for p in zip(truth["record_key"], truth["related_key"])}
    found = _pairs(duplicates) - LINKED
    assert len(expected) >= 50
    assert len(found & expected) / len(found) >= 0.99
    assert len(found & expected) / len(expected) >= 0.95


def test_pairs_carry_probability_per_field_weights_and_a_stable_cluster(duplicates):
    assert (duplicates["match_probability"] >= 0.99).all()
    weights = [c for c in duplicates.columns if c.startswith("w_")]
    assert set(weights) == {"w_nama", "w_tanggal_lahir", "w_jenis_kelamin", "w_nik_wilayah", "w_no_kk", "w_desa",
                            "w_tempat_lahir"}
    # the per-field weights make up the pair's weight (plus the prior, the same for every pair)
    prior = duplicates.select(pl.col("match_weight") - pl.sum_horizontal(weights)).to_series()
    assert prior.max() - prior.min() < 1e-6
    # a cluster is named by its smallest NIK
    for row in duplicates.iter_rows(named=True):
        assert row["cluster_id"] == min(row["nik_l"], row["nik_r"])


def test_same_data_same_pairs_also_with_a_saved_model(registry, duplicates):
    model = json.loads(json.dumps(train_person_model(registry, "penduduk")))  # as stored and read back
    again = find_duplicate_persons(registry, "penduduk", model=model)
    assert again.select("nik_l", "nik_r", "cluster_id").equals(duplicates.select("nik_l", "nik_r", "cluster_id"))
    assert np.allclose(again["match_probability"].to_numpy(), duplicates["match_probability"].to_numpy())


def test_a_cluster_is_explained_in_words_without_personal_data(duplicates):
    siti = min(HAND_MADE[0]["nik"], HAND_MADE[1]["nik"])
    words = explain_cluster(duplicates, siti)
    assert "2 catatan penduduk" in words["id"]
    assert "Mendukung: " in words["id"] and "Melemahkan" not in words["id"]
    assert "nama sama setelah gelar, ejaan lama dan tanda baca dibakukan" in words["id"]
    assert "tanggal lahir sama" in words["id"] and "No. KK sama" in words["id"]
    assert "birth date identical" in words["en"]
    assert "Siti" not in words["id"] + words["en"] and siti not in words["id"] + words["en"]
    jajang = duplicates.filter(pl.col("cluster_id") == min(HAND_MADE[4]["nik"], HAND_MADE[5]["nik"])).row(0, named=True)
    assert "Melemahkan: No. KK berbeda" in explain_pair(jajang)["id"]


def test_records_outside_the_registry_are_linked_to_the_person_they_are(small_regency, registry):
    """A program list whose NIKs are not in the registry (the generated duplicates, removed from it)."""
    truth = small_regency.ground_truth().filter(pl.col("error_kind") == "duplikat_nik_berbeda")
    registry.execute("CREATE OR REPLACE TABLE copies AS SELECT * FROM penduduk WHERE nik IN (SELECT record_key FROM truth)")
    registry.execute("CREATE OR REPLACE TABLE registry AS SELECT * FROM penduduk WHERE nik NOT IN (SELECT record_key FROM truth)")
    # a program list has no birth date, sex or birth place: the NIK brings the first two
    listing = registry.execute(  # noqa: F841 (read by DuckDB by name)
        "SELECT 'P-' || nik AS id_penerima, nik, nama, no_kk, kode_desa FROM copies"
        " UNION ALL (SELECT 'P-0', nik, nama, no_kk, kode_desa FROM registry LIMIT 1)"  # one already registered
    ).pl()
    registry.execute("CREATE OR REPLACE TABLE program AS SELECT * FROM listing")
    columns = PersonColumns(jenis_kelamin=None, tanggal_lahir=None, tempat_lahir=None)
    links = link_to_registry(registry, "program", "registry", records_columns=columns, records_key="id_penerima")
    expected = dict(zip(truth["record_key"], truth["related_key"]))
    assert links["record_key"].is_unique().all()
    assert "P-0" not in links["record_key"]
    correct = sum(expected[r["nik_l"]] == r["nik_r"] for r in links.iter_rows(named=True))
    assert correct / len(links) >= 0.99
    assert correct / len(expected) >= 0.95
    assert (links["cluster_id"] == links["nik_r"]).all()
    assert "w_tempat_lahir" not in links.columns and "w_no_kk" in links.columns


def test_records_all_in_the_registry_give_no_links(registry):
    registry.execute("CREATE OR REPLACE TABLE registered AS SELECT nik, nama FROM penduduk LIMIT 5")
    columns = PersonColumns(jenis_kelamin=None, tanggal_lahir=None, tempat_lahir=None, no_kk=None, kode_desa=None)
    links = link_to_registry(registry, "registered", "penduduk", records_columns=columns)
    assert links.is_empty()
    assert links.columns[:3] == ["record_key", "nik_l", "nik_r"]


def test_linkage_only_reads_the_warehouse(tmp_path, small_regency):
    """It runs on a read-only warehouse file and leaves no table or setting behind."""
    path = tmp_path / "warehouse.duckdb"
    people = small_regency.frames["penduduk"]  # noqa: F841 (read by DuckDB by name)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE penduduk AS SELECT * FROM people")
    with duckdb.connect(str(path), read_only=True) as con:
        find_duplicate_persons(con, "penduduk")
        link_to_registry(con, "penduduk", "penduduk")
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("penduduk",)]
        assert con.execute("SELECT current_schema()").fetchone() == ("main",)


def test_a_registry_without_candidate_pairs_gives_no_pairs_not_an_error(small_regency):
    """The first 3,000 residents: no duplicates among them, so some training samples are empty."""
    con = duckdb.connect()
    people = small_regency.frames["penduduk"].head(3000)  # noqa: F841 (read by DuckDB by name)
    con.execute("CREATE TABLE penduduk AS SELECT * FROM people")
    assert find_duplicate_persons(con, "penduduk").is_empty()
