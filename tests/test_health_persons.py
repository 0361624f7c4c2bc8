"""The children behind a health rate: the same rule as the indicator, only in scope, NIK masked unless allowed,
every read audited — on a hand-built warehouse and over the API of a demo deployment."""

from __future__ import annotations

import re
from datetime import date, timedelta

import ibis
import polars as pl
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from test_health_indicators import kspr_frames

from madangan import warehouse
from madangan.access import Principal, Role
from madangan.access import store as access_store
from madangan.access.web import SESSION_COOKIE
from madangan.errors import OutOfScope, UserError
from madangan.regions import regions
from madangan.sectors.health import persons
from madangan.sectors.health.indicators import INDICATORS
from madangan.web.app import create_app

DESA, OTHER = "32.11.01.2001", "32.11.01.2002"
TUA, SUNGSANG, PEB = "TERLALU TUA (>=35 TH)", "LETAK SUNGSANG", "PREEKLAMPSIA BERAT/KEJANG-KEJANG"
SEEN = date(2025, 1, 20)
BY_ID = {i.id: i for i in INDICATORS}


def born(days: int) -> date:
    return SEEN - timedelta(days=days)


@pytest.fixture(scope="module")
def con():
    # WHO golden children (see test_health_growth.py), measured on 20 January 2025:
    # s1 ♀ 1000 d 15 kg 80 cm: HAZ −3.50 (stunted, severely), WHZ 4.13 (overweight)   — DESA
    # n1 ♂ 1000 d 15 kg 100 cm: HAZ 1.70, normal                                        — DESA
    # w1 ♂ 1001 d 18 kg 120 cm: HAZ 7.31 flagged (left out), WHZ −2.39 (wasted)          — DESA
    # s2 ♀ 1000 d 15 kg 80 cm: stunted, but in the OTHER desa
    # 2T: t1 in DESA weighed Nov 10.0, Dec 10.1, Jan 10.2 kg at 14–16 months (+100 g < 200 g twice)
    balita = pl.DataFrame({
        "nik_anak": ["3211015501220001", "3211011501220002", "3211011601220003", "3211015501220004",
                     "3211011009230005"],
        "nama_anak": ["Siti Aminah", "Nana Suryana", "Wawan", "Sari Dewi", "Tono"],
        "jenis_kelamin": ["P", "L", "L", "P", "L"],
        "tanggal_lahir": [born(1000), born(1000), born(1001), born(1000), date(2023, 9, 10)],
        "kode_desa": [DESA, DESA, DESA, OTHER, DESA],
    })

    def row(i, nik, when, months, kg, cm, desa=DESA, posyandu="Posyandu Mawar 1"):
        return (i, nik, when, months, kg, cm, "BERDIRI", "TIDAK", posyandu, desa)

    niks = balita["nik_anak"].to_list()
    posyandu = pl.DataFrame([
        row("u1", niks[0], SEEN, 32, 15.0, 80.0),
        row("u2", niks[1], SEEN, 32, 15.0, 100.0, posyandu="Posyandu Melati 2"),
        row("u3", niks[2], SEEN, 32, 18.0, 120.0),
        row("u4", niks[3], SEEN, 32, 15.0, 80.0, desa=OTHER, posyandu="Posyandu Anggrek"),
        row("t1", niks[4], date(2024, 11, 10), 14, 10.0, 78.0),
        row("t2", niks[4], date(2024, 12, 10), 15, 10.1, 78.5),
        row("t3", niks[4], date(2025, 1, 10), 16, 10.2, 79.0),
    ], schema={"id_pengukuran": pl.String, "nik_anak": pl.String, "tanggal_ukur": pl.Date, "umur_bulan": pl.Int64,
               "berat_kg": pl.Float64, "tinggi_cm": pl.Float64, "cara_ukur": pl.String, "edema": pl.String,
               "posyandu": pl.String, "kode_desa": pl.String}, orient="row")
    c = ibis.duckdb.connect()
    c.create_table("balita", balita.to_arrow())
    c.create_table("posyandu", posyandu.to_arrow())
    return c


def names(rows) -> list[str]:
    return [r["nama_anak"] for r in rows]


KECAMATAN = Principal(Role.KECAMATAN, "32.11.01", username="camat")
DESA_OPERATOR = Principal(Role.DESA, DESA, username="operator")


def test_the_list_is_the_numerator_of_its_indicator_by_name(con):
    rows, month = persons.children(con, KECAMATAN, "32.11", indikator="prevalensi_stunting")
    assert month == "2025-01"
    assert names(rows) == ["Siti Aminah", "Sari Dewi"]  # ordered by desa, posyandu, name
    numerator = BY_ID["prevalensi_stunting"].compute({"posyandu": con.table("posyandu"),
                                                       "balita": con.table("balita")}).to_polars()
    assert numerator["numerator"].sum() == len(rows)
    assert names(persons.children(con, KECAMATAN, "32.11", indikator="prevalensi_wasting")[0]) == ["Wawan"]
    assert names(persons.children(con, KECAMATAN, "32.11", indikator="prevalensi_gizi_lebih")[0]) == [
        "Siti Aminah", "Sari Dewi"]
    assert names(persons.children(con, KECAMATAN, "32.11", indikator="balita_2t")[0]) == ["Tono"]
    assert persons.children(con, KECAMATAN, "32.11", indikator="balita_2t", bulan="2024-12")[0] == []


def test_stunted_row_shows_what_a_nutrition_officer_acts_on(con):
    (row, *_), _ = persons.children(con, KECAMATAN, "32.11", indikator="prevalensi_stunting", wilayah=DESA)
    assert row["nama_anak"] == "Siti Aminah" and row["posyandu"] == "Posyandu Mawar 1"
    assert row["haz"] == -3.5 and row["tinggi_cm"] == 80.0 and row["tanggal_ukur"] == "2025-01-20"


def test_nik_is_masked_unless_the_role_may_see_it_unmasked(con):
    masked, _ = persons.children(con, KECAMATAN, "32.11", wilayah=DESA)
    full, _ = persons.children(con, DESA_OPERATOR, "32.11")
    assert masked[0]["nik_anak"] == "3211********0001"
    assert full[0]["nik_anak"] == "3211015501220001"


def test_persons_outside_the_scope_are_never_returned(con):
    rows, _ = persons.children(con, DESA_OPERATOR, "32.11")  # no wilayah: the operator's own desa
    assert names(rows) == ["Siti Aminah"] and {r["kode_desa"] for r in rows} == {DESA}
    with pytest.raises(OutOfScope, match="32.11.01.2002"):
        persons.children(con, DESA_OPERATOR, "32.11", wilayah=OTHER)
    # a posyandu filter narrows, it never widens
    assert names(persons.children(con, KECAMATAN, "32.11", posyandu="Posyandu Anggrek")[0]) == ["Sari Dewi"]
    assert persons.children(con, DESA_OPERATOR, "32.11", posyandu="Posyandu Anggrek")[0] == []


def test_another_opds_analyst_sees_no_health_person(con):
    dinsos = Principal(Role.ANALYST, "32.11", username="dinsos", sectors=frozenset({"welfare"}))
    with pytest.raises(OutOfScope):
        persons.children(con, dinsos, "32.11")


def test_bad_input_gets_a_message_naming_it(con):
    with pytest.raises(UserError, match="2025-13"):
        persons.children(con, KECAMATAN, "32.11", bulan="2025-13")
    with pytest.raises(UserError, match="tidak_ada"):
        persons.children(con, KECAMATAN, "32.11", indikator="tidak_ada")


def test_near_term_krst_mothers_without_a_facility_plan_with_their_kspr_by_trimester(kspr_con):
    rows, day = persons.pregnancies(kspr_con, DESA_OPERATOR, "32.11", tanggal="2025-09-30")
    assert day == "2025-09-30"
    assert [r["nama_ibu"] for r in rows] == ["Ani"]
    ani = rows[0]
    assert ani["hpl"] == "2025-10-08" and ani["hari_menuju_hpl"] == 8 and ani["rencana_persalinan"] == "RUMAH"
    assert ani["skor"] == 22 and ani["kategori"] == "KRST"
    assert ani["skor_per_trimester"] == {"I": 6, "II": 14, "III": 22}
    assert ani["nik_ibu"] == "3211014101870001"  # a desa operator may see NIKs in full
    # as of 1 July: Ani is KRST (14) but due in 99 days; the high-risk list holds her, the near-term one not
    assert persons.pregnancies(kspr_con, KECAMATAN, "32.11", tanggal="2025-07-01")[0] == []
    high, _ = persons.pregnancies(kspr_con, KECAMATAN, "32.11", daftar="risiko_tinggi", tanggal="2025-07-01")
    assert {r["nama_ibu"]: r["skor"] for r in high} == {"Ani": 14, "Bela": 18, "Cici": 18, "Dewi": 6}
    assert all("*" in r["nik_ibu"] for r in high)


def test_pregnancy_lists_stay_in_scope_and_refuse_cadres_and_bad_dates(kspr_con):
    other = Principal(Role.DESA, OTHER, username="operator-lain")
    assert persons.pregnancies(kspr_con, other, "32.11", tanggal="2025-09-30")[0] == []
    with pytest.raises(OutOfScope):
        persons.pregnancies(kspr_con, other, "32.11", wilayah=DESA)
    cadre = Principal(Role.CADRE, DESA, posyandu="Posyandu Mawar 1")
    assert persons.pregnancies(kspr_con, cadre, "32.11", tanggal="2025-09-30")[0] == []  # a register without posyandu
    with pytest.raises(UserError, match="2025-02-30"):
        persons.pregnancies(kspr_con, KECAMATAN, "32.11", tanggal="2025-02-30")


def test_a_cadre_sees_the_pregnant_women_of_their_own_posyandu():
    c = ibis.duckdb.connect()
    k, a = kspr_frames()  # Ani and Cici at Mawar 1, Bela and Dewi at Melati 2
    k = k.with_columns(posyandu=pl.Series(["Posyandu Mawar 1", "Posyandu Melati 2", "Posyandu Mawar 1",
                                           "Posyandu Melati 2"]))
    c.create_table("kehamilan", k.to_arrow())
    c.create_table("anc", a.to_arrow())
    mawar = Principal(Role.CADRE, DESA, posyandu="posyandu mawar 1 ")  # as people type it
    rows, _ = persons.pregnancies(c, mawar, "32.11", daftar="risiko_tinggi", tanggal="2025-07-01")
    assert sorted(r["nama_ibu"] for r in rows) == ["Ani", "Cici"]
    assert all("*" in r["nik_ibu"] for r in rows)  # a cadre never sees a NIK in full
    melati = Principal(Role.CADRE, DESA, posyandu="Posyandu Melati 2")
    rows, _ = persons.pregnancies(c, melati, "32.11", daftar="risiko_tinggi", tanggal="2025-07-01")
    assert sorted(r["nama_ibu"] for r in rows) == ["Bela", "Dewi"]


@pytest.fixture(scope="module")
def kspr_con():
    # the pregnancies of test_health_indicators.kspr_tables, worked out there
    c = ibis.duckdb.connect()
    k, a = kspr_frames()
    c.create_table("kehamilan", k.to_arrow())
    c.create_table("anc", a.to_arrow())
    return c


# --- over the API, on the demo deployment ----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(demo_deployment):
    settings, _ = demo_deployment
    return create_app(settings)


def login(app, client, role: Role, scope: str, posyandu: str | None = None) -> None:
    engine = app.state.engine
    posyandu = posyandu or ("Posyandu Mawar 1" if role is Role.CADRE else None)  # a cadre always has one
    username = f"health-{role.value}-{scope}-{posyandu or ''}"
    if username not in {u.username for u in access_store.list_users(engine)}:
        access_store.add_user(engine, username, role, scope, "32.11", password="health-password-1",
                              posyandu=posyandu)
    user = access_store.authenticate(engine, username, "health-password-1")
    cookie, _ = access_store.open_session(engine, user)
    client.cookies.set(SESSION_COOKIE, cookie)


def a_desa_with_stunted_children(settings) -> tuple[str, str, int]:
    con = warehouse.connect(settings.warehouse)
    try:
        facts = con.table("fakta_indikator").filter(
            (ibis._.indicator == "prevalensi_stunting") & (ibis._.level == "desa") & (ibis._.dimensi == "")
            & (ibis._.numerator > 0)).to_polars()
    finally:
        con.disconnect()
    latest = facts["bulan"].max()
    row = facts.filter(pl.col("bulan") == latest).sort("numerator", descending=True).row(0, named=True)
    return row["kode_wilayah"], latest.strftime("%Y-%m"), int(row["numerator"])


def test_api_lists_the_stunted_children_of_a_desa_as_many_as_the_indicator_counts(app, demo_deployment):
    desa, month, numerator = a_desa_with_stunted_children(demo_deployment[0])
    with TestClient(app) as client:
        login(app, client, Role.KECAMATAN, desa.rsplit(".", 1)[0])
        r = client.get("/api/v1/kesehatan/balita", params={"wilayah": desa, "bulan": month})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == numerator == len(body["items"])
        assert all(i["kode_desa"] == desa and i["nama_anak"] for i in body["items"])
        assert all("*" in i["nik_anak"] for i in body["items"])  # a kecamatan officer sees NIKs masked
        entry = access_store.audit_entries(app.state.engine, limit=1)[0]
        assert entry.action == "health.children" and desa in entry.target and entry.detail == f"rows={numerator}"
        assert not any(i["nik_anak"][-4:] in (entry.target + entry.detail) and i["nama_anak"] in entry.target
                       for i in body["items"])
        # another kecamatan's desa is refused, bad parameters are named
        other = "32.11.02" if not desa.startswith("32.11.02") else "32.11.03"
        refused = client.get("/api/v1/kesehatan/balita", params={"wilayah": other})
        assert refused.status_code == 403 and other in refused.json()["detail"]
        assert client.get("/api/v1/kesehatan/balita", params={"bulan": "2025-13"}).status_code == 422
        assert "indikator" in client.get("/api/v1/kesehatan/balita", params={"indikator": "x"}).text


def test_page_shows_names_for_a_desa_operator_with_nik_in_full(app, demo_deployment):
    desa, month, numerator = a_desa_with_stunted_children(demo_deployment[0])
    with TestClient(app) as client:
        login(app, client, Role.DESA, desa)
        page = client.get("/kesehatan/balita", params={"bulan": month})
        assert page.status_code == 200
        assert f"{numerator} balita" in page.text
        items = client.get("/api/v1/kesehatan/balita", params={"bulan": month}).json()["items"]
        assert items and all("*" not in i["nik_anak"] for i in items)
        assert str(escape(items[0]["nama_anak"])) in page.text


def test_page_writes_measurements_and_z_scores_with_the_languages_decimal_mark(app, demo_deployment):
    desa, month, _n = a_desa_with_stunted_children(demo_deployment[0])
    with TestClient(app) as client:
        login(app, client, Role.DESA, desa)
        child = client.get("/api/v1/kesehatan/balita", params={"bulan": month}).json()["items"][0]
        assert child["haz"] < -2  # stunted: the height-for-age z-score is what the list is about
        for lang, mark in (("id", ","), ("en", ".")):
            page = client.get("/kesehatan/balita", params={"bulan": month, "lang": lang}).text
            row = re.search(rf"<tr><td>{re.escape(child['nik_anak'])}</td>(.*?)</tr>", page, re.DOTALL).group(1)
            cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            weight, height, haz, waz, whz = cells[-5:]
            assert weight == f"{child['berat_kg']:.1f}".replace(".", mark)  # 8,8 kg / 8.8 kg, like every figure
            assert height == f"{child['tinggi_cm']:.1f}".replace(".", mark)
            assert haz == f"{child['haz']:.2f}".replace(".", mark)  # e.g. -2,10 / -2.10
            assert re.fullmatch(rf"-?\d+\{mark}\d\d", haz)
            for shown, value in ((waz, child["waz"]), (whz, child["whz"])):
                expected = "–" if value is None else f"{value:.2f}".replace(".", mark)
                assert shown == expected or (value is None and shown == "edema")
        client.get("/kesehatan/balita", params={"lang": "id"})


def test_theme_page_links_to_the_names_and_the_breakdowns_only_for_roles_allowed(app, demo_deployment):
    desa, _month, _n = a_desa_with_stunted_children(demo_deployment[0])
    with TestClient(app) as client:
        public = client.get("/tema/stunting-gizi", params={"indikator": "balita_2t"})
        assert public.status_code == 200 and "Lihat nama di balik angka ini" not in public.text
        login(app, client, Role.EXECUTIVE, "32.11")  # aggregates only: breakdowns, no names
        page = client.get("/tema/stunting-gizi", params={"indikator": "balita_2t"}).text
        assert "by=kelompok_umur" in page and "by=posyandu" in page and "/kesehatan/balita" not in page
        login(app, client, Role.DESA, desa)
        page = client.get("/tema/stunting-gizi", params={"indikator": "balita_2t", "wilayah": desa}).text
        assert f"/kesehatan/balita?indikator=balita_2t&amp;wilayah={desa}" in page
        by_age = client.get("/api/v1/indicators/balita_2t", params={"region": desa, "by": "kelompok_umur"}).json()
        assert {r["kategori"] for r in by_age["rows"]} <= {"00–05 bln", "06–11 bln", "12–23 bln", "24–35 bln",
                                                          "36–59 bln"}
        assert by_age["rows"] and by_age["indicator"]["disaggregations"]["posyandu"]["id"] == "Posyandu"


def test_api_lists_high_risk_pregnant_women_audited_and_to_a_cadre_only_their_posyandus(app):
    with TestClient(app) as client:
        login(app, client, Role.KECAMATAN, "32.11.01")
        body = client.get("/api/v1/kesehatan/ibu-hamil", params={"daftar": "risiko_tinggi"}).json()
        assert body["total"] == len(body["items"]) > 0
        assert all(i["skor"] >= 6 and i["kode_desa"].startswith("32.11.01.") and "*" in i["nik_ibu"]
                   for i in body["items"])
        assert all(set(i["skor_per_trimester"]) <= {"I", "II", "III"} for i in body["items"])
        entry = access_store.audit_entries(app.state.engine, limit=1)[0]
        assert entry.action == "health.pregnancies" and entry.detail == f"rows={body['total']}"
        assert client.get("/kesehatan/ibu-hamil", params={"daftar": "risiko_tinggi"}).status_code == 200
        assert client.get("/api/v1/kesehatan/ibu-hamil", params={"tanggal": "2025-13-01"}).status_code == 422
        # a cadre: the women their own posyandu follows, nobody else's
        kept = [i for i in body["items"] if i["kode_desa"] == body["items"][0]["kode_desa"]]
        desa = kept[0]["kode_desa"]
        con = warehouse.connect(app.state.settings.warehouse)
        try:
            k = con.table("kehamilan")
            followed = k.filter(k.kode_desa == desa).select("id_kehamilan", "posyandu").to_polars()
        finally:
            con.disconnect()
        posyandu = followed.filter(pl.col("id_kehamilan") == kept[0]["id_kehamilan"])["posyandu"][0]
        login(app, client, Role.CADRE, desa, posyandu=posyandu)
        mine = client.get("/api/v1/kesehatan/ibu-hamil", params={"daftar": "risiko_tinggi"}).json()["items"]
        theirs = set(followed.filter(pl.col("posyandu") == posyandu)["id_kehamilan"])
        assert mine and {i["id_kehamilan"] for i in mine} <= theirs
        assert kept[0]["id_kehamilan"] in {i["id_kehamilan"] for i in mine}
        assert all("*" in i["nik_ibu"] for i in mine)


def test_same_named_posyandu_of_two_desa_stay_apart_in_a_kecamatan_breakdown(app, demo_deployment):
    """Many villages have a "Posyandu Teratai 1": a kecamatan's breakdown shows each village's own, by desa name."""
    settings, _ = demo_deployment
    con = warehouse.connect(settings.warehouse)
    try:  # the posyandu that measured registered children in the latest month (the month the page shows)
        p, b = con.table("posyandu"), con.table("balita")
        measured = p.semi_join(b, "nik_anak").mutate(bulan=p.tanggal_ukur.truncate("M").cast("date"))
        latest = measured.bulan.max().to_pyarrow().as_py()
        weighed = measured.filter(measured.bulan == latest).select("kode_desa", "posyandu").distinct().to_polars()
    finally:
        con.disconnect()
    weighed = weighed.with_columns(kecamatan=pl.col("kode_desa").str.slice(0, 8))
    shared = weighed.group_by("kecamatan", "posyandu").agg(desa=pl.col("kode_desa").n_unique()).filter(pl.col("desa") > 1)
    assert len(shared) > 0, "the generator gives villages posyandu of the same name"
    kecamatan, name = shared.row(0)[0], shared.row(0)[1]
    with TestClient(app) as client:
        login(app, client, Role.EXECUTIVE, "32.11")
        rows = client.get("/api/v1/indicators/prevalensi_stunting",
                          params={"region": kecamatan, "by": "posyandu"}).json()["rows"]
        month = latest.strftime("%Y-%m")
        assert max(r["bulan"] for r in rows) == month
        categories = [r["kategori"] for r in rows if r["bulan"] == month]
        assert len(categories) == len(set(categories))  # one row per desa × posyandu, nothing merged
        named = sorted(c for c in categories if c.endswith(" " + name))
        assert len(named) == shared.row(0)[2]  # one per village that has it
        page = client.get("/tema/stunting-gizi", params={"indikator": "prevalensi_stunting", "wilayah": kecamatan}).text
        desa_names = [regions().region(c.split(" ", 1)[0]).name for c in named]
        for desa_name in desa_names:
            assert f"{escape(name)} · {escape(desa_name)}" in page
