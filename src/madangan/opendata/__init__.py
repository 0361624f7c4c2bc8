"""Open data (Satu Data Indonesia): the public catalog, versioned publications, CKAN API and DCAT views.

    catalog.py   which datasets are public, their metadata and rows (small cells suppressed)
    publish.py   `madangan publish`: immutable, numbered snapshots; reading them back
    ckan.py      CKAN Action API semantics over a publication
    dcat.py      DCAT-AP graph of a publication (rdflib)
"""
