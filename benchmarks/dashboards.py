"""Time the sensor dashboards of a running portal (server side: HTML ready).

    .venv/bin/python benchmarks/dashboards.py [--url http://127.0.0.1:5000] [--runs 5]

Prints, per page, the median and worst time of ``--runs`` requests after one
warm-up request (the first builds CKAN's webassets and fills caches). The
target is under 2 s with the demo data (issue 8)."""

from __future__ import annotations

import argparse
import statistics
import time

import requests

PAGES = ["", "bruit", "dechets", "eau", "velo-pietons", "eclairage"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with requests.Session() as session:
        for slug in PAGES:
            url = f"{args.url.rstrip('/')}/tableaux-de-bord/{slug}"
            session.get(url, timeout=60).raise_for_status()
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                response = session.get(url, timeout=60)
                times.append(time.perf_counter() - start)
                response.raise_for_status()
            print(f"/tableaux-de-bord/{slug:<13} median {statistics.median(times):.3f} s  "
                  f"worst {max(times):.3f} s  ({len(response.content) // 1024} KiB)")


if __name__ == "__main__":
    main()
