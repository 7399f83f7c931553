"""Packaging for the metropole portal.

Three import packages live in this repository, in layers that import one way
(ARCHITECTURE.md; tests/test_architecture.py enforces it):
- ``metropole_core`` (folder ``metropole_core/``): what both halves use —
  the schemas and vocabularies (package data), field mapping, freshness,
  commune registry, outbound policy, Paris time, sensor labels;
- ``ckanext.metropole`` (folder ``ckanext-metropole/``): the CKAN extension —
  plugins, search backend, runtime, charter, communes, views, CLI;
- ``metropole_harvesters`` (folder ``metropole_harvesters/``): the harvester plugins.

Everything a running portal reads besides Python (templates, assets,
translations — the .mo files that ``make install`` compiles —, schemas,
SHACL shapes, demo files, config declarations) is package data, so a wheel
(``pip install .``) carries it: tests/test_wheel.py starts a portal from one.

Dependencies are pinned in ``requirements.txt`` and locked, with everything
they pull in, in ``constraints.txt``; ``make install`` uses both.
"""

from setuptools import find_namespace_packages, find_packages, setup

# Suffixes of the files a portal reads at run time, besides Python.
PACKAGE_DATA = ("html", "css", "js", "svg", "yaml", "yml", "json", "ttl", "txt", "csv",
                "po", "mo", "md", "tsv", "xlsx", "ods",
                # alembic: the community plugin's migrations
                "ini", "mako")

setup(
    name="metropole-portal",
    version="0.1.0",
    description="CKAN extensions for the open-data portals of French metropoles",
    python_requires=">=3.10",
    packages=find_namespace_packages(where="ckanext-metropole", include=["ckanext.*"])
    + find_namespace_packages(include=["metropole_core", "metropole_core.*"])
    + find_packages(include=["metropole_harvesters", "metropole_harvesters.*"]),
    package_dir={
        "ckanext": "ckanext-metropole/ckanext",
    },
    package_data={
        "ckanext.metropole": [f"**/*.{ext}" for ext in PACKAGE_DATA],
        "metropole_core": [f"**/*.{ext}" for ext in PACKAGE_DATA],
    },
    entry_points={
        "ckan.plugins": [
            "metropole = ckanext.metropole.plugin:MetropolePlugin",
            "metropole_search = ckanext.metropole.search.plugin:PostgresSearchPlugin",
            "metropole_theme = ckanext.metropole.branding.plugin:MetropoleThemePlugin",
            "metropole_harvest_runtime = metropole_harvesters.plugin:HarvestRuntimePlugin",
            "metropole_charts = ckanext.metropole.charts.plugin:MetropoleChartsPlugin",
            "metropole_security = ckanext.metropole.security.plugin:MetropoleSecurityPlugin",
            "metropole_loading = ckanext.metropole.loading.plugin:MetropoleLoadingPlugin",
            "metropole_exports = ckanext.metropole.exports.plugin:MetropoleExportsPlugin",
            "metropole_community = ckanext.metropole.community.plugin:MetropoleCommunityPlugin",
            "metropole_notifications = "
            "ckanext.metropole.notifications.plugin:MetropoleNotificationsPlugin",
            "wfs_harvester = metropole_harvesters.wfs:WfsHarvester",
            "ogcapi_features_harvester = "
            "metropole_harvesters.ogcapi_features:OgcApiFeaturesHarvester",
            "arcgis_rest_harvester = metropole_harvesters.arcgis_rest:ArcGisRestHarvester",
            "sensorthings_harvester = metropole_harvesters.sensorthings:SensorThingsHarvester",
            "ngsi_harvester = metropole_harvesters.ngsi:NgsiHarvester",
            "metropole_dcat = ckanext.metropole.dcat.plugin:MetropoleDCATPlugin",
            "metropole_table_schemas = "
            "ckanext.metropole.table_schemas.plugin:MetropoleTableSchemasPlugin",
            "metropole_dcat_harvester = ckanext.metropole.dcat.harvesters:MetropoleDCATHarvester",
            "metropole_ckan_harvester = ckanext.metropole.dcat.harvesters:MetropoleCKANHarvester",
        ],
        "ckan.rdf.profiles": [
            "metropole_dcat_ap = ckanext.metropole.dcat.profile:MetropoleDCATAPProfile",
        ],
        "console_scripts": [
            "metropole = ckanext.metropole.runtime.cli:main",
        ],
    },
)
