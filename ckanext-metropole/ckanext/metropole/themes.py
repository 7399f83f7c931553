"""Theme groups: one CKAN group per theme of ``schemas/vocabularies/themes.yaml``."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from metropole_core import vocabularies

from .communes.loader import LoadReport


def load_theme_groups() -> LoadReport:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    report = LoadReport()
    for theme in vocabularies.themes().values():
        desired = {"title": theme.label["fr"], "description": theme.description["fr"]}
        group = model.Group.get(theme.slug)
        if group is None or group.state != "active":
            action = "group_create" if group is None else "group_patch"
            payload = {"name": theme.slug, **desired} if group is None else {
                "id": group.id, "state": "active", **desired}
            toolkit.get_action(action)(dict(context), payload)
            report.created.append(theme.slug)
        elif (group.title, group.description) != (desired["title"], desired["description"]):
            toolkit.get_action("group_patch")(dict(context), {"id": group.id, **desired})
            report.updated.append(theme.slug)
        else:
            report.unchanged.append(theme.slug)
    return report
