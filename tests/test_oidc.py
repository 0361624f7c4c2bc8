"""SSO through OpenID Connect, against a real provider: node-oidc-provider, started here.

The provider (tests/oidc-provider/provider.mjs, installed with `npm ci` in that folder)
runs on 127.0.0.1 with its own signing key. A person is played by two HTTP clients: one
for the provider's pages (login and consent forms), one (TestClient) for Madangan.
Madangan itself talks to the provider over real HTTP (discovery, JWKS, token endpoint).
Three of the provider's clients misbehave on purpose — their ID tokens name another
audience, are expired, or are signed with a key outside the provider's JWKS — to show
that Madangan refuses such tokens.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import socket
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from conftest import login, missing_service
from fastapi.testclient import TestClient

from madangan import deploy
from madangan.access import Role, store
from madangan.access.web import SESSION_COOKIE
from madangan.appdb.models import AuditEntry
from madangan.config import OidcSettings, Settings
from madangan.web.app import create_app

PROVIDER_DIR = Path(__file__).parent / "oidc-provider"
APP_BASE = "http://testserver"
CALLBACK = f"{APP_BASE}/login/oidc/callback"
DESA = "32.11.01.2001"  # a desa of Kabupaten Sumedang
OUTSIDE = "32.12.01.2007"  # a desa of Kabupaten Indramayu

#: Accounts at the provider: login name (also the subject, `sub`) → claims. Madangan knows none of them to start with.
ACCOUNTS = {
    "ani": {"preferred_username": "ani", "email": "ani@desa.example", "email_verified": True,
            "madangan_role": "desa", "madangan_region": DESA},
    "ani-lain": {"preferred_username": "ani", "madangan_role": "admin",
                 "madangan_region": "32.11"},
    "budi": {"preferred_username": "budi", "madangan_role": "analyst", "madangan_region": "32.11"},
    "citra": {"preferred_username": "citra", "madangan_role": "desa", "madangan_region": OUTSIDE},
    "dodi": {"preferred_username": "dodi", "madangan_role": "superuser", "madangan_region": "32.11"},
    "eka": {"preferred_username": "eka", "groups": ["/pegawai", "/opd/dinsos"],
            "madangan_region": "32.11"},
    "fajar": {"preferred_username": "fajar.k", "email": "Fajar@Dinkes.example",
              "email_verified": True},
    "gita": {"preferred_username": "gita.p", "email": "gita@dinkes.example",
             "email_verified": False},
    # analysts' sectors and cadres' posyandu in the claims
    "hana": {"preferred_username": "hana", "madangan_role": "analyst", "madangan_region": "32.11",
             "madangan_sectors": ["health"]},
    "irfan": {"preferred_username": "irfan", "madangan_role": "analyst", "madangan_region": "32.11",
              "groups": ["/pegawai", "/opd/dinsos", "/opd/dukcapil"]},
    "joko": {"preferred_username": "joko", "madangan_role": "analyst", "madangan_region": "32.11"},
    "kiki": {"preferred_username": "kiki", "madangan_role": "cadre", "madangan_region": DESA,
             "madangan_posyandu": "Posyandu Mawar 2"},
    "lina": {"preferred_username": "lina", "madangan_role": "cadre", "madangan_region": DESA},
    "mira": {"preferred_username": "mira", "madangan_role": "analyst", "madangan_region": "32.11",
             "madangan_sectors": "health, pertanian"},
}
MISBEHAVING = {"madangan-aud": "aud", "madangan-exp": "exp", "madangan-sig": "sig"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser_port() -> int:
    """The port Madangan will serve on for the Chromium test (the provider must know its callback)."""
    return _free_port()


@pytest.fixture(scope="module")
def provider(tmp_path_factory, browser_port):
    """A running node-oidc-provider; yields its issuer URL."""
    from joserfc.jwk import RSAKey

    node = shutil.which("node")
    if node is None:
        missing_service("Node.js not found (apt-get install nodejs); the OIDC tests need it to run node-oidc-provider")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        missing_service(f"node-oidc-provider is not installed: run `npm ci` in {PROVIDER_DIR}")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"

    def key(kid: str) -> dict:
        return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"},
                                   private=True).as_dict(private=True)

    served = f"http://127.0.0.1:{browser_port}"
    clients = [{"client_id": cid, "client_secret": f"{cid}-secret",
                "redirect_uris": [CALLBACK, f"{served}/login/oidc/callback"],
                "post_logout_redirect_uris": [f"{APP_BASE}/login", f"{served}/login"]}
               for cid in ["madangan", *MISBEHAVING]]
    config = {"issuer": issuer, "port": port, "jwks": {"keys": [key("provider-key")]},
              "foreign_jwk": key("provider-key"),  # same kid, another key: only the signature tells
              "clients": clients, "accounts": ACCOUNTS, "misbehave": MISBEHAVING}
    path = tmp_path_factory.mktemp("oidc-provider") / "config.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen([node, str(PROVIDER_DIR / "provider.mjs"), str(path)], cwd=PROVIDER_DIR,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # "READY <issuer>", or empty when node exits
        if not line.startswith("READY"):
            process.kill()
            pytest.fail(f"node-oidc-provider did not start: {process.stderr.read()[-2000:]}")
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A deployment of Kabupaten Sumedang (regions only, no data: logins need none)."""
    data_dir = tmp_path_factory.mktemp("oidc") / "madangan-data"
    deploy.init(Settings(data_dir=data_dir), "32.11")
    return data_dir


def make_app(data_dir: Path, issuer: str, client_id: str = "madangan", **oidc):
    oidc = {"scopes": "openid profile email madangan", "client_secret": f"{client_id}-secret", **oidc}
    oidc_settings = OidcSettings(issuer=issuer, client_id=client_id, name="Keycloak Pemkab", **oidc)
    return create_app(Settings(data_dir=data_dir, oidc=oidc_settings))


CLAIMS = {"role_claim": "madangan_role", "region_claim": "madangan_region"}


@pytest.fixture
def engine(deployment, provider):
    """The app database, emptied of accounts between tests (the audit log stays: it is append-only)."""
    app = make_app(deployment, provider)
    engine = app.state.engine
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM user_session"))
        conn.execute(sa.text("DELETE FROM app_user"))
    return engine


# --- a person with a browser ----------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def _form(html: str) -> dict:
    parser = _Forms()
    parser.feed(html)
    assert parser.forms, f"no form on the page: {html[:500]}"
    return parser.forms[0]


class Browser:
    """Cookies per site, redirects followed across Madangan (TestClient) and the provider (HTTP)."""

    def __init__(self, app, issuer: str):
        self.app = TestClient(app, base_url=APP_BASE, follow_redirects=False)
        self.idp = httpx.Client(follow_redirects=False, timeout=15)
        self.issuer = issuer

    def get(self, url: str) -> httpx.Response:
        return (self.idp if url.startswith(self.issuer) else self.app).get(url)

    def follow(self, response: httpx.Response, stop_at: str | None = None):
        """Follow redirects; returns the URL when it reaches `stop_at`, else the final response."""
        while response.is_redirect:
            url = urljoin(str(response.url), response.headers["location"])
            if stop_at and url.startswith(stop_at):
                return url
            response = self.get(url)
        return response

    def sign_in_at_provider(self, account: str, next_url: str = "/") -> str:
        """Start SSO at Madangan, sign in and consent at the provider; returns the callback URL (not yet visited)."""
        start = self.app.get("/login/oidc", params={"next": next_url})
        assert start.status_code in (302, 303), start.text[:500]
        location = start.headers["location"]
        query = parse_qs(urlsplit(location).query)
        assert location.startswith(self.issuer) and query["code_challenge_method"] == ["S256"]
        assert query["state"] and query["nonce"] and query["code_challenge"]
        page = self.follow(start)
        for _ in range(3):  # login, then consent
            assert page.status_code == 200, page.text[:500]
            form = _form(page.text)
            fields = form["fields"]
            if "login" in fields:
                fields.update(login=account, password="any-password")
            response = self.idp.post(urljoin(str(page.url), form["action"]), data=fields)
            result = self.follow(response, stop_at=CALLBACK)
            if isinstance(result, str):
                return result
            page = result
        raise AssertionError("the provider never sent the browser back to Madangan")

    def sso_login(self, account: str, next_url: str = "/") -> httpx.Response:
        return self.app.get(self.sign_in_at_provider(account, next_url))


def _session(engine, response):
    cookie = response.cookies.get(SESSION_COOKIE)
    return store.session_user(engine, cookie) if cookie else None


def _audit(engine, action: str) -> list[AuditEntry]:
    return [e for e in store.audit_entries(engine) if e.action == action]


def _message(response) -> str:
    found = re.search(r'<p class="error" role="alert">([^<]+)</p>', response.text)
    return html.unescape(found.group(1)) if found else ""


# --- the login page ----------------------------------------------------------------------------


def test_login_page_offers_sso_only_when_configured(deployment, provider):
    with TestClient(make_app(deployment, provider)) as client:
        page = client.get("/login?next=/wilayah/32.11").text
    assert "Masuk dengan SSO (Keycloak Pemkab)" in page
    assert 'href="/login/oidc?next=/wilayah/32.11"' in page
    plain = create_app(Settings(data_dir=deployment))
    with TestClient(plain) as client:
        assert "SSO" not in client.get("/login").text
        assert client.get("/login/oidc").status_code == 404
        assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


# --- a successful login ---------------------------------------------------------------------


def test_known_user_signs_in_with_the_role_and_scope_of_the_claims(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    browser = Browser(make_app(deployment, provider, **CLAIMS), provider)
    done = browser.sso_login("ani", next_url=f"/wilayah/{DESA}")
    assert done.status_code == 303 and done.headers["location"] == f"/wilayah/{DESA}", _message(done)
    user, session = _session(engine, done)
    assert (user.username, user.role, user.region_code, session.method) == ("ani", "desa", DESA, "oidc")
    header = browser.app.get(f"/wilayah/{DESA}").text  # their own desa (region pages refuse outside the scope)
    assert "ani · desa" in header  # signed in, as the person sees it
    entry = _audit(engine, "login.oidc")[0]
    assert (entry.actor, entry.region_code) == ("ani", DESA)
    # the short-lived state cookie is gone once the login is done
    assert not [c for c in browser.app.cookies.jar if c.name == "madangan_sso"]


def test_first_sso_login_matches_by_username_and_binds_the_subject(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", sso_only=True)
    app = make_app(deployment, provider)  # no claim mapping: role and region from Madangan's record
    assert _session(engine, Browser(app, provider).sso_login("ani"))[0].oidc_subject == "ani"
    # another provider account calling itself "ani" cannot take the account over
    refused = Browser(app, provider).sso_login("ani-lain")
    assert refused.status_code == 403 and _session(engine, refused) is None
    assert "sudah terikat ke akun SSO lain" in _message(refused)
    assert _audit(engine, "login.oidc_refused")[0].detail == "bound_elsewhere"


def test_first_sso_login_matches_a_verified_email_only(deployment, provider, engine):
    store.add_user(engine, "fajar", Role.ANALYST, "32.11", "32.11", email="fajar@dinkes.example", sso_only=True)
    store.add_user(engine, "gita", Role.ANALYST, "32.11", "32.11", email="gita@dinkes.example", sso_only=True)
    app = make_app(deployment, provider)
    user, _ = _session(engine, Browser(app, provider).sso_login("fajar"))
    assert (user.username, user.role) == ("fajar", "analyst")
    unverified = Browser(app, provider).sso_login("gita")  # the provider has not verified her email
    assert unverified.status_code == 403 and "belum terdaftar" in _message(unverified)


def test_group_claim_maps_to_a_role(deployment, provider, engine):
    store.add_user(engine, "eka", Role.EXECUTIVE, "32.11", "32.11", sso_only=True)
    app = make_app(deployment, provider, role_claim="groups", role_map={"/opd/dinsos": "analyst"},
                   region_claim="madangan_region")
    user, _ = _session(engine, Browser(app, provider).sso_login("eka"))
    assert (user.role, user.region_code) == ("analyst", "32.11")  # the provider is the source of truth


SCOPE_CLAIMS = {**CLAIMS, "sectors_claim": "madangan_sectors", "posyandu_claim": "madangan_posyandu"}


def test_analyst_sectors_and_cadre_posyandu_come_from_the_claims(deployment, provider, engine):
    from madangan.access.store import principal_of

    # a record saying otherwise is overridden: the provider is the source of truth once the claims are mapped
    store.add_user(engine, "hana", Role.ANALYST, "32.11", "32.11", sectors=("welfare",), sso_only=True)
    store.add_user(engine, "kiki", Role.CADRE, DESA, "32.11", posyandu="Posyandu Mawar 1", sso_only=True)
    app = make_app(deployment, provider, **SCOPE_CLAIMS)
    hana, _ = _session(engine, Browser(app, provider).sso_login("hana"))
    assert (hana.role, hana.sectors, hana.posyandu) == ("analyst", "health", None)
    assert principal_of(hana).sectors == frozenset({"health"})
    kiki, _ = _session(engine, Browser(app, provider).sso_login("kiki"))
    assert (kiki.role, kiki.region_code, kiki.posyandu, kiki.sectors) == ("cadre", DESA, "Posyandu Mawar 2", "")
    assert principal_of(kiki).posyandu == "Posyandu Mawar 2"

    # Keycloak groups mapped to sectors; a group that names no sector is ignored
    store.add_user(engine, "irfan", Role.ANALYST, "32.11", "32.11", sso_only=True)
    mapped = make_app(deployment, provider, **{**SCOPE_CLAIMS, "sectors_claim": "groups",
                                               "sector_map": {"/opd/dinsos": "welfare", "/opd/dukcapil": "population"}})
    irfan, _ = _session(engine, Browser(mapped, provider).sso_login("irfan"))
    assert irfan.sectors == "welfare,population"


@pytest.mark.parametrize("account, role, region, message, reason", [
    ("joko", Role.ANALYST, "32.11", "tidak memberi sektor", "no_sectors"),
    ("mira", Role.ANALYST, "32.11", "Sektor 'pertanian'", "unknown_sector"),
    ("lina", Role.CADRE, DESA, "tidak memberi posyandu", "no_posyandu"),
])
def test_an_analyst_without_sectors_or_a_cadre_without_posyandu_is_refused(deployment, provider, engine, account,
                                                                             role, region, message, reason):
    store.add_user(engine, account, role, region, "32.11", sso_only=True,
                   posyandu="Posyandu Mawar 1" if role is Role.CADRE else None)
    refused = Browser(make_app(deployment, provider, **SCOPE_CLAIMS), provider).sso_login(account)
    assert refused.status_code == 403 and _session(engine, refused) is None
    assert message in _message(refused)
    entry = _audit(engine, "login.oidc_refused")[0]
    assert (entry.actor, entry.detail) == (account, reason)


def test_without_a_posyandu_claim_a_cadre_keeps_the_posyandu_of_the_record(deployment, provider, engine):
    store.add_user(engine, "lina", Role.CADRE, DESA, "32.11", posyandu="Posyandu Mawar 1", sso_only=True)
    lina, _ = _session(engine, Browser(make_app(deployment, provider, **CLAIMS), provider).sso_login("lina"))
    assert (lina.role, lina.posyandu) == ("cadre", "Posyandu Mawar 1")
    # an analyst made a cadre by the role claim, with no posyandu claim mapped and none on record: refused
    store.add_user(engine, "kiki", Role.ANALYST, "32.11", "32.11", sso_only=True)
    refused = Browser(make_app(deployment, provider, **CLAIMS), provider).sso_login("kiki")
    assert refused.status_code == 403 and _session(engine, refused) is None
    assert "posyandu" in _message(refused)
    entry = _audit(engine, "login.oidc_refused")[0]
    assert (entry.actor, entry.detail) == ("kiki", "scope")
    assert [u.role for u in store.list_users(engine) if u.username == "kiki"] == ["analyst"]  # nothing changed


def test_unknown_user_is_created_only_when_allowed(deployment, provider, engine):
    refused = Browser(make_app(deployment, provider, **CLAIMS), provider).sso_login("budi")
    assert refused.status_code == 403 and _session(engine, refused) is None
    assert "belum terdaftar di Madangan" in _message(refused)
    assert "budi" not in {u.username for u in store.list_users(engine)}
    assert _audit(engine, "login.oidc_refused")[0].detail == "unknown_user"

    created = Browser(make_app(deployment, provider, create_users=True, **CLAIMS), provider).sso_login("budi")
    assert created.status_code == 303, _message(created)
    user, _ = _session(engine, created)
    assert (user.username, user.role, user.region_code, user.oidc_subject) == ("budi", "analyst", "32.11", "budi")
    with pytest.raises(store.LoginRefused):  # an SSO account has no local password
        store.authenticate(engine, "budi", store.SSO_ONLY)


def test_disabled_account_cannot_sign_in_through_sso(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    store.set_active(engine, "ani", False)
    refused = Browser(make_app(deployment, provider), provider).sso_login("ani")
    assert refused.status_code == 403 and _session(engine, refused) is None
    assert "dinonaktifkan" in _message(refused)


# --- refused: claims outside the rules ----------------------------------------------------------


def test_claim_naming_a_region_outside_the_deployment_is_refused(deployment, provider, engine):
    store.add_user(engine, "citra", Role.DESA, DESA, "32.11", sso_only=True)
    browser = Browser(make_app(deployment, provider, create_users=True, **CLAIMS), provider)
    refused = browser.sso_login("citra")
    assert refused.status_code == 403 and _session(engine, refused) is None
    assert f"Wilayah {OUTSIDE} di luar deployment 32.11" in _message(refused)
    entry = _audit(engine, "login.oidc_refused")[0]
    assert (entry.actor, entry.detail) == ("citra", "scope")
    citra = {u.username: u for u in store.list_users(engine)}["citra"]
    assert (citra.region_code, citra.oidc_subject) == (DESA, None)  # nothing of the refused login was kept


def test_claim_naming_an_unknown_role_is_refused(deployment, provider, engine):
    refused = Browser(make_app(deployment, provider, create_users=True, **CLAIMS), provider).sso_login("dodi")
    assert refused.status_code == 403 and "Peran 'superuser' dari penyedia SSO tidak dikenal" in _message(refused)
    assert _audit(engine, "login.oidc_refused")[0].detail == "unknown_role"
    assert "dodi" not in {u.username for u in store.list_users(engine)}


# --- refused: the protocol ---------------------------------------------------------------------


def test_wrong_state_is_refused(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    browser = Browser(make_app(deployment, provider), provider)
    callback = browser.sign_in_at_provider("ani")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    forged = browser.app.get(f"{CALLBACK}?{urlencode({**query, 'state': 'forged-state'})}")
    assert forged.status_code == 400 and _session(engine, forged) is None
    assert "Sesi login SSO tidak cocok" in _message(forged)
    # a callback from another browser (no state cookie at all) is refused the same way
    stranger = Browser(make_app(deployment, provider), provider).app.get(callback)
    assert stranger.status_code == 400 and _session(engine, stranger) is None


def test_replayed_code_is_refused(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    browser = Browser(make_app(deployment, provider), provider)
    callback = browser.sign_in_at_provider("ani")
    assert _session(engine, browser.app.get(callback)) is not None
    again = browser.app.get(callback)  # the same answer once more: its state is spent
    assert again.status_code == 400 and _session(engine, again) is None
    # the same code under a fresh, valid state: the provider refuses a used code
    fresh_state = parse_qs(urlsplit(browser.app.get("/login/oidc").headers["location"]).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    replay = browser.app.get(f"{CALLBACK}?{urlencode({'code': code, 'state': fresh_state})}")
    assert replay.status_code == 400 and _session(engine, replay) is None
    assert "sudah dipakai atau kedaluwarsa" in _message(replay)
    assert _audit(engine, "login.oidc_refused")[0].detail == "code"


@pytest.mark.parametrize("client_id", list(MISBEHAVING))
def test_id_token_with_foreign_audience_expired_or_bad_signature_is_refused(deployment, provider, engine, client_id):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    refused = Browser(make_app(deployment, provider, client_id=client_id), provider).sso_login("ani")
    assert refused.status_code == 401 and _session(engine, refused) is None
    assert "Token identitas dari penyedia SSO tidak sah" in _message(refused)
    assert _audit(engine, "login.oidc_refused")[0].detail == "token"


def test_wrong_client_secret_is_reported_as_a_configuration_error(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    app = make_app(deployment, provider, client_secret="a-stale-secret")
    refused = Browser(app, provider).sso_login("ani")
    assert refused.status_code == 502 and _session(engine, refused) is None
    assert "client_id atau client_secret salah" in _message(refused)


def test_issuer_must_match_the_discovery_document(deployment, provider, engine):
    # the provider answers at localhost too, but calls itself http://127.0.0.1:…
    other_name = provider.replace("127.0.0.1", "localhost")
    with TestClient(make_app(deployment, other_name)) as client:
        refused = client.get("/login/oidc", follow_redirects=False)
    assert refused.status_code == 502 and "penerbit (issuer) lain" in _message(refused)


def test_unreachable_provider_is_a_clear_message(deployment, engine):
    with TestClient(make_app(deployment, f"http://127.0.0.1:{_free_port()}")) as client:
        refused = client.get("/login/oidc", follow_redirects=False)
    assert refused.status_code == 502 and "tidak dapat dihubungi" in _message(refused)
    assert "Username" in client.get("/login?lang=en").text  # the local login still works


# --- logout ------------------------------------------------------------------------------------


def test_logout_ends_the_session_and_the_providers(deployment, provider, engine):
    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    browser = Browser(make_app(deployment, provider), provider)
    done = browser.sso_login("ani")
    cookie = done.cookies[SESSION_COOKIE]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.app.get("/").text).group(1)
    out = browser.app.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    target = urlsplit(out.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider}/session/end"
    params = parse_qs(target.query)
    assert params["client_id"] == ["madangan"] and params["post_logout_redirect_uri"] == [f"{APP_BASE}/login"]
    assert store.session_user(engine, cookie) is None
    assert browser.get(out.headers["location"]).status_code == 200  # the provider's sign-out page


def test_local_logins_are_unchanged(deployment, provider, engine):
    store.add_user(engine, "lokal", Role.ANALYST, "32.11", "32.11", password="kata-sandi-lokal")
    with TestClient(make_app(deployment, provider), follow_redirects=False) as client:
        done = login(client, "lokal", "kata-sandi-lokal")
        assert done.status_code == 303 and _session(engine, done)[1].method == "password"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        assert client.post("/logout", data={"csrf_token": csrf}).headers["location"] == "/login"


# --- configuration and accounts ------------------------------------------------------------------


def test_sso_is_off_unless_configured_and_half_a_configuration_is_a_clear_error(monkeypatch, tmp_path):
    from madangan.config import load_settings
    from madangan.errors import UserError

    assert not load_settings().oidc.enabled
    toml = tmp_path / "madangan.toml"
    toml.write_text('[oidc]\nissuer = "https://sso.sumedangkab.go.id/realms/pemkab/"\nclient_id = "madangan"\n'
                    'role_claim = "groups"\nrole_map = {"/opd/dinsos" = "analyst"}\n')
    monkeypatch.setenv("MADANGAN_CONFIG", str(toml))
    settings = load_settings()
    assert settings.oidc.enabled and settings.oidc.issuer == "https://sso.sumedangkab.go.id/realms/pemkab"
    assert settings.oidc.role_map == {"/opd/dinsos": "analyst"} and not settings.oidc.create_users
    monkeypatch.setenv("MADANGAN_OIDC__CLIENT_SECRET", "rahasia")
    assert load_settings().oidc.client_secret.get_secret_value() == "rahasia"
    assert "rahasia" not in repr(load_settings())  # the secret stays out of logs and tracebacks

    toml.write_text('[oidc]\nissuer = "https://sso.example/realms/pemkab"\n')
    with pytest.raises(UserError, match="oidc.*client_id"):
        load_settings()
    toml.write_text('[oidc]\nissuer = "sso.example"\nclient_id = "m"\n')
    with pytest.raises(UserError, match="oidc.issuer.*http"):
        load_settings()
    toml.write_text('[oidc]\nissuer = "https://sso.example"\nclient_id = "m"\nrole_map = {"/x" = "raja"}\n')
    with pytest.raises(UserError, match="raja"):
        load_settings()
    toml.write_text('[oidc]\nissuer = "https://sso.example"\nclient_id = "m"\ncreate_users = true\n')
    with pytest.raises(UserError, match="role_claim and region_claim"):
        load_settings()


def test_admin_adds_an_sso_account_on_the_command_line_and_it_signs_in(provider, tmp_path):
    from test_cli import assert_clean_failure, run

    data = tmp_path / "d"
    assert run("init", "--region", "32.11", data_dir=data).returncode == 0
    added = run("users", "add", "ani.desa", "--role", "desa", "--region", DESA, "--oidc-subject", "ani", data_dir=data)
    assert added.returncode == 0 and "SSO saja" in added.stdout and "Kata sandi" not in added.stdout
    assert "saja" in run("users", "list", data_dir=data).stdout
    assert_clean_failure(run("users", "add", "ani.lagi", "--role", "desa", "--region", DESA, "--oidc-subject", "ani",
                             data_dir=data), "sudah dipakai")
    app = make_app(data, provider)
    done = Browser(app, provider).sso_login("ani")
    user, _ = _session(app.state.engine, done)
    assert (user.username, user.role, user.region_code) == ("ani.desa", "desa", DESA)


# --- in a real browser -------------------------------------------------------------------------


@pytest.mark.browser
def test_sso_in_chromium_from_the_login_button_to_the_providers_logout(deployment, provider, engine, browser_port,
                                                                     chromium_path):
    import threading

    import uvicorn
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM_ARGS

    store.add_user(engine, "ani", Role.DESA, DESA, "32.11", oidc_subject="ani", sso_only=True)
    served = f"http://127.0.0.1:{browser_port}"
    app = make_app(deployment, provider, redirect_base=served)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=browser_port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            page = chromium.new_page()
            blocked: list[str] = []
            page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(served + f"/login?next=/wilayah/{DESA}")
            page.click("text=Masuk dengan SSO (Keycloak Pemkab)")
            page.wait_for_url(provider + "/interaction/**")
            page.fill("input[name=login]", "ani")
            page.fill("input[name=password]", "kata-sandi-di-penyedia")
            page.click("button[type=submit]")
            page.wait_for_url(provider + "/interaction/**")  # consent
            page.click("button[type=submit]")
            page.wait_for_url(served + f"/wilayah/{DESA}")
            assert "ani · desa" in page.locator(".who").inner_text()
            page.click(".logout button")
            page.wait_for_url(provider + "/session/end**")
            page.click("button[autofocus]")  # the provider asks: "Yes, sign me out"
            page.wait_for_url(served + "/login?state=*")  # back at Madangan's login page
            assert page.locator("text=Masuk dengan SSO").count() == 1
            assert blocked == []
            chromium.close()
    finally:
        server.should_exit = True
        thread.join(timeout=5)
