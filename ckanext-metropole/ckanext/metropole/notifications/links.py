"""Absolute addresses for messages written outside a web request (jobs):
``ckan.site_url`` plus the portal's paths."""

from __future__ import annotations

import ckan.plugins.toolkit as toolkit

from . import tokens

SUBSCRIPTIONS_PATH = "/abonnements"
UNSUBSCRIBE_PATH = "/abonnements/desabonner"


def absolute(path: str, locale: str = "fr") -> str:
    prefix = "/en" if locale == "en" else ""
    return toolkit.config.get("ckan.site_url").rstrip("/") + prefix + path


def unsubscribe_url(subscription_id: str, locale: str = "fr") -> str:
    return absolute(f"{UNSUBSCRIBE_PATH}/{subscription_id}/"
                    f"{tokens.unsubscribe_token(subscription_id)}", locale)
