"""Read channels that CKAN answers from the database, not from the search
index, restricted to what the user may read.

Why: CKAN's permission labels filter ``package_search`` (and so our search
backend's facets), but several actions read tables directly and list what
belongs to private and draft datasets:

- ``tag_list``, ``tag_search``, ``tag_autocomplete`` (and the
  ``/api/2/util/tag/autocomplete`` view) list every free tag in use;
- ``format_autocomplete`` lists the formats of every resource;
- ``member_list`` on an organisation or a group lists the ids of its private
  and draft datasets;
- ckanext-activity filters activity streams by labels only for activities
  whose type ends in "package": a "new resource view" activity (stored with
  no labels) shows the ids of a private dataset and its resource in the
  organisation's and the user's streams; every activity dict also carries
  its ``permission_labels``;
- ``package_show`` of an unreadable dataset by name answered 403 "not
  authorized to read package <uuid>": it confirmed the dataset and gave its
  id;
- ``datastore_search`` on ``_table_metadata`` (CKAN's default
  ``ckan.datastore.public_table_search``) lists every DataStore table, so
  the resource ids of private datasets.

Here: tags and formats are the facets of a ``package_search`` made as the
user (the search only knows what the user may read); packages listed by
``member_list`` and resource-view activities are kept when the user may
``package_show`` them; an unreadable dataset is "not found".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.lib.plugins import get_permission_labels

# Activities ckanext-activity does not filter by permission labels although
# their object is a dataset (its filter only applies to types ending in
# "package").
_UNLABELLED_PACKAGE_ACTIVITIES = ("resource view",)

ACTIVITY_LISTS = (
    "user_activity_list", "package_activity_list", "group_activity_list",
    "organization_activity_list", "recently_changed_packages_activity_list",
    "dashboard_activity_list",
)


def _user_context(context: dict[str, Any]) -> dict[str, Any]:
    """A fresh context for the same user (actions change the context they get)."""
    return {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}


def _is_sysadmin(context: dict[str, Any]) -> bool:
    return bool(context.get("ignore_auth")) or authz.is_sysadmin(context.get("user"))


def _readable_facet(context: dict[str, Any], field: str) -> set[str]:
    """Every value of a facet over the datasets the user may read."""
    result = toolkit.get_action("package_search")(_user_context(context), {
        "q": "*:*", "rows": 0, "facet.field": [field], "facet.limit": -1,
        "facet.mincount": 1, "include_private": True, "include_drafts": True})
    return set(result.get("facets", {}).get(field, {}))


def _may_read_package(context: dict[str, Any], package_id: str) -> bool:
    try:
        toolkit.check_access("package_show", _user_context(context), {"id": package_id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False
    return True


def _paged(items: list, data_dict: dict[str, Any]) -> list:
    offset = toolkit.asint(data_dict.get("offset") or 0)
    limit = data_dict.get("limit")
    return items[offset:offset + toolkit.asint(limit)] if limit not in (None, "") \
        else items[offset:]


def _without_paging(data_dict: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data_dict.items() if k not in ("limit", "offset")}


def _free_tags(data_dict: dict[str, Any]) -> bool:
    """Vocabulary tags are the vocabulary's declared values, not data."""
    return not data_dict.get("vocabulary_id")


# Tags --------------------------------------------------------------------------

def _readable_tags_action(name: str, items_of: Callable[[Any], list],
                          answer: Callable[[list, dict[str, Any]], Any]) -> Callable:
    """A chained tag action whose free tags are those of readable datasets;
    CKAN's paging is applied after the filter (before, a page of hidden
    tags would come back short)."""
    @toolkit.side_effect_free
    @toolkit.chained_action
    def action(up: Callable, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        if _is_sysadmin(context) or not _free_tags(data_dict):
            return up(context, data_dict)
        readable = _readable_facet(context, "tags")
        found = [t for t in items_of(up(context, _without_paging(data_dict)))
                 if (t["name"] if isinstance(t, dict) else t) in readable]
        return answer(found, data_dict)

    action.__name__ = name
    return action


def _same(items: list) -> list:
    return items


tag_list = _readable_tags_action("tag_list", _same, _paged)
tag_autocomplete = _readable_tags_action("tag_autocomplete", _same, _paged)
tag_search = _readable_tags_action(
    "tag_search", lambda answer: answer["results"],
    lambda found, data_dict: {"count": len(found), "results": _paged(found, data_dict)})


# Formats -----------------------------------------------------------------------

@toolkit.side_effect_free
@toolkit.chained_action
def format_autocomplete(up: Callable, context: dict[str, Any],
                        data_dict: dict[str, Any]) -> Any:
    if _is_sysadmin(context):
        return up(context, data_dict)
    readable = {f.lower() for f in _readable_facet(context, "res_format")}
    # CKAN orders by use and cuts at `limit`: ask for all, then cut.
    formats = [f for f in up(context, {**data_dict, "limit": None}) if f in readable]
    return formats[:toolkit.asint(data_dict.get("limit") or 5)]


# Members -----------------------------------------------------------------------

def _readable_packages(context: dict[str, Any], ids: Iterable[str]) -> set[str]:
    ids = set(ids)
    if not ids:
        return set()
    public = {p.id for p in model.Session.query(model.Package.id).filter(
        model.Package.id.in_(ids), model.Package.state == "active",
        model.Package.private.is_(False))}
    return public | {i for i in ids - public if _may_read_package(context, i)}


@toolkit.side_effect_free
@toolkit.chained_action
def member_list(up: Callable, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    members = up(context, data_dict)
    if _is_sysadmin(context):
        return members
    readable = _readable_packages(context, (m[0] for m in members if m[1] == "package"))
    return [m for m in members if m[1] != "package" or m[0] in readable]


# Activities --------------------------------------------------------------------

def _unlabelled(activity: dict[str, Any]) -> bool:
    kind = activity.get("activity_type") or ""
    return kind.endswith(_UNLABELLED_PACKAGE_ACTIVITIES)


def label_activity(data_dict: dict[str, Any]) -> None:
    """Store a resource-view activity with its dataset's permission labels,
    as ckanext-activity does for package activities (for activity_show)."""
    if not _unlabelled(data_dict) or data_dict.get("permission_labels"):
        return
    package = model.Package.get(data_dict.get("object_id"))
    if package is not None:
        data_dict["permission_labels"] = get_permission_labels().get_dataset_labels(package)


def readable_activities(context: dict[str, Any],
                        activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Activities of datasets the user may not read dropped (for the types
    ckanext-activity leaves unfiltered), and no activity's labels shown."""
    if not _is_sysadmin(context):
        ids = {a.get("object_id") for a in activities if _unlabelled(a)}
        readable = _readable_packages(context, (i for i in ids if i))
        activities = [a for a in activities
                      if not _unlabelled(a) or a.get("object_id") in readable]
    for activity in activities:
        activity.pop("permission_labels", None)
    return activities


def _activity_list(name: str) -> Callable:
    @toolkit.side_effect_free
    @toolkit.chained_action
    def filtered(up: Callable, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
        return readable_activities(context, up(context, data_dict))

    filtered.__name__ = name
    return filtered


@toolkit.side_effect_free
@toolkit.chained_action
def activity_show(up: Callable, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    activity = up(context, data_dict)
    if isinstance(activity, dict):
        activity.pop("permission_labels", None)
    return activity


# Datasets ----------------------------------------------------------------------

def show_or_not_found(up: Callable, context: dict[str, Any],
                      data_dict: dict[str, Any]) -> Any:
    """package_show, where a dataset the user may not read is not found: the
    refusal named its id and confirmed that it exists."""
    try:
        return up(context, data_dict)
    except toolkit.NotAuthorized:
        raise toolkit.ObjectNotFound(toolkit._("Dataset not found")) from None


# Collaborators -----------------------------------------------------------------

def _collaborator_auth(name: str) -> Callable:
    """CKAN asserts that the dataset and the user exist: anonymous visitors
    and unknown ids were a 500 instead of a refusal."""
    @toolkit.chained_auth_function
    def checked(next_auth: Callable, context: dict[str, Any],
                data_dict: dict[str, Any] | None = None) -> dict[str, Any]:
        package_id = (data_dict or {}).get("id")
        if not package_id or model.Package.get(package_id) is None:
            return {"success": False, "msg": toolkit._("Dataset not found")}
        if model.User.get(context.get("user") or "") is None:
            return {"success": False, "msg": toolkit._("You must be logged in.")}
        return next_auth(context, data_dict)

    checked.__name__ = name
    return checked


# The part ----------------------------------------------------------------------

def update_config(config: Any) -> None:
    # CKAN's default lets datastore_search read `_table_metadata`, the list
    # of every DataStore table: the resource ids of private datasets.
    config["ckan.datastore.public_table_search"] = []


def actions() -> dict[str, Any]:
    return {"tag_list": tag_list, "tag_search": tag_search,
            "tag_autocomplete": tag_autocomplete, "format_autocomplete": format_autocomplete,
            "member_list": member_list, "activity_show": activity_show,
            **{name: _activity_list(name) for name in ACTIVITY_LISTS}}


def auth_functions() -> dict[str, Any]:
    return {name: _collaborator_auth(name)
            for name in ("package_collaborator_create", "package_collaborator_delete")}
