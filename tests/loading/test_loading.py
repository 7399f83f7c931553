"""Automatic loading (issue 14, parts 1 and 2): a French file uploaded to a
resource becomes a typed DataStore table through the jobs queue."""

from __future__ import annotations

from ..helpers import api
from .conftest import FIXTURES, status_of, table, types_of

FRENCH_TYPES = {
    "Code INSEE": "text", "Commune": "text", "Code postal": "text", "SIRET mairie": "text",
    "Téléphone": "text", "Population": "int8", "Surface (km²)": "numeric",
    "Budget (€)": "numeric", "Date de mise à jour": "date", "Horodatage": "timestamp",
    "Ouverte": "bool",
}


FILES = ("communes-utf8.csv", "communes-bom.csv", "communes-cp1252.csv", "communes.tsv",
         "communes.xlsx", "communes.ods")


def test_each_french_file_loads_with_french_types(upload, jobs):
    resources = {name: upload((FIXTURES / name).read_bytes(), name) for name in FILES}
    jobs()
    for name, resource in resources.items():
        assert_communes_loaded(name, resource)


def assert_communes_loaded(name: str, resource: dict) -> None:
    state = status_of(resource["id"])
    assert state["state"] == "complete", (name, state)
    assert state["rows_done"] == state["rows_total"] == 4, name
    assert types_of(resource["id"]) == FRENCH_TYPES, name
    first, nice, _marseille, ajaccio = table(resource["id"])["records"]
    assert (first["Code INSEE"], first["Code postal"]) == ("01004", "01500")
    assert ajaccio["Code INSEE"] == "2A004"
    assert first["SIRET mairie"] == "21010004200017"
    assert first["Téléphone"] == "04 74 38 11 11"
    assert first["Commune"] == "Ambérieu-en-Bugey"
    assert first["Population"] == 14514 and nice["Population"] == 342669
    assert float(first["Surface (km²)"]) == 24.6
    assert float(first["Budget (€)"]) == 12345678.90
    assert first["Date de mise à jour"].startswith("2026-12-31")
    assert nice["Horodatage"].startswith("2025-02-01T17:05:09")
    assert (first["Ouverte"], nice["Ouverte"]) == (True, False)
    assert api("resource_show", id=resource["id"])["datastore_active"] is True
    assert_full_text_is_the_datastores(resource["id"])


def assert_full_text_is_the_datastores(resource_id: str) -> None:
    """``_full_text``, computed set-based by the loader, is what the
    DataStore's own trigger writes; q searches find rows by any value."""
    from ckanext.datastore.backend.postgres import get_write_engine, identifier

    with get_write_engine().connect() as connection:
        differing, rows = connection.exec_driver_sql(
            "SELECT count(*) FILTER (WHERE _full_text IS DISTINCT FROM (SELECT to_tsvector("
            "string_agg(value, ' ')) FROM json_each_text(row_to_json(t.*)) "
            f"WHERE key NOT LIKE '\\_%%')), count(*) FROM {identifier(resource_id)} AS t"
        ).one()
    assert (differing, rows) == (0, 4)
    found = api("datastore_search", resource_id=resource_id, q="Ambérieu")["records"]
    assert [r["Code INSEE"] for r in found] == ["01004"]
    assert api("datastore_search", resource_id=resource_id, q="342669")["total"] == 1


def test_dictionary_is_filled_kept_and_its_types_used_next_time(upload, jobs):
    csv = (FIXTURES / "communes-utf8.csv").read_bytes()
    resource = upload(csv, "communes.csv")
    jobs()
    fields = {f["id"]: f for f in table(resource["id"])["fields"]}
    assert fields["Population"]["info"]["label"] == "Population"
    assert fields["Population"]["info"]["notes"] == "Type détecté au chargement : entier."

    # The steward edits the dictionary as CKAN's form does (datastore_create
    # with the fields' info): a label, a description, Population as text.
    edited = [{"id": f["id"], "type": f["type"], "info": dict(f.get("info") or {})}
              for f in table(resource["id"])["fields"] if f["id"] != "_id"]
    for field in edited:
        if field["id"] == "Population":
            field["info"].update(label="Habitants", notes="Population municipale 2023.",
                                 type_override="text")
    api("datastore_create", resource_id=resource["id"], force=True, fields=edited)

    # A changed file is loaded again, with the steward's type and words.
    upload(csv + b"75056;Paris;75001;21750001600019;01 42 76 40 40;2 113 705;105,4;1;"
                 b"01/01/2026;01/01/2026 00:00;oui\r\n", "communes.csv",
           resource_id=resource["id"])
    jobs()
    assert status_of(resource["id"])["rows_done"] == 5
    fields = {f["id"]: f for f in table(resource["id"])["fields"]}
    assert fields["Population"]["type"] == "text"
    assert fields["Population"]["info"]["label"] == "Habitants"
    assert fields["Population"]["info"]["notes"] == "Population municipale 2023."
    assert fields["Surface (km²)"]["type"] == "numeric"
    assert table(resource["id"])["records"][4]["Population"] == "2 113 705"


def test_same_content_is_not_loaded_again_a_change_is(upload, jobs):
    csv = (FIXTURES / "communes-utf8.csv").read_bytes()
    resource = upload(csv, "communes.csv")
    jobs()
    loaded = status_of(resource["id"])
    upload(csv, "communes.csv", resource_id=resource["id"])
    jobs()
    again = status_of(resource["id"])
    assert again["state"] == "complete"
    assert [m["code"] for m in again["messages"]] == ["unchanged"]
    assert again["rows_done"] == loaded["rows_done"] == 4

    # The DataStore's own patch of the resource (datastore_active) and an
    # edit of its description enqueue no load (the edit's notice to followers
    # is the notifications' job).
    api("resource_patch", id=resource["id"], description="Communes de test")
    from ckan.plugins import toolkit
    assert [job["title"] for job in toolkit.get_action("job_list")({"ignore_auth": True}, {})
            if not job["title"].startswith("Notifications")] == []


def test_a_failed_load_keeps_the_previous_table(upload, jobs):
    resource = upload((FIXTURES / "communes-utf8.csv").read_bytes(), "communes.csv")
    jobs()
    before = table(resource["id"])["records"]
    # The steward fixes Population as an integer in the dictionary; the new
    # file says "beaucoup" on one line: the load stops, and the previous
    # table is what visitors keep seeing.
    fields = [{"id": f["id"], "type": f["type"], "info": dict(f.get("info") or {})}
              for f in table(resource["id"])["fields"] if f["id"] != "_id"]
    for field in fields:
        if field["id"] == "Population":
            field["info"]["type_override"] = "int8"
    api("datastore_create", resource_id=resource["id"], force=True, fields=fields)
    broken = (FIXTURES / "communes-utf8.csv").read_text(encoding="utf-8").replace(
        "342\u00a0669", "beaucoup")
    upload(broken.encode(), "communes.csv", resource_id=resource["id"])
    jobs()
    state = status_of(resource["id"])
    assert state["state"] == "error"
    assert state["messages"] == [{"code": "bad_value", "params": {
        "line": 3, "column": "Population", "value": "beaucoup", "type": "int8", "count": 1}}]
    assert table(resource["id"])["records"] == before


def test_declared_schema_types_win_over_guesses_and_the_dictionary(tmp_path):
    from ckanext.datastore.backend.postgres import get_write_engine

    from ckanext.metropole.loading import job, prepare, reading, store

    limits = reading.Limits(100, 1 << 20)
    source = reading.open_table(FIXTURES / "communes-utf8.csv", "csv", limits)
    staged = prepare.stage(source, tmp_path / "out.csv", limits, lambda *_: None)
    schema = {"Population": "text", "Ouverte": "text", "Surface (km²)": "numeric"}
    fixed = job.fixed_types({"Population": "numeric", "Commune": "no such type"}, schema)
    assert fixed == {"Population": "text", "Ouverte": "text", "Surface (km²)": "numeric"}
    with get_write_engine().connect() as connection, connection.begin() as transaction:
        store.stage(connection, staged)
        kinds = dict(zip(staged.names, store.guess_types(connection, staged.names, fixed),
                         strict=True))
        transaction.rollback()
    assert (kinds["Population"], kinds["Ouverte"], kinds["Surface (km²)"]) == (
        "text", "text", "numeric")
    assert kinds["Date de mise à jour"] == "date"


def test_schema_field_types_map_to_datastore_types(monkeypatch):
    from ckanext.metropole.loading import job

    descriptor = {"fields": [{"name": "id_pdc", "type": "string"},
                             {"name": "puissance", "type": "number"},
                             {"name": "nbre_pdc", "type": "integer"},
                             {"name": "gratuit", "type": "boolean"},
                             {"name": "date_maj", "type": "date"},
                             {"name": "coordonnees", "type": "geopoint"}]}
    monkeypatch.setattr(job, "declared_table_schema", lambda resource: descriptor)
    assert job.schema_types({}) == {"id_pdc": "text", "puissance": "numeric",
                                    "nbre_pdc": "int8", "gratuit": "bool",
                                    "date_maj": "date", "coordonnees": "text"}


def test_the_demo_loads_each_kind_of_file_and_shows_a_failure(catalogue, jobs):
    from ckanext.metropole.loading.demo import DATASET, load_demo_files

    site = api("get_site_user", context={"ignore_auth": True})
    context = {"user": site["name"], "ignore_auth": True}
    if api("package_search", q=f"name:{DATASET}")["count"]:
        api("dataset_purge", id=DATASET)
    assert load_demo_files(context) == [DATASET]
    assert load_demo_files(context) == []   # idempotent
    jobs()
    states = {r["url"].rsplit("/", 1)[-1]: status_of(r["id"])
              for r in api("package_show", id=DATASET)["resources"]}
    assert {name: s["state"] for name, s in states.items()} == {
        "communes-utf8.csv": "complete", "communes-cp1252.csv": "complete",
        "communes-bom.csv": "complete", "communes.tsv": "complete",
        "communes.xlsx": "complete", "communes.ods": "complete",
        "communes-decale.csv": "error"}
    assert states["communes-decale.csv"]["messages"][0]["code"] == "ragged_rows"
