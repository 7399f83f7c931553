"""Datasets that disappear from a harvest source are withdrawn, not deleted:
made private with the reason, so that nothing a reuser linked to vanishes
silently and the steward can decide (as data.gouv.fr archives, not deletes).
"""

from __future__ import annotations

import datetime

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra


def mark_missing(guids_in_source: list[str], harvest_job) -> list[str]:
    """Harvest objects, flagged ``withdraw``, for the datasets this source
    gave before and no longer lists."""
    query = model.Session.query(HarvestObject.guid, HarvestObject.package_id).filter(
        HarvestObject.current.is_(True),
        HarvestObject.harvest_source_id == harvest_job.source.id)
    previous = {guid: package_id for guid, package_id in query if package_id}
    object_ids = []
    for guid in set(previous) - set(guids_in_source):
        obj = HarvestObject(guid=guid, job=harvest_job, package_id=previous[guid],
                            extras=[HarvestObjectExtra(key="status", value="withdraw")])
        # The withdrawn dataset stays linked to its guid: should it come
        # back at the source, the next harvest updates and republishes it.
        obj.current = False
        obj.save()
        object_ids.append(obj.id)
    return object_ids


def is_withdrawal(harvest_object) -> bool:
    return any(extra.key == "status" and extra.value == "withdraw"
               for extra in harvest_object.extras)


def withdraw(harvest_object, user: str) -> bool:
    """Make the dataset private with the reason; keep everything else."""
    today = datetime.date.today().isoformat()
    reason = (f"Retiré le {today} : ce jeu ne figure plus dans la source moissonnée "
              f"{harvest_object.source.url}.")
    try:
        current = toolkit.get_action("package_show")({"ignore_auth": True},
                                                     {"id": harvest_object.package_id})
        if current.get("private"):
            return True  # withdrawn already (or by hand): keep the first reason
        toolkit.get_action("package_patch")(
            {"user": user, "ignore_auth": True},
            {"id": harvest_object.package_id, "private": True, "private_reason": reason})
    except toolkit.ObjectNotFound:
        return True  # already gone: nothing to withdraw
    return True
