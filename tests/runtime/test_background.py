"""The background work after it moved into one CKAN-loaded process
(`ckan metropole worker`): every queue is still consumed, the scheduler
still fires and a harvest it starts goes all the way to published data, a
crash is still survived, Ctrl-C still stops everything, and a warm start
skips the initialisation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from ckanext.metropole.runtime import postgres

from .conftest import free_port

CKAN = str(Path(sys.executable).parent / "ckan")


def up_with_demo(instance, samples_port: int) -> subprocess.CompletedProcess:
    """`make run` as it is: the demo's sample servers and harvest sources."""
    command = [sys.executable, "-m", "ckanext.metropole.runtime.cli", "up", "--detach",
               "--home", str(instance.home), "--web-port", str(instance.web_port),
               "--pg-port", str(instance.pg_port), "--redis-port", str(instance.redis_port),
               "--samples-port", str(samples_port)]
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


class Portal:
    """The instance's web API as the sysadmin (a token made with CKAN's CLI)."""

    def __init__(self, instance) -> None:
        self.url = f"http://127.0.0.1:{instance.web_port}"
        made = subprocess.run([CKAN, "-c", str(instance.home / "ckan.ini"), "user", "token",
                               "add", "admin", "queue-driven-harvest"], capture_output=True,
                              text=True, timeout=300, env=instance.env)
        assert made.returncode == 0, made.stderr
        self.token = made.stdout.strip().splitlines()[-1].strip()

    def call(self, name: str, /, **data) -> requests.Response:
        return requests.post(f"{self.url}/api/3/action/{name}", json=data, timeout=60,
                             headers={"Authorization": self.token})

    def action(self, name: str, /, **data) -> dict:
        answer = self.call(name, **data)
        assert answer.status_code == 200, answer.text
        return answer.json()["result"]

    def page(self, path: str) -> requests.Response:
        """As an anonymous visitor (French, the portal's default)."""
        return requests.get(self.url + path, timeout=60)


# A source no demo harvest touches: two bike counters of the demo's sample
# SensorThings server, one day of history, on a nightly cron (a source never
# run is due at once: the scheduler's next pass starts it).
SCHEDULED = {"name": "velos-planifies", "title": "Vélos (planifié)",
             "source_type": "sensorthings",
             "config": {"schedule": "0 4 * * *", "history": "P1D", "communes": ["metropole"],
                        "datastreams": {"ids": [11, 12]}}}


def scheduled_source(portal: Portal, samples_port: int) -> dict:
    # The demo's sources (whose organisation it takes) are made by the
    # start-up checks, which run once the web answers.
    demo = wait_for(lambda: (answer := portal.call(
        "harvest_source_show", id="capteurs-metropole-sensorthings")).ok and answer,
        300, "the demo's sources")   # the whole demo loads first: ~1 min idle, more on a busy CI
    return portal.action("harvest_source_create", **{
        **SCHEDULED, "config": json.dumps(SCHEDULED["config"]),
        "url": f"http://127.0.0.1:{samples_port}/sensorthings/v1.1",
        "owner_org": demo.json()["result"]["owner_org"]})


def progress_until_finished(portal: Portal, source: dict) -> list[dict]:
    """The source page's progress (what its script polls) until the job is
    finished, every distinct answer in order."""
    seen: list[dict] = []

    def finished() -> bool:
        answer = portal.page(f"/harvest/{source['id']}/progress.json")
        assert answer.status_code == 200, answer.text
        if not seen or answer.json() != seen[-1]:
            seen.append(answer.json())
        return seen[-1]["status"] == "Finished"

    wait_for(finished, 300, "the scheduled harvest finished", interval=0.5)
    return seen


def check_scheduled_harvest(instance, portal: Portal, source: dict) -> None:
    """Scheduler → gather queue → gather consumer → fetch queue → fetch
    consumer → published, seen from the outside."""
    seen = progress_until_finished(portal, source)
    assert f"scheduler: started a job for {source['url']}" in background_log(instance)
    jobs = sql(instance, "SELECT id, gather_finished IS NOT NULL FROM harvest_job "
                         f"WHERE source_id = '{source['id']}';").splitlines()
    assert len(jobs) == 1, jobs  # one job, the scheduler's
    job_id = jobs[0].split("|")[0]
    assert jobs[0].endswith("|t")
    # The progress the page showed is the real job's, and it only went forward.
    assert {state["job_id"] for state in seen} == {job_id}
    assert [state["done"] for state in seen] == sorted(state["done"] for state in seen)
    final = seen[-1]
    assert final["gathered"] and not final["active"]
    assert final["total"] == final["done"] == 1 and final["percent"] == 100

    # The dataset is published with its data: the hourly and daily tables in
    # the DataStore, with rows for both counters, and the sensors' GeoJSON.
    names = sql(instance, "SELECT p.name FROM harvest_object o JOIN package p "
                          "ON p.id = o.package_id WHERE o.current AND o.state = 'COMPLETE' "
                          f"AND o.harvest_source_id = '{source['id']}';").splitlines()
    assert len(names) == 1, names
    dataset = portal.action("package_show", id=names[0])
    assert not dataset["private"]
    tables = [r for r in dataset["resources"] if r.get("datastore_active")]
    assert len(tables) == 2, [r["name"] for r in dataset["resources"]]
    for table in tables:
        rows = portal.action("datastore_search", resource_id=table["id"], limit=1000)
        assert rows["total"] > 0, table["name"]
        assert len({row["stream"] for row in rows["records"]}) == 2, table["name"]
    geojson = next(r for r in dataset["resources"] if r["format"] == "GeoJSON")
    download = requests.get(geojson["url"], timeout=60)
    assert download.status_code == 200
    assert len(download.json()["features"]) == 2

    # The source's page, as a visitor reads it.
    page = portal.page(f"/harvest/{source['name']}")
    assert page.status_code == 200
    assert "1 objets sur 1 récupérés et importés" in page.text
    assert "1 ajouté(s)" in page.text
    assert f'href="/dataset/{names[0]}"' in page.text


def test_jobs_gather_fetch_and_scheduler_are_served_and_a_crash_is_survived(instance, tmp_path):
    # The scheduler's pass every 2 s instead of every minute: the same path, sooner.
    local_ini = tmp_path / "local.ini"
    local_ini.write_text("[app:main]\nckanext.metropole.scheduler.interval = 2\n")
    instance.env["METROPOLE_LOCAL_INI"] = str(local_ini)
    samples_port = free_port()
    started = up_with_demo(instance, samples_port)
    assert started.returncode == 0, started.stdout + started.stderr + instance.supervisor_log()
    portal = Portal(instance)
    source = scheduled_source(portal, samples_port)
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
    check_scheduled_harvest(instance, portal, source)

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
