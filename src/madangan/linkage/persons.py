"""The same person under different NIKs or spellings: probabilistic record linkage with Splink.

    find_duplicate_persons(con, "penduduk")                      pairs within the population registry
    link_to_registry(con, "penerima_bansos", "penduduk", ...)    records whose NIK is not in the registry
                                                                 → the registry person they most likely are
    explain_pair(row) / explain_cluster(pairs, cluster_id)       why, in words (Bahasa Indonesia and English)

Both take a raw DuckDB connection (the warehouse: `madangan.warehouse.connect(path).con`)
and return a Polars DataFrame with one row per linked pair:

    nik_l, nik_r            the two NIKs (for link_to_registry: the record's NIK and the registry NIK)
    match_probability       0..1
    match_weight            log2 Bayes factor of the whole pair
    w_<field>               the field's part of match_weight (term-frequency adjustment included):
                            w_nama, w_tanggal_lahir, w_jenis_kelamin, w_nik_wilayah, w_no_kk,
                            w_desa, w_tempat_lahir (only those both sides have)
    g_<field>               the field's agreement level (see LEVELS; -1 = a value is missing)
    cluster_id              the smallest NIK of the pair's cluster (connected pairs above the
                            threshold), so it is stable across runs

What a generic linker lacks and this adds: Indonesian name normalisation (names.py),
a birth-date comparison that also believes the date embedded in the NIK (digits 7–12,
women's day + 40), a comparison of the NIK's registration region (digits 1–6), and
blocking rules on the normalised name, birth date, family card and desa, so that
comparisons grow about linearly with the population.

The model is trained unsupervised on the data at hand (or passed in as `model=`, from
`train_person_model`): u by random sampling with a fixed seed, m by expectation
maximisation on three blocked samples, so the same data gives the same pairs.
The Splink settings (`person_settings`) hold no DuckDB-specific SQL, so the same settings
run on Spark; only the preparation step here (`prepare_sql`) is DuckDB SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from typing import Literal

import polars as pl

from madangan.linkage.names import fold_sql, normalize_name_sql

logger = logging.getLogger(__name__)

SEED = 7  # random sampling for u: a fixed seed makes the model, and so the pairs, reproducible
DEFAULT_THRESHOLD = 0.99


@dataclass(frozen=True)
class PersonColumns:
    """Which column of a table plays which role; None where the table lacks it.

    A missing birth date or sex is taken from the NIK (digits 7–12).
    """

    nik: str | None = "nik"
    nama: str = "nama"
    jenis_kelamin: str | None = "jenis_kelamin"
    tanggal_lahir: str | None = "tanggal_lahir"
    tempat_lahir: str | None = "tempat_lahir"
    no_kk: str | None = "no_kk"
    kode_desa: str | None = "kode_desa"

    def present(self) -> set[str]:
        return {f.name for f in fields(self) if getattr(self, f.name) is not None}


#: The population registry's columns (sectors/population PENDUDUK contract).
PENDUDUK_COLUMNS = PersonColumns()


# Agreement levels of each comparison, most similar first (gamma counts down to 0 = else),
# in words for findings: (Bahasa Indonesia, English).
LEVELS: dict[str, list[tuple[str, str]]] = {
    "nama": [
        ("sama setelah gelar, ejaan lama dan tanda baca dibakukan",
         "identical once titles, old spelling and punctuation are normalised"),
        ("sama menurut ejaan longgar (j/y, kh/h, f/p, huruf ganda)",
         "identical under loose spelling (j/y, kh/h, f/p, double letters)"),
        ("sangat mirip", "very similar"),
        ("nama depan dan inisial sama", "same first name and initials"),
        ("mirip", "similar"),
        ("hanya nama depan sama", "only the first name agrees"),
        ("berbeda", "different"),
    ],
    "tanggal_lahir": [
        ("sama", "identical"),
        ("cocok dengan tanggal lahir dalam NIK", "matches the birth date in the NIK"),
        ("beda satu angka", "one digit apart"),
        ("tahun sama", "same year"),
        ("berbeda", "different"),
    ],
    "jenis_kelamin": [("sama", "same"), ("berbeda", "different")],
    "nik_wilayah": [("kecamatan sama", "same kecamatan"), ("kabupaten sama", "same regency"), ("berbeda", "different")],
    "no_kk": [("sama", "same"), ("berbeda", "different")],
    "desa": [("sama", "same"), ("lain desa, kecamatan sama", "other desa, same kecamatan"), ("berbeda", "different")],
    "tempat_lahir": [("sama", "same"), ("berbeda", "different")],
}

FIELD_TITLES: dict[str, tuple[str, str]] = {
    "nama": ("nama", "name"),
    "tanggal_lahir": ("tanggal lahir", "birth date"),
    "jenis_kelamin": ("jenis kelamin", "sex"),
    "nik_wilayah": ("wilayah pendaftaran NIK", "NIK registration region"),
    "no_kk": ("No. KK", "family card"),
    "desa": ("desa", "desa"),
    "tempat_lahir": ("tempat lahir", "birth place"),
}


# --- preparation: one row per person with the derived columns the model compares ----------------


def _nik_date_sql(nik: str) -> str:
    """The birth date embedded in a NIK (DDMMYY, women day + 40); NULL when it is not a date."""
    part = lambda start: f"try_cast(substr({nik}, {start}, 2) AS INTEGER)"
    year = f"(CASE WHEN {part(11)} <= year(current_date) % 100 THEN 2000 ELSE 1900 END + {part(11)})"
    return f"CASE WHEN length({nik}) = 16 THEN try(make_date({year}, {part(9)}, {part(7)} % 40)) END"


def prepare_sql(table: str, columns: PersonColumns, key: str | None = None, where: str = "TRUE") -> str:
    """SELECT of `table` with the columns the model compares (DuckDB SQL).

    unique_id (the `key` column, default the NIK), nik, nama_baku, nama_kunci (loose key),
    nama_depan (first word of the key), nama_inisial (first word + initials), tanggal_lahir
    (from the NIK when missing), tgl_nik, tanggal_lahir_teks, jenis_kelamin (from the NIK
    when missing), nik_wilayah, nik_tanggal (NIK digits 7–12), no_kk, kode_desa, kecamatan, tempat_lahir.
    """
    c = columns
    nik = f'CAST("{c.nik}" AS VARCHAR)' if c.nik else "CAST(NULL AS VARCHAR)"
    nik_sex = "CASE WHEN try_cast(substr(nik, 7, 2) AS INTEGER) > 40 THEN 'P' WHEN tgl_nik IS NOT NULL THEN 'L' END"
    key_sql = f'CAST("{key}" AS VARCHAR)' if key else nik
    given_date = f'try_cast("{c.tanggal_lahir}" AS DATE)' if c.tanggal_lahir else "CAST(NULL AS DATE)"
    given_sex = f'upper(trim(CAST("{c.jenis_kelamin}" AS VARCHAR)))' if c.jenis_kelamin else "CAST(NULL AS VARCHAR)"

    def text(role: str, upper: bool = False) -> str:
        column = getattr(c, role)
        if column is None:
            return "CAST(NULL AS VARCHAR)"
        value = f'trim(CAST("{column}" AS VARCHAR))'
        return f"nullif({'upper(' + value + ')' if upper else value}, '')"

    # Names repeat a lot: normalise each distinct spelling once, then join.
    return f"""
    WITH base AS (
        SELECT {key_sql} AS unique_id, {nik} AS nik, "{c.nama}" AS nama_asli,
               {given_date} AS tanggal_lahir_asli, {given_sex} AS jenis_kelamin_asli,
               {text("no_kk")} AS no_kk, {text("kode_desa")} AS kode_desa, {text("tempat_lahir", upper=True)} AS tempat_lahir,
               {_nik_date_sql(nik)} AS tgl_nik
        FROM "{table}" AS t WHERE {where}
    ), spellings AS (
        SELECT nama_asli, {normalize_name_sql("nama_asli")} AS nama_baku
        FROM (SELECT DISTINCT nama_asli FROM base)
    ), keys AS (
        SELECT nama_asli, nama_baku, {fold_sql("nama_baku")} AS nama_kunci FROM spellings
    ), names AS (
        SELECT *, split_part(nama_kunci, ' ', 1) AS nama_depan,
               regexp_replace(nama_kunci, ' ([A-Z])[A-Z]*', ' \\1', 'g') AS nama_inisial
        FROM keys
    )
    SELECT unique_id, nik, nama_baku, nama_kunci, nama_depan, nama_inisial,
           coalesce(tanggal_lahir_asli, tgl_nik) AS tanggal_lahir, tgl_nik,
           strftime(coalesce(tanggal_lahir_asli, tgl_nik), '%Y%m%d') AS tanggal_lahir_teks,
           coalesce(jenis_kelamin_asli, {nik_sex}) AS jenis_kelamin,
           CASE WHEN tgl_nik IS NOT NULL THEN substr(nik, 1, 6) END AS nik_wilayah,
           CASE WHEN tgl_nik IS NOT NULL THEN substr(nik, 7, 6) END AS nik_tanggal,
           no_kk, kode_desa, substr(kode_desa, 1, 8) AS kecamatan, tempat_lahir
    FROM base LEFT JOIN names USING (nama_asli)
    """


# --- the model -------------------------------------------------------------------------------------


def person_settings(present: set[str], link_type: Literal["dedupe_only", "link_only"] = "dedupe_only"):
    """Splink settings comparing persons on the roles `present` in every table (engine-neutral)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.CustomComparison(
            output_column_name="nama",
            comparison_levels=[
                cll.NullLevel("nama_kunci"),
                cll.ExactMatchLevel("nama_baku", term_frequency_adjustments=True),
                cll.ExactMatchLevel("nama_kunci"),
                cll.JaroWinklerLevel("nama_kunci", 0.92),
                cll.ExactMatchLevel("nama_inisial"),
                cll.JaroWinklerLevel("nama_kunci", 0.80),
                cll.ExactMatchLevel("nama_depan"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="tanggal_lahir",
            comparison_levels=[
                cll.NullLevel("tanggal_lahir"),
                # placeholder dates (1 July, 31 December of a year) are common: weigh by frequency
                cll.ExactMatchLevel("tanggal_lahir", term_frequency_adjustments=True),
                # one record's date typed wrong, the NIK still carries the right one
                cll.CustomLevel(
                    "tgl_nik_l = tanggal_lahir_r OR tanggal_lahir_l = tgl_nik_r OR tgl_nik_l = tgl_nik_r",
                    label_for_charts="matches the NIK's birth date",
                ),
                cll.DamerauLevenshteinLevel("tanggal_lahir_teks", 1),
                cll.CustomLevel("substr(tanggal_lahir_teks_l, 1, 4) = substr(tanggal_lahir_teks_r, 1, 4)",
                                label_for_charts="same year"),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("jenis_kelamin"),
    ]
    if "nik" in present:
        comparisons.append(
            cl.CustomComparison(
                output_column_name="nik_wilayah",
                comparison_levels=[
                    cll.NullLevel("nik_wilayah"),
                    cll.ExactMatchLevel("nik_wilayah"),
                    cll.CustomLevel("substr(nik_wilayah_l, 1, 4) = substr(nik_wilayah_r, 1, 4)",
                                    label_for_charts="same regency"),
                    cll.ElseLevel(),
                ],
            )
        )
    if "no_kk" in present:
        comparisons.append(cl.ExactMatch("no_kk"))
    if "kode_desa" in present:
        comparisons.append(
            cl.CustomComparison(
                output_column_name="desa",
                comparison_levels=[
                    cll.NullLevel("kode_desa"),
                    cll.ExactMatchLevel("kode_desa"),
                    cll.ExactMatchLevel("kecamatan"),
                    cll.ElseLevel(),
                ],
            )
        )
    if "tempat_lahir" in present:
        comparisons.append(cl.ExactMatch("tempat_lahir").configure(term_frequency_adjustments=True))

    rules = [
        block_on("nama_kunci", "tanggal_lahir"),
        block_on("nama_depan", "tanggal_lahir", "kecamatan"),
        block_on("nama_inisial", "nik_tanggal"),
    ]
    if "no_kk" in present:
        rules.append(block_on("no_kk", "nama_depan"))  # birth date mistyped in both, same family
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        additional_columns_to_retain=["nik"],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,  # per-field weights (mw_*) and levels (gamma_*)
        max_iterations=20,
    )


M_FLOOR = 1e-4  # a level never seen among matches in training is rare, not impossible
U_SAMPLE_PAIRS = 2e6  # random pairs for u
EM_MAX_PAIRS = 5e5  # blocked pairs per EM sample


def train_person_model(con, table: str = "penduduk", columns: PersonColumns = PENDUDUK_COLUMNS) -> dict:
    """Train the person model on a registry, unsupervised; returns Splink's model dict (JSON-able).

    The prior from a deterministic rule, u by random sampling (fixed seed), m by expectation
    maximisation on three blocked samples, each trusted for some fields (`_em_plan`).
    m below M_FLOOR is raised to it; a u never seen in the random sample is 1 / sample size.
    Pass the result as `model=` to score several tables with one model.
    """
    with _work_db() as work:
        _load(con, work, "persons", prepare_sql(table, columns))
        return _trained_model(work, ["persons"], columns.present())


def _trained_model(con, tables: list[str], present: set[str]) -> dict:
    """Train on one table (dedupe) or on records × registry (link)."""
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException

    link_type = "link_only" if len(tables) > 1 else "dedupe_only"
    linker, _ = _linker(con, tables, person_settings(present, link_type))
    try:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("nama_kunci", "tanggal_lahir", "jenis_kelamin")], recall=0.8
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        model = linker.misc.save_model_to_json()
        # a table where the deterministic rule found nobody twice still gets a prior above 0
        sizes = [con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables]
        possible = sizes[0] * sizes[1] if len(sizes) > 1 else sizes[0] * (sizes[0] - 1) / 2
        model["probability_two_random_records_match"] = max(
            model["probability_two_random_records_match"], 1 / max(possible, 1)
        )
    finally:
        linker.table_management.delete_tables_created_by_splink_from_db()
    for rule, trains in _em_plan(present):
        linker, _ = _linker(con, tables, model)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
            )
            session = linker.misc.save_model_to_json()
        except (EMTrainingException, ValueError):
            # No pairs in this sample, or no matches among them so EM's match share runs to 0
            # (Splink: math domain error) — a small or clean table. These fields keep Splink's
            # default m; pass `model=` trained on a larger registry for better weights.
            logger.warning("linkage: no pairs to learn %s from; default weights used", sorted(trains))
            continue
        finally:
            linker.table_management.delete_tables_created_by_splink_from_db()
        learned = {c["output_column_name"]: c for c in session["comparisons"]}
        model["comparisons"] = [learned[c["output_column_name"]] if c["output_column_name"] in trains else c
                                for c in model["comparisons"]]
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                level["m_probability"] = max(level.get("m_probability") or M_FLOOR, M_FLOOR)
                if level.get("u_probability") is None:  # never seen in the random sample
                    level["u_probability"] = 1 / U_SAMPLE_PAIRS
    return model


def _em_plan(present: set[str]) -> list[tuple[tuple[str, ...], set[str]]]:
    """EM samples (blocking columns) and the fields whose m each one is trusted to estimate.

    A field is learnt from a sample blocked on other strong identifiers. Samples that
    other structure can dominate are avoided: pairs born the same day in the same desa
    split by NIK registration region (birth-date spikes share NIK prefixes), and pairs
    sharing a name and family card split by birth date (namesakes in one family). The
    birth date is learnt from pairs sharing the NIK's date digits and name initials.
    """
    household = "no_kk" if "no_kk" in present else "kode_desa"
    return [
        (("tanggal_lahir", household), {"nama", "jenis_kelamin", "nik_wilayah", "tempat_lahir"}),
        (("nama_kunci", "tanggal_lahir"), {"no_kk", "desa"}),
        (("nama_inisial", "nik_tanggal"), {"tanggal_lahir"}),
    ]


def _apply_model(settings_dict: dict, model: dict) -> dict:
    """`settings_dict` with the trained m and u of `model`, comparison by comparison, level by level."""
    trained = {c["output_column_name"]: c["comparison_levels"] for c in model["comparisons"]}
    for comparison in settings_dict["comparisons"]:
        for level, source in zip(comparison["comparison_levels"], trained[comparison["output_column_name"]]):
            for key in ("m_probability", "u_probability", "tf_minimum_u_value"):
                if source.get(key) is not None:
                    level[key] = source[key]
    return settings_dict


def find_duplicate_persons(
    con,
    table: str = "penduduk",
    columns: PersonColumns = PENDUDUK_COLUMNS,
    threshold: float = DEFAULT_THRESHOLD,
    model: dict | None = None,
) -> pl.DataFrame:
    """Pairs of records in `table` (one per NIK) that are probably the same person.

    con: raw duckdb connection; columns: which column plays which role; threshold: minimum
    match_probability; model: from `train_person_model` (default: trained on `table` now).
    Returns the pair frame described in the module docstring, sorted by cluster_id, then
    match_weight descending.
    """
    if columns.nik is None:
        raise ValueError("find_duplicate_persons needs the NIK column (it identifies the records)")
    present = columns.present()
    with _work_db() as work:
        _load(con, work, "persons", prepare_sql(table, columns))
        if model is None:
            model = _trained_model(work, ["persons"], present)
        settings = _apply_model(person_settings(present, "dedupe_only").create_settings_dict("duckdb"), model)
        settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
        pairs = _predict(work, ["persons"], settings, present, threshold)
        return _with_clusters(work, pairs)


def link_to_registry(
    con,
    records_table: str,
    registry_table: str = "penduduk",
    records_columns: PersonColumns = PENDUDUK_COLUMNS,
    registry_columns: PersonColumns = PENDUDUK_COLUMNS,
    records_key: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    model: dict | None = None,
) -> pl.DataFrame:
    """For each record of `records_table` whose NIK is missing from `registry_table`: the registry
    person it most likely is (at most one, above `threshold`).

    records_key: the records' key column (e.g. "id_penerima"; default their NIK column).
    model: default trained now on these records against the registry (needs some hundreds of
    records); for a short list pass one from `train_person_model` on a registry that has
    duplicates of its own. The prior is that half of such records are someone in the registry. Returns the pair frame of the module
    docstring plus `record_key`; nik_l is the record's NIK, nik_r the registry NIK, and
    cluster_id the registry NIK.
    """
    if registry_columns.nik is None:
        raise ValueError("the registry needs a NIK column")
    key = records_key or records_columns.nik
    if key is None:
        raise ValueError("records need a key column or a NIK column")
    reg_nik = f'CAST(r."{registry_columns.nik}" AS VARCHAR)'
    record_nik = f'CAST(t."{records_columns.nik}" AS VARCHAR)' if records_columns.nik else "NULL"
    outside = f'{record_nik} IS NULL OR NOT EXISTS (SELECT 1 FROM "{registry_table}" r WHERE {reg_nik} = {record_nik})'
    present = records_columns.present() & registry_columns.present() | {"nik"}
    with _work_db() as work:
        if _load(con, work, "records", prepare_sql(records_table, records_columns, key, where=outside)) == 0:
            return _empty(present, with_record_key=True)
        registry_size = _load(con, work, "registry", prepare_sql(registry_table, registry_columns))
        if model is None:
            model = _trained_model(work, ["records", "registry"], present)
        settings = _apply_model(person_settings(present, "link_only").create_settings_dict("duckdb"), model)
        settings["probability_two_random_records_match"] = 0.5 / max(registry_size, 1)
        pairs = _predict(work, ["records", "registry"], settings, present, threshold)
    best = (
        pairs.sort("match_weight", descending=True)
        .unique("unique_id_l", keep="first", maintain_order=True)
        .rename({"unique_id_l": "record_key"})
        .with_columns(cluster_id=pl.col("nik_r"))
    )
    return best.drop("unique_id_r").sort("record_key")


# --- running Splink --------------------------------------------------------------------------------


def _work_db():
    """An in-memory DuckDB for Splink's work tables: the warehouse is only read (it may be read-only)."""
    import duckdb

    return duckdb.connect()


def _load(con, work, name: str, select_sql: str) -> int:
    """Run the preparation on the warehouse, stream it (Arrow) into the work database; its row count."""
    reader = con.execute(select_sql).to_arrow_reader()  # noqa: F841 (read by name below)
    work.execute(f'CREATE TABLE "{name}" AS SELECT * FROM reader')
    return work.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]


def _linker(con, tables: list[str], settings):
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)  # Splink logs progress, never data; keep it quiet
    db_api = DuckDBAPI(connection=con)
    inputs = [db_api.register(t, dataset_display_name=t) for t in tables]
    return Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=logging.ERROR), db_api


def _predict(con, tables: list[str], settings: dict, present: set[str], threshold: float) -> pl.DataFrame:
    linker, _ = _linker(con, tables, settings)
    try:
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        names = _fields(present)
        columns = _columns(predictions)
        weight = lambda n: f"mw_{n}" + (f" + coalesce(mw_tf_adj_{n}, 0)" if f"mw_tf_adj_{n}" in columns else "")
        # In a link job the records table (the first input) goes on the left.
        flip = f"source_dataset_l <> '{tables[0]}'" if len(tables) > 1 else "FALSE"
        side = lambda col, s, o: f"CASE WHEN {flip} THEN {col}_{o} ELSE {col}_{s} END AS {col}_{s}"
        select = ", ".join(
            [
                side("unique_id", "l", "r"), side("unique_id", "r", "l"), side("nik", "l", "r"), side("nik", "r", "l"),
                "match_probability",
                "match_weight",
                *(f"{weight(n)} AS w_{n}" for n in names),
                *(f"gamma_{n} AS g_{n}" for n in names),
            ]
        )
        return con.execute(f"SELECT {select} FROM {predictions.physical_name}").pl()
    finally:
        linker.table_management.delete_tables_created_by_splink_from_db()


def _columns(splink_df) -> set[str]:
    return {c.unquote().name for c in splink_df.columns}


def _with_clusters(work, pairs: pl.DataFrame) -> pl.DataFrame:
    """Connected components of the pairs (Splink's clustering), named by their smallest NIK."""
    if pairs.is_empty():
        return pairs.drop("unique_id_l", "unique_id_r").with_columns(cluster_id=pl.lit(None, pl.String))
    from splink import DuckDBAPI
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    nodes = pl.concat([pairs["unique_id_l"], pairs["unique_id_r"]]).unique().to_frame("unique_id")
    db_api = DuckDBAPI(connection=work)
    clusters = cluster_pairwise_predictions_at_threshold(
        db_api.register(nodes.to_arrow()), db_api.register(pairs.select("unique_id_l", "unique_id_r").to_arrow()),
        db_api, "unique_id",
    ).as_duckdbpyrelation().pl()
    named = clusters.select(
        unique_id_l="unique_id", cluster_id=pl.col("unique_id").min().over("cluster_id").cast(pl.String)
    )
    return (
        pairs.join(named, on="unique_id_l", how="left")
        .drop("unique_id_l", "unique_id_r")
        .sort(["cluster_id", "match_weight"], descending=[False, True])
    )


def _empty(present: set[str], with_record_key: bool = False) -> pl.DataFrame:
    names = _fields(present)
    schema = {"nik_l": pl.String, "nik_r": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64}
    schema |= {f"w_{n}": pl.Float64 for n in names} | {f"g_{n}": pl.Int32 for n in names}
    schema["cluster_id"] = pl.String
    if with_record_key:
        schema = {"record_key": pl.String, **schema}
    return pl.DataFrame(schema=schema)


def _fields(present: set[str]) -> list[str]:
    """The comparisons `person_settings` makes for these roles, in its order."""
    needs = {"nik_wilayah": "nik", "no_kk": "no_kk", "desa": "kode_desa", "tempat_lahir": "tempat_lahir"}
    return [f for f in LEVELS if f not in needs or needs[f] in present]


# --- explanations ----------------------------------------------------------------------------------


def _level(field: str, gamma: int | None) -> tuple[str, str] | None:
    levels = LEVELS[field]
    if gamma is None or gamma < 0:
        return None
    return levels[len(levels) - 1 - gamma]


def explain_pair(row: dict) -> dict[str, str]:
    """Each field's agreement in words, strongest evidence first: {"id": ..., "en": ...}.

    `row` is one row of the pair frame (`frame.row(i, named=True)`). Fields whose weight is
    positive support the link, the others weaken it. No names or NIKs appear in the text,
    so it can be stored and shown wherever the finding is.
    """
    support, against = [], []
    for field in LEVELS:
        level = _level(field, row.get(f"g_{field}"))
        if level is None:
            continue
        title, weight = FIELD_TITLES[field], row[f"w_{field}"]
        (support if weight > 0 else against).append((abs(weight), f"{title[0]} {level[0]}", f"{title[1]} {level[1]}"))
    support.sort(reverse=True)
    against.sort(reverse=True)
    probability = f"{row['match_probability']:.2%}"
    text_id = f"Kemungkinan orang yang sama: {probability}. Mendukung: " + "; ".join(p[1] for p in support) + "."
    text_en = f"Probably the same person: {probability}. For: " + "; ".join(p[2] for p in support) + "."
    if against:
        text_id += " Melemahkan: " + "; ".join(p[1] for p in against) + "."
        text_en += " Against: " + "; ".join(p[2] for p in against) + "."
    return {"id": text_id, "en": text_en}


def explain_cluster(pairs: pl.DataFrame, cluster_id: str) -> dict[str, str]:
    """A cluster in words: how many records, and for each of its pairs what agreed ({"id", "en"})."""
    members = pairs.filter(pl.col("cluster_id") == cluster_id)
    if members.is_empty():
        raise KeyError(cluster_id)
    records = pl.concat([members["nik_l"], members["nik_r"]]).n_unique()
    lines_id = [f"{records} catatan penduduk kemungkinan orang yang sama ({len(members)} pasangan)."]
    lines_en = [f"{records} person records are probably the same person ({len(members)} pair"
                f"{'s' if len(members) > 1 else ''})."]
    for row in members.iter_rows(named=True):
        words = explain_pair(row)
        lines_id.append(f"- {words['id']}")
        lines_en.append(f"- {words['en']}")
    return {"id": "\n".join(lines_id), "en": "\n".join(lines_en)}


__all__ = [
    "DEFAULT_THRESHOLD", "LEVELS", "PENDUDUK_COLUMNS", "PersonColumns", "explain_cluster", "explain_pair",
    "find_duplicate_persons", "link_to_registry", "person_settings", "prepare_sql",
]
