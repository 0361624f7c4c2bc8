"""Record linkage for verval: the same person under different NIKs or spellings (Splink).

Platform code: it knows column roles (`PersonColumns`), not sectors.
"""

from madangan.linkage.names import name_key, normalize_name, register_macros
from madangan.linkage.persons import (
    PENDUDUK_COLUMNS,
    PersonColumns,
    explain_cluster,
    explain_pair,
    find_duplicate_persons,
    link_to_registry,
    train_person_model,
)

__all__ = [
    "PENDUDUK_COLUMNS",
    "PersonColumns",
    "explain_cluster",
    "explain_pair",
    "find_duplicate_persons",
    "link_to_registry",
    "name_key",
    "normalize_name",
    "register_macros",
    "train_person_model",
]
