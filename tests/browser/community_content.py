"""What the accessibility test shows of the community: a published reuse of
the pages' dataset, an open call offering it and a data request, so that
the lists are not empty. Made once per session, like tests/browser/content.py
(again when a test in between reset the database)."""

from __future__ import annotations

import datetime

import pytest

from ..helpers import MARSEILLE, api, org_name

_PATHS: dict[str, str] = {}


def _make(dataset: str) -> dict[str, str]:
    from ckanext.metropole.community import calls

    admin = {"user": api("get_site_user")["name"], "ignore_auth": False}
    reuse = api("metropole_reuse_create", admin, kind="visualization",
                title="Carte des comptages vélos", author="Collectif Carto13",
                description="Une carte des passages de vélos au Vieux-Port, heure par heure.",
                url="https://carto13.example.org/velos", themes=["velo-pietons"],
                datasets=dataset)
    api("metropole_reuse_moderate", admin, id=reuse["id"], decision="publish")
    today = calls.today()
    api("metropole_call_create", admin, kind="challenge", title="Défi des mobilités douces",
        issuer=org_name(MARSEILLE), opening_date=str(today - datetime.timedelta(days=1)),
        closing_date=str(today + datetime.timedelta(days=30)), datasets=dataset,
        description="Imaginez un service pour les cyclistes du centre-ville.",
        how_to_respond="Déposez un dossier en ligne.", contact="innovation@example.org",
        published=True)
    api("metropole_data_request_create", admin, title="Horaires des piscines municipales",
        reason="Pour une application des sorties en famille.", communes=[MARSEILLE])
    return {"reuse": reuse["id"]}


@pytest.fixture
def community_content(site_content) -> dict[str, str]:
    from ckan import model

    from ckanext.metropole.community.model import Reuse

    if not _PATHS or model.Session.get(Reuse, _PATHS["reuse"]) is None:
        _PATHS.clear()
        _PATHS.update(_make(site_content["dataset"]))
    return _PATHS
