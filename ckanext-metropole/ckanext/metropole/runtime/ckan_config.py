"""Writing the instance's ckan.ini: the shared portal config plus this
install's addresses and secrets."""

from __future__ import annotations

import configparser
import os
from pathlib import Path

from . import redis_server
from .settings import PROJECT_ROOT, RuntimeSettings

PORTAL_INI = PROJECT_ROOT / "deployment" / "portal.ini"
# The install's own settings (site title, basemap, SMTP…): an ini file with an
# [app:main] section, git-ignored; see deployment/local.ini.example.
LOCAL_INI_ENV = "METROPOLE_LOCAL_INI"
DEFAULT_LOCAL_INI = PROJECT_ROOT / "local.ini"


def local_settings() -> dict[str, str]:
    """Options of the install's local.ini, if there is one."""
    path = Path(os.environ.get(LOCAL_INI_ENV) or DEFAULT_LOCAL_INI)
    if not path.exists():
        return {}
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # CKAN keys are case-sensitive (SECRET_KEY)
    parser.read(path)
    if not parser.has_section("app:main"):
        return {}
    return dict(parser.items("app:main"))


def database_url(role: str, password: str, settings: RuntimeSettings, database: str) -> str:
    return f"postgresql://{role}:{password}@{settings.host}:{settings.pg_port}/{database}"


def render(settings: RuntimeSettings, secrets: dict[str, str]) -> str:
    ckan_url = database_url("ckan", secrets["pg_ckan_password"], settings, "ckan")
    write_url = database_url("datastore_write", secrets["pg_datastore_write_password"],
                             settings, "datastore")
    read_url = database_url("datastore_read", secrets["pg_datastore_read_password"],
                            settings, "datastore")
    redis_url = redis_server.url(settings.host, settings.redis_port, secrets["redis_password"])
    demo = "true" if settings.demo else "false"
    generated = f"""\
# Written by the metropole runtime at each start ({settings.profile} profile).
# Do not edit: change deployment/portal.ini, or the METROPOLE_* variables.
# Contains this install's secrets: keep it private (mode 0600), never commit it.
[app:main]
use = config:{PORTAL_INI}
ckan.site_url = {settings.site_url}
sqlalchemy.url = {ckan_url}
ckan.datastore.write_url = {write_url}
ckan.datastore.read_url = {read_url}
ckan.redis.url = {redis_url}
ckan.storage_path = {settings.storage_dir}
SECRET_KEY = {secrets["secret_key"]}
api_token.jwt.encode.secret = string:{secrets["api_token_secret"]}
api_token.jwt.decode.secret = string:{secrets["api_token_secret"]}
# Idle connections kept per process and engine: each is a PostgreSQL backend
# (~3 MiB). A sync gunicorn worker uses one at a time; the background
# worker's threads open more when busy and close them when done.
sqlalchemy.pool_size = 1
sqlalchemy.max_overflow = 20
ckan.datastore.sqlalchemy.pool_size = 1
ckan.datastore.sqlalchemy.max_overflow = 20
ckanext.metropole.demo = {demo}
ckanext.metropole.runtime.samples_url = http://{settings.host}:{settings.samples_port}
"""
    local = local_settings()
    if not local:
        return generated
    # The install's own values win over the generated ones (e.g. a public
    # site_url behind a proxy); a key must appear once in a section.
    kept = [line for line in generated.splitlines()
            if "=" not in line or line.startswith("use")
            or line.split("=", 1)[0].strip() not in local]
    extra = "\n".join(f"{key} = {value}" for key, value in local.items())
    return "\n".join(kept) + "\n# From local.ini\n" + extra + "\n"


def write(settings: RuntimeSettings, secrets: dict[str, str]) -> Path:
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    path = settings.ckan_ini
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(render(settings, secrets))
    tmp.replace(path)
    return path
