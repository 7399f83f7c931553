"""The datasets a reuse or a call points at: which may be linked (public,
active) and which a reader may see."""

from __future__ import annotations

import re

import ckan.plugins.toolkit as toolkit
from ckan import model

from . import fields

# A dataset given by its page's address: the last path segment.
_DATASET_URL = re.compile(r"/dataset/([^/?#]+)")


def parse_references(value: str | list | None) -> list[str] | None:
    """Names, ids or dataset page addresses, one per line or comma (None when
    ``value`` is neither text nor a list of texts)."""
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else fields.strings(value)
    if items is None:
        return None
    refs = []
    for item in items:
        item = item.strip()
        match = _DATASET_URL.search(item)
        ref = match.group(1) if match else item
        if ref and ref not in refs:
            refs.append(ref)
    return refs


def public_ids(refs: list[str]) -> tuple[list[str], list[str]]:
    """(ids of the public active datasets, references that are not one).
    A private dataset and a missing one get the same answer: the form must
    not tell a proposer that a private dataset exists."""
    ids, unknown = [], []
    for ref in refs:
        pkg = model.Package.get(ref)
        if pkg is None or pkg.state != "active" or pkg.private or pkg.type != "dataset":
            unknown.append(ref)
        elif pkg.id not in ids:
            ids.append(pkg.id)
    return ids, unknown


def linked(value: str | list | None,
           missing_message: str | None) -> tuple[list[str], dict[str, list[str]]]:
    """The ids of the datasets a form names, and its field-level errors
    (``missing_message`` when none is named and one is required)."""
    refs = parse_references(value)
    if refs is None:
        return [], {"datasets": [toolkit._("Names or addresses of datasets, as text.")]}
    ids, unknown = public_ids(refs)
    if unknown:
        return ids, {"datasets": [toolkit._("Not a public dataset of the portal: {refs}").format(
            refs=", ".join(unknown))]}
    if not ids and missing_message:
        return ids, {"datasets": [missing_message]}
    return ids, {}


def visible(ids: list[str], user: str) -> list[dict]:
    """The datasets among ``ids`` that ``user`` may read (one made private
    after being linked disappears for the others), as {name, title}."""
    shown = []
    for dataset_id in ids:
        pkg = model.Package.get(dataset_id)
        if pkg is None or pkg.state != "active":
            continue
        try:
            toolkit.check_access("package_show", {"user": user}, {"id": pkg.id})
        except toolkit.NotAuthorized:
            continue
        shown.append({"id": pkg.id, "name": pkg.name, "title": pkg.title or pkg.name,
                      "owner_org": pkg.owner_org})
    return shown


def readable_id(dataset_id, user: str) -> list[str]:
    """``[id]`` of a dataset ``user`` may read, else ``[]``: a search by
    dataset (what offers or uses it) must not confirm that a private dataset
    is linked to anyone who cannot read it."""
    shown = visible([str(dataset_id)], user)
    return [shown[0]["id"]] if shown else []
