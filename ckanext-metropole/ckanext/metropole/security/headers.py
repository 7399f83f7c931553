"""Security headers on every response, and downloads that cannot run script.

Every response gets ``X-Content-Type-Options: nosniff``, a frame policy
(same origin only: resource views are iframes of our own pages), a referrer
policy, a Content-Security-Policy, and HSTS when the site is served over
HTTPS. Files that users uploaded (resources, organisation and group images,
DataStore dumps) are served with a sandboxing CSP, and as attachments unless
their type is in a short list of types that browsers display without running
anything: an uploaded ``.html`` or ``.svg`` is then a download, never a page
of the portal's origin.

Why a WSGI middleware rather than Flask's ``after_request``: it also covers
what Flask's hooks miss (error pages raised by middleware, static files,
answers of the request limits part), and sees the final Content-Type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from .wsgi import wrap_wsgi

# Routes that serve users' files (optional /<locale> prefix): resource
# downloads, uploaded organisation/group/user images, DataStore dumps.
FILE_ROUTES = re.compile(
    r"^(?:/[a-z]{2}(?:_[A-Z]{2})?)?"
    r"(?:/dataset/[^/]+/resource/[^/]+/download(?:/|$)"
    r"|/[^/]+/[^/]+/resource/[^/]+/download(?:/|$)"
    r"|/uploads/"
    r"|/datastore/dump/)")

DOWNLOAD_CSP = "sandbox; default-src 'none'"

# Pages whose templates (CKAN's, ckanext-scheming's, our own) have no inline
# script, inline event handler or ``javascript:`` link: they get a CSP
# without 'unsafe-inline', so a script that slipped into data could not run
# even if a template forgot to escape it, and a stored ``javascript:`` link
# does nothing when clicked. These are the pages that show the public's
# data. Forms and views keep 'unsafe-inline' because upstream templates put
# inline handlers in them (resource upload field, scheming's repeating
# fields, datatables' refit button, the views' ``preload_resource``).
STRICT_ENDPOINTS = frozenset({
    "home.index", "home.about",
    "dataset.search", "dataset.read", "resource.read",
    "organization.index", "organization.read", "organization.about",
    "group.index", "group.read", "group.about",
    "metropole_dashboards.index", "metropole_dashboards.theme",
    "harvest.search", "harvest.read", "harvest.about", "harvest_source.read",
})


def _host_source(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc.split('@')[-1]}"
    return None


def content_security_policy(config: Any, *, strict: bool) -> str:
    """The portal's CSP. Map tiles come from the configured tile host."""
    tiles = [host for host in (_host_source(str(config.get(
        "ckanext.spatial.common_map.custom_url") or "")),) if host]
    tiles += config.get("ckanext.metropole.security.csp_extra_img_src") or []
    script = "'self'" if strict else "'self' 'unsafe-inline'"
    return "; ".join([
        "default-src 'self'",
        f"script-src {script}",
        # Leaflet, Plotly and Bootstrap set style attributes and <style> nodes.
        "style-src 'self' 'unsafe-inline'",
        # Any https image: user avatars (Gravatar, image_url), image views
        # of linked resources; the tile host even when it is plain http.
        "img-src " + " ".join(["'self'", "data:", "blob:", "https:", *tiles]),
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def is_https_site(config: Any) -> bool:
    return str(config.get("ckan.site_url") or "").lower().startswith("https://")


def update_config(config: Any) -> None:
    """Cookies only over HTTPS when the site is HTTPS."""
    if is_https_site(config):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True


def _media_type(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def _attachment(headers: list[tuple[str, str]]) -> str:
    """Content-Disposition forced to attachment, keeping the file name."""
    for name, value in headers:
        if name.lower() == "content-disposition":
            params = value.split(";", 1)
            return "attachment" + (f";{params[1]}" if len(params) > 1 else "")
    return "attachment"


class SecurityHeaders:
    def __init__(self, app: Callable, config: Any) -> None:
        self.app = app
        self.strict_csp = content_security_policy(config, strict=True)
        self.relaxed_csp = content_security_policy(config, strict=False)
        self.inline_types = frozenset(
            t.lower() for t in config.get("ckanext.metropole.security.inline_types") or [])
        self.hsts = (f"max-age={config.get('ckanext.metropole.security.hsts_max_age')}; "
                     "includeSubDomains") if is_https_site(config) else None

    def _page_csp(self, environ: dict) -> str:
        endpoint = environ.get("metropole.endpoint")
        return self.strict_csp if endpoint in STRICT_ENDPOINTS else self.relaxed_csp

    def _secured(self, environ: dict, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        is_file = bool(FILE_ROUTES.match(environ.get("PATH_INFO", "")))
        replaced = {"x-content-type-options", "x-frame-options", "referrer-policy",
                    "content-security-policy", "strict-transport-security"}
        media_type = _media_type(headers)
        download = is_file and media_type not in self.inline_types
        if download:
            replaced.add("content-disposition")
        out = [(n, v) for n, v in headers if n.lower() not in replaced]
        out += [("X-Content-Type-Options", "nosniff"),
                ("X-Frame-Options", "SAMEORIGIN"),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("Content-Security-Policy",
                 DOWNLOAD_CSP if is_file else self._page_csp(environ))]
        if download:
            out.append(("Content-Disposition", _attachment(headers)))
        if self.hsts:
            out.append(("Strict-Transport-Security", self.hsts))
        return out

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def secured_start(status: str, headers: list, exc_info: Any = None):
            return start_response(status, self._secured(environ, headers), exc_info)

        return self.app(environ, secured_start)


def _remember_endpoint() -> None:
    # The middleware runs outside Flask: the endpoint is passed in environ.
    from flask import request

    request.environ["metropole.endpoint"] = request.endpoint


def blueprints() -> list:
    from flask import Blueprint

    blueprint = Blueprint("metropole_security_headers", __name__)
    blueprint.before_app_request(_remember_endpoint)
    return [blueprint]


def wrap_app(app: Any, config: Any) -> Any:
    return wrap_wsgi(app, lambda inner: SecurityHeaders(inner, config))

