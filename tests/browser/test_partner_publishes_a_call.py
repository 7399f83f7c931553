"""The editor of a partner organisation (``org_kind: partner``, publishing
under convention) finds the calls from the home page (which links the
reuses, the calls and the data requests), publishes a call
through the form — a closing date before the opening one first gets a French
message on that field, not an error page — and then sees it on /appels among
open calls with its derived status, on the page of the dataset it offers, and
in the Atom feed. The form, the call's page and the list pass axe."""

from __future__ import annotations

import datetime
import uuid
from xml.etree import ElementTree

import pytest
import requests
from ckan.tests import factories

from ckanext.metropole.community import calls

from ..community.conftest import community_tables  # noqa: F401  (the plugin's tables)
from ..helpers import api, dataset_fields
from ..security.conftest import _person
from .conftest import screenshot
from .logged_in import page_as
from .shared import new_page
from .test_reuse_moderation import assert_accessible

pytestmark = pytest.mark.usefixtures("catalogue")
DAY = datetime.timedelta(days=1)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def partner(shared_server) -> dict:
    """A partner organisation, its editor, and a public dataset it publishes
    under its convention (the charter asks a partner's datasets for one)."""
    server, unique = shared_server, uuid.uuid4().hex[:8]
    org = factories.Organization(org_kind="partner", name=f"regie-transports-{unique}",
                                 title=f"Régie des transports {unique}")
    editor = _person("partner_editor", server)
    api("organization_member_create", id=org["id"], username=editor.name, role="editor")
    dataset = api("package_create", **dataset_fields(
        owner_org=org["name"], convention_ref=f"CONV-TR-{unique}",
        title=f"Fréquentation des lignes de bus {unique}"))
    return {"org": org, "editor": editor, "dataset": dataset, "unique": unique}


def fill_call_form(page, dataset: dict, title: str, opening: datetime.date,
                   closing: datetime.date) -> None:
    page.select_option("#field-kind", "call_for_solutions")
    page.fill("#field-title", title)
    page.fill("#field-opening_date", opening.isoformat())
    page.fill("#field-closing_date", closing.isoformat())
    page.fill("#field-description", "Proposez une information voyageurs en temps réel "
                                    "pour les arrêts de bus de la métropole.")
    page.fill("#field-how_to_respond", "Envoyez une note de deux pages par courriel.")
    page.fill("#field-contact", "innovation@regie-transports.example.org")
    page.fill("#field-datasets", dataset["name"])
    page.check("#field-published")


def submit(page) -> int:
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("button[name=save]")
    page.wait_for_load_state()
    return answer.value.status


def test_a_partner_publishes_a_call_seen_on_the_list_dataset_page_and_feed(
        shared_server, shared_browser, partner):
    org, dataset = partner["org"], partner["dataset"]
    today = calls.today()
    title = f"Information voyageurs aux arrêts {partner['unique']}"
    # A newcomer finds the calls from the home page; only publishers get the button.
    page = new_page(shared_browser)
    page.goto(shared_server)
    tiles = page.locator("#home-community a")
    assert [tiles.nth(i).get_attribute("href") for i in range(tiles.count())] == [
        "/reutilisations", "/appels", "/demandes"]
    page.click("#home-community a:has-text('Appels à innovation')")
    page.wait_for_url("**/appels")
    assert page.locator("text=Publier un appel").count() == 0
    page.context.close()

    page = page_as(shared_browser, partner["editor"])
    page.goto(f"{shared_server}/appels")
    page.click("a:has-text('Publier un appel')")
    page.wait_for_url("**/appels/nouveau")
    # The partner publishes for its own organisation only.
    issuers = page.locator("#field-issuer option")
    assert issuers.all_inner_texts() == [org["title"]]

    fill_call_form(page, dataset, title, opening=today - DAY, closing=today - 2 * DAY)
    assert submit(page) == 200
    message = page.locator("#field-closing_date").locator(
        "xpath=ancestor::div[contains(@class, 'form-group')]").locator(".error-block")
    assert message.inner_text() == "La date de clôture ne peut pas précéder la date d'ouverture."
    assert page.input_value("#field-title") == title  # what was typed is kept
    assert_accessible(page)
    screenshot(page, "call-01-closing-before-opening")

    page.fill("#field-closing_date", (today + 30 * DAY).isoformat())
    assert submit(page) in (302, 303)  # to the call's page
    assert "Appel enregistré." in page.content()
    assert page.locator("#call-status").inner_text() == "Ouvert"
    assert page.locator("#call-datasets").inner_text() == dataset["title"]
    assert_accessible(page)
    screenshot(page, "call-02-published")

    # Two more calls of the partner, to see the derived statuses and the order.
    editor = {"user": partner["editor"].name, "ignore_auth": False}
    base = {"kind": "ami", "issuer": org["id"], "description": "Un appel.", "published": True,
            "how_to_respond": "Par courriel.", "contact": "contact@example.org"}
    for name, opening, closing in (("clos", -20, -10), ("à venir", 10, 40)):
        api("metropole_call_create", editor, title=f"Appel {name} {partner['unique']}",
            opening_date=str(today + opening * DAY), closing_date=str(today + closing * DAY),
            **base)
    page.goto(f"{shared_server}/appels?issuer={org['name']}")
    items = page.locator(".metropole-call-item")
    listed = [(item.locator("h3").inner_text(), item.locator(".badge").nth(1).inner_text())
              for item in items.all()]
    assert listed == [(title, "Ouvert"), (f"Appel à venir {partner['unique']}", "À venir"),
                      (f"Appel clos {partner['unique']}", "Clos")]
    assert_accessible(page)
    screenshot(page, "call-03-list")
    page.goto(f"{shared_server}/appels?status=open")
    assert page.locator(f"h3:has-text('{title}')").count() == 1
    assert page.locator(f"h3:has-text('Appel clos {partner['unique']}')").count() == 0

    page.goto(f"{shared_server}/dataset/{dataset['name']}")
    assert title in page.locator("#dataset-calls").inner_text()
    page.context.close()

    feed = requests.get(f"{shared_server}/appels/flux.atom", timeout=30)
    entries = {entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}author/{ATOM}name")
               for entry in ElementTree.fromstring(feed.content).iter(f"{ATOM}entry")}
    assert entries[title] == org["title"]
