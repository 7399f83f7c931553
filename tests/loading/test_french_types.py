"""French values and the column types they give (loading/french_types.py).
Cases are looped, not parametrized: each test pays the portal's plugin
loading (about 4 s), and these need none of it."""

from __future__ import annotations

import pytest

from ckanext.metropole.loading.french_types import CONVERTERS, ColumnGuess, ValueError_


def guess(name: str, *values: str) -> str:
    column = ColumnGuess(name)
    for value in values:
        column.add(value)
    return column.result()


def test_columns_take_the_narrowest_french_type():
    assert guess("Population", "14 514", "342\u00a0669", "1\u202f234\u202f567", "") == "int8"
    assert guess("Surface", "24,6", "1 234,56", "-0,5", "12") == "numeric"
    assert guess("Taux", "0.25", "1.5") == "numeric"
    assert guess("Mise à jour", "31/12/2026", "01/02/2025", "2024-02-29") == "date"
    assert guess("Horodatage", "31/12/2026 08:30", "2025-01-01T10:00:00Z") == "timestamp"
    assert guess("Ouvert", "oui", "NON", "Vrai", "faux") == "bool"
    assert guess("Vide", "", " ") == "text"
    # 31/02 is no date: the column stays text rather than losing a value.
    assert guess("Date", "31/12/2026", "31/02/2026") == "text"
    # Codes keep their leading zeros, whatever the column's name.
    assert guess("Commune", "01004", "13055") == "text"
    assert guess("CP", "13001", "13002") == "text"
    assert guess("SIREN", "200054807") == "text"
    assert guess("Identifiant", "123456789012345678") == "text"
    assert guess("Contact", "04 91 55 11 11", "+33 4 91 55 11 11") == "text"
    assert guess("Numéro", "1", "2", "3") == "int8"


CONVERTED = [
    ("int8", "1\u202f234\u202f567", "1234567"),
    ("int8", "12,0", "12"),
    ("numeric", "-1 234,56", "-1234.56"),
    ("numeric", "3.5e2", "3.5e2"),
    ("date", "29/02/2024", "2024-02-29"),
    ("timestamp", "31/12/2026 23h59", "2026-12-31T23:59:00"),
    ("timestamp", "2026-06-01T10:00:00+02:00", "2026-06-01T08:00:00"),
    ("timestamp", "15/06/2024", "2024-06-15T00:00:00"),
    ("bool", "Oui", "true"), ("bool", "faux", "false"),
]
REFUSED = [
    ("int8", "12,5"), ("int8", "1 23"), ("numeric", "1,234,5"), ("date", "2026-13-01"),
    ("date", "12/31/2026"), ("bool", "peut-être"), ("timestamp", "31/12/2026 25:00"),
]


def test_values_are_written_as_postgresql_reads_them_or_refused():
    for kind, value, stored in CONVERTED:
        assert CONVERTERS[kind](value) == stored, (kind, value)
    for kind, value in REFUSED:
        with pytest.raises(ValueError_):
            CONVERTERS[kind](value)
