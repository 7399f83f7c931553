"""Data requests: asked by a logged-in user, routed to the stewards of the
communes and themes named, public statuses, closed as published when a
dataset is linked (signal sent each time the status changes); a search of
the catalogue that finds nothing is counted and offers a prefilled request."""

from __future__ import annotations

import uuid

import pytest
import requests
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories

from ckanext.metropole.community import signals

from ..helpers import AIX, MARSEILLE, api, as_user, steward_of
from ..security.conftest import _person, csrf_token
from .conftest import new_user

pytestmark = pytest.mark.usefixtures("catalogue")


def ask(user: dict | None, **overrides) -> dict:
    fields = {"title": f"Horaires des piscines {uuid.uuid4().hex[:6]}",
              "reason": "Pour préparer une application des sorties sportives en famille.",
              "communes": [MARSEILLE], "themes": []}
    fields.update(overrides)
    return api("metropole_data_request_create", as_user(user), **fields)


def test_routed_to_the_communes_and_themes_stewards_then_closed_by_a_linked_dataset(
        proposer, steward, public_dataset):
    theme_steward = new_user()
    api("group_member_create", id="velo-pietons", username=theme_steward["name"],
        role="editor")
    by_commune = ask(proposer)
    by_theme = ask(proposer, communes=[], themes=["velo-pietons"])
    assert by_commune["status"] == "new"

    def routed(user):
        found = api("metropole_data_request_search", as_user(user), for_me=True)["results"]
        return {item["id"] for item in found} & {by_commune["id"], by_theme["id"]}

    assert routed(steward) == {by_commune["id"]}
    assert routed(theme_steward) == {by_theme["id"]}
    assert routed(steward_of(AIX)) == set()
    with pytest.raises(toolkit.NotAuthorized):
        api("metropole_data_request_update", as_user(steward_of(AIX)), id=by_commune["id"],
            status="in_progress")

    received = []

    def receive(sender, **payload):
        received.append((sender, payload["old_status"], payload["new_status"]))

    signal = toolkit.signals.ckanext.signal(signals.DATA_REQUEST_STATUS_CHANGED)
    signal.connect(receive)
    try:
        api("metropole_data_request_update", as_user(steward), id=by_commune["id"],
            status="in_progress")
        done = api("metropole_data_request_update", as_user(steward), id=by_commune["id"],
                   dataset=public_dataset["name"])
    finally:
        signal.disconnect(receive)
    assert done["status"] == "published"
    assert received == [(by_commune["id"], "new", "in_progress"),
                        (by_commune["id"], "in_progress", "published")]
    shown = api("metropole_data_request_show", as_user(None), id=by_commune["id"])
    assert shown["dataset"]["name"] == public_dataset["name"]
    assert "creator_user_id" not in shown


def test_refusal_needs_a_reason_and_private_datasets_cannot_close_a_request(
        proposer, steward, private_dataset):
    item = ask(proposer)
    with pytest.raises(toolkit.ValidationError) as error:
        api("metropole_data_request_update", as_user(steward), id=item["id"], status="refused")
    assert "refusal_reason" in error.value.error_dict
    with pytest.raises(toolkit.ValidationError) as error:
        api("metropole_data_request_update", as_user(steward), id=item["id"],
            dataset=private_dataset["name"])
    assert "datasets" in error.value.error_dict
    api("metropole_data_request_update", as_user(steward), id=item["id"], status="refused",
        refusal_reason="Données personnelles : elles ne peuvent pas être ouvertes.")
    shown = api("metropole_data_request_show", as_user(None), id=item["id"])
    assert shown["status"] == "refused" and "personnelles" in shown["refusal_reason"]


@pytest.mark.ckan_config("ckanext.metropole.community.proposals_per_hour", "1")
def test_bad_input_and_spam_are_refused(proposer):
    for overrides, field in (({"title": "https://spam.example.com"}, "title"),
                             ({"reason": ""}, "reason"), ({"communes": ["99999"]}, "communes"),
                             ({"themes": ["casino"]}, "themes")):
        with pytest.raises(toolkit.ValidationError) as error:
            ask(proposer, **overrides)
        assert field in error.value.error_dict, overrides
    with pytest.raises(toolkit.NotAuthorized):
        ask(None)
    ask(proposer)
    with pytest.raises(toolkit.ValidationError) as error:
        ask(proposer)
    assert "proposals" in error.value.error_dict


def test_empty_search_offers_a_request_and_is_counted_for_sysadmins(shared_server):
    word = f"zorglub{uuid.uuid4().hex[:6]}"
    for _ in range(2):
        page = requests.get(f"{shared_server}/dataset/", params={"q": f"  {word.upper()} "},
                            timeout=60)
    assert page.ok and "Demander ces données" in page.text
    assert "/demandes/nouvelle?q=" in page.text
    # The API's searches are not the visitors' searches: not counted.
    requests.get(f"{shared_server}/api/3/action/package_search", params={"q": word}, timeout=60)
    admin = factories.Sysadmin()
    counted = {item["query"]: item["count"] for item in api(
        "metropole_empty_searches", as_user(admin), limit=500)}
    assert counted[word] == 2
    with pytest.raises(toolkit.NotAuthorized):
        api("metropole_empty_searches", as_user(new_user()))
    assert model.User.get(admin["name"]).sysadmin


def test_the_request_form_is_prefilled_and_needs_its_token(shared_server):
    user = _person("asker", shared_server)
    form = user.get("/demandes/nouvelle?q=<b>piscines</b>").text
    assert 'value="&lt;b&gt;piscines&lt;/b&gt;"' in form
    token = csrf_token(user.cookies, f"{shared_server}/demandes/nouvelle")
    data = {"title": "Horaires des piscines", "reason": "Pour une application familiale.",
            "communes": MARSEILLE}
    assert user.cookies.post(f"{shared_server}/demandes/nouvelle", data=data,
                             timeout=60).status_code == 400
    answer = user.cookies.post(f"{shared_server}/demandes/nouvelle",
                               data=dict(data, _csrf_token=token), timeout=60)
    assert answer.ok and "/demandes/" in answer.url
    assert "Nouvelle" in answer.text
    listing = requests.get(f"{shared_server}/demandes", timeout=60)
    assert listing.ok and "Horaires des piscines" in listing.text
