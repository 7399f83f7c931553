"""Pages in French show no English left by CKAN's or the extensions' catalogues.

CKAN's French catalogue leaves a few hundred strings empty ("Skip to main
content", "Username or Email", the aria-labels of result lists...), and
ckanext-harvest, -dcat and -scheming ship no French at all.  The portal's
``ckanext-metropole-upstream`` catalogue fills those gaps.  These tests read
the untranslated strings from the installed packages themselves, so a CKAN
or extension upgrade that brings new untranslated text onto these pages
fails here.
"""

from __future__ import annotations

import importlib.util
import re
import uuid
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from lxml import html as lxml_html

from ..helpers import api, dataset_fields

pytestmark = pytest.mark.usefixtures("catalogue")

_PLACEHOLDER = r"(\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd])"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec and spec.submodule_search_locations, name
    return Path(next(iter(spec.submodule_search_locations)))


def _msgids(path: Path) -> tuple[set[str], set[str]]:
    """(untranslated, translated) message ids of a catalogue or template."""
    untranslated: set[str] = set()
    translated: set[str] = set()
    with path.open("rb") as handle:
        for message in read_po(handle):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            (translated if all(strings) else untranslated).update(ids)
    return untranslated, translated


def _portal_catalogues() -> dict[str, Catalog]:
    """The portal's own French catalogue and the one for upstream strings."""
    found = {}
    for package, domain in [("ckanext.metropole", "ckanext-metropole"),
                            ("ckanext.metropole.branding", "ckanext-metropole-upstream")]:
        path = _package_dir(package) / "i18n" / "fr" / "LC_MESSAGES" / f"{domain}.po"
        with path.open("rb") as handle:
            found[domain] = read_po(handle)
    return found


@cache
def untranslated_upstream() -> list[tuple[str, re.Pattern[str]]]:
    """Strings upstream leaves English in French, as patterns matching one
    whole text node or attribute (placeholders match anything).  Strings the
    same in both languages ("Formats", "Licence") and bare placeholders are
    left out: seeing them proves nothing."""
    ckan_po = _package_dir("ckan") / "i18n" / "fr" / "LC_MESSAGES" / "ckan.po"
    ids, in_ckan_french = _msgids(ckan_po)
    for extension, pot in [("harvest", "ckanext-harvest.pot"), ("dcat", "ckanext-dcat.pot")]:
        ids |= _msgids(_package_dir(f"ckanext.{extension}") / "i18n" / pot)[0]
    ids -= in_ckan_french  # the extensions' "Description", "State"...: CKAN has them
    same_in_french = {m.id for catalogue in _portal_catalogues().values()
                      for m in catalogue if m.id and m.string == m.id}
    patterns = []
    for text in sorted(ids - same_in_french):
        words = re.sub(_PLACEHOLDER, "", text)
        if len(re.sub(r"\W", "", words)) < 4:
            continue
        parts = re.split(_PLACEHOLDER, " ".join(text.split()))
        regex = "".join(".+?" if re.fullmatch(_PLACEHOLDER, p) else re.escape(p) for p in parts)
        patterns.append((text, re.compile(regex)))
    return patterns


def english_left(page: str) -> set[str]:
    """Upstream strings shown untranslated on an HTML page."""
    tree = lxml_html.fromstring(page)
    for element in tree.xpath("//script|//style|//code|//pre"):
        element.drop_tree()
    texts = set()
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for text in (element.text, element.tail, *(
                element.get(a) for a in ("aria-label", "title", "placeholder", "alt"))):
            if text and text.strip():
                texts.add(" ".join(text.split()))
    return {source for source, pattern in untranslated_upstream()
            for text in texts if pattern.fullmatch(text)}


def test_the_catalogue_covers_what_upstream_leaves_english():
    """The patterns are not empty because French is missing upstream; the
    portal's catalogue is what translates them (see the page tests)."""
    assert any(text == "Skip to main content" for text, _ in untranslated_upstream())


def test_each_string_has_one_french_translation():
    """flask-babel merges the catalogues in plugin order, so a string in both
    would read one way or the other depending on ckan.plugins: the portal's
    own catalogue alone translates what the portal's code uses."""
    own, upstream = _portal_catalogues().values()
    both = {m.id for m in own if m.id} & {m.id for m in upstream if m.id}
    assert both == set()


def test_public_pages_have_no_upstream_english_left(app):
    dataset = api("package_create", **dataset_fields(
        title=f"Parcs et jardins {uuid.uuid4().hex[:6]}", tag_string="parcs,nature",
        resources=[{"url": "https://example.org/parcs.csv", "format": "CSV",
                    "name": "Parcs (CSV)"}]))
    resource = dataset["resources"][0]
    organization = dataset["organization"]["name"]
    pages = [
        "/", "/dataset", f"/dataset?q=parcs&tags=nature&organization={organization}",
        f"/dataset/{dataset['name']}", f"/dataset/{dataset['name']}/resource/{resource['id']}",
        "/organization", f"/organization/{organization}", "/group", "/user/login", "/harvest",
    ]
    left = {}
    for path in pages:
        response = app.get(path)
        assert response.status_code == 200, path
        english = english_left(response.get_data(as_text=True))
        if english:
            left[path] = sorted(english)
    assert left == {}


def test_steward_pages_have_no_upstream_english_left(app, admin_with_token):
    dataset = api("package_create", **dataset_fields())
    headers = {"Authorization": admin_with_token["token"]}
    left = {}
    for path in ["/dataset/new", f"/dataset/edit/{dataset['name']}",
                 f"/dataset/resources/{dataset['name']}", "/harvest/new",
                 f"/user/{admin_with_token['name']}", "/ckan-admin"]:
        response = app.get(path, headers=headers)
        assert response.status_code == 200, path
        english = english_left(response.get_data(as_text=True))
        if english:
            left[path] = sorted(english)
    assert left == {}
