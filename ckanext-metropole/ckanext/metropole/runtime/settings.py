"""Where the embedded runtime keeps its data and which ports it uses.

Every value can be changed by an environment variable (listed in the README)
or a command-line flag of ``metropole``. Two profiles exist so that tests never
touch the data of ``make run``: ``run`` (home ``.metropole``) and ``test``
(home ``.metropole/test``, other ports).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[4]

# Defaults per profile. Non-standard ports for PostgreSQL and Redis so that a
# system PostgreSQL/Redis on the same machine never clashes with ours.
PROFILE_DEFAULTS: dict[str, dict[str, object]] = {
    "run": {"home": ".metropole", "web_port": 5000, "pg_port": 54321,
            "redis_port": 63791, "samples_port": 8700, "demo": True, "workers": 2,
            "background_workers": 1, "background_mode": "threads"},
    "test": {"home": ".metropole/test", "web_port": 5050, "pg_port": 54322,
             "redis_port": 63792, "samples_port": 8750, "demo": False, "workers": 1,
             "background_workers": 1, "background_mode": "threads"},
}

# Which environment variable overrides which setting (also documented in README).
ENV_VARS = {
    "home": "METROPOLE_HOME",
    "web_port": "METROPOLE_WEB_PORT",
    "pg_port": "METROPOLE_PG_PORT",
    "redis_port": "METROPOLE_REDIS_PORT",
    "samples_port": "METROPOLE_SAMPLES_PORT",
    "demo": "METROPOLE_DEMO",
    "workers": "METROPOLE_WEB_WORKERS",
    "background_workers": "METROPOLE_BACKGROUND_WORKERS",
    "background_mode": "METROPOLE_BACKGROUND_MODE",
}
# How `ckan metropole worker` hosts its loops (see runtime/background.py).
BACKGROUND_MODES = ("threads", "fork")

HOST = "127.0.0.1"


class SettingsError(ValueError):
    """A setting with a value the runtime cannot use; the message names it."""


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class RuntimeSettings:
    """Resolved settings of one runtime instance (one data folder)."""

    profile: str
    home: Path
    web_port: int
    pg_port: int
    redis_port: int
    samples_port: int
    demo: bool
    workers: int
    # Processes serving the background queues (each: jobs, harvest gather and
    # fetch; the first also runs the scheduler), and how each hosts its loops.
    background_workers: int
    background_mode: str
    host: str = HOST
    services_only: bool = field(default=False)

    # --- layout of the data folder -------------------------------------
    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def redis_dir(self) -> Path:
        return self.home / "redis"

    @property
    def storage_dir(self) -> Path:
        return self.home / "storage"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        """Volatile state of a running instance: lock, pid files, sockets."""
        return self.home / "run"

    @property
    def socket_dir(self) -> Path:
        return self.run_dir / "pg-socket"

    @property
    def ckan_ini(self) -> Path:
        return self.home / "ckan.ini"

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.json"

    @property
    def state_file(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.run_dir / "metropole.lock"

    @property
    def site_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    def ports(self) -> dict[str, int]:
        """Every port this instance will listen on, by role."""
        ports = {"web": self.web_port, "pg": self.pg_port, "redis": self.redis_port}
        if self.demo and not self.services_only:
            ports["samples"] = self.samples_port
        return ports


def load_settings(profile: str = "run", **overrides: object) -> RuntimeSettings:
    """Defaults of the profile, then environment variables, then explicit overrides."""
    if profile not in PROFILE_DEFAULTS:
        raise ValueError(f"unknown profile {profile!r}; expected one of {sorted(PROFILE_DEFAULTS)}")
    values: dict[str, object] = dict(PROFILE_DEFAULTS[profile])
    for key, env_name in ENV_VARS.items():
        raw = os.environ.get(env_name)
        # The home of the test profile is only moved by an explicit override,
        # so that METROPOLE_HOME set for `make run` never sends tests there.
        if raw is None or (key == "home" and profile == "test"):
            continue
        if key == "demo":
            values[key] = _as_bool(raw)
        elif key in ("home", "background_mode"):
            values[key] = raw
        else:
            values[key] = int(raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values["background_mode"] not in BACKGROUND_MODES:
        raise SettingsError(f"{ENV_VARS['background_mode']} must be one of "
                         f"{', '.join(BACKGROUND_MODES)}, not {values['background_mode']!r}")
    for key in ("workers", "background_workers"):
        if int(values[key]) < 1:  # type: ignore[call-overload]
            raise SettingsError(f"{ENV_VARS[key]} must be at least 1, not {values[key]}")
    home = Path(str(values.pop("home")))
    if not home.is_absolute():
        home = PROJECT_ROOT / home
    return RuntimeSettings(profile=profile, home=home.resolve(), **values)  # type: ignore[arg-type]
