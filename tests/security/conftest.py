"""The security suite's world: the real portal over HTTP (tests/live_server.py)
and the people of the threat model, each with an API token and a browser-like
session logged in through the login form (cookie + CSRF token), so every test
can try a request both ways.

Actors (README, "Security"): anonymous visitors, a plain registered user, a
member and an editor of Marseille, an editor of Aix (another commune), and a
sysadmin."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests

from ..helpers import AIX, MARSEILLE, api, ensure_catalogue, org_name
from ..live_server import LiveServer

PASSWORD = "Correct-Horse-Battery-42"
_CSRF_INPUT = re.compile(r'name="_csrf_token"\s+value="([^"]+)"')


@pytest.fixture
def portal(request, ckan_config, load_portal_plugins) -> Iterator[str]:
    """The portal's URL, served over HTTP for the test (for the whole module
    when it says ``ONE_WORLD_PER_MODULE = True``)."""
    if _one_world(request):
        yield request.getfixturevalue("shared_portal")
        return
    server = LiveServer(ckan_config)
    yield server.url
    server.stop()


def _one_world(request) -> bool:
    """Whether the test's module shares one server and one set of people
    between its tests: those that only read, publish and try (no test logs a
    person out, locks or changes them) save ~3.5 s of app, users and logins a
    test."""
    return getattr(request.module, "ONE_WORLD_PER_MODULE", False)


def csrf_token(session: requests.Session, url: str) -> str:
    """The CSRF token of a form page, as a browser would read it."""
    page = session.get(url, timeout=30)
    match = _CSRF_INPUT.search(page.text)
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


@dataclass
class Actor:
    """One person of the threat model against the live portal."""

    role: str
    portal: str
    user: dict | None = None
    token: str | None = None
    cookies: requests.Session = field(default_factory=requests.Session)

    @property
    def name(self) -> str:
        return self.user["name"] if self.user else ""

    def login(self) -> None:
        """Logs in through the login form; the session keeps the cookie."""
        token = csrf_token(self.cookies, f"{self.portal}/user/login")
        answer = self.cookies.post(f"{self.portal}/user/login", timeout=30, data={
            "login": self.name, "password": PASSWORD, "_csrf_token": token})
        assert answer.ok and "/user/login" not in answer.url, (
            f"login of {self.name} failed: {answer.status_code} {answer.url}")

    def action(self, action: str, *, via: str = "token", method: str = "POST",
               forged: bool = False, **data) -> requests.Response:
        """Calls an API action with the token (default) or the session cookie.
        A cookie POST sends the CSRF header as CKAN's JavaScript does, unless
        ``forged`` (what another site's page could send)."""
        url = f"{self.portal}/api/3/action/{action}"
        session = self.cookies if via == "cookie" else requests.Session()
        headers = {"Authorization": self.token} if via == "token" and self.token else {}
        if via == "cookie" and method == "POST" and not forged:
            headers["X-CSRFToken"] = csrf_token(self.cookies, f"{self.portal}/user/edit")
        if method == "GET":
            return session.get(url, params=data, headers=headers, timeout=60)
        return session.post(url, json=data, headers=headers, timeout=60)

    def get(self, path: str, **kwargs) -> requests.Response:
        """A page or download, as this person's browser (cookie) sees it."""
        kwargs.setdefault("timeout", 60)
        return self.cookies.get(f"{self.portal}{path}", **kwargs)


def _person(role: str, portal: str, *, sysadmin: bool = False,
            commune: str | None = None, capacity: str | None = None) -> Actor:
    from ckan.tests import factories

    # Names of our own: Faker's small name pool collides with users kept in
    # the test database from an earlier run ("username is already associated").
    unique = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:10]}"
    user = (factories.Sysadmin if sysadmin else factories.User)(
        name=unique, email=f"{unique}@example.org", password=PASSWORD)
    if commune:
        api("organization_member_create", id=org_name(commune), username=user["name"],
            role=capacity)
    token = api("api_token_create", user=user["name"], name="security-suite")["token"]
    actor = Actor(role, portal, user, token)
    actor.login()
    return actor


def _everyone(portal: str) -> dict[str, Actor]:
    return {
        "anonymous": Actor("anonymous", portal),
        "registered": _person("registered", portal),
        "member_marseille": _person("member_marseille", portal, commune=MARSEILLE,
                                    capacity="member"),
        "editor_marseille": _person("editor_marseille", portal, commune=MARSEILLE,
                                    capacity="editor"),
        "editor_aix": _person("editor_aix", portal, commune=AIX, capacity="editor"),
        "sysadmin": _person("sysadmin", portal, sysadmin=True),
    }


@pytest.fixture
def actors(request, catalogue) -> dict[str, Actor]:
    """Everyone of the threat model, by role (see `_one_world`)."""
    if _one_world(request):
        return request.getfixturevalue("shared_actors")
    return _everyone(request.getfixturevalue("portal"))


class _ModuleWorld:
    """One live server and one set of actors for all the tests of a module:
    the matrices and the fuzz run hundreds of cells, and building CKAN's app
    and six users for each would cost minutes. Built during the module's
    first test, once its plugins are loaded (CKAN's with_plugins loads them
    per test, with the same list every time), like tests/browser/shared.py."""

    def __init__(self) -> None:
        self.server: LiveServer | None = None
        self.actors: dict[str, Actor] = {}
        self.data: dict = {}

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@pytest.fixture(scope="module")
def _module_world() -> Iterator[_ModuleWorld]:
    world = _ModuleWorld()
    yield world
    world.stop()


@pytest.fixture
def shared_portal(_module_world, ckan_config, load_portal_plugins) -> str:
    """Like `portal`, but one server for every test of the module."""
    if _module_world.server is None:
        _module_world.server = LiveServer(ckan_config)
    return _module_world.server.url


@pytest.fixture
def shared_actors(_module_world, shared_portal) -> dict[str, Actor]:
    """Like `actors`, but made once for every test of the module."""
    if not _module_world.actors:
        ensure_catalogue()
        _module_world.actors.update(_everyone(shared_portal))
    return _module_world.actors


@pytest.fixture
def module_data(_module_world) -> dict:
    """A dict kept for the whole module: tests build their data into it once."""
    return _module_world.data
