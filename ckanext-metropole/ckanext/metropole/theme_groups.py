"""Keeping a dataset's theme groups in step with its ``themes`` field, so
that each theme page (/group/<slug>) lists its datasets.

Runs inside package_create/update, before CKAN indexes and commits, so the
group membership is part of the same transaction and of the same index
document. Groups that are not themes are left alone.
"""

from __future__ import annotations

import json

import ckan.model as model

from metropole_core import vocabularies


def sync(package_id: str, themes: list[str] | str | None) -> None:
    if isinstance(themes, str):
        themes = json.loads(themes) if themes.startswith("[") else [themes]
    wanted = set(themes or []) & set(vocabularies.themes())
    package = model.Package.get(package_id)
    if package is None:
        return
    members = model.Session.query(model.Member).filter(
        model.Member.table_name == "package", model.Member.table_id == package.id,
        model.Member.state == "active").all()
    current = {}
    for member in members:
        group = member.group
        if group is not None and not group.is_organization and group.name in vocabularies.themes():
            current[group.name] = member
    for slug in set(current) - wanted:
        current[slug].state = "deleted"
    for slug in wanted - set(current):
        group = model.Group.get(slug)
        if group is None or group.state != "active":
            continue  # theme groups not loaded yet (`ckan metropole themes load`)
        model.Session.add(model.Member(table_name="package", table_id=package.id,
                                       group=group, capacity="public", state="active"))
    model.Session.flush()
