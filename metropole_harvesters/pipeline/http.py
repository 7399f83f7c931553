"""HTTP for every harvester: one requests Session with bounded retries.

Why a module of its own: each protocol client (SensorThings, NGSI, and the
GIS harvesters of issue 6) must behave the same under faults — a timeout on
every request (a hung server never hangs a harvest job), retries with
back-off on 429/5xx that honour ``Retry-After`` but never wait longer than
``max_retry_after`` (a server asking for an hour would stall the job), and
error bodies turned into one exception type.

Every session is under the portal's outbound policy
(``metropole_core.outbound``): only http(s), no internal address
unless allow-listed, checked on the address connected to and on every
redirect. The message of a HarvestHTTPError is what editors read in the job
report: status, reason, host and at most the protocol's error *code* (OWS
exceptionCode, ArcGIS code, NGSI error type) — never the server's text, which
could be the body of an internal service; the server's own message goes to
the log.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.util.retry import Retry

from metropole_core import outbound

log = logging.getLogger(__name__)
USER_AGENT = "metropole-harvester/0.1 (+CKAN open-data portal)"


class HarvestHTTPError(Exception):
    """A request that failed for good (after retries): status, reason and
    host, ready to be recorded as a harvest error."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class BoundedRetry(Retry):
    """urllib3 Retry whose Retry-After wait is capped: the server's hint is
    honoured up to ``max_retry_after`` seconds, not blindly."""

    max_retry_after: float = 30.0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is None:
            return None
        return min(value, self.max_retry_after)

    def new(self, **kw: Any) -> BoundedRetry:
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff_factor: float = 0.5
    max_retry_after: float = 30.0


def make_session(settings: HttpSettings | None = None,
                 headers: dict[str, str] | None = None) -> requests.Session:
    """A Session retrying idempotent requests on connection errors, 429 and
    5xx, with exponential back-off and a capped Retry-After."""
    settings = settings or HttpSettings()
    retry = BoundedRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.max_retry_after,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        # Give the last response back instead of raising MaxRetryError, so the
        # caller can report the server's own error message.
        raise_on_status=False,
    )
    retry.max_retry_after = settings.max_retry_after
    session = outbound.protect(requests.Session(),
                               outbound.PolicyAdapter(max_retries=retry, pool_maxsize=8))
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept"] = "application/json"
    if headers:
        session.headers.update(headers)
    session.request_timeout = (settings.connect_timeout, settings.read_timeout)  # type: ignore[attr-defined]
    return session


def get(session: requests.Session, url: str, params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None) -> requests.Response:
    """GET with the session's timeout; failures become HarvestHTTPError."""
    timeout = getattr(session, "request_timeout", (10.0, 30.0))
    try:
        response = session.get(url, params=params, headers=headers, timeout=timeout)
    except outbound.OutboundRefused as error:
        raise HarvestHTTPError(str(error), url) from error
    except requests.exceptions.Timeout as error:
        raise HarvestHTTPError(f"timeout after {timeout[1]} s: {url}", url) from error
    except requests.exceptions.RetryError as error:
        raise HarvestHTTPError(f"gave up after retries: {error}", url) from error
    except requests.exceptions.ConnectionError as error:
        # Read timeouts that exhausted the retries arrive as a ConnectionError
        # wrapping urllib3's ReadTimeoutError: still a timeout for the report.
        if "Read timed out" in str(error):
            raise HarvestHTTPError(f"timeout after {timeout[1]} s (retried): {url}",
                                   url) from error
        # Refused, reset, unreachable: one message, so a report never tells
        # an open port from a closed one; the detail goes to the log.
        log.info("cannot connect to %s: %s", url, error)
        raise HarvestHTTPError(
            f"cannot connect to {outbound.display_host(url)} (connection failed)", url
        ) from error
    if response.status_code >= 400:
        log.info("HTTP %s from %s: %s", response.status_code, response.url,
                 error_message(response))
        code = error_code(response)
        raise HarvestHTTPError(
            f"HTTP {response.status_code} {outbound.safe_reason(response)} from "
            f"{outbound.display_host(response.url)}" + (f": {code}" if code else ""),
            response.url, response.status_code)
    return response


def get_json(session: requests.Session, url: str, params: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> tuple[Any, requests.Response]:
    """GET and decode JSON; an HTML page or truncated body on a 200 is an
    error too (proxies answer 200 with HTML; a cut connection truncates)."""
    response = get(session, url, params, headers)
    try:
        return json.loads(response.content), response
    except ValueError as error:
        ows = ows_exception(response.content)
        if ows:  # OGC services report errors as XML, often with HTTP 200
            log.info("%s: %s", response.url, ows)
            raise HarvestHTTPError(
                f"{outbound.display_host(response.url)}: {ows_code(response.content)}",
                response.url, response.status_code) from error
        kind = "an HTML page" if _looks_html(response) else "invalid or truncated JSON"
        raise HarvestHTTPError(
            f"{outbound.display_host(response.url)} returned {kind} "
            f"({len(response.content)} bytes)",
            response.url, response.status_code) from error


def error_message(response: requests.Response) -> str:
    """The server's own explanation, whatever the protocol's error shape (for
    the log only: it is the remote body)."""
    if _looks_html(response):
        return "HTML error page"
    ows = ows_exception(response.content)
    if ows:
        return ows
    try:
        body = response.json()
    except ValueError:
        return _short(response.text) or response.reason or ""
    if isinstance(body, dict):
        for keys in (("message",), ("title", "detail"), ("error", "description"),
                     ("description",), ("error",)):
            parts = [str(body[k]) for k in keys if isinstance(body.get(k), str | int)]
            if parts:
                return _short(": ".join(parts))
        if isinstance(body.get("error"), dict):  # ArcGIS {"error": {"message"}}
            return _short(str(body["error"].get("message", body["error"])))
    return _short(json.dumps(body))


# A protocol's error code is a short identifier (InvalidParameterValue,
# BadRequest, 498): anything else is free text from the server, not repeated.
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}|[0-9]{1,6}")


def _safe_code(value: Any) -> str | None:
    text = str(value).strip()
    return text if _CODE.fullmatch(text) else None


def error_code(response: requests.Response) -> str | None:
    """The protocol's structured error code, if the body has one: OWS
    exceptionCode, NGSI ``error``/ProblemDetails ``type``/``title`` tokens,
    ArcGIS ``error.code``, FROST ``code``."""
    if _looks_html(response):
        return None
    if ows_exception(response.content):
        return ows_code(response.content)
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("error"), dict):  # ArcGIS {"error": {"code": 498}}
        code = _safe_code(body["error"].get("code", ""))
        return f"ArcGIS error {code}" if code else "ArcGIS error"
    for key in ("error", "code", "type", "title"):
        value = body.get(key)
        if isinstance(value, str) and "/" in value:  # ProblemDetails type URI
            value = value.rstrip("/").rsplit("/", 1)[-1]
        code = _safe_code(value) if isinstance(value, str | int) else None
        if code:
            return code
    return None


def ows_code(body: bytes) -> str:
    """``OWS exception <exceptionCode>`` (the code only, never the text)."""
    match = _OWS_EXCEPTION.search(body)
    code = _OWS_CODE.search(match.group(1)) if match else None
    safe = _safe_code(code.group(1).decode("utf-8", "replace")) if code else None
    return f"OWS exception {safe}" if safe else "OWS exception"


_OWS_EXCEPTION = re.compile(
    rb"<(?:\w+:)?(?:Service)?Exception\b([^>]*)>(.*?)</(?:\w+:)?(?:Service)?Exception>", re.S)
_OWS_TEXT = re.compile(rb"<(?:\w+:)?ExceptionText>(.*?)</(?:\w+:)?ExceptionText>", re.S)
_OWS_CODE = re.compile(rb'(?:exceptionCode|code)="([^"]*)"')


def ows_exception(body: bytes) -> str | None:
    """The message of an OGC (WFS/WMS) ExceptionReport or ServiceExceptionReport,
    or None when the body is not one."""
    head = body[:4096]
    if b"ExceptionReport" not in head:
        return None
    match = _OWS_EXCEPTION.search(body)
    if not match:
        return "OWS exception report"
    code = _OWS_CODE.search(match.group(1))
    texts = _OWS_TEXT.findall(match.group(2)) or [match.group(2)]
    text = " ".join(t.decode("utf-8", "replace").strip() for t in texts)
    prefix = f"OWS exception {code.group(1).decode()}" if code else "OWS exception"
    return _short(f"{prefix}: {text}")


def same_origin_join(base: str, link: str) -> str:
    """Resolve a next link (relative or absolute) and refuse one that leaves
    the server we were asked to harvest."""
    resolved = urljoin(base, link)
    if urlsplit(resolved)[:2] != urlsplit(base)[:2]:
        raise HarvestHTTPError(f"next link leaves the server: {resolved}", base)
    return resolved


def _looks_html(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type or response.content[:200].lstrip().lower().startswith(
        (b"<!doctype html", b"<html"))


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
