"""What `make run` costs: start times, memory per process kind, latency under load.

    .venv/bin/python benchmarks/runtime.py [--traffic-minutes 5] [--load-seconds 60]
        [--clients 20] [--settle-seconds 120] [--json out.json] [-- <metropole up flags>]

One run, on its own data folder (``--home``, default ``.metropole/bench``,
deleted first) and the ports of METROPOLE_WEB_PORT, _PG_PORT, _REDIS_PORT,
_SAMPLES_PORT, with the demo on:

1. cold start: an empty data folder (installed venv) until the first 200 on
   ``/api/3/action/status_show`` and on ``/``;
2. idle memory after ``--settle-seconds`` (the demo's first harvests), RSS,
   USS and PSS per process kind and in total (psutil over the supervisor's
   tree, see ckanext.metropole.runtime.memory);
3. the same after ``--traffic-minutes`` of light traffic (one request every
   2 s over the pages below);
4. p50/p95 of ``/``, ``/dataset/``, a dataset page, a sensor dashboard and
   ``package_search`` under ``--clients`` concurrent clients for
   ``--load-seconds``, and requests per second (a Python load generator: it
   runs on the same machine and takes CPU from the portal, as wrk would);
5. Ctrl-C, then a warm start on the same data, timed the same way.

``--warm-only`` times a warm start on the data folder of a previous run and
measures its memory once settled, nothing else (a quick check).
Flags after ``--`` go to ``metropole up`` (e.g. ``-- --web-workers 1``).
Timings depend on what else runs on the machine: compare figures taken in
the same conditions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from ckanext.metropole.runtime.memory import memory_report
from ckanext.metropole.runtime.settings import PROJECT_ROOT, load_settings

PAGES = {
    "/": "/",
    "/dataset/": "/dataset/",
    "dataset page": None,  # filled with the first dataset found
    "dashboard": "/tableaux-de-bord/bruit",
    "package_search": "/api/3/action/package_search?q=capteur&rows=10",
}


class Portal:
    """One foreground `metropole up`, as `make run` starts it."""

    def __init__(self, home: Path, up_args: list[str]) -> None:
        self.settings = load_settings("run", home=str(home), demo=True)
        self.up_args = up_args
        self.process: subprocess.Popen | None = None
        self.log = home.parent / f"{home.name}-supervisor.log"

    @property
    def url(self) -> str:
        return self.settings.site_url

    def start_and_time(self, timeout: float = 600) -> dict[str, float]:
        """Seconds from the command to the first 200 of each of the two URLs."""
        s = self.settings
        command = [sys.executable, "-m", "ckanext.metropole.runtime.cli", "up",
                   "--home", str(s.home), "--web-port", str(s.web_port),
                   "--pg-port", str(s.pg_port), "--redis-port", str(s.redis_port),
                   "--samples-port", str(s.samples_port), *self.up_args]
        started = time.monotonic()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        pending = {"status_show": "/api/3/action/status_show", "/": "/"}
        times: dict[str, float] = {}
        while pending:
            if self.process.poll() is not None:
                raise SystemExit(f"metropole up stopped; see {self.log}")
            if time.monotonic() - started > timeout:
                raise SystemExit(f"no answer within {timeout} s; see {self.log}")
            for name, path in list(pending.items()):
                try:
                    if requests.get(self.url + path, timeout=5).status_code == 200:
                        times[name] = time.monotonic() - started
                        del pending[name]
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        return times

    def memory(self) -> dict[str, dict[str, object]]:
        state = json.loads(self.settings.state_file.read_text())
        return memory_report(self.process.pid, state["children"])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(120)


def find_dataset_page(url: str) -> str:
    result = requests.get(f"{url}/api/3/action/package_search?rows=1&sort=name asc",
                          timeout=60).json()["result"]["results"]
    return f"/dataset/{result[0]['name']}" if result else "/dataset/"


def light_traffic(url: str, pages: dict[str, str], minutes: float) -> None:
    deadline = time.monotonic() + minutes * 60
    paths = list(pages.values())
    index = 0
    with requests.Session() as session:
        while time.monotonic() < deadline:
            session.get(url + paths[index % len(paths)], timeout=60)
            index += 1
            time.sleep(2)


def load(url: str, pages: dict[str, str], clients: int, seconds: float) -> dict[str, object]:
    """Each client requests the pages in turn as fast as answers come."""
    latencies: dict[str, list[float]] = {name: [] for name in pages}
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        names = list(pages)
        index = offset
        with requests.Session() as session:
            while time.monotonic() < deadline:
                name = names[index % len(names)]
                index += 1
                start = time.perf_counter()
                try:
                    ok = session.get(url + pages[name], timeout=120).status_code == 200
                except requests.RequestException:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    if ok:
                        latencies[name].append(elapsed)
                    else:
                        errors += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    done = sum(len(values) for values in latencies.values())
    return {
        "requests_per_second": round(done / duration, 1), "errors": errors,
        "latency_ms": {name: {"p50": percentile(values, 50), "p95": percentile(values, 95),
                              "n": len(values)} for name, values in latencies.items()},
    }


def percentile(values: list[float], rank: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000)
    return round(statistics.quantiles(values, n=100, method="inclusive")[rank - 1] * 1000)


def print_memory(title: str, report: dict[str, dict[str, object]]) -> None:
    print(f"\n{title}")
    print(f"  {'kind':<16}{'procs':>6}{'RSS MiB':>10}{'USS MiB':>10}{'PSS MiB':>10}")
    for kind, m in sorted(report.items(), key=lambda item: (item[0] == "total", item[0])):
        print(f"  {kind:<16}{m['processes']:>6}{m['rss_mib']:>10}{m['uss_mib']:>10}"
              f"{m['pss_mib']:>10}")


def main() -> None:
    argv = sys.argv[1:]
    up_args = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default=str(PROJECT_ROOT / ".metropole" / "bench"))
    parser.add_argument("--settle-seconds", type=float, default=120)
    parser.add_argument("--traffic-minutes", type=float, default=5)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--warm-only", action="store_true",
                        help="only a warm start on the data of a previous run")
    args = parser.parse_args(argv)

    home = Path(args.home).resolve()
    if not args.warm_only:
        shutil.rmtree(home, ignore_errors=True)
    portal = Portal(home, up_args)
    portal.log.unlink(missing_ok=True)
    results: dict[str, object] = {"up_args": up_args, "cpus": os.cpu_count(),
                                  "load_average": os.getloadavg()}
    if args.warm_only:
        try:
            results["warm_start_s"] = portal.start_and_time()
            print(f"warm start to first 200: {fmt_times(results['warm_start_s'])}")
            time.sleep(args.settle_seconds)
            results["idle"] = portal.memory()
            print_memory(f"idle memory ({args.settle_seconds:.0f} s after start)",
                         results["idle"])
        finally:
            portal.stop()
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        return
    try:
        results["cold_start_s"] = portal.start_and_time()
        print(f"cold start to first 200: {fmt_times(results['cold_start_s'])}")
        time.sleep(args.settle_seconds)
        results["idle"] = portal.memory()
        print_memory(f"idle memory ({args.settle_seconds:.0f} s after start)", results["idle"])
        pages = dict(PAGES, **{"dataset page": find_dataset_page(portal.url)})
        if args.traffic_minutes:
            light_traffic(portal.url, pages, args.traffic_minutes)
            time.sleep(5)
            results["after_traffic"] = portal.memory()
            print_memory(f"memory after {args.traffic_minutes:g} min of light traffic",
                         results["after_traffic"])
        if args.load_seconds:
            results["load"] = load(portal.url, pages, args.clients, args.load_seconds)
            print(f"\n{args.clients} clients for {args.load_seconds:g} s: "
                  f"{results['load']['requests_per_second']} requests/s, "
                  f"{results['load']['errors']} errors")
            for name, figures in results["load"]["latency_ms"].items():
                print(f"  {name:<16} p50 {figures['p50']} ms  p95 {figures['p95']} ms  "
                      f"(n={figures['n']})")
            results["after_load"] = portal.memory()
            print_memory("memory after the load", results["after_load"])
        portal.stop()
        results["warm_start_s"] = portal.start_and_time()
        print(f"\nwarm start to first 200: {fmt_times(results['warm_start_s'])}")
    finally:
        portal.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


def fmt_times(times: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in times.items())


if __name__ == "__main__":
    main()
