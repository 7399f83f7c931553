"""The load's status on the resource page (issue 14, part 1): the steward
sees the state, the rows and the messages in French; visitors see none of
it; the JSON endpoint the page polls answers only editors; "load again"
needs a POST with CSRF protection (cookie sessions) and queues a forced load."""

from __future__ import annotations

import html as html_text

from ckan.tests import factories

from ckanext.metropole.loading import status

from ..helpers import MARSEILLE, api, org_name
from .conftest import FIXTURES


def steward_with_token() -> tuple[dict, str]:
    user = factories.UserWithToken()
    api("organization_member_create", id=org_name(MARSEILLE), username=user["name"],
        role="editor")
    return user, user["token"]


def test_the_steward_sees_the_load_in_french_and_visitors_do_not(app, upload, dataset):
    resource = upload((FIXTURES / "communes-utf8.csv").read_bytes(), "communes.csv")
    status.write(resource["id"], {
        "state": "error", "step": "converting", "rows_done": 1200, "rows_total": 34500,
        "messages": [{"code": "bad_value", "params": {
            "line": 7, "column": "Population", "value": "<script>alert(1)</script>",
            "type": "int8", "count": 2}}]})
    _user, token = steward_with_token()
    page = f"/dataset/{dataset['name']}/resource/{resource['id']}"

    html = app.get(page, headers={"Authorization": token}).get_data(as_text=True)
    assert "Chargement dans le DataStore" in html
    assert "<script>alert(1)" not in html
    html = html_text.unescape(html)
    assert "Échec du chargement : la table précédente, s'il y en a une, est conservée" in html
    assert "Lignes : 1\u202f200 / 34\u202f500" in html
    assert ("Ligne 7, colonne « Population » : « <script>alert(1)</script> » "
            "n'est pas un(e) entier valide (2 valeur(s) dans ce cas).") in html
    assert "Recharger maintenant" in html

    english = app.get("/en" + page, headers={"Authorization": token}).get_data(as_text=True)
    assert "Load failed: the previous table, if any, is kept" in english

    anonymous = app.get(page).get_data(as_text=True)
    assert "Chargement dans le DataStore" not in anonymous

    endpoint = page + "/chargement"
    answer = app.get(endpoint, headers={"Authorization": token})
    assert answer.json["state"] == "error" and answer.json["finished"] is True
    assert answer.json["rows_text"] == "Lignes : 1\u202f200 / 34\u202f500"
    assert answer.json["messages"][0]["code"] == "bad_value"
    assert app.get(endpoint, status=404)
    outsider = factories.UserWithToken()
    assert app.get(endpoint, headers={"Authorization": outsider["token"]}, status=404)


def test_load_again_queues_a_forced_load(app, upload, dataset, jobs):
    resource = upload((FIXTURES / "communes-utf8.csv").read_bytes(), "communes.csv")
    jobs()
    _user, token = steward_with_token()
    url = f"/dataset/{dataset['name']}/resource/{resource['id']}/chargement/relancer"
    app.post(url, headers={"Authorization": token}, follow_redirects=False, status=302)
    assert status.read(resource["id"])["state"] == "pending"
    jobs()
    again = status.read(resource["id"])
    # Forced: loaded again although the content is the same.
    assert again["state"] == "complete" and again["rows_done"] == 4
    assert "unchanged" not in [m["code"] for m in again["messages"]]
    # A visitor cannot (refused by the CSRF check or, past it, not found).
    assert app.post(url, follow_redirects=False).status_code in (400, 403, 404)
    assert api("job_list") == []
