"""Indonesian personal names in one canonical form, so that registries can be compared.

    normalize_name("Hj. Siti Aminah, S.Pd.")  -> "SITI AMINAH"
    normalize_name("Moch. Djadjang")          -> "MUHAMMAD JAJANG"
    name_key("Jusuf Hidayat")                 -> "YUSUF HIDAYAT"   (loose key, for comparing only)

`normalize_name` is the scalar form; `normalize_name_sql(column)` is the same rules as
one DuckDB SQL expression (vectorised over a whole table; `register_macros` installs
both as macros `nama_baku(x)` and `nama_kunci(x)`). Both apply the same regular
expressions in the same order, and the tests check that they agree.

Only safe rules change the canonical name: titles and degrees go, the many spellings
of Muhammad become one, and the old-spelling (pre-1972 EYD) digraphs that no modern
name contains are rewritten (oe→u, dj→j, tj→c, sj→sy). Rewrites that are not safe
in general — old j→y (Jusuf→Yusuf, but Jajang stays Jajang), ch→kh (Chairul→Khairul,
but Achmad→Ahmad), nj→ny (Panji, Sanjaya are modern) — are only folded in the loose
key, where both names of a pair are folded the same way.
"""

from __future__ import annotations

import re
import unicodedata

# Titles written before the name: religious (H., Hj.), academic (Dr., Drs., Dra., Ir., Prof.),
# medical (dr.) and forms of address on health and aid lists (Ny., Tn., Bpk., Sdr.).
PREFIX_TITLES = (
    "H", "HJ", "HJH", "HAJI", "HAJJAH", "KH", "K.H", "DRS", "DRA", "DR", "IR", "PROF",
    "NY", "TN", "BPK", "SDR", "SDRI", "UST", "USTADZ", "USTADZAH",
)

# Degrees written after the name (after a comma they are dropped anyway).
DEGREES = (
    # sarjana (S1)
    "S.PD.I", "S.PD.SD", "S.PD", "S.E", "S.H", "S.H.I", "S.KOM", "S.T", "S.SOS", "S.AG", "S.IP", "S.KEP",
    "S.KM", "S.SI", "S.P", "S.S", "S.FARM", "S.PSI", "S.STP", "S.IKOM", "S.HUT", "S.PT", "S.TP", "S.KED",
    "S.GZ", "S.TR.KEB", "S.TR.KEP", "S.HUM", "S.AK", "S.THI", "S.SY", "S.PI",
    # magister (S2), doctor (S3)
    "M.PD", "M.PD.I", "M.SI", "M.M", "M.AG", "M.KES", "M.KOM", "M.T", "M.H", "M.E", "M.SC", "M.A", "M.HUM",
    "M.AP", "M.IP", "M.KEP", "M.PSI", "M.AK", "M.SOS", "M.B.A", "MBA", "PH.D", "PHD",
    # diploma
    "A.MD", "A.MA", "A.MK", "A.MD.KEP", "A.MD.KEB", "A.MD.KES", "A.MA.PD", "A.MD.AK", "A.MD.T",
    # written without dots (only forms that are never a name)
    "SPD", "SPDI", "SE", "SH", "ST", "SKOM", "SSOS", "SAG", "SIP", "SKM", "SKEP", "SSI", "AMD", "AMK",
    "AMKEB", "AMKEP", "MPD", "MSI", "MM", "MKES", "LC",
)

# Whole-word spellings of Muhammad anywhere in the name; abbreviations only as the first word.
MUHAMMAD_SPELLINGS = (
    "MUHAMAD", "MUHAMMED", "MUHAMED", "MUHAMAT", "MUHAMMAT", "MOHAMMAD", "MOHAMAD", "MOHAMMED", "MOHAMED",
    "MOHAMMAT", "MOCHAMMAD", "MOCHAMAD", "MOCHAMMED", "MOCHAMAT", "MOCHAMMAT", "MUCHAMMAD", "MUCHAMAD",
    "MUCHAMAT", "MOEHAMMAD", "MOEHAMAD",
)
MUHAMMAD_ABBREVIATIONS = ("M", "MOH", "MOCH", "MUH", "MUHD", "MHD", "MOHD", "MCH", "MOCHD")

# Old spelling (Van Ophuijsen / Soewandi) → EYD; none of these digraphs occur in modern names.
OLD_SPELLING = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"))

# Whole-word variants common enough to list.
WORD_VARIANTS = (("ACHMAD", "AHMAD"), ("ACHMADI", "AHMADI"), ("ABD", "ABDUL"), ("NOOR", "NUR"))

# Folds for the loose key only (both sides of a comparison get the same fold).
LOOSE_FOLDS = (
    ("NJ", "NY"), ("J", "Y"), ("KH", "H"), ("CH", "H"), ("TH", "T"), ("DH", "D"), ("DZ", "Z"),
    ("PH", "F"), ("V", "F"), ("F", "P"), ("Q", "K"),  # Sundanese writes Fitri and Pitri alike
)


def _alternation(words) -> str:
    # Longest first, so that S.PD.I wins over S.PD.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_DEGREE_WORDS = _alternation(DEGREES)
_TITLE_WORDS = _alternation(PREFIX_TITLES)

# (pattern, replacement) applied in order; each pattern means the same in Python `re` and
# RE2 (DuckDB): no look-around, no back-references in patterns (\1 in a replacement is fine).
# 1. Keep ASCII letters, dots, commas, apostrophes (anything else separates words), then upper
#    case: ASCII only, so Python and DuckDB agree on what upper case is.
_KEEP = r"[^A-Za-z.,' ]+"
_STEPS: tuple[tuple[str, str], ...] = (
    (r"'+", ""),  # Ma'ruf -> Maruf
    # 2. Degrees follow a comma: drop everything from the first comma.
    (r",.*$", ""),
    # 3. Degrees at the end without a comma ("Siti Aminah S.Pd").
    (r"(\s+(" + _DEGREE_WORDS + r")\.?)+\s*$", ""),
    # 4. Titles before the name ("Prof. Dr. H. Ahmad", "Hj.Siti").
    (r"^\s*((" + _TITLE_WORDS + r")(\.\s*|\s+))+", ""),
    # 5. Remaining punctuation separates words; one space between words.
    (r"[.,]+", " "),
    (r"\s+", " "),
    (r"^ | $", ""),
)
_OLD_STEPS = tuple((pattern, new) for pattern, new in OLD_SPELLING)
_MUHAMMAD_STEPS: tuple[tuple[str, str], ...] = (
    (r"\b(" + _alternation(MUHAMMAD_SPELLINGS) + r")\b", "MUHAMMAD"),
    (r"^(" + _alternation(MUHAMMAD_ABBREVIATIONS) + r") ", "MUHAMMAD "),
    # alone, only an unambiguous abbreviation: a bare "M" could be any name
    (r"^(" + _alternation(a for a in MUHAMMAD_ABBREVIATIONS if a != "M") + r")$", "MUHAMMAD"),
    *((r"\b" + old + r"\b", new) for old, new in WORD_VARIANTS),
)
_LOOSE_STEPS: tuple[tuple[str, str], ...] = (
    *LOOSE_FOLDS,
    # doubled letters are one (MUHAMAD/MUHAMMAD, ELLY/ELY); needs no back-reference.
    *((letter * 2 + "+", letter) for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    (r"([A-Z])Y( |$)", r"\1I\2"),  # Elly / Eli at a word's end (not an initial Y)
)

_COMPILED = [(re.compile(p), r) for p, r in _STEPS]
_COMPILED_AFTER_UPPER = [(re.compile(p), r) for p, r in (*_OLD_STEPS, *_MUHAMMAD_STEPS)]
_COMPILED_LOOSE = [(re.compile(p), r) for p, r in _LOOSE_STEPS]


def normalize_name(name: str | None) -> str | None:
    """The canonical form of one name: upper case, no titles or degrees, EYD spelling, one Muhammad.

    A name that is nothing but a title ("H.") stays as written (upper case); empty → None.
    """
    if name is None:
        return None
    text = re.sub(_KEEP, " ", _strip_accents(name)).upper()
    original = re.sub(r"[^A-Z]+", " ", text).strip()
    for pattern, new in _COMPILED:
        text = pattern.sub(new, text)
    for pattern, new in _COMPILED_AFTER_UPPER:
        text = pattern.sub(new, text)
    return text or original or None


def _strip_accents(text: str) -> str:
    """Élise -> Elise, as DuckDB's strip_accents does."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def name_key(name: str | None) -> str | None:
    """A loose key of a name for comparing: the canonical form with spelling folds (j/y, kh/h, doubles)."""
    text = normalize_name(name)
    if text is None:
        return None
    for pattern, new in _COMPILED_LOOSE:
        text = pattern.sub(new, text)
    return text


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_chain(expr: str, steps) -> str:
    for pattern, new in steps:
        expr = f"regexp_replace({expr}, {_sql_string(pattern)}, {_sql_string(new)}, 'g')"
    return expr


def normalize_name_sql(column: str) -> str:
    """`normalize_name` as one DuckDB SQL expression over `column` (a column name or SQL expression)."""
    upper = f"upper(regexp_replace(strip_accents({column}), {_sql_string(_KEEP)}, ' ', 'g'))"
    original = f"trim(regexp_replace({upper}, '[^A-Z]+', ' ', 'g'))"
    canonical = _sql_chain(_sql_chain(upper, _STEPS), (*_OLD_STEPS, *_MUHAMMAD_STEPS))
    return f"nullif(coalesce(nullif({canonical}, ''), {original}), '')"


def name_key_sql(column: str) -> str:
    """`name_key` as one DuckDB SQL expression."""
    return fold_sql(normalize_name_sql(column))


def fold_sql(canonical: str) -> str:
    """The loose key of an already canonical name (SQL expression)."""
    return _sql_chain(canonical, _LOOSE_STEPS)


def register_macros(con) -> None:
    """Install `nama_baku(x)` and `nama_kunci(x)` as DuckDB macros on a raw duckdb connection."""
    con.execute(f"CREATE OR REPLACE MACRO nama_baku(x) AS {normalize_name_sql('x')}")
    con.execute(f"CREATE OR REPLACE MACRO nama_kunci(x) AS {name_key_sql('x')}")
