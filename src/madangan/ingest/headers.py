"""Match the headers agencies put in their files to a contract's columns.

Agencies head the same column many ways: "NIK", "No. NIK", "Nomor Induk
Kependudukan", "TGL_LHR", "L/P". Matching compares *normalised* headers (case,
spacing, punctuation and accents ignored) and tries, in order:

1. the explicit mapping the officer supplied (``--mapping``: file header → column),
2. the contract's column names (``no_kk``),
3. the contract's headers (``No. KK``),
4. the contract's own aliases,
5. the platform-wide table of common Indonesian variants below — an alias only
   applies when the contract has that column (NIK, KK and desa-code variants also
   reach the contract's ``nik_column``/``kk_column``/``region_column``, so "NIK"
   finds ``nik_kepala_keluarga`` in the family register).

A column is never taken twice: a header matched by an earlier rule wins over one
matched by a later rule, and between headers matched by the same rule the one
further left in the file wins; the loser is reported as unmapped.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from pathlib import Path

from madangan.contracts import Contract
from madangan.errors import UserError

__all__ = ["PLATFORM_ALIASES", "header_map", "load_mapping", "normalise_header"]

_NON_WORD = re.compile(r"[\W_]+")


def normalise_header(text: str) -> str:
    """A key that ignores case, spacing, punctuation and accents: ``"No. NIK "`` → ``"no nik"``."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text.casefold()).strip()


#: Platform-wide header variants, by the column they name. Written the way they
#: appear in exports; compared normalised.
PLATFORM_ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No. NIK", "No NIK", "Nomor NIK", "Nomor Induk Kependudukan", "No. Induk Kependudukan",
            "Nomor Induk Kependudukan (NIK)", "NIK (Nomor Induk Kependudukan)", "NIK KTP", "No. KTP", "Nomor KTP",
            "NIK/No. KTP"),
    "no_kk": ("No KK", "No. KK", "Nomor KK", "NOKK", "NKK", "KK", "No. Kartu Keluarga", "Nomor Kartu Keluarga",
              "No Kartu Keluarga", "Kartu Keluarga"),
    "nama": ("Nama", "Nama Lengkap", "Nama Penduduk", "Nama Sesuai KTP"),
    "tanggal_lahir": ("Tgl Lahir", "Tgl. Lahir", "Tanggal Lahir", "TGL_LHR", "Tgl Lhr", "TGLLAHIR", "Tanggal Lhr"),
    "tempat_lahir": ("Tempat Lahir", "Tmp Lahir", "Tmp. Lahir", "Tmpt Lahir", "Tempat Lhr", "TMPT_LHR", "TMP_LHR"),
    "jenis_kelamin": ("Jenis Kelamin", "JK", "L/P", "Kelamin", "Jns Kelamin", "Jenis Kel", "JNS_KLMIN", "Sex"),
    "kode_desa": ("Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan", "Kode Desa/Kel", "Kode Kel", "Kd Desa",
                  "Kode Wilayah Desa", "Kode Wilayah Desa/Kelurahan", "KODE_DESA", "NO_KEL"),
    "alamat": ("Alamat", "Alamat Lengkap", "Alamat Rumah", "Alamat Tinggal"),
    "rt": ("RT", "R.T.", "No RT", "No. RT", "Nomor RT"),
    "rw": ("RW", "R.W.", "No RW", "No. RW", "Nomor RW"),
    "agama": ("Agama",),
    "pekerjaan": ("Pekerjaan", "Jenis Pekerjaan", "Pekerjaan Utama"),
    "status_kawin": ("Status Perkawinan", "Status Kawin", "Stat Kawin", "Perkawinan", "STAT_KWN"),
    "status_hubungan": ("Status Hubungan Dalam Keluarga", "Status Hubungan", "Hubungan Keluarga",
                        "Hubungan Dalam Keluarga", "SHDK", "STAT_HBKEL"),
    "nip": ("NIP", "NIP Baru", "No. NIP", "Nomor Induk Pegawai"),
    "tanggal_kematian": ("Tanggal Kematian", "Tgl Kematian", "Tanggal Meninggal", "Tgl Meninggal", "Tgl Wafat"),
    "nama_ibu": ("Nama Ibu", "Nama Ibu Kandung"),
    "nik_ibu": ("NIK Ibu", "NIK Ibu Kandung"),
    "posyandu": ("Posyandu", "Nama Posyandu"),
}

#: When the contract has no column of this name, the variants reach the column
#: that plays the same role.
_ROLE_OF = {"nik": "nik_column", "no_kk": "kk_column", "kode_desa": "region_column"}


class HeaderMatcher:
    """Resolves headers for one contract (and optional explicit mapping); build once, use per row."""

    def __init__(self, contract: Contract, mapping: dict[str, str] | None = None):
        self.contract = contract
        names = contract.column_names
        by_key = {normalise_header(n): n for n in names}
        by_key.update({normalise_header(c.header): c.name for c in contract.columns})

        explicit: dict[str, str] = {}
        for header, target in (mapping or {}).items():
            column = target if target in names else by_key.get(normalise_header(target))
            if column is None:
                raise UserError(
                    f"Pemetaan kolom '{header}' → '{target}': '{target}' bukan kolom sumber {contract.name}; "
                    f"pakai salah satu dari: {', '.join(names)}."
                )
            explicit[normalise_header(header)] = column

        platform: dict[str, str] = {}
        for column, variants in PLATFORM_ALIASES.items():
            target = column if column in names else (
                getattr(contract, _ROLE_OF[column]) if column in _ROLE_OF else None)
            if target is None:
                continue
            for variant in variants:
                platform.setdefault(normalise_header(variant), target)

        self.tiers: tuple[dict[str, str], ...] = (
            explicit,
            {normalise_header(n): n for n in names},
            {normalise_header(c.header): c.name for c in contract.columns},
            {normalise_header(h): n for h, n in contract.aliases.items() if n in names},
            platform,
        )

    def _tiered(self, header: str | None) -> list[tuple[int, str]]:
        if header is None:
            return []
        key = normalise_header(header)
        if not key:
            return []
        return [(rank, tier[key]) for rank, tier in enumerate(self.tiers) if key in tier]

    def candidates(self, header: str | None) -> list[str]:
        """Contract columns this header may mean, best first (empty when it means nothing)."""
        found: list[str] = []
        for _, column in self._tiered(header):
            if column not in found:
                found.append(column)
        return found

    def matches(self, header: str | None) -> bool:
        return bool(self._tiered(header))

    def assign(self, headers: list[str | None]) -> dict[int, str]:
        """Position in ``headers`` → column, never the same column twice.

        Rule by rule (explicit mapping first), left to right within a rule.
        """
        tiered = [self._tiered(h) for h in headers]
        taken: set[str] = set()
        result: dict[int, str] = {}
        for rank in range(len(self.tiers)):
            for pos, options in enumerate(tiered):
                if pos in result:
                    continue
                for r, column in options:
                    if r == rank and column not in taken:
                        taken.add(column)
                        result[pos] = column
                        break
        return result


def header_map(headers: list[str], contract: Contract, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """File header → contract column name, for the headers that match.

    Duplicate file headers: only the first can be a key of the result, so a repeated
    header maps at most once. Headers that match nothing (or lose to an earlier
    header for the same column) are absent.
    """
    matcher = HeaderMatcher(contract, mapping)
    result: dict[str, str] = {}
    for pos, column in sorted(matcher.assign(list(headers)).items()):
        result.setdefault(headers[pos], column)
    return result


# --------------------------------------------------------------------------- mapping files

_MAPPING_TITLE_LEFT = {"header in file", "header", "judul", "judul kolom", "judul di berkas", "judul kolom di berkas",
                       "kolom berkas", "kolom di berkas", "kolom file", "file", "berkas", "sumber"}
_MAPPING_TITLE_RIGHT = {"column", "kolom", "nama kolom", "kolom madangan", "kolom kontrak", "tujuan", "target"}


def load_mapping(path: Path) -> dict[str, str]:
    """Read a mapping file: file header → contract column.

    CSV (``.csv``/``.txt``): two columns per line, ``header_in_file,column`` (``,`` ``;``
    or tab); an optional title line, blank lines and lines starting with ``#`` are
    skipped. TOML (``.toml``): ``"No. Induk" = "nik"`` at the top level or in one table
    (e.g. ``[kolom]``). Whether the columns exist is checked against the contract
    when the mapping is used.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Berkas pemetaan {path} tidak ditemukan: periksa jalur --mapping.")
    suffix = path.suffix.lower()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if suffix == ".toml":
        return _mapping_toml(path, text)
    if suffix in (".csv", ".txt", ".tsv"):
        return _mapping_csv(path, text)
    raise UserError(f"Berkas pemetaan {path.name}: format {suffix or '(tanpa ekstensi)'} tidak didukung; "
                    "pakai CSV (judul_di_berkas,kolom) atau TOML.")


def _mapping_toml(path: Path, text: str) -> dict[str, str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"Berkas pemetaan {path.name} bukan TOML yang sah ({exc}); "
                        'tulis satu pasangan per baris: "Judul di berkas" = "kolom".') from None
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
    if not flat and len(tables) == 1:
        flat = next(iter(tables.values()))
    elif tables:
        raise UserError(f"Berkas pemetaan {path.name}: pakai pasangan di tingkat atas atau dalam satu tabel saja "
                        f"(ditemukan tabel {', '.join(tables)}).")
    result: dict[str, str] = {}
    for header, column in flat.items():
        if not isinstance(column, str) or not column.strip():
            line = _toml_line(text, header)
            raise UserError(f"Berkas pemetaan {path.name} baris {line}: nilai untuk '{header}' harus teks nama kolom, "
                            f'misalnya "{header}" = "nik".')
        result[header.strip()] = column.strip()
    if not result:
        raise UserError(f"Berkas pemetaan {path.name} kosong: tulis satu pasangan per baris, "
                        '"Judul di berkas" = "kolom".')
    return result


def _toml_line(text: str, key: str) -> int | str:
    for number, line in enumerate(text.splitlines(), start=1):
        if key in line and "=" in line:
            return number
    return "?"


def _mapping_csv(path: Path, text: str) -> dict[str, str]:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    delimiter = max((";", "\t", ","), key=first.count) if first else ","
    result: dict[str, str] = {}
    seen_at: dict[str, tuple[int, str]] = {}
    seen_data = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UserError(f"Berkas pemetaan {path.name} baris {reader.line_num}: tidak bisa dibaca ({exc}); "
                            "periksa tanda kutipnya.") from None
        number = reader.line_num
        fields = [f.strip() for f in fields]
        while fields and not fields[-1]:
            fields.pop()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != 2 or not fields[0] or not fields[1]:
            raise UserError(f"Berkas pemetaan {path.name} baris {number}: harus dua kolom "
                            f"(judul di berkas{delimiter}kolom), ditemukan {len(fields)}: {delimiter.join(fields)!r}.")
        header, column = fields
        if not seen_data and normalise_header(header) in _MAPPING_TITLE_LEFT \
                and normalise_header(column) in _MAPPING_TITLE_RIGHT:
            seen_data = True
            continue
        seen_data = True
        key = normalise_header(header)
        if key in seen_at:
            earlier_line, earlier_column = seen_at[key]
            if earlier_column != column:
                raise UserError(f"Berkas pemetaan {path.name} baris {number}: judul '{header}' sudah dipetakan "
                                f"ke '{earlier_column}' di baris {earlier_line}; sisakan satu.")
            continue
        seen_at[key] = (number, column)
        result[header] = column
    if not result:
        raise UserError(f"Berkas pemetaan {path.name} kosong: tulis satu pasangan per baris, judul_di_berkas,kolom.")
    return result

