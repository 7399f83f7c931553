"""The visibility matrix: private, internal and draft datasets of Marseille
(each with tags, a link, an uploaded file and a DataStore table) and a
harvest source's credential, tried by everyone who must not read them,
through every read channel the portal has — none may carry any of their
distinctive strings. The people who may read them are asserted to see them,
so a channel that answers nothing to anyone cannot pass for a safe one.

Every distinctive value is ``<marker>-<what>`` (title, notes, tag, URL, file
name, row…): a search for the bare marker finds them, and a page that
merely echoes the query (a search box, a feed title) does not count as a
leak; ids are checked too, except in the one answer that echoes them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import requests
from ckan.tests.helpers import call_action

from ckanext.metropole.exports.formats import FORMATS as EXPORT_FORMATS

from ..helpers import AIX, MARSEILLE, api, org_name
from .conftest import Actor

THEME = "velo-pietons"
# Names stay unique in a test database that keeps earlier runs' datasets.
RUN = uuid.uuid4().hex[:6]
HARVEST_SECRET = f"zq7secretharvest{RUN}-apikey"
# A word in every secret dataset's notes: one search finds them all.
EVERY = f"zq7every{RUN}"

# Every field a visitor could ask package_search to facet on: the index's
# declared fields and the portal's own.
FACET_FIELDS = (
    "tags", "res_url", "text", "private_reason", "permission_labels", "res_name",
    "res_description", "res_format", "res_type", "title", "name", "notes", "id",
    "index_id", "url", "urls", "ckan_url", "download_url", "organization", "owner_org",
    "groups", "license_id", "capacity", "state", "dataset_type", "convention_ref",
    "access_level", "vocab_themes", "vocab_communes", "data_dict", "validated_data_dict",
    "title_string", "title_ngram", "name_ngram", "extras_private_reason",
    "extras_convention_ref", "config", "creator_user_id",
)

# The facets the portal's pages ask for (search.facets and the metropole's).
DECLARED_FACETS = ("organization", "groups", "tags", "res_format", "license_id",
                   "vocab_themes", "vocab_communes")


@dataclass
class Secret:
    """One dataset kept from some people, and the strings that betray it."""

    marker: str
    readers: frozenset[str]
    dataset: dict = field(default_factory=dict)
    resource_ids: list[str] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return f"{self.marker}-tag"

    @property
    def strings(self) -> list[str]:
        suffixes = ("title", "notes", "tag", "res", "url", "file", "content", "fmt",
                    "table", "row", "reason", "conv", "jeu")
        return [f"{self.marker}-{s}" for s in suffixes] + [self.dataset["id"],
                                                           *self.resource_ids]


SECRETS = {
    "partners": ({"access_level": "partners", "license_id": "partner-convention",
                  "private": True}, {"member_marseille", "editor_marseille", "sysadmin"}),
    "internal": ({"access_level": "internal", "license_id": "partner-convention",
                  "private": True}, {"member_marseille", "editor_marseille", "sysadmin"}),
    "openprivate": ({"access_level": "open", "license_id": "etalab-2.0", "private": True},
                    {"member_marseille", "editor_marseille", "sysadmin"}),
    # A draft is public-to-be; CKAN's permission labels let the members of
    # its organisation read it, as they read its private datasets.
    "draft": ({"access_level": "open", "license_id": "etalab-2.0", "private": False,
               "state": "draft"}, {"member_marseille", "editor_marseille", "sysadmin"}),
}
OUTSIDERS = ("anonymous", "registered", "editor_aix", "member_marseille")
# member_marseille is an outsider only to the harvest source's credential.
READERS = ("member_marseille", "editor_marseille", "sysadmin")


def _ok(answer: requests.Response, what: str) -> dict:
    assert answer.status_code == 200, f"{what}: {answer.status_code} {answer.text[:300]}"
    return answer.json()["result"]


def _create_secret(editor: Actor, kind: str) -> Secret:
    extra, readers = SECRETS[kind]
    marker = f"zq7secret{kind}{RUN}"
    secret = Secret(marker, frozenset(readers))
    fields = {
        "name": f"{marker}-jeu", "title": f"Relevés {marker}-title",
        "notes": f"Mesures confidentielles {marker}-notes {EVERY}.",
        "owner_org": org_name(MARSEILLE), "communes": [MARSEILLE, AIX], "themes": [THEME],
        "tags": [{"name": f"{marker}-tag"}], "convention_ref": f"{marker}-conv",
        "private_reason": f"En validation {marker}-reason",
        "url": f"https://example.org/{marker}-url/home",
        **extra,
    }
    if fields.get("state") == "draft":
        # The API ignores `state` from editors; the form's first stage makes
        # drafts this way (CKAN's dataset view sets allow_state_change).
        secret.dataset = call_action("package_create", context={
            "user": editor.name, "allow_state_change": True}, **fields)
    else:
        secret.dataset = _ok(editor.action("package_create", **fields), f"create {kind}")
    dataset_id = secret.dataset["id"]
    link = _ok(editor.action("resource_create", package_id=dataset_id, name=f"{marker}-res",
                             url=f"https://example.org/{marker}-url/data.csv",
                             format=f"{marker}-fmt"), "link resource")
    upload = requests.post(
        f"{editor.portal}/api/3/action/resource_create", timeout=60,
        headers={"Authorization": editor.token},
        data={"package_id": dataset_id, "name": f"{marker}-file", "format": "CSV"},
        files={"upload": (f"{marker}-file.csv", f"label\n{marker}-content\n".encode(),
                          "text/csv")})
    uploaded = _ok(upload, "upload")
    table = _ok(editor.action(
        "datastore_create", resource={"package_id": dataset_id, "name": f"{marker}-table"},
        fields=[{"id": "label", "type": "text"}, {"id": "value", "type": "int"}],
        records=[{"label": f"{marker}-row", "value": 7}], force=True), "datastore")
    secret.resource_ids = [link["id"], uploaded["id"], table["resource_id"]]
    secret.dataset = _ok(editor.action("package_show", id=dataset_id), "show")
    return secret


def _harvest_source() -> dict:
    """A harvest source of Marseille whose upstream credential is a secret."""
    return api("harvest_source_create", name=f"zq7-source-{RUN}",
               title="Moissonnage CKAN de Marseille", url="https://ckan.example.org/",
               source_type="metropole_ckan", owner_org=org_name(MARSEILLE),
               config=json.dumps({"api_key": HARVEST_SECRET}))


@dataclass
class World:
    secrets: dict[str, Secret]
    source: dict
    users: dict[str, Actor]

    def forbidden(self, role: str) -> list[str]:
        """The strings this role must never receive."""
        found = [s for secret in self.secrets.values() if role not in secret.readers
                 for s in secret.strings]
        if role not in ("editor_marseille", "sysadmin"):
            found.append(HARVEST_SECRET)
        return found

    @property
    def markers(self) -> list[str]:
        return [secret.marker for secret in self.secrets.values()]

    @property
    def tables(self) -> list[str]:
        """The DataStore resources (the last of each secret dataset)."""
        return [secret.resource_ids[-1] for secret in self.secrets.values()]

    def downloads(self) -> list[str]:
        """Paths of every resource's file, DataStore dump and exports."""
        paths = []
        for secret in self.secrets.values():
            for resource in secret.dataset["resources"]:
                url = resource["url"]
                if url.startswith(self.users["anonymous"].portal):
                    paths.append(url[len(self.users["anonymous"].portal):])
                paths += [f"/datastore/dump/{resource['id']}",
                          f"/dataset/{secret.dataset['id']}/resource/{resource['id']}"]
                paths += [f"/datastore/export/{resource['id']}/{fmt}" for fmt in EXPORT_FORMATS]
        return paths


@pytest.fixture
def world(shared_actors, module_data) -> World:
    if "world" not in module_data:
        editor = shared_actors["editor_marseille"]
        module_data["world"] = World(
            {kind: _create_secret(editor, kind) for kind in SECRETS}, _harvest_source(),
            shared_actors)
    return module_data["world"]


# --- the channels: each yields (request label, answer) ----------------------------

Answers = Iterator[tuple[str, requests.Response]]


def _api(actor: Actor, action: str, **data) -> tuple[str, requests.Response]:
    return f"{action} {json.dumps(data, ensure_ascii=False)[:120]}", actor.action(action,
                                                                                  **data)


def _page(actor: Actor, path: str) -> tuple[str, requests.Response]:
    return path, actor.get(path)


def search_by_marker(actor: Actor, w: World) -> Answers:
    for q in (EVERY, f"{EVERY}*", *w.markers):
        yield _api(actor, "package_search", q=q, include_private=True,
                   include_drafts=True, rows=1000)
    yield _api(actor, "package_search", q=f"notes:{EVERY}", defType="lucene",
               include_private=True, include_drafts=True, include_deleted=True)


def search_filters(actor: Actor, w: World) -> Answers:
    for secret in w.secrets.values():
        yield _api(actor, "package_search", fq=f'tags:"{secret.tag}"',
                   include_private=True, include_drafts=True)
    for fq in ("capacity:private", "state:draft", "+capacity:private +state:*",
               f"res_url:*{RUN}*", f"private_reason:*{RUN}*", "permission_labels:*",
               f"organization:{org_name(MARSEILLE)}", f"name:zq7secret*{RUN}-jeu"):
        yield _api(actor, "package_search", fq=fq, include_private=True,
                   include_drafts=True, rows=1000)


def search_facets(actor: Actor, w: World) -> Answers:
    # The portal's facets one by one; every other field in groups of four
    # (a refused field refuses its group, which leaks nothing either).
    declared = [name for name in FACET_FIELDS if name in DECLARED_FACETS]
    others = [name for name in FACET_FIELDS if name not in DECLARED_FACETS]
    groups = [[name] for name in declared] + [others[i:i + 4] for i in
                                               range(0, len(others), 4)]
    for names in groups:
        yield _api(actor, "package_search", q="*:*", rows=0, include_private=True,
                   include_drafts=True, **{"facet.field": names, "facet.mincount": 0,
                                           "facet.limit": -1})
    everything = {"facet.field": json.dumps(["tags", "res_url", "text"]),
                  "facet.mincount": "0", "facet.limit": "-1", "include_private": "true",
                  "include_drafts": "true", "q": EVERY}
    yield "package_search GET facets", actor.action("package_search", method="GET",
                                                    **everything)


def show_actions(actor: Actor, w: World) -> Answers:
    for secret in w.secrets.values():
        yield _api(actor, "package_show", id=secret.dataset["id"])
        yield _api(actor, "package_show", id=secret.dataset["name"])
        yield _api(actor, "package_activity_list", id=secret.dataset["id"])
        for rid in secret.resource_ids:
            yield _api(actor, "resource_show", id=rid)
        yield _api(actor, "resource_view_list", id=secret.resource_ids[-1])


def list_actions(actor: Actor, w: World) -> Answers:
    yield _api(actor, "package_list")
    yield _api(actor, "current_package_list_with_resources", limit=1000)
    yield _api(actor, "tag_list")
    yield _api(actor, "organization_list", all_fields=True, include_dataset_count=True)
    yield _api(actor, "group_list", all_fields=True, include_dataset_count=True)
    yield _api(actor, "organization_show", id=org_name(MARSEILLE), include_datasets=True)
    yield _api(actor, "organization_show", id=org_name(AIX), include_datasets=True)
    yield _api(actor, "group_show", id=THEME, include_datasets=True)
    yield _api(actor, "member_list", id=org_name(MARSEILLE), object_type="package")
    yield _api(actor, "member_list", id=THEME, object_type="package")
    yield _api(actor, "user_show", id=w.users["editor_marseille"].name,
               include_datasets=True)
    for secret in w.secrets.values():
        yield _api(actor, "tag_show", id=secret.tag, include_datasets=True)


def autocomplete_actions(actor: Actor, w: World) -> Answers:
    prefix = "zq7secret"
    yield _api(actor, "package_autocomplete", q=prefix, limit=100)
    yield _api(actor, "tag_autocomplete", q=prefix, limit=100)
    yield _api(actor, "format_autocomplete", q=prefix, limit=100)
    yield _api(actor, "tag_search", query=prefix, limit=100)
    yield _api(actor, "resource_search", query=f"name:{prefix}")
    yield _api(actor, "resource_search", query=f"url:{prefix}")
    for kind in ("dataset", "tag", "resource/format"):
        yield _page(actor, f"/api/2/util/{kind}/autocomplete?incomplete={prefix}&limit=100")


def activity_actions(actor: Actor, w: World) -> Answers:
    yield _api(actor, "organization_activity_list", id=org_name(MARSEILLE), limit=100)
    yield _api(actor, "group_activity_list", id=THEME, limit=100)
    yield _api(actor, "recently_changed_packages_activity_stream", limit=100)
    yield _api(actor, "user_activity_list", id=w.users["editor_marseille"].name, limit=100)
    if actor.token:
        yield _api(actor, "dashboard_activity_list", limit=100)
    for path in (f"/organization/activity/{org_name(MARSEILLE)}",
                 f"/user/activity/{w.users['editor_marseille'].name}", "/dashboard/"):
        yield _page(actor, path)
    for secret in w.secrets.values():
        yield _page(actor, f"/dataset/activity/{secret.dataset['name']}")


def datastore_actions(actor: Actor, w: World) -> Answers:
    for rid in w.tables:
        yield _api(actor, "datastore_search", resource_id=rid)
        yield _api(actor, "datastore_search_sql", sql=f'SELECT * FROM "{rid}"')
        yield _api(actor, "datastore_info", id=rid)
    yield _api(actor, "datastore_search", resource_id="_table_metadata")
    yield _api(actor, "datastore_search_sql", sql='SELECT * FROM "_table_metadata"')


def downloads(actor: Actor, w: World) -> Answers:
    for path in w.downloads():
        yield _page(actor, path)


def dcat_endpoints(actor: Actor, w: World) -> Answers:
    for fmt in ("ttl", "rdf", "jsonld", "xml"):
        yield _page(actor, f"/catalog.{fmt}?modified_since=2000-01-01")
    yield _page(actor, f"/catalog.ttl?q={EVERY}")
    yield _page(actor, f"/catalog.jsonld?fq=organization:{org_name(MARSEILLE)}")
    yield _page(actor, "/dcat.json")
    for secret in w.secrets.values():
        for fmt in ("ttl", "jsonld"):
            yield _page(actor, f"/dataset/{secret.dataset['id']}.{fmt}")


def html_pages(actor: Actor, w: World) -> Answers:
    for path in ("/", "/dataset/", f"/dataset/?q={EVERY}",
                 f"/organization/{org_name(MARSEILLE)}",
                 f"/organization/{org_name(MARSEILLE)}?q={EVERY}",
                 f"/organization/{org_name(AIX)}", f"/group/{THEME}",
                 f"/user/{w.users['editor_marseille'].name}", "/sitemap.xml"):
        yield _page(actor, path)
    for secret in w.secrets.values():
        yield _page(actor, f"/dataset/?tags={secret.tag}")
        yield _page(actor, f"/dataset/{secret.dataset['name']}")


def dashboards_and_harvest(actor: Actor, w: World) -> Answers:
    yield _page(actor, "/tableaux-de-bord/")
    yield _page(actor, "/harvest/")
    yield _page(actor, f"/harvest/{w.source['name']}")
    yield _page(actor, f"/harvest/about/{w.source['name']}")
    yield _page(actor, f"/harvest/{w.source['id']}/progress.json")
    yield _api(actor, "harvest_source_show", id=w.source["id"])
    yield _api(actor, "harvest_source_list")
    yield _api(actor, "package_show", id=w.source["id"])
    yield _api(actor, "package_search", q="*:*", fq="dataset_type:harvest", rows=100)
    yield _api(actor, "package_search", q="*:*", rows=0,
               **{"facet.field": ["config"], "facet.mincount": 0, "facet.limit": -1})


def feeds(actor: Actor, w: World) -> Answers:
    for path in ("/feeds/dataset.atom", f"/feeds/organization/{org_name(MARSEILLE)}.atom",
                 f"/feeds/group/{THEME}.atom", f"/feeds/custom.atom?q={EVERY}"):
        yield _page(actor, path)
    for secret in w.secrets.values():
        yield _page(actor, f"/feeds/tag/{secret.tag}.atom")


CHANNELS: dict[str, Callable[[Actor, World], Answers]] = {
    fn.__name__: fn for fn in (
        search_by_marker, search_filters, search_facets, show_actions, list_actions,
        autocomplete_actions, activity_actions, datastore_actions, downloads,
        dcat_endpoints, html_pages, dashboards_and_harvest, feeds)
}


def _leaks(answers: Answers, forbidden: list[str]) -> tuple[int, list[str]]:
    """(requests made, leaks): a string counts unless the request itself carried
    it (an id in an error message, a tag in a feed title)."""
    count, found = 0, []
    for label, answer in answers:
        count += 1
        asked = (label + (answer.request.url or "") + str(answer.request.body or "")).lower()
        body = answer.text.lower()
        found += [f"{answer.status_code} {label} → {secret}" for secret in forbidden
                  if secret.lower() in body and secret.lower() not in asked]
    return count, found


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nothing_private_reaches_an_outsider(world, role, subtests):
    """One subtest per channel (a cell of the matrix): the plugins are loaded
    per test, which would cost seconds per cell as separate tests. The
    channels are tried side by side, as several visitors would."""
    forbidden, actor = world.forbidden(role), world.users[role]
    with ThreadPoolExecutor(4) as pool:
        found = dict(zip(CHANNELS, pool.map(
            lambda answers: _leaks(answers(actor, world), forbidden), CHANNELS.values()),
            strict=True))
    for channel, (count, leaks) in found.items():
        with subtests.test(msg=channel, role=role):
            assert count > 0
            assert not leaks, (f"{len(leaks)} leak(s) in {channel} for {role}:\n"
                               + "\n".join(leaks[:30]))


@pytest.mark.parametrize("role", READERS)
def test_readers_do_see_what_they_may(world, role):
    """The controls: a matrix that sees nothing for anyone proves nothing."""
    actor = world.users[role]
    for secret in world.secrets.values():
        if role not in secret.readers:
            continue
        shown = _ok(actor.action("package_show", id=secret.dataset["id"]), role)
        assert shown["title"] == f"Relevés {secret.marker}-title"
        found = _ok(actor.action("package_search", q=secret.marker, include_private=True,
                                 include_drafts=True), role)
        assert [d["id"] for d in found["results"]] == [secret.dataset["id"]], role
        table = secret.resource_ids[-1]
        rows = _ok(actor.action("datastore_search", resource_id=table), role)["records"]
        assert rows[0]["label"] == f"{secret.marker}-row"
        file = next(r for r in secret.dataset["resources"] if r["url_type"] == "upload")
        download = actor.get(file["url"][len(actor.portal):])
        assert download.status_code == 200 and f"{secret.marker}-content" in download.text
        page = actor.get(f"/dataset/{secret.dataset['name']}")
        assert page.status_code == 200 and f"{secret.marker}-title" in page.text
