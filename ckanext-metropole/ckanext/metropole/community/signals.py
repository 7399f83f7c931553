"""The community's events, as blinker signals in CKAN's ``ckanext``
namespace (``ckan.lib.signals``), for another component (notifications) to
connect to. This module is the one list of them and of their payloads.

Every signal is sent with ``sender`` = the object's id and these keyword
arguments:

``metropole_reuse_published``
    ``reuse``: the reuse's dict (``metropole_reuse_show``'s fields, dataset
    ids included: a receiver checks what each recipient may read),
    ``moderator``: the moderator's user name.
``metropole_reuse_refused``
    ``reuse``, ``moderator``, ``reason``.
``metropole_data_request_status_changed``
    ``request``: the request's dict (``metropole_data_request_show``),
    ``old_status``, ``new_status`` (new, in_progress, published, refused),
    ``by``: the user name (a steward, a sysadmin, or the portal when a linked
    dataset closes it). The requester is ``request["creator_user_id"]``.
``metropole_call_published``
    ``call``: the call's dict (``metropole_call_show``'s fields, dataset ids
    included), ``publisher``: the user name. Sent when a call becomes
    published (at creation or later), never for a draft.
"""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit

REUSE_PUBLISHED = "metropole_reuse_published"
REUSE_REFUSED = "metropole_reuse_refused"
CALL_PUBLISHED = "metropole_call_published"
DATA_REQUEST_STATUS_CHANGED = "metropole_data_request_status_changed"

ALL = (REUSE_PUBLISHED, REUSE_REFUSED, CALL_PUBLISHED, DATA_REQUEST_STATUS_CHANGED)


def send(name: str, sender: str, **payload) -> None:
    assert name in ALL, name
    toolkit.signals.ckanext.signal(name).send(sender, **payload)
