"""Harvest actions that ckanext-harvest leaves open, closed to the people who
manage the source (its organisation's editors and admins) and sysadmins.

What was open upstream, and why it matters:

- ``harvest_source_reindex`` has an auth function but the action never calls
  it: any anonymous visitor could re-trigger indexing of any source's
  datasets (a cheap denial of service).
- ``harvest_abort_failed_jobs`` never checks either: anyone could mark the
  running jobs of every source as failed.
- ``harvest_object_show`` / ``harvest_object_list`` are allowed to everyone:
  a harvest object holds the raw document fetched from the source, also for
  datasets we withdrew (made private) or fetched with the source's API key.
- ``harvest_abort_failed_jobs`` and ``harvest_log_list`` have no auth
  function of their own: ckanext-harvest registers its actions and auth
  functions through one shared dict (a mutable default argument), so the
  "auth function" of each is the action itself. Here: their own auth
  functions (the log of every source: sysadmins only).

- The sysadmin-only auth functions (harvest_jobs_run, harvest_job_abort,
  harvest_sources_clear, harvest_sources_reindex, harvest_objects_import,
  harvest_job_create_all) crash for anonymous visitors (a misspelt
  exception in ckanext-harvest's user_is_sysadmin): HTTP 500 instead of 403.
  Replaced by the same rule without the crash.

Every auth function here is chained (the upstream one is replaced, not called)
because ckanext-harvest already registers one under each name.

Checked and left as upstream (each already requires the right to update the
source, or sysadmin): harvest_job_create, harvest_send_job_to_gather_queue,
harvest_source_clear, harvest_source_job_history_clear,
harvest_source_index_clear, harvest_job_show, harvest_job_report,
harvest_job_list, harvest_source_update/patch/delete (package auth),
harvest_jobs_run, harvest_job_abort, harvest_sources_reindex,
harvest_sources_job_history_clear, harvest_objects_import,
harvest_job_create_all, harvest_object_create (sysadmin).
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckanext.harvest.model import HarvestObject, HarvestSource


def may_manage_source(context: dict[str, Any], source_id: str | None) -> bool:
    """Whether the caller may update the harvest source (editor or admin of
    its organisation, sysadmin). Internal calls with ignore_auth may."""
    if context.get("ignore_auth"):
        return True
    source = HarvestSource.get(source_id) if source_id else None
    if source is None:
        return False
    try:
        toolkit.check_access("harvest_source_update",
                             {"model": model, "user": context.get("user") or "",
                              "auth_user_obj": context.get("auth_user_obj")},
                             {"id": source.id})
    except (toolkit.NotAuthorized, toolkit.ObjectNotFound):
        return False
    return True


def _is_sysadmin(context: dict[str, Any]) -> bool:
    user = model.User.get(context.get("user") or "")
    return bool(user and user.sysadmin)


def _denied() -> dict[str, Any]:
    return {"success": False,
            "msg": toolkit._("Only the editors of the harvest source's organisation "
                             "and sysadmins may do this.")}


def _source_ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [i.strip() for i in value.split(",") if i.strip()]
    return []


# -- auth functions ---------------------------------------------------------------


@toolkit.chained_auth_function
def harvest_abort_failed_jobs(_upstream: Any, context: dict[str, Any],
                              data_dict: dict[str, Any]) -> dict[str, Any]:
    """Sysadmins for every source; an editor only for the sources named in
    ``include``, each of which they manage."""
    if _is_sysadmin(context):
        return {"success": True}
    ids = _source_ids(data_dict.get("include"))
    if ids and all(may_manage_source(context, i) for i in ids):
        return {"success": True}
    return _denied()


@toolkit.chained_auth_function
@toolkit.auth_allow_anonymous_access
def harvest_object_show(_upstream: Any, context: dict[str, Any], data_dict: dict[str, Any]
                        ) -> dict[str, Any]:
    obj = None
    if data_dict.get("id"):
        obj = HarvestObject.get(data_dict["id"])
    elif data_dict.get("dataset_id"):
        package = model.Package.get(data_dict["dataset_id"])
        obj = package and model.Session.query(HarvestObject).filter(
            HarvestObject.package_id == package.id).first()
    if obj is not None and may_manage_source(context, obj.harvest_source_id):
        return {"success": True}
    return _denied()


@toolkit.chained_auth_function
def harvest_object_list(_upstream: Any, context: dict[str, Any], data_dict: dict[str, Any]
                        ) -> dict[str, Any]:
    if _is_sysadmin(context) or may_manage_source(context, data_dict.get("source_id")):
        return {"success": True}
    return _denied()


@toolkit.chained_auth_function
def harvest_log_list(_upstream: Any, context: dict[str, Any], data_dict: dict[str, Any]
                     ) -> dict[str, Any]:
    if _is_sysadmin(context):
        return {"success": True}
    return {"success": False, "msg": toolkit._("Only sysadmins may read the harvest log.")}


# -- actions that never checked -----------------------------------------------------


def _sysadmins_only(name: str) -> Any:
    @toolkit.chained_auth_function
    def auth(_upstream: Any, context: dict[str, Any], data_dict: dict[str, Any]
             ) -> dict[str, Any]:
        # Sysadmins never get here (CKAN lets them through first).
        return {"success": False, "msg": toolkit._("Only sysadmins may do this.")}

    auth.__name__ = name
    return auth


SYSADMIN_ONLY = ("harvest_jobs_run", "harvest_job_abort", "harvest_sources_clear",
                 "harvest_sources_reindex", "harvest_objects_import", "harvest_job_create_all")


@toolkit.chained_action
def harvest_source_reindex(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # Upstream's own auth function (the right to update the source).
    toolkit.check_access("harvest_source_reindex", context, data_dict)
    return up(context, data_dict)


@toolkit.chained_action
def harvest_abort_failed_jobs_action(up: Any, context: dict[str, Any],
                                     data_dict: dict[str, Any]) -> Any:
    toolkit.check_access("harvest_abort_failed_jobs", context, data_dict)
    # Upstream turns a missing life_span into a TypeError (a 500): its default.
    if data_dict.get("life_span") in (None, ""):
        data_dict = {**data_dict, "life_span": 7}
    return up(context, data_dict)


def actions() -> dict[str, Any]:
    return {"harvest_source_reindex": harvest_source_reindex,
            "harvest_abort_failed_jobs": harvest_abort_failed_jobs_action}


def auth_functions() -> dict[str, Any]:
    return {"harvest_abort_failed_jobs": harvest_abort_failed_jobs,
            "harvest_object_show": harvest_object_show,
            "harvest_object_list": harvest_object_list,
            "harvest_log_list": harvest_log_list,
            **{name: _sysadmins_only(name) for name in SYSADMIN_ONLY}}
