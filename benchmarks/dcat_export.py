"""Benchmark of the DCAT-AP 3 export (issue 7). Prints figures.

A catalogue of N datasets (default 10,000: every commune, theme, licence and
frequency, temporal coverage, two resources each) in its own database on the
test PostgreSQL, prepared by ``ckan metropole init``; then the catalogue
endpoint is read page by page over real HTTP on loopback (CKAN's WSGI stack
under werkzeug), following hydra:next as a harvester does, and every page is
parsed as Turtle.

    .venv/bin/python benchmarks/dcat_export.py --ckan-ini /tmp/dcat-test.ini
    .venv/bin/python benchmarks/dcat_export.py --ckan-ini test.ini --datasets 1000

The database (``ckan_bench_dcat``) is kept between runs: only missing
datasets are created; ``--drop`` starts again from nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "ckan_bench_dcat"
PLUGINS_EXTRA = "metropole_dcat metropole_dcat_harvester metropole_ckan_harvester"
RDF_FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
FREQ = "http://publications.europa.eu/resource/authority/frequency/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bench_ini(ckan_ini: Path, drop: bool, port_web: int) -> Path:
    """A configuration on the benchmark database, created (and initialised) if needed."""
    from ckan.cli import load_config

    from ckanext.metropole.runtime.postgres import psql

    conf = load_config(str(ckan_ini))
    url = conf["sqlalchemy.url"]
    port = int(re.search(r":(\d+)/", url).group(1))
    pg_socket = Path(conf["ckan.storage_path"]).parent / "run" / "pg-socket"
    owner = re.search(r"://([^:]+):", url).group(1)
    if drop:
        psql(pg_socket, port, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE);")
    exists = psql(pg_socket, port, f"SELECT 1 FROM pg_database WHERE datname = '{DB}';").strip()
    plugins = conf["ckan.plugins"]
    plugins = " ".join(plugins if isinstance(plugins, list) else plugins.split())
    ini = Path("/tmp") / f"{DB}.ini"
    ini.write_text("[app:main]\n"
                   f"use = config:{ckan_ini.resolve()}\n"
                   f"sqlalchemy.url = {url.rsplit('/', 1)[0]}/{DB}\n"
                   # Paging links are absolute, on the site URL: this server.
                   f"ckan.site_url = http://127.0.0.1:{port_web}\n"
                   f"ckan.plugins = {plugins} {PLUGINS_EXTRA}\n")
    if not exists:
        psql(pg_socket, port, f"CREATE DATABASE {DB} OWNER {owner};")
        subprocess.run([str(ROOT / ".venv/bin/ckan"), "-c", str(ini), "metropole", "init"],
                       check=True, capture_output=True, timeout=600,
                       env=dict(os.environ, METROPOLE_ADMIN_PASSWORD="benchmark-dcat-2026"))
    return ini


def _dataset(index: int, communes: list, themes: list, licences: list,
             frequencies: list) -> dict:
    commune = communes[index % len(communes)]
    year = 2010 + index % 16
    return {
        "name": f"bench-{index:05d}", "owner_org": commune.org_name,
        "title": f"Jeu de données {index} — {commune.title}",
        "notes": f"Jeu de test n° {index} pour mesurer l'export DCAT.",
        "communes": [commune.insee_code], "themes": [themes[index % len(themes)]],
        "license_id": licences[index % len(licences)], "access_level": "open",
        "frequency": FREQ + frequencies[index % len(frequencies)],
        "temporal_coverage": [{"start": f"{year}-01-01", "end": f"{year}-12-31"}],
        "tag_string": "benchmark,dcat",
        "resources": [{"name": "Données (CSV)", "format": "CSV",
                       "url": f"https://data.example.org/{index}.csv"},
                      {"name": "Données (GeoJSON)", "format": "GeoJSON",
                       "url": f"https://data.example.org/{index}.geojson"}],
    }


def _fill(count: int) -> float:
    """Create the missing datasets; seconds taken."""
    from ckan import model
    from ckan.tests.helpers import call_action

    from metropole_core import commune_registry as registry
    from metropole_core import vocabularies

    existing = model.Session.query(model.Package).filter(
        model.Package.name.like("bench-%"), model.Package.state == "active").count()
    if existing >= count:
        return 0.0
    site = call_action("get_site_user", context={"ignore_auth": True})["name"]
    communes = sorted(registry.communes().values(), key=lambda c: c.insee_code)
    themes = sorted(vocabularies.themes())
    licences = ["etalab-2.0", "odc-odbl", "cc-by-4.0", "cc-zero-1.0"]
    frequencies = ["DAILY", "WEEKLY", "MONTHLY", "ANNUAL", "IRREG", "HOURLY"]
    started = time.perf_counter()
    for index in range(existing, count):
        call_action("package_create", context={"user": site, "ignore_auth": True},
                    **_dataset(index, communes, themes, licences, frequencies))
        if (index + 1) % 1000 == 0:
            print(f"  {index + 1} datasets ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    return time.perf_counter() - started


def _export(base: str, fmt: str) -> dict:
    """Every page of the catalogue endpoint, as a harvester reads it."""
    import requests
    from rdflib import Graph, Namespace
    from rdflib.namespace import DCAT, RDF

    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    url, pages, datasets, size = f"{base}/catalog.{fmt}", [], 0, 0
    started = time.perf_counter()
    with requests.Session() as session:
        while url:
            page_started = time.perf_counter()
            response = session.get(url, timeout=120)
            response.raise_for_status()
            graph = Graph().parse(data=response.text, format=RDF_FORMATS.get(fmt, fmt))
            pages.append(time.perf_counter() - page_started)
            size += len(response.content)
            datasets += len(set(graph.subjects(RDF.type, DCAT.Dataset)))
            following = next(graph.objects(None, hydra.next), None) or next(
                graph.objects(None, hydra.nextPage), None)
            url = str(following) if following else ""
    return {"seconds": time.perf_counter() - started, "pages": len(pages),
            "datasets": datasets, "megabytes": size / 1e6,
            "page_median": statistics.median(pages), "page_max": max(pages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-ini", required=True, type=Path)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--formats", default="ttl", help="e.g. ttl,rdf,jsonld")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()

    port_web = _free_port()
    ini = _bench_ini(args.ckan_ini, args.drop, port_web)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.serving import make_server

    app = make_app(load_config(str(ini)))
    with app._wsgi_app.test_request_context():
        created = _fill(args.datasets)
    if created:
        print(f"created datasets in {created:.0f} s")
    server = make_server("127.0.0.1", port_web, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    for fmt in args.formats.split(","):
        figures = _export(base, fmt)
        print(f"catalog.{fmt}: {figures['datasets']} datasets in {figures['pages']} pages, "
              f"{figures['megabytes']:.1f} MB, {figures['seconds']:.1f} s "
              f"(page median {figures['page_median']:.2f} s, max {figures['page_max']:.2f} s)",
              flush=True)
    server.shutdown()
    sys.exit(0)


if __name__ == "__main__":
    main()
