"""Benchmark of the GIS harvest (issue 6). Prints figures.

A local WFS 2.0 server (the demo sample server's GIS app, in its own
process) serves a 100,000-polygon layer in Lambert-93, pages of 1,000
(``CountDefault``). Each measurement runs in a fresh process so its peak
memory (max RSS) is its own:

- baseline: downloading the same pages (GetFeature, body read, nothing else);
- harvest: capabilities, every page parsed, reprojected to WGS84 with pyproj,
  validated (shapely), intersected with commune shapes (93 synthetic boxes),
  streamed to the GeoJSON snapshot and the CSV with their hashes — what the
  fetch stage does; the CKAN upload afterwards is a file copy.

With ``--ckan-ini`` the real ``wfs`` harvester also runs end to end in CKAN
(gather, fetch, import: dataset, GeoJSON and CSV uploads), twice: the second
run, on an unchanged service, must write nothing. ``ckan.max_resource_size``
is raised for the run (the snapshot is ~32 MB; CKAN's default is 10 MB).

Targets: harvest ≤ 90 s, peak memory ≤ 500 MB.

    .venv/bin/python benchmarks/gis_harvest.py [--features 100000] [--page 1000]
    .venv/bin/python benchmarks/gis_harvest.py --ckan-ini test.ini
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

LAYER = "metropole:bench_polygones"


def _serve(count: int, page: int, port_queue: multiprocessing.Queue) -> None:
    from ckanext.metropole.demo.samples.gis import bench_layer, build_gis_server

    server, _ = build_gis_server(layers=[bench_layer(count)], max_page=page)
    port_queue.put(server.url)
    server.httpd.serve_forever()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _download(url: str, page: int, out: multiprocessing.Queue) -> None:
    from metropole_harvesters.pipeline.http import get, make_session

    session = make_session()
    started, total, start_index = time.perf_counter(), 0, 0
    while True:
        response = get(session, url + "/gis/wfs", {
            "service": "WFS", "version": "2.0.0", "request": "GetFeature",
            "typeNames": LAYER, "outputFormat": "application/json",
            "srsName": "urn:ogc:def:crs:EPSG::2154", "count": page,
            "startIndex": start_index})
        total += len(response.content)
        if b'"numberReturned":0' in response.content:
            break
        start_index += page
    out.put({"seconds": time.perf_counter() - started, "bytes": total, "peak_mb": _peak_mb()})


def _harvest(url: str, page: int, out: multiprocessing.Queue) -> None:
    from shapely.geometry import box

    from metropole_harvesters.gis.communes import CommuneMatcher
    from metropole_harvesters.gis.snapshot import SnapshotWriter
    from metropole_harvesters.pipeline.http import make_session
    from metropole_harvesters.protocols import wfs

    # 93 commune-sized boxes over the metropole, as the registry's shapes.
    shapes = {f"13{i:03d}": box(5.0 + (i % 10) * 0.08, 43.1 + (i // 10) * 0.07,
                                5.08 + (i % 10) * 0.08, 43.17 + (i // 10) * 0.07)
              for i in range(93)}
    started = time.perf_counter()
    session = make_session()
    layer = next(la for la in wfs.list_layers(session, url + "/gis/wfs") if la.id == LAYER)
    matcher = CommuneMatcher(shapes)
    with tempfile.TemporaryDirectory() as staging:
        writer = SnapshotWriter(Path(staging), layer.bbox, observers=[matcher.add])
        pages = 0
        for chunk in wfs.pages(session, layer, page):
            writer.add(chunk)
            pages += 1
        snapshot = writer.finish()
        sizes = (snapshot.geojson.stat().st_size, snapshot.csv.stat().st_size)
    out.put({"seconds": time.perf_counter() - started, "pages": pages,
             "features": snapshot.count, "skipped": snapshot.issues.skipped,
             "repaired": snapshot.issues.repaired, "communes": len(matcher.found),
             "geojson_mb": sizes[0] / 1e6, "csv_mb": sizes[1] / 1e6, "peak_mb": _peak_mb()})


def _end_to_end(url: str, page: int, ini: str, out: multiprocessing.Queue) -> None:
    import contextlib
    import json

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins as plugins
        import ckan.plugins.toolkit as toolkit
        from ckanext.harvest.model import HarvestJob, HarvestObject
        from ckanext.harvest.queue import fetch_and_import_stages, gather_stage

        harvester = plugins.get_plugin("wfs_harvester")
        toolkit.config["ckan.max_resource_size"] = 500
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"ignore_auth": True, "user": site_user}
        action = toolkit.get_action
        for name in ("benchmark-sig-metropole-bench-polygones", "benchmark-sig"):
            with contextlib.suppress(toolkit.ObjectNotFound):
                action("dataset_purge")({**context}, {"id": name})
        with contextlib.suppress(toolkit.ValidationError):
            action("organization_create")({**context}, {"name": "benchmark",
                                                       "title": "Benchmark"})
        source = action("harvest_source_create")({**context}, {
            "name": "benchmark-sig", "title": "Benchmark SIG", "url": url + "/gis/wfs",
            "source_type": "wfs", "owner_org": "benchmark",
            "config": json.dumps({"communes": ["metropole"], "page_size": page})})

        def run() -> tuple[float, list[str], str]:
            started = time.perf_counter()
            job = HarvestJob(source_id=source["id"], status="Running")
            job.save()
            ids = gather_stage(harvester, job) or []
            for object_id in ids:
                fetch_and_import_stages(harvester, HarvestObject.get(object_id))
            errors = [e.message for i in ids for e in HarvestObject.get(i).errors]
            job.status = "Finished"
            job.save()
            package = action("package_show")({**context}, {
                "id": "benchmark-sig-metropole-bench-polygones"})
            return time.perf_counter() - started, errors, package["metadata_modified"]

        first_s, first_errors, first_modified = run()
        second_s, second_errors, second_modified = run()
    out.put({"first_s": first_s, "second_s": second_s, "errors": first_errors + second_errors,
             "errors_text": "; ".join(first_errors + second_errors)[:300],
             "unchanged": first_modified == second_modified, "peak_mb": _peak_mb()})


def _run(target, *args) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get(timeout=900)
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--ckan-ini", help="CKAN config: also run the wfs harvester in CKAN")
    args = parser.parse_args(argv)
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.features, args.page, ports),
                                     daemon=True)
    server.start()
    url = ports.get(timeout=60)
    try:
        download = _run(_download, url, args.page)
        harvest = _run(_harvest, url, args.page)
        ckan = _run(_end_to_end, url, args.page, args.ckan_ini) if args.ckan_ini else None
    finally:
        server.terminate()
    print(f"layer: {args.features:,} polygons in Lambert-93, WFS 2.0, pages of {args.page:,}")
    print(f"download only: {download['seconds']:.1f} s, {download['bytes'] / 1e6:.0f} MB, "
          f"peak memory {download['peak_mb']:.0f} MB")
    print(f"harvest (fetch stage): {harvest['seconds']:.1f} s for {harvest['pages']} pages, "
          f"{harvest['features']:,} features ({harvest['skipped']} skipped, "
          f"{harvest['repaired']} repaired), {harvest['communes']} communes; "
          f"snapshot {harvest['geojson_mb']:.0f} MB GeoJSON + {harvest['csv_mb']:.0f} MB CSV")
    print(f"peak memory (harvest process): {harvest['peak_mb']:.0f} MB")
    print(f"ratio harvest / download: {harvest['seconds'] / download['seconds']:.2f}")
    ok = harvest["seconds"] <= 90 and harvest["peak_mb"] <= 500
    if ckan:
        print(f"end to end in CKAN (gather, fetch, import with uploads): {ckan['first_s']:.1f} s, "
              f"peak memory {ckan['peak_mb']:.0f} MB, {len(ckan['errors'])} errors; second run "
              f"on the unchanged service: {ckan['second_s']:.1f} s, "
              f"{'nothing rewritten' if ckan['unchanged'] else 'DATASET REWRITTEN'}")
        if ckan["errors"]:
            print(f"job errors: {ckan['errors_text']}")
        ok = ok and ckan["first_s"] <= 90 and ckan["peak_mb"] <= 500 and ckan["unchanged"]
    print(f"targets (≤ 90 s, ≤ 500 MB): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
