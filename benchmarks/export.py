"""Benchmark of the DataStore exports (issue 14). Prints figures.

A DataStore table of N rows (default 1,000,000; French-looking columns:
commune, INSEE code, date, timestamp, decimal value, count, label,
latitude/longitude) is filled on the test profile's PostgreSQL with one
``INSERT ... SELECT generate_series`` (the table itself made by
``datastore_create``, so it has the DataStore's triggers and full-text
column); then, in the same run:

1. the floor: PostgreSQL's own ``COPY (SELECT ...) TO STDOUT CSV`` of the
   same columns, read by the client;
2. ``/datastore/export/<id>/csv`` and ``/parquet`` of the whole table,
   through the portal's WSGI stack in this process (Flask's test client,
   streamed response read chunk by chunk; no network).

Throughput is the table's size as CSV (what COPY writes) divided by the
time, so the Parquet figure compares with the others although its file is
smaller; each file's own size is printed too. Peak memory of this process
(CKAN + the export) is printed last.

    .venv/bin/python benchmarks/export.py --ckan-ini test.ini --rows 200000

The table is deleted at the end (``--keep`` keeps it for a second run with
``--reuse``).
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import time

NAME = "benchmark-exports"
FIELDS = [
    {"id": "commune", "type": "text"}, {"id": "code_insee", "type": "text"},
    {"id": "jour", "type": "date"}, {"id": "releve", "type": "timestamp"},
    {"id": "valeur", "type": "numeric"}, {"id": "compte", "type": "int"},
    {"id": "libelle", "type": "text"}, {"id": "latitude", "type": "float"},
    {"id": "longitude", "type": "float"},
]
# Each row from its number i: varied values, some negative, some formula-looking.
ROW_SQL = """
    (ARRAY['Marseille','Aix-en-Provence','Aubagne','Martigues','La Ciotat'])[1 + i % 5],
    lpad(((i * 7919) % 99999)::text, 5, '0'),
    date '2026-01-01' + (i % 365),
    timestamp '2026-01-01 00:00' + (i % 100000) * interval '1 minute',
    round(((i * 37) % 200000 - 100000) / 100.0, 2),
    (i * 13) % 5000 - 100,
    CASE WHEN i % 50 = 0 THEN '=SOMME(A1:A9)'
         ELSE 'Relevé n° ' || i || ', capteur ' || (i % 97) END,
    43.2 + (i % 1000) / 2000.0,
    5.3 + (i % 1000) / 1500.0
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _table(rows: int, reuse: bool) -> str:
    """The benchmark table's resource id (created, or the kept one)."""
    from ckan import model
    from ckan.plugins import toolkit
    from ckanext.datastore.backend.postgres import get_write_engine
    from sqlalchemy import text

    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"ignore_auth": True, "user": site_user}
    existing = model.Package.get(NAME)
    if existing is not None and reuse and existing.resources:
        return existing.resources[0].id
    _drop()
    # Straight into the model: the table, not the catalogue's metadata rules,
    # is what is measured.
    package = model.Package(name=NAME, title="Benchmark des exports", type="dataset")
    model.Session.add(package)
    model.Session.flush()
    # datastore_active set here: datastore_create would otherwise patch the
    # resource, which validates the dataset against the catalogue's schema.
    model.Session.add(model.Resource(package_id=package.id, url="", format="CSV", name="table",
                                     extras={"datastore_active": True}))
    model.repo.commit()
    resource_id = model.Package.get(NAME).resources[0].id
    toolkit.get_action("datastore_create")(dict(context), {
        "resource_id": resource_id, "fields": FIELDS, "force": True})
    columns = ", ".join(f'"{f["id"]}"' for f in FIELDS)
    started = time.perf_counter()
    with get_write_engine().begin() as connection:
        connection.execute(text(
            f'INSERT INTO "{resource_id}" ({columns}) '
            f"SELECT {ROW_SQL} FROM generate_series(1, :rows) AS i"), {"rows": rows})
    print(f"table of {rows:,} rows filled in {time.perf_counter() - started:.1f} s")
    return resource_id


def _drop() -> None:
    from ckan import model
    from ckan.plugins import toolkit

    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"ignore_auth": True, "user": site_user}
    existing = model.Package.get(NAME)
    if existing is None:
        return
    for res in existing.resources:
        res.extras = {**res.extras, "datastore_active": False}   # no patch: see _table
        model.repo.commit()
        with contextlib.suppress(toolkit.ObjectNotFound):
            toolkit.get_action("datastore_delete")(dict(context), {
                "resource_id": res.id, "force": True})
    toolkit.get_action("dataset_purge")(dict(context), {"id": NAME})


def _copy_floor(resource_id: str) -> tuple[float, int]:
    """Seconds and bytes of PostgreSQL's COPY TO of the same columns, in _id order."""
    from ckanext.datastore.backend.postgres import get_read_engine

    columns = ", ".join(f'"{f["id"]}"' for f in FIELDS)
    size = 0

    class Counter:
        def write(self, data: str) -> None:
            nonlocal size
            size += len(data.encode("utf-8")) if isinstance(data, str) else len(data)

    connection = get_read_engine().raw_connection()
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.copy_expert(f'COPY (SELECT {columns} FROM "{resource_id}" ORDER BY _id) '
                               "TO STDOUT CSV HEADER", Counter())
        return time.perf_counter() - started, size
    finally:
        connection.close()


def _export(client, resource_id: str, fmt: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(f"/datastore/export/{resource_id}/{fmt}", buffered=False)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the table afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept table")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ckan_ini))
    flask_app = app._wsgi_app
    with flask_app.test_request_context():
        resource_id = _table(args.rows, args.reuse)
        try:
            floor_s, csv_bytes = _copy_floor(resource_id)
            mb = csv_bytes / 1e6
            print(f"table as CSV: {mb:.1f} MB ({args.rows:,} rows)")
            print(f"{'':22} {'seconds':>8} {'MB/s':>8} {'rows/s':>10} "
                  f"{'file MB':>8} {'x floor':>8}")
            print(f"{'COPY TO (floor)':22} {floor_s:8.2f} {mb / floor_s:8.1f} "
                  f"{args.rows / floor_s:10,.0f} {mb:8.1f} {1:8.1f}")
            client = flask_app.test_client()
            for fmt in ("csv", "parquet"):
                seconds, size = _export(client, resource_id, fmt)
                print(f"{'export ' + fmt:22} {seconds:8.2f} {mb / seconds:8.1f} "
                      f"{args.rows / seconds:10,.0f} {size / 1e6:8.1f} {seconds / floor_s:8.1f}")
            print(f"peak memory of this process: {_peak_mb():.0f} MB")
        finally:
            if not args.keep:
                _drop()


if __name__ == "__main__":
    main()
