"""The Atom feed of the published innovation calls (feedgen, as CKAN's own
feeds: it escapes every text through lxml). Drafts never appear; the datasets
offered are not listed, so a private one cannot leak through it."""

from __future__ import annotations

import datetime

import ckan.plugins.toolkit as toolkit
from feedgen.feed import FeedGenerator
from flask import Blueprint, make_response

from . import calls

feeds = Blueprint("metropole_community_feeds", __name__)


@feeds.route("/appels/flux.atom")
def calls_feed():
    found = toolkit.get_action("metropole_call_search")({"user": ""}, {"rows": 100})
    site = toolkit.config.get("ckan.site_url").rstrip("/")
    kinds = calls.kind_labels()
    statuses = calls.status_labels()
    feed = FeedGenerator()
    feed.id(f"{site}/appels")
    feed.title(toolkit._("Innovation calls") + " — " + toolkit.config.get("ckan.site_title"))
    feed.link(href=f"{site}/appels", rel="alternate")
    feed.link(href=f"{site}/appels/flux.atom", rel="self")
    feed.language(toolkit.h.lang() or "fr")
    feed.updated(datetime.datetime.now(datetime.timezone.utc))
    for call in found["results"]:
        url = site + toolkit.url_for("metropole_community.call", call_id=call["id"])
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(call["title"])
        entry.link(href=url)
        entry.updated(datetime.datetime.fromisoformat(call["modified"]).replace(
            tzinfo=datetime.timezone.utc))
        entry.summary("{kind} — {status} — {opening} → {closing}\n\n{description}".format(
            kind=kinds.get(call["kind"], call["kind"]), status=statuses[call["status"]],
            opening=call["opening_date"], closing=call["closing_date"],
            description=call["description"]))
        if call["issuer"]:
            entry.author({"name": call["issuer"]["title"]})
    response = make_response(feed.atom_str(pretty=True))
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response
