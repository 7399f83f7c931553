"""Follow a dataset from its page, change it, read the email (a real SMTP
server on loopback), and unsubscribe with the email's link without logging
in; "Mes abonnements" and the unsubscribe page pass axe on the way."""

from __future__ import annotations

import re
import uuid

import pytest
from ckan.tests import factories

from ..community.conftest import community_tables  # noqa: F401  (the community's tables)
from ..helpers import api, dataset_fields
from ..loading.conftest import jobs  # noqa: F401  (the real jobs worker)
from ..notifications.conftest import notifications_tables  # noqa: F401  (the plugin's tables)
from ..smtp import smtp_inbox  # noqa: F401
from .conftest import screenshot
from .test_reuse_moderation import PASSWORD, assert_accessible, log_in, log_out

pytestmark = pytest.mark.usefixtures("catalogue")


def test_follow_a_dataset_change_it_read_the_email(page, live_server, jobs, smtp_inbox):  # noqa: F811
    dataset = api("package_create", **dataset_fields(title="Bornes de réparation vélo"))
    jobs()
    user = factories.User(name=f"suiveuse-{uuid.uuid4().hex[:8]}", password=PASSWORD)

    log_in(page, live_server, user["name"])
    page.goto(f"{live_server}/dataset/{dataset['name']}")
    # One "Suivre" only: CKAN's own follow button (its dashboard) is replaced.
    assert page.locator("text=Suivre").count() == 2   # the heading and the button
    page.check("#follow-dataset-email")
    screenshot(page, "follow-01-dataset-page")
    page.click("form.follow-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Vous suivez désormais Bornes de réparation vélo" in page.content()
    page.goto(f"{live_server}/abonnements")
    assert page.locator("#subscriptions tbody tr").count() == 1
    assert "Bornes de réparation vélo" in page.locator("#subscriptions tbody").inner_text()
    assert_accessible(page)
    screenshot(page, "follow-02-my-subscriptions")

    api("package_patch", id=dataset["id"], notes="Trois nouvelles bornes au Vieux-Port.")
    jobs()
    [mail] = [m for m in smtp_inbox.messages if user["email"] in m["To"]]
    assert mail["Subject"] == "Jeu de données modifié : Bornes de réparation vélo"
    link = re.search(r"http://\S+(/abonnements/desabonner/\S+)", mail.get_content()).group(1)

    log_out(page)
    page.goto(live_server + link)
    assert "Vous ne recevrez plus d'avis concernant Bornes de réparation vélo" in page.locator(
        "#unsubscribed").inner_text()
    assert_accessible(page)
    screenshot(page, "follow-03-unsubscribed")
