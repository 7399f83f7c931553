"""Who may download a table, and what a bad query gets: the exports answer
like datastore_search (the same authorisation), in French, never with SQL."""

from __future__ import annotations

import json

import pytest
from ckan.tests import factories

from ckanext.metropole.exports import views

from ..helpers import AIX, MARSEILLE, api, org_name
from .conftest import table

pytestmark = pytest.mark.usefixtures("catalogue")

FORMATS = ("csv", "csv-excel-fr", "json", "xlsx", "parquet", "geojson")


def member_of(code: str) -> dict:
    user = factories.UserWithToken()
    api("organization_member_create", id=org_name(code), username=user["name"], role="member")
    return user


def test_a_private_table_is_downloadable_only_by_who_may_read_it(app):
    _, rid = table(private=True, private_reason="En cours de relecture")
    outsiders = {
        "anonymous": {},
        "member of another commune": {"Authorization": member_of(AIX)["token"]},
    }
    for who, headers in outsiders.items():
        for fmt in FORMATS:
            response = app.get(f"/datastore/export/{rid}/{fmt}", headers=headers)
            assert response.status_code == 404, (who, fmt)
            assert "HYPERLINK" not in response.get_data(as_text=True), (who, fmt)
    reader = {"Authorization": member_of(MARSEILLE)["token"]}
    for fmt in FORMATS:
        assert app.get(f"/datastore/export/{rid}/{fmt}", headers=reader).status_code == 200, fmt
    rows = json.loads(app.get(f"/datastore/export/{rid}/json", headers=reader).get_data())
    assert rows[0]["commune"] == "Marseille"


BAD_QUERIES = [
    ({"filters": "pas du JSON"}, "filters", "objet JSON"),
    ({"filters": '{"inconnue": 1}'}, "filters", "colonne(s) inconnue(s) : inconnue"),
    ({"q": '{"inconnue": "x"}'}, "q", "colonne(s) inconnue(s)"),
    ({"fields": "commune,inconnue"}, "fields", "inconnue"),
    ({"sort": "velos,"}, "sort", "colonne desc"),
    ({"sort": "velos de travers"}, "sort", "inconnue"),  # column names may hold spaces
    ({"sort": "inconnue desc"}, "sort", "inconnue"),
    ({"limit": "dix"}, "limit", "nombre entier"),
    ({"offset": "-1"}, "offset", "nombre entier"),
    ({"filters": '{"velos": "beaucoup"}'}, "", "types des valeurs"),
    ({"filters": '{"velos": {"gt": "beaucoup"}}'}, "", "types des valeurs"),
]


def test_bad_queries_get_a_french_message_and_no_sql(app, counts, monkeypatch):
    _, rid = counts
    for params, parameter, message in BAD_QUERIES:
        response = app.get(f"/datastore/export/{rid}/csv", query_string=params)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, (params, body[:300])
        assert message in body and parameter in body, (params, body)
        for leak in ("SELECT", "Traceback", "psycopg", "sqlalchemy", "LINE 1"):
            assert leak not in body, (params, leak)
    assert app.get(f"/datastore/export/{rid}/docx").status_code == 404
    assert app.get("/datastore/export/pas-une-table/csv").status_code == 404
    # More rows than an Excel sheet holds (its limit lowered to the table's size - 1).
    monkeypatch.setattr(views, "XLSX_MAX_ROWS", 2)
    body = app.get(f"/datastore/export/{rid}/xlsx", status=400).get_data(as_text=True)
    assert "Une feuille Excel contient au plus 2 lignes" in body
    assert app.get(f"/datastore/export/{rid}/xlsx?limit=2").status_code == 200
