"""The rights matrix of partners and editors: for each person (a partner
organisation's editor, a commune's editor, a member of that commune,
another commune's editor, an anonymous visitor, a sysadmin) and each daily
action on a dataset of the commune and on one of the partner (create,
update, delete, make private or public, add a resource, upload a file,
drop the convention reference the charter demands of a partner), the
expected answer, through the API over real HTTP.

Partners publish under convention (charter/rules.py): a partner
organisation's dataset needs a convention reference, so removing it is
refused to everyone allowed to edit the dataset, with the reason on the
field. A refused or invalid attempt changes nothing; an allowed one
changes what it says."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests

from ..helpers import MARSEILLE, api, dataset_fields, org_name
from .conftest import Actor, _person

CONVENTION = "CONV-EAU-2026"
ROLES = ("partner_editor", "editor_marseille", "member_marseille", "editor_aix",
         "anonymous", "sysadmin")

# ok: 200 and the change is made; denied: 403; invalid: 409 with a message
# on convention_ref. Each row: action, whose dataset, then one answer
# per role in the order of ROLES.
MATRIX = """
create          marseille  denied  ok      denied  denied  denied  ok
create          partner    ok      denied  denied  denied  denied  ok
update          marseille  denied  ok      denied  denied  denied  ok
update          partner    ok      denied  denied  denied  denied  ok
delete          marseille  denied  ok      denied  denied  denied  ok
delete          partner    ok      denied  denied  denied  denied  ok
make_private    marseille  denied  ok      denied  denied  denied  ok
make_private    partner    ok      denied  denied  denied  denied  ok
make_public     marseille  denied  ok      denied  denied  denied  ok
make_public     partner    ok      denied  denied  denied  denied  ok
add_resource    marseille  denied  ok      denied  denied  denied  ok
add_resource    partner    ok      denied  denied  denied  denied  ok
upload          marseille  denied  ok      denied  denied  denied  ok
upload          partner    ok      denied  denied  denied  denied  ok
drop_convention partner    invalid denied  denied  denied  denied  invalid
"""


def _cells() -> list[tuple[str, str, str, str]]:
    cells = []
    for line in MATRIX.strip().splitlines():
        action, owner, *answers = line.split()
        assert len(answers) == len(ROLES), line
        cells += [(action, owner, role, answer) for role, answer in zip(ROLES, answers,
                                                                          strict=True)]
    return cells


def _fields(owner: str, partner: str, **overrides) -> dict:
    if owner == "partner":
        return dataset_fields(owner_org=partner, convention_ref=CONVENTION, **overrides)
    return dataset_fields(owner_org=org_name(MARSEILLE), **overrides)


def _state(dataset_id: str) -> tuple:
    shown = api("package_show", id=dataset_id)
    return (shown["title"], shown["state"], shown["private"], shown.get("convention_ref"),
            sorted((r["name"], r["url"]) for r in shown["resources"]))


def _upload(actor: Actor, dataset_id: str) -> requests.Response:
    headers = {"Authorization": actor.token} if actor.token else {}
    return requests.post(f"{actor.portal}/api/3/action/resource_create", headers=headers,
                         data={"package_id": dataset_id, "name": "envoi"},
                         files={"upload": ("mesures.csv", b"jour,valeur\n2026-12-01,4\n")},
                         timeout=60)


# (the person, the target dataset, a new dataset's fields for the same owner)
Call = Callable[[Actor, dict, dict], requests.Response]
ACTIONS: dict[str, Call] = {
    "create": lambda a, d, new: a.action("package_create", **new),
    "update": lambda a, d, _: a.action("package_patch", id=d["id"], title="Titre revu"),
    "delete": lambda a, d, _: a.action("package_delete", id=d["id"]),
    "make_private": lambda a, d, _: a.action("package_patch", id=d["id"], private=True,
                                             private_reason="En cours de validation"),
    "make_public": lambda a, d, _: a.action("package_patch", id=d["id"], private=False),
    "add_resource": lambda a, d, _: a.action("resource_create", package_id=d["id"],
                                             name="lien", url="https://example.org/m.csv"),
    "upload": lambda a, d, _: _upload(a, d["id"]),
    "drop_convention": lambda a, d, _: a.action("package_patch", id=d["id"],
                                                convention_ref=""),
}


@pytest.fixture
def people(shared_actors, shared_portal, module_data) -> dict[str, Actor]:
    """The security suite's actors plus a partner organisation's editor."""
    if "partner" not in module_data:
        from ckan.tests import factories

        partner = factories.Organization(org_kind="partner", title="Régie des eaux",
                                         name=f"regie-{uuid.uuid4().hex[:8]}")
        editor = _person("partner_editor", shared_portal)
        api("organization_member_create", id=partner["id"], username=editor.name,
            role="editor")
        module_data["partner"] = partner["name"]
        module_data["people"] = {**shared_actors, "partner_editor": editor}
    return module_data["people"]


def test_partners_and_editors_rights_matrix(people, module_data):
    partner = module_data["partner"]
    wrong = {}
    refused_targets: dict[tuple[str, str], dict] = {}
    for action, owner, role, expected in _cells():
        # A dataset of its own for each attempt that may change it; the
        # refused attempts of a row share one (each must leave it as it was).
        private = action == "make_public"
        target = refused_targets.get((action, owner)) if expected == "denied" else None
        if target is None:
            target = api("package_create", **_fields(
                owner, partner, private=private,
                **({"private_reason": "En cours de validation"} if private else {})))
            if expected == "denied":
                refused_targets[(action, owner)] = target
        before = _state(target["id"])
        response = ACTIONS[action](people[role], target, _fields(owner, partner))
        got = {200: "ok", 403: "denied", 409: "invalid"}.get(response.status_code,
                                                              str(response.status_code))
        changed = _state(target["id"]) != before
        problem = None
        if got != expected:
            problem = f"{expected} expected, got {response.status_code}: {response.text[:200]}"
        elif expected == "invalid" and "convention_ref" not in response.json()["error"]:
            problem = f"no message on convention_ref: {response.text[:200]}"
        elif action != "create" and changed != (expected == "ok"):
            problem = "changed" if changed else "nothing changed"
        elif action == "create" and expected == "ok":
            created = response.json()["result"]
            if created["owner_org"] != target["owner_org"]:
                problem = f"created in {created['owner_org']}"
        if problem:
            wrong[f"{role} {action} {owner}"] = problem
    assert wrong == {}
