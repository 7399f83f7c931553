"""A harvest source's configuration is a secret of its organisation.

Why: the configuration holds what the harvester needs to read the source,
including credentials (the CKAN harvester sends ``api_key`` upstream as its
Authorization header). ckanext-harvest returns it to anyone who may see the
source — every visitor for a public one — through ``harvest_source_show``,
``package_show`` (a source is a package of type ``harvest``),
``harvest_source_list``, ``package_search`` (the index holds the dict and
the ``config`` field, facetable), the activity stream (each version of the
source), and so DCAT.

Here: the configuration is kept where ckanext-harvest keeps it (the
harvest_source table, mirrored in a package extra) and shown only to the
source's managers (editors and admins of its organisation, sysadmins):

- ``package_show`` (and so harvest_source_show, DCAT) and
  ``harvest_source_list`` drop it for anyone else; for managers it is read
  back from the harvest_source table (the search index no longer has it).
- the search index never receives it: not as a field, not in the stored
  dicts that ``package_search`` and ``package_show`` return.
- activities of a source are stored without it (the activity stream shows
  every past version of a package to whoever may read the package).
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckanext.harvest.model import HarvestSource

from .harvest_auth import may_manage_source
from .visibility import label_activity, show_or_not_found

SOURCE_TYPE = "harvest"
CONFIG = "config"


# A source's own fields: ckanext-harvest's show schema copies each key of the
# configuration onto the dict (harvest_source_convert_from_config), so any
# other top-level key that the configuration has came from it.
_SOURCE_FIELDS = frozenset({
    "id", "name", "title", "type", "url", "notes", "owner_org", "organization", "private",
    "state", "source_type", "frequency", "status", "extras", "resources", "tags", "groups",
    "metadata_created", "metadata_modified", "creator_user_id", "author", "author_email",
    "maintainer", "maintainer_email", "license_id", "version", "num_tags", "num_resources",
    "relationships_as_subject", "relationships_as_object", "active", "dataset_type"})


def _config_keys(dataset: dict[str, Any]) -> set[str]:
    """The keys the configuration spreads onto the dict (read from the
    harvest_source table when the dict no longer carries it)."""
    raw = dataset.get(CONFIG)
    if not isinstance(raw, str):
        source = HarvestSource.get(dataset.get("id")) if dataset.get("id") else None
        raw = source.config if source is not None else None
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return set()
    return set(parsed) - _SOURCE_FIELDS if isinstance(parsed, dict) else set()


def strip_config(dataset: dict[str, Any], keys: set[str] | None = None) -> dict[str, Any]:
    """The dict without the configuration, wherever ckanext-harvest puts it
    (a top-level field, its keys copied on the dict, a package extra, the
    index's extras_ field)."""
    keys = _config_keys(dataset) if keys is None else keys
    for key in keys | {CONFIG, f"extras_{CONFIG}"}:
        dataset.pop(key, None)
    if isinstance(dataset.get("extras"), list):
        dataset["extras"] = [e for e in dataset["extras"]
                             if not (isinstance(e, dict) and e.get("key") == CONFIG)]
    return dataset


def _guard(context: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    if dataset.get("type") != SOURCE_TYPE:
        return dataset
    if not may_manage_source(context, dataset.get("id")):
        return strip_config(dataset)
    if CONFIG not in dataset:  # read from the index, which never holds it
        source = HarvestSource.get(dataset.get("id"))
        if source is not None:
            dataset[CONFIG] = source.config
    return dataset


@toolkit.chained_action
@toolkit.side_effect_free
def package_show(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    return _guard(context, show_or_not_found(up, context, data_dict))


@toolkit.chained_action
@toolkit.side_effect_free
def harvest_source_list(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    # Harvest's action never checks access, which CKAN answers with a 500
    # ("did not call its auth function") on every API call.
    toolkit.check_access("harvest_source_list", context, data_dict)
    sources = up(context, data_dict)
    for source in sources:
        if not may_manage_source(context, source.get("id")):
            source.pop(CONFIG, None)
    return sources


@toolkit.chained_action
def activity_create(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    """An activity stores the whole package as it was, for every reader of the
    source's activity stream: a source's is stored without its configuration."""
    data = data_dict.get("data")
    package = data.get("package") if isinstance(data, dict) else None
    if isinstance(package, dict) and package.get("type") == SOURCE_TYPE:
        strip_config(package)
    label_activity(data_dict)
    return up(context, data_dict)


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Nothing of the configuration reaches the index (fields or stored dicts)."""
    if pkg_dict.get("dataset_type", pkg_dict.get("type")) != SOURCE_TYPE:
        return pkg_dict
    keys = _config_keys(pkg_dict)
    strip_config(pkg_dict, keys)
    for stored in ("data_dict", "validated_data_dict"):
        if isinstance(pkg_dict.get(stored), str):
            pkg_dict[stored] = json.dumps(strip_config(json.loads(pkg_dict[stored]), keys))
    return pkg_dict


def actions() -> dict[str, Any]:
    return {"package_show": package_show, "harvest_source_list": harvest_source_list,
            "activity_create": activity_create}
