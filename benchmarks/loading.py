"""Load time and peak memory of the DataStore loader on a generated French
CSV, beside PostgreSQL's own COPY of the same rows (the floor), in the same
run. Prints figures; it is not a test (issue 14's targets on the 2-core
machine: load <= 3 x the COPY floor, peak memory <= 500 MB).

    .venv/bin/python benchmarks/loading.py --config .metropole/ckan.ini [--rows 1000000]

The file: ``;`` separator, UTF-8, an INSEE code, a commune name, a count with
thousands spaces, two amounts with decimal commas, a French date and
date-time, oui/non, a postcode (about 100 bytes a row: 1,000,000 rows ~ 100 MB).

- loader: what a job does after fetching the file — detect the encoding and
  separator, one pass to check the shape and write the raw text
  (``prepare.stage``), then the transaction of ``store.write_table``: COPY
  into a staging table, types decided and values converted in SQL, the
  DataStore's table with its ``_full_text``, trigger and indexes;
- floor: ``COPY`` of the same rows, already in PostgreSQL's notation (copied
  out of the loaded table), into a bare table of the same types (no trigger,
  no index), on the same connection pool. Both tables are dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

NNBSP = "\u202f"


def french_csv(path: Path, rows: int) -> None:
    random.seed(14)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Code INSEE;Commune;Population;Surface (km²);Budget (€);Date;Horodatage;"
                  "Ouverte;Code postal\r\n")
        for i in range(rows):
            population = f"{random.randint(50, 900_000):,}".replace(",", NNBSP)
            budget = f"{random.randint(-99_999, 9_999_999):,}".replace(",", " ")
            out.write(
                f"{random.randint(1000, 95999):05d};Commune n°{i};{population};"
                f"{random.randint(1, 9999)},{random.randint(0, 99):02d};"
                f"{budget},{random.randint(0, 99):02d};"
                f"{random.randint(1, 28):02d}/{random.randint(1, 12):02d}/"
                f"{random.randint(1990, 2026)};"
                f"{random.randint(1, 28):02d}/{random.randint(1, 12):02d}/2026 "
                f"{random.randint(0, 23):02d}:{random.randint(0, 59):02d};"
                f"{random.choice(('oui', 'non'))};{random.randint(1000, 95999):05d}\r\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows: int) -> None:
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine, identifier

    from ckanext.metropole.loading import prepare, reading, store

    limits = reading.Limits(max_columns=1000, max_unpacked_bytes=500 << 20)
    with tempfile.TemporaryDirectory(prefix="loading-bench-") as folder:
        source_path = Path(folder) / "communes.csv"
        french_csv(source_path, rows)
        size_mb = source_path.stat().st_size / 1e6
        print(f"file: {rows:,} rows, {size_mb:.1f} MB")

        table = f"bench-{uuid.uuid4()}"
        floor_table = f"bench-floor-{uuid.uuid4()}"
        rss_before = peak_rss_mb()
        start = time.perf_counter()
        source = reading.open_table(source_path, "csv", limits)
        staged = prepare.stage(source, Path(folder) / "staged.csv", limits,
                               progress=lambda *_: None)
        converted = time.perf_counter()
        timings: dict[str, float] = {}
        fields = store.write_table(table, staged, {}, lambda types: [
            {"id": name, "type": kind} for name, kind in zip(staged.names, types, strict=True)],
            timings)
        loaded = time.perf_counter()
        print("types: " + ", ".join(f"{f['id']}={f['type']}" for f in fields))

        engine = get_write_engine()
        typed_path = Path(folder) / "typed.csv"
        names = ", ".join(identifier(f["id"]) for f in fields)
        with engine.begin() as connection, open(typed_path, "w", encoding="utf-8") as out:
            connection.connection.dbapi_connection.cursor().copy_expert(
                f"COPY (SELECT {names} FROM {identifier(table)} ORDER BY _id) TO STDOUT "
                f"WITH (FORMAT csv)", out)
        columns = ", ".join(f"{identifier(f['id'])} {f['type']}" for f in fields)
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE TABLE {identifier(floor_table)} ({columns})"))
        floor_start = time.perf_counter()
        with engine.begin() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            with open(typed_path, encoding="utf-8") as handle:
                cursor.copy_expert(f"COPY {identifier(floor_table)} FROM STDIN WITH (FORMAT csv)",
                                   handle, size=1024 * 1024)
        floor = time.perf_counter() - floor_start
        with engine.begin() as connection:
            counted = connection.execute(sa.text(
                f"SELECT count(*) FROM {identifier(table)}")).scalar()
            # The DataStore's own share: _full_text of every row, on its own.
            full_text_start = time.perf_counter()
            connection.execute(sa.text(
                f"SELECT count(to_tsvector(CAST(t AS text))) FROM {identifier(floor_table)} t"))
            full_text = time.perf_counter() - full_text_start
            connection.execute(sa.text(f"DROP TABLE {identifier(table)}, "
                                       f"{identifier(floor_table)}"))

    total = loaded - start
    print(f"loader: {total:.2f} s ({converted - start:.2f} s read and check, "
          f"{loaded - converted:.2f} s stage, type, convert and write), {counted:,} rows, "
          f"{rows / total:,.0f} rows/s")
    print("  write steps: " + ", ".join(f"{step} {seconds:.2f} s"
                                        for step, seconds in timings.items()))
    print(f"  to_tsvector of every row alone (the DataStore's full text, which a plain COPY "
          f"skips): {full_text:.2f} s")
    ratio = total / floor
    print(f"floor (COPY of the same rows): {floor:.2f} s -> loader = {ratio:.1f} x "
          f"the floor (target <= 3: {'met' if ratio <= 3 else 'NOT met'})")
    peak = peak_rss_mb()
    print(f"memory: peak RSS {peak:.0f} MB (process, CKAN included; "
          f"{rss_before:.0f} MB before the load; target <= 500 MB: "
          f"{'met' if peak <= 500 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=".metropole/ckan.ini", help="the portal's CKAN ini")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.config))
    with app._wsgi_app.test_request_context():
        run(args.rows)


if __name__ == "__main__":
    main()
