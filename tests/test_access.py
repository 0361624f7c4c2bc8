"""Access: every route declares who may call it; logins, sessions, tokens and the audit log behave."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import login
from fastapi.testclient import TestClient

from madangan.access import ROLE_PERMISSIONS, Role, mask, store
from madangan.access.web import SESSION_COOKIE
from madangan.appdb import make_engine, migrate
from madangan.appdb.models import ApiToken, AuditEntry
from madangan.web.app import create_app
from madangan.web.routes import RouteInfo, iter_routes

#: A sample value for each path parameter, and a scope per role for the matrix.
SAMPLE_PARAMS = {"code": "32.11.22", "finding_id": "0" * 20, "indicator_id": "kepatuhan_standar_layanan",
                 "year": "2024", "evidence_id": "1", "action": "package_search", "resource_file": "unknown.csv",
                 "slug": "stunting-gizi", "tabel": "profil", "alert_id": "999999999", "delivery_id": "999999999",
                 "rule_id": "gizi_buruk", "feedback_id": "999999999", "source": "penduduk", "indicator": "1"}
#: Region pages answer 403 outside the caller's scope, so a desa-scoped role is shown its own desa.
ROLE_SAMPLE_PARAMS = {Role.DESA: {"code": "32.11.22.2001"}, Role.CADRE: {"code": "32.11.22.2001"}}
ROLE_SCOPES = {
    Role.ADMIN: "32.11", Role.EXECUTIVE: "32.11", Role.ANALYST: "32.11",
    Role.KECAMATAN: "32.11.22", Role.DESA: "32.11.22.2001", Role.CADRE: "32.11.22.2001",
    Role.LIVINGLAB: "32.04",  # another region's team in the Living Lab hosted by 32.11
}
NOT_ROUTES = {"/api/openapi.json"}  # FastAPI's own, public by nature


@pytest.fixture(scope="module")
def app(demo_deployment):
    settings, _ = demo_deployment
    return create_app(settings)


def app_routes(app) -> list[RouteInfo]:
    return [r for r in iter_routes(app) if r.path not in NOT_ROUTES]


def test_every_route_declares_exactly_one_access_rule(app):
    routes = app_routes(app)
    assert len(routes) >= 8
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if len(set(r.rules)) != 1]
    assert missing == [], f"routes without an access rule: {missing}"


def _session(engine, role: Role) -> tuple[str, str]:
    """A fresh session of the role's matrix account: (cookie, CSRF token)."""
    username = f"matrix-{role.value}"
    existing = {u.username: u for u in store.list_users(engine)}
    if username not in existing:
        store.add_user(engine, username, role, ROLE_SCOPES[role], "32.11", password="matrix-password-1",
                       posyandu="Posyandu Matriks 1" if role is Role.CADRE else None)
    user = store.authenticate(engine, username, "matrix-password-1")
    return store.open_session(engine, user)


def _session_cookie(engine, role: Role) -> str:
    return _session(engine, role)[0]


def _call(client, engine, role: Role, method: str, path: str, params: dict | None = None):
    """One request as the role (signed in, the session's CSRF token sent with writes), or as the public."""
    client.cookies.clear()
    headers = {}
    if role is not Role.PUBLIC:
        cookie, csrf = _session(engine, role)
        client.cookies.set(SESSION_COOKIE, cookie)
        headers["x-csrf-token"] = csrf
    return client.request(method, path, params=params, headers=headers)


#: Answers for the matrix, by route × role × method.
MATRIX_COUNTS: dict[str, int] = {}


def test_authorisation_matrix_every_route_by_every_role(app):
    """Routes × methods × roles: allowed exactly when the role holds the route's permission; the public gets a
    login. Writes are sent with the session's CSRF token, so a 403 can only be the role's."""
    engine = app.state.engine
    checked = 0
    with TestClient(app, follow_redirects=False) as client:
        for route in app_routes(app):
            (rule,) = set(route.rules)
            for method in sorted(route.methods - {"HEAD"}):
                for role in Role:
                    path = route.path.format(**{**SAMPLE_PARAMS, **ROLE_SAMPLE_PARAMS.get(role, {})})
                    response = _call(client, engine, role, method, path)
                    status = response.status_code
                    allowed = rule == "public" or (role is not Role.PUBLIC and rule in ROLE_PERMISSIONS[role])
                    if allowed:
                        assert status < 500, f"{role} {method} {path}: {status}"
                        if rule != "public":
                            assert status not in (401, 403), f"{role} denied {method} {path}: {status}"
                            assert not response.headers.get("location", "").startswith("/login"), \
                                f"{role} sent to login at {method} {path}"
                    elif role is Role.PUBLIC:
                        assert status in (401, 303), f"public reached {method} {path}: {status}"
                    else:
                        assert status == 403, f"{role} reached {method} {path}: {status}"
                    checked += 1
    app.state.login_limiter.attempts.clear()  # the matrix posted to /login as every role
    routes = app_routes(app)
    MATRIX_COUNTS.update(routes=len(routes), operations=sum(len(r.methods - {"HEAD"}) for r in routes),
                         roles=len(Role), checked=checked)
    print(f"matrix: {MATRIX_COUNTS}")
    assert checked >= 80 * len(Role)


#: A region outside each role's scope: another regency for the regency-wide roles, a neighbour otherwise.
OUT_OF_SCOPE = {Role.ADMIN: "32.12", Role.EXECUTIVE: "32.12", Role.ANALYST: "32.12", Role.KECAMATAN: "32.11.01",
                Role.DESA: "32.11.22.2002", Role.CADRE: "32.11.22.2002",
                Role.LIVINGLAB: "32.11"}  # a guest team outside the host regency's own data
#: The SPBE Living Lab benchmarks regions against each other: other regions' published SPBE figures are the
#: point (aggregates of public bodies, no person), so any signed-in role may name another region there.
CROSS_REGION_BY_DESIGN = {"/living-lab", "/living-lab/penilaian", "/living-lab/banding", "/living-lab/ekspor",
                          "/living-lab/laporan", "/api/v1/spbe/benchmark/{year}", "/api/v1/spbe/assessments/{code}/{year}",
                          "/api/v1/spbe/assessments/{code}/{year}/indicators/{indicator}"}


def _nothing(response) -> bool:
    """A 200 that carries nothing of the region: an empty page of results."""
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        return body == [] or (isinstance(body, dict) and body.get("total") == 0) or (
            isinstance(body, dict) and body.get("items") == [])
    return not re.search(r'href="/peringatan/\d+"', response.text) and "/peringatan" in str(response.url)


def test_matrix_every_region_route_inside_and_outside_each_roles_scope(app):
    """Every route that takes a region (path `code`, query region/desa/wilayah) × every signed-in role × the
    role's own region and one outside it: inside answers, outside is refused (403/404) or answers nothing."""
    engine = app.state.engine
    region_routes = [r for r in app_routes(app) if r.region_params]
    assert len(region_routes) >= 25
    checked = 0
    with TestClient(app, follow_redirects=False) as client:
        for route in region_routes:
            (rule,) = set(route.rules)
            for method in sorted(route.methods - {"HEAD"}):
                for role in (r for r in Role if r is not Role.PUBLIC):
                    if rule not in ROLE_PERMISSIONS[role] and rule != "public":
                        continue  # refused whatever the region: the matrix above
                    for inside, code in ((True, ROLE_SCOPES[role]), (False, OUT_OF_SCOPE[role])):
                        path = route.path.format(**{**SAMPLE_PARAMS, "code": code})
                        params = {p: code for p in route.region_params - {"code"}}
                        response = _call(client, engine, role, method, path, params)
                        where = f"{role} {method} {route.path} {params or code}"
                        assert response.status_code < 500, f"{where}: {response.status_code}"
                        if inside:
                            assert response.status_code != 403, f"{where} refused inside the scope"
                        elif route.path not in CROSS_REGION_BY_DESIGN and rule != "public":  # public is for all
                            assert response.status_code in (403, 404) or (
                                response.status_code == 200 and _nothing(response)), \
                                f"{where} answered outside the scope: {response.status_code}"
                        checked += 1
    MATRIX_COUNTS.update(region_routes=len(region_routes), region_checked=checked)
    print(f"matrix, regions: {len(region_routes)} routes, {checked} requests")


def test_public_endpoints_never_carry_anything_shaped_like_a_nik(app):
    with TestClient(app) as client:
        public_paths = [r.path for r in app_routes(app) if "GET" in r.methods and set(r.rules) == {"public"}]
        assert "/healthz" in public_paths
        for path in public_paths + sorted(NOT_ROUTES):
            body = client.get(path.format(**SAMPLE_PARAMS)).text
            assert not re.search(r"(?<![\d.])\d{16}(?!\d)", body), f"{path} shows a 16-digit number"


def test_pages_send_the_public_to_the_login_form(app):
    with TestClient(app, follow_redirects=False) as client:
        response = client.get("/wilayah/32.11.22?lang=en")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/wilayah/32.11.22%3Flang%3Den"
        assert client.get("/api/v1/sources").status_code == 401


def test_login_gives_a_new_session_and_logout_ends_it(app, demo_passwords):
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
        response = login(client, "admin", demo_passwords["admin"], next_url="/wilayah/32.11.22")
        assert response.status_code == 303 and response.headers["location"] == "/wilayah/32.11.22"
        cookie = response.cookies.get(SESSION_COOKIE)
        assert cookie and cookie != "planted-by-an-attacker"
        set_cookie = response.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "samesite=lax" in set_cookie
        client.cookies.set(SESSION_COOKIE, cookie)
        page = client.get("/")
        assert page.status_code == 200
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        # logout without the CSRF token does nothing
        client.post("/logout", data={})
        client.cookies.set(SESSION_COOKIE, cookie)
        assert client.get("/").status_code == 200
        client.post("/logout", data={"csrf_token": csrf})
        client.cookies.set(SESSION_COOKIE, cookie)  # the old cookie, replayed
        assert client.get("/").status_code == 303


def test_login_form_without_its_csrf_token_is_refused(app, demo_passwords):
    with TestClient(app) as client:
        response = client.post("/login", data={"username": "admin", "password": demo_passwords["admin"]})
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.cookies


def test_wrong_passwords_lock_the_account_and_an_admin_reset_lifts_it(app):
    engine = app.state.engine
    store.add_user(engine, "lock.me", Role.DESA, "32.11.22.2001", "32.11", password="correct-horse-1")
    with TestClient(app, follow_redirects=False) as client:
        for _ in range(store.MAX_FAILED_LOGINS):
            response = login(client, "lock.me", "wrong-password")
            assert response.status_code == 401 and "salah" in response.text
        locked = login(client, "lock.me", "correct-horse-1")
        assert locked.status_code == 401 and "dikunci" in locked.text
        store.reset_password(engine, "lock.me", "new-password-123")
        assert login(client, "lock.me", "new-password-123").status_code == 303
    failures = [e for e in store.audit_entries(engine, "lock.me") if e.action == "login_failed"]
    assert len(failures) == store.MAX_FAILED_LOGINS + 1
    assert all("correct-horse" not in (e.detail or "") for e in failures)


def test_login_attempts_from_one_address_are_throttled(app):
    app.state.login_limiter.attempts.clear()
    with TestClient(app) as client:
        statuses = [login(client, "nobody", "wrong-password").status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429
    app.state.login_limiter.attempts.clear()


def test_disabling_a_user_ends_their_open_session(app):
    engine = app.state.engine
    store.add_user(engine, "leaving", Role.KECAMATAN, "32.11.22", "32.11", password="leaving-pass-1")
    with TestClient(app, follow_redirects=False) as client:
        cookie = login(client, "leaving", "leaving-pass-1").cookies.get(SESSION_COOKIE)
        client.cookies.set(SESSION_COOKIE, cookie)
        assert client.get("/").status_code == 200
        store.set_active(engine, "leaving", False)
        assert client.get("/").status_code == 303


def test_api_tokens_work_until_revoked_or_expired(app):
    engine = app.state.engine
    secret = store.add_token(engine, "posyandu-app", "32.11", "32.11", ("penduduk",))
    expired = store.add_token(engine, "old-app", "32.11", "32.11", ("penduduk",), days=1)
    with store.sessions(engine).begin() as session:
        token = session.scalars(sa.select(ApiToken).where(ApiToken.name == "old-app")).one()
        token.expires_at = store.now() - timedelta(minutes=1)
    with TestClient(app) as client:
        ok = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {secret}"})
        assert ok.status_code == 200
        assert client.get("/api/v1/sources", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
        assert client.get("/api/v1/sources", headers={"Authorization": "Bearer mdg_guessed"}).status_code == 401
        token_id = next(t.id for t in store.list_tokens(engine) if t.name == "posyandu-app")
        store.revoke_token(engine, token_id)
        assert client.get("/api/v1/sources", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    stored = " ".join(f"{t.token_hash} {t.prefix}" for t in store.list_tokens(engine))
    assert secret not in stored  # only the hash is kept


def test_roles_are_scoped_to_their_level():
    from madangan.errors import UserError

    engine = make_engine("sqlite://")
    migrate(engine)
    with pytest.raises(UserError, match="desa/kelurahan"):
        store.add_user(engine, "x", Role.DESA, "32.11.22", "32.11")
    with pytest.raises(UserError, match="di luar deployment"):
        store.add_user(engine, "y", Role.KECAMATAN, "32.10.01", "32.11")
    with pytest.raises(UserError, match="minimal"):
        store.add_user(engine, "z", Role.ADMIN, "32.11", "32.11", password="short")


def _audit_is_append_only(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    store.audit(engine, "login", "someone")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(sa.update(AuditEntry).values(actor="someone-else"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(sa.delete(AuditEntry))
    assert [e.actor for e in store.audit_entries(engine)] == ["someone"]
    engine.dispose()


def test_audit_log_cannot_be_edited_on_sqlite(tmp_path):
    _audit_is_append_only(f"sqlite:///{tmp_path / 'app.db'}")


@pytest.mark.postgres
def test_audit_log_cannot_be_edited_on_postgresql(postgres_url):
    _audit_is_append_only(postgres_url)


def test_nik_and_kk_are_masked_keeping_region_and_serial():
    assert mask("3211012305900001") == "3211********0001"
    assert mask(None) is None


def test_scope_filter_returns_nothing_outside_the_scope():
    import ibis

    from madangan.access import Principal

    people = ibis.memtable({"nik": ["a", "b", "c"], "kode_desa": ["32.11.22.2001", "32.11.22.2002", "32.11.01.2001"]})
    desa_operator = Principal(Role.DESA, "32.11.22.2001")
    camat = Principal(Role.KECAMATAN, "32.11.22")
    assert desa_operator.scope_filter(people, "kode_desa").to_pyarrow()["nik"].to_pylist() == ["a"]
    assert sorted(camat.scope_filter(people, "kode_desa").to_pyarrow()["nik"].to_pylist()) == ["a", "b"]
    outsider = Principal(Role.DESA, "32.11.01.2002")
    assert outsider.scope_filter(people, "kode_desa").count().execute() == 0


# --- posyandu cadres: their posyandu's children, in the data layer ------------------------------


def test_scope_filter_gives_a_cadre_their_posyandu_only():
    import ibis

    from madangan.access import Principal

    children = ibis.memtable({"nik_anak": ["a", "b", "c", "d"], "posyandu": ["Posyandu Mawar 1", "Posyandu Mawar 2",
                                                                          " posyandu mawar 1 ", "Posyandu Mawar 1"],
                              "kode_desa": ["32.11.22.2001", "32.11.22.2001", "32.11.22.2001", "32.11.22.2002"]})
    cadre = Principal(Role.CADRE, "32.11.22.2001", posyandu="Posyandu Mawar 1")
    assert sorted(cadre.scope_filter(children, "kode_desa").to_pyarrow()["nik_anak"].to_pylist()) == ["a", "c"]
    other = Principal(Role.CADRE, "32.11.22.2001", posyandu="Posyandu Mawar 2")
    assert other.scope_filter(children, "kode_desa").to_pyarrow()["nik_anak"].to_pylist() == ["b"]
    coded = ibis.memtable({"nik_anak": ["a", "b"], "kode_posyandu": ["P-01", "P-02"],
                           "kode_desa": ["32.11.22.2001", "32.11.22.2001"]})
    by_code = Principal(Role.CADRE, "32.11.22.2001", posyandu="P-02")
    assert by_code.scope_filter(coded, "kode_desa").to_pyarrow()["nik_anak"].to_pylist() == ["b"]
    # a table that does not name the posyandu (pregnancies, residents) and a cadre without one: nothing
    mothers = ibis.memtable({"nik_ibu": ["m"], "kode_desa": ["32.11.22.2001"]})
    assert cadre.scope_filter(mothers, "kode_desa").count().execute() == 0
    unassigned = Principal(Role.CADRE, "32.11.22.2001")
    assert unassigned.scope_filter(children, "kode_desa").count().execute() == 0
    # the desa operator keeps the whole desa
    desa = Principal(Role.DESA, "32.11.22.2001")
    assert desa.scope_filter(children, "kode_desa").count().execute() == 3


def test_a_cadre_account_needs_its_posyandu_and_only_a_cadre_has_one():
    from madangan.errors import UserError

    engine = make_engine("sqlite://")
    migrate(engine)
    with pytest.raises(UserError, match="--posyandu"):
        store.add_user(engine, "kader", Role.CADRE, "32.11.22.2001", "32.11", password="kader-password-1")
    with pytest.raises(UserError, match="cadre"):
        store.add_user(engine, "desa", Role.DESA, "32.11.22.2001", "32.11", password="desa-password-1",
                       posyandu="Posyandu Mawar 1")
    store.add_user(engine, "kader", Role.CADRE, "32.11.22.2001", "32.11", password="kader-password-1",
                   posyandu=" Posyandu Mawar 1 ")
    (user,) = store.list_users(engine)
    assert store.principal_of(user).posyandu == "Posyandu Mawar 1"


POSYANDU_DESA = "32.11.01.2001"
POSYANDU_A, POSYANDU_B = "Posyandu Mawar 1", "Posyandu Mawar 2"


def _child(serial: int, posyandu: str) -> dict:
    return {"NIK Anak": f"32110115032400{serial:02d}", "Nama Anak": f"Anak {serial}", "Jenis Kelamin": "L",
            "Tanggal Lahir": "2024-03-15", "Kode Desa": POSYANDU_DESA, "Posyandu": posyandu,
            "Berat Lahir (kg)": "3.1", "Panjang Lahir (cm)": "49"}


def _measurement(serial: int, posyandu: str, weight: str) -> dict:
    return {"ID Pengukuran": f"UKUR-{serial}", "NIK Anak": f"32110115032400{serial:02d}",
            "Tanggal Pengukuran": "2025-03-15", "Umur (bulan)": "12", "Berat Badan (kg)": weight,
            "Tinggi/Panjang Badan (cm)": "75", "Cara Ukur": "TERLENTANG", "Edema": "TIDAK", "Posyandu": posyandu,
            "Kode Desa": POSYANDU_DESA}


@pytest.fixture(scope="module")
def posyandu_site(tmp_path_factory):
    """One desa with two posyandu, each with a child whose measurement cannot be (a finding per posyandu),
    verified by the real engine; a cadre of each posyandu and the desa's operator."""
    from madangan import deploy
    from madangan.config import Settings
    from madangan.ingest.pipeline import ingest_records
    from madangan.verval.engine import verify

    settings = Settings(data_dir=tmp_path_factory.mktemp("posyandu") / "data")
    engine, _ = deploy.init(settings, "32.11")
    children = [_child(1, POSYANDU_A), _child(2, POSYANDU_A), _child(3, POSYANDU_B), _child(4, POSYANDU_B)]
    measurements = [_measurement(1, POSYANDU_A, "9.2"), _measurement(2, POSYANDU_A, "92"),
                    _measurement(3, POSYANDU_B, "9.4"), _measurement(4, POSYANDU_B, "94")]
    assert ingest_records(settings, "32.11", "balita", children, submitted_by="test").counts.quarantined == 0
    assert ingest_records(settings, "32.11", "posyandu", measurements, submitted_by="test").counts.quarantined == 0
    verify(settings, engine, "32.11", actor="test")
    for username, role, posyandu in (("kader.a", Role.CADRE, POSYANDU_A), ("kader.b", Role.CADRE, POSYANDU_B),
                                     ("operator", Role.DESA, None)):
        store.add_user(engine, username, role, POSYANDU_DESA, "32.11", password="kader-password-1", posyandu=posyandu)
    return create_app(settings)


def _ids(engine, **where) -> set[str]:
    from madangan.appdb.models import Finding

    with engine.connect() as conn:
        query = sa.select(Finding.id)
        for column, value in where.items():
            query = query.where(getattr(Finding, column) == value)
        return set(conn.execute(query).scalars())


def _client_of(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    assert login(client, username, "kader-password-1").status_code == 303
    return client


def test_verval_stamps_each_health_finding_with_its_records_posyandu(app, demo_deployment):
    """The finding's posyandu is the one its record names (posyandu measurements, the balita register and the
    pregnancy register)."""
    import ibis

    from madangan.appdb.models import Finding

    settings, _ = demo_deployment
    with app.state.engine.connect() as conn:
        stamped = conn.execute(sa.select(Finding.source, Finding.record_key, Finding.posyandu)
                               .where(Finding.posyandu.is_not(None))).all()
        unstamped = conn.execute(sa.select(sa.func.count()).where(
            Finding.posyandu.is_(None), Finding.source == "posyandu", Finding.rule != "sumber_kedaluwarsa")).scalar()
    assert stamped and {s for s, _, _ in stamped} <= {"posyandu", "balita", "kehamilan"}
    assert unstamped == 0  # every finding on a measurement carries its posyandu
    con = ibis.duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        rows = con.table("posyandu").select("id_pengukuran", "posyandu").to_pyarrow().to_pylist()
        pregnancies = con.table("kehamilan").select("id_kehamilan", "posyandu").to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    measured = {r["id_pengukuran"]: r["posyandu"] for r in rows}
    checked = [(key, posyandu) for source, key, posyandu in stamped if source == "posyandu"]
    assert checked and all(measured[key] == posyandu for key, posyandu in checked)
    followed = {r["id_kehamilan"]: r["posyandu"] for r in pregnancies}
    mothers = [(key, posyandu) for source, key, posyandu in stamped if source == "kehamilan"]
    assert mothers and all(followed[key] == posyandu for key, posyandu in mothers)  # findings on the mothers it follows


def _xlsx_cells(content: bytes) -> set:
    from io import BytesIO

    from openpyxl import load_workbook

    return {c for row in load_workbook(BytesIO(content)).active.iter_rows(values_only=True) for c in row}


def test_a_cadre_sees_nothing_of_another_posyandu_on_any_person_route(posyandu_site):
    app = posyandu_site
    engine = app.state.engine
    ids = {p: _ids(engine, kode_desa=POSYANDU_DESA, posyandu=p) for p in (POSYANDU_A, POSYANDU_B)}
    assert ids[POSYANDU_A] and ids[POSYANDU_B]  # the engine stamped each finding with its record's posyandu
    operator = _client_of(app, "operator")
    everything = {i["id"] for i in operator.get("/api/v1/findings", params={"per_page": 500}).json()["items"]}
    assert ids[POSYANDU_A] | ids[POSYANDU_B] <= everything

    for username, mine, theirs in (("kader.a", POSYANDU_A, POSYANDU_B), ("kader.b", POSYANDU_B, POSYANDU_A)):
        client = _client_of(app, username)
        for params in ({}, {"desa": POSYANDU_DESA}, {"source": "posyandu"}, {"rule": "pengukuran_tidak_wajar"}):
            listed = client.get("/api/v1/findings", params={**params, "status": "all", "per_page": 500}).json()
            assert {i["id"] for i in listed["items"]} <= ids[mine], (username, params)
        listed = client.get("/api/v1/findings", params={"status": "all", "per_page": 500}).json()
        assert {i["id"] for i in listed["items"]} == ids[mine] and listed["total"] == len(ids[mine])
        summary = client.get("/api/v1/findings/summary", params={"status": "all", "by": "status"}).json()
        assert sum(r["jumlah"] for r in summary) == len(ids[mine])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/temuan").text).group(1)
        for other in ids[theirs]:
            assert client.get(f"/api/v1/findings/{other}").status_code == 404
            assert client.get(f"/temuan/{other}").status_code == 404
            assert client.post(f"/api/v1/findings/{other}/status", json={"status": "in_verification"},
                               headers={"x-csrf-token": csrf}).status_code == 404
            assert client.post(f"/temuan/{other}", data={"status": "in_verification", "csrf_token": csrf}
                               ).status_code == 404
        for own in ids[mine]:
            assert client.get(f"/api/v1/findings/{own}").status_code == 200
        page = client.get("/temuan", params={"status": "all"}).text
        assert all(i in page for i in ids[mine]) and not any(i in page for i in ids[theirs])
        cells = _xlsx_cells(client.get("/temuan/ekspor.xlsx", params={"status": "all"}).content)
        assert ids[mine] <= cells and not cells & ids[theirs]
    reads = [e for e in store.audit_entries(engine, "kader.a") if e.action in ("finding.read", "findings.export")]
    assert {e.action for e in reads} == {"finding.read", "findings.export"}


def test_a_cadre_reads_alert_evidence_of_their_posyandu_only(posyandu_site):
    import json

    from madangan.alerts.models import Alert
    from madangan.appdb import sessions

    app = posyandu_site
    engine = app.state.engine
    stamp = store.now()
    made = []
    with sessions(engine).begin() as session:
        for subject, sector, evidence in (
            ("anak-1", "health", {"posyandu": POSYANDU_A, "whz": -3.4}),
            ("anak-3", "health", {"posyandu": POSYANDU_B, "whz": -3.5}),
            ("keluarga-1", "welfare", {"program": "PKH"}),
        ):
            alert = Alert(rule_id="gizi_buruk", subject=subject, sector=sector, kode_wilayah=POSYANDU_DESA,
                          severity="darurat", state="firing", evidence=json.dumps(evidence), personal=True,
                          fired_at=stamp, created_at=stamp, updated_at=stamp)
            session.add(alert)
            session.flush()
            made.append(alert.id)
    client = _client_of(app, "kader.a")
    own, other, welfare = (client.get(f"/api/v1/alerts/{i}").json() for i in made)
    assert own["evidence"] == {"posyandu": POSYANDU_A, "whz": -3.4}
    assert other["evidence"] is None and welfare["evidence"] is None
    assert "-3.4" in client.get(f"/peringatan/{made[0]}").text
    assert "-3.5" not in client.get(f"/peringatan/{made[1]}").text
    reads = [e.target for e in store.audit_entries(engine, "kader.a") if e.action == "alert.evidence_read"]
    assert reads.count(f"alert:{made[0]}") == 2 and f"alert:{made[1]}" not in reads
    # the desa operator reads all three
    operator = _client_of(app, "operator")
    assert all(operator.get(f"/api/v1/alerts/{i}").json()["evidence"] for i in made)


# --- the executive: every aggregate, persons only on an alert's evidence ----------------------------


def test_executive_reads_every_aggregate_and_persons_only_on_an_alerts_evidence(app):
    import json

    from madangan.access import Permission
    from madangan.alerts.models import Alert
    from madangan.appdb import sessions

    engine = app.state.engine
    routes = app_routes(app)
    person_routes = [r for r in routes if set(r.rules) & {Permission.PERSONS, Permission.UNMASKED}]
    aggregate_routes = [r for r in routes if set(r.rules) == {Permission.AGGREGATES}]
    assert len(person_routes) >= 12 and len(aggregate_routes) >= 30
    # aggregates, and the Living Lab (SPBE figures of public bodies, no person)
    assert ROLE_PERMISSIONS[Role.EXECUTIVE] == {Permission.AGGREGATES, Permission.LIVINGLAB}
    with TestClient(app, follow_redirects=False) as client:
        for route in person_routes:
            for method in route.methods - {"HEAD"}:
                path = route.path.format(**SAMPLE_PARAMS)
                assert _call(client, engine, Role.EXECUTIVE, method, path).status_code == 403, f"{method} {path}"
        for route in aggregate_routes:
            if "GET" in route.methods:
                path = route.path.format(**SAMPLE_PARAMS)
                assert _call(client, engine, Role.EXECUTIVE, "GET", path).status_code not in (401, 403), path
        # the one place persons reach the Bupati: an alert's evidence, masked, and every read audited
        stamp = store.now()
        with sessions(engine).begin() as session:
            alert = Alert(rule_id="gizi_buruk", subject="bupati-test", sector="health", kode_wilayah="32.11.22.2001",
                          severity="darurat", state="firing", personal=True, fired_at=stamp, created_at=stamp,
                          updated_at=stamp, evidence=json.dumps({"nik_anak": "3211226603240001", "whz": -3.2,
                                                                 "posyandu": "Posyandu Melati 1"}))
            session.add(alert)
            session.flush()
            alert_id = alert.id
        try:
            detail = _call(client, engine, Role.EXECUTIVE, "GET", f"/api/v1/alerts/{alert_id}").json()
            assert detail["evidence"] == {"nik_anak": "3211********0001", "whz": -3.2, "posyandu": "Posyandu Melati 1"}
            page = _call(client, engine, Role.EXECUTIVE, "GET", f"/peringatan/{alert_id}").text
            assert "3211********0001" in page and "3211226603240001" not in page
            listed = _call(client, engine, Role.EXECUTIVE, "GET", "/api/v1/alerts").text
            assert "3211226603240001" not in listed and "3211********0001" not in listed  # lists carry no evidence
        finally:
            with sessions(engine).begin() as session:
                session.execute(sa.delete(Alert).where(Alert.id == alert_id))
    reads = [e for e in store.audit_entries(engine, "matrix-executive") if e.action == "alert.evidence_read"]
    assert [e.target for e in reads].count(f"alert:{alert_id}") == 2


def test_auditors_export_the_audit_log_and_the_export_is_itself_audited(app):
    import csv
    import io

    engine = app.state.engine
    store.audit(engine, "finding.read", "auditee", target="finding:x", detail="=HYPERLINK(\"http://x\")")
    with TestClient(app, follow_redirects=False) as client:
        rows = _call(client, engine, Role.ADMIN, "GET", "/api/v1/audit", {"user": "auditee"}).json()
        assert [(r["actor"], r["action"], r["target"]) for r in rows] == [("auditee", "finding.read", "finding:x")]
        exported = _call(client, engine, Role.ADMIN, "GET", "/api/v1/audit", {"user": "auditee", "format": "csv"})
        assert exported.headers["content-type"].startswith("text/csv")
        (row,) = list(csv.DictReader(io.StringIO(exported.text)))
        assert row["detail"].startswith("'=")  # formula neutralised
        for role in (Role.EXECUTIVE, Role.ANALYST, Role.DESA):
            assert _call(client, engine, role, "GET", "/api/v1/audit").status_code == 403
    assert any(e.action == "audit.export" for e in store.audit_entries(engine, "matrix-admin"))
