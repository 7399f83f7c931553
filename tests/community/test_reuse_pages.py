"""The reuse pages over HTTP, as browsers use them (one live server for the
module): the public list and its facets, the proposal form (CSRF, field
messages in French), moderation, the dataset page's reuses, no script from
user text, English under /en/."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from ..helpers import MARSEILLE
from ..security.conftest import _person, csrf_token

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def people(shared_server):
    return {"proposer": _person("proposer", shared_server),
            "steward": _person("steward", shared_server, commune=MARSEILLE,
                               capacity="editor")}


def form(dataset: dict, **overrides) -> dict:
    fields = {"kind": "visualization", "title": f"Carte des arceaux {uuid.uuid4().hex[:6]}",
              "description": "Une carte interactive des arceaux vélos de Marseille.",
              "url": "https://carte.example.org/arceaux", "author": "Collectif Carto13",
              "themes": ["velo-pietons"], "datasets": f"https://portail/dataset/{dataset['name']}"}
    fields.update(overrides)
    return fields


def test_propose_moderate_and_find_it_on_the_dataset_page(shared_server, people,
                                                          public_dataset):
    proposer, steward = people["proposer"], people["steward"]
    url = f"{shared_server}/reutilisations/proposer"
    token = csrf_token(proposer.cookies, url)
    # Without the token, nothing is recorded.
    forged = proposer.cookies.post(url, data=form(public_dataset), timeout=60)
    assert forged.status_code == 400
    # A field-level message in French, and the typed values kept.
    bad = proposer.cookies.post(url, timeout=60, data=form(
        public_dataset, _csrf_token=token, url="javascript:alert(1)"))
    assert bad.status_code == 200, re.sub(r"<[^>]+>", " ", bad.text)[:6000]
    assert "Une adresse web commençant par http:// ou https://" in bad.text
    assert "Collectif Carto13" in bad.text

    title = f"<script>alert(1)</script> Carte {uuid.uuid4().hex[:6]}"
    answer = proposer.cookies.post(url, timeout=60, data=form(
        public_dataset, _csrf_token=token, title=title))
    assert answer.ok and "/reutilisations/" in answer.url, answer.url
    assert "en attente de modération" in answer.text
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    reuse_page = answer.url
    # Pending: not public.
    escaped_title = title.replace("<", "&lt;").replace(">", "&gt;")
    assert escaped_title not in requests.get(f"{shared_server}/reutilisations", timeout=60).text
    assert requests.get(reuse_page, timeout=60).status_code == 404
    # The proposer cannot moderate their own proposal.
    refused = proposer.cookies.post(f"{reuse_page}/moderer", timeout=60,
                                    data={"decision": "publish", "_csrf_token": token})
    assert refused.status_code == 403

    page = steward.cookies.get(reuse_page, timeout=60).text
    assert "Modération" in page
    token = csrf_token(steward.cookies, reuse_page)
    published = steward.cookies.post(f"{reuse_page}/moderer", timeout=60,
                                     data={"decision": "publish", "_csrf_token": token})
    assert published.ok

    dataset_page = requests.get(f"{shared_server}/dataset/{public_dataset['name']}",
                                timeout=60).text
    assert escaped_title in dataset_page
    assert "<script>alert(1)</script>" not in dataset_page
    listing = requests.get(f"{shared_server}/reutilisations", params={"kind": "visualization"},
                           timeout=60)
    assert escaped_title in listing.text
    english = requests.get(f"{shared_server}/en/reutilisations", timeout=60)
    assert english.ok and "Propose a reuse" in english.text


def test_anonymous_visitors_are_sent_to_log_in(shared_server):
    answer = requests.get(f"{shared_server}/reutilisations/proposer", timeout=60,
                          allow_redirects=False)
    assert answer.status_code in (302, 303) and "/user/login" in answer.headers["Location"]
    assert requests.get(f"{shared_server}/reutilisations/{uuid.uuid4()}",
                        timeout=60).status_code == 404
