"""Start, stop, restart with the data kept; the whole stack, as `make run` does."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request

from ckanext.metropole.runtime import postgres
from ckanext.metropole.runtime.ports import port_is_free


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


def test_full_stack_starts_serves_stops_and_restarts_on_the_same_data(instance):
    first = instance.cli("up", "--detach")
    assert first.returncode == 0, first.stdout + first.stderr + instance.supervisor_log()
    log = instance.supervisor_log()
    assert "Created sysadmin 'admin'" in log
    assert "unapplied migrations" in log

    site = f"http://127.0.0.1:{instance.web_port}"
    status, body = get(f"{site}/api/3/action/status_show")
    assert status == 200
    plugins = json.loads(body)["result"]["extensions"]
    assert {"metropole", "datastore", "harvest", "dcat", "spatial_query"} <= set(plugins)
    status, body = get(f"{site}/user/login")
    assert status == 200 and b"csrf" in body.lower()

    # Every role of the runtime is up: the supervisor's state lists them.
    state = json.loads(instance.cli("status").stdout)
    assert set(state["children"]) == {"postgres", "redis", "web", "background"}
    # Idle workers stay up: ckanext-harvest's consumers block on Redis with
    # no timeout, which redis-py's default 5 s read timeout used to kill.
    time.sleep(8)
    assert json.loads(instance.cli("status").stdout)["children"] == state["children"]
    assert "restarting" not in instance.supervisor_log()

    # Something written during the first run...
    socket_dir = instance.home / "run" / "pg-socket"
    postgres.psql(socket_dir, instance.pg_port,
                  "CREATE TABLE runtime_marker (note text); "
                  "INSERT INTO runtime_marker VALUES ('kept');", database="ckan")
    secrets_before = (instance.home / "secrets.json").read_text()

    down = instance.cli("down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert instance.processes() == []
    for port in (instance.web_port, instance.pg_port, instance.redis_port):
        assert port_is_free("127.0.0.1", port)

    log_size = len(instance.supervisor_log())
    second = instance.cli("up", "--detach", "--services-only")
    assert second.returncode == 0, second.stdout + second.stderr
    second_log = instance.supervisor_log()[log_size:]
    # ...is still there; no second admin, no migration re-applied, same secrets.
    assert postgres.psql(socket_dir, instance.pg_port, "SELECT note FROM runtime_marker;",
                         database="ckan").strip() == "kept"
    assert "Created sysadmin" not in second_log
    assert "unapplied migrations" not in second_log
    assert (instance.home / "secrets.json").read_text() == secrets_before


def test_a_second_start_on_the_same_data_is_refused_clearly(instance):
    assert instance.cli("up", "--detach", "--services-only").returncode == 0
    again = instance.cli("up", "--services-only")
    assert again.returncode == 1
    assert "already running" in again.stdout
    # The first instance is unharmed.
    assert json.loads(instance.cli("status").stdout)["status"] == "ready"


def test_ctrl_c_in_the_foreground_stops_every_process(instance):
    """What `make run` users do: Ctrl-C (SIGINT) on the foreground supervisor."""
    command = [sys.executable, "-m", "ckanext.metropole.runtime.cli", "up", "--services-only",
               "--home", str(instance.home), "--web-port", str(instance.web_port),
               "--pg-port", str(instance.pg_port), "--redis-port", str(instance.redis_port),
               "--no-demo"]
    foreground = subprocess.Popen(command, env=instance.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = instance.cli("status")
        if status.returncode == 0 and json.loads(status.stdout)["status"] == "ready":
            break
        assert foreground.poll() is None, foreground.stdout.read()
        time.sleep(0.5)
    assert instance.processes()
    foreground.send_signal(signal.SIGINT)
    assert foreground.wait(60) == 0
    assert instance.processes() == []
    assert port_is_free("127.0.0.1", instance.pg_port)
