"""Signed webhooks (issue 16, item 3): a real receiver on loopback checks the
HMAC-SHA256 signature; a receiver that is down or slow never slows the web
request (delivery is a job), is retried a bounded number of times, then the
subscription is disabled and its owner told."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..helpers import api, as_user, loopback_allowed
from ..smtp import free_port
from .conftest import deliveries, follow


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[tuple[dict, bytes]] = []
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802 — http.server's hook name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.calls.append((dict(self.headers), body))
        time.sleep(self.server.delay)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with loopback_allowed():
        yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def strict_retries(ckan_config, monkeypatch) -> None:
    for key, value in (("max_attempts", 2), ("retry_base_seconds", 0),
                       ("webhook_max_failures", 3), ("webhook_timeout", 1)):
        monkeypatch.setitem(ckan_config, f"ckanext.metropole.notifications.{key}", value)


def test_the_receiver_gets_a_signed_json_notice(jobs, dataset, follower, receiver):
    jobs()
    created = follow(follower, "dataset", dataset["id"], channel="webhook",
                     webhook_url=receiver.url)
    secret = created["webhook_secret"]
    assert "webhook_secret" not in api("metropole_follow_list", context=as_user(follower))[0]
    api("package_patch", id=dataset["id"], title="Arceaux vélos (mise à jour)")
    jobs()
    [(headers, body)] = receiver.calls
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Metropole-Signature"], expected)
    assert headers["Content-Type"] == "application/json"
    notice = json.loads(body)
    assert notice["event"] == "dataset_changed"
    assert notice["summary"] == ["Jeu de données modifié : Arceaux vélos (mise à jour)"]
    assert notice["url"].endswith(f"/dataset/{dataset['name']}")
    assert notice["subscription"]["object_id"] == dataset["id"]
    assert deliveries(subscription_id=created["id"])[0].status == "sent"


def test_a_receiver_down_is_retried_then_disabled_and_its_owner_told(
        jobs, dataset, follower, strict_retries, smtp_inbox):
    from ckanext.metropole.notifications import delivery

    jobs()
    with loopback_allowed():
        created = follow(follower, "dataset", dataset["id"], channel="webhook",
                         webhook_url=f"http://127.0.0.1:{free_port()}/down")
        api("package_patch", id=dataset["id"], notes="Un.")
        jobs()
        delivery.retry_due()   # second and last try of the first notice
        assert [(d.status, d.attempts) for d in deliveries(subscription_id=created["id"])] == [
            ("failed", 2)]
        api("package_patch", id=dataset["id"], notes="Deux.")
        jobs()   # third failure in a row: disabled
    assert [d.status for d in deliveries(subscription_id=created["id"])] == ["failed", "failed"]
    assert api("metropole_follow_list", context=as_user(follower)) == []
    [told] = [m for m in smtp_inbox.messages if follower["email"] in m["To"]]
    assert told["Subject"] == "Votre webhook a été désactivé"
    assert "a échoué 3 fois de suite" in told.get_content()
    api("package_patch", id=dataset["id"], notes="Trois.")
    jobs()
    assert len(deliveries(subscription_id=created["id"])) == 2


def test_a_slow_receiver_never_slows_the_web_request(
        jobs, dataset, follower, receiver, strict_retries):
    jobs()
    created = follow(follower, "dataset", dataset["id"], channel="webhook",
                     webhook_url=receiver.url)
    receiver.delay = 3
    started = time.monotonic()
    api("package_patch", id=dataset["id"], notes="Lent.")
    assert time.monotonic() - started < 2 and receiver.calls == []
    started = time.monotonic()
    jobs()
    assert time.monotonic() - started < 2.5   # the 1 s timeout, not the receiver's 3 s
    [attempt] = deliveries(subscription_id=created["id"])
    assert attempt.status == "retry" and "timed out" in attempt.last_error.lower()
