"""Accounts (issue 12, "Accounts"): login throttling per account and per
address, the password policy, the old password to change one, and a password
reset that answers the same for known and unknown accounts and works end to
end with a real SMTP server on loopback."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import pytest
import requests

from ..smtp import smtp_inbox  # noqa: F401,F811  (a real SMTP server on loopback)
from .conftest import PASSWORD, csrf_token

NEW_PASSWORD = "Nouveau-Mot-De-Passe-Solide-2026"
THROTTLED_FR = "Trop de tentatives de connexion"
THROTTLED_EN = "Too many failed login attempts"


@pytest.fixture(autouse=True)
def no_login_counters() -> Iterator[None]:
    """Every test starts and ends with no failed-login counter, so the
    suite's other logins from 127.0.0.1 are never throttled by these tests."""
    from ckan.lib.redis import connect_to_redis

    def clear() -> None:
        redis = connect_to_redis()
        for key in redis.scan_iter("*:metropole:login-failures:*"):
            redis.delete(key)

    clear()
    yield
    clear()


def form_login(portal: str, login: str, password: str, *, lang: str = "") -> requests.Response:
    """One login through the form, as a new browser would."""
    session = requests.Session()
    url = f"{portal}{lang}/user/login"
    return session.post(url, timeout=30, data={
        "login": login, "password": password, "_csrf_token": csrf_token(session, url)})


def logged_in(answer: requests.Response) -> bool:
    return answer.ok and "/user/login" not in answer.url


def new_user(**fields) -> dict:
    from ckan.tests import factories

    return factories.User(password=PASSWORD, **fields)


# Login throttling ---------------------------------------------------------


def test_wrong_passwords_lock_the_account_even_for_the_right_password(portal):
    user = new_user()
    for _ in range(5):
        assert not logged_in(form_login(portal, user["name"], "wrong-password-123"))

    refused = form_login(portal, user["name"], PASSWORD)
    assert refused.status_code == 429
    assert THROTTLED_FR in refused.text
    # By email too: the counter is the account's, whatever the login typed.
    assert form_login(portal, user["email"], PASSWORD).status_code == 429
    # In English on /en/.
    assert THROTTLED_EN in form_login(portal, user["name"], PASSWORD, lang="/en").text
    # Another account is not affected.
    assert logged_in(form_login(portal, new_user()["name"], PASSWORD))


@pytest.mark.ckan_config("ckanext.metropole.security.login.window", "2")
def test_the_lock_ends_with_the_window(portal):
    user = new_user()
    for _ in range(5):
        form_login(portal, user["name"], "wrong-password-123")
    assert form_login(portal, user["name"], PASSWORD).status_code == 429
    time.sleep(3)
    assert logged_in(form_login(portal, user["name"], PASSWORD))


def test_a_successful_login_resets_the_account_counter(portal):
    user = new_user()
    for _ in range(2):
        for _ in range(4):
            assert not logged_in(form_login(portal, user["name"], "wrong-password-123"))
        assert logged_in(form_login(portal, user["name"], PASSWORD))


def test_unknown_accounts_are_throttled_like_real_ones(portal):
    """Otherwise the lock would tell which accounts exist."""
    for _ in range(5):
        form_login(portal, "nobody-by-this-name", "wrong-password-123")
    assert form_login(portal, "nobody-by-this-name", "wrong-password-123").status_code == 429


@pytest.mark.ckan_config("ckanext.metropole.security.login.max_failures_per_address", "8")
def test_wrong_passwords_from_one_address_lock_every_account(portal):
    """Spraying one password over many accounts: each account stays under
    its own limit, the address does not."""
    for attempt in range(8):
        assert not logged_in(form_login(portal, f"victim-{attempt}", "Printemps2026"))
    refused = form_login(portal, new_user()["name"], PASSWORD)
    assert refused.status_code == 429
    assert THROTTLED_FR in refused.text


# Password policy ----------------------------------------------------------


@pytest.mark.parametrize(("password", "message"), [
    ("12345678", "au moins 12 caractères"),
    ("password", "au moins 12 caractères"),
    ("123456789012", "trop facile à deviner"),
    ("azertyuiopqs", "trop facile à deviner"),
    ("passwordpassword", "trop facile à deviner"),
])
def test_weak_passwords_are_refused_with_a_french_message(actors, password, message):
    answer = actors["sysadmin"].action(
        "user_create", name=f"faible-{abs(hash(password)) % 10**8}",
        email=f"faible-{abs(hash(password)) % 10**8}@example.org", password=password)
    assert answer.status_code == 409, answer.text[:300]
    assert message in " ".join(answer.json()["error"]["password"])


def test_the_users_own_name_does_not_make_a_strong_password(actors):
    answer = actors["sysadmin"].action(
        "user_create", name="jeanne-durand-13", email="jeanne@example.org",
        password="jeanne-durand-13jeanne")
    assert answer.status_code == 409
    assert "trop facile à deviner" in " ".join(answer.json()["error"]["password"])


def test_a_strong_password_is_accepted(actors):
    name = f"forte-{uuid.uuid4().hex[:8]}"
    answer = actors["sysadmin"].action(
        "user_create", name=name, email=f"{name}@example.org", password=NEW_PASSWORD)
    assert answer.status_code == 200, answer.text[:300]


def test_weak_password_on_the_edit_form_in_english(actors):
    actor = actors["registered"]
    url = f"{actor.portal}/en/user/edit/{actor.name}"
    page = actor.cookies.post(url, timeout=30, data={
        "_csrf_token": csrf_token(actor.cookies, url), "name": actor.name,
        "email": actor.user["email"], "old_password": PASSWORD,
        "password1": "12345678", "password2": "12345678", "save": ""})
    assert "at least 12 characters" in page.text
    assert logged_in(form_login(actor.portal, actor.name, PASSWORD))


# Old password ------------------------------------------------------------


def test_a_token_cannot_change_the_password_without_the_old_one(actors):
    actor = actors["registered"]
    answer = actor.action("user_patch", id=actor.name, password=NEW_PASSWORD)
    assert answer.status_code == 409, answer.text[:300]
    assert "mot de passe actuel" in " ".join(answer.json()["error"]["old_password"])
    wrong = actor.action("user_patch", id=actor.name, password=NEW_PASSWORD,
                         old_password="not-my-password")
    assert wrong.status_code == 409
    assert logged_in(form_login(actor.portal, actor.name, PASSWORD))

    right = actor.action("user_patch", id=actor.name, password=NEW_PASSWORD,
                         old_password=PASSWORD)
    assert right.status_code == 200, right.text[:300]
    assert logged_in(form_login(actor.portal, actor.name, NEW_PASSWORD))


def test_a_sysadmin_needs_the_old_password_for_their_own(actors):
    admin = actors["sysadmin"]
    answer = admin.action("user_patch", id=admin.name, password=NEW_PASSWORD)
    assert answer.status_code == 409


def test_a_sysadmin_may_set_another_accounts_password(actors):
    """Account recovery: decided and documented in security/passwords.py."""
    user = actors["registered"]
    answer = actors["sysadmin"].action("user_patch", id=user.name, password=NEW_PASSWORD)
    assert answer.status_code == 200, answer.text[:300]
    assert logged_in(form_login(user.portal, user.name, NEW_PASSWORD))


def test_the_edit_form_needs_the_old_password(actors):
    actor = actors["registered"]
    url = f"{actor.portal}/user/edit/{actor.name}"
    actor.cookies.post(url, timeout=30, data={
        "_csrf_token": csrf_token(actor.cookies, url), "name": actor.name,
        "email": actor.user["email"], "old_password": "",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "save": ""})
    assert not logged_in(form_login(actor.portal, actor.name, NEW_PASSWORD))
    assert logged_in(form_login(actor.portal, actor.name, PASSWORD))


# Password reset ------------------------------------------------------------


def request_reset(portal: str, who: str) -> requests.Response:
    session = requests.Session()
    url = f"{portal}/user/reset"
    return session.post(url, timeout=30, data={"user": who,
                                               "_csrf_token": csrf_token(session, url)})


def _flash(page: requests.Response) -> str:
    return " ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', page.text, re.S)).strip()


@pytest.mark.ckan_config("smtp.server", "127.0.0.1:9")  # nothing listens: mail fails
def test_reset_answers_the_same_for_known_and_unknown_accounts(portal):
    user = new_user()
    answers = [request_reset(portal, who) for who in
               (user["name"], user["email"], "nobody-by-this-name", "nobody@example.org")]
    assert {a.status_code for a in answers} == {200}, [a.status_code for a in answers]
    assert {a.url for a in answers} == {answers[0].url}
    messages = {_flash(a) for a in answers}
    assert len(messages) == 1 and "lien de réinitialisation" in messages.pop()


def test_reset_by_email_end_to_end(portal, smtp_inbox):  # noqa: F811
    user = new_user()
    assert request_reset(portal, user["email"]).status_code == 200
    deadline = time.monotonic() + 10
    while not smtp_inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(smtp_inbox.messages) == 1
    mail = smtp_inbox.messages[0]
    assert user["email"] in mail["To"]
    link = re.search(r"(http://\S+/user/reset/\S+\?key=\w+)", mail.get_content()).group(1)

    browser = requests.Session()
    token = csrf_token(browser, link)
    weak = browser.post(link, timeout=30, data={
        "_csrf_token": token, "password1": "12345678", "password2": "12345678"})
    assert "au moins 12 caractères" in weak.text
    browser.post(link, timeout=30, data={
        "_csrf_token": csrf_token(browser, link),
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert logged_in(form_login(portal, user["name"], NEW_PASSWORD))
    assert not logged_in(form_login(portal, user["name"], PASSWORD))
