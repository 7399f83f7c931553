"""Security headers on every response (issue 12, "Headers and errors"):
CSP, frame, nosniff and referrer policies; HSTS and Secure cookies only
when the site is HTTPS; a session that does not live a year."""

from __future__ import annotations

import time

import pytest
import requests

from ckanext.metropole.security.headers import content_security_policy


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/dataset", "/organization", "/api/3/action/status_show",
                                  "/user/login", "/page-qui-n-existe-pas", "/base/robots.txt"])
def test_every_response_carries_the_security_headers(portal, path):
    answer = requests.get(f"{portal}{path}", timeout=60)
    assert answer.headers["X-Content-Type-Options"] == "nosniff", path
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN", path
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
    csp = _directives(answer.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'self'"] and csp["object-src"] == ["'none'"], path
    assert "https://tile.openstreetmap.org" in csp["img-src"], path
    # Plain HTTP (the test site): no HSTS, which would lock browsers out.
    assert "Strict-Transport-Security" not in answer.headers, path


def test_reading_pages_forbid_inline_script(portal):
    for path in ("/", "/dataset", "/organization"):
        csp = _directives(requests.get(f"{portal}{path}", timeout=60)
                          .headers["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], path


def test_tile_host_follows_the_configuration():
    config = {"ckanext.spatial.common_map.custom_url":
              "https://data.geopf.fr/wmts?LAYER=X&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"}
    csp = _directives(content_security_policy(config, strict=True))
    assert "https://data.geopf.fr" in csp["img-src"]


def test_session_cookie_lives_hours_not_a_year(actors):
    """CKAN's default: a login lasted a year (PERMANENT_SESSION_LIFETIME)."""
    logged_in = [c for c in actors["registered"].cookies.cookies
                 if c.name in ("ckan", "remember_token")]
    assert logged_in
    for cookie in logged_in:
        limit = 24 * 3600 if cookie.name == "ckan" else 8 * 24 * 3600
        assert cookie.expires is not None and cookie.expires - time.time() <= limit, cookie
        assert not cookie.secure  # plain HTTP test site


def test_https_site_gets_hsts_and_secure_cookies():
    """Not over a live server: a second site URL would leak into CKAN's
    global state (url_for) for the tests after it."""
    from ckanext.metropole.security import headers

    def site(url: str) -> dict:
        return {"ckan.site_url": url, "ckanext.metropole.security.hsts_max_age": 31536000,
                "ckanext.metropole.security.inline_types": ["text/plain"]}

    def served(config: dict) -> dict:
        answered = {}

        def start_response(status, response_headers, exc_info=None):
            answered.update(response_headers)

        inner = headers.SecurityHeaders(
            lambda environ, start: start("200 OK", [("Content-Type", "text/html")]) or [b""],
            config)
        inner({"PATH_INFO": "/"}, start_response)
        return answered

    https, http = site("https://portail.example.org"), site("http://127.0.0.1:5000")
    assert served(https)["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in served(http)
    headers.update_config(https)
    headers.update_config(http)
    assert https["SESSION_COOKIE_SECURE"] is True and https["REMEMBER_COOKIE_SECURE"] is True
    assert "SESSION_COOKIE_SECURE" not in http
