"""Versioned publications of the open-data catalog: `madangan publish` and reading what was published.

A publication is a numbered directory under the data directory (``terbitan/<n>/``) holding one Parquet
file per resource and a ``manifest.json`` (datasets, their Satu Data metadata, each resource's columns,
row count and SHA-256), registered in the app database with the manifest's own SHA-256. Nothing ever
writes into a published directory again: files are made read-only, a label is never reused, and a
reader that finds a file whose digest differs from the manifest refuses to serve it. So "what did we
publish in March?" keeps its answer after the data moves on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from madangan import warehouse
from madangan.appdb import sessions
from madangan.config import Settings
from madangan.errors import UserError
from madangan.i18n import add_messages, t
from madangan.opendata.catalog import LICENSE, WALIDATA, datasets, slug
from madangan.opendata.models import Publication

DIRECTORY = "terbitan"
MANIFEST = "manifest.json"

add_messages({
    "publish.label_taken": {
        "id": "Label terbitan '{label}' sudah dipakai (terbitan #{number}); terbitan lama tidak diubah. Pakai label lain.",
        "en": "Publication label '{label}' is taken (publication #{number}); published data is never changed. Use another label.",
    },
    "publish.label_invalid": {
        "id": "Label terbitan '{label}' tidak sah: 1–40 huruf, angka, '-', '_' atau '.', mis. 2026-T3.",
        "en": "Publication label '{label}' is invalid: 1–40 letters, digits, '-', '_' or '.', e.g. 2026-T3.",
    },
    "publish.tampered": {
        "id": "Berkas terbitan #{number} ({file}) tidak cocok dengan manifesnya: terbitan ini telah diubah dan tidak disajikan.",
        "en": "File {file} of publication #{number} does not match its manifest: it was altered and is not served.",
    },
    "publish.unknown": {
        "id": "Terbitan '{number}' tidak ada. Lihat daftar dengan 'madangan publications'.",
        "en": "Publication '{number}' does not exist. List them with 'madangan publications'.",
    },
    "publish.done": {
        "id": "Terbitan #{number} '{label}': {datasets} dataset, {resources} sumber daya, di {path}",
        "en": "Publication #{number} '{label}': {datasets} datasets, {resources} resources, in {path}",
    },
})


def default_label(today: date | None = None) -> str:
    """The quarter, as West Java's APBD publication rule counts them: 2026-T1 … 2026-T4."""
    today = today or date.today()
    return f"{today.year}-T{(today.month - 1) // 3 + 1}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def root(settings: Settings) -> Path:
    return settings.data_dir / DIRECTORY


def _read_only(path: Path) -> None:
    for item in sorted(path.rglob("*"), reverse=True):
        item.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    path.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


def publish(settings: Settings, engine, region_code: str, region_name: str, label: str | None = None,
            actor: str | None = None) -> Publication:
    """Snapshot every public dataset into a new, numbered, immutable publication."""
    import re

    label = (label or default_label()).strip()
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", label):
        raise UserError(t("publish.label_invalid", label=label))
    with sessions(engine)() as session:
        taken = session.scalars(sa.select(Publication).where(Publication.label == label)).first()
        if taken is not None:
            raise UserError(t("publish.label_taken", label=label, number=taken.id))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    staging = root(settings) / f".baru-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        con = warehouse.connect(settings.warehouse)
        try:
            entries = []
            for dataset in datasets():
                resources = []
                for position, (name, frame) in enumerate(dataset.build(con).items()):
                    file = f"{dataset.name}__{name}.parquet"
                    frame.write_parquet(staging / file)
                    resources.append({"name": name, "file": file, "rows": frame.height, "position": position,
                                      "columns": [{"id": c, "type": _type(frame.schema[c])} for c in frame.columns],
                                      "description": dataset.descriptions.get(name, ""),
                                      "sha256": _sha256(staging / file)})
                entries.append({"name": dataset.name, "title": dataset.title, "organization": dataset.organization,
                                "tags": list(dataset.tags), "metadata": dataset.metadata, "resources": resources})
        finally:
            con.disconnect()
        manifest = {"region_code": region_code, "region_name": region_name, "label": label,
                    "created_at": now.isoformat(), "walidata": WALIDATA, "license": list(LICENSE), "datasets": entries}
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        digest = _sha256(staging / MANIFEST)
        with sessions(engine).begin() as session:
            row = Publication(label=label, created_at=now, created_by=actor, datasets=len(entries), manifest_sha256=digest)
            session.add(row)
            session.flush()
            target = root(settings) / str(row.id)
            if target.exists():  # a directory left by a publication whose registration failed: never reused
                raise UserError(t("publish.label_taken", label=label, number=row.id))
            os.replace(staging, target)
        _read_only(target)
        return row
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _type(dtype: pl.DataType) -> str:
    """Column types as CKAN's DataStore names them."""
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "numeric"
    if dtype == pl.Boolean:
        return "bool"
    return "text"


def publications(engine) -> list[Publication]:
    with sessions(engine)() as session:
        return list(session.scalars(sa.select(Publication).order_by(Publication.id.desc())))


@dataclass(frozen=True)
class Published:
    """A publication, read back: its manifest and a way to read each resource (digest checked)."""

    number: int
    label: str
    created_at: str
    path: Path
    manifest: dict

    def resource(self, dataset: str, name: str) -> pl.DataFrame:
        for entry in self.manifest["datasets"]:
            if entry["name"] == dataset:
                for resource in entry["resources"]:
                    if resource["name"] == name:
                        return _read_resource(self.path / resource["file"], resource["sha256"], self.number)
        raise KeyError((dataset, name))


@lru_cache(maxsize=256)
def _read_checked(path: str, sha256: str, number: int, mtime: float) -> pl.DataFrame:
    if _sha256(Path(path)) != sha256:
        raise UserError(t("publish.tampered", number=number, file=Path(path).name))
    return pl.read_parquet(path)


def _read_resource(path: Path, sha256: str, number: int) -> pl.DataFrame:
    return _read_checked(str(path), sha256, number, path.stat().st_mtime)


def load(settings: Settings, engine, number: int | None = None) -> Published | None:
    """Publication `number` (default: the newest); None when nothing was published yet."""
    with sessions(engine)() as session:
        query = sa.select(Publication)
        query = query.where(Publication.id == number) if number is not None else query.order_by(Publication.id.desc())
        row = session.scalars(query).first()
    if row is None:
        if number is not None:
            raise UserError(t("publish.unknown", number=number))
        return None
    path = root(settings) / str(row.id)
    manifest_file = path / MANIFEST
    if not manifest_file.exists() or _sha256(manifest_file) != row.manifest_sha256:
        raise UserError(t("publish.tampered", number=row.id, file=MANIFEST))
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    return Published(row.id, row.label, manifest["created_at"], path, manifest)


def resource_id(region_code: str, number: int, dataset: str, name: str) -> str:
    """A resource's CKAN id: a UUID fixed by region, publication, dataset and resource."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"madangan:{region_code}/{number}/{dataset}/{name}"))


def package_id(region_code: str, dataset: str) -> str:
    """A dataset's CKAN id: the same across publications (its versions are the publications)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"madangan:{region_code}/{dataset}"))


def organization_name(title: str) -> str:
    return slug(title)
