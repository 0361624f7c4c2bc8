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
                 "rule_id": "gizi_buruk", "feedback_id": "999999999"}
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


def _session_cookie(engine, role: Role) -> str:
    username = f"matrix-{role.value}"
    existing = {u.username: u for u in store.list_users(engine)}
    if username not in existing:
        store.add_user(engine, username, role, ROLE_SCOPES[role], "32.11", password="matrix-password-1")
    user = store.authenticate(engine, username, "matrix-password-1")
    cookie, _ = store.open_session(engine, user)
    return cookie


def test_authorisation_matrix_every_get_route_by_every_role(app):
    """Routes × roles: allowed exactly when the role holds the route's permission; the public gets a login."""
    engine = app.state.engine
    checked = 0
    with TestClient(app, follow_redirects=False) as client:
        for route in app_routes(app):
            if "GET" not in route.methods:
                continue
            (rule,) = set(route.rules)
            for role in Role:
                path = route.path.format(**{**SAMPLE_PARAMS, **ROLE_SAMPLE_PARAMS.get(role, {})})
                client.cookies.clear()
                if role is not Role.PUBLIC:
                    client.cookies.set(SESSION_COOKIE, _session_cookie(engine, role))
                status = client.get(path).status_code
                allowed = rule == "public" or (role is not Role.PUBLIC and rule in ROLE_PERMISSIONS[role])
                if allowed:
                    assert status < 400 or status == 404, f"{role} denied {path}: {status}"
                    assert not (status == 303 and role is not Role.PUBLIC), f"{role} sent to login at {path}"
                elif role is Role.PUBLIC:
                    assert status in (401, 303), f"public reached {path}: {status}"
                else:
                    assert status == 403, f"{role} reached {path}: {status}"
                checked += 1
    assert checked >= 6 * 7


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
