"""Consistency property: search shows each user exactly what the database allows.

Hypothesis generates sequences of dataset life-cycle operations (create,
update, delete, purge, private<->public, move to another organisation, group
membership, collaborators).  After each sequence, for anonymous, a member of
organisation A, an editor of organisation B, a dataset collaborator and a
sysadmin, ``package_search`` (results, count and facet counts) must equal the
set of active datasets CKAN's own authorisation lets that user read.

Each dataset also carries a value of its own in a custom facetable field
(``secret``, a plain extra; ``extras_secret``, its analysed form): its facet
must count exactly the readable datasets, and with ``facet.mincount=0`` list
no value of a dataset that the same user's widest search (private, drafts,
deleted) does not return.  Browsing (no filter but CKAN's own) answers its
facets from the counts the database keeps (counts.py); they must equal the
counts of the same request taken over the matched rows, for every facet.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import Counter

import ckan.logic as logic
import ckan.model as model
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.metropole.search import query, storage

EXAMPLES = int(os.environ.get("METROPOLE_CONSISTENCY_EXAMPLES", "100"))
_runs = itertools.count()

operation = st.one_of(
    st.tuples(st.just("create"), st.booleans(), st.sampled_from("ab")),
    st.tuples(st.sampled_from(["title", "delete", "purge", "private", "move", "group_add",
                               "group_remove", "collab_add", "collab_remove"]),
              st.integers(min_value=0, max_value=7)),
)


@pytest.mark.ckan_config("ckan.plugins", "metropole_search")
@pytest.mark.ckan_config("ckan.auth.allow_dataset_collaborators", "true")
@pytest.mark.ckan_config("ckanext.metropole.search.facetable_fields", "secret extras_secret")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_search_matches_what_each_user_may_read(monkeypatch):
    # Fields added to the settings are counted from the next start.
    storage.ensure_schema(force=True)
    counted_answers = []
    counted_sql = query._counted_sql
    monkeypatch.setattr(query, "_counted_sql",
                        lambda *args: counted_answers.append(1) or counted_sql(*args))
    sysadmin = factories.Sysadmin()
    member_a = factories.User()
    editor_b = factories.User()
    collaborator = factories.User()
    org_a = factories.Organization(users=[{"name": member_a["name"], "capacity": "member"}])
    org_b = factories.Organization(users=[{"name": editor_b["name"], "capacity": "editor"}])
    orgs = {"a": org_a, "b": org_b}
    group = factories.Group()
    admin = {"user": sysadmin["name"], "ignore_auth": True}
    users = {"anonymous": None, "member of A": member_a, "editor of B": editor_b,
             "collaborator": collaborator, "sysadmin": sysadmin}

    def act(action: str, **data):
        return call_action(action, context=dict(admin), **data)

    def apply(ops, tag) -> None:
        datasets: list[str] = []
        for op in ops:
            if op[0] == "create":
                _, private, org = op
                name = f"{tag}-{len(datasets)}"
                created = act("package_create", name=name, private=private,
                              owner_org=orgs[org]["id"], tags=[{"name": tag}],
                              extras=[{"key": "secret", "value": name}])
                datasets.append(created["id"])
                continue
            name, index = op
            if index >= len(datasets):
                continue
            pkg = model.Package.get(datasets[index])
            if pkg is None or (pkg.state != "active" and name != "purge"):
                continue
            if name == "title":
                act("package_patch", id=pkg.id, title=f"Titre {index} mis à jour")
            elif name == "delete":
                act("package_delete", id=pkg.id)
            elif name == "purge":
                act("dataset_purge", id=pkg.id)
            elif name == "private":
                act("package_patch", id=pkg.id, private=not pkg.private)
            elif name == "move":
                target = org_b if pkg.owner_org == org_a["id"] else org_a
                act("package_patch", id=pkg.id, owner_org=target["id"])
            elif name == "group_add":
                act("member_create", id=group["id"], object=pkg.id, object_type="package",
                    capacity="public")
            elif name == "group_remove":
                act("member_delete", id=group["id"], object=pkg.id, object_type="package")
            elif name == "collab_add":
                act("package_collaborator_create", id=pkg.id, user_id=collaborator["id"],
                    capacity="member")
            elif name == "collab_remove":
                with contextlib.suppress(logic.NotFound):
                    act("package_collaborator_delete", id=pkg.id, user_id=collaborator["id"])

    def readable(user, tag) -> set[str]:
        """The database's answer: active datasets of this run the user may read."""
        packages = (model.Session.query(model.Package)
                    .filter(model.Package.name.like(f"{tag}-%"))
                    .filter(model.Package.state == "active").all())
        allowed = set()
        for pkg in packages:
            context = {"user": user["name"] if user else "", "ignore_auth": False,
                       "model": model}
            try:
                logic.check_access("package_show", context, {"id": pkg.id})
            except logic.NotAuthorized:
                continue
            allowed.add(pkg.name)
        return allowed

    def in_group(names: set[str]) -> int:
        return sum(1 for n in names if group["name"] in
                   [g.name for g in model.Package.get(n).get_groups("group")])

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(operation, min_size=1, max_size=12))
    def check(ops) -> None:
        tag = f"run{next(_runs)}"
        apply(ops, tag)
        model.Session.remove()
        for label, user in users.items():
            expected = readable(user, tag)
            context = {"user": user["name"] if user else "", "ignore_auth": False}
            result = call_action("package_search", context=context, fq=f"tags:{tag}",
                                 include_private=True, rows=1000,
                                 **{"facet.field": '["groups", "owner_org", "secret"]'})
            found = {d["name"] for d in result["results"]}
            assert found == expected, (label, ops)
            assert result["count"] == len(expected), (label, ops)
            by_org = Counter(model.Package.get(n).owner_org for n in expected)
            assert result["facets"].get("owner_org", {}) == dict(by_org), (label, ops)
            assert result["facets"].get("groups", {}).get(group["name"], 0) == in_group(
                expected), (label, ops)
            assert result["facets"].get("secret", {}) == dict.fromkeys(expected, 1), (
                label, ops)
            widest = {d["name"] for d in call_action(
                "package_search", context=dict(context), fq=f"tags:{tag}", rows=1000,
                include_private=True, include_drafts=True, include_deleted=True)["results"]}
            every = call_action("package_search", context=dict(context), fq=f"tags:{tag}",
                                rows=0, **{"facet.field": '["secret"]', "facet.mincount": 0,
                                           "facet.limit": -1})["facets"].get("secret", {})
            listed = {value for value in every if value.startswith(f"{tag}-")}
            assert listed == widest, (label, ops)
            public = {n for n in expected if not model.Package.get(n).private}
            assert {v for v in listed if every[v]} == public, (label, ops)
            browse = {"include_private": True, "rows": 0, "facet.limit": -1,
                      "facet.field": '["owner_org", "groups", "secret", "extras_secret"]'}
            del counted_answers[:]
            counted = call_action("package_search", context=dict(context), **browse)
            assert counted_answers, "browsing did not read the counts table"
            scanned = call_action("package_search", context=dict(context),
                                  fq="metadata_modified:[* TO *]", **browse)
            assert counted["facets"] == scanned["facets"], (label, ops)
            assert counted["count"] == scanned["count"], (label, ops)
            assert {v: n for v, n in counted["facets"].get("secret", {}).items()
                    if v.startswith(f"{tag}-")} == dict.fromkeys(expected, 1), (label, ops)

    check()
