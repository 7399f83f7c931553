"""`ckan metropole init`, run at every start of the runtime."""

from __future__ import annotations

import pytest
from ckan.lib import search

from ckanext.metropole.cli import metropole

from .helpers import api, dataset_fields


@pytest.mark.usefixtures("catalogue")
def test_startup_checks_index_the_datasets_the_search_index_lacks(cli):
    """After an upgrade that changed the index layout, search must not stay
    empty. The check runs after the web answers (`startup-checks`, started by
    the background worker), not in `init`."""
    dataset = api("package_create", **dataset_fields())
    search.clear_all()
    assert api("package_search", q=f'name:"{dataset["name"]}"')["count"] == 0
    result = cli.invoke(metropole, ["startup-checks"])
    assert result.exit_code == 0, result.output
    assert "datasets indexed" in result.output
    assert api("package_search", q=f'name:"{dataset["name"]}"')["count"] == 1
    # An ordinary start indexes nothing.
    assert "datasets indexed" not in cli.invoke(metropole, ["startup-checks"]).output


@pytest.mark.usefixtures("catalogue")
def test_init_builds_the_javascript_translations(cli, app):
    """gunicorn never builds them (only `ckan run` does): without init, CKAN's
    scripts (table previews, "show more") would speak English."""
    import os

    from ckan.lib.i18n import get_js_translations_dir

    built = os.path.join(get_js_translations_dir(), "fr.js")
    if os.path.exists(built):
        os.remove(built)
    assert cli.invoke(metropole, ["init"]).exit_code == 0
    assert app.get("/api/i18n/fr").json["Add Filter"] == [None, "Ajouter un filtre"]
