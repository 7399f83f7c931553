"""The secrets of the notifications, all derived from CKAN's ``SECRET_KEY``
(generated per install by the runtime, never committed): nothing to store,
and rotating ``SECRET_KEY`` invalidates them all.

- unsubscribe token of a subscription: HMAC-SHA256(key_u, subscription id);
- webhook secret of a subscription: HMAC-SHA256(key_w, subscription id),
  shown to its owner once, when the subscription is created; the receiver
  checks ``X-Metropole-Signature: sha256=<hex HMAC-SHA256(secret, body)>``.
"""

from __future__ import annotations

import hashlib
import hmac

import ckan.plugins.toolkit as toolkit

SIGNATURE_HEADER = "X-Metropole-Signature"


def _key(purpose: str) -> bytes:
    secret = toolkit.config.get("SECRET_KEY") or ""
    if not secret:
        raise RuntimeError("SECRET_KEY is not set: notifications cannot sign anything")
    return hmac.new(secret.encode(), f"metropole-notifications:{purpose}".encode(),
                    hashlib.sha256).digest()


def unsubscribe_token(subscription_id: str) -> str:
    return hmac.new(_key("unsubscribe"), subscription_id.encode(), hashlib.sha256).hexdigest()


def valid_unsubscribe_token(subscription_id: str, token: str) -> bool:
    return hmac.compare_digest(unsubscribe_token(subscription_id), token or "")


def webhook_secret(subscription_id: str) -> str:
    return hmac.new(_key("webhook"), subscription_id.encode(), hashlib.sha256).hexdigest()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
