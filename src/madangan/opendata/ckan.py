"""CKAN Action API (v3) semantics over a publication: the read actions harvesters and clients use.

Each action takes the request's parameters (query string or JSON body, as CKAN accepts both) and returns
the `result`; a problem raises `ActionError` with CKAN's error type, which the web layer wraps in CKAN's
envelope ``{help, success: false, error: {__type, message}}`` and status code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import polars as pl

from madangan import __version__
from madangan.opendata.publish import Published, organization_name, package_id, resource_id

ROWS_MAX = 1000  # ckan.search.rows_max: larger requests are cut to it, as CKAN does
DATASTORE_MAX = 32000  # ckan.datastore.search.rows_max
FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json"}


class ActionError(Exception):
    def __init__(self, kind: str, message: str, status: int, fields: dict | None = None):
        super().__init__(message)
        self.kind, self.message, self.status, self.fields = kind, message, status, fields or {}

    def body(self) -> dict:
        return {"__type": self.kind, "message": self.message, **self.fields}


def not_found(what: str) -> ActionError:
    return ActionError("Not Found Error", f"Tidak ditemukan (not found): {what}", 404)


def invalid(field: str, message: str) -> ActionError:
    return ActionError("Validation Error", f"{field}: {message}", 409, {field: [message]})


class Catalog:
    """The CKAN view of one publication, for links built on `base_url` (e.g. http://host:8000)."""

    def __init__(self, published: Published, base_url: str):
        self.p, self.base = published, base_url.rstrip("/")
        self.region = published.manifest["region_code"]
        self.packages = [self._package(e) for e in published.manifest["datasets"]]
        self.by_name = {p["name"]: p for p in self.packages} | {p["id"]: p for p in self.packages}
        self.resources = {r["id"]: (p, r) for p in self.packages for r in p["resources"]}

    # ------------------------------------------------------------------------------------ shapes

    def organization(self, title: str, count: int | None = None) -> dict:
        name = organization_name(title)
        org = {"id": name, "name": name, "title": title, "display_name": title, "type": "organization",
               "state": "active", "is_organization": True, "approval_status": "approved",
               "description": f"Produsen data: {title}", "image_url": "", "created": self.p.created_at[:19]}
        if count is not None:
            org["package_count"] = count
        return org

    def _package(self, entry: dict) -> dict:
        created = self.p.created_at[:19]  # CKAN's form: UTC, no offset
        meta = entry["metadata"]
        pid = package_id(self.region, entry["name"])
        resources = []
        for r in entry["resources"]:
            rid = resource_id(self.region, self.p.number, entry["name"], r["name"])
            resources.append({
                "id": rid, "package_id": pid, "name": r["name"], "description": r["description"], "format": "CSV",
                "mimetype": "text/csv", "url": f"{self.base}/publik/data/{rid}.csv", "url_type": None,
                "datastore_active": True, "state": "active", "position": r["position"], "created": created,
                "last_modified": created, "metadata_modified": created, "rows": r["rows"],
                "hash": f"sha256:{r['sha256']}", "_file": r["file"], "_columns": r["columns"],
                "_dataset": entry["name"],
            })
        title = entry["title"]
        extras = {"produsen_data": entry["organization"], "walidata": self.p.manifest["walidata"],
                  "versi_terbitan": self.p.label, "nomor_terbitan": str(self.p.number),
                  "kode_wilayah": self.region, **{k: str(v) for k, v in meta.items()}}
        org = self.organization(entry["organization"])
        return {
            "id": pid, "name": entry["name"], "title": title["id"], "title_en": title.get("en", ""),
            "notes": meta.get("definisi", ""), "type": "dataset", "state": "active", "private": False,
            "license_id": self.p.manifest["license"][0], "license_title": self.p.manifest["license"][1],
            "metadata_created": created, "metadata_modified": created, "version": self.p.label,
            "author": entry["organization"], "maintainer": self.p.manifest["walidata"],
            "url": f"{self.base}/publik/dataset/{entry['name']}",
            "organization": org, "owner_org": org["id"],
            "tags": [{"name": tag, "display_name": tag, "state": "active"} for tag in entry["tags"]],
            "groups": [], "num_tags": len(entry["tags"]), "num_resources": len(resources), "resources": resources,
            "produsen_data": entry["organization"], "walidata": self.p.manifest["walidata"],
            "frekuensi": meta.get("frekuensi", ""), "definisi": meta.get("definisi", ""),
            "rumus": meta.get("rumus", ""), "satuan": meta.get("satuan", ""), "sumber": meta.get("sumber", ""),
            "extras": [{"key": k, "value": v} for k, v in sorted(extras.items())],
        }

    @staticmethod
    def public(obj):
        """Drop our private keys (those starting with '_') from a package or resource."""
        if isinstance(obj, dict):
            return {k: Catalog.public(v) for k, v in obj.items() if not k.startswith("_")}
        if isinstance(obj, list):
            return [Catalog.public(v) for v in obj]
        return obj

    def package(self, ident: str) -> dict:
        found = self.by_name.get(ident or "")
        if found is None:
            raise not_found(f"dataset {ident!r}")
        return found

    def resource(self, ident: str) -> tuple[dict, dict]:
        found = self.resources.get(ident or "")
        if found is None:
            raise not_found(f"resource {ident!r}")
        return found

    def frame(self, resource: dict) -> pl.DataFrame:
        return self.p.resource(resource["_dataset"], resource["name"])


# ---------------------------------------------------------------------------------------- helpers


def _int(params: dict, name: str, default: int, maximum: int | None = None) -> int:
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(name, f"harus bilangan bulat (must be an integer), diberikan {value!r}") from None
    if number < 0:
        raise invalid(name, "tidak boleh negatif (must be a natural number)")
    return min(number, maximum) if maximum is not None else number


def _bool(params: dict, name: str) -> bool:
    return str(params.get(name, "false")).lower() in ("true", "1", "yes")


def _json_list(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = [value]
    return [str(v) for v in (parsed if isinstance(parsed, list) else [parsed])]


FQ_TERM = re.compile(r'([+-]?)([\w.]+):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S+)')
FQ_FIELDS = ("organization", "tags", "res_format", "metadata_modified", "metadata_created", "name", "id",
             "license_id", "groups", "dataset_type", "type", "owner_org")


def _field_values(package: dict, field: str) -> list[str]:
    return {
        "organization": [package["organization"]["name"]], "owner_org": [package["owner_org"]],
        "tags": [t["name"] for t in package["tags"]],
        "res_format": sorted({r["format"] for r in package["resources"]}),
        "metadata_modified": [package["metadata_modified"]], "metadata_created": [package["metadata_created"]],
        "name": [package["name"]], "id": [package["id"]], "license_id": [package["license_id"]],
        "groups": [], "dataset_type": [package["type"]], "type": [package["type"]],
    }[field]


def _match(package: dict, field: str, value: str) -> bool:
    values = _field_values(package, field)
    if value.startswith("["):  # a range: [2026-01-01T00:00:00Z TO NOW], either end may be *
        inner = value[1:-1].split(" TO ")
        if len(inner) != 2:
            raise ActionError("Search Query Error", f"Rentang tidak sah (invalid range): {value}", 400)
        low, high = (x.strip() for x in inner)

        def norm(x: str) -> str:
            return x.rstrip("Z").replace("NOW", "9999").replace("*", "")

        return any((low == "*" or v >= norm(low)) and (high in ("*", "NOW") or v <= norm(high)) for v in values)
    value = value.strip('"')
    if value == "*":
        return bool(values)
    return any(v.lower() == value.lower() for v in values)


def _filter(packages: list[dict], fq: str) -> list[dict]:
    fq = (fq or "").strip()
    if not fq:
        return packages
    rest = FQ_TERM.sub("", fq).replace("AND", "").strip()
    if rest:
        raise ActionError("Search Query Error", f"fq tidak dipahami (cannot parse): {rest!r}; tulis field:nilai, "
                                                f"field salah satu dari {', '.join(FQ_FIELDS)}", 400)
    for sign, field, value in FQ_TERM.findall(fq):
        if field not in FQ_FIELDS:
            raise ActionError("Search Query Error", f"Field fq tidak dikenal (unknown field): {field}", 400)
        keep = sign != "-"
        packages = [p for p in packages if _match(p, field, value) == keep]
    return packages


def _text_match(package: dict, q: str) -> bool:
    if not q or q.strip() in ("*:*", "*"):
        return True
    m = re.fullmatch(r"(\w+):(.+)", q.strip())
    if m and m.group(1) in FQ_FIELDS:
        return _match(package, m.group(1), m.group(2))
    haystack = " ".join([package["name"], package["title"], package["title_en"], package["notes"],
                         package["organization"]["title"], *(t["name"] for t in package["tags"]),
                         package["rumus"], package["sumber"]]).lower()
    return all(word in haystack for word in q.lower().split())


# ---------------------------------------------------------------------------------------- actions


def package_list(c: Catalog, params: dict):
    names = sorted(p["name"] for p in c.packages)
    offset, limit = _int(params, "offset", 0), params.get("limit")
    return names[offset:] if limit is None else names[offset: offset + _int(params, "limit", 0)]


def package_search(c: Catalog, params: dict):
    rows, start = _int(params, "rows", 10, ROWS_MAX), _int(params, "start", 0)
    found = _filter([p for p in c.packages if _text_match(p, str(params.get("q", "") or ""))], str(params.get("fq", "") or ""))
    sort = str(params.get("sort") or "score desc, metadata_modified desc")
    key, _, direction = sort.split(",")[0].strip().partition(" ")
    if key in ("name", "title_string", "metadata_modified", "metadata_created"):
        field = {"title_string": "title"}.get(key, key)
        found = sorted(found, key=lambda p: (p[field], p["name"]), reverse=direction.strip() == "desc")
    elif key != "score":
        raise invalid("sort", f"urutan tidak didukung (unsupported sort): {sort}")
    facets, search_facets = {}, {}
    limit = _int(params, "facet.limit", 50)
    for field in _json_list(params.get("facet.field")):
        if field not in FQ_FIELDS:
            raise ActionError("Search Query Error", f"facet.field tidak dikenal (unknown facet): {field}", 400)
        counts: dict[str, int] = {}
        titles: dict[str, str] = {}
        for p in found:
            for v in _field_values(p, field):
                counts[v] = counts.get(v, 0) + 1
                titles[v] = p["organization"]["title"] if field == "organization" else v
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        facets[field] = dict(ordered)
        search_facets[field] = {"title": field, "items": [{"name": k, "display_name": titles[k], "count": n}
                                                           for k, n in ordered]}
    return {"count": len(found), "results": found[start: start + rows], "facets": facets,
            "search_facets": search_facets, "sort": sort}


def package_show(c: Catalog, params: dict):
    return c.package(str(params.get("id", "") or params.get("name_or_id", "")))


def organization_list(c: Catalog, params: dict):
    counts: dict[str, int] = {}
    for p in c.packages:
        counts[p["organization"]["title"]] = counts.get(p["organization"]["title"], 0) + 1
    orgs = sorted((c.organization(title, n) for title, n in counts.items()), key=lambda o: o["name"])
    return orgs if _bool(params, "all_fields") else [o["name"] for o in orgs]


def organization_show(c: Catalog, params: dict):
    ident = str(params.get("id", ""))
    packages = [p for p in c.packages if p["organization"]["name"] == ident]
    if not packages:
        raise not_found(f"organization {ident!r}")
    org = c.organization(packages[0]["organization"]["title"], len(packages))
    if _bool(params, "include_datasets"):
        org["packages"] = packages
    return org


def tag_list(c: Catalog, params: dict):
    tags = sorted({t["name"] for p in c.packages for t in p["tags"]})
    query = str(params.get("query", "") or "").lower()
    tags = [t for t in tags if query in t]
    if _bool(params, "all_fields"):
        return [{"id": t, "name": t, "display_name": t, "vocabulary_id": None} for t in tags]
    return tags


def resource_show(c: Catalog, params: dict):
    _, resource = c.resource(str(params.get("id", "")))
    return resource


def status_show(c: Catalog | None, params: dict):
    return {"ckan_version": "2.10.4", "madangan_version": __version__, "site_title": "Madangan — Data Terbuka",
            "site_description": "Portal data terbuka kabupaten/kota (Satu Data Indonesia)", "locale_default": "id",
            "extensions": ["datastore", "dcat"], "site_url": c.base if c else ""}


def _filters(value) -> dict:
    if value in (None, ""):
        return {}
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid("filters", "harus objek JSON, mis. {\"tingkat\": \"kecamatan\"} (must be a JSON object)") from None
    if not isinstance(parsed, dict):
        raise invalid("filters", "harus objek JSON (must be a JSON object)")
    return parsed


def datastore_search(c: Catalog, params: dict):
    package, resource = c.resource(str(params.get("resource_id", "") or params.get("id", "")))
    frame = c.frame(resource)
    limit, offset = _int(params, "limit", 100, DATASTORE_MAX), _int(params, "offset", 0)
    for column, wanted in _filters(params.get("filters")).items():
        if column not in frame.columns:
            raise invalid("filters", f"kolom tidak dikenal (unknown column): {column}")
        options = wanted if isinstance(wanted, list) else [wanted]
        frame = frame.filter(pl.col(column).cast(pl.String).is_in([str(o) for o in options]))
    q = str(params.get("q", "") or "").strip().lower()
    if q:
        text = pl.concat_str([pl.col(col).cast(pl.String).fill_null("") for col in frame.columns], separator=" ")
        frame = frame.filter(text.str.to_lowercase().str.contains(q, literal=True))
    if sort := str(params.get("sort", "") or ""):
        column, _, direction = sort.strip().partition(" ")
        if column not in frame.columns:
            raise invalid("sort", f"kolom tidak dikenal (unknown column): {column}")
        frame = frame.sort(column, descending=direction.strip().lower() == "desc", nulls_last=True)
    given = params.get("fields")
    if isinstance(given, str) and not given.lstrip().startswith("["):  # CKAN also takes "a,b,c"
        given = [f.strip() for f in given.split(",") if f.strip()]
    fields = _json_list(given) or list(frame.columns)
    unknown = [f for f in fields if f not in frame.columns]
    if unknown:
        raise invalid("fields", f"kolom tidak dikenal (unknown column): {', '.join(unknown)}")
    total = frame.height
    page = frame.with_row_index("_id", offset=1).slice(offset, limit).select("_id", *fields)
    types = {col["id"]: col["type"] for col in resource["_columns"]}
    base = f"/api/3/action/datastore_search?resource_id={resource['id']}"
    return {"resource_id": resource["id"], "fields": [{"id": "_id", "type": "int"}] +
            [{"id": f, "type": types.get(f, "text")} for f in fields],
            "records": page.to_dicts(), "total": total, "limit": limit, "offset": offset,
            "_links": {"start": base, "next": f"{base}&offset={offset + limit}"}}


ACTIONS: dict[str, Callable[[Catalog, dict], object]] = {
    "package_list": package_list, "package_search": package_search, "package_show": package_show,
    "organization_list": organization_list, "organization_show": organization_show, "tag_list": tag_list,
    "resource_show": resource_show, "status_show": status_show, "datastore_search": datastore_search,
    "current_package_list_with_resources":
        lambda c, p: package_search(c, {"rows": _int(p, "limit", ROWS_MAX, ROWS_MAX), "start": _int(p, "offset", 0)})["results"],
}
