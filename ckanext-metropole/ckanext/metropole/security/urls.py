"""URL fields accept only web addresses; links from data never run script.

A resource URL ``javascript:alert(1)`` was accepted and rendered as a
clickable link. ``metropole_safe_url`` (validator) refuses any scheme other
than http and https on every URL field of our schemas (resource URL, contact
and publisher sites, organisation website and image); values without a
scheme stay accepted: they are the names of uploaded files. Browsers ignore
tabs, newlines and leading control characters in a scheme
(``java\\tscript:``), so those are removed before the scheme is read.

For data stored before the validator, ``h.metropole_safe_url`` neutralises
a link at render time in our templates, and the strict CSP of the reading
pages (headers.py) stops a ``javascript:`` link from running anywhere else.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit

SAFE_SCHEMES = frozenset({"http", "https"})
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def is_safe_url(value: str) -> bool:
    """True for http(s) URLs and scheme-less (relative, uploaded) names."""
    cleaned = _IGNORED_BY_BROWSERS.sub("", value or "")
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return not scheme or scheme in SAFE_SCHEMES


def metropole_safe_url(value: Any) -> Any:
    if isinstance(value, str) and value and not is_safe_url(value):
        raise toolkit.Invalid(toolkit._(
            "Only web addresses starting with http:// or https:// are accepted."))
    return value


def safe_url_helper(value: Any) -> str:
    """The URL if it is safe to put in an href, else an empty string."""
    return value if isinstance(value, str) and is_safe_url(value) else ""


def validators() -> dict[str, Any]:
    return {"metropole_safe_url": metropole_safe_url}


def helpers() -> dict[str, Any]:
    return {"metropole_safe_url": safe_url_helper}
