"""The `madangan` command (Typer + Rich). User-facing text in Bahasa Indonesia; MADANGAN_LANG=en for English."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from madangan import deploy
from madangan.config import load_settings
from madangan.errors import UserError
from madangan.i18n import current_language, t
from madangan.progress import steps
from madangan.regions import regions
from madangan.alerts.cli import app as alerts_app
from madangan.sectors.spbe.cli import app as spbe_app

DEMO_REGION = "32.11"  # Kabupaten Sumedang
DEMO_POPULATION = 1_226_660  # Kepmendagri 300.2.2-2138/2025
# piped or redirected output (logs, files) gets a wide page instead of Rich's 80 columns
console = Console(width=None if sys.stdout.isatty() else 160)


def _h(id_text: str, en_text: str) -> str:
    return en_text if current_language() == "en" else id_text


app = typer.Typer(
    help=_h("Madangan: pusat komando data untuk pemerintah kabupaten/kota.",
            "Madangan: a data command center for regency/city governments."),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
regions_app = typer.Typer(help=_h("Cari dan tampilkan wilayah Kemendagri.", "Find and show Kemendagri regions."),
                          no_args_is_help=True)
boundaries_app = typer.Typer(help=_h("Batas wilayah (peta).", "Region boundaries (maps)."), no_args_is_help=True)
users_app = typer.Typer(help=_h("Kelola akun pengguna.", "Manage user accounts."), no_args_is_help=True)
batches_app = typer.Typer(help=_h("Batch ingest: daftar, rincian, pembatalan.", "Ingest batches: list, show, revert."),
                          invoke_without_command=True)
tokens_app = typer.Typer(help=_h("Kelola token API aplikasi.", "Manage application API tokens."), no_args_is_help=True)
app.add_typer(regions_app, name="regions")
app.add_typer(boundaries_app, name="boundaries")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(batches_app, name="batches")
pdp_app = typer.Typer(help=_h("Kewajiban UU 27/2022 (pelindungan data pribadi).", "Personal data protection duties (UU 27/2022)."),
                      no_args_is_help=True)
dpia_app = typer.Typer(help=_h("Penilaian dampak (DPIA).", "Impact assessments (DPIA)."), no_args_is_help=True)
breach_app = typer.Typer(help=_h("Insiden kebocoran data dan jam 3×24 jam.", "Breaches and the 72-hour clock."), no_args_is_help=True)
pdp_app.add_typer(dpia_app, name="dpia")
pdp_app.add_typer(breach_app, name="breach")
app.add_typer(pdp_app, name="pdp")
findings_app = typer.Typer(help=_h("Temuan verval: daftar kerja, rincian, hasil verifikasi lapangan.",
                                   "Verval findings: worklists, details, field-verification outcomes."),
                           invoke_without_command=True)
app.add_typer(findings_app, name="findings")
app.add_typer(spbe_app, name="livinglab")
app.add_typer(spbe_app, name="spbe", hidden=True)  # the older name, kept as an alias
app.add_typer(alerts_app, name="alerts")

RegionOpt = Annotated[str, typer.Option("--region", "-r", help=_h("Kode kabupaten/kota, mis. 32.11", "Regency/city code, e.g. 32.11"))]
HostOpt = Annotated[str, typer.Option(help=_h("Alamat untuk melayani", "Address to serve on"))]
PortOpt = Annotated[int, typer.Option(help=_h("Port untuk melayani", "Port to serve on"))]


@app.command()
def init(region: RegionOpt) -> None:
    """Siapkan deployment untuk satu kabupaten/kota (Set up a deployment for a regency/city)."""
    settings = load_settings(region=region)
    with steps() as step:
        _, reg = deploy.init(settings, region, step)
    console.print(t("done.init", name=reg.name, code=reg.code, path=settings.data_dir))


@app.command()
def demo(
    region: RegionOpt = DEMO_REGION,
    population: Annotated[int, typer.Option(help=_h("Jumlah penduduk sintetis", "Synthetic population"))] = DEMO_POPULATION,
    seed: Annotated[int, typer.Option(help=_h("Benih acak (hasil sama untuk benih sama)", "Random seed"))] = 7,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help=_h("Langsung layani web", "Serve the web app afterwards"))] = True,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
) -> None:
    """Bangun kabupaten demo sintetis lalu layani pusat komandonya (Build the synthetic demo regency and serve it)."""
    settings = load_settings(region=region)
    with steps() as step:
        result = deploy.demo(settings, region, population, seed, step)
    console.print(t("done.demo", name=result.region.name, population=f"{population:,}".replace(",", "."),
                    sources=len(result.sources), seconds=result.seconds))
    table = Table(_h("Pengguna", "User"), _h("Peran", "Role"), _h("Wilayah", "Region"), _h("Kata sandi", "Password"),
                  title=_h("Akun demo (juga di ", "Demo accounts (also in ") + str(settings.data_dir / deploy.DEMO_ACCOUNTS_FILE) + ")")
    for row in result.accounts:
        table.add_row(*row)
    console.print(table)
    if serve_after:
        _serve(settings, host, port)


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
          workers: Annotated[int, typer.Option(min=1, max=64, help=_h(
              "Jumlah proses server (mis. satu per inti CPU)", "Server processes (e.g. one per CPU core)"))] = 1) -> None:
    """Layani deployment yang sudah ada (Serve an existing deployment)."""
    settings = load_settings()
    if workers > 1:
        import uvicorn

        if settings.mqtt_url:
            raise UserError(_h("--workers > 1 tidak bisa dipakai bersama MQTT (setiap proses akan berlangganan); "
                               "pakai satu proses.", "--workers > 1 cannot be used with MQTT (every process would "
                               "subscribe); use one process."))
        deploy.open_deployment(settings)  # a clear error before the workers start
        console.print(t("serve.start", host=host, port=port))
        # each process builds the app from the same settings (environment and madangan.toml) and keeps its own
        # read model; they share the warehouse file and the app database
        # a worker loading a large snapshot holds the GIL for a while: do not take it for hung after uvicorn's 5 s
        config = uvicorn.Config("madangan.web.app:app_from_settings", factory=True, host=host, port=port,
                                workers=workers, log_level="warning", timeout_worker_healthcheck=120)
        from uvicorn.supervisors import Multiprocess

        try:
            Multiprocess(config, sockets=[_listening_socket(host, port)]).run()
        except KeyboardInterrupt:
            pass
        return
    _serve(settings, host, port)


def _listening_socket(host: str, port: int):
    """The socket the server processes share, bound here with proto = TCP: the one uvicorn binds for --workers
    leaves proto at 0, so asyncio never turns Nagle off on its connections and each response written in two parts
    waits ~40 ms for the client's delayed ACK (uvicorn issue #3149; the single-process server is not affected)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(_h(f"Tidak bisa membuka {host}:{port}: {exc.strerror}. Pilih port lain dengan --port.",
                           f"Cannot listen on {host}:{port}: {exc.strerror}. Choose another port with --port.")) from exc
    sock.set_inheritable(True)
    return sock


def _serve(settings, host: str, port: int) -> None:
    import uvicorn

    from madangan.web.app import create_app

    application = create_app(settings)
    console.print(t("serve.start", host=host, port=port))
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def synth(
    region: RegionOpt,
    out: Annotated[Path, typer.Option(help=_h("Direktori keluaran", "Output directory"))],
    population: Annotated[int, typer.Option(help=_h("Jumlah penduduk", "Population"))] = DEMO_POPULATION,
    seed: Annotated[int, typer.Option(help=_h("Benih acak", "Random seed"))] = 7,
) -> None:
    """Tulis semua sumber data sintetis seperti ekspor OPD, plus ground_truth.csv (Write every synthetic source file)."""
    from madangan import synth as synthetic

    with steps() as step:
        ctx = synthetic.build(region, population, seed, step)
        files = synthetic.write(ctx, out, step)
    console.print(t("done.synth", files=len(files), path=out, errors=len(ctx.ground_truth())))


@regions_app.command("show")
def regions_show(code: str) -> None:
    """Ringkasan pohon wilayah (Tree summary of a region)."""
    index = regions()
    region = index.get(code)
    tree = Tree(f"[bold]{region.code}[/] {region.name} ({region.level})")
    for child in index.children(region.code):
        grandchildren = index.children(child.code)
        kinds = _count_levels(grandchildren)
        suffix = f" — {kinds}" if kinds else ""
        tree.add(f"{child.code} {child.name}{suffix}")
    console.print(tree)
    console.print(_h("Total: ", "Total: ") + _count_levels(index.children(region.code), index.desa_of(region.code)))


def _count_levels(*groups) -> str:
    from collections import Counter

    counts = Counter(r.level for group in groups for r in group)
    return ", ".join(f"{n} {level}" for level, n in counts.items())


@regions_app.command("search")
def regions_search(query: str) -> None:
    """Cari desa/kelurahan, kecamatan atau kabupaten menurut nama (Find a region by name)."""
    index = regions()
    found = index.search(query)
    if not found:
        raise UserError(t("region.no_match", query=query))
    table = Table(_h("Kode", "Code"), _h("Tingkat", "Level"), _h("Wilayah", "Region"))
    for region in found:
        table.add_row(region.code, region.level, index.path(region.code))
    console.print(table)


@boundaries_app.command("import")
def boundaries_import(file: Path) -> None:
    """Ganti batas wilayah dengan berkas GeoJSON resmi (Replace boundaries with an official GeoJSON file)."""
    from madangan import boundaries

    settings = load_settings()
    _, deployment = deploy.open_deployment(settings)
    index = regions()
    known = {deployment.region_code, *index.children_of[deployment.region_code],
             *(r.code for r in index.desa_of(deployment.region_code))}
    count = boundaries.import_file(settings.data_dir, file, deployment.region_code, known)
    console.print(t("boundaries.imported", count=count, region=deployment.region_name))


@app.command()
def ingest(
    source: Annotated[str, typer.Argument(help=_h("Nama sumber, mis. posyandu, penduduk", "Source name, e.g. posyandu"))],
    files: Annotated[list[Path], typer.Argument(help=_h("Berkas CSV/XLSX/JSON/NDJSON", "CSV/XLSX/JSON/NDJSON files"))],
    mapping: Annotated[Optional[Path], typer.Option(help=_h("Berkas pemetaan judul kolom (CSV/TOML)", "Header mapping file"))] = None,
    strict: Annotated[bool, typer.Option(help=_h("Keluar dengan kode bukan nol bila ada baris dikarantina", "Exit non-zero when rows were quarantined"))] = False,
) -> None:
    """Masukkan berkas OPD ke gudang data (Ingest agency files into the warehouse)."""
    from madangan.ingest.pipeline import ingest_file

    settings = load_settings()
    _, deployment = deploy.open_deployment(settings)
    quarantined = 0
    for path in files:
        with steps() as step:
            result = ingest_file(settings, deployment.region_code, source, path, mapping=mapping,
                                 submitted_by=_os_user(), channel="cli", step=step)
        _print_result(result)
        quarantined += result.counts.quarantined
    deploy.rebuild_summary(settings)
    if strict and quarantined:
        raise typer.Exit(3)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except OSError:
        return "cli"


def _print_result(result) -> None:
    if result.already_ingested_as is not None:
        console.print(_h(f"{result.file_name}: berkas yang sama sudah masuk sebagai batch {result.already_ingested_as}; tidak ada perubahan.",
                         f"{result.file_name}: the same file was already ingested as batch {result.already_ingested_as}; nothing changed."))
        return
    c = result.counts
    table = Table(title=f"Batch {result.batch} · {result.source} · {result.file_name or ''}", show_header=False)
    for label, value in ((_h("Dibaca", "Read"), c.rows_read), (_h("Diterima", "Accepted"), c.accepted),
                         (_h("  baru", "  new"), c.inserted), (_h("  diperbarui", "  updated"), c.updated),
                         (_h("  tidak berubah", "  unchanged"), c.unchanged), (_h("Dikarantina", "Quarantined"), c.quarantined)):
        table.add_row(label, f"{value:,}".replace(",", "."))
    console.print(table)
    for code, rows in sorted(result.reasons.items(), key=lambda kv: -kv[1]):
        console.print(f"  {code}: {rows:,} ".replace(",", ".") + _h("baris", "rows"))
    if result.unmapped:
        console.print(_h("Kolom berkas yang tidak dipakai: ", "File columns not used: ") + ", ".join(result.unmapped),
                      soft_wrap=True)
    if result.report:
        console.print(_h("Laporan karantina: ", "Quarantine report: ") + str(result.report), soft_wrap=True)


@batches_app.callback()
def batches_list(ctx: typer.Context,
                 source: Annotated[Optional[str], typer.Option(help=_h("Hanya sumber ini", "Only this source"))] = None,
                 limit: Annotated[int, typer.Option(help=_h("Jumlah batch terbaru", "Number of latest batches"))] = 30) -> None:
    """Daftar batch (List batches)."""
    if ctx.invoked_subcommand is not None:
        return
    from madangan import warehouse
    from madangan.ingest import store

    settings = load_settings()
    deploy.open_deployment(settings)
    con = warehouse.connect(settings.warehouse)
    try:
        rows = store.list_batches(con.con, source, limit)
    finally:
        con.disconnect()
    table = Table("#", _h("Sumber", "Source"), _h("Berkas", "File"), "SHA-256", _h("Waktu", "When"), _h("Oleh", "By"),
                  _h("Diterima", "Accepted"), _h("Baru", "New"), _h("Diperbarui", "Updated"), _h("Karantina", "Quarantined"), "Status")
    for b in rows:
        table.add_row(str(b["id"]), b["source"], b["file_name"] or "—", (b["sha256"] or "")[:12], f"{b['committed_at']:%Y-%m-%d %H:%M}",
                      f"{b['submitted_by'] or ''} ({b['channel']})", str(b["accepted"]), str(b["inserted"]), str(b["updated"]),
                      str(b["quarantined"]), b["status"])
    console.print(table)


@batches_app.command("show")
def batches_show(batch_id: int) -> None:
    """Rincian satu batch dan alasan karantinanya (One batch and its quarantine reasons)."""
    from madangan import warehouse
    from madangan.ingest import store

    settings = load_settings()
    deploy.open_deployment(settings)
    con = warehouse.connect(settings.warehouse)
    try:
        batch = store.get_batch(con.con, batch_id)
        if batch is None:
            raise UserError(_h(f"Batch {batch_id} tidak ada.", f"Batch {batch_id} does not exist."))
        reasons = store.batch_reasons(con.con, batch_id)
    finally:
        con.disconnect()
    table = Table(show_header=False, title=f"Batch {batch_id}")
    for key, value in batch.items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
    for code, rows, example in reasons:
        console.print(f"  {code} ({rows}): {example}")


@batches_app.command("rejected")
def batches_rejected(
    batch_id: int,
    out: Annotated[Path, typer.Option(help=_h("Berkas CSV keluaran", "Output CSV file"))],
) -> None:
    """Tulis baris yang dikarantina, utuh, untuk diperbaiki lalu dikirim ulang (Export quarantined rows for correction)."""
    import csv
    import json

    from madangan import warehouse
    from madangan.access import store as access_store
    from madangan.exports import neutralise
    from madangan.ingest import store as ingest_store
    from madangan.ingest.pipeline import contract_for

    settings = load_settings()
    engine, _ = deploy.open_deployment(settings)
    con = warehouse.connect(settings.warehouse)
    try:
        batch = ingest_store.get_batch(con.con, batch_id)
        if batch is None:
            raise UserError(_h(f"Batch {batch_id} tidak ada.", f"Batch {batch_id} does not exist."))
        rows = con.con.execute(
            "SELECT row_number, raw FROM _quarantine_row WHERE batch = ? ORDER BY sheet, row_number", [batch_id]
        ).fetchall()
    finally:
        con.disconnect()
    contract = contract_for(batch["source"])
    with out.open("w", newline="", encoding="utf-8-sig") as f:  # BOM: Excel opens UTF-8 correctly
        writer = csv.writer(f)
        writer.writerow([c.header for c in contract.columns])
        for _, raw in rows:
            values = json.loads(raw)
            writer.writerow([neutralise(values.get(c.name)) for c in contract.columns])
    access_store.audit(engine, "export_rejected_rows", _os_user(), target=f"batch:{batch_id}",
                       detail=f"source={batch['source']} rows={len(rows)}")
    console.print(_h(f"{len(rows)} baris ditulis ke {out}. Perbaiki lalu kirim ulang dengan 'madangan ingest {batch['source']} {out}'.",
                     f"Wrote {len(rows)} rows to {out}. Correct them, then send again with 'madangan ingest {batch['source']} {out}'."),
                  soft_wrap=True)


@batches_app.command("revert")
def batches_revert(batch_id: int) -> None:
    """Batalkan batch: barisnya keluar, versi lama kembali (Take a batch back out completely)."""
    from madangan.ingest.pipeline import revert

    settings = load_settings()
    engine, _ = deploy.open_deployment(settings)
    source, removed = revert(settings, batch_id, _os_user())
    from madangan.access import store as access_store

    access_store.audit(engine, "batch_reverted", _os_user(), target=f"batch:{batch_id}", detail=f"source={source}")
    deploy.rebuild_summary(settings)
    console.print(_h(f"Batch {batch_id} ({source}) dibatalkan: {removed} baris dikeluarkan.",
                     f"Batch {batch_id} ({source}) reverted: {removed} rows taken out."))


def _deployment():
    settings = load_settings()
    return deploy.open_deployment(settings)


def _read_password(from_stdin: bool) -> str | None:
    return sys.stdin.readline().rstrip("\n") if from_stdin else None


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, executive, analyst, kecamatan, desa, cadre")],
    region: Annotated[Optional[str], typer.Option(help=_h("Cakupan wilayah (bawaan: kabupaten)", "Region scope (default: the regency)"))] = None,
    sectors: Annotated[str, typer.Option(help=_h("Sektor analis, dipisah koma", "Analyst's sectors, comma-separated"))] = "",
    posyandu: Annotated[Optional[str], typer.Option(help=_h(
        "Posyandu kader (wajib untuk peran cadre), seperti tertulis di data posyandu, mis. \"Posyandu Mawar 1\"",
        "The cadre's posyandu (required for the cadre role), as written in the posyandu data"))] = None,
    full_name: Annotated[str, typer.Option(help=_h("Nama lengkap", "Full name"))] = "",
    password_stdin: Annotated[bool, typer.Option(help=_h("Baca kata sandi dari stdin", "Read the password from stdin"))] = False,
    oidc_subject: Annotated[Optional[str], typer.Option(help=_h(
        "Subjek (sub) akun di penyedia SSO; akun lalu masuk lewat SSO saja, kecuali --password-stdin",
        "The account's subject (sub) at the SSO provider; it then signs in through SSO only, unless --password-stdin"))] = None,
    email: Annotated[Optional[str], typer.Option(help=_h("Email (untuk mencocokkan login SSO pertama)", "Email (matches a first SSO login)"))] = None,
) -> None:
    """Tambah akun; kata sandi acak ditampilkan sekali (Add an account; a random password is shown once)."""
    from madangan.access import Role, store
    from madangan.regions import normalize_code

    engine, deployment = _deployment()
    try:
        role_ = Role(role)
    except ValueError:
        raise UserError(_h("Peran tidak dikenal: ", "Unknown role: ") + f"{role} ({', '.join(r.value for r in Role if r != Role.PUBLIC)})") from None
    scope = normalize_code(region) if region else deployment.region_code
    if oidc_subject is not None and not oidc_subject.strip():
        raise UserError(_h("--oidc-subject tidak boleh kosong.", "--oidc-subject must not be empty."))
    sso_only = oidc_subject is not None and not password_stdin
    if role_ is Role.CADRE and posyandu and posyandu.strip():
        store.check_scope(role_, scope, deployment.region_code)
        _check_posyandu_loaded(load_settings().warehouse, scope, posyandu.strip())
    password = store.add_user(engine, username, role_, scope, deployment.region_code, _read_password(password_stdin),
                              full_name=full_name, sectors=tuple(filter(None, sectors.split(","))), posyandu=posyandu,
                              oidc_subject=oidc_subject.strip() if oidc_subject else None, email=email, sso_only=sso_only)
    store.audit(engine, "user_added", "cli", target=f"user:{username}", region_code=scope,
                detail=f"role={role_}" + (" sso" if oidc_subject else ""))
    console.print(_h("Akun dibuat: ", "Account created: ") + f"{username} ({role_}, {scope}"
                  + (f", {posyandu.strip()}" if posyandu else "") + ")")
    if sso_only:
        console.print(_h("Masuk lewat SSO saja (tanpa kata sandi lokal).", "Signs in through SSO only (no local password)."))
    elif not password_stdin:
        console.print(_h("Kata sandi (tampil sekali): ", "Password (shown once): ") + password)


def _check_posyandu_loaded(warehouse: Path, region: str, posyandu: str) -> None:
    """A cadre's posyandu must be one recorded under their region in the loaded posyandu data.

    Compared as people type names (case and surrounding spaces do not matter); a posyandu code is accepted
    when the data has a `kode_posyandu` column. Without posyandu data the name cannot be checked: a warning.
    """
    from madangan.access import POSYANDU_COLUMNS, same_posyandu

    names: list[str] | None = None
    if warehouse.exists():
        from madangan.warehouse import connect

        con = connect(warehouse, read_only=True)
        try:
            if "posyandu" in con.list_tables():
                table = con.table("posyandu")
                columns = [c for c in POSYANDU_COLUMNS if c in table.columns]
                if "kode_desa" in table.columns and columns:
                    desa = table["kode_desa"]
                    scoped = table.filter((desa == region) | desa.startswith(region + "."))
                    names = sorted({str(v).strip() for c in columns
                                    for v in scoped.select(c).distinct().to_pyarrow().column(0).to_pylist()
                                    if v is not None and str(v).strip()})
        finally:
            con.disconnect()
    if names is None:
        Console(stderr=True).print(_h(
            f"Peringatan: data posyandu belum dimuat, jadi '{posyandu}' belum bisa diperiksa.",
            f"Warning: no posyandu data is loaded yet, so '{posyandu}' could not be checked."), soft_wrap=True)
        return
    if any(same_posyandu(posyandu, name) for name in names):
        return
    import difflib

    by_upper = {name.upper(): name for name in names}
    close = [by_upper[n] for n in difflib.get_close_matches(posyandu.upper(), list(by_upper), n=5, cutoff=0.5)]
    if not names:
        hint = _h("tidak ada posyandu tercatat di wilayah itu", "no posyandu is recorded in that region")
    elif close:
        hint = _h("mungkin: ", "perhaps: ") + ", ".join(close)
    else:
        hint = _h("contoh yang tercatat: ", "recorded ones include: ") + ", ".join(names[:5])
    raise UserError(_h(f"Posyandu '{posyandu}' tidak ada di data posyandu wilayah {region} ({hint}).",
                       f"Posyandu '{posyandu}' is not in the posyandu data of region {region} ({hint})."))


@users_app.command("list")
def users_list() -> None:
    """Daftar akun (List accounts)."""
    from madangan.access import store

    engine, _ = _deployment()
    table = Table(_h("Pengguna", "User"), _h("Peran", "Role"), _h("Wilayah", "Region"), _h("Aktif", "Active"), "SSO",
                  _h("Dibuat", "Created"))
    for user in store.list_users(engine):
        if user.password_hash == store.SSO_ONLY:
            sso = _h("saja", "only")
        else:
            sso = _h("terikat", "bound") if user.oidc_subject else "-"
        scope = user.region_code + (f" · {user.posyandu}" if user.posyandu else "")
        table.add_row(user.username, user.role, scope, "ya" if user.active else "tidak", sso,
                      f"{user.created_at:%Y-%m-%d}")
    console.print(table)


@users_app.command("disable")
def users_disable(username: str) -> None:
    """Nonaktifkan akun; sesi terbukanya berakhir (Disable an account; its sessions end)."""
    _set_active(username, False)


@users_app.command("enable")
def users_enable(username: str) -> None:
    """Aktifkan kembali akun (Enable an account again)."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from madangan.access import store

    engine, _ = _deployment()
    store.set_active(engine, username, active)
    store.audit(engine, "user_enabled" if active else "user_disabled", "cli", target=f"user:{username}")
    done = _h("Akun diaktifkan: ", "Account enabled: ") if active else _h("Akun dinonaktifkan: ", "Account disabled: ")
    console.print(done + username)


@users_app.command("reset-password")
def users_reset_password(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help=_h("Baca kata sandi dari stdin", "Read the password from stdin"))] = False,
) -> None:
    """Atur ulang kata sandi (oleh admin) dan buka kunci akun (Reset a password and lift a lockout)."""
    from madangan.access import store

    engine, _ = _deployment()
    password = store.reset_password(engine, username, _read_password(password_stdin))
    store.audit(engine, "password_reset", "cli", target=f"user:{username}")
    if not password_stdin:
        console.print(_h("Kata sandi baru (tampil sekali): ", "New password (shown once): ") + password)


@tokens_app.command("add")
def tokens_add(
    name: str,
    sources: Annotated[str, typer.Option(help=_h("Sumber yang boleh dikirim, dipisah koma", "Sources it may push, comma-separated"))],
    region: Annotated[Optional[str], typer.Option(help=_h("Cakupan wilayah (bawaan: kabupaten)", "Region scope (default: the regency)"))] = None,
    days: Annotated[Optional[int], typer.Option(help=_h("Masa berlaku (hari)", "Valid for (days)"))] = None,
) -> None:
    """Buat token API aplikasi; token tampil sekali, yang disimpan hanya hash-nya (Create an API token, shown once)."""
    from madangan.access import store
    from madangan.plugins import contracts
    from madangan.regions import normalize_code

    engine, deployment = _deployment()
    wanted = tuple(filter(None, sources.split(",")))
    unknown = [s for s in wanted if s not in contracts()]
    if unknown:
        raise UserError(_h("Sumber tidak dikenal: ", "Unknown sources: ") + ", ".join(unknown) + f" ({', '.join(contracts())})")
    scope = normalize_code(region) if region else deployment.region_code
    secret = store.add_token(engine, name, scope, deployment.region_code, wanted, created_by="cli", days=days)
    store.audit(engine, "token_added", "cli", target=f"token:{name}", region_code=scope, detail=f"sources={sources}")
    console.print(_h("Token (tampil sekali, simpan sekarang): ", "Token (shown once, store it now): ") + secret)


@tokens_app.command("list")
def tokens_list() -> None:
    """Daftar token API (List API tokens)."""
    from madangan.access import store

    engine, _ = _deployment()
    table = Table("#", _h("Nama", "Name"), _h("Awalan", "Prefix"), _h("Wilayah", "Region"), _h("Sumber", "Sources"), "Status")
    for token in store.list_tokens(engine):
        status = _h("dicabut", "revoked") if token.revoked_at else _h("aktif", "active")
        table.add_row(str(token.id), token.name, token.prefix + "…", token.region_code, token.sources, status)
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Cabut token API (Revoke an API token)."""
    from madangan.access import store

    engine, _ = _deployment()
    store.revoke_token(engine, token_id)
    store.audit(engine, "token_revoked", "cli", target=f"token:{token_id}")
    console.print(_h("Token dicabut: #", "Token revoked: #") + str(token_id))


@app.command()
def audit(
    user: Annotated[Optional[str], typer.Option(help=_h("Hanya entri pengguna ini", "Only this user's entries"))] = None,
    limit: Annotated[int, typer.Option(help=_h("Jumlah entri terbaru", "Number of latest entries"))] = 50,
    export: Annotated[Optional[Path], typer.Option(help=_h("Ekspor semua entri ke CSV", "Export all entries to CSV"))] = None,
) -> None:
    """Lihat atau ekspor log audit (View or export the audit log)."""
    import csv

    from madangan.access import store
    from madangan.exports import neutralise

    engine, _ = _deployment()
    entries = store.audit_entries(engine, user, None if export else limit)
    columns = ("id", "at", "actor", "action", "target", "region_code", "client", "reason", "detail")
    if export:
        with export.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for e in reversed(entries):
                writer.writerow([neutralise(getattr(e, c)) for c in columns])
        console.print(_h(f"{len(entries)} entri diekspor ke ", f"{len(entries)} entries exported to ") + str(export))
        return
    table = Table(*columns[1:7])
    for e in entries:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor or "", e.action, e.target or "", e.region_code or "", e.client or "")
    console.print(table)


@app.command()
def anthro(
    file: Annotated[Path, typer.Argument(help=_h("Berkas CSV/XLSX: jenis kelamin, umur (hari) atau tanggal lahir + tanggal ukur, berat, tinggi, cara ukur, edema",
                                                 "CSV/XLSX: sex, age in days or birth + visit date, weight, length/height, measure, oedema"))],
    out: Annotated[Path, typer.Option("--out", "-o", help=_h("Berkas hasil (.csv atau .xlsx)", "Output file (.csv or .xlsx)"))],
) -> None:
    """Skor-z WHO 2006 dan kategori Permenkes 2/2020 untuk berkas survei/posyandu (WHO z-scores for a survey file)."""
    from madangan.sectors.health.anthro import run

    rows, with_reason = run(file, out)
    console.print(_h(f"{_n(rows)} baris dinilai; {_n(with_reason)} dengan catatan di kolom 'alasan'. Hasil: {out}",
                     f"{_n(rows)} rows scored; {_n(with_reason)} with a note in column 'alasan'. Output: {out}"))


# --- verval -------------------------------------------------------------------------------


@app.command()
def verify() -> None:
    """Jalankan semua pemeriksaan verval dan pencocokan data (Run every verval check)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from madangan.verval.engine import verify as run_verify

    settings = load_settings()
    engine, deployment = deploy.open_deployment(settings)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as bar:
        task = bar.add_task(_h("Verval", "Verval"), total=None)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=f"Verval {label}", completed=done, total=total)

        report = run_verify(settings, engine, deployment.region_code, actor=_os_user(), progress=progress)
    table = Table(_h("Sumber", "Source"), _h("Aturan", "Rule"), _h("Tingkat", "Severity"), _h("Aktif", "Active"),
                  _h("Baru", "New"), _h("Selesai", "Closed"), title=_h(f"Verval run {report.run_id}", f"Verval run {report.run_id}"))
    for row in report.summary:
        if row["open"] or row["new"] or row["closed"]:
            table.add_row(row["source"], row["rule"], row["severity"], _n(row["open"]), _n(row["new"]), _n(row["closed"]))
    console.print(table)
    if report.skipped:
        console.print(t("verval.skipped", items="; ".join(f"{s}/{r} ({why})" for s, r, why in report.skipped)),
                      soft_wrap=True)
    console.print(t("verval.done", seconds=f"{report.seconds:.1f}", open=_n(sum(r["open"] for r in report.summary)),
                    new=_n(sum(r["new"] for r in report.summary)), closed=_n(sum(r["closed"] for r in report.summary))))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".") if current_language() == "id" else f"{value:,}"


@findings_app.callback()
def findings_list(
    ctx: typer.Context,
    desa: Annotated[Optional[str], typer.Option(help=_h("Kode desa/kecamatan", "Desa/kecamatan code"))] = None,
    rule: Annotated[Optional[str], typer.Option(help=_h("Nama aturan", "Rule name"))] = None,
    source: Annotated[Optional[str], typer.Option(help=_h("Nama sumber", "Source name"))] = None,
    status: Annotated[Optional[list[str]], typer.Option(help=_h("Status (bawaan: yang masih perlu ditindak)", "Status (default: those still needing work)"))] = None,
    export: Annotated[Optional[Path], typer.Option(help=_h("Tulis daftar kerja ke XLSX", "Write the worklist to XLSX"))] = None,
    limit: Annotated[int, typer.Option(help=_h("Jumlah baris yang ditampilkan", "Rows to show"))] = 30,
) -> None:
    """Daftar kerja temuan verval per desa (Worklist of findings per desa)."""
    if ctx.invoked_subcommand:
        return
    from madangan.access import store as access_store
    from madangan.verval import findings as service

    settings = load_settings()
    engine, deployment = deploy.open_deployment(settings)
    lang = current_language()
    query = service.parse_filter(deployment.region_code, desa=desa, rule=rule, source=source, status=status)
    items, total = service.read(engine, query, service.OPERATOR, lang, offset=0, limit=None if export else limit)
    if export:
        from madangan.verval.worklist import export_xlsx

        export_xlsx(items, export, lang)
    access_store.audit(engine, "findings.export" if export else "findings.read", f"cli:{_os_user()}",
                       target=service.describe_filter(query), region_code=deployment.region_code, detail=f"rows={len(items)}")
    if export:
        console.print(t("verval.exported", count=_n(len(items)), path=export))
        return
    if not items:
        console.print(t("verval.no_findings"))
        return
    table = Table(_h("ID", "ID"), _h("Desa", "Desa"), _h("Masalah", "Problem"), _h("Keterangan", "Details"), _h("Status", "Status"),
                  title=_h(f"{_n(total)} temuan", f"{_n(total)} findings"))
    for item in items:
        table.add_row(item["id"], item["desa"] or "-", item["title"], item["message"], item["status_label"])
    console.print(table)


@findings_app.command("show")
def findings_show(finding_id: str) -> None:
    """Rincian satu temuan dan riwayatnya (One finding and its history)."""
    from madangan.access import store as access_store
    from madangan.verval import findings as service

    engine, deployment = _deployment()
    item, events = service.read_one(engine, finding_id, service.OPERATOR, current_language())
    access_store.audit(engine, "finding.read", f"cli:{_os_user()}", target=f"finding:{finding_id}",
                       region_code=deployment.region_code)
    for key in ("id", "title", "severity", "source", "record_key", "desa", "kode_desa", "agency", "message", "status_label", "reason"):
        console.print(f"[bold]{key}[/]: {item[key] if item[key] is not None else '-'}", soft_wrap=True)
    for key, value in item["evidence"].items():
        console.print(f"  {key}: {value}", soft_wrap=True)
    table = Table(_h("Waktu", "When"), _h("Oleh", "By"), _h("Dari", "From"), _h("Ke", "To"), _h("Alasan", "Reason"))
    for e in events:
        table.add_row(e["at"], e["actor"] or "", e["from_status"] or "", e["to_status"], e["reason"] or "")
    console.print(table)


@findings_app.command("set")
def findings_set(
    finding_id: str,
    status: Annotated[str, typer.Argument(help="in_verification | confirmed | corrected | dismissed | open")],
    reason: Annotated[Optional[str], typer.Option(help=_h("Alasan / hasil lapangan", "Reason / field outcome"))] = None,
) -> None:
    """Catat hasil verifikasi lapangan satu temuan (Record a finding's field-verification outcome)."""
    from madangan.access import store as access_store
    from madangan.verval import findings as service

    engine, deployment = _deployment()
    actor = f"cli:{_os_user()}"
    item = service.set_status(engine, finding_id, status, reason, service.OPERATOR, actor, current_language())
    access_store.audit(engine, "finding.status", actor, target=f"finding:{finding_id}", region_code=deployment.region_code,
                       reason=reason, detail=f"status={status}")
    console.print(f"{item['id']}: {item['status_label']}")


@pdp_app.command("register")
def pdp_register(export: Annotated[Optional[Path], typer.Option(help=_h("Ekspor ke CSV", "Export to CSV"))] = None) -> None:
    """Register tujuan pemrosesan per sumber: dasar hukum, retensi (Register of processing purposes)."""
    import csv

    from madangan import pdp

    rows = pdp.register()
    if export:
        with export.open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        console.print(_h(f"Register ditulis ke {export}", f"Register written to {export}"))
        return
    table = Table(_h("Sumber", "Source"), _h("Tujuan", "Purpose"), _h("Dasar hukum", "Legal basis"), _h("Retensi", "Retention"),
                  _h("Spesifik", "Specific"))
    for r in rows:
        table.add_row(r["source"], r["purpose"] or "—", r["legal_basis"] or "—", r["retention"], "ya" if r["specific_data"] else "")
    console.print(table)


@dpia_app.command("add")
def dpia_add(
    processing: Annotated[str, typer.Option(help="linkage, scoring, health")],
    sources: Annotated[str, typer.Option(help=_h("Sumber, dipisah koma", "Sources, comma-separated"))],
    summary: Annotated[str, typer.Option(help=_h("Ringkasan penilaian", "Assessment summary"))],
    approved_by: Annotated[str, typer.Option(help=_h("Pejabat pelindungan data (DPO)", "Data protection officer"))],
    risks: Annotated[str, typer.Option(help=_h("Risiko", "Risks"))] = "",
    mitigations: Annotated[str, typer.Option(help=_h("Mitigasi", "Mitigations"))] = "",
) -> None:
    """Catat penilaian dampak sebelum pemrosesan berisiko tinggi (Record a DPIA)."""
    from madangan import pdp
    from madangan.access import store as access_store

    engine, _ = _deployment()
    record = pdp.add_assessment(engine, processing, [s for s in sources.split(",") if s], summary, approved_by,
                                risks, mitigations)
    access_store.audit(engine, "dpia_added", _os_user(), target=f"dpia:{record}", detail=f"{processing} {sources}")
    console.print(_h(f"DPIA #{record} dicatat.", f"DPIA #{record} recorded."))


@dpia_app.command("list")
def dpia_list() -> None:
    """Daftar penilaian dampak (List DPIAs)."""
    from madangan import pdp

    engine, _ = _deployment()
    table = Table("#", _h("Pemrosesan", "Processing"), _h("Sumber", "Sources"), _h("Disetujui", "Approved by"), _h("Tinjau ulang", "Review due"))
    for a in pdp.assessments(engine):
        table.add_row(str(a.id), a.processing, a.sources, a.approved_by, f"{a.review_due:%Y-%m-%d}")
    console.print(table)


@pdp_app.command("retention")
def pdp_retention(apply: Annotated[bool, typer.Option("--apply", help=_h("Hapus sungguhan (bawaan: uji coba)", "Delete for real (default: dry run)"))] = False) -> None:
    """Tegakkan masa retensi: uji coba dulu, --apply untuk menghapus (Enforce retention; dry run by default)."""
    from madangan import pdp
    from madangan.access import store as access_store

    settings = load_settings()
    engine, _ = deploy.open_deployment(settings)
    counts = pdp.retention(settings, apply=apply)
    reports = pdp.self_reports(settings, engine, apply=apply)
    table = Table(_h("Sumber", "Source"), _h("Batas", "Cutoff"), _h("Versi lama", "Old versions"),
                  _h("Rekaman kedaluwarsa", "Expired records"), _h("Baris karantina", "Quarantined rows"))
    for c in counts:
        table.add_row(c.source, str(c.cutoff), str(c.old_versions), str(c.expired_records), str(c.quarantined_rows))
    console.print(table)
    console.print(_h(f"Laporan warga (bansos) diterima sebelum {reports.cutoff}: {reports.deleted} sudah diverifikasi "
                     f"(dihapus), {reports.anonymised} masih menunggu (NIK dan tanggal lahir dihapus, usulan tetap).",
                     f"Citizens' welfare self-reports received before {reports.cutoff}: {reports.deleted} handled "
                     f"(deleted), {reports.anonymised} still waiting (NIK and birth date removed, the request stays)."))
    if apply:
        total = sum(c.old_versions + c.expired_records + c.quarantined_rows for c in counts)
        total += reports.deleted + reports.anonymised
        access_store.audit(engine, "retention_applied", _os_user(), detail=f"rows={total},self_reports_deleted="
                           f"{reports.deleted},self_reports_anonymised={reports.anonymised}")
        deploy.rebuild_summary(settings)
        console.print(_h(f"{total} baris dihapus.", f"{total} rows deleted."))
    else:
        console.print(_h("Uji coba: tidak ada yang dihapus. Jalankan dengan --apply untuk menghapus.",
                         "Dry run: nothing deleted. Run with --apply to delete."))


@breach_app.command("add")
def breach_add(
    description: Annotated[str, typer.Option(help=_h("Uraian insiden", "What happened"))],
    discovered_at: Annotated[Optional[str], typer.Option(help=_h("Kapan diketahui (ISO 8601; bawaan: sekarang)", "When discovered (ISO 8601; default now)"))] = None,
    sources: Annotated[str, typer.Option(help=_h("Sumber terdampak, dipisah koma", "Affected sources"))] = "",
    subjects: Annotated[Optional[int], typer.Option(help=_h("Perkiraan jumlah subjek data", "Estimated data subjects"))] = None,
) -> None:
    """Catat insiden kebocoran data; jam 3×24 jam mulai berjalan (Record a breach; the 72-hour clock starts)."""
    from datetime import UTC, datetime

    from madangan import pdp
    from madangan.access import store as access_store

    engine, _ = _deployment()
    try:
        when = datetime.fromisoformat(discovered_at) if discovered_at else datetime.now(UTC)
    except ValueError:
        raise UserError(_h(f"Waktu '{discovered_at}' tidak valid; contoh 2026-11-23T08:30+07:00.",
                           f"Time '{discovered_at}' is invalid; e.g. 2026-11-23T08:30+07:00.")) from None
    record = pdp.add_breach(engine, description, when, [s for s in sources.split(",") if s], subjects, _os_user())
    access_store.audit(engine, "breach_recorded", _os_user(), target=f"breach:{record}")
    console.print(_h(f"Insiden #{record} dicatat. Beri tahu subjek data dan otoritas dalam 3×24 jam.",
                     f"Breach #{record} recorded. Notify data subjects and the authority within 72 hours."))


@breach_app.command("list")
def breach_list() -> None:
    """Daftar insiden dengan jam notifikasinya (Breaches with their notification clock)."""
    from madangan import pdp

    engine, _ = _deployment()
    table = Table("#", _h("Diketahui", "Discovered"), _h("Uraian", "Description"), _h("Subjek", "Subjects"),
                  _h("Otoritas", "Authority"), _h("Jam 3×24", "72-hour clock"))
    for b in pdp.breaches(engine):
        table.add_row(str(b.id), f"{b.discovered_at:%Y-%m-%d %H:%M}", b.description[:60],
                      f"{b.subjects_notified_at:%Y-%m-%d}" if b.subjects_notified_at else "—",
                      f"{b.authority_notified_at:%Y-%m-%d}" if b.authority_notified_at else "—", pdp.clock(b))
    console.print(table)


@breach_app.command("notify")
def breach_notify(
    breach_id: int,
    subjects: Annotated[bool, typer.Option("--subjects", help=_h("Subjek data sudah diberi tahu", "Data subjects notified"))] = False,
    authority: Annotated[bool, typer.Option("--authority", help=_h("Otoritas sudah diberi tahu", "Authority notified"))] = False,
) -> None:
    """Catat pemberitahuan insiden (Record that a breach was notified)."""
    from madangan import pdp
    from madangan.access import store as access_store

    if not (subjects or authority):
        raise UserError(_h("Sebutkan --subjects dan/atau --authority.", "Give --subjects and/or --authority."))
    engine, _ = _deployment()
    pdp.notify_breach(engine, breach_id, subjects, authority)
    access_store.audit(engine, "breach_notified", _os_user(), target=f"breach:{breach_id}",
                       detail=f"subjects={subjects} authority={authority}")
    console.print(_h(f"Insiden #{breach_id} diperbarui.", f"Breach #{breach_id} updated."))

# --- indicators (issue 7): `madangan refresh`, `madangan indicators [ID]` ---------------------------------
STATUS_STYLE = {"hijau": "green", "kuning": "yellow", "merah": "red"}


@app.command()
def refresh() -> None:
    """Hitung ulang semua indikator per desa × bulan (Recompute every indicator per desa × month)."""
    from madangan import warehouse
    from madangan.indicators import engine

    settings = load_settings()
    deploy.open_deployment(settings)
    con = warehouse.connect(settings.warehouse)
    try:
        with steps() as step:
            result = engine.refresh(con, step=lambda iid: step(_h("Indikator ", "Indicator ") + iid))
    finally:
        con.disconnect()
    console.print(_h(f"{len(result.computed)} indikator dihitung ulang dalam {result.seconds:.1f} detik.",
                     f"{len(result.computed)} indicators recomputed in {result.seconds:.1f} s."))
    if result.skipped:
        console.print(_h("Dilewati (sumber belum dimuat): ", "Skipped (sources not loaded): ") + ", ".join(result.skipped))


@app.command()
def indicators(
    indicator: Annotated[Optional[str], typer.Argument(help=_h("ID indikator; tanpa ID: daftar indikator", "Indicator id; none: list them"))] = None,
    region: Annotated[Optional[str], typer.Option(help=_h("Kode wilayah, mis. 32.11.01", "Region code, e.g. 32.11.01"))] = None,
    level: Annotated[Optional[str], typer.Option(help="kabupaten | kecamatan | desa")] = None,
    period: Annotated[Optional[str], typer.Option(help=_h("YYYY-MM atau YYYY-MM:YYYY-MM", "YYYY-MM or YYYY-MM:YYYY-MM"))] = None,
    by: Annotated[Optional[str], typer.Option(help=_h("Rincian, mis. kanal", "Breakdown, e.g. kanal"))] = None,
    export: Annotated[Optional[Path], typer.Option(help=_h("Ekspor ke .csv atau .xlsx", "Export to .csv or .xlsx"))] = None,
) -> None:
    """Daftar indikator, atau fakta satu indikator per wilayah dan bulan (List indicators, or one indicator's facts)."""
    from madangan import warehouse
    from madangan.indicators import engine

    lang = current_language()
    if indicator is None:
        table = Table("ID", _h("Indikator", "Indicator"), _h("Satuan", "Unit"), _h("Target", "Target"), _h("Sumber", "Sources"),
                      _h("Rincian", "Breakdowns"))
        for i in engine.indicators().values():
            table.add_row(i.id, i.title.get(lang, i.title["id"]), i.unit, "—" if i.target is None else f"{i.target:g}",
                          ", ".join(i.sources), ", ".join(i.disaggregations))
        console.print(table)
        return
    if export is not None and export.suffix.lower() not in (".csv", ".xlsx"):
        raise UserError(_h(f"--export: berkas harus berakhiran .csv atau .xlsx, bukan '{export.name}'.",
                           f"--export: the file must end in .csv or .xlsx, not '{export.name}'."))
    settings = load_settings()
    deploy.open_deployment(settings)
    con = warehouse.connect(settings.warehouse)
    try:
        try:
            q = engine.check_query(con, indicator, region, level, period, by=by)
        except engine.QueryError as exc:
            raise UserError(f"--{exc.field}: {exc}") from None
        rows, _ = engine.query(con, q)
    finally:
        con.disconnect()
    rows = rows.with_columns(bulan=rows["bulan"].dt.strftime("%Y-%m"))
    if export is not None:
        _export_facts(q.indicator.id, rows.drop("computed_at"), export)
        console.print(_h(f"{len(rows)} baris diekspor ke ", f"{len(rows)} rows exported to ") + str(export))
        return
    by_column = [q.by] if q.by else []
    table = Table(_h("Kode", "Code"), _h("Wilayah", "Region"), _h("Bulan", "Month"), *by_column, _h("Pembilang", "Numerator"),
                  _h("Penyebut", "Denominator"), f"{_h('Nilai', 'Value')} ({q.indicator.unit})", "Status",
                  title=f"{q.indicator.title.get(lang, q.indicator.title['id'])} · {q.region} · {q.level}")
    for r in rows.iter_rows(named=True):
        value = "—" if r["value"] is None else f"{r['value']:.1f}"
        style = STATUS_STYLE.get(r["status"] or "", "")
        table.add_row(r["kode_wilayah"], r["nama_wilayah"] or "", r["bulan"], *([r["kategori"]] if q.by else []),
                      f"{r['numerator']:,.0f}", f"{r['denominator']:,.0f}", f"[{style}]{value}[/]" if style else value,
                      r["status"] or "")
    console.print(table)


def _export_facts(indicator_id: str, rows, path: Path) -> None:
    """CSV or XLSX of facts; text cells that look like formulas are neutralised."""
    import csv

    import xlsxwriter

    from madangan.exports import neutralise

    columns = ["indicator", *rows.columns]
    values = [[neutralise(v) for v in (indicator_id, *r)] for r in rows.iter_rows()]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            writer.writerows(values)
        return
    with xlsxwriter.Workbook(path, {"strings_to_formulas": False}) as book:
        sheet = book.add_worksheet(indicator_id[:31])
        sheet.write_row(0, 0, columns, book.add_format({"bold": True}))
        for n, row in enumerate(values, start=1):
            sheet.write_row(n, 0, row)

# --- open data and the public portal (issue 11) ---------------------------------------------------------------
feedback_app = typer.Typer(help=_h("Tanggapan warga di portal publik: antrean moderasi.",
                                   "Citizens' feedback on the public portal: the moderation queue."), no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@app.command()
def publish(label: Annotated[Optional[str], typer.Option(help=_h("Label terbitan, mis. 2026-T3 (bawaan: triwulan ini)",
                                                               "Publication label, e.g. 2026-T3 (default: this quarter)"))] = None) -> None:
    """Terbitkan data terbuka: salinan tetap semua dataset publik (Publish an immutable open-data snapshot)."""
    from madangan.opendata.publish import publish as do_publish, root

    engine, deployment = _deployment()
    row = do_publish(load_settings(), engine, deployment.region_code, deployment.region_name, label, actor=_os_user())
    resources = sum(1 for _ in (root(load_settings()) / str(row.id)).glob("*.parquet"))
    console.print(t("publish.done", number=row.id, label=row.label, datasets=row.datasets, resources=resources,
                    path=root(load_settings()) / str(row.id)))


@app.command()
def publications() -> None:
    """Daftar terbitan data terbuka (List open-data publications)."""
    from madangan.opendata.publish import publications as listing

    engine, _ = _deployment()
    table = Table("#", "Label", _h("Waktu", "Time"), _h("Oleh", "By"), "Dataset", "SHA-256 manifest")
    for p in listing(engine):
        table.add_row(str(p.id), p.label, p.created_at.strftime("%Y-%m-%d %H:%M"), p.created_by or "—", str(p.datasets),
                      p.manifest_sha256[:16] + "…")
    console.print(table)


@feedback_app.command("list")
def feedback_list(status: Annotated[str, typer.Option(help="menunggu, disetujui, ditolak")] = "menunggu") -> None:
    """Tanggapan menurut status (Feedback by status)."""
    from madangan.opendata.feedback import listing

    engine, _ = _deployment()
    table = Table("#", _h("Waktu", "Time"), _h("Tentang", "About"), _h("Tanggapan", "Feedback"), "Status")
    for f in listing(engine, status):
        table.add_row(str(f.id), f.created_at.strftime("%Y-%m-%d %H:%M"), f"{f.target_kind}: {f.target}", f.message, f.status)
    console.print(table, markup=False)


@feedback_app.command("set")
def feedback_set(feedback_id: int, status: str,
                 note: Annotated[str, typer.Option(help=_h("Catatan moderator", "Moderator's note"))] = "") -> None:
    """Setujui atau tolak tanggapan: disetujui | ditolak (Approve or reject)."""
    from madangan.opendata.feedback import moderate

    engine, _ = _deployment()
    row = moderate(engine, feedback_id, status, _os_user(), note)
    console.print(f"#{row.id}: {row.status}")


# --- welfare targeting (issue 6) ---------------------------------------------------------

targeting_app = typer.Typer(help=_h("Penargetan bansos: ketepatan sasaran, usulan, tinjauan, simulasi kuota, verifikasi.",
                                    "Welfare targeting: rates, candidates, review, quota what-if, field outcomes."),
                            invoke_without_command=True)
app.add_typer(targeting_app, name="targeting")
ProgramOpt = Annotated[Optional[str], typer.Option(help=_h("Program: PKH, BPNT, BLT_DD, PBI_JK", "Program: PKH, BPNT, BLT_DD, PBI_JK"))]
DesaOpt = Annotated[Optional[str], typer.Option(help=_h("Kode desa/kecamatan", "Desa/kecamatan code"))]
PeriodOpt = Annotated[Optional[str], typer.Option(help=_h("Periode YYYY-MM", "Period YYYY-MM"))]
ExportOpt = Annotated[Optional[Path], typer.Option(help=_h("Tulis ke XLSX", "Write to XLSX"))]


def _pct(x) -> str:
    return "-" if x is None else f"{x:.1%}"


def _targeting_ctx():
    from madangan.sectors.welfare import service as welfare

    settings = load_settings()
    engine, deployment = deploy.open_deployment(settings)
    return welfare, settings, engine, deployment.region_code


def _audit_cli(engine, action: str, target: str, code: str, rows: int) -> None:
    from madangan.access import store as access_store

    access_store.audit(engine, action, f"cli:{_os_user()}", target=target, region_code=code, detail=f"rows={rows}")


@targeting_app.callback()
def targeting_rates(ctx: typer.Context, program: ProgramOpt = None, desa: DesaOpt = None, period: PeriodOpt = None,
                    level: Annotated[str, typer.Option(help="desa | kecamatan | kabupaten")] = "desa",
                    export: ExportOpt = None) -> None:
    """Ketepatan sasaran per program × wilayah × periode (Targeting rates per program × region × period)."""
    if ctx.invoked_subcommand:
        return
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    rows = welfare.rates(settings, engine, OPERATOR, code, program=program, desa=desa, period=period, level=level)
    if export:
        from madangan.sectors.welfare.export import rates_xlsx

        rates_xlsx(export, rows)
        console.print(t("welfare.exported", count=_n(len(rows)), path=export))
        return
    table = Table("Program", _h("Wilayah", "Region"), _h("Periode", "Period"), _h("Penerima", "Recipients"),
                  _h("Salah inklusi", "Inclusion err."), _h("Keluarga layak", "Eligible fam."), _h("Salah eksklusi", "Exclusion err."),
                  _h("Cakupan", "Coverage"), _h("Kebocoran Rp/bln", "Leakage Rp/mo"))
    for r in rows:
        table.add_row(r["program"], f"{r['nama_wilayah'] or ''} {r['kode_wilayah']}", r["periode"], _n(r["penerima"]),
                      f"{_n(r['salah_inklusi'])} ({_pct(r['tingkat_inklusi'])})", _n(r["keluarga_layak"]),
                      f"{_n(r['salah_eksklusi'])} ({_pct(r['tingkat_eksklusi'])})", _pct(r["cakupan"]), _n(r["kebocoran_rp"]))
    console.print(table)


@targeting_app.command("candidates")
def targeting_candidates(desa: DesaOpt = None, program: ProgramOpt = None, period: PeriodOpt = None,
                         export: Annotated[Optional[Path], typer.Option(help=_h("Bahan musyawarah desa (XLSX)", "Village meeting workbook (XLSX)"))] = None,
                         limit: Annotated[int, typer.Option(help=_h("Baris ditampilkan", "Rows to show"))] = 30) -> None:
    """Usulan penerima: keluarga layak belum menerima, berurutan (Candidates to add, ranked)."""
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    lang = current_language()
    rows, used = welfare.candidates(settings, engine, OPERATOR, code, desa=desa, program=program, period=period, lang=lang)
    if export:
        from madangan.regions import regions as all_regions
        from madangan.sectors.welfare.export import musyawarah_xlsx

        scope = welfare.region(code, OPERATOR, desa)
        review, _ = welfare.review(settings, engine, OPERATOR, code, desa=scope, program=program, period=used, lang=lang)
        summary = welfare.rates(settings, engine, OPERATOR, code, program=program, desa=scope, period=used)
        musyawarah_xlsx(export, desa=scope, desa_name=all_regions().names.get(scope), period=used, summary=summary,
                        candidates=rows, review=review)
        _audit_cli(engine, "targeting.export", f"targeting:musyawarah:desa={scope}", code, len(rows) + len(review))
        console.print(t("welfare.exported", count=_n(len(rows) + len(review)), path=export))
        return
    _audit_cli(engine, "targeting.candidates", f"targeting:candidates:desa={desa or code}", code, min(limit, len(rows)))
    table = Table("#", "Program", "No. KK", _h("Kepala keluarga", "Head"), "Desil", _h("Kerentanan", "Vulnerability"),
                  _h("Verifikasi", "Verified"), title=_h(f"{_n(len(rows))} usulan, periode {used}", f"{_n(len(rows))} candidates, period {used}"))
    for r in rows[:limit]:
        table.add_row(str(r["urutan"]), r["program"], r["no_kk"], r["nama_kepala_keluarga"] or "", str(r["desil"]),
                      ", ".join(r["kerentanan"]), r["hasil_verifikasi"] or "")
    console.print(table)


@targeting_app.command("export")
def targeting_export(out: Annotated[Path, typer.Argument(help=_h("Berkas XLSX", "XLSX file"))], desa: DesaOpt = None,
                     program: ProgramOpt = None, period: PeriodOpt = None) -> None:
    """Ekspor ringkasan, usulan dan tinjauan seluruh kabupaten (atau satu wilayah) ke XLSX; daftar yang melebihi
    1.048.576 baris berlanjut di lembar berikutnya (Whole-regency lists to XLSX, split over sheets)."""
    from madangan.regions import regions as all_regions
    from madangan.sectors.welfare.export import musyawarah_xlsx
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    lang = current_language()
    scope = welfare.region(code, OPERATOR, desa)
    with console.status(_h("Menyusun daftar…", "Building the lists…")):
        rows, used = welfare.candidates(settings, engine, OPERATOR, code, desa=scope, program=program, period=period,
                                        lang=lang)
        review, _ = welfare.review(settings, engine, OPERATOR, code, desa=scope, program=program, period=used, lang=lang)
        summary = welfare.rates(settings, engine, OPERATOR, code, program=program, desa=scope, period=used)
    with console.status(_h(f"Menulis {_n(len(rows) + len(review))} baris…", f"Writing {_n(len(rows) + len(review))} rows…")):
        musyawarah_xlsx(out, desa=scope, desa_name=all_regions().names.get(scope), period=used, summary=summary,
                        candidates=rows, review=review)
    _audit_cli(engine, "targeting.export", f"targeting:musyawarah:desa={scope}", code, len(rows) + len(review))
    console.print(t("welfare.exported", count=_n(len(rows) + len(review)), path=out))


@targeting_app.command("review")
def targeting_review(desa: DesaOpt = None, program: ProgramOpt = None, period: PeriodOpt = None,
                     limit: Annotated[int, typer.Option(help=_h("Baris ditampilkan", "Rows to show"))] = 30) -> None:
    """Penerima yang perlu ditinjau, dengan temuan verval-nya (Recipients to review, with their findings)."""
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    rows, used = welfare.review(settings, engine, OPERATOR, code, desa=desa, program=program, period=period,
                                lang=current_language())
    _audit_cli(engine, "targeting.review", f"targeting:review:desa={desa or code}", code, min(limit, len(rows)))
    table = Table("Program", _h("ID Penerima", "Recipient ID"), "NIK", _h("Nama", "Name"), _h("Alasan", "Why"),
                  title=_h(f"{_n(len(rows))} penerima ditinjau, periode {used}", f"{_n(len(rows))} recipients to review, period {used}"))
    for r in rows[:limit]:
        table.add_row(r["program"], r["id_penerima"], r["nik"], r["nama"] or "", "; ".join(r["alasan"]))
    console.print(table)


@targeting_app.command("whatif")
def targeting_whatif(desa: Annotated[str, typer.Option(help=_h("Kode desa", "Desa code"))],
                     quota: Annotated[int, typer.Option(min=0, help=_h("Kuota baru (keluarga)", "New quota (families)"))],
                     program: Annotated[str, typer.Option(help=_h("Program berkuota", "Quota program"))] = "BLT_DD",
                     period: PeriodOpt = None) -> None:
    """Simulasi kuota baru satu desa (What-if: a new quota for one desa)."""
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    result = welfare.whatif(settings, engine, OPERATOR, code, desa=desa, quota=quota, program=program, period=period)
    _audit_cli(engine, "targeting.whatif", f"targeting:whatif:desa={desa},quota={quota}", code, len(result["terpilih"]))
    table = Table("", _h("Sebelum", "Before") + f" ({result['kuota_sekarang']})", _h("Sesudah", "After") + f" ({quota})")
    for key, label in (("penerima", _h("Penerima", "Recipients")), ("salah_inklusi", _h("Salah inklusi", "Inclusion err.")),
                       ("salah_eksklusi", _h("Salah eksklusi", "Exclusion err.")), ("keluarga_layak", _h("Keluarga layak", "Eligible")),
                       ("layak_menerima", _h("Layak menerima", "Eligible receiving")), ("nominal_rp", "Rp/bulan")):
        table.add_row(label, _n(result["sebelum"][key]), _n(result["sesudah"][key]))
    for key, label in (("cakupan", _h("Cakupan", "Coverage")), ("tingkat_inklusi", _h("Tingkat inklusi", "Inclusion rate"))):
        table.add_row(label, _pct(result["sebelum"][key]), _pct(result["sesudah"][key]))
    console.print(table)
    new = sum(1 for r in result["terpilih"] if r["status"] == "baru")
    console.print(_h(f"{new} keluarga baru masuk, {len(result['keluar'])} penerima sekarang keluar.",
                     f"{new} families come in, {len(result['keluar'])} current recipients leave."))


@targeting_app.command("whatif-file")
def targeting_whatif_file(file: Annotated[Path, typer.Argument(help=_h("XLSX/CSV: Kode Desa, Program, Kuota", "XLSX/CSV: Kode Desa, Program, Kuota"))],
                          period: PeriodOpt = None) -> None:
    """Simulasi kuota se-kabupaten dari berkas; baris salah disebut, tidak ada yang dihitung (Regency-wide quota what-if)."""
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    if not file.is_file():
        raise UserError(_h(f"Berkas {file} tidak ada.", f"File {file} does not exist."))
    with console.status(_h("Menghitung…", "Computing…")):
        result = welfare.whatif_file(settings, engine, OPERATOR, code, file.name, file.read_bytes(), period)
    _audit_cli(engine, "targeting.whatif_file", f"targeting:whatif_file:rows={result['baris']},period={result['periode']}",
               code, result["baris"])
    for part in result["hasil"]:
        table = Table(_h("Desa", "Desa"), _h("Kuota", "Quota"), _h("Masuk", "In"), _h("Keluar", "Out"),
                      _h("Salah inklusi", "Inclusion err."), _h("Salah eksklusi", "Exclusion err."), _h("Cakupan", "Coverage"),
                      title=f"{part['program']} · {result['periode']} · {part['jumlah']['desa']} desa")
        for r in part["desa"]:
            table.add_row(f"{r['nama_desa'] or ''} {r['kode_desa']}", f"{r['kuota_sekarang']} → {r['kuota_baru']}",
                          _n(r["masuk"]), _n(r["keluar"]), f"{r['sebelum_salah_inklusi']} → {r['sesudah_salah_inklusi']}",
                          f"{r['sebelum_salah_eksklusi']} → {r['sesudah_salah_eksklusi']}",
                          f"{r['sebelum_layak_menerima']}/{r['sebelum_keluarga_layak']} → {r['sesudah_layak_menerima']}/{r['sesudah_keluarga_layak']}")
        total = part["jumlah"]
        table.add_row(_h("Jumlah", "Total"), f"{total['kuota_sekarang']} → {total['kuota_baru']}", _n(total["masuk"]),
                      _n(total["keluar"]), f"{total['sebelum']['salah_inklusi']} → {total['sesudah']['salah_inklusi']}",
                      f"{total['sebelum']['salah_eksklusi']} → {total['sesudah']['salah_eksklusi']}",
                      f"{_pct(total['sebelum']['cakupan'])} → {_pct(total['sesudah']['cakupan'])}", style="bold")
        console.print(table)
        console.print(_h(f"Rp/bulan: {_n(total['sebelum']['nominal_rp'])} → {_n(total['sesudah']['nominal_rp'])}. Tidak ada data yang diubah.",
                         f"Rp/month: {_n(total['sebelum']['nominal_rp'])} → {_n(total['sesudah']['nominal_rp'])}. No data was changed."))


@targeting_app.command("outcome")
def targeting_outcome(no_kk: str, outcome: Annotated[str, typer.Argument(help="layak | tidak_layak | pindah | meninggal | tidak_ditemukan")],
                      reason: Annotated[Optional[str], typer.Option(help=_h("Catatan lapangan", "Field notes"))] = None,
                      program: ProgramOpt = None) -> None:
    """Catat hasil verifikasi lapangan satu keluarga (Record a family's field-verification outcome)."""
    from madangan.access import store as access_store
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    events = welfare.record_outcome(settings, engine, OPERATOR, no_kk, outcome, f"cli:{_os_user()}", reason, program)
    access_store.audit(engine, "targeting.outcome", f"cli:{_os_user()}", target=f"kk-sha256:{welfare.fingerprint(no_kk)}",
                       region_code=code, reason=reason, detail=f"outcome={outcome}")
    table = Table(_h("Waktu", "When"), _h("Hasil", "Outcome"), "Program", _h("Oleh", "By"), _h("Catatan", "Notes"))
    for e in events:
        table.add_row(e["waktu"], e["hasil"], e["program"] or "", e["oleh"] or "", e["alasan"] or "")
    console.print(table)


@targeting_app.command("queue")
def targeting_queue(desa: DesaOpt = None) -> None:
    """Antrean verifikasi dari laporan warga (Self-reports waiting for a field visit)."""
    from madangan.verval.findings import OPERATOR

    welfare, settings, engine, code = _targeting_ctx()
    rows = welfare.verification_queue(engine, OPERATOR, code, desa)
    _audit_cli(engine, "targeting.queue", f"targeting:queue:desa={desa or code}", code, len(rows))
    table = Table(_h("Nomor", "No."), _h("Desa", "Desa"), "No. KK", "NIK", _h("Alasan", "Reason"), _h("Diterima", "Received"))
    for r in rows:
        table.add_row(str(r["nomor"]), r["kode_desa"], r["no_kk"], r["nik"] or "–", r["alasan"], r["diterima"] or "")
    console.print(table)


@targeting_app.command("rules")
def targeting_rules(file: Annotated[Optional[Path], typer.Argument(help=_h("Berkas aturan untuk diperiksa", "Rule file to check"))] = None) -> None:
    """Periksa dan tampilkan aturan program (Check and show the program rules)."""
    from madangan.sectors.welfare import rules as welfare_rules

    settings = load_settings()
    if file:
        found = welfare_rules.parse(file.read_text(encoding="utf-8"), file.name)
    else:
        from madangan.sectors.welfare.service import rule_file

        found = rule_file(settings)
    for v in found.versi:
        console.print(f"[bold]{v.nama}[/] {v.berlaku_mulai} – {v.berlaku_sampai or '…'}")
        for name, r in v.program.items():
            console.print(f"  {name}: desil {list(r.desil)}, Rp{_n(r.nominal_per_bulan)}/bln"
                          + (f", prioritas {[list(x) for x in r.prioritas]}" if r.prioritas else "")
                          + (_h(f", lalu kriteria lokal untuk desil {list(r.desil_kriteria_lokal)}: {', '.join(r.kriteria_lokal)}",
                                f", then local criteria for desil {list(r.desil_kriteria_lokal)}: {', '.join(r.kriteria_lokal)}")
                             if r.desil_kriteria_lokal else "")
                          + (", berkuota" if r.berkuota else ""))


def _unwritable(exc: Exception) -> UserError | None:
    """A file the user named that cannot be written (an export into a missing folder, no permission)."""
    cause = exc if isinstance(exc, OSError) else exc.__context__ if type(exc).__name__ == "FileCreateError" else None
    if not isinstance(cause, OSError) or cause.filename is None:
        return None
    return UserError(_h(f"Berkas {cause.filename} tidak dapat ditulis atau dibaca: {cause.strerror}. Periksa folder dan izinnya.",
                        f"Cannot write or read file {cause.filename}: {cause.strerror}. Check the folder and its permissions."))


def main() -> None:
    try:
        try:
            app()
        except Exception as exc:
            friendly = None if isinstance(exc, UserError) else _unwritable(exc)
            if friendly is None:
                raise
            raise friendly from None
    except UserError as exc:
        Console(stderr=True).print(f"[bold red]Galat:[/] {exc}" if current_language() == "id" else f"[bold red]Error:[/] {exc}",
                                   highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
