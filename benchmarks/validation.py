"""Validation of a generated IRVE file against the national IRVE schema:
the portal's validation (frictionless + the schema's custom checks + the
French report) beside frictionless alone on the same bytes, in the same run.

    .venv/bin/python benchmarks/validation.py [--rows 100000] [--records]

The rows repeat the schema's valid example (tests/fixtures), one value in
every thousandth row made wrong so that both report errors. ``--records``
also times the ingestion API's record-by-record check (dicts, as pushed)."""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ckanext-metropole"))

from ckanext.metropole.table_schemas import catalogue, validation  # noqa: E402

EXAMPLE = ROOT / "tests" / "fixtures" / "table_schemas" / "irve-statique" / \
    "exemple-valide-statique.csv"


def generate(rows: int) -> bytes:
    reader = csv.DictReader(io.StringIO(EXAMPLE.read_text(encoding="utf-8")))
    examples = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for i in range(rows):
        row = dict(examples[i % len(examples)])
        if i % 1000 == 999:
            row["puissance_nominale"] = "beaucoup"
        writer.writerow(row)
    return out.getvalue().encode()


def timed(label: str, run) -> None:
    started = time.perf_counter()
    outcome = run()
    elapsed = time.perf_counter() - started
    rss = psutil.Process().memory_info().rss // (1024 * 1024)
    print(f"{label:<42} {elapsed:7.2f} s  {ROWS / elapsed:9.0f} rows/s  "
          f"errors reported: {outcome}  (RSS {rss} MB)")


def main() -> None:
    global ROWS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--records", action="store_true")
    args = parser.parse_args()
    ROWS = args.rows
    descriptor = catalogue.find("etalab/schema-irve-statique").descriptor
    data = generate(args.rows)
    print(f"{args.rows} rows, {len(data) / 1e6:.1f} MB, schema IRVE statique "
          f"v{catalogue.find('etalab/schema-irve-statique').version}")

    def frictionless_alone() -> int:
        from frictionless import Detector, Resource, Schema

        schema = Schema.from_descriptor(descriptor)
        report = Resource(data, format="csv", schema=schema,
                          detector=Detector(schema_sync=True)).validate(
            limit_errors=validation.MAX_PROBLEMS + 1)
        return len(report.tasks[0].errors)

    def portal() -> int:
        outcome = validation.validate_table(data, descriptor)
        return len(outcome.problems)

    validation.validate_table(generate(10), descriptor)  # imports, warm-up
    timed("frictionless alone (same options)", frictionless_alone)
    timed("portal (frictionless + checks + report)", portal)
    if args.records:
        records = list(csv.DictReader(io.StringIO(data.decode())))
        timed("portal, ingestion records (dicts)",
              lambda: len(validation.validate_records(records, descriptor)))


if __name__ == "__main__":
    main()
