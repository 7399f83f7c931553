"""A logged-in user searches the catalogue for data it does not have, follows
the prefilled request the empty result offers and sends it; the request is
public with the status "Nouvelle"; the steward of the commune finds it among
the requests routed to them and closes it by linking a dataset ("Publiée");
a sysadmin sees the searches that found nothing, most frequent first. The
form, the request's page and the searches' page pass axe."""

from __future__ import annotations

import uuid

import pytest
import requests

from ..community.conftest import community_tables  # noqa: F401  (the plugin's tables)
from ..helpers import MARSEILLE, api, dataset_fields
from ..security.conftest import _person
from .conftest import screenshot
from .logged_in import page_as
from .shared import new_page
from .test_reuse_moderation import assert_accessible

pytestmark = pytest.mark.usefixtures("catalogue")


def test_ask_from_an_empty_search_then_the_steward_closes_it_with_a_dataset(
        shared_server, shared_browser):
    unique = uuid.uuid4().hex[:8]
    wanted = f"horaires des marchés forains {unique}"
    once = f"kiosques à journaux {unique}"
    asker = _person("asker", shared_server)
    steward = _person("steward", shared_server, commune=MARSEILLE, capacity="editor")
    admin = _person("admin", shared_server, sysadmin=True)
    # Other visitors searched for these too (counted while the data does not exist).
    for words in (once, once, wanted, wanted):
        assert requests.get(f"{shared_server}/dataset/", params={"q": words}, timeout=30).ok

    page = page_as(shared_browser, asker)
    page.goto(f"{shared_server}/dataset/")
    page.fill("#field-giant-search", wanted)
    page.press("#field-giant-search", "Enter")  # CKAN's htmx form: the results swap in place
    page.locator("#ask-for-data a:has-text('Demander ces données')").click()
    page.wait_for_url("**/demandes/nouvelle?**")
    assert page.input_value("#field-title") == wanted  # prefilled from the search
    page.fill("#field-reason", "Pour indiquer aux habitants les jours de marché près de chez eux.")
    page.select_option("#field-communes", MARSEILLE)
    assert_accessible(page)
    screenshot(page, "request-01-form")
    page.click("button[name=save]")
    page.wait_for_url("**/demandes/*-*")
    request_url = page.url
    assert page.locator("#request-status").inner_text() == "Nouvelle"
    page.context.close()

    # Public: an anonymous visitor reads it and its status, and cannot handle it.
    page = new_page(shared_browser)
    page.goto(request_url)
    assert page.locator("h1").inner_text() == wanted
    assert page.locator("#request-status").inner_text() == "Nouvelle"
    assert page.locator("#handle-title").count() == 0
    page.goto(f"{shared_server}/demandes?status=new")
    assert page.locator(f"a:has-text('{wanted}')").count() == 1
    page.context.close()

    # The steward of Marseille publishes the data, then finds the request
    # among those routed to them and links the dataset.
    answer = api("package_create", **dataset_fields(title=f"Marchés forains {unique}"))
    page = page_as(shared_browser, steward)
    page.goto(f"{shared_server}/demandes")
    page.click("a:has-text('Demandes qui me sont adressées')")
    page.click(f"a:has-text('{wanted}')")
    page.fill("#field-dataset", answer["name"])
    assert_accessible(page)
    screenshot(page, "request-02-steward")
    page.click("button:has-text('Lier le jeu de données')")
    page.wait_for_load_state()
    assert "Demande mise à jour." in page.content()
    assert page.locator("#request-status").inner_text() == "Publiée"
    assert page.locator(f"a[href$='/dataset/{answer['name']}']").inner_text() == answer["title"]
    page.context.close()

    # A sysadmin sees the searches that found nothing, most frequent first.
    page = page_as(shared_browser, admin)
    page.goto(f"{shared_server}/demandes")
    page.click("a:has-text('Recherches sans résultat')")
    page.wait_for_url("**/recherches-sans-resultat")
    rows = [row.locator("td").all_inner_texts()[:2]
            for row in page.locator("#empty-searches tbody tr").all()]
    assert [row for row in rows if row[0] in (wanted, once)] == [[wanted, "3"], [once, "2"]]
    assert_accessible(page)
    screenshot(page, "request-03-empty-searches")
    page.context.close()
