"""The community's tests: a catalogue (communes, themes), a public and a
private dataset of Marseille, and the people who propose and moderate."""

from __future__ import annotations

import uuid

import pytest
from ckan.tests import factories

from ..browser.conftest import _shared, shared_server  # noqa: F401  (one live server per module)
from ..helpers import MARSEILLE, api, dataset_fields, steward_of


def new_user(**extra) -> dict:
    unique = f"u-{uuid.uuid4().hex[:12]}"
    return factories.User(name=unique, email=f"{unique}@example.org", **extra)


_MIGRATED: list[bool] = []


@pytest.fixture(autouse=True)
def community_tables(load_portal_plugins) -> None:
    """The plugin's migrations, applied once per session (``ckan metropole
    init`` does it in a portal): a test database made before this plugin
    existed has no table of it, and clean_db runs them only on a first reset."""
    if not _MIGRATED:
        from ckan.cli.db import _run_migrations

        _run_migrations("metropole_community")
        _MIGRATED.append(True)


@pytest.fixture
def public_dataset(catalogue) -> dict:
    return api("package_create", **dataset_fields(title="Arceaux vélos de Marseille"))


@pytest.fixture
def private_dataset(catalogue) -> dict:
    return api("package_create", **dataset_fields(title="Fichier interne des agents",
                                                  private=True,
                                                  private_reason="En cours de relecture."))


@pytest.fixture
def proposer() -> dict:
    return new_user()


@pytest.fixture
def steward(catalogue) -> dict:
    return steward_of(MARSEILLE)
