"""HarvestObjects as the memory of a source between runs.

The *current* object of a guid is the last one imported successfully: its
content is the state the next run starts from (sensor watermarks, GIS layer
absences). A failed run never becomes current, so it changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from ckan import model
from ckan.lib import search
from ckanext.harvest.model import HarvestObject


def current_objects(source_id: str) -> dict[str, dict[str, Any]]:
    """Content of the current (last successfully imported) object per guid."""
    rows = model.Session.query(HarvestObject.guid, HarvestObject.content,
                               HarvestObject.package_id) \
        .filter(HarvestObject.harvest_source_id == source_id) \
        .filter(HarvestObject.current == True)  # noqa: E712 (SQL expression)
    out = {}
    for guid, content, package_id in rows:
        try:
            out[guid] = {"package_id": package_id, **json.loads(content or "{}")}
        except ValueError:
            continue
    return out


def make_current(obj: Any, package_id: str | None) -> None:
    """Make ``obj`` its guid's current object, linked to ``package_id``.

    ckanext-harvest's ``before_dataset_index`` indexes a dataset's
    ``harvest_source_id`` from its *current* object, but the dataset was
    written before this object became current (a failed publish must never
    become current). So when the dataset had no current object of this
    source yet, it is indexed again: otherwise the source's page and
    ``fq=harvest_source_id:…`` would miss it until its next change, which an
    unchanged GIS layer never has.
    """
    already_linked = package_id is not None and model.Session.query(HarvestObject.id) \
        .filter(HarvestObject.harvest_source_id == obj.harvest_source_id) \
        .filter(HarvestObject.package_id == package_id) \
        .filter(HarvestObject.current == True) \
        .filter(HarvestObject.id != obj.id).first() is not None  # noqa: E712
    model.Session.query(HarvestObject) \
        .filter(HarvestObject.harvest_source_id == obj.harvest_source_id) \
        .filter(HarvestObject.guid == obj.guid) \
        .filter(HarvestObject.current == True) \
        .filter(HarvestObject.id != obj.id) \
        .update({"current": False}, synchronize_session=False)  # noqa: E712
    obj.current = True
    obj.package_id = package_id
    obj.save()
    if package_id and not already_linked:
        search.rebuild(package_id)
