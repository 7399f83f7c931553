"""Moving an install between profiles: ``make run`` (embedded PostgreSQL,
search in PostgreSQL) and the scale-out profile (Solr), either way.

    python -m ckanext.metropole.runtime.move export DIR   # on the install you leave
    python -m ckanext.metropole.runtime.move import DIR   # on the install you move to

Each side is described by its CKAN configuration: ``CKAN_INI`` plus the
``CKAN_*`` variables CKAN reads itself (``CKAN_SQLALCHEMY_URL``,
``CKAN_DATASTORE_WRITE_URL``, ``CKAN_STORAGE_PATH``… as compose gives
them), or, without ``CKAN_INI``, the generated ``ckan.ini`` of ``make run``'s
data folder. ``export`` writes the two databases (``pg_dump``, custom format)
and the uploads; ``import`` restores them over the target's databases, copies
the uploads and rebuilds the target's search index from PostgreSQL (Solr or
PostgreSQL, whichever its configuration names): the index is derived data.
Stop the target's web and workers first; the source may keep running (a
dump is a consistent snapshot).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .postgres import POSTGRES_BIN_PATH
from .settings import load_settings

# CKAN's own names (ckan/config/environment.py: CONFIG_FROM_ENV_VARS).
SETTINGS = {"sqlalchemy.url": "CKAN_SQLALCHEMY_URL",
            "ckan.datastore.write_url": "CKAN_DATASTORE_WRITE_URL",
            "ckan.storage_path": "CKAN_STORAGE_PATH"}
DUMPS = {"sqlalchemy.url": "ckan.dump", "ckan.datastore.write_url": "datastore.dump"}


def ckan_ini() -> Path:
    return Path(os.environ.get("CKAN_INI") or load_settings("run").ckan_ini)


def locations() -> dict[str, str]:
    """Where this side's databases and uploads are: the environment wins
    over the configuration file, as in CKAN."""
    from ckan.cli import CKANConfigLoader

    config = CKANConfigLoader(str(ckan_ini())).get_config()
    found = {key: os.environ.get(env) or config.get(key) for key, env in SETTINGS.items()}
    missing = [SETTINGS[key] for key, value in found.items() if not value]
    if missing:
        raise SystemExit(f"move: {', '.join(missing)} not set (nor in {ckan_ini()})")
    return found  # type: ignore[return-value]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        # The tools' messages name the database and the object, never a password.
        raise SystemExit(f"move: {Path(command[0]).name} failed:\n{result.stderr.strip()}")


def export(folder: Path) -> None:
    where = locations()
    # The dumps hold accounts, password hashes and private datasets: the
    # folder is readable by its owner only, like the install's secrets.
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for key, name in DUMPS.items():
        # Extensions are the superuser's (created by each profile's set-up).
        _run([str(POSTGRES_BIN_PATH / "pg_dump"), "--format=custom", "--no-owner",
              "--exclude-extension=*", f"--file={folder / name}", f"--dbname={where[key]}"])
        (folder / name).chmod(0o600)
    storage = folder / "storage"
    shutil.rmtree(storage, ignore_errors=True)
    shutil.copytree(where["ckan.storage_path"], storage, symlinks=True)
    print(f"move: databases and uploads written to {folder}")


def import_(folder: Path) -> None:
    where = locations()
    for key, name in DUMPS.items():
        _run([str(POSTGRES_BIN_PATH / "pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", f"--dbname={where[key]}", str(folder / name)])
    shutil.copytree(folder / "storage", where["ckan.storage_path"], dirs_exist_ok=True,
                    symlinks=True)
    print("move: databases and uploads restored; rebuilding the search index")
    ckan = Path(sys.executable).parent / "ckan"
    subprocess.run([str(ckan), "-c", str(ckan_ini()), "search-index", "rebuild"], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ckanext.metropole.runtime.move",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("direction", choices=("export", "import"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    (export if args.direction == "export" else import_)(args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
