"""User-facing text in Bahasa Indonesia first, English available.

Messages are keyed; each key has an Indonesian and an English text with
`str.format` placeholders. The language comes from the `MADANGAN_LANG`
setting (CLI) or the user's choice (web).
"""

from __future__ import annotations

import os

LANGUAGES = ("id", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # regions
    "region.malformed": {
        "id": "Kode wilayah '{code}' tidak valid: gunakan kode Kemendagri bertitik, mis. 32.11 (kabupaten) atau 32.11.01 (kecamatan).",
        "en": "Region code '{code}' is malformed: use a dotted Kemendagri code, e.g. 32.11 (regency) or 32.11.01 (kecamatan).",
    },
    "region.unknown": {
        "id": "Kode wilayah '{code}' tidak dikenal. Mungkin maksud Anda: {suggestions}",
        "en": "Unknown region code '{code}'. Did you mean: {suggestions}",
    },
    "region.not_regency": {
        "id": "'{code}' ({name}) bukan kabupaten/kota. Madangan dipasang per kabupaten/kota, mis. {example}.",
        "en": "'{code}' ({name}) is not a regency/city. Madangan is deployed per regency/city, e.g. {example}.",
    },
    "region.no_match": {
        "id": "Tidak ada wilayah yang cocok dengan '{query}'.",
        "en": "No region matches '{query}'.",
    },
    # settings / environment
    "population.invalid": {
        "id": "Jumlah penduduk harus bilangan bulat positif (diberikan: {value}).",
        "en": "Population must be a positive whole number (given: {value}).",
    },
    "datadir.unwritable": {
        "id": "Direktori data '{path}' tidak bisa ditulis ({reason}). Pilih direktori lain dengan MADANGAN_DATA_DIR.",
        "en": "Data directory '{path}' is not writable ({reason}). Choose another with MADANGAN_DATA_DIR.",
    },
    "datadir.not_initialised": {
        "id": "Belum ada deployment di '{path}'. Jalankan dulu 'madangan init --region KODE' atau 'madangan demo'.",
        "en": "No deployment in '{path}'. Run 'madangan init --region CODE' or 'madangan demo' first.",
    },
    "datadir.other_region": {
        "id": "Direktori data '{path}' sudah berisi deployment untuk {other}. Gunakan MADANGAN_DATA_DIR lain untuk {region}.",
        "en": "Data directory '{path}' already holds a deployment for {other}. Use another MADANGAN_DATA_DIR for {region}.",
    },
    "appdb.unreachable": {
        "id": "Basis data aplikasi tidak bisa dihubungi ({url}): {reason}. Periksa MADANGAN_DATABASE_URL dan pastikan server berjalan.",
        "en": "Cannot reach the app database ({url}): {reason}. Check MADANGAN_DATABASE_URL and that the server is running.",
    },
    "settings.invalid": {
        "id": "Pengaturan tidak valid: {field}: {reason}.",
        "en": "Invalid setting: {field}: {reason}.",
    },
    "outdir.unwritable": {
        "id": "Direktori keluaran '{path}' tidak bisa ditulis ({reason}).",
        "en": "Output directory '{path}' is not writable ({reason}).",
    },
    "boundaries.invalid": {
        "id": "Berkas batas wilayah '{path}' tidak valid: {reason}.",
        "en": "Boundary file '{path}' is invalid: {reason}.",
    },
    "boundaries.imported": {
        "id": "{count} batas wilayah diimpor untuk {region}.",
        "en": "Imported {count} boundaries for {region}.",
    },
    "warehouse.locked": {
        "id": "Gudang data {path} sedang dipakai proses lain terlalu lama. Tunggu proses itu selesai lalu coba lagi.",
        "en": "Warehouse {path} has been busy in another process for too long. Wait for it to finish and try again.",
    },
    # progress steps
    "step.regions": {"id": "Memuat wilayah {name}", "en": "Loading regions of {name}"},
    "step.synth": {"id": "Membangkitkan data sintetis: {source}", "en": "Generating synthetic data: {source}"},
    "step.write": {"id": "Menulis berkas sumber: {source}", "en": "Writing source file: {source}"},
    "step.load": {"id": "Memuat ke gudang data: {source}", "en": "Loading into the warehouse: {source}"},
    "step.summary": {"id": "Menghitung ringkasan per desa", "en": "Computing per-desa summary"},
    "step.appdb": {"id": "Migrasi basis data aplikasi", "en": "Migrating the app database"},
    "done.init": {
        "id": "Deployment untuk {name} ({code}) siap di {path}.",
        "en": "Deployment for {name} ({code}) is ready in {path}.",
    },
    "done.demo": {
        "id": "Demo {name}: {population} penduduk, {sources} sumber data, selesai dalam {seconds:.1f} detik.",
        "en": "Demo {name}: {population} residents, {sources} data sources, built in {seconds:.1f} s.",
    },
    "done.synth": {
        "id": "{files} berkas ditulis ke {path} ({errors} kesalahan sisipan di ground_truth.csv).",
        "en": "Wrote {files} files to {path} ({errors} injected errors in ground_truth.csv).",
    },
    "serve.start": {"id": "Melayani di http://{host}:{port}", "en": "Serving at http://{host}:{port}"},
    # web UI
    "ui.structure": {"id": "Struktur wilayah", "en": "Region structure"},
    "ui.kecamatan": {"id": "Kecamatan", "en": "Kecamatan (districts)"},
    "ui.desa": {"id": "Desa/kelurahan", "en": "Villages (desa/kelurahan)"},
    "ui.region": {"id": "Wilayah", "en": "Region"},
    "ui.code": {"id": "Kode", "en": "Code"},
    "ui.sources": {"id": "Sumber data", "en": "Data sources"},
    "ui.source": {"id": "Sumber", "en": "Source"},
    "ui.owner": {"id": "OPD pemilik", "en": "Owning agency"},
    "ui.file": {"id": "Berkas", "en": "File"},
    "ui.rows": {"id": "Jumlah baris", "en": "Rows"},
    "ui.loaded_at": {"id": "Dimuat", "en": "Loaded"},
    "ui.not_loaded": {"id": "belum dimuat", "en": "not loaded"},
    "ui.map": {"id": "Peta", "en": "Map"},
    "ui.total": {"id": "Jumlah", "en": "Total"},
    "ui.unknown_desa": {
        "id": "{count} baris data memakai kode desa yang tidak ada di {name}; verval akan menandainya.",
        "en": "{count} rows use a desa code that does not exist in {name}; verval will flag them.",
    },
    "ui.back": {"id": "Kembali ke", "en": "Back to"},
    "ui.no_data": {"id": "Belum ada data. Muat sumber data dengan 'madangan demo' atau ingest.", "en": "No data yet. Load sources with 'madangan demo' or ingest."},
    "ui.api_docs": {"id": "Dokumentasi API", "en": "API documentation"},
    "ui.login.title": {"id": "Masuk", "en": "Sign in"},
    "ui.login.username": {"id": "Nama pengguna", "en": "Username"},
    "ui.login.password": {"id": "Kata sandi", "en": "Password"},
    "ui.login.submit": {"id": "Masuk", "en": "Sign in"},
    "ui.login.invalid": {"id": "Nama pengguna atau kata sandi salah.", "en": "Wrong username or password."},
    "ui.login.locked": {
        "id": "Akun dikunci sementara karena terlalu banyak percobaan gagal. Coba lagi 15 menit lagi atau minta admin mengatur ulang kata sandi.",
        "en": "Account temporarily locked after too many failed attempts. Try again in 15 minutes or ask an admin to reset the password.",
    },
    "ui.login.throttled": {"id": "Terlalu banyak percobaan dari alamat ini. Tunggu satu menit.", "en": "Too many attempts from this address. Wait a minute."},
    "ui.login.csrf": {"id": "Formulir kedaluwarsa; silakan coba lagi.", "en": "The form expired; please try again."},
    "ui.login.demo_hint": {
        "id": "Demo: akun tiap peran dan kata sandinya tercetak di akhir 'madangan demo' dan ada di berkas akun-demo.txt di direktori data.",
        "en": "Demo: one account per role and its password are printed at the end of 'madangan demo' and kept in akun-demo.txt in the data directory.",
    },
    "ui.logout": {"id": "Keluar", "en": "Sign out"},
    # SSO (OpenID Connect)
    "ui.oidc.button": {"id": "Masuk dengan SSO ({name})", "en": "Sign in with SSO ({name})"},
    "ui.oidc.or": {"id": "atau dengan akun lokal", "en": "or with a local account"},
    "ui.oidc.unreachable": {
        "id": "Penyedia SSO tidak dapat dihubungi. Coba lagi nanti atau masuk dengan akun lokal.",
        "en": "The SSO provider cannot be reached. Try again later or sign in with a local account.",
    },
    "ui.oidc.issuer_mismatch": {
        "id": "Penyedia SSO menyebut penerbit (issuer) lain dari yang dikonfigurasi; login SSO ditolak. Hubungi admin.",
        "en": "The SSO provider names another issuer than the configured one; SSO login refused. Contact an admin.",
    },
    "ui.oidc.state": {
        "id": "Sesi login SSO tidak cocok atau sudah kedaluwarsa. Mulai lagi dari tombol SSO di halaman ini.",
        "en": "The SSO login session does not match or has expired. Start again from the SSO button on this page.",
    },
    "ui.oidc.denied": {"id": "Login SSO dibatalkan di penyedia.", "en": "SSO login was cancelled at the provider."},
    "ui.oidc.code": {
        "id": "Kode otorisasi SSO ditolak penyedia (sudah dipakai atau kedaluwarsa). Mulai lagi dari tombol SSO.",
        "en": "The provider refused the SSO authorization code (already used or expired). Start again from the SSO button.",
    },
    "ui.oidc.client": {
        "id": "Penyedia SSO menolak Madangan sebagai klien (client_id atau client_secret salah). Hubungi admin.",
        "en": "The SSO provider refused Madangan as a client (wrong client_id or client_secret). Contact an admin.",
    },
    "ui.oidc.token": {
        "id": "Token identitas dari penyedia SSO tidak sah (tanda tangan, penerbit, audiens, nonce atau masa berlaku). Login ditolak.",
        "en": "The SSO provider's ID token is not valid (signature, issuer, audience, nonce or expiry). Login refused.",
    },
    "ui.oidc.unknown_user": {
        "id": "Akun SSO ini belum terdaftar di Madangan. Minta admin menambahkan Anda (madangan users add … --oidc-subject …).",
        "en": "This SSO account is not registered in Madangan. Ask an admin to add you (madangan users add … --oidc-subject …).",
    },
    "ui.oidc.ambiguous": {
        "id": "Akun SSO ini cocok dengan lebih dari satu akun Madangan (nama pengguna dan email berbeda akun). Minta admin mengikatnya dengan --oidc-subject.",
        "en": "This SSO account matches more than one Madangan account (username and email name different accounts). Ask an admin to bind it with --oidc-subject.",
    },
    "ui.oidc.bound_elsewhere": {
        "id": "Akun Madangan ini sudah terikat ke akun SSO lain. Login ditolak.",
        "en": "This Madangan account is already bound to another SSO account. Login refused.",
    },
    "ui.oidc.inactive": {"id": "Akun ini dinonaktifkan. Hubungi admin.", "en": "This account is disabled. Contact an admin."},
    "ui.oidc.no_username": {
        "id": "Penyedia SSO tidak mengirim nama pengguna (klaim '{claim}'); akun tidak bisa dibuat.",
        "en": "The SSO provider sent no username (claim '{claim}'); the account cannot be created.",
    },
    "ui.oidc.username_taken": {
        "id": "Nama pengguna dari SSO sudah dipakai akun lain di Madangan. Minta admin mengikat akun Anda dengan --oidc-subject.",
        "en": "The SSO username is taken by another Madangan account. Ask an admin to bind yours with --oidc-subject.",
    },
    "ui.oidc.no_role": {
        "id": "Penyedia SSO tidak memberi peran Madangan (klaim '{claim}'). Minta admin SSO menambahkan peran Anda.",
        "en": "The SSO provider gave no Madangan role (claim '{claim}'). Ask the SSO admin to add your role.",
    },
    "ui.oidc.many_roles": {
        "id": "Penyedia SSO memberi lebih dari satu peran Madangan (klaim '{claim}': {roles}). Satu akun hanya boleh satu peran.",
        "en": "The SSO provider gave more than one Madangan role (claim '{claim}': {roles}). An account has exactly one role.",
    },
    "ui.oidc.unknown_role": {
        "id": "Peran '{role}' dari penyedia SSO tidak dikenal Madangan (admin, executive, analyst, kecamatan, desa, cadre).",
        "en": "Role '{role}' from the SSO provider is unknown to Madangan (admin, executive, analyst, kecamatan, desa, cadre).",
    },
    "ui.oidc.no_region": {
        "id": "Penyedia SSO tidak memberi wilayah (klaim '{claim}').",
        "en": "The SSO provider gave no region (claim '{claim}').",
    },
    "ui.oidc.bad_region": {
        "id": "Wilayah '{region}' dari penyedia SSO bukan kode wilayah Kemendagri yang dikenal.",
        "en": "Region '{region}' from the SSO provider is not a known Kemendagri region code.",
    },
    "ui.oidc.no_sectors": {
        "id": "Penyedia SSO tidak memberi sektor untuk analis OPD (klaim '{claim}'). Minta admin SSO menambahkan sektor OPD Anda.",
        "en": "The SSO provider gave no sectors for an OPD analyst (claim '{claim}'). Ask the SSO admin to add your OPD's sectors.",
    },
    "ui.oidc.unknown_sector": {
        "id": "Sektor '{sector}' dari penyedia SSO tidak dikenal Madangan ({known}).",
        "en": "Sector '{sector}' from the SSO provider is unknown to Madangan ({known}).",
    },
    "ui.oidc.no_posyandu": {
        "id": "Penyedia SSO tidak memberi posyandu untuk kader (klaim '{claim}'). Minta admin SSO menambahkan posyandu Anda.",
        "en": "The SSO provider gave no posyandu for a cadre (claim '{claim}'). Ask the SSO admin to add your posyandu.",
    },
    "ui.oidc.scope": {
        "id": "Peran/wilayah dari SSO ditolak: {reason}",
        "en": "Role/region from SSO refused: {reason}",
    },
    "ui.tagline": {"id": "Pusat komando data daerah", "en": "Regional data command center"},
}


def add_messages(messages: dict[str, dict[str, str]]) -> None:
    """Register a module's or sector's own messages (keys must be new, both languages present)."""
    for key, texts in messages.items():
        if key in MESSAGES:
            raise ValueError(f"message key {key!r} is already registered")
        missing = set(LANGUAGES) - set(texts)
        if missing:
            raise ValueError(f"message {key!r} lacks {sorted(missing)}")
    MESSAGES.update(messages)


def current_language() -> str:
    lang = os.environ.get("MADANGAN_LANG", "id").lower()
    return lang if lang in LANGUAGES else "id"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The message `key` in `lang` (default: the configured language)."""
    texts = MESSAGES[key]
    return texts[lang or current_language()].format(**values)
