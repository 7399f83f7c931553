"""What a user sees when the runtime cannot start, and how it recovers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from ckanext.metropole.runtime import postgres
from ckanext.metropole.runtime.ports import port_is_free


def test_port_clash_names_the_port_and_the_setting_and_starts_nothing(instance):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", instance.pg_port))
        squatter.listen()
        result = instance.cli("up", "--services-only")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if str(instance.pg_port) in line]
    assert len(lines) == 1
    assert "METROPOLE_PG_PORT" in lines[0] and "--pg-port" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert not (instance.home / "pgdata").exists()
    assert instance.processes() == []


def _kill_everything(instance) -> None:
    # Freeze the supervisor so it cannot clean up, kill its children (as a
    # crash or the OOM killer would), then the supervisor itself.
    supervisor = instance.supervisor_pid()
    os.kill(supervisor, signal.SIGSTOP)
    for pid in instance.processes():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    os.kill(supervisor, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while instance.processes() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_stale_files_of_a_killed_run_are_recovered(instance):
    assert instance.cli("up", "--detach", "--services-only").returncode == 0
    _kill_everything(instance)
    # What a `kill -9` leaves behind.
    assert (instance.home / "pgdata" / "postmaster.pid").exists()
    assert (instance.home / "run" / "state.json").exists()
    assert list((instance.home / "run").glob("*.pid"))

    result = instance.cli("up", "--detach", "--services-only")
    assert result.returncode == 0, result.stdout + result.stderr + instance.supervisor_log()
    assert "did not stop cleanly" in instance.supervisor_log()
    socket_dir = instance.home / "run" / "pg-socket"
    assert postgres.psql(socket_dir, instance.pg_port, "SELECT 1;").strip() == "1"


def test_killing_the_supervisor_leaves_nothing_listening(instance):
    assert instance.cli("up", "--detach", "--services-only").returncode == 0
    os.kill(instance.supervisor_pid(), signal.SIGKILL)
    deadline = time.monotonic() + 30
    while instance.processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert instance.processes() == []
    assert port_is_free("127.0.0.1", instance.pg_port)
    assert port_is_free("127.0.0.1", instance.redis_port)


def test_data_folder_of_another_postgresql_major_version_is_refused_and_kept(instance):
    pgdata = instance.home / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "PG_VERSION").write_text("15\n")
    (pgdata / "base").mkdir()
    result = instance.cli("up", "--services-only")
    assert result.returncode == 1
    assert "created by PostgreSQL 15" in result.stdout
    assert "pg_upgrade" in result.stdout and "Nothing was deleted" in result.stdout
    assert (pgdata / "PG_VERSION").read_text() == "15\n" and (pgdata / "base").exists()
    assert instance.processes() == []


def test_damaged_data_folder_is_refused_and_kept(instance):
    pgdata = instance.home / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "global").mkdir()
    result = instance.cli("up", "--services-only")
    assert result.returncode == 1
    assert "damaged" in result.stdout and "Nothing was deleted" in result.stdout
    assert (pgdata / "global").exists()


def test_invalid_configuration_gives_ckans_message_not_a_traceback(instance, tmp_path):
    local_ini = tmp_path / "local.ini"
    local_ini.write_text("[app:main]\nckan.datasets_per_page = many\n")
    instance.env["METROPOLE_LOCAL_INI"] = str(local_ini)
    result = instance.cli("up", "--services-only")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Invalid configuration values provided" in output
    assert "ckan.datasets_per_page" in output
    assert "Traceback" not in output
    assert instance.processes() == []


def test_missing_required_configuration_value(instance, tmp_path):
    local_ini = tmp_path / "local.ini"
    local_ini.write_text("[app:main]\nckan.site_url =\n")
    instance.env["METROPOLE_LOCAL_INI"] = str(local_ini)
    result = instance.cli("up", "--services-only")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "ckan.site_url" in output and "Traceback" not in output


def test_reset_asks_first_and_refuses_while_running(instance):
    assert instance.cli("up", "--detach", "--services-only").returncode == 0
    refused = instance.cli("reset", "--yes")
    assert refused.returncode == 1 and "running" in refused.stdout
    assert instance.cli("down").returncode == 0
    unconfirmed = instance.cli("reset")
    assert unconfirmed.returncode == 1 and "--yes" in unconfirmed.stdout
    assert (instance.home / "pgdata").exists()
    assert instance.cli("reset", "--yes").returncode == 0
    assert not instance.home.exists()


def test_lock_files_naming_an_unreaped_process_are_recovered(instance):
    """After a killed run whose processes nobody reaped (PID 1 of a container
    often does not), the lock files name a zombie, which PostgreSQL takes for
    a live server."""
    assert instance.cli("up", "--detach", "--services-only").returncode == 0
    assert instance.cli("down").returncode == 0
    zombie = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie.pid}/stat").read_text().split()[2] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    socket_dir = instance.home / "run" / "pg-socket"
    for lock in (instance.home / "pgdata" / "postmaster.pid",
                 socket_dir / f".s.PGSQL.{instance.pg_port}.lock"):
        lock.write_text(f"{zombie.pid}\n")
    try:
        result = instance.cli("up", "--detach", "--services-only")
        assert result.returncode == 0, result.stdout + instance.supervisor_log()
        assert "Removed postmaster.pid" in instance.supervisor_log()
        assert postgres.psql(socket_dir, instance.pg_port, "SELECT 1;").strip() == "1"
    finally:
        zombie.wait()
