"""DCAT-AP view of a publication, built with rdflib (serialised as JSON-LD or Turtle by the web layer)."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from madangan.opendata.ckan import Catalog

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LICENSES = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/"}


def graph(c: Catalog) -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("adms", ADMS)):
        g.bind(prefix, ns)
    manifest = c.p.manifest
    catalog = URIRef(f"{c.base}/catalog.jsonld?terbitan={c.p.number}")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"Data terbuka {manifest['region_name']}", lang="id")))
    g.add((catalog, DCTERMS.title, Literal(f"Open data of {manifest['region_name']}", lang="en")))
    g.add((catalog, DCTERMS.description, Literal("Katalog Satu Data Indonesia dari Madangan: indikator dan agregat "
                                                 "publik, sel kecil disensor.", lang="id")))
    g.add((catalog, DCTERMS.issued, Literal(c.p.created_at, datatype=XSD.dateTime)))
    g.add((catalog, ADMS.version, Literal(c.p.label)))
    g.add((catalog, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/IND")))
    publisher = URIRef(f"{c.base}/publik#walidata")
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(manifest["walidata"])))
    g.add((catalog, DCTERMS.publisher, publisher))
    for package in c.packages:
        ds = URIRef(package["url"])
        g.add((catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.identifier, Literal(package["id"])))
        g.add((ds, DCTERMS.title, Literal(package["title"], lang="id")))
        if package["title_en"]:
            g.add((ds, DCTERMS.title, Literal(package["title_en"], lang="en")))
        g.add((ds, DCTERMS.description, Literal(package["notes"], lang="id")))
        g.add((ds, DCTERMS.issued, Literal(package["metadata_created"], datatype=XSD.dateTime)))
        g.add((ds, DCTERMS.modified, Literal(package["metadata_modified"], datatype=XSD.dateTime)))
        g.add((ds, ADMS.version, Literal(package["version"])))
        if package["frekuensi"]:
            g.add((ds, DCTERMS.accrualPeriodicity, Literal(package["frekuensi"], lang="id")))
        for tag in package["tags"]:
            g.add((ds, DCAT.keyword, Literal(tag["name"])))
        producer = URIRef(f"{c.base}/publik#{package['organization']['name']}")
        g.add((producer, RDF.type, FOAF.Organization))
        g.add((producer, FOAF.name, Literal(package["produsen_data"])))
        g.add((ds, DCTERMS.creator, producer))  # produsen data
        g.add((ds, DCTERMS.publisher, publisher))  # walidata
        contact = BNode()
        g.add((ds, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, Literal(package["walidata"])))
        license_uri = URIRef(LICENSES.get(package["license_id"], package["license_id"]))
        for resource in package["resources"]:
            dist = URIRef(f"{c.base}/publik/data/{resource['id']}")
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(resource["name"])))
            g.add((dist, DCTERMS.description, Literal(resource["description"], lang="id")))
            g.add((dist, DCTERMS.license, license_uri))
            for fmt, media in (("csv", "text/csv"), ("json", "application/json")):
                g.add((dist, DCAT.downloadURL, URIRef(f"{c.base}/publik/data/{resource['id']}.{fmt}")))
            g.add((dist, DCAT.accessURL, URIRef(f"{c.base}/api/3/action/datastore_search?resource_id={resource['id']}")))
            g.add((dist, DCAT.mediaType, Literal("text/csv")))
            g.add((dist, DCTERMS.format, Literal("CSV")))
    return g
