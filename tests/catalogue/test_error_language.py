"""Validation messages come in the user's language: French by default,
English under /en/."""

from __future__ import annotations

import pytest
from ckan.tests import factories

from ..helpers import dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")


def test_errors_come_in_the_users_language(app, sysadmin):
    fields = dataset_fields(license_id="partner-convention")
    headers = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    french = app.post("/api/3/action/package_create", json=fields, headers=headers, status=409)
    english = app.post("/en/api/3/action/package_create", json=fields, headers=headers,
                       status=409)
    fr_message = french.json["error"]["license_id"][0]
    en_message = english.json["error"]["license_id"][0]
    assert fr_message.startswith("Des données ouvertes doivent être publiées sous une licence")
    assert en_message.startswith("Open data must be published under an open licence")
