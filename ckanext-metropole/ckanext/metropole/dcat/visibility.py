"""What may leave the portal through an export: only public, active datasets
whose access level is open. Private, draft and internal datasets never appear
in the DCAT catalogue, per-dataset RDF, DCAT JSON or schema.org data — not
even for a signed-in steward who may see them on the site, because exports
are copied and cached by harvesters.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

EXPORTABLE_ACCESS = {"open"}


def exportable(dataset: dict[str, Any]) -> bool:
    return (not dataset.get("private")
            and dataset.get("state", "active") == "active"
            and (dataset.get("access_level") or "open") in EXPORTABLE_ACCESS
            and dataset.get("type", "dataset") == "dataset")


def anonymous(context: dict) -> dict:
    """The caller's context, as nobody: the search then only returns what
    anyone may see (public, active datasets)."""
    return {key: value for key, value in context.items()
            if key not in ("user", "auth_user_obj", "ignore_auth")} | {
        "user": "", "auth_user_obj": None, "ignore_auth": False}


@toolkit.chained_action
def dcat_dataset_show(original: Any, context: dict, data_dict: dict) -> Any:
    try:
        dataset = toolkit.get_action("package_show")(
            anonymous(context), {"id": data_dict.get("id")})
    except toolkit.NotAuthorized:
        dataset = {"private": True}  # as for anyone: it does not exist
    if not exportable(dataset):
        raise toolkit.ObjectNotFound(toolkit._("Dataset not found"))
    return original(context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(original: Any, context: dict, data_dict: dict) -> Any:
    return original(anonymous(context), data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_search(original: Any, context: dict, data_dict: dict) -> Any:
    return original(anonymous(context), data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_datasets_list(original: Any, context: dict, data_dict: dict) -> Any:
    return original(anonymous(context), data_dict)


@toolkit.chained_helper
def structured_data(original: Any, dataset_dict: dict, profiles: Any = None) -> str:
    """No schema.org block on the page of a dataset that is not exportable."""
    if not exportable(dataset_dict):
        return ""
    return original(dataset_dict, profiles)


def get_actions() -> dict[str, Any]:
    return {"dcat_dataset_show": dcat_dataset_show, "dcat_catalog_show": dcat_catalog_show,
            "dcat_catalog_search": dcat_catalog_search,
            "dcat_datasets_list": dcat_datasets_list}
