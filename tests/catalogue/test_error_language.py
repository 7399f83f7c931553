"""Validation messages come in the user's language: French by default,
English under /en/ — for every rule of the data charter, taken from the
rules' own declaration (charter/rules.py RULES), so a new rule is checked
the day it is written."""

from __future__ import annotations

import itertools
import uuid
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from ckan.tests import factories

import ckanext.metropole
from ckanext.metropole.charter.rules import RULES, CharterValues, Rule, check_charter

from ..helpers import dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")

PO = (Path(ckanext.metropole.__file__).parent / "i18n" / "fr" / "LC_MESSAGES"
      / "ckanext-metropole.po")

# Valid values of each field a rule reads: the examples are searched among
# their combinations, so none depends on knowing how a rule is written.
DOMAINS = {
    "access_level": ["open", "partners", "internal"],
    "license_id": ["etalab-2.0", "partner-convention"],
    "personal_data": ["none", "anonymised", "personal"],
    "legal_basis": ["", "Mission d'intérêt public (RGPD art. 6-1-e)"],
    "convention_ref": ["", "CONV-2026-014"],
    "hosting_location": ["france", "outside_eu"],
    "private": [False, True],
    "private_reason": ["", "En cours de validation"],
    "owner_org_kind": ["commune", "partner"],
}


def _example(rule: Rule) -> dict:
    """Values that break this rule and as few others as possible."""
    candidates = (dict(zip(DOMAINS, values, strict=True))
                  for values in itertools.product(*DOMAINS.values()))
    breaking = []
    for values in candidates:
        errors = check_charter(CharterValues.from_mapping(values))
        if rule.message in errors.get(rule.field, []):
            breaking.append((sum(map(len, errors.values())), values))
    assert breaking, f"no combination of DOMAINS breaks {rule.message!r}"
    return min(breaking, key=lambda found: found[0])[1]


@cache
def _french() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


@pytest.fixture
def partner_org() -> str:
    return factories.Organization(org_kind="partner", title="Régie partenaire",
                                  name=f"partenaire-{uuid.uuid4().hex[:8]}")["name"]


def _answers(app, headers: dict, rule: Rule, partner_org: str) -> tuple[list, list]:
    """The messages on the rule's field in French (default) and English."""
    values = _example(rule)
    kind = values.pop("owner_org_kind")
    overrides = {name: value for name, value in values.items() if value != ""}
    if kind == "partner":
        overrides["owner_org"] = partner_org
    fields = dataset_fields(**overrides)
    french = app.post("/api/3/action/package_create", json=fields, headers=headers, status=409)
    english = app.post("/en/api/3/action/package_create", json=fields, headers=headers,
                       status=409)
    return french.json["error"].get(rule.field, []), english.json["error"].get(rule.field, [])


def test_every_charter_rule_answers_in_french_by_default_and_in_english_under_en(
        app, sysadmin, partner_org):
    """One app for all the rules: building CKAN's test app costs seconds."""
    headers = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    assert len(RULES) >= 9
    wrong = {}
    for rule in RULES:
        french_message = _french().get(rule.message)
        french, english = _answers(app, headers, rule, partner_org)
        if not (french_message and french_message != rule.message and french_message in french
                and rule.message in english):
            wrong[rule.message] = {"French expected": french_message, "fr": french,
                                   "en": english}
    assert wrong == {}
