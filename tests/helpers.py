"""Helpers shared by the tests that need a catalogue of the metropole:
its communes (Aix-Marseille-Provence), its themes, datasets and users."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from ckan import model
from ckan.lib import search
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.metropole.communes import loader
from ckanext.metropole.themes import load_theme_groups
from metropole_core import commune_registry as registry

AMP = "200054807"
MARSEILLE, AIX = "13055", "13001"


def ensure_catalogue() -> None:
    """Built once, then kept: tests that use it add datasets but never clean
    the database, so the communes loaded by the first serve the others.
    Other tests may leave a database with a few communes of their own
    (harvester tests create Marseille and Aix alone): the catalogue is
    complete only when the metropole's own organisation is there too."""
    registry.clear()
    if MARSEILLE not in registry.communes() or AMP not in loader.existing_by("siren"):
        search.clear_all()
        loader.load_epci(AMP)
        load_theme_groups()
    elif model.Group.get("velo-pietons") is None:
        load_theme_groups()


def api(action: str, context: dict | None = None, **data):
    """An action as the site user by default: with the activity plugin,
    CKAN records who did what, so the caller must be a real user."""
    if context is None:
        site_user = call_action("get_site_user", context={"ignore_auth": True})
        context = {"user": site_user["name"], "ignore_auth": True}
    return call_action(action, context=context, **data)


def org_name(code: str) -> str:
    return registry.communes()[code].org_name


def dataset_fields(**overrides) -> dict:
    """A valid open dataset of Marseille; tests override what they exercise."""
    fields = {
        "name": f"jeu-{uuid.uuid4().hex[:10]}",
        "title": "Comptages vélos — compteurs de Marseille",
        "notes": "Passages de vélos par heure.",
        "owner_org": org_name(MARSEILLE),
        "communes": [MARSEILLE],
        "themes": ["velo-pietons"],
        "license_id": "etalab-2.0",
        "access_level": "open",
    }
    fields.update(overrides)
    return fields


def steward_of(code: str) -> dict:
    user = factories.User()
    api("organization_member_create", id=org_name(code), username=user["name"],
                role="editor")
    return user


def as_user(user: dict | None) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


OUTBOUND_ALLOWED = "ckanext.metropole.outbound.allowed"


@contextlib.contextmanager
def loopback_allowed() -> Iterator[None]:
    """The harvester tests' sample servers listen on 127.0.0.1, which the
    outbound policy refuses by default: allow that address (and only it)
    while they harvest, as an install lists its own internal servers."""
    from ckan.plugins.toolkit import config

    previous = config.get(OUTBOUND_ALLOWED)
    config[OUTBOUND_ALLOWED] = "127.0.0.1"
    try:
        yield
    finally:
        config[OUTBOUND_ALLOWED] = previous or ""
