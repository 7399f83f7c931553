"""The notifications' tests: followers of Marseille's datasets, the portal's
real jobs worker (tests/loading's ``jobs``), a real SMTP server on loopback
(tests/smtp.py) and the plugin's tables."""

from __future__ import annotations

import datetime

import pytest

from ..community.conftest import community_tables, new_user  # noqa: F401
from ..helpers import MARSEILLE, api, as_user, dataset_fields, org_name
from ..loading.conftest import jobs  # noqa: F401  (the real jobs worker, one burst per call)
from ..smtp import smtp_inbox  # noqa: F401

_MIGRATED: list[bool] = []


@pytest.fixture(autouse=True)
def notifications_tables(community_tables) -> None:  # noqa: F811
    """The plugin's migrations, once per session (see tests/community)."""
    if not _MIGRATED:
        from ckan.cli.db import _run_migrations

        _run_migrations("metropole_notifications")
        _MIGRATED.append(True)


@pytest.fixture
def dataset(catalogue) -> dict:
    return api("package_create", **dataset_fields(title="Arceaux vélos de Marseille"))


@pytest.fixture
def follower() -> dict:
    return new_user()


def follow(user: dict, object_type: str, object_id: str, channel: str = "email",
           **extra) -> dict:
    return api("metropole_follow_create", context=as_user(user),
               object_type=object_type, object_id=object_id, channel=channel, **extra)


def deliveries(**filters) -> list:
    from ckan import model

    from ckanext.metropole.notifications.model import Delivery

    model.Session.remove()
    return (model.Session.query(Delivery).filter_by(**filters)
            .order_by(Delivery.created).all())


def new_call(dataset: dict, closing_in_days: int = 30) -> dict:
    """A published call of the metropole offering ``dataset``."""
    today = datetime.date.today()
    return api("metropole_call_create", kind="ami", title="Défi mobilités",
               issuer=org_name(MARSEILLE), opening_date=today.isoformat(),
               closing_date=(today + datetime.timedelta(days=closing_in_days)).isoformat(),
               description="Proposez des services.", contact="innovation@example.org",
               how_to_respond="Par courriel.", datasets=dataset["name"], published="true")
