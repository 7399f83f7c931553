"""Login throttling: too many failed logins on one account, or from one
client address, and the login form refuses further attempts (even with the
right password) until the window has passed.

Why here: CKAN 2.12 has no throttling of its own (no such option in its
config declaration), and its login view checks a password as fast as a
client can post (the probe made 15 wrong tries in 0.5 s, then the right one
worked). Counters live in the portal's Redis so every gunicorn worker and web
node shares them.

How: ``IAuthenticator.login`` runs at the start of CKAN's login view, before
it reads the password, so a blocked attempt never reaches the password check.
Failures are counted from CKAN's ``failed_login`` signal (sent by its default
authenticator), and a successful login resets the account's counter (not the
address's: one good account must not unlock guessing on others).
Unknown logins are counted like real ones, so throttling does not tell which
accounts exist.
"""

from __future__ import annotations

import hashlib
import logging

from ckan import model, plugins
from ckan.common import config, request
from ckan.lib import base, signals
from ckan.lib import helpers as h
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit
from flask import Response, make_response

log = logging.getLogger(__name__)

_WINDOW = "ckanext.metropole.security.login.window"
_PER_ACCOUNT = "ckanext.metropole.security.login.max_failures_per_account"
_PER_ADDRESS = "ckanext.metropole.security.login.max_failures_per_address"


def _key(kind: str, value: str) -> str:
    # Hashed: Redis needs no copy of people's logins or addresses.
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"{config.get('ckan.site_id')}:metropole:login-failures:{kind}:{digest}"


def account_key(login: str) -> str:
    """One counter per account whether its name or its email is typed."""
    login = (login or "").strip()
    user = model.User.by_name(login) or model.User.by_email(login)
    return _key("account", user.id if user else login.lower())


def address_key(address: str | None) -> str:
    return _key("address", address or "unknown")


def _limits(login: str) -> list[tuple[str, int]]:
    return [(account_key(login), int(config.get(_PER_ACCOUNT))),
            (address_key(request.remote_addr), int(config.get(_PER_ADDRESS)))]


def seconds_blocked(login: str) -> int:
    """Seconds before this login from this address may be tried again (0: now)."""
    redis = connect_to_redis()
    waits = [max(redis.ttl(key), 1) for key, limit in _limits(login)
             if int(redis.get(key) or 0) >= limit]
    return max(waits, default=0)


def record_failure(login: str) -> None:
    redis = connect_to_redis()
    window = int(config.get(_WINDOW))
    for key, _limit in _limits(login):
        with redis.pipeline() as pipe:
            # The window starts at the first failure and is not extended
            # (INCR keeps the expiry SET gave; EXPIRE NX needs Redis 7).
            pipe.set(key, 0, ex=window, nx=True).incr(key).execute()


def reset_account(user: model.User) -> None:
    connect_to_redis().delete(_key("account", user.id))


def login() -> Response | None:
    """IAuthenticator.login: refuse a blocked login before any password check."""
    if request.method != "POST":
        return None
    wait = seconds_blocked(request.form.get("login", ""))
    if not wait:
        return None
    log.warning("Login refused (throttled) from %s", request.remote_addr)
    minutes = -(-wait // 60)
    h.flash_error(toolkit._(
        "Too many failed login attempts for this account or from this address. "
        "Try again in {minutes} minutes.").format(minutes=minutes))
    response = make_response(base.render("user/login.html", {}), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _on_failed_login(login: str, **_kwargs) -> None:
    if plugins.plugin_loaded("metropole_security"):
        record_failure(login)


def _on_logged_in(_sender, user: model.User | None = None, **_kwargs) -> None:
    if user is not None and plugins.plugin_loaded("metropole_security"):
        reset_account(user)


def update_config(_config) -> None:
    # Module-level receivers: blinker keeps weak references, and connecting
    # the same function twice (plugin reloads) is a no-op.
    signals.failed_login.connect(_on_failed_login)
    signals.user_logged_in.connect(_on_logged_in)
