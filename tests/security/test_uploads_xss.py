"""Uploaded files cannot run script on the portal's origin (issue 12,
"Stored XSS"): an uploaded .html or .svg resource is a download
(Content-Disposition: attachment) with nosniff and a sandboxing CSP; the
types browsers display safely stay inline, sandboxed too. URL fields accept
only http(s), and links already stored are not rendered as links."""

from __future__ import annotations

import pytest
import requests

from ..helpers import dataset_fields

# Its tests only read, publish and try: one server and one set of people for
# the module (tests/security/conftest.py, `actors`).
ONE_WORLD_PER_MODULE = True

SCRIPT_HTML = b"<html><body><script>window.__xss = 1</script></body></html>"
SCRIPT_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1">'
              b"<script>window.__xss = 1</script></svg>")


def _upload(editor, dataset: str, filename: str, content: bytes) -> dict:
    answer = requests.post(
        f"{editor.portal}/api/3/action/resource_create",
        headers={"Authorization": editor.token},
        data={"package_id": dataset, "name": filename},
        files={"upload": (filename, content)}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["result"]


@pytest.fixture
def dataset(actors) -> str:
    answer = actors["editor_marseille"].action("package_create", **dataset_fields())
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()["result"]["name"]


@pytest.mark.parametrize("filename, content", [
    ("page.html", SCRIPT_HTML), ("image.svg", SCRIPT_SVG),
    ("page.xhtml", SCRIPT_HTML), ("feed.xml", SCRIPT_SVG), ("code.js", b"alert(1)")])
def test_active_uploads_are_sandboxed_downloads(actors, dataset, filename, content):
    resource = _upload(actors["editor_marseille"], dataset, filename, content)
    download = requests.get(resource["url"], timeout=30)
    assert download.status_code == 200 and download.content == content
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_safe_types_stay_inline_but_sandboxed(actors, dataset):
    resource = _upload(actors["editor_marseille"], dataset, "table.csv", b"a,b\n1,2\n")
    download = requests.get(resource["url"], timeout=30)
    assert download.status_code == 200
    assert not download.headers.get("Content-Disposition", "").startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"].startswith("sandbox")


def test_uploaded_organisation_image_is_sandboxed(actors, portal):
    """CKAN accepts only images here (not SVG); they stay inline, sandboxed."""
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    answer = requests.post(
        f"{portal}/api/3/action/organization_patch",
        headers={"Authorization": actors["sysadmin"].token},
        data={"id": _marseille()},
        files={"image_upload": ("logo.png", png, "image/png")}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    image = answer.json()["result"]["image_display_url"]
    assert "/uploads/" in image
    served = requests.get(image, timeout=30)
    assert served.status_code == 200 and served.content == png
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def _marseille() -> str:
    from ..helpers import MARSEILLE, org_name

    return org_name(MARSEILLE)


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)",
                                 "java\tscript:alert(1)", "data:text/html,<script>x</script>",
                                 "vbscript:msgbox(1)"])
def test_resource_url_refuses_script_schemes(actors, dataset, url):
    answer = actors["editor_marseille"].action("resource_create", package_id=dataset,
                                               url=url, name="lien")
    assert answer.status_code == 409, answer.text[:300]
    assert "http" in answer.json()["error"]["url"][0]


def test_url_fields_refuse_script_schemes_with_a_french_message(actors):
    fields = dataset_fields(contact=[{"name": "Service", "url": "javascript:alert(1)"}],
                            publisher=[{"name": "Ville", "url": "javascript:alert(1)"}])
    answer = actors["editor_marseille"].action("package_create", **fields)
    assert answer.status_code == 409, answer.text[:300]
    error = answer.json()["error"]
    text = str(error)
    assert "contact" in error and "publisher" in error
    assert "Seules les adresses web commençant par http:// ou https:// sont acceptées." in text

    org = actors["sysadmin"].action("organization_patch", id=_marseille(),
                                    website="javascript:alert(1)")
    assert org.status_code == 409 and "website" in org.json()["error"]


def test_web_links_are_still_accepted(actors, dataset):
    answer = actors["editor_marseille"].action(
        "resource_create", package_id=dataset, url="https://data.example.org/a.csv",
        name="lien")
    assert answer.status_code == 200, answer.text[:300]


def test_stored_script_links_are_not_rendered_as_links(actors, dataset):
    """Data stored before the validator: shown as text, never as a link."""
    from ckan import model

    from ..helpers import api

    resource = api("resource_create", package_id=dataset, url="https://example.org/x.csv",
                   name="ancien lien")
    model.Session.query(model.Resource).filter_by(id=resource["id"]).update(
        {"url": "javascript:alert(1)"})
    model.Session.commit()
    from ckan.lib.search import rebuild

    rebuild(dataset)  # pages read the indexed copy of the dataset
    for path in (f"/dataset/{dataset}", f"/dataset/{dataset}/resource/{resource['id']}"):
        page = actors["anonymous"].get(path)
        assert page.status_code == 200
        assert "javascript:alert(1)" in page.text, path  # shown, as text
        assert 'href="javascript:alert' not in page.text, path
