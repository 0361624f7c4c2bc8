"""SPBE Living Lab: the instrument, the index, the planner, the workflow, import/export, benchmarking."""

from __future__ import annotations

import copy
import itertools
import tomllib
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madangan.access import Principal, Role
from madangan.appdb import make_engine, migrate
from madangan.errors import UserError
from madangan.sectors.spbe import benchmark, files, planner, store
from madangan.sectors.spbe.instrument import load, parse
from madangan.sectors.spbe.synth import generate, regencies

SPBE = load()
ALL = [i.id for i in SPBE.indicators]


def levels(default: int, **overrides) -> dict[str, int]:
    """Every indicator at `default`, with ranges overridden: levels(2, r32_47=3, r21_21=3)."""
    result = {i: default for i in ALL}
    for key, level in overrides.items():
        lo, hi = map(int, key[1:].split("_"))
        result.update({str(n): level for n in range(lo, hi + 1)})
    return result


def raw_instrument() -> dict:
    text = (resources.files("madangan.sectors.spbe") / "data" / "spbe-2020.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


# --- the instrument ------------------------------------------------------------------------------


def test_the_shipped_instrument_has_the_regulation_shape_and_weights():
    assert (len(SPBE.domains), len(SPBE.aspects), len(SPBE.indicators)) == (4, 8, 47)
    assert {d.name: d.weight for d in SPBE.domains} == {
        "Kebijakan Internal SPBE": 13, "Tata Kelola SPBE": 25, "Manajemen SPBE": Decimal("16.5"), "Layanan SPBE": Decimal("45.5")}
    assert [a.weight for a in SPBE.aspects] == [13, 10, 10, 5, 12, Decimal("4.5"), Decimal("27.5"), 18]
    expected = {range(1, 11): "1.3", range(11, 21): "2.5", range(21, 32): "1.5", range(32, 42): "2.75", range(42, 48): "3"}
    for numbers, weight in expected.items():
        assert {SPBE.indicator(str(n)).weight for n in numbers} == {Decimal(weight)}
    assert [lv.name for lv in SPBE.levels] == ["Rintisan", "Terkelola", "Terstandarisasi", "Terintegrasi dan Terukur", "Optimum"]
    assert SPBE.indicator("43").name == "Tingkat Kematangan Layanan Data Terbuka"
    assert SPBE.level_description(SPBE.indicator("43"), 1) == "Layanan berupa informasi satu arah"


@pytest.mark.parametrize("change, field", [
    (lambda r: r["indicators"][0].update(weight=1.4), "aspects[A1].weight"),
    (lambda r: r["domains"][1].update(weight=26), "domains[D2].weight"),
    (lambda r: [r[k][-1].update(weight=w) for k, w in (("indicators", 4), ("aspects", 19), ("domains", 46.5))], "indicators.weight"),
    (lambda r: r["indicators"][5].update(aspect="A9"), "indicators[6].aspect"),
    (lambda r: r["indicators"][2].pop("name"), "indicators.2.name"),
    (lambda r: r["aspects"][1].update(domain="D7"), "aspects[A2].domain"),
    (lambda r: r["predicates"].reverse(), "predicates.min"),
    (lambda r: r["indicators"].append(dict(r["indicators"][0])), "indicators: id ganda ['1']"),
])
def test_a_malformed_instrument_is_refused_naming_the_field(change, field):
    raw = copy.deepcopy(raw_instrument())
    change(raw)
    with pytest.raises(UserError) as refused:
        parse(raw, "rusak.toml")
    assert "rusak.toml" in str(refused.value)
    assert field in str(refused.value)


def test_another_instrument_fits_as_data_without_code_changes(tmp_path):
    """A LOSI-like instrument: binary indicators (0/1), two criteria of unequal weight."""
    path = tmp_path / "losi-mini.toml"
    path.write_text("""
id = "losi-mini"
version = "1"
name = "LOSI (contoh kecil)"
[scale]
min = 0
max = 1
[[levels]]
level = 0
name = "Tidak"
[[levels]]
level = 1
name = "Ya"
[[predicates]]
name = "Tinggi"
min = 0.75
[[predicates]]
name = "Rendah"
min = 0
[[domains]]
id = "L"
name = "LOSI"
weight = 100
[[aspects]]
id = "content"
domain = "L"
name = "Content"
weight = 60
[[aspects]]
id = "services"
domain = "L"
name = "Services"
weight = 40
[[indicators]]
id = "C1"
aspect = "content"
name = "Contact information"
weight = 30
[[indicators]]
id = "C2"
aspect = "content"
name = "Organisational structure"
weight = 30
[[indicators]]
id = "S1"
aspect = "services"
name = "Online payment"
weight = 40
""", encoding="utf-8")
    from madangan.sectors.spbe.instrument import load_file

    losi = load_file(path)
    score = losi.score({"C1": 1, "C2": 1, "S1": 0})
    assert score.index == Decimal("0.60") and score.predicate == "Rendah"
    assert score.aspects == {"content": 1, "services": 0}
    assert losi.score({"C1": 1, "C2": 0, "S1": 1}).predicate == "Rendah"  # 0.70
    assert losi.score({"C1": 1, "C2": 1, "S1": 1}).predicate == "Tinggi"


# --- the index -----------------------------------------------------------------------------------


@pytest.mark.parametrize("given_levels, index, predicate", [
    (levels(1), "1.00", "Kurang"),
    (levels(3), "3.00", "Baik"),
    (levels(5), "5.00", "Memuaskan"),
    # D1 at 5, the rest at 1: (5 × 13 + 1 × 87) / 100
    (levels(1, r1_10=5), "1.52", "Kurang"),
    # services: A8 at 4 (18 × 4 = 72), A7 at 3 (27.5 × 3 = 82.5), the other 54.5 % at 2 (109): 263.5 / 100
    (levels(2, r32_41=3, r42_47=4), "2.64", "Baik"),
    # 2 + (27.5 + 18 + 12.5 + 1.5) / 100 = 2.595, published as 2.60: Baik
    (levels(2, r32_47=3, r11_15=3, r21_21=3), "2.60", "Baik"),
    # one Manajemen indicator less: 2.58, Cukup
    (levels(2, r32_47=3, r11_15=3), "2.58", "Cukup"),
])
def test_index_and_predicate_by_hand(given_levels, index, predicate):
    score = SPBE.score(given_levels)
    assert score.index == Decimal(index)
    assert score.predicate == predicate


def test_domain_and_aspect_indices_are_weighted_means_of_their_own_indicators():
    score = SPBE.score(levels(2, r32_41=3, r42_47=4))
    assert score.aspects["A7"] == 3 and score.aspects["A8"] == 4 and score.aspects["A1"] == 2
    # D4 = (27.5 × 3 + 18 × 4) / 45.5 = 154.5 / 45.5
    assert score.domains["D4"] == Decimal("154.5") / Decimal("45.5")
    assert round(score.domains["D4"], 2) == Decimal("3.40")
    # Manajemen: 8 indicators at 4 and 3 at 1 → (8 × 4 + 3 × 1) × 1.5 / 16.5
    mixed = SPBE.score(levels(3, r21_28=4, r29_31=1))
    assert mixed.domains["D3"] == Decimal(35 * Decimal("1.5")) / Decimal("16.5")


@pytest.mark.parametrize("published, label", [
    ("2.40", "Cukup"), ("2.48", "Cukup"), ("2.52", "Cukup"), ("2.59", "Cukup"),
    ("2.64", "Baik"), ("2.68", "Baik"), ("2.95", "Baik"), ("3.00", "Baik"), ("3.22", "Baik"),
    ("3.52", "Sangat Baik"), ("4.13", "Sangat Baik"), ("4.23", "Memuaskan"),
    ("2.60", "Baik"), ("3.50", "Sangat Baik"), ("4.20", "Memuaskan"), ("1.80", "Cukup"), ("1.79", "Kurang"),
])
def test_predicates_agree_with_published_labels_and_cut_offs(published, label):
    """Published index/label pairs from Gorontalo, Sulawesi and DPR reports (domain.md §2.4), and the cut-offs."""
    assert SPBE.predicate(Decimal(published)) == label


def test_missing_or_out_of_scale_levels_are_refused_with_the_indicator_named():
    incomplete = levels(3)
    del incomplete["17"]
    with pytest.raises(UserError, match="17"):
        SPBE.score(incomplete)
    assert SPBE.score(incomplete, partial=True).missing == ("17",)
    with pytest.raises(UserError, match="Indikator 5: tingkat 6"):
        SPBE.score({**levels(3), "5": 6})
    with pytest.raises(UserError, match="48"):
        SPBE.score({**levels(3), "48": 3})


# --- what-if and the planner -----------------------------------------------------------------------


def test_whatif_raises_the_chosen_indicators():
    before, after = planner.whatif(SPBE, levels(3), {"43": 5, "42": 4})
    assert before.index == Decimal("3.00")
    assert after.index == Decimal("3.09")  # + (2 × 3 + 1 × 3) / 100
    with pytest.raises(UserError, match="43"):
        planner.whatif(SPBE, levels(3), {"43": 9})


def test_cheapest_plan_from_three_to_sangat_baik():
    plan = planner.cheapest_plan(SPBE, levels(3), "3.5")
    assert plan.end.index >= Decimal("3.5") and plan.end.predicate == "Sangat Baik"
    # 0.495 × 100 = 49.5 points are needed; the largest step is 3 points, so 16 steps (48) fall short
    assert plan.cost == 17 and len(plan.steps) == 17
    assert [s.index_after for s in plan.steps] == sorted(s.index_after for s in plan.steps)
    assert plan.steps[-1].index_after == plan.end.index


def test_effort_changes_the_plan_and_nothing_is_needed_at_the_target():
    costly_services = {str(n): 10.0 for n in range(32, 48)}
    plan = planner.cheapest_plan(SPBE, levels(3), "3.1", effort=costly_services)
    assert all(int(s.indicator) < 32 for s in plan.steps)
    assert planner.cheapest_plan(SPBE, levels(4), "3.5").steps == ()
    assert planner.cheapest_plan(SPBE, levels(1), "5").cost == 47 * 4
    with pytest.raises(UserError, match="5.01"):
        planner.cheapest_plan(SPBE, levels(1), "5.01")
    with pytest.raises(UserError, match="lebih dari 0"):
        planner.cheapest_plan(SPBE, levels(3), "3.5", effort={"4": 0})


def test_plan_to_next_predicate_stops_at_the_top():
    assert planner.plan_to_next_predicate(SPBE, levels(5)) is None
    plan = planner.plan_to_next_predicate(SPBE, levels(2))
    assert plan.target == Decimal("2.6") and plan.end.predicate == "Baik"


def _small_instrument(weights: list[int], top: int):
    raw = {
        "id": "mini", "version": "1", "name": "mini", "scale": {"min": 1, "max": top},
        "levels": [{"level": n, "name": str(n)} for n in range(1, top + 1)],
        "predicates": [{"name": "Atas", "min": 3}, {"name": "Bawah", "min": 0}],
        "domains": [{"id": "D", "name": "D", "weight": 100}],
        "aspects": [{"id": f"A{n}", "domain": "D", "name": f"A{n}", "weight": w} for n, w in enumerate(weights)],
        "indicators": [{"id": str(n), "aspect": f"A{n}", "name": f"I{n}", "weight": w} for n, w in enumerate(weights)],
    }
    return parse(raw, "mini")


@st.composite
def small_cases(draw):
    n = draw(st.integers(2, 5))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n - 1, max_size=n - 1, unique=True)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    top = draw(st.integers(2, 5))
    current = [draw(st.integers(1, top)) for _ in range(n)]
    effort = [draw(st.integers(1, 5)) for _ in range(n)]
    target = Decimal(draw(st.integers(100, top * 100))) / 100
    return weights, top, current, effort, target


@settings(max_examples=150, deadline=None)
@given(small_cases())
def test_planner_matches_brute_force(case):
    weights, top, current, effort, target = case
    mini = _small_instrument(weights, top)
    have = {str(n): lv for n, lv in enumerate(current)}
    costs = {str(n): float(e) for n, e in enumerate(effort)}
    best = None
    for choice in itertools.product(*[range(lv, top + 1) for lv in current]):
        if mini.score({str(n): lv for n, lv in enumerate(choice)}).index >= target:
            cost = sum((c - lv) * e for c, lv, e in zip(choice, current, effort))
            best = cost if best is None else min(best, cost)
    plan = planner.cheapest_plan(mini, have, target, effort=costs)
    assert best is not None  # every indicator at the top reaches any target up to the scale's maximum
    assert plan.cost == best
    assert plan.end.index >= target
    assert sum(s.cost for s in plan.steps) == best


# --- assessments in the app database ---------------------------------------------------------------


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    migrate(engine)
    return engine


TEAM = Principal(Role.ANALYST, "32.11", username="tim-spbe")
OTHER_TEAM = Principal(Role.ANALYST, "32.04", username="tim-bandung")
VERIFIER = Principal(Role.ADMIN, "32.11", username="asesor")
EXECUTIVE = Principal(Role.EXECUTIVE, "32.11", username="sekda")


def fill(engine, who, region, year, given_levels):
    for indicator, level in given_levels.items():
        store.set_level(engine, who, region, year, indicator, level, justification=f"bukti {indicator}")


def test_workflow_draft_submitted_verified_published_with_history(engine):
    fill(engine, TEAM, "32.11", 2024, levels(3))
    store.add_evidence(engine, TEAM, "32.11", 2024, "43", url="https://data.sumedangkab.go.id")
    with pytest.raises(UserError, match="verifikator|may not|tidak boleh"):
        store.move(engine, TEAM, "32.11", 2024, "verify")
    assert store.move(engine, TEAM, "32.11", 2024, "submit") == "submitted"
    with pytest.raises(UserError, match="hanya draf"):
        store.set_level(engine, TEAM, "32.11", 2024, "43", 5)
    store.verify_level(engine, VERIFIER, "32.11", 2024, "43", 2, note="hanya informasi satu arah")
    assert store.move(engine, VERIFIER, "32.11", 2024, "verify") == "verified"
    assert store.move(engine, VERIFIER, "32.11", 2024, "publish") == "published"
    view = store.get(engine, "32.11", 2024)
    assert view.status == "published"
    assert view.claimed()["43"] == 3 and view.levels()["43"] == 2  # the verifier's level counts
    assert view.index() == Decimal("2.97")
    assert view.evidence["43"][0].url == "https://data.sumedangkab.go.id"
    actions = [e.action for e in store.history(engine, "32.11", 2024)]
    assert actions.count("level") == 47
    assert actions[-4:] == ["submit", "verified_level", "verify", "publish"]


def test_submitting_needs_every_indicator_and_the_submitter_cannot_verify(engine):
    fill(engine, VERIFIER, "32.11", 2023, {i: 3 for i in ALL[:-1]})
    with pytest.raises(UserError, match="47"):
        store.move(engine, VERIFIER, "32.11", 2023, "submit")
    store.set_level(engine, VERIFIER, "32.11", 2023, "47", 2)
    store.move(engine, VERIFIER, "32.11", 2023, "submit")
    with pytest.raises(UserError, match="orang lain"):
        store.move(engine, VERIFIER, "32.11", 2023, "verify")
    store.move(engine, Principal(Role.ADMIN, "32.11", username="asesor-2"), "32.11", 2023, "return", note="lengkapi bukti")
    assert store.get(engine, "32.11", 2023).status == "draft"


def test_a_region_cannot_edit_another_regions_assessment(engine):
    fill(engine, OTHER_TEAM, "32.04", 2024, {"1": 2})
    with pytest.raises(UserError) as refused:
        store.set_level(engine, TEAM, "32.04", 2024, "1", 5)
    assert refused.value.code == 403
    with pytest.raises(UserError):
        store.add_evidence(engine, TEAM, "32.04", 2024, "1", url="https://contoh.go.id")
    with pytest.raises(UserError):
        store.set_level(engine, EXECUTIVE, "32.11", 2024, "1", 5)  # executives read, they do not fill in
    assert store.get(engine, "32.04", 2024).claimed() == {"1": 2}


# --- import and export -----------------------------------------------------------------------------


def test_export_then_import_round_trips_through_excel(engine, tmp_path):
    fill(engine, TEAM, "32.11", 2024, levels(3, r42_47=4))
    store.add_evidence(engine, TEAM, "32.11", 2024, "42", url="https://lapor.go.id")
    out = tmp_path / "penilaian.xlsx"
    assert files.export(engine, out, region_code="32.11", year=2024) == 47
    from openpyxl import load_workbook

    sheet = load_workbook(out)["Penilaian SPBE"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Kode Wilayah", "Nama Wilayah", "Tahun", "Status"]
    row42 = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[6] == 42)
    assert row42[9] == 4 and row42[12] == "https://lapor.go.id" and row42[1] == "Kabupaten Sumedang"
    # the officer changes a level in Excel and sends the file back
    for row in sheet.iter_rows(min_row=2):
        if row[6].value == 43:
            row[9].value = 5
    sheet.parent.save(out)
    assert files.import_levels(engine, TEAM, out) == {("32.11", 2024): 47}
    assert store.get(engine, "32.11", 2024).claimed()["43"] == 5


def test_a_bad_import_names_every_bad_row_and_changes_nothing(engine, tmp_path):
    fill(engine, TEAM, "32.11", 2024, {"1": 2})
    path = tmp_path / "tingkat.csv"
    path.write_text("Kode Wilayah;Tahun;No. Indikator;Tingkat;Penjelasan\n"
                    "32.11;2024;1;4;naik\n"
                    "32.11;2024;2;7;\n"
                    "32.11;2024;99;3;\n"
                    "32.04;2024;3;3;\n"
                    "32.11;dua ribu;4;3;\n", encoding="utf-8")
    with pytest.raises(UserError) as refused:
        files.import_levels(engine, TEAM, path)
    message = str(refused.value)
    assert "tidak ada yang disimpan, 4 baris" in message
    assert "baris 3, kolom 'Tingkat': '7'" in message
    assert "baris 4, kolom 'No. Indikator': '99'" in message
    assert "baris 5: Anda tidak boleh mengisi penilaian 32.04" in message
    assert "baris 6, kolom 'Tahun'" in message
    assert store.get(engine, "32.11", 2024).claimed() == {"1": 2}  # the good row 2 was not applied either


def test_published_results_ship_with_sources_and_load(engine):
    path = resources.files("madangan.sectors.spbe") / "data" / "terbitan.csv"
    with resources.as_file(path) as real:
        assert files.import_published(engine, VERIFIER, real) == 26
        with pytest.raises(UserError):
            files.import_published(engine, TEAM, real)  # only verifiers load published results
    sumedang = store.get(engine, "32.11", 2022)
    assert sumedang.index() == Decimal("3.84") and sumedang.origin == "published" and "108/2023" in sumedang.source_note
    found = benchmark.entries(SPBE, store.for_year(engine, 2024))
    assert [r.entry.region_code for r in benchmark.ranking(found)][:2] == ["75", "75.03"]


# --- benchmarking ----------------------------------------------------------------------------------


def test_synthetic_benchmark_covers_every_regency_and_is_seeded():
    codes = regencies()
    assert len(codes) == 514
    first, again, other = generate(SPBE, 2024, 7), generate(SPBE, 2024, 7), generate(SPBE, 2024, 8)
    assert first == again and first != other
    indices = [SPBE.score(lv).index for lv in first.values()]
    mean = sum(indices) / len(indices)
    assert Decimal("2.2") < mean < Decimal("2.9")


def test_ranking_peers_gaps_and_who_to_learn_from(engine):
    fill(engine, TEAM, "32.11", 2024, levels(3))
    rows = [{"region": "32.04", "year": 2024, "levels": levels(3, r43_43=5), "note": "uji"},
            {"region": "32.73", "year": 2024, "levels": levels(4, r43_43=4), "note": "uji"},
            {"region": "35.10", "year": 2024, "levels": levels(2, r43_43=5), "note": "uji"},
            {"region": "32.05", "year": 2024, "index": Decimal("3.10"), "note": "hanya total"}]
    store.load_published(engine, VERIFIER, rows)
    found = benchmark.entries(SPBE, store.for_year(engine, 2024))
    ranked = benchmark.ranking(found)
    assert [(r.rank, r.entry.region_code) for r in ranked] == [(1, "32.73"), (2, "32.05"), (3, "32.04"), (4, "32.11"), (5, "35.10")]
    own = next(e for e in found if e.region_code == "32.11")
    province = benchmark.peers("32.11", found, "province")
    assert {e.region_code for e in province} == {"32.11", "32.04", "32.73", "32.05"}
    assert {e.region_code for e in benchmark.peers("32.11", found, "kind")} == {"32.11", "32.04", "32.05", "35.10"}
    gaps = {g.indicator: g for g in benchmark.gaps(SPBE, own, province)}
    assert gaps["43"].best == 5 and gaps["43"].gap == 2 and gaps["43"].index_points == Decimal("0.06")
    assert [e.region_code for e in gaps["43"].learn_from] == ["32.04"]
    assert gaps["1"].best == 4 and [e.region_code for e in gaps["1"].learn_from] == ["32.73"]


def test_postgres_holds_assessments_too(postgres_url):
    engine = make_engine(postgres_url)
    migrate(engine)
    fill(engine, TEAM, "32.11", 2025, levels(4))
    store.move(engine, TEAM, "32.11", 2025, "submit")
    with pytest.raises(UserError):
        store.set_level(engine, TEAM, "32.11", 2025, "1", 1)
    view = store.get(engine, "32.11", 2025)
    assert view.status == "submitted" and view.index() == Decimal("4.00")
    engine.dispose()


# --- the command line ------------------------------------------------------------------------------


def test_cli_scores_plans_imports_and_benchmarks(tmp_path):
    from test_cli import assert_clean_failure, run

    levels_file = tmp_path / "tingkat.csv"
    levels_file.write_text("No. Indikator;Tingkat\n" + "".join(f"{n};{4 if n >= 42 else 3}\n" for n in range(1, 48)),
                           encoding="utf-8")
    scored = run("spbe", "index", str(levels_file))
    assert scored.returncode == 0, scored.stderr
    assert "Indeks SPBE: 3,18 · predikat Baik" in scored.stdout  # 3 + 18 / 100
    assert "A8 Layanan Publik Berbasis Elektronik" in scored.stdout and "4,00" in scored.stdout
    planned = run("spbe", "plan", str(levels_file), "--target", "3,5")
    assert planned.returncode == 0 and "Dari 3,18 (Baik) ke ≥ 3,50" in planned.stdout
    english = run("spbe", "index", str(levels_file), MADANGAN_LANG="en")
    assert "SPBE index: 3.18 · predicate Baik" in english.stdout

    bad = tmp_path / "rusak.csv"
    bad.write_text("No. Indikator,Tingkat\n1,3\n2,enam\n", encoding="utf-8")
    assert_clean_failure(run("spbe", "index", str(bad)), "baris 3, kolom 'Tingkat': 'enam'")

    data_dir = tmp_path / "data"
    assert run("init", "--region", "32.11", data_dir=data_dir).returncode == 0
    assert run("spbe", "synth", "--tahun", "2024", "--seed", "3", data_dir=data_dir).returncode == 0
    bench = run("spbe", "benchmark", "--tahun", "2024", "--kelompok", "province", data_dir=data_dir)
    assert bench.returncode == 0 and "27 wilayah" in bench.stdout and "Belajar dari" in bench.stdout
    export = tmp_path / "ekspor.csv"
    assert run("spbe", "export", str(export), "--tahun", "2024", "--region", "32.11", data_dir=data_dir).returncode == 0
    assert len(export.read_text(encoding="utf-8-sig").splitlines()) == 48


def test_gap_report_as_xlsx_and_pdf(engine, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from madangan.sectors.spbe import report

    fill(engine, TEAM, "32.11", 2024, levels(3))
    store.load_published(engine, VERIFIER, [{"region": "32.73", "year": 2024, "levels": levels(3, r43_43=5), "note": "uji"}])
    built = report.build(engine, "32.11", 2024, "province")
    assert (built.rank, built.peers) == (2, 2)
    report.write(built, tmp_path / "laporan.xlsx")
    book = load_workbook(tmp_path / "laporan.xlsx")
    assert book.sheetnames == ["Ringkasan", "Domain dan Aspek", "Celah", "Rencana"]
    gap_rows = list(book["Celah"].iter_rows(min_row=2, values_only=True))
    assert gap_rows == [("43", "Tingkat Kematangan Layanan Data Terbuka", 3, 5, 0.06, "Kota Bandung")]
    assert book["Rencana"].max_row - 1 == 17  # 3.00 → 3.50 takes 17 steps
    report.write(built, tmp_path / "laporan.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "laporan.pdf").pages)
    assert "Indeks SPBE: 3.00" in text and "Predikat: Baik" in text and "Kota Bandung" in text
    with pytest.raises(UserError, match="belum lengkap"):
        report.build(engine, "32.11", 2020, "province")


def test_the_spbe_migration_goes_down_and_up_again(postgres_url):
    from importlib import resources as res

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    engine = make_engine(postgres_url)
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(res.files("madangan.appdb") / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")  # to the revision before SPBE's, whatever came after it
    assert not {"spbe_assessment", "spbe_answer"} & set(sa.inspect(engine).get_table_names())
    migrate(engine)
    assert {"spbe_assessment", "spbe_answer", "spbe_evidence", "spbe_event"} <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_catalog_import_is_all_or_nothing_and_scoped(engine, tmp_path):
    from madangan.sectors.spbe import catalog

    path = tmp_path / "katalog.csv"
    path.write_text("Kode Wilayah;Nama Aplikasi;Indikator SPBE;Lisensi\n"
                    "32.11;Sampurasun;42;MIT\n"
                    "32.04;Aplikasi Bandung;43;\n", encoding="utf-8")
    with pytest.raises(UserError, match="baris 3: Anda hanya boleh mendaftarkan aplikasi wilayah Anda"):
        catalog.import_file(engine, TEAM, path)
    assert catalog.listed(engine) == []
    path.write_text("Kode Wilayah;Nama Aplikasi;Indikator SPBE;Lisensi\n32.11;Sampurasun;42, 36;MIT\n", encoding="utf-8")
    assert catalog.import_file(engine, TEAM, path) == 1
    assert [a.name for a in catalog.search("36", engine=engine)] == ["Sampurasun"]
    assert "Sampurasun" in [a.name for a in catalog.search("42", engine=engine)]


# --- other instruments as data: PEMDI and UN LOSI --------------------------------------------------

PEMDI = load("pemdi-2025")
LOSI = load("losi-2022")


def test_pemdi_and_losi_ship_as_data_with_their_shape_sources_and_unverified_marks():
    assert len(PEMDI.indicators) == 35 and len(PEMDI.aspects) == 9 and sum(i.weight for i in PEMDI.indicators) == 100
    first = PEMDI.indicator("1")
    assert first.name == "Tingkat Kematangan Strategi Transformasi Digital Pemerintah" and first.weight == 1
    assert first.verified and not first.weight_derived
    assert PEMDI.aspects[0].name == "Strategi dan Rencana" and PEMDI.indicator("33").aspect == "A9"
    unverified = [i.id for i in PEMDI.indicators if not i.verified]
    assert unverified == [str(n) for n in range(2, 33)]  # texts not available: marked, as the file's header says
    assert [s.indicator for s in PEMDI.surveys] == ["33"] and not PEMDI.surveys[0].verified_bands
    assert {i.kind for i in PEMDI.surveys[0].items} == {"benefit", "cost"} and len(PEMDI.surveys[0].items) == 12

    assert len(LOSI.indicators) == 86 and LOSI.weight_total == 86 and (LOSI.scale.min, LOSI.scale.max) == (0, 1)
    assert [(a.id, a.weight) for a in LOSI.aspects] == [("IF", 8), ("CP", 25), ("SP", 18), ("PE", 17), ("TEC", 18)]
    assert all(not i.verified for i in LOSI.indicators)
    for instrument in (PEMDI, LOSI):
        assert instrument.sources and all(s.startswith("https://") for s in instrument.sources)
    text = (resources.files("madangan.sectors.spbe") / "data" / "pemdi-2025.toml").read_text(encoding="utf-8")
    assert "NOT AVAILABLE" in text and "pemdi.baritotimurkab.go.id/konsep-pemdi" in text


def losi(present: int) -> dict[str, int]:
    """The first `present` LOSI indicators (file order: IF, CP, SP, PE, TEC) present, the rest absent."""
    ids = [i.id for i in LOSI.indicators]
    return {i: int(n < present) for n, i in enumerate(ids)}


@pytest.mark.parametrize("present, index, predicate", [
    (86, "1.0000", "Sangat Tinggi"),
    (0, "0.0000", "Rendah"),
    (33, "0.3837", "Menengah"),  # 33 / 86 = 0.383720…
    (43, "0.5000", "Tinggi"),  # exactly half: the boundary belongs to the band above
    (42, "0.4884", "Menengah"),  # 42 / 86 = 0.488372…
    (65, "0.7558", "Sangat Tinggi"),  # 65 / 86 = 0.755813…
    (64, "0.7442", "Tinggi"),  # 64 / 86 = 0.744186…
    (22, "0.2558", "Menengah"),  # 22 / 86 = 0.255813…
    (21, "0.2442", "Rendah"),
])
def test_losi_is_the_share_of_features_present_by_hand(present, index, predicate):
    score = LOSI.score(losi(present))
    assert score.index == Decimal(index) and score.predicate == predicate


def test_losi_criterion_indices_and_binary_scale():
    score = LOSI.score(losi(33))  # institutional framework (8) and content provision (25) complete
    assert score.aspects["IF"] == 1 and score.aspects["CP"] == 1 and score.aspects["SP"] == 0
    given = losi(0) | {"SP1": 1, "SP2": 1, "SP3": 1}
    assert LOSI.score(given).aspects["SP"] == Decimal(3) / 18
    with pytest.raises(UserError, match="SP1: tingkat 2 di luar skala 0–1"):
        LOSI.score(given | {"SP1": 2})
    plan = planner.cheapest_plan(LOSI, losi(42), "0.5")
    assert len(plan.steps) == 1 and plan.end.index == Decimal("0.5000")


def test_pemdi_survey_is_mean_benefit_minus_mean_cost_then_a_level():
    survey = PEMDI.surveys[0]
    # every respondent's answers: benefit (5 + 4 + 3) / 3 = 4, cost (2 + 2 + 5) / 3 = 3, value 1 → level 4
    result = PEMDI.survey_value(survey, {"K1": [5, 4], "K2": [3], "B1": [2, 2], "B2": [5]})
    assert (result.benefit, result.cost, result.value, result.level) == (4, 3, 1, 4)
    # the range is −4..4 and the bands split it evenly (placeholders until published)
    assert PEMDI.survey_value(survey, {"K1": 1, "B1": 5}).value == -4
    assert PEMDI.survey_value(survey, {"K1": 1, "B1": 5}).level == 1
    assert PEMDI.survey_value(survey, {"K1": Decimal("4.4"), "B1": 2}).level == 5  # 2.4: the boundary is in
    assert PEMDI.survey_value(survey, {"K1": Decimal("4.3"), "B1": 2}).level == 4  # 2.3
    assert PEMDI.survey_value(survey, {"K1": 3, "B1": Decimal("3.8")}).level == 3  # −0.8
    with pytest.raises(UserError, match="butir K1: nilai 6 di luar 1–5"):
        PEMDI.survey_value(survey, {"K1": 6, "B1": 3})
    with pytest.raises(UserError, match="belum ada jawaban butir cost"):
        PEMDI.survey_value(survey, {"K1": 4})
    with pytest.raises(UserError, match="butir 'X9' tidak dikenal"):
        PEMDI.survey_value(survey, {"X9": 4, "K1": 4, "B1": 3})


def test_pemdi_index_by_hand_with_the_survey_level():
    level = PEMDI.survey_value(PEMDI.surveys[0], {f"K{n}": 4 for n in range(1, 8)} | {f"B{n}": 3 for n in range(1, 6)}).level
    given = {i.id: 3 for i in PEMDI.indicators} | {"33": level}
    score = PEMDI.score(given)
    # indicator 33 weighs 5 %: (3 × 95 + 4 × 5) / 100
    assert score.index == Decimal("3.05") and score.predicate == "Baik"
    # aspect 9: (4 × 5 + 3 × 4 + 3 × 4) / 13
    assert score.aspects["A9"] == Decimal(44) / 13


@pytest.mark.parametrize("change, field", [
    (lambda r: r["surveys"][0].update(indicator="99"), "surveys[kepuasan].indicator"),
    (lambda r: r["surveys"][0]["bands"][0].update(level=7), "surveys[kepuasan].bands"),
    (lambda r: r["surveys"][0]["bands"].reverse(), "surveys[kepuasan].bands"),
    (lambda r: r["surveys"][0].update(items=[i for i in r["surveys"][0]["items"] if i["kind"] == "cost"]), "surveys[kepuasan].items"),
    (lambda r: r.update(weight_total=99), "indicators.weight"),
])
def test_a_malformed_survey_or_total_is_refused_naming_the_field(change, field):
    raw = tomllib.loads((resources.files("madangan.sectors.spbe") / "data" / "pemdi-2025.toml").read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(UserError) as refused:
        parse(raw, "pemdi-rusak.toml")
    assert field in str(refused.value)


def test_cli_livinglab_scores_pemdi_with_survey_items_and_losi(tmp_path):
    from test_cli import assert_clean_failure, run

    pemdi = tmp_path / "pemdi.csv"
    pemdi.write_text("No. Indikator;Tingkat\n" + "".join(f"{n};3\n" for n in range(1, 36) if n != 33)
                     + "".join(f"K{n};4\n" for n in range(1, 8)) + "".join(f"B{n};3\n" for n in range(1, 6)), encoding="utf-8")
    scored = run("livinglab", "score", "--instrumen", "pemdi-2025", str(pemdi))
    assert scored.returncode == 0, scored.stderr
    assert "Indeks PEMDI: 3,05 · predikat Baik" in scored.stdout
    assert "manfaat 4,00 − biaya 3,00 = 1,00 → tingkat 4" in scored.stdout
    both = tmp_path / "pemdi-ganda.csv"
    both.write_text(pemdi.read_text(encoding="utf-8") + "33;2\nK1;4,5\n", encoding="utf-8")
    failed = run("livinglab", "score", "--instrumen", "pemdi-2025", str(both))
    assert_clean_failure(failed, "butir survei K1 muncul dua kali")
    assert "indikator 33 diberi tingkat dan juga butir survei kepuasan" in failed.stderr + failed.stdout

    losi_file = tmp_path / "losi.csv"
    losi_file.write_text("indicator,level\n" + "".join(f"{i},{v}\n" for i, v in losi(33).items()), encoding="utf-8")
    scored = run("livinglab", "score", "--instrumen", "losi-2022", str(losi_file), MADANGAN_LANG="en")
    assert scored.returncode == 0, scored.stderr
    assert "LOSI: 0.3837 · predicate Menengah" in scored.stdout
    planned = run("livinglab", "plan", "--instrumen", "losi-2022", str(losi_file), "--target", "0.5")
    assert planned.returncode == 0 and "Dari 0,3837 (Menengah) ke ≥ 0,5000: 10 langkah" in planned.stdout


# --- peer groups: province and kind together, population band ---------------------------------------


def test_peer_groups_by_population_band_and_province_with_kind(engine):
    rows = [{"region": "32.04", "year": 2024, "levels": levels(3), "population": 3_700_000, "note": "uji"},   # kab. Bandung
            {"region": "32.73", "year": 2024, "levels": levels(4), "population": 2_500_000, "note": "uji"},   # kota Bandung
            {"region": "32.05", "year": 2024, "levels": levels(2), "population": 2_600_000, "note": "uji"},   # kab. Garut
            {"region": "35.10", "year": 2024, "levels": levels(2), "population": 1_700_000, "note": "uji"},   # kab. Banyuwangi
            {"region": "32.06", "year": 2024, "levels": levels(3), "note": "penduduk tidak diketahui"}]
    store.load_published(engine, VERIFIER, rows)
    fill(engine, TEAM, "32.11", 2024, levels(3))
    found = benchmark.entries(SPBE, store.for_year(engine, 2024))
    with pytest.raises(UserError, match="Jumlah penduduk 32.11 belum diketahui"):
        benchmark.peers("32.11", found, "population")
    assert {e.region_code for e in benchmark.peers("32.11", found, "population", population=1_226_660)} == {"35.10"}
    store.set_population(engine, TEAM, "32.11", 2024, 1_226_660)
    with pytest.raises(UserError, match="tidak masuk akal"):
        store.set_population(engine, TEAM, "32.11", 2024, 12)
    with pytest.raises(UserError, match="hanya boleh mengisi penilaian wilayah Anda"):
        store.set_population(engine, TEAM, "32.04", 2024, 3_000_000)
    found = benchmark.entries(SPBE, store.for_year(engine, 2024))
    assert {e.region_code for e in benchmark.peers("32.11", found, "population")} == {"32.11", "35.10"}
    assert {e.region_code for e in benchmark.peers("32.04", found, "population")} == {"32.04", "32.73", "32.05"}
    assert benchmark.band_label(1_226_660) == "1–2 juta jiwa" and benchmark.band_label(None) == "—"
    assert {e.region_code for e in benchmark.peers("32.11", found, "province_kind")} == {"32.11", "32.04", "32.05", "32.06"}
    assert {e.region_code for e in benchmark.peers("32.73", found, "province_kind")} == {"32.73"}


def test_published_import_carries_population_and_names_a_bad_one(engine, tmp_path):
    path = tmp_path / "terbitan.csv"
    path.write_text("Kode Wilayah;Tahun;Indeks;Sumber;Jumlah Penduduk\n32.04;2024;3,10;uji;3.700.000\n"
                    "32.05;2024;2,80;uji;banyak\n", encoding="utf-8")
    with pytest.raises(UserError, match="baris 3, kolom 'Jumlah Penduduk': 'banyak'"):
        files.import_published(engine, VERIFIER, path)
    assert store.for_year(engine, 2024) == []
    path.write_text("Kode Wilayah;Tahun;Indeks;Sumber;Jumlah Penduduk\n32.04;2024;3,10;uji;3.700.000\n32.05;2024;2,80;uji;\n",
                    encoding="utf-8")
    assert files.import_published(engine, VERIFIER, path) == 2
    assert {v.region_code: v.population for v in store.for_year(engine, 2024)} == {"32.04": 3_700_000, "32.05": None}


def test_the_population_migration_goes_down_and_up_again(postgres_url):
    from importlib import resources as res

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    engine = make_engine(postgres_url)
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(res.files("madangan.appdb") / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010_alerts")
    assert "population" not in {c["name"] for c in sa.inspect(engine).get_columns("spbe_assessment")}
    migrate(engine)
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns("spbe_assessment")}
    assert "population" in columns and columns["published_index"]["type"].scale == 4
    engine.dispose()


def test_who_may_see_a_draft(engine):
    fill(engine, TEAM, "32.11", 2024, levels(3))
    draft = store.get(engine, "32.11", 2024)
    assert store.may_see(TEAM, draft) and store.may_see(VERIFIER, draft)
    assert store.may_see(Principal(Role.DESA, "32.11.01.2001", username="desa"), draft)  # the host's own staff
    assert store.may_see(Principal(Role.LIVINGLAB, "32", username="provinsi"), draft)  # a province hosting its regencies
    guest = Principal(Role.LIVINGLAB, "32.04", username="tamu")
    assert not store.may_see(guest, draft) and not store.may_see(OTHER_TEAM, draft)
    with pytest.raises(UserError, match="masih draf"):
        store.check_may_see(guest, draft)
    store.move(engine, TEAM, "32.11", 2024, "submit")
    store.move(engine, VERIFIER, "32.11", 2024, "verify")
    assert store.may_see(guest, store.get(engine, "32.11", 2024))  # verified: everyone compares with it
