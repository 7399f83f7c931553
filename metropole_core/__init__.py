"""What the web extension (``ckanext.metropole``) and the harvesters
(``metropole_harvesters``) both use: the catalogue's schemas and vocabularies
(package data under ``schemas/``), the field mapping, freshness, the commune
registry, Paris time and the published labels of sensor datasets.

The core imports neither half; both import it (tests/test_architecture.py).
"""
