"""French values and the column types they give (loading/french_types.py's
SQL rules, run by PostgreSQL on a staging table as the loader does). Cases
are looped, not parametrized: one transaction for all of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

GUESSED = [
    ("Population", ("14 514", "342\u00a0669", "1\u202f234\u202f567", ""), "int8"),
    ("Surface", ("24,6", "1 234,56", "-0,5", "12"), "numeric"),
    ("Taux", ("0.25", "1.5"), "numeric"),
    ("Mise à jour", ("31/12/2026", "01/02/2025", "2024-02-29"), "date"),
    ("Horodatage", ("31/12/2026 08:30", "2025-01-01T10:00:00Z"), "timestamp"),
    ("Ouvert", ("oui", "NON", "Vrai", "faux"), "bool"),
    ("Vide", ("", " "), "text"),
    # 31/02 is no date, nor is 29/02 of a common year: the column stays text
    # rather than losing a value.
    ("Date", ("31/12/2026", "31/02/2026"), "text"),
    ("Jour", ("28/02/2025", "29/02/2025"), "text"),
    # Codes keep their leading zeros, whatever the column's name.
    ("Commune", ("01004", "13055"), "text"),
    ("CP", ("13001", "13002"), "text"),
    ("SIREN", ("200054807",), "text"),
    ("Identifiant", ("123456789012345678",), "text"),
    ("Contact", ("04 91 55 11 11", "+33 4 91 55 11 11"), "text"),
    ("Numéro", ("1", "2", "3"), "int8"),
    # A date with a leading zero is a date, not a code.
    ("Échéance", ("01.02.2026", "2026-03-01"), "date"),
]

CONVERTED = [
    ("int8", "1\u202f234\u202f567", 1234567),
    ("int8", "12,0", 12),
    ("numeric", "-1 234,56", Decimal("-1234.56")),
    ("numeric", "3.5e2", Decimal("350")),
    ("date", "29/02/2024", dt.date(2024, 2, 29)),
    ("timestamp", "31/12/2026 23h59", dt.datetime(2026, 12, 31, 23, 59)),
    ("timestamp", "2026-06-01T10:00:00+02:00", dt.datetime(2026, 6, 1, 8, 0)),
    ("timestamp", "15/06/2024", dt.datetime(2024, 6, 15)),
    ("bool", " Oui ", True), ("bool", "faux", False), ("int8", " ", None),
]
REFUSED = [
    ("int8", "12,5"), ("int8", "1 23"), ("numeric", "1,234,5"), ("date", "2026-13-01"),
    ("date", "12/31/2026"), ("bool", "peut-être"), ("timestamp", "31/12/2026 25:00"),
]


@pytest.fixture
def connection():
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def staging(connection, values) -> None:
    from ckanext.metropole.loading import store

    store._run(connection, f"DROP TABLE IF EXISTS {store._STAGING}; DROP TABLE IF EXISTS "
                           f"{store._STAGING}_sample; CREATE TEMP TABLE {store._STAGING} "
                           f"(_line int, c0 text)")
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.executemany(f"INSERT INTO {store._STAGING} VALUES (%s, %s)",
                       [(line, value or None) for line, value in enumerate(values, start=2)])


def test_columns_take_the_narrowest_french_type(connection):
    from ckanext.metropole.loading import store

    for name, values, expected in GUESSED:
        staging(connection, values)
        assert store.guess_types(connection, [name], {}) == [expected], (name, values)


def test_values_are_written_as_postgresql_reads_them_or_refused(connection):
    from ckanext.metropole.loading import french_types, store
    from ckanext.metropole.loading.messages import LoadError

    for kind, value, stored in CONVERTED:
        staging(connection, [value])
        expression = french_types.converted(kind, "c0", *store._read(0))
        result = store._run(connection, f"SELECT {expression} "
                                        f"FROM {store._layers(1, {0: {kind}})}").fetchone()[0]
        assert result == stored, (kind, value, result)
    for kind, value in REFUSED:
        staging(connection, [value])
        with pytest.raises(LoadError) as refused:
            store.check_values(connection, ["Valeur"], [kind], {"Valeur": kind})
        assert refused.value.message["params"]["value"] == value, (kind, value)
