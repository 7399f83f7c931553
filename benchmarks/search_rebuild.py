"""Rebuild throughput of a portal's search index, and the ceiling CKAN sets.

Prints figures; it is not a test.  Usage, against any portal database (it
reindexes, and the index is complete and searchable throughout):

    .venv/bin/python benchmarks/search_rebuild.py --config .metropole/ckan.ini \
        [--sample 300] [--processes 0]

Before timing ``metropole search rebuild`` it measures, on ``--sample``
datasets and in one process, what CKAN and the plugins do for each dataset
whatever the search backend: ``package_show`` with both show-schema
validations (``package_show_default_and_custom_schemas``), then
``index_package`` with every plugin's ``before_dataset_index``, with the
write to the index skipped.  That per-dataset time bounds the throughput
any backend can reach on this machine's cores; the rebuild's rate is
reported against that ceiling, as the query mixes are against their floor.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from unittest import mock


def ckan_work_per_dataset(ids: Sequence[str]) -> tuple[float, float]:
    """Milliseconds per dataset: (package_show and validation, index_package
    without the write).  The first datasets only warm caches."""
    import ckan.logic as logic

    from ckanext.metropole.search import connection

    show_s = index_s = 0.0
    warm = min(20, len(ids) // 5)
    with mock.patch.object(connection.PostgresSolr, "add",
                           lambda self, docs, commit=True: None):
        for n, package_id in enumerate(ids):
            start = time.perf_counter()
            both = logic.package_show_default_and_custom_schemas(
                {"ignore_auth": True}, package_id)
            shown = time.perf_counter()
            logic.index_update_package_dicts(both, True)
            if n >= warm:
                show_s += shown - start
                index_s += time.perf_counter() - shown
    measured = max(1, len(ids) - warm)
    return show_s * 1000 / measured, index_s * 1000 / measured


def ckan_ceiling(ids: Sequence[str]) -> tuple[float, float, float]:
    """(package_show ms, index_package ms, datasets/s on this machine's cores)."""
    show_ms, index_ms = ckan_work_per_dataset(ids)
    return show_ms, index_ms, (os.cpu_count() or 1) * 1000 / (show_ms + index_ms)


def report(sample: int, processes: int) -> None:
    from ckanext.metropole.search import rebuild

    ids = rebuild._package_ids()
    if not ids:
        raise SystemExit("No dataset to index: load some first (make run does).")
    show_ms, index_ms, ceiling = ckan_ceiling(ids[:sample])
    cores = os.cpu_count() or 1
    print(f"{len(ids)} datasets; CKAN's own work per dataset, one process, "
          f"write skipped (mean of {min(sample, len(ids))}):")
    print(f"  package_show + show-schema validations {show_ms:6.2f} ms")
    print(f"  index_package + plugins (no write)     {index_ms:6.2f} ms")
    print(f"  ceiling on {cores} cores, for any search backend: "
          f"{ceiling:.0f} datasets/s")
    summary = rebuild.rebuild(processes)
    print(f"metropole search rebuild: {summary['per_second']:.0f} datasets/s "
          f"({summary['seconds']:.1f} s, {summary['failures']} failures), "
          f"{summary['per_second'] / ceiling:.0%} of the ceiling")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="the portal's CKAN ini")
    parser.add_argument("--sample", type=int, default=300,
                        help="datasets timed for CKAN's own work")
    parser.add_argument("--processes", type=int, default=0,
                        help="rebuild workers (default: one per CPU)")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.config))
    with app._wsgi_app.test_request_context():
        report(args.sample, args.processes)


if __name__ == "__main__":
    main()
