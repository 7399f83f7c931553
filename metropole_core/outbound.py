"""Outbound requests policy: the one place that decides where the portal may
connect on a user's behalf (harvest sources of every type, DCAT and CKAN
harvesting, any URL an editor types).

Why here and why this way: an editor chooses a harvest source's URL, so
without a policy the harvesters are a gateway into the portal's own network
(PostgreSQL, Redis, loopback services, the cloud metadata address) and onto
the local disk (ckanext-dcat opens a non-HTTP "URL" as a local path).

- Only ``http`` and ``https``.
- Loopback, private (RFC 1918, ULA), shared (CGNAT), link-local (including
  169.254.169.254, the metadata service), multicast, unspecified and
  reserved addresses are refused unless allow-listed.
- The address checked is the address connected to: the connection class
  below resolves the name, checks every address it resolves to, and connects
  to the checked address itself, so a name that resolves to a public address
  for the check and to 127.0.0.1 for the connection (DNS rebinding) gains
  nothing. Redirects go through the same adapter, hop by hop.
- ``ckanext.metropole.outbound.allowed`` lists the metropole's own internal
  servers (hosts, IP addresses or CIDR networks, each optionally with a
  port). In demo mode (``ckanext.metropole.demo = true``) the sample servers
  (``ckanext.metropole.runtime.samples_url``) are allowed too, and only then.

Use :func:`session` (or :func:`protect` on an existing requests Session) for
every request made on a user's behalf.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as toolkit
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

log = logging.getLogger(__name__)

ALLOWED_OPTION = "ckanext.metropole.outbound.allowed"
SCHEMES = frozenset({"http", "https"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 ranges that carry an IPv4 address: the embedded address decides.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundRefused(Exception):
    """A request the policy refuses. Not an OSError on purpose: urllib3 would
    retry it and requests would wrap it as an ordinary connection error."""

    # What was refused: "scheme" (not http/https), "url" (unreadable, no
    # host) or "address" (an internal address that is not allow-listed).
    def __init__(self, message: str, host: str = "", kind: str = "address") -> None:
        super().__init__(message)
        self.host = host
        self.kind = kind


def is_public(ip: IPAddress) -> bool:
    """True for an address on the public internet (what needs no listing)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if embedded is not None:
            return is_public(embedded)
        if ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified
                                 or ip.is_link_local or ip.is_loopback)


@dataclass(frozen=True)
class Policy:
    """Where internal connections are allowed: (host name, port or None) and
    (network, port or None). Public addresses are always allowed."""

    hosts: tuple[tuple[str, int | None], ...] = ()
    networks: tuple[tuple[IPNetwork, int | None], ...] = ()

    def allows(self, host: str, ip: IPAddress, port: int) -> bool:
        if is_public(ip):
            return True
        name = _normal_host(host)
        if any(name == h and p in (None, port) for h, p in self.hosts):
            return True
        return any(ip in net and p in (None, port) for net, p in self.networks)


def _normal_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def parse_entry(entry: str) -> tuple[str | IPNetwork, int | None]:
    """One allow-list entry: ``host``, ``host:port``, ``10.0.0.0/8``,
    ``10.1.2.3:8080``, ``[fd00::1]:8080`` or ``fd00::/8``."""
    text = entry.strip()
    port: int | None = None
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(f"{ALLOWED_OPTION}: invalid entry {entry!r}")
            port = int(rest[1:])
        text = inside
    elif text.count(":") == 1:
        text, _, port_text = text.partition(":")
        if not port_text.isdigit():
            raise ValueError(f"{ALLOWED_OPTION}: invalid port in {entry!r}")
        port = int(port_text)
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"{ALLOWED_OPTION}: invalid port in {entry!r}")
    try:
        return ipaddress.ip_network(text, strict=False), port
    except ValueError:
        pass
    if not text or "/" in text or ":" in text or " " in text:
        raise ValueError(f"{ALLOWED_OPTION}: invalid entry {entry!r}")
    return _normal_host(text), port


@functools.lru_cache(maxsize=16)
def _build(allowed: str, demo: bool, samples_url: str) -> Policy:
    entries = [e for e in allowed.replace(",", " ").split() if e]
    if demo and samples_url:
        parts = urlsplit(samples_url)
        if parts.hostname:
            entries.append(f"[{parts.hostname}]:{parts.port or 80}")
    hosts, networks = [], []
    for entry in entries:
        target, port = parse_entry(entry)
        if isinstance(target, str):
            hosts.append((target, port))
        else:
            networks.append((target, port))
    return Policy(tuple(hosts), tuple(networks))


def current_policy() -> Policy:
    """The policy of the running configuration (read on every connection, so
    a test or an admin changing the setting takes effect at once)."""
    config = toolkit.config
    allowed = config.get(ALLOWED_OPTION) or ""
    if not isinstance(allowed, str):
        allowed = " ".join(allowed)
    return _build(allowed, toolkit.asbool(config.get("ckanext.metropole.demo")),
                  config.get("ckanext.metropole.runtime.samples_url") or "")


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(_normal_host(host), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise socket.gaierror(f"cannot resolve {host}") from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


def checked_addresses(host: str, port: int, policy: Policy | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to, once each is checked; refused if
    any one is not allowed (a name mixing public and internal addresses is
    refused rather than raced)."""
    policy = policy or current_policy()
    addresses = _resolve(host, port)
    for ip in addresses:
        if not policy.allows(host, ip, port):
            log.warning("outbound request refused by policy: %s:%s resolves to %s",
                        host, port, ip)
            raise OutboundRefused(refusal_message(host), host)
    return addresses


def refusal_message(host: str) -> str:
    return (f"Adresse refusée par la politique des requêtes sortantes : {host} "
            f"(refused by the outbound policy)")


def check_url(url: str, resolve: bool = True) -> None:
    """Refuse a URL whose scheme is not http(s) or whose host is not allowed.
    With ``resolve`` False, only a literal IP address is checked (a name that
    does not resolve now may resolve later; the connection is checked then)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise OutboundRefused("URL invalide (invalid URL)", kind="url") from error
    if parts.scheme.lower() not in SCHEMES:
        raise OutboundRefused("Seules les adresses http et https sont acceptées "
                              "(only http and https URLs)", kind="scheme")
    host = parts.hostname
    if not host:
        raise OutboundRefused("URL sans nom d'hôte (URL without a host)", kind="url")
    try:
        literal = ipaddress.ip_address(_normal_host(host))
    except ValueError:
        literal = None
    if literal is not None:
        if not current_policy().allows(host, literal, port):
            raise OutboundRefused(refusal_message(host), host)
        return
    if resolve:
        # A name unknown now is left to the connection-time check.
        with contextlib.suppress(socket.gaierror):
            checked_addresses(host, port)


# -- the transport: connections that connect only to checked addresses -------------


class _CheckedConnectionMixin:
    """urllib3 connection whose socket goes to an address the policy checked,
    resolved here once (the address checked is the address connected to)."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        host = self._dns_host  # type: ignore[attr-defined]
        try:
            addresses = checked_addresses(host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error  # type: ignore[arg-type]
        last_error: OSError | None = None
        for ip in addresses:
            try:
                return urllib3_connection.create_connection(
                    (str(ip), self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options)
            except TimeoutError as error:
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out.") from error  # type: ignore[arg-type]
            except OSError as error:
                last_error = error
        raise NewConnectionError(
            self, f"Failed to establish a new connection: {last_error}")  # type: ignore[arg-type]


class CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


_POOLS = {"http": CheckedHTTPConnectionPool, "https": CheckedHTTPSConnectionPool}


class PolicyAdapter(HTTPAdapter):
    """requests adapter: every request, redirects included (requests sends
    each hop through the adapter of its scheme), is checked first by URL,
    then by the address its connection actually reaches. Through a proxy the
    connection goes to the proxy (which must be allowed) and the target is
    checked by URL."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = dict(_POOLS)
        return manager

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        check_url(request.url or "")
        return super().send(request, *args, **kwargs)


class _RefusingAdapter(HTTPAdapter):
    """For every scheme other than http(s): file://, ftp://… never fetched."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        check_url(request.url or "")  # raises: the scheme is not http(s)
        raise OutboundRefused("URL refusée (refused URL)")


def protect(session: requests.Session, adapter: HTTPAdapter | None = None) -> requests.Session:
    """Mount the policy on a requests Session (``adapter``: a PolicyAdapter
    built with the caller's retry settings)."""
    adapter = adapter or PolicyAdapter()
    if not isinstance(adapter, PolicyAdapter):
        raise TypeError("protect() needs a PolicyAdapter")
    session.adapters.clear()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.mount("", _RefusingAdapter())  # any other scheme
    return session


def session(**adapter_options: Any) -> requests.Session:
    """A requests Session under the policy."""
    return protect(requests.Session(), PolicyAdapter(**adapter_options))


class FetchFailed(Exception):
    """A fetch that failed, with a message fit for an editor: what failed and
    where (status, reason, host), never the remote body."""


def fetch(url: str, *, headers: dict[str, str] | None = None, timeout: float = 30,
          max_bytes: int = 50 * 1024 * 1024) -> requests.Response:
    """GET ``url`` under the policy; the body is read (at most ``max_bytes``)
    and the Response returned. Any failure is a FetchFailed whose message
    never repeats the server's answer; the details go to the log."""
    host = display_host(url)
    try:
        with session() as http:
            response = http.get(url, headers=headers, timeout=timeout, stream=True)
            if response.status_code >= 400:
                raise FetchFailed(f"HTTP {response.status_code} {safe_reason(response)} "
                                  f"({host})".replace("  ", " "))
            body = b""
            for chunk in response.iter_content(chunk_size=512 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchFailed(f"réponse trop volumineuse, plus de {max_bytes} octets "
                                      f"(response too large) ({host})")
            response._content = body
            return response
    except OutboundRefused as error:
        raise FetchFailed(str(error)) from error
    except requests.exceptions.Timeout as error:
        log.info("outbound fetch of %s timed out: %s", url, error)
        raise FetchFailed(f"délai dépassé (timeout) ({host})") from error
    except requests.exceptions.RequestException as error:
        # One message for refused, reset and unreachable: a report never
        # tells an open port from a closed one.
        log.info("outbound fetch of %s failed: %s", url, error)
        raise FetchFailed(f"connexion impossible (connection failed) ({host})") from error


def display_host(url: str) -> str:
    try:
        return urlsplit(url).netloc.rsplit("@", 1)[-1] or "?"
    except ValueError:
        return "?"


def safe_reason(response: requests.Response) -> str:
    """The reason phrase if it is one (a server controls it: no free text)."""
    reason = response.reason or ""
    return reason if len(reason) <= 40 and all(c.isalpha() or c in " '-" for c in reason) \
        else ""


def validate_setting(config: Any) -> None:
    """At start-up: an invalid allow-list stops the portal with the entry
    named, rather than silently allowing or refusing everything."""
    allowed = config.get(ALLOWED_OPTION) or ""
    for entry in (allowed if isinstance(allowed, str) else " ".join(allowed)
                  ).replace(",", " ").split():
        parse_entry(entry)


def update_config(config: Any) -> None:
    validate_setting(config)
