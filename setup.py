"""Packaging for the metropole portal.

Two import packages live in this repository:
- ``ckanext.metropole`` (folder ``ckanext-metropole/``): the CKAN extension —
  plugins, search backend, runtime, charter, communes, views, CLI;
- ``metropole_harvesters`` (folder ``harvesters/``): the harvester plugins.

Dependencies are pinned in ``requirements.txt`` and locked, with everything
they pull in, in ``constraints.txt``; ``make install`` uses both.
"""

from setuptools import find_namespace_packages, find_packages, setup

setup(
    name="metropole-portal",
    version="0.1.0",
    description="CKAN extensions for the open-data portals of French metropoles",
    python_requires=">=3.10",
    packages=find_namespace_packages(where="ckanext-metropole", include=["ckanext.*"])
    + ["metropole_harvesters"]
    + [f"metropole_harvesters.{name}" for name in find_packages(where="harvesters")],
    package_dir={
        "ckanext": "ckanext-metropole/ckanext",
        "metropole_harvesters": "harvesters",
    },
    include_package_data=True,
    entry_points={
        "ckan.plugins": [
            "metropole = ckanext.metropole.plugin:MetropolePlugin",
            "metropole_search = ckanext.metropole.search.plugin:PostgresSearchPlugin",
            "metropole_theme = ckanext.metropole.theme.plugin:MetropoleThemePlugin",
            "metropole_charts = ckanext.metropole.charts.plugin:MetropoleChartsPlugin",
            "metropole_security = ckanext.metropole.security.plugin:MetropoleSecurityPlugin",
            "wfs_harvester = metropole_harvesters.wfs:WfsHarvester",
            "ogcapi_features_harvester = "
            "metropole_harvesters.ogcapi_features:OgcApiFeaturesHarvester",
            "arcgis_rest_harvester = metropole_harvesters.arcgis_rest:ArcGisRestHarvester",
            "sensorthings_harvester = metropole_harvesters.sensorthings:SensorThingsHarvester",
            "ngsi_harvester = metropole_harvesters.ngsi:NgsiHarvester",
            "metropole_dcat = ckanext.metropole.dcat.plugin:MetropoleDCATPlugin",
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
