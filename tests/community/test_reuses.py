"""Reuses through their actions: a user proposes, a steward of a used
dataset (or a sysadmin) publishes or refuses with a reason; only published
reuses are public; bad input (links only, private datasets, too many
proposals) is refused with a field-level message."""

from __future__ import annotations

import uuid

import pytest
from ckan import model
from ckan.plugins import toolkit

from ckanext.metropole.community import signals

from ..helpers import AIX, MARSEILLE, api, as_user, dataset_fields, org_name, steward_of
from .conftest import new_user

pytestmark = pytest.mark.usefixtures("catalogue")


def reuse_fields(dataset: dict, **overrides) -> dict:
    fields = {"kind": "application", "title": f"Vélo Malin {uuid.uuid4().hex[:6]}",
              "description": "Une application qui guide les cyclistes vers les arceaux libres.",
              "url": "https://velo-malin.example.org/", "author": "Association Vélo Malin",
              "themes": ["velo-pietons"], "datasets": dataset["name"]}
    fields.update(overrides)
    return fields


def propose(user: dict, dataset: dict, **overrides) -> dict:
    return api("metropole_reuse_create", as_user(user), **reuse_fields(dataset, **overrides))


def test_a_proposal_waits_for_moderation_then_is_public_once_published(
        proposer, steward, public_dataset):
    reuse = propose(proposer, public_dataset)
    assert reuse["status"] == "pending"
    assert reuse["datasets"][0]["name"] == public_dataset["name"]
    # Not public while pending: neither shown nor found.
    with pytest.raises(toolkit.NotAuthorized):
        api("metropole_reuse_show", as_user(None), id=reuse["id"])
    found = api("metropole_reuse_search", as_user(None), dataset_id=public_dataset["id"])
    assert found["count"] == 0
    # Its author sees it; the steward finds it in the moderation queue.
    assert api("metropole_reuse_show", as_user(proposer), id=reuse["id"])["status"] == "pending"
    queue = api("metropole_reuse_pending", as_user(steward))
    assert reuse["id"] in [item["id"] for item in queue]

    api("metropole_reuse_moderate", as_user(steward), id=reuse["id"], decision="publish")

    shown = api("metropole_reuse_show", as_user(None), id=reuse["id"])
    assert shown["status"] == "published"
    assert "creator_user_id" not in shown
    found = api("metropole_reuse_search", as_user(None), dataset_id=public_dataset["id"])
    assert [item["id"] for item in found["results"]] == [reuse["id"]]


def test_search_words_and_facets_count_published_reuses(proposer, public_dataset):
    admin = new_user(sysadmin=True)
    word = uuid.uuid4().hex[:8]
    for kind, theme in (("application", "velo-pietons"), ("visualization", "velo-pietons"),
                        ("visualization", "environnement")):
        reuse = api("metropole_reuse_create", as_user(admin), **reuse_fields(
            public_dataset, kind=kind, themes=[theme], description=f"Carte {word} des arceaux"))
        api("metropole_reuse_moderate", as_user(admin), id=reuse["id"], decision="publish")
    pending = propose(proposer, public_dataset, description=f"Carte {word} en attente")

    found = api("metropole_reuse_search", as_user(None), q=word)
    assert found["count"] == 3 and pending["id"] not in [r["id"] for r in found["results"]]
    assert found["facets"]["kind"] == {"application": 1, "visualization": 2}
    assert found["facets"]["theme"] == {"velo-pietons": 2, "environnement": 1}
    by_kind = api("metropole_reuse_search", as_user(None), q=word, kind="visualization")
    assert by_kind["count"] == 2
    assert by_kind["facets"]["theme"] == {"velo-pietons": 1, "environnement": 1}
    both = api("metropole_reuse_search", as_user(None), q=word, kind="visualization",
               theme="environnement")
    assert both["count"] == 1
    # LIKE's wildcards are words like the others.
    assert api("metropole_reuse_search", as_user(None), q="%")["count"] == 0


def test_only_stewards_of_a_used_dataset_or_sysadmins_moderate(proposer, public_dataset):
    reuse = propose(proposer, public_dataset)
    for outsider in (proposer, steward_of(AIX), new_user()):
        with pytest.raises(toolkit.NotAuthorized):
            api("metropole_reuse_moderate", as_user(outsider), id=reuse["id"],
                decision="publish")
    admin = new_user(sysadmin=True)
    api("metropole_reuse_moderate", as_user(admin), id=reuse["id"], decision="publish")


def test_a_refusal_needs_a_reason_which_is_then_public(proposer, steward, public_dataset):
    reuse = propose(proposer, public_dataset)
    with pytest.raises(toolkit.ValidationError) as error:
        api("metropole_reuse_moderate", as_user(steward), id=reuse["id"], decision="refuse")
    assert "reason" in error.value.error_dict
    api("metropole_reuse_moderate", as_user(steward), id=reuse["id"], decision="refuse",
        reason="Le lien ne mène pas à une réutilisation.")
    shown = api("metropole_reuse_show", as_user(proposer), id=reuse["id"])
    assert shown["status"] == "refused"
    assert shown["refusal_reason"] == "Le lien ne mène pas à une réutilisation."
    with pytest.raises(toolkit.NotAuthorized):
        api("metropole_reuse_show", as_user(None), id=reuse["id"])


def test_a_private_dataset_is_refused_like_a_missing_one(proposer, private_dataset):
    with pytest.raises(toolkit.ValidationError) as private:
        propose(proposer, private_dataset)
    with pytest.raises(toolkit.ValidationError) as missing:
        propose(proposer, {"name": "n-existe-pas"})
    assert list(private.value.error_dict) == ["datasets"]
    # The same message for both: the form does not reveal that it exists.
    assert (private.value.error_dict["datasets"][0].replace(private_dataset["name"], "X")
            == missing.value.error_dict["datasets"][0].replace("n-existe-pas", "X"))


def test_a_dataset_made_private_later_is_hidden_from_those_who_cannot_read_it(
        proposer, steward, catalogue):
    dataset = api("package_create", **dataset_fields())
    reuse = propose(proposer, dataset)
    api("metropole_reuse_moderate", as_user(steward), id=reuse["id"], decision="publish")
    api("package_patch", id=dataset["id"], private=True, private_reason="Erreur à corriger.")

    assert api("metropole_reuse_show", as_user(None), id=reuse["id"])["datasets"] == []
    assert api("metropole_reuse_show", as_user(proposer), id=reuse["id"])["datasets"] == []
    shown = api("metropole_reuse_show", as_user(steward), id=reuse["id"])["datasets"]
    assert [d["name"] for d in shown] == [dataset["name"]]


BAD_INPUT = [
    ({"description": "https://spam.example.com https://spam.example.com/2"}, "description"),
    ({"description": "www.casino.example"}, "description"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"image_url": "file:///etc/passwd"}, "image_url"),
    ({"kind": "casino"}, "kind"),
    ({"themes": ["pas-un-theme"]}, "themes"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
]


def test_bad_input_gets_a_field_level_message(proposer, public_dataset):
    # One test for all cases: each test's setup (plugins, users) costs seconds.
    for overrides, field in BAD_INPUT:
        with pytest.raises(toolkit.ValidationError) as error:
            propose(proposer, public_dataset, **overrides)
        assert field in error.value.error_dict, overrides
    # Words besides a link are a description.
    propose(proposer, public_dataset,
            description="Notre carte des arceaux : https://velo-malin.example.org/carte")


def test_anonymous_visitors_cannot_propose(public_dataset):
    with pytest.raises(toolkit.NotAuthorized):
        propose(None, public_dataset)


@pytest.mark.ckan_config("ckanext.metropole.community.proposals_per_hour", "2")
def test_proposals_are_limited_per_user_and_hour(proposer, public_dataset):
    propose(proposer, public_dataset)
    propose(proposer, public_dataset)
    with pytest.raises(toolkit.ValidationError) as error:
        propose(proposer, public_dataset)
    assert "proposals" in error.value.error_dict
    # Another user is not affected.
    propose(new_user(), public_dataset)


def test_publication_and_refusal_send_their_signals(proposer, steward, public_dataset):
    received: list[tuple[str, str, dict]] = []

    def receiver_for(name):
        def receive(sender, **payload):
            received.append((name, sender, payload))
        return receive

    receivers = {name: receiver_for(name) for name in signals.ALL}
    for name, receive in receivers.items():
        toolkit.signals.ckanext.signal(name).connect(receive)
    try:
        published = propose(proposer, public_dataset)
        api("metropole_reuse_moderate", as_user(steward), id=published["id"],
            decision="publish")
        refused = propose(proposer, public_dataset)
        api("metropole_reuse_moderate", as_user(steward), id=refused["id"],
            decision="refuse", reason="Doublon.")
    finally:
        for name, receive in receivers.items():
            toolkit.signals.ckanext.signal(name).disconnect(receive)
    assert [(name, sender) for name, sender, _ in received] == [
        (signals.REUSE_PUBLISHED, published["id"]), (signals.REUSE_REFUSED, refused["id"])]
    payload = received[0][2]
    assert payload["moderator"] == steward["name"]
    assert payload["reuse"]["dataset_ids"] == [public_dataset["id"]]
    assert received[1][2]["reason"] == "Doublon."
    assert model.User.get(steward["name"]) is not None


def test_the_demo_reuses_calls_and_requests_are_made_once_and_shown(catalogue):
    from ckanext.metropole.community import demo

    site_user = api("get_site_user")
    for spec in demo.DEMO_REUSES + demo.DEMO_CALLS:
        for name in spec["datasets"]:
            if model.Package.get(name) is None:
                api("package_create", **dataset_fields(name=name))
    issuer = api("organization_show", id=org_name(MARSEILLE))["id"]
    demo.load_demo_community(site_user["id"], issuer)
    assert demo.load_demo_reuses(site_user["id"]) == 0
    assert demo.load_demo_calls(site_user["id"], issuer) == 0
    assert demo.load_demo_requests(site_user["id"]) == 0
    asked = {item["title"]: item["status"] for item in api(
        "metropole_data_request_search", as_user(None), rows=100)["results"]}
    assert [asked[spec["title"]] for spec in demo.DEMO_REQUESTS] == [
        "new", "in_progress", "published"]
    published = {s["title"] for s in demo.DEMO_REUSES if s["status"] == "published"}
    found = api("metropole_reuse_search", as_user(None), rows=100)["results"]
    assert published <= {reuse["title"] for reuse in found}
    found = api("metropole_call_search", as_user(None), rows=100)["results"]
    statuses = {call["title"]: call["status"] for call in found}
    assert [statuses[spec["title"]] for spec in demo.DEMO_CALLS] == ["open", "upcoming", "closed"]
