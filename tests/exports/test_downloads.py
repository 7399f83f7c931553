"""Each export format, read back with its own parser, against a real
DataStore table: whole, filtered like datastore_search, and paged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pyarrow.parquet as pq
import pytest

from ckanext.metropole.exports import records
from ckanext.metropole.exports.neutralise import neutralise

from .conftest import ROWS, table

pytestmark = pytest.mark.usefixtures("catalogue")


def export(app, rid: str, fmt: str, status: int = 200, **params) -> bytes:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = app.get(
        f"/datastore/export/{rid}/{fmt}" + (f"?{query}" if query else ""), status=status
    )
    return response.get_data()


def read_csv(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))


def test_csv_is_the_whole_table_with_formulas_neutralised(app, counts):
    _, rid = counts
    response = app.get(f"/datastore/export/{rid}/csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert f'filename="{rid}.csv"' in response.headers["Content-Disposition"]
    header, *rows = read_csv(response.get_data())
    assert header == [
        "commune",
        "code_insee",
        "velos",
        "taux",
        "jour",
        "releve",
        "ouvert",
        "note",
        "latitude",
        "longitude",
    ]
    assert [r[0] for r in rows] == ["Marseille", "Ambérieu", "Aix-en-Provence"]
    assert rows[1][1] == "01004"  # the leading zero survives
    assert rows[1][2:4] == ["-3", "-0.75"]  # negative numbers stay numbers
    assert rows[0][7] == "'" + ROWS[0]["note"]  # a formula becomes text
    assert rows[1][7] == "-12"  # a signed number in a text column is kept
    assert rows[2][7] == "'@SUM(A1:A2)"
    assert rows[0][6] == "true" and rows[2][3:7] == ["", "", "", ""]

    # PostgreSQL (CSV) and Python (XLSX) neutralise alike.
    cells = ["=1+1", "+A1", "-", "@SUM(A1)", "\t=1", "-12", "+3,5", "-1.5e3", "-1 234,5",
             "+33 6 12 34 56 78", "Marseille", "", "a=b", "'=déjà", "-A1", "=-1"]
    _, cells_rid = table(rows=[{"t": c} for c in cells], fields=[{"id": "t", "type": "text"}])
    exported = [r[0] for r in read_csv(export(app, cells_rid, "csv"))[1:]]
    assert exported == [neutralise(c) for c in cells]
    assert exported[0] == "'=1+1" and exported[5] == "-12"

    # The variant for Excel in France.
    data = export(app, rid, "csv-excel-fr")
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads UTF-8
    header, *rows = read_csv(data[3:], delimiter=";")
    assert header[:4] == ["commune", "code_insee", "velos", "taux"]
    assert rows[0][3] == "12,5" and rows[1][3] == "-0,75" and rows[1][2] == "-3"
    assert rows[0][5] == "2026-12-31 10:30:00"
    assert rows[0][8] == "43,2965"
    assert rows[0][7].startswith("'=HYPERLINK")


def test_filters_q_sort_fields_limit_as_in_datastore_search_and_json(app, counts):
    _, rid = counts
    filters = json.dumps({"code_insee": ["13055", "13001"]})
    rows = read_csv(
        export(app, rid, "csv", filters=filters, sort="velos desc", fields="commune,velos")
    )
    assert rows == [["commune", "velos"], ["Marseille", "120"], ["Aix-en-Provence", "80"]]
    rows = read_csv(export(app, rid, "csv", sort="velos asc", limit=1, offset=1, fields="velos"))
    assert rows == [["velos"], ["80"]]
    found = json.loads(export(app, rid, "json", q="Ambérieu", fields="commune"))
    assert found == [{"commune": "Ambérieu"}]

    # JSON: a list of objects.
    rows = json.loads(export(app, rid, "json"))
    # As datastore_search gives them (its timestamps have milliseconds).
    assert rows[0] == {**ROWS[0], "releve": "2026-12-31T10:30:00.000"}
    assert rows[1]["code_insee"] == "01004" and rows[1]["ouvert"] is False
    assert json.loads(export(app, rid, "json", limit=0)) == []


def test_xlsx_has_typed_cells_and_no_formula_parquet_typed_columns(app, counts):
    _, rid = counts
    sheet = openpyxl.load_workbook(io.BytesIO(export(app, rid, "xlsx"))).active
    header, marseille, amberieu, aix = [[c.value for c in row] for row in sheet.iter_rows()]
    assert header[0] == "commune" and marseille[0] == "Marseille"
    assert marseille[2] == 120 and amberieu[3] == pytest.approx(-0.75)
    assert marseille[4] == dt.datetime(2026, 12, 31) and marseille[5] == dt.datetime(
        2026, 12, 31, 10, 30
    )
    assert amberieu[1] == "01004" and amberieu[7] == "-12"
    assert marseille[7] == "'" + ROWS[0]["note"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    # Parquet keeps the column types.
    parquet = pq.read_table(io.BytesIO(export(app, rid, "parquet")))
    types = {field.name: str(field.type) for field in parquet.schema}
    assert types == {
        "commune": "string",
        "code_insee": "string",
        "velos": "int64",
        "taux": "double",
        "jour": "date32[day]",
        "releve": "timestamp[us]",
        "ouvert": "bool",
        "note": "string",
        "latitude": "double",
        "longitude": "double",
    }
    rows = parquet.to_pylist()
    assert rows[1]["code_insee"] == "01004" and rows[1]["velos"] == -3
    assert rows[0]["releve"] == dt.datetime(2026, 12, 31, 10, 30) and rows[2]["jour"] is None


def test_geojson_from_positions_or_geometry_only(app, counts):
    _, rid = counts
    collection = json.loads(export(app, rid, "geojson", sort="velos desc"))
    assert collection["type"] == "FeatureCollection"
    marseille, aix, amberieu = collection["features"]
    assert marseille["geometry"] == {"type": "Point", "coordinates": [5.3698, 43.2965]}
    assert "latitude" not in marseille["properties"] and marseille["properties"]["velos"] == 120
    assert aix["geometry"] is None and aix["properties"]["commune"] == "Aix-en-Provence"

    # From a geometry column.
    line = {"type": "LineString", "coordinates": [[5.36, 43.29], [5.38, 43.30]]}
    _, rid = table(
        rows=[{"nom": "Piste", "geometry": line}],
        fields=[{"id": "nom", "type": "text"}, {"id": "geometry", "type": "json"}],
    )
    [feature] = json.loads(export(app, rid, "geojson"))["features"]
    assert feature["geometry"] == line and feature["properties"] == {"nom": "Piste"}

    # Refused, in French, for a table without positions.
    _, rid = table(rows=[{"nom": "A"}], fields=[{"id": "nom", "type": "text"}])
    body = export(app, rid, "geojson", status=400).decode()
    assert "positions" in body and "latitude" in body


def test_pages_follow_each_other_without_gaps(app, catalogue, monkeypatch):
    rows = [{"n": i, "parite": "pair" if i % 2 == 0 else "impair"} for i in range(23)]
    _, rid = table(rows=rows, fields=[{"id": "n", "type": "int"}, {"id": "parite", "type": "text"}])
    monkeypatch.setattr(records, "PAGE_ROWS", 5)
    assert [r["n"] for r in json.loads(export(app, rid, "json"))] == list(range(23))
    sorted_desc = read_csv(export(app, rid, "csv", sort="n desc", fields="n"))[1:]
    assert [int(r[0]) for r in sorted_desc] == list(range(22, -1, -1))
    limited = read_csv(export(app, rid, "csv", limit=12, offset=3, fields="n"))[1:]
    assert [int(r[0]) for r in limited] == list(range(3, 15))
    filtered = pq.read_table(io.BytesIO(export(app, rid, "parquet", filters='{"parite":"pair"}')))
    assert filtered.column("n").to_pylist() == list(range(0, 23, 2))
