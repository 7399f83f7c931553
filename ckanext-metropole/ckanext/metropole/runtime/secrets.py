"""Secrets generated once per install and kept, readable by the owner only.

Nothing here is ever committed: the file lives in the data folder, which is
git-ignored. Database passwords, CKAN's SECRET_KEY (sessions, CSRF) and the
API-token signing secret are distinct random values.
"""

from __future__ import annotations

import json
import os
import secrets as random_source
from pathlib import Path

SECRET_NAMES = (
    "secret_key",          # Flask sessions and CSRF tokens
    "api_token_secret",    # JWT signing of API tokens
    "pg_ckan_password",    # role owning the CKAN database
    "pg_datastore_write_password",
    "pg_datastore_read_password",
    "redis_password",
)


def load_or_create_secrets(path: Path) -> dict[str, str]:
    """Return the install's secrets, generating the missing ones."""
    existing: dict[str, str] = {}
    if path.exists():
        existing = json.loads(path.read_text())
    missing = [name for name in SECRET_NAMES if not existing.get(name)]
    if missing:
        for name in missing:
            # URL-safe so a password can sit in a database URL unescaped.
            existing[name] = random_source.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(existing, handle, indent=2)
        tmp.replace(path)
    return existing
