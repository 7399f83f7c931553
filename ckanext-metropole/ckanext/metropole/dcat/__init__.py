"""DCAT-AP 3 for the metropolitan catalogue: the export profile that adds what
ckanext-dcat's generic profile cannot know (communes, themes, charter,
publishers by SIREN, DataStore services), what never leaves the portal, the
import mapping of harvested catalogues onto our schema, and the SHACL check.

One module per job, after ckanext-dcat's own layout:
``uris`` (identifiers), ``profile`` (RDF ↔ dataset dict), ``visibility``
(what may be exported), ``mapping`` (harvested dict → our schema),
``harvesters`` (DCAT and CKAN harvesters), ``shacl`` (validation), ``cli``,
``plugin``.
"""
