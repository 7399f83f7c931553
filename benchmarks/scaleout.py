"""Benchmark of the scale-out profile (issue 18): PostgreSQL search vs the
SolrCloud on the same corpus, index rebuild on both, and requests per second
through nginx with one and with two web nodes.

Prints figures; it is not a test. Needs the test profile's services and the
SolrCloud (``make services-test-up solr-up``); writes under its own site id
(both indexes) and, for the rebuild figures, creates real datasets that it
purges at the end:

    .venv/bin/python benchmarks/scaleout.py [--sizes 10000] [--runs 200] \\
        [--rebuild-datasets 500] [--load-seconds 20] [--concurrency 8]

* query mixes: the corpus of ``benchmarks/search.py`` (same seed) written
  into the PostgreSQL index and into Solr, then each mix of search.py plus
  ``sort page 3`` through CKAN's ``package_search`` as an anonymous user, on
  each backend; p50/p95 and the ratio Solr / PostgreSQL;
* rebuild: ``ckan search-index rebuild``'s code path over the same real CKAN
  datasets into each backend (datasets/s);
* web: ``GET /dataset/?q=<word>`` through nginx (deployment/nginx.conf.template)
  onto gunicorn nodes of ``--web-workers`` workers each, searching the Solr
  corpus, from ``--concurrency`` client threads during ``--load-seconds``.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
import urllib.request
from typing import Any

from search import FACETS, SITE_ID, Corpus, corpus_config, load, mixes, percentile

SORT_MIX = "sort page 3"
WORDS = ["qualité", "bus", "budget", "écoles", "vélos", "parkings", "eau", "bruit"]


def solr_load(corpus: Corpus, size: int) -> float:
    """The same documents as search.load, into Solr (CKAN's field names)."""
    from ckan.lib.search.common import make_connection

    connection = make_connection()
    connection.delete(q=f'site_id:"{SITE_ID}"', commit=True)
    start = time.perf_counter()
    batch = []
    for n in range(size):
        doc = {key: value for key, value in corpus.document(n).items()
               if value is not None and key != "res_type"}
        for key in ("metadata_created", "metadata_modified"):
            doc[key] = doc[key][:23] + "Z"  # Solr's dates keep milliseconds
        batch.append(doc)
        if len(batch) == 1000:
            connection.add(batch, commit=False)
            batch = []
    connection.add(batch, commit=True)
    return size / (time.perf_counter() - start)


def query_mixes(corpus: Corpus) -> dict[str, Any]:
    """search.py's mixes (without their SQL floor) plus a sorted third page."""
    import ckan.logic as logic

    made = {name: make for name, make in mixes(corpus).items()}
    search = logic.get_action("package_search")
    r = random.Random(11)

    def sort_page_3():
        sort = r.choice(["title_string asc", "metadata_modified desc", "name asc"])
        return (lambda: search({"user": "", "ignore_auth": False},  # noqa: E731
                               {"q": r.choice(WORDS), "sort": sort, "start": 40, "rows": 20,
                                "facet.field": FACETS}), None)

    made[SORT_MIX] = sort_page_3
    return made


def time_mixes(corpus: Corpus, runs: int) -> dict[str, tuple[float, float]]:
    figures = {}
    for name, make in query_mixes(corpus).items():
        for _ in range(5):
            make()[0]()
        elapsed = []
        for _ in range(runs):
            call = make()[0]
            start = time.perf_counter()
            call()
            elapsed.append((time.perf_counter() - start) * 1000)
        figures[name] = (percentile(elapsed, 50), percentile(elapsed, 95))
    return figures


def rebuild_rate() -> tuple[int, float]:
    import ckan.lib.search as search
    import ckan.model as model

    total = model.Session.query(model.Package).filter(model.Package.state == "active").count()
    start = time.perf_counter()
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    return total, total / (time.perf_counter() - start)


def create_datasets(count: int) -> list[str]:
    import ckan.logic as logic

    site_user = logic.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    tag = random.randrange(10**9)
    org = logic.get_action("organization_create")(
        dict(context), {"name": f"bench-org-{tag}", "title": "Bench"})
    corpus, names = Corpus(seed=1), []
    for n in range(count):
        doc = corpus.document(n)
        names.append(logic.get_action("package_create")(dict(context), {
            "name": f"bench-scaleout-{tag}-{n}", "title": doc["title"], "notes": doc["notes"],
            "owner_org": org["id"], "license_id": doc["license_id"],
            "tags": [{"name": t} for t in doc["tags"]],
            "resources": [{"url": u, "format": f}
                          for u, f in zip(doc["res_url"], doc["res_format"], strict=True)]})["id"])
    return names + [org["id"]]


def purge(ids: list[str]) -> None:
    import ckan.logic as logic

    site_user = logic.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    *datasets, org = ids
    for ident in datasets:
        logic.get_action("dataset_purge")(dict(context), {"id": ident})
    logic.get_action("organization_purge")(dict(context), {"id": org})


def load_through(url: str, seconds: float, concurrency: int) -> tuple[float, float, int]:
    """Requests per second, p95 latency (ms) and errors of GET /dataset/?q=…"""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(seed: int) -> None:
        r = random.Random(seed)
        while time.monotonic() < stop:
            query = urllib.request.quote(r.choice(WORDS))
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{url}/dataset/?q={query}", timeout=60) as answer:
                    answer.read()
                    ok = answer.status == 200
            except OSError:
                ok = False
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - started), percentile(latencies, 95), errors[0]


def web_figures(solr_url: str, args: argparse.Namespace) -> None:
    from ckanext.metropole.runtime.scaleout import ScaleOut
    from ckanext.metropole.runtime.settings import load_settings

    settings = load_settings("test")
    base = settings.web_port
    for nodes in (1, 2):
        scaleout = ScaleOut(settings, solr_url, nginx_port=base + 1,
                            node_ports=[base + 2 + n for n in range(nodes)],
                            web_workers=args.web_workers, gather_consumers=0,
                            fetch_consumers=0, extra_settings={"ckan.site_id": SITE_ID})
        try:
            scaleout.start()
            load_through(scaleout.url, 3, args.concurrency)  # warm-up
            rps, p95, errors = load_through(scaleout.url, args.load_seconds, args.concurrency)
        finally:
            scaleout.stop()
        print(f"  {nodes} web node(s) x {args.web_workers} workers: {rps:6.1f} requests/s, "
              f"p95 {p95:7.1f} ms, {errors} errors ({args.concurrency} clients)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild-datasets", type=int, default=500)
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.common import config
    from ckan.config.middleware import make_app

    from ckanext.metropole.runtime.scaleout import running_solr_url
    from ckanext.metropole.runtime.settings import load_settings
    from ckanext.metropole.search.backend_setting import BACKEND_KEY

    solr_url = running_solr_url()

    conf = load_config(str(load_settings("test").ckan_ini))
    corpus_config(conf)
    conf["solr_url"] = solr_url
    app = make_app(conf)
    with app._wsgi_app.test_request_context():
        from ckanext.metropole.search import storage

        storage.ensure_schema()
        corpus = Corpus()
        for size in [int(s) for s in args.sizes.split(",") if s]:
            figures = {}
            config[BACKEND_KEY] = "postgres"
            config["ckanext.metropole.search.cache_size"] = 0
            pg_rate = load(corpus, size)
            figures["postgres"] = time_mixes(corpus, args.runs)
            config[BACKEND_KEY] = "solr"
            solr_rate = solr_load(corpus, size)
            figures["solr"] = time_mixes(corpus, args.runs)
            print(f"corpus of {size} datasets: raw index write PostgreSQL {pg_rate:.0f} docs/s, "
                  f"Solr {solr_rate:.0f} docs/s")
            print(f"  {'mix':18s} {'PG p50':>8s} {'PG p95':>8s} {'Solr p50':>9s} "
                  f"{'Solr p95':>9s} {'p50 Solr/PG':>12s} {'p95 Solr/PG':>12s}")
            for name, (p50, p95) in figures["postgres"].items():
                s50, s95 = figures["solr"][name]
                print(f"  {name:18s} {p50:8.1f} {p95:8.1f} {s50:9.1f} {s95:9.1f} "
                      f"{s50 / p50:12.2f} {s95 / p95:12.2f}")
        # Before the rebuild, which empties this site's Solr documents.
        print("web through nginx (/dataset/?q=…, Solr corpus):")
        web_figures(solr_url, args)
        if args.rebuild_datasets:
            ids = create_datasets(args.rebuild_datasets)
            try:
                for backend in ("postgres", "solr"):
                    config[BACKEND_KEY] = backend
                    total, rate = rebuild_rate()
                    print(f"  rebuild ({backend}): {total} CKAN datasets, {rate:.0f} datasets/s")
            finally:
                purge(ids)


if __name__ == "__main__":
    main()
