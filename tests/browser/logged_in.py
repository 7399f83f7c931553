"""A browser page already logged in as one of the security suite's people
(tests/security/conftest.py: logged in through the login form over HTTP):
their session cookie is copied into a fresh browser context. The login form
itself is tested elsewhere; going through it again in each flow costs ~2 s a
person."""

from __future__ import annotations

from ..security.conftest import Actor
from .shared import new_page


def page_as(browser, actor: Actor):
    page = new_page(browser)
    page.context.add_cookies([{"name": cookie.name, "value": cookie.value, "url": actor.portal}
                              for cookie in actor.cookies.cookies])
    return page
