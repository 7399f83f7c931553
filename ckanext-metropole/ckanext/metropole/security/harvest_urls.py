"""A harvest source's URL is checked when it is saved, on the ``url`` field.

Why at save time as well as at fetch time: the fetch-time policy
(``outbound.py``) is what protects, but an editor should learn at once, on
the form, that ``/etc/passwd``, ``file://…`` or ``http://127.0.0.1:6379``
will never be harvested, instead of finding a failed job later. A host name
that does not resolve now is accepted (DNS may change); the connection is
checked when the harvest runs.

Sources are packages of type ``harvest``: the source form, the API's
harvest_source_create/update/patch and package_create/update/patch all go
through package_create or package_update, chained here.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from metropole_core import outbound

SOURCE_TYPE = "harvest"


def url_error(url: Any) -> str | None:
    """The message for the ``url`` field, or None when the URL may be harvested."""
    if not isinstance(url, str) or not url.strip():
        return None  # ckanext-harvest's schema reports a missing URL itself
    try:
        outbound.check_url(url.strip())
    except outbound.OutboundRefused as refused:
        if refused.kind == "scheme":
            return toolkit._("Only http:// and https:// addresses can be harvested.")
        if refused.kind == "url":
            return toolkit._("This address is not a valid web address.")
        return toolkit._("This address is internal or local ({host}): the portal does not "
                         "fetch it. A sysadmin can allow the metropole's own servers "
                         "(ckanext.metropole.outbound.allowed).").format(host=refused.host)
    return None


def _check(data_dict: dict[str, Any], dataset_type: str | None) -> None:
    if dataset_type != SOURCE_TYPE or "url" not in data_dict:
        return
    message = url_error(data_dict["url"])
    if message:
        raise toolkit.ValidationError({"url": [message]})


@toolkit.chained_action
def package_create(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    _check(data_dict, data_dict.get("type"))
    return up(context, data_dict)


@toolkit.chained_action
def package_update(up: Any, context: dict[str, Any], data_dict: dict[str, Any]) -> Any:
    existing = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    _check(data_dict, data_dict.get("type") or (existing.type if existing else None))
    return up(context, data_dict)


def actions() -> dict[str, Any]:
    return {"package_create": package_create, "package_update": package_update}
