"""Innovation calls: published by the editors of the metropole, a commune or
a partner; status derived from the dates; closing before opening refused
with a field-level message; drafts and private datasets never public (list,
page, Atom feed); the call's datasets show the call."""

from __future__ import annotations

import datetime
import uuid
from xml.etree import ElementTree

import pytest
import requests
from ckan.plugins import toolkit

from ckanext.metropole.community import calls, signals

from ..helpers import AIX, MARSEILLE, api, as_user, org_name, steward_of
from ..security.conftest import _person, csrf_token
from .conftest import new_user

pytestmark = pytest.mark.usefixtures("catalogue")
TODAY = calls.today()
DAY = datetime.timedelta(days=1)
ATOM = "{http://www.w3.org/2005/Atom}"


def call_fields(dataset: dict | None = None, **overrides) -> dict:
    fields = {"kind": "challenge", "title": f"Défi mobilité {uuid.uuid4().hex[:6]}",
              "issuer": org_name(MARSEILLE), "opening_date": str(TODAY - DAY),
              "closing_date": str(TODAY + 30 * DAY),
              "description": "Imaginez un service qui facilite le stationnement des vélos.",
              "how_to_respond": "Déposez votre dossier en ligne avant la date de clôture.",
              "contact": "innovation@marseille.example.org",
              "attachments": "Règlement | https://marseille.example.org/reglement.pdf",
              "datasets": dataset["name"] if dataset else "", "published": True}
    fields.update(overrides)
    return fields


def test_status_comes_from_the_dates_and_open_calls_come_first(steward, public_dataset):
    made = {}
    for name, opening, closing in (("closed", -20, -10), ("upcoming", 5, 40),
                                   ("open-late", -5, 60), ("open-soon", -5, 3)):
        made[name] = api("metropole_call_create", as_user(steward), **call_fields(
            public_dataset, opening_date=str(TODAY + opening * DAY),
            closing_date=str(TODAY + closing * DAY)))
    assert {name: call["status"] for name, call in made.items()} == {
        "closed": "closed", "upcoming": "upcoming", "open-late": "open", "open-soon": "open"}
    found = api("metropole_call_search", as_user(None), dataset_id=public_dataset["id"])
    assert [call["id"] for call in found["results"]] == [
        made[name]["id"] for name in ("open-soon", "open-late", "upcoming", "closed")]
    only_open = api("metropole_call_search", as_user(None), dataset_id=public_dataset["id"],
                    status="open")
    assert only_open["count"] == 2
    # The dataset's page shows the calls that offer it.
    shown = api("metropole_call_show", as_user(None), id=made["open-soon"]["id"])
    assert shown["datasets"][0]["name"] == public_dataset["name"]
    assert shown["attachments"] == [{"name": "Règlement",
                                     "url": "https://marseille.example.org/reglement.pdf"}]


def test_closing_before_opening_and_other_bad_input_are_refused(steward, private_dataset):
    cases = [
        ({"opening_date": str(TODAY), "closing_date": str(TODAY - DAY)}, "closing_date"),
        ({"opening_date": "demain"}, "opening_date"),
        ({"kind": "loterie"}, "kind"),
        ({"issuer": "pas-une-organisation"}, "issuer"),
        ({"attachments": "Règlement | javascript:alert(1)"}, "attachments"),
        ({"datasets": private_dataset["name"]}, "datasets"),
        ({"contact": ""}, "contact"),
    ]
    for overrides, field in cases:
        with pytest.raises(toolkit.ValidationError) as error:
            api("metropole_call_create", as_user(steward), **call_fields(None, **overrides))
        assert field in error.value.error_dict, overrides
    # Someone else's organisation: refused too.
    with pytest.raises(toolkit.ValidationError) as error:
        api("metropole_call_create", as_user(steward), **call_fields(None, issuer=org_name(AIX)))
    assert "issuer" in error.value.error_dict
    for nobody in (new_user(), None):
        with pytest.raises(toolkit.NotAuthorized):
            api("metropole_call_create", as_user(nobody), **call_fields())


def test_drafts_stay_private_until_published_which_sends_the_signal(steward):
    received = []

    def receive(sender, **payload):
        received.append((sender, payload))

    signal = toolkit.signals.ckanext.signal(signals.CALL_PUBLISHED)
    signal.connect(receive)
    try:
        draft = api("metropole_call_create", as_user(steward),
                    **call_fields(None, published=False))
        assert received == []
        with pytest.raises(toolkit.NotAuthorized):
            api("metropole_call_show", as_user(None), id=draft["id"])
        with pytest.raises(toolkit.NotAuthorized):
            api("metropole_call_show", as_user(steward_of(AIX)), id=draft["id"])
        assert draft["id"] not in [c["id"] for c in api(
            "metropole_call_search", as_user(None), rows=100)["results"]]
        api("metropole_call_publish", as_user(steward), id=draft["id"], published=True)
    finally:
        signal.disconnect(receive)
    assert [sender for sender, _ in received] == [draft["id"]]
    assert received[0][1]["publisher"] == steward["name"]
    assert api("metropole_call_show", as_user(None), id=draft["id"])["published"] is True


def test_the_feed_and_pages_escape_text_and_hide_drafts(shared_server, steward,
                                                        public_dataset):
    title = f"<script>alert('x')</script> & Défi {uuid.uuid4().hex[:6]}"
    published = api("metropole_call_create", as_user(steward),
                    **call_fields(public_dataset, title=title))
    draft = api("metropole_call_create", as_user(steward),
                **call_fields(None, title=f"Brouillon {uuid.uuid4().hex[:6]}", published=False))

    answer = requests.get(f"{shared_server}/appels/flux.atom", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(answer.content)  # well-formed: everything escaped
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert title in titles and draft["title"] not in titles
    assert "<script>" not in answer.text

    listing = requests.get(f"{shared_server}/appels", timeout=60).text
    assert "&lt;script&gt;" in listing and "<script>alert" not in listing
    assert draft["title"] not in listing
    assert requests.get(f"{shared_server}/appels/{draft['id']}", timeout=60).status_code == 404
    dataset_page = requests.get(f"{shared_server}/dataset/{public_dataset['name']}",
                                timeout=60).text
    assert f"/appels/{published['id']}" in dataset_page
    assert requests.get(f"{shared_server}/en/appels", timeout=60).ok


def test_the_form_refuses_a_closing_date_before_the_opening_in_french(shared_server):
    editor = _person("editor", shared_server, commune=MARSEILLE, capacity="editor")
    url = f"{shared_server}/appels/nouveau"
    token = csrf_token(editor.cookies, url)
    fields = call_fields(None, opening_date=str(TODAY), closing_date=str(TODAY - DAY),
                         issuer=api("organization_show", id=org_name(MARSEILLE))["id"],
                         published="true", _csrf_token=token)
    answer = editor.cookies.post(url, data=fields, timeout=60)
    assert answer.status_code == 200
    assert "La date de clôture ne peut pas précéder la date d&#39;ouverture." in answer.text
    # Without the token: refused, nothing saved.
    del fields["_csrf_token"]
    assert editor.cookies.post(url, data=fields, timeout=60).status_code == 400
    # A user who publishes for no organisation gets no form.
    visitor = _person("visitor", shared_server)
    assert visitor.get("/appels/nouveau").status_code == 403
