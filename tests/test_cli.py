"""The `madangan` command as a data officer runs it: one-line answers to bad input, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, data_dir: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MADANGAN_")}
    environment.update(env)
    environment["MADANGAN_CONFIG"] = "/nonexistent/madangan.toml"
    if data_dir is not None:
        environment["MADANGAN_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "madangan", *args], capture_output=True, text=True,
                          env=environment, timeout=600)


def assert_clean_failure(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    message = result.stderr.strip()
    for text in expected:
        assert text in message, message


def test_regions_show_prints_the_tree_summary():
    result = run("regions", "show", "32.11")
    assert result.returncode == 0
    assert "Kabupaten Sumedang" in result.stdout and "32.11.22 Cimalaka" in result.stdout
    assert "26 kecamatan" in result.stdout and "270 desa" in result.stdout and "7 kelurahan" in result.stdout


def test_regions_search_finds_cimalaka():
    result = run("regions", "search", "cimalaka")
    assert result.returncode == 0
    assert "32.11.22.2001" in result.stdout and "32.11.22 " in result.stdout


def test_english_is_available():
    result = run("regions", "show", "32.99", MADANGAN_LANG="en")
    assert_clean_failure(result, "Unknown region code '32.99'", "32.09 Kabupaten Cirebon")


def test_unknown_region_suggests_close_codes_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    result = run("demo", "--region", "32.99", "--population", "100", "--no-serve", data_dir=data)
    assert_clean_failure(result, "32.99", "32.09 Kabupaten Cirebon")
    assert not data.exists()


def test_malformed_region_code(tmp_path):
    assert_clean_failure(run("init", "--region", "Sumedang", data_dir=tmp_path / "d"), "tidak valid", "32.11")


@pytest.mark.parametrize("population", ["0", "-10"])
def test_population_must_be_positive(tmp_path, population):
    data = tmp_path / "data"
    result = run("demo", "--population", population, "--no-serve", data_dir=data)
    assert_clean_failure(result, "positif")
    assert not data.exists()


def test_unwritable_data_directory(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    result = run("init", "--region", "11.71", data_dir=blocker / "data")
    assert_clean_failure(result, "tidak bisa ditulis", "MADANGAN_DATA_DIR")


def test_unreachable_postgresql(tmp_path):
    data = tmp_path / "data"
    result = run("init", "--region", "11.71", data_dir=data,
                 MADANGAN_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/madangan")
    assert_clean_failure(result, "MADANGAN_DATABASE_URL")
    assert list(data.iterdir()) == [] if data.exists() else True


def test_serve_without_a_deployment_says_how_to_make_one(tmp_path):
    assert_clean_failure(run("serve", data_dir=tmp_path / "empty"), "madangan init")


def test_init_sets_up_banda_aceh_with_its_real_names(tmp_path):
    data = tmp_path / "aceh"
    result = run("init", "--region", "11.71", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "Kota Banda Aceh" in result.stdout
    import duckdb

    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    names = {row[0] for row in con.execute("SELECT name FROM wilayah WHERE level = 'kecamatan'").fetchall()}
    assert {"Baiturrahman", "Kuta Alam", "Syiah Kuala"} <= names
    import json

    outlines = json.loads((data / "boundaries.geojson").read_text())
    assert any(f["properties"]["code"].startswith("11.71.") for f in outlines["features"])
    # the same directory cannot silently switch region
    other = run("init", "--region", "16.06", data_dir=data)
    assert_clean_failure(other, "11.71", "MADANGAN_DATA_DIR")


@pytest.mark.slow
def test_demo_builds_musi_banyuasin_without_serving(tmp_path):
    data = tmp_path / "muba"
    result = run("demo", "--region", "16.06", "--population", "5000", "--seed", "3", "--no-serve", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "Kabupaten Musi Banyuasin" in result.stdout
    assert (data / "sources" / "penduduk.csv").exists()
    assert (data / "sources" / "ground_truth.csv").exists()


def test_synth_writes_every_source_and_the_ground_truth(tmp_path):
    out = tmp_path / "out"
    result = run("synth", "--region", "32.11", "--population", "3000", "--seed", "5", "--out", str(out))
    assert result.returncode == 0, result.stderr
    from madangan.plugins import contracts

    expected = {c.file_name() for c in contracts().values()} | {"ground_truth.csv"}
    assert {p.name for p in out.iterdir()} == expected


def test_boundaries_import_replaces_the_outlines_and_refuses_bad_files(tmp_path):
    import json

    data = tmp_path / "aceh"
    assert run("init", "--region", "11.71", data_dir=data).returncode == 0
    official = tmp_path / "resmi.geojson"
    square = {"type": "Polygon", "coordinates": [[[95.3, 5.5], [95.4, 5.5], [95.4, 5.6], [95.3, 5.5]]]}
    official.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"KODE": "117101", "NAMA": "Meuraxa"}, "geometry": square}]}))
    good = run("boundaries", "import", str(official), data_dir=data)
    assert good.returncode == 0, good.stderr
    outlines = json.loads((data / "boundaries.geojson").read_text())
    assert [f["properties"]["code"] for f in outlines["features"]] == ["11.71.01"]

    foreign = tmp_path / "lain.geojson"
    foreign.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "32.11.01"}, "geometry": square}]}))
    assert_clean_failure(run("boundaries", "import", str(foreign), data_dir=data), "fitur #1", "32.11.01")
    malformed = tmp_path / "salah.geojson"
    malformed.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "1171010"}, "geometry": square}]}))
    assert_clean_failure(run("boundaries", "import", str(malformed), data_dir=data), "fitur #1", "1171010")
    broken = tmp_path / "rusak.geojson"
    broken.write_text("{not json")
    assert_clean_failure(run("boundaries", "import", str(broken), data_dir=data), "tidak valid")
    # the imported outlines are still there after the refused files
    assert json.loads((data / "boundaries.geojson").read_text()) == outlines


def test_users_disable_enable_and_an_unknown_user(tmp_path):
    data = tmp_path / "d"
    assert run("init", "--region", "32.11", data_dir=data).returncode == 0
    added = run("users", "add", "desa.cimalaka", "--role", "desa", "--region", "32.11.22.2001", data_dir=data)
    assert added.returncode == 0 and "tampil sekali" in added.stdout
    assert "Akun dinonaktifkan" in run("users", "disable", "desa.cimalaka", data_dir=data).stdout
    assert "tidak" in run("users", "list", data_dir=data).stdout
    assert "Akun diaktifkan" in run("users", "enable", "desa.cimalaka", data_dir=data).stdout
    assert_clean_failure(run("users", "disable", "tidak.ada", data_dir=data), "tidak ditemukan")
    assert_clean_failure(run("users", "add", "x", "--role", "raja", data_dir=data), "Peran tidak dikenal")


def test_findings_answers_bad_input_with_one_clear_line(tmp_path):
    data = tmp_path / "d"
    assert run("init", "--region", "32.11", data_dir=data).returncode == 0
    assert_clean_failure(run("findings", "--rule", "tidak_ada", data_dir=data), "Aturan 'tidak_ada' tidak dikenal",
                         "nik_struktur")
    assert_clean_failure(run("findings", "--status", "beres", data_dir=data), "Status 'beres' tidak dikenal",
                         "in_verification")
    assert_clean_failure(run("findings", "--desa", "32.12.01.2007", data_dir=data), "bukan bagian dari 32.11")
    assert_clean_failure(run("findings", "--desa", "99x", data_dir=data), "tidak valid")
    assert_clean_failure(run("findings", "--source", "nope", data_dir=data), "Sumber 'nope' tidak dikenal")
    assert_clean_failure(run("findings", "show", "000", data_dir=data), "Temuan '000' tidak ada")
    assert_clean_failure(run("findings", "set", "000", "confirmed", data_dir=data), "Temuan '000' tidak ada")
    assert_clean_failure(run("findings", "--export", str(tmp_path / "no" / "such" / "w.xlsx"), data_dir=data),
                         "tidak dapat ditulis")
    ok = run("findings", "--export", str(tmp_path / "w.xlsx"), data_dir=data)
    assert ok.returncode == 0 and (tmp_path / "w.xlsx").exists()
    exported = run("audit", "--export", str(tmp_path / "audit.csv"), data_dir=data)
    assert exported.returncode == 0
    # only the export that was written is in the audit log
    assert (tmp_path / "audit.csv").read_text().count("findings.export") == 1


def test_users_add_scopes_a_cadre_to_their_posyandu_and_refuses_bad_scopes(tmp_path):
    data = tmp_path / "d"
    assert run("init", "--region", "32.11", data_dir=data).returncode == 0
    assert_clean_failure(run("users", "add", "kader", "--role", "cadre", "--region", "32.11.22.2001", data_dir=data),
                         "--posyandu")
    assert_clean_failure(run("users", "add", "op", "--role", "desa", "--region", "32.11.22.2001", "--posyandu", "X",
                             data_dir=data), "Hanya peran 'cadre'")
    assert_clean_failure(run("users", "add", "opd", "--role", "analyst", "--sectors", "pertanian", data_dir=data),
                         "Sektor tidak dikenal: pertanian")
    added = run("users", "add", "kader", "--role", "cadre", "--region", "32.11.22.2001", "--posyandu",
                "Posyandu Mawar 1", data_dir=data)
    assert added.returncode == 0 and "Posyandu Mawar 1" in added.stdout
    # no posyandu data loaded yet: accepted, with a warning that the name could not be checked
    assert "belum bisa diperiksa" in added.stderr and "Posyandu Mawar 1" in added.stderr
    assert "Posyandu Mawar 1" in run("users", "list", data_dir=data).stdout


def test_users_add_checks_a_cadres_posyandu_against_the_loaded_posyandu_data(demo_deployment):
    from madangan.warehouse import connect

    settings, _ = demo_deployment
    con = connect(settings.warehouse, read_only=True)
    try:
        desa, name = con.raw_sql("SELECT kode_desa, posyandu FROM posyandu ORDER BY kode_desa, posyandu LIMIT 1").fetchone()
        elsewhere = con.raw_sql(f"SELECT posyandu FROM posyandu WHERE posyandu NOT IN "
                                f"(SELECT posyandu FROM posyandu WHERE kode_desa = '{desa}') LIMIT 1").fetchone()[0]
    finally:
        con.disconnect()
    data = settings.data_dir
    typo = name + "x"
    refused = run("users", "add", "kader_typo", "--role", "cadre", "--region", desa, "--posyandu", typo, data_dir=data)
    assert_clean_failure(refused, f"Posyandu '{typo}' tidak ada di data posyandu wilayah {desa}", name)
    assert len(refused.stderr.strip().splitlines()) == 1
    # a posyandu of another desa is not this desa's
    assert_clean_failure(run("users", "add", "kader_lain", "--role", "cadre", "--region", desa, "--posyandu", elsewhere,
                             data_dir=data), f"'{elsewhere}'", desa)
    assert "kader_typo" not in run("users", "list", data_dir=data).stdout
    assert "kader_lain" not in run("users", "list", data_dir=data).stdout
    # written as people type it (case, spaces): accepted, without a warning
    added = run("users", "add", "kader_ok", "--role", "cadre", "--region", desa, "--posyandu", f"  {name.lower()} ",
                data_dir=data)
    assert added.returncode == 0, added.stderr
    assert "belum bisa diperiksa" not in added.stderr
    assert "kader_ok" in run("users", "list", data_dir=data).stdout


def test_exports_to_a_folder_that_does_not_exist_are_one_clear_line(tmp_path):
    data = tmp_path / "d"
    assert run("init", "--region", "32.11", data_dir=data).returncode == 0
    missing = tmp_path / "no" / "such"
    assert_clean_failure(run("audit", "--export", str(missing / "audit.csv"), data_dir=data), "tidak dapat ditulis")
    assert_clean_failure(run("pdp", "register", "--export", str(missing / "r.csv"), data_dir=data),
                         "tidak dapat ditulis")


def test_serve_with_two_processes_answers_and_keeps_nagle_off(tmp_path):
    """`madangan serve --workers 2` serves a deployment from two processes. Their shared socket is bound with
    proto TCP, so every connection gets TCP_NODELAY: with uvicorn's own socket each keep-alive response written
    in two parts waited ~40 ms for the client's delayed ACK (uvicorn issue #3149)."""
    import asyncio
    import socket
    import time

    import httpx

    from madangan.cli import _listening_socket

    listener = _listening_socket("127.0.0.1", 0)
    assert listener.proto == socket.IPPROTO_TCP

    async def nodelay_of_an_accepted_connection() -> int:
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport):
                seen.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _reader, writer = await asyncio.open_connection(*listener.getsockname())
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        return value

    assert asyncio.run(nodelay_of_an_accepted_connection()) == 1

    data = tmp_path / "data"
    assert run("init", "--region", "11.71", data_dir=data).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MADANGAN_")}
    environment.update(MADANGAN_CONFIG="/nonexistent/madangan.toml", MADANGAN_DATA_DIR=str(data))
    server = subprocess.Popen([sys.executable, "-m", "madangan", "serve", "--port", str(port), "--workers", "2"],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert answer.status_code == 200
        # the port is now taken: a second server says so in one line, no traceback
        assert_clean_failure(run("serve", "--port", str(port), "--workers", "2", data_dir=data), f"127.0.0.1:{port}",
                             "--port")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_rule_files_edited_outside_the_app_are_noted_in_the_audit_log(tmp_path):
    """peringatan.toml and the program rules are edited by hand: each load that finds new content leaves one
    audit entry (file name and short sha256, never the content); an unchanged file leaves none."""
    from madangan.access import store
    from madangan.appdb import make_engine
    from madangan.config import Settings
    from madangan.sectors.welfare import rules as welfare_rules
    from madangan.sectors.welfare.service import rule_file

    data = tmp_path / "d"
    assert run("init", "--region", "32.11", data_dir=data).returncode == 0
    engine = make_engine(Settings(data_dir=data).app_db_url)

    def changes(name: str) -> list[str]:
        return [e.detail for e in store.audit_entries(engine) if e.action == "berkas_aturan_berubah" and e.target == name]

    alerts_file = data / "peringatan.toml"
    alerts_file.write_text("[aturan.gizi_buruk]\nkeparahan = \"tinggi\"\n", encoding="utf-8")
    assert run("alerts", "rules", data_dir=data).returncode == 0
    assert len(changes("peringatan.toml")) == 1
    assert "tinggi" not in changes("peringatan.toml")[0] and changes("peringatan.toml")[0].startswith("sha256=")
    assert run("alerts", "rules", data_dir=data).returncode == 0  # another process, same content
    assert len(changes("peringatan.toml")) == 1
    alerts_file.write_text("[aturan.gizi_buruk]\nkeparahan = \"darurat\"\n", encoding="utf-8")
    assert run("alerts", "rules", data_dir=data).returncode == 0
    assert len(changes("peringatan.toml")) == 2 and len(set(changes("peringatan.toml"))) == 2

    own = tmp_path / "program_kabupaten.toml"
    own.write_text(welfare_rules.shipped_file().read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(data_dir=data, verval={"aturan_program": str(own)})
    rule_file(settings)
    rule_file(settings)
    assert len(changes(own.name)) == 1
    own.write_text(own.read_text(encoding="utf-8") + "\n# catatan Dinsos\n", encoding="utf-8")
    rule_file(settings)
    assert len(changes(own.name)) == 2
    engine.dispose()
