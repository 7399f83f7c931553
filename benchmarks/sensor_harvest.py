"""Benchmark of the SensorThings harvest (issue 5). Prints figures.

A local SensorThings server (the demo sample server, in its own process)
serves 1,000,000 observations over 200 datastreams (5,000 each, every
5 minutes), in pages of 1,000. Measured, in this process:

- baseline: downloading and parsing the same pages (requests + json);
- first harvest, end to end: gather, fetch + aggregate, publish to CKAN
  (DataStore upserts, dataset metadata) — or without ``--ckan-ini`` the
  pipeline up to the aggregated rows only;
- incremental run after one new hour of data;
- peak memory (max RSS of this process; the server is another process).

Targets: first harvest ≤ 120 s, peak memory ≤ 1 GB, incremental ≤ 10 s.

    .venv/bin/python benchmarks/sensor_harvest.py --ckan-ini test.ini
    .venv/bin/python benchmarks/sensor_harvest.py            # pipeline only
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import resource
import sys
import time
from datetime import datetime, timedelta, timezone

STREAMS, PER_STREAM, INTERVAL, PAGE = 200, 5000, 300, 1000
START = datetime(2026, 3, 2, tzinfo=timezone.utc)   # crosses the 29 March DST day


def _now_after(extra_s: int = 0) -> datetime:
    return START + timedelta(seconds=(PER_STREAM - 1) * INTERVAL + extra_s)


def _serve(port_queue: multiprocessing.Queue, command_queue: multiprocessing.Queue) -> None:
    from ckanext.metropole.demo.samples.data import benchmark_sensors
    from ckanext.metropole.demo.samples.server import build_server

    server, sta, _ = build_server(now=_now_after(), sta_sensors=benchmark_sensors(STREAMS,
                                                                                 INTERVAL),
                                  ngsi_sensors=[], start=START.timestamp())
    sta.max_top = PAGE
    server.start()
    port_queue.put(server.url)
    while True:
        extra = command_queue.get()
        if extra is None:
            break
        sta.clock.set(_now_after(extra))
        port_queue.put("ok")
    server.stop()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(url: str) -> tuple[float, int]:
    """Plain download + JSON parse of every page, one stream after another."""
    from metropole_harvesters.pipeline.http import make_session

    session = make_session()
    count, started = 0, time.perf_counter()
    for ds in range(STREAMS):
        next_url: str | None = (f"{url}/sensorthings/v1.1/Datastreams({1000 + ds})/Observations"
                                f"?$top={PAGE}&$select=phenomenonTime,result")
        while next_url:
            body = json.loads(session.get(next_url, timeout=30).content)
            count += len(body["value"])
            next_url = body.get("@iot.nextLink")
    return time.perf_counter() - started, count


def pipeline_only(url: str, control) -> dict[str, float]:
    """Fetch + aggregate without CKAN (when no CKAN config is given)."""
    from metropole_harvesters.pipeline.http import make_session
    from metropole_harvesters.protocols import sensorthings as sta
    from metropole_harvesters.sensors.collect import collect

    session = make_session()
    streams = sta.list_streams(session, url + "/sensorthings/v1.1", page_size=PAGE)
    fetch = lambda s, since: sta.fetch_observations(session, s, since, PAGE)  # noqa: E731
    started = time.perf_counter()
    first = collect(streams, {}, fetch, initial=START)
    first_s = time.perf_counter() - started
    rows = sum(len(t) for t in first.tables.values())
    control(3600)
    started = time.perf_counter()
    second = collect(streams, first.states, fetch, initial=START)
    return {"first_s": first_s, "incremental_s": time.perf_counter() - started,
            "observations": first.observations, "rows": rows,
            "incremental_rows": sum(len(t) for t in second.tables.values())}


def end_to_end(url: str, ini: str, control) -> dict[str, float]:
    """The real harvester stages against CKAN and its DataStore."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins as plugins
        import ckan.plugins.toolkit as toolkit
        from ckanext.harvest.model import HarvestJob, HarvestObject
        from ckanext.harvest.queue import fetch_and_import_stages, gather_stage

        from metropole_harvesters.sensorthings import SensorThingsHarvester

        harvester = plugins.get_plugin("sensorthings_harvester") \
            if plugins.plugin_loaded("sensorthings_harvester") else SensorThingsHarvester()
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"ignore_auth": True, "user": site_user}
        source = _benchmark_source(context, url, harvester)

        def run() -> tuple[float, int]:
            started = time.perf_counter()
            job = HarvestJob(source_id=source["id"], status="Running")
            job.save()
            ids = gather_stage(harvester, job) or []
            for object_id in ids:
                fetch_and_import_stages(harvester, HarvestObject.get(object_id))
            errors = sum(len(HarvestObject.get(i).errors) for i in ids)
            job.status = "Finished"
            job.save()
            return time.perf_counter() - started, errors

        first_s, first_errors = run()
        control(3600)
        incremental_s, errors = run()
        package = toolkit.get_action("package_show")(
            {**context}, {"id": f"{source['name']}-hauteur-eau"})
        hourly = next(r for r in package["resources"] if r["name"].endswith("horaires"))
        rows = toolkit.get_action("datastore_search")({**context}, {"resource_id": hourly["id"],
                                                                "limit": 0})["total"]
        return {"first_s": first_s, "incremental_s": incremental_s, "rows": rows,
                "errors": first_errors + errors}


def _benchmark_source(context: dict, url: str, harvester) -> dict:
    import ckan.plugins.toolkit as toolkit

    for name in ("benchmark-sta-hauteur-eau", "benchmark-sta"):
        with contextlib.suppress(toolkit.ObjectNotFound):
            toolkit.get_action("dataset_purge")({**context}, {"id": name})
    org = "benchmark"
    try:
        toolkit.get_action("organization_show")({**context}, {"id": org})
    except toolkit.ObjectNotFound:
        toolkit.get_action("organization_create")({**context},
                                                  {"name": org, "title": "Benchmark"})
    config = {"history": "P400D", "communes": ["metropole"]}
    source = {"name": "benchmark-sta", "title": "Benchmark", "url": url + "/sensorthings/v1.1",
              "source_type": "sensorthings", "owner_org": org, "config": json.dumps(config)}
    # Register the source directly when the harvester plugin is not enabled.
    if not _source_type_known("sensorthings"):
        from ckanext.harvest.model import HarvestSource

        created = toolkit.get_action("package_create")({**context}, {
            "name": "benchmark-sta", "title": "Benchmark", "owner_org": org,
            "notes": "Benchmark", "communes": ["metropole"], "themes": ["eau"],
            "tag_string": "benchmark"})
        HarvestSource(id=created["id"], url=source["url"], type="sensorthings",
                      config=source["config"], active=True).save()
        return {"id": created["id"], "name": "benchmark-sta"}
    return toolkit.get_action("harvest_source_create")({**context}, source)


def _source_type_known(name: str) -> bool:
    from ckanext.harvest.queue import get_harvester

    return get_harvester(name) is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ckan-ini", help="CKAN config: run the real harvester end to end")
    args = parser.parse_args()
    urls: multiprocessing.Queue = multiprocessing.Queue()
    commands: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(urls, commands), daemon=True)
    server.start()
    url = urls.get(timeout=60)

    def control(extra_s: int) -> None:
        commands.put(extra_s)
        urls.get(timeout=60)

    try:
        base_s, count = baseline(url)
        print(f"observations served          {count:>12,}  ({STREAMS} datastreams, "
              f"pages of {PAGE})")
        print(f"download + parse (baseline)  {base_s:>12.1f} s")
        figures = end_to_end(url, args.ckan_ini, control) if args.ckan_ini \
            else pipeline_only(url, control)
        mode = "end to end (CKAN + DataStore)" if args.ckan_ini else "fetch + aggregate only"
        print(f"first harvest, {mode:<30} {figures['first_s']:>8.1f} s   target ≤ 120 s")
        print(f"ratio first harvest / baseline {figures['first_s'] / base_s:>10.2f}")
        print(f"incremental run (one new hour) {figures['incremental_s']:>10.1f} s   "
              "target ≤ 10 s")
        print(f"hourly rows published          {figures['rows']:>10,}")
        if "errors" in figures:
            print(f"harvest errors                 {figures['errors']:>10}")
        print(f"peak memory (max RSS)          {peak_mb():>10.0f} MB  target ≤ 1024 MB")
    finally:
        commands.put(None)
        server.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
