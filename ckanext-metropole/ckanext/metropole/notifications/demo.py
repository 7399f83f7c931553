"""The demo's follower: Léa, a reuser who follows a demo dataset by email
and a theme by daily digest. Her first notices (a new dataset, a published
reuse) are produced at load time so the sysadmins' outbox
(/ckan-admin/boite-d-envoi) shows what the portal sends; with no SMTP in
``make run`` they stay there. Loaded once by the demo loader."""

from __future__ import annotations

import secrets

import ckan.plugins.toolkit as toolkit
import click
from ckan import model

from . import dispatch, events
from .model import Subscription

DEMO_FOLLOWER = {"name": "lea-martin", "fullname": "Léa Martin",
                 "email": "lea.martin@example.org"}
FOLLOWED_DATASET = "parkings-relais-metropole"
FOLLOWED_THEME = "mobilite"


def load_demo_notifications() -> None:
    dataset = model.Package.get(FOLLOWED_DATASET)
    if dataset is None:
        return
    user = model.User.get(DEMO_FOLLOWER["name"])
    if user is None:
        # Nobody logs in as her: a random password, never shown.
        user = model.User(password=secrets.token_urlsafe(24), **DEMO_FOLLOWER)
        model.Session.add(user)
        model.Session.flush()
    elif model.Session.query(Subscription).filter_by(user_id=user.id).first() is not None:
        return
    for object_type, object_id, title, channel in (
            ("dataset", dataset.id, dataset.title, "email"),
            ("theme", FOLLOWED_THEME, "Mobilité", "digest")):
        model.Session.add(Subscription(
            user_id=user.id, object_type=object_type, object_id=object_id,
            object_title=title, channel=channel, webhook_url="", locale="fr", active=True,
            consecutive_failures=0))
    model.Session.commit()
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    shown = toolkit.get_action("package_show")(
        {"user": site_user["name"], "ignore_auth": True}, {"id": dataset.id})
    title = {"title": shown["title"]}
    reached = dispatch.dispatch(events.dataset_event(
        shown, [["dataset_created", title]], events.readers_view(shown)))
    from ..community.model import Reuse

    reuse = (model.Session.query(Reuse)
             .filter(Reuse.status == "published", Reuse.dataset_ids.any(dataset.id)).first())
    if reuse is not None:
        reached += dispatch.dispatch(events.reuse_event(reuse.as_dict()))
    click.echo(f"Demo notifications produced: {reached}")
