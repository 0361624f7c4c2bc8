"""Region polygons: shipped community outlines (see data/README.md), or a regency's official file.

`init` extracts the deployment's kecamatan (and desa, where shipped) into the
data directory; `madangan boundaries import FILE` replaces them with an
official GeoJSON whose features carry a Kemendagri `code` property.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path

from madangan.errors import UserError
from madangan.i18n import t
from madangan.regions import normalize_code

FILE_NAME = "boundaries.geojson"
_CODE_KEYS = ("code", "kode", "kode_wilayah", "kdepum", "KODE", "KDEPUM")


def _shipped(name: str) -> dict | None:
    path = resources.files("madangan.boundaries").joinpath("data", f"{name}.geojson.gz")
    if not path.is_file():
        return None
    return json.loads(gzip.decompress(path.read_bytes()))


def for_regency(code: str) -> dict:
    """The regency's kecamatan outlines, plus its desa outlines where the package ships them."""
    prefix = code + "."
    kecamatan = [f for f in _shipped("indonesia-kecamatan")["features"] if f["properties"]["code"].startswith(prefix)]
    desa = _shipped(f"desa-{code}")
    return _collection(kecamatan + (desa["features"] if desa else []))


def _collection(features: list[dict]) -> dict:
    for feature in features:
        props = feature["properties"]
        for key in ("label_lat", "label_lng"):
            if isinstance(props.get(key), float):
                props[key] = round(props[key], 6)  # ~10 cm; the source carries 16 digits of noise
    return {"type": "FeatureCollection", "features": features}


def write(data_dir: Path, collection: dict) -> Path:
    path = data_dir / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(collection, separators=(",", ":")))
    tmp.replace(path)
    return path


def read(data_dir: Path) -> dict:
    path = data_dir / FILE_NAME
    return json.loads(path.read_text()) if path.exists() else _collection([])


def import_file(data_dir: Path, source: Path, region_code: str, known_codes: set[str]) -> int:
    """Replace the deployment's outlines with an official file; all or nothing."""
    try:
        raw = source.read_bytes()
        data = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError) as exc:
        raise UserError(t("boundaries.invalid", path=source, reason=exc)) from None
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise UserError(t("boundaries.invalid", path=source, reason="bukan GeoJSON FeatureCollection"))
    kept = []
    for number, feature in enumerate(data["features"], start=1):
        props = feature.get("properties") or {}
        code = next((str(props[k]) for k in _CODE_KEYS if props.get(k)), None)
        if code is None or feature.get("geometry") is None:
            raise UserError(t("boundaries.invalid", path=source, reason=f"fitur #{number} tanpa kode wilayah atau geometri"))
        try:
            code = normalize_code(code)
        except UserError as exc:
            raise UserError(t("boundaries.invalid", path=source, reason=f"fitur #{number}: {exc}")) from None
        if code not in known_codes:
            raise UserError(t("boundaries.invalid", path=source, reason=f"fitur #{number}: kode {code} bukan wilayah {region_code}"))
        kept.append({"type": "Feature", "properties": {**props, "code": code}, "geometry": feature["geometry"]})
    write(data_dir, _collection(kept))
    return len(kept)
