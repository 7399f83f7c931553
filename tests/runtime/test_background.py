"""The background work after it moved into one CKAN-loaded process
(`ckan metropole worker`): every queue is still consumed, the scheduler
still fires, a crash is still survived, Ctrl-C still stops everything, and a
warm start skips the initialisation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ckanext.metropole.runtime import postgres

from .conftest import free_port

CKAN = str(Path(sys.executable).parent / "ckan")


def up_with_demo(instance) -> subprocess.CompletedProcess:
    """`make run` as it is: the demo's sample servers and harvest sources."""
    command = [sys.executable, "-m", "ckanext.metropole.runtime.cli", "up", "--detach",
               "--home", str(instance.home), "--web-port", str(instance.web_port),
               "--pg-port", str(instance.pg_port), "--redis-port", str(instance.redis_port),
               "--samples-port", str(free_port())]
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env=instance.env, stdin=subprocess.DEVNULL)


def wait_for(condition, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def sql(instance, query: str) -> str:
    return postgres.psql(instance.home / "run" / "pg-socket", instance.pg_port, query,
                         database="ckan").strip()


def background_log(instance) -> str:
    path = instance.home / "logs" / "background.log"
    return path.read_text(errors="replace") if path.exists() else ""


def run_a_test_job(instance) -> None:
    """Enqueue CKAN's test job and see the background worker finish it."""
    added = subprocess.run([CKAN, "-c", str(instance.home / "ckan.ini"), "jobs", "test"],
                           capture_output=True, text=True, timeout=300, env=instance.env)
    assert added.returncode == 0, added.stderr
    job_id = added.stdout.split("Added test job ")[1].split()[0]
    wait_for(lambda: f"has finished job {job_id}" in background_log(instance), 120,
             f"job {job_id} done")


def children(instance) -> dict[str, int]:
    return json.loads(instance.cli("status").stdout)["children"]


def test_jobs_gather_fetch_and_scheduler_are_served_and_a_crash_is_survived(instance):
    started = up_with_demo(instance)
    assert started.returncode == 0, started.stdout + started.stderr + instance.supervisor_log()
    status = json.loads(instance.cli("status").stdout)
    # One background process instead of four CKAN processes.
    assert set(status["children"]) == {"postgres", "redis", "samples", "web", "background"}
    # The operator sees what each part costs, and the total.
    memory = status["memory"]
    assert {"web", "background", "postgres", "redis", "total"} <= set(memory)
    assert memory["total"]["pss_mib"] >= memory["web"]["pss_mib"] > 0
    assert memory["web"]["processes"] == 3  # gunicorn's master and its two workers

    run_a_test_job(instance)
    # The demo sources were queued for a first harvest by the start-up
    # checks: the gather consumer makes objects, the fetch consumer fetches
    # and imports them, and the scheduler's pass marks the job finished.
    wait_for(lambda: int(sql(instance, "SELECT count(*) FROM harvest_object "
                                       "WHERE state = 'COMPLETE';")) > 0,
             400, "a harvest object fetched and imported")
    assert int(sql(instance, "SELECT count(*) FROM harvest_job "
                             "WHERE gather_finished IS NOT NULL;")) > 0
    wait_for(lambda: int(sql(instance, "SELECT count(*) FROM harvest_job "
                                       "WHERE status = 'Finished';")) > 0,
             200, "a harvest job marked finished by the scheduler")

    # A crashed background process is restarted, and serves the queues again.
    crashed = children(instance)["background"]
    os.kill(crashed, signal.SIGKILL)
    restarted = wait_for(lambda: (pid := children(instance)["background"]) != crashed
                         and psutil.pid_exists(pid) and pid, 30, "background restarted")
    assert "background stopped (killed by signal SIGKILL); restarting" in \
        instance.supervisor_log()
    assert psutil.Process(restarted).is_running()
    run_a_test_job(instance)


def test_a_background_loop_that_dies_is_forked_again_in_fork_mode(instance):
    started = instance.cli("up", "--detach", "--background-mode", "fork")
    assert started.returncode == 0, started.stdout + started.stderr + instance.supervisor_log()
    parent = psutil.Process(children(instance)["background"])
    # The jobs worker, the two harvest consumers, the scheduler and RQ's
    # scheduler of delayed jobs, once the one-shot start-up checks are done.
    loops = wait_for(lambda: len(kids := parent.children()) == 5 and kids, 120,
                     "five forked loops")
    victim = loops[0]
    victim.kill()
    wait_for(lambda: victim.pid not in (pids := [c.pid for c in parent.children()])
             and len(pids) == 5, 60, "the loop forked again")
    assert children(instance)["background"] == parent.pid
    run_a_test_job(instance)


def test_ctrl_c_stops_the_whole_stack(instance):
    command = [sys.executable, "-m", "ckanext.metropole.runtime.cli", "up",
               "--home", str(instance.home), "--web-port", str(instance.web_port),
               "--pg-port", str(instance.pg_port), "--redis-port", str(instance.redis_port),
               "--no-demo"]
    foreground = subprocess.Popen(command, env=instance.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
    try:
        def ready() -> bool:
            status = instance.cli("status")
            assert foreground.poll() is None, instance.supervisor_log()
            return status.returncode == 0 and json.loads(status.stdout)["status"] == "ready"

        wait_for(ready, 400, "the stack ready", interval=0.5)
        assert "background" in children(instance)
        assert instance.processes()
        foreground.send_signal(signal.SIGINT)
        assert foreground.wait(60) == 0
        assert instance.processes() == []
    finally:
        if foreground.poll() is None:
            foreground.kill()


def test_a_warm_start_skips_the_initialisation_until_something_changes(instance, tmp_path):
    local_ini = tmp_path / "local.ini"
    local_ini.write_text("[app:main]\nckan.site_title = Premier titre\n")
    instance.env["METROPOLE_LOCAL_INI"] = str(local_ini)
    stamp = instance.home / "init-stamp.json"

    def start_and_stop() -> str:
        size = len(instance.supervisor_log())
        result = instance.cli("up", "--detach", "--services-only")
        assert result.returncode == 0, result.stdout + result.stderr + instance.supervisor_log()
        assert instance.cli("down").returncode == 0
        return instance.supervisor_log()[size:]

    first = start_and_stop()
    assert "database migrations" in first and "Created sysadmin" in first
    assert stamp.exists()

    warm = start_and_stop()
    assert "initialisation already done" in warm
    assert "database migrations" not in warm

    # A configuration change (here the install's local.ini) may change the
    # plugin set or the metropole: the next start initialises again.
    local_ini.write_text("[app:main]\nckan.site_title = Second titre\n")
    changed = start_and_stop()
    assert "database migrations" in changed
    assert "initialisation already done" in start_and_stop()
