"""``metropole up``: start PostgreSQL, Redis, CKAN and its workers, watch them,
stop them all on Ctrl-C.

Order of a start:
1. take the instance lock (one supervisor per data folder) and stop whatever
   a killed previous run left behind;
2. check every port before starting anything;
3. PostgreSQL: create or check the data folder, start, create roles and
   databases, apply CKAN's DataStore permissions;
4. Redis;
5. write ckan.ini, run `ckan metropole init` (migrations, first sysadmin,
   communes…) unless the stamp says it is done for what is installed
   (init_stamp.py);
6. unless services-only: the demo's sample servers, gunicorn (its workers
   forked from a master that loaded CKAN once); wait for
   /api/3/action/status_show; then the background worker(s) (jobs, harvest
   queues, scheduler and the slow start-up checks in one CKAN process, see
   background.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

from . import ckan_config, init_stamp, postgres, redis_server
from .ports import port_is_free
from .processes import (
    ManagedProcess,
    describe_exit,
    process_alive,
    stop_stale_processes,
    wait_for_exit,
)
from .secrets import load_or_create_secrets
from .settings import ENV_VARS, RuntimeSettings

BIN_DIR = Path(sys.executable).parent
PORT_FLAGS = {"web": "--web-port", "pg": "--pg-port", "redis": "--redis-port",
              "samples": "--samples-port"}
PORT_ENV = {"web": ENV_VARS["web_port"], "pg": ENV_VARS["pg_port"],
            "redis": ENV_VARS["redis_port"], "samples": ENV_VARS["samples_port"]}
# A CKAN process that keeps dying is not restarted forever: at most
# MAX_RESTARTS within RESTART_WINDOW seconds.
MAX_RESTARTS = 5
RESTART_WINDOW = 600


class StartupError(RuntimeError):
    """A start that cannot go on; the message is meant for the user as is."""


def say(message: str) -> None:
    print(f"[metropole] {message}", flush=True)


class Supervisor:
    def __init__(self, settings: RuntimeSettings) -> None:
        self.settings = settings
        self.processes: list[ManagedProcess] = []
        self.lock_handle: IO[str] | None = None
        self.web: ManagedProcess | None = None
        self.stopping = False

    # --- lifecycle -------------------------------------------------------------
    def run(self, ready_callback=None) -> int:
        """Start everything, then watch until a signal arrives. Returns an exit code."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            self.start()
        except StartupError as error:
            say(str(error))
            self.stop_all()
            return 1
        except KeyboardInterrupt:
            self.stop_all()
            return 130
        if ready_callback:
            ready_callback()
        try:
            return self.watch()
        finally:
            self.stop_all()

    def _on_signal(self, signum: int, _frame) -> None:
        if not self.stopping:
            self.stopping = True
            raise KeyboardInterrupt

    def start(self) -> None:
        s = self.settings
        for folder in (s.home, s.run_dir, s.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        self._recover_stale_state()
        self._check_ports()
        self._write_state("starting")
        secrets = load_or_create_secrets(s.secrets_file)

        self._start_postgres(secrets)
        self._start_redis(secrets)
        ckan_config.write(s, secrets)
        self._run_ckan_init()
        if not s.services_only:
            if s.demo:
                self._start_samples()
            self._start_web()
            self._wait_for_web()
            # Only now: on a 2-core machine, CKAN loading in the background
            # workers would slow the web's own start.
            self._start_background()
        self._write_state("ready")

    def watch(self) -> int:
        while not self.stopping:
            try:
                time.sleep(0.5)
            except KeyboardInterrupt:
                return 0
            for process in self.processes:
                code = process.poll()
                if code is None:
                    continue
                now = time.monotonic()
                process.restart_times = [t for t in process.restart_times
                                         if now - t < RESTART_WINDOW]
                if not process.restart or len(process.restart_times) >= MAX_RESTARTS:
                    say(f"{process.name} stopped ({describe_exit(code)}); stopping everything. "
                        f"See {process.log_path}.")
                    return 1
                process.restart_times.append(now)
                say(f"{process.name} stopped ({describe_exit(code)}); restarting "
                    f"({len(process.restart_times)}/{MAX_RESTARTS} in {RESTART_WINDOW // 60} "
                    f"min). See {process.log_path}.")
                process.kill_leftovers()
                process.start()
                self._write_state("ready")
        return 0

    def stop_all(self) -> None:
        # CKAN's processes all at once (each may take seconds to finish its
        # work), then Redis, then PostgreSQL, which they were using.
        services = [p for p in self.processes if p.name in ("postgres", "redis")]
        workers = [p for p in self.processes if p not in services]
        for group in (workers, *reversed([[p] for p in services])):
            running = [p for p in group if p.poll() is None]
            if running:
                say("stopping " + ", ".join(p.name for p in running))
            for process in group:
                process.ask_to_stop()
            for process in group:
                process.wait_stopped()
        self.processes.clear()
        if self.lock_handle is not None:
            self.settings.state_file.unlink(missing_ok=True)
            self.lock_handle.close()
            self.lock_handle = None

    # --- steps -------------------------------------------------------------------
    def _take_lock(self) -> None:
        """One supervisor per data folder. flock is released by the kernel when
        its holder dies, so a lock file left by a killed run is never stale."""
        # Held open for the supervisor's whole life: that is the lock.
        handle = open(self.settings.lock_file, "a+")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            state = read_state(self.settings)
            pid = state.get("pid", "?")
            raise StartupError(
                f"The portal is already running from {self.settings.home} (pid {pid}). "
                "Stop it with `metropole down` (or Ctrl-C in its terminal)."
            ) from None
        self.lock_handle = handle

    def _recover_stale_state(self) -> None:
        s = self.settings
        stale_state = read_state(s)
        if stale_state:
            say(f"Found state of a previous run that did not stop cleanly "
                f"(pid {stale_state.get('pid')}); recovering.")
            s.state_file.unlink(missing_ok=True)
        stop_stale_processes(s.run_dir, say)
        orphan = postgres.stale_postmaster_pid(s.pgdata)
        if orphan:
            say(f"Stopping PostgreSQL (pid {orphan}) left running by a previous run.")
            os.kill(orphan, signal.SIGINT)
            wait_for_exit(orphan, 30)
        for lock in postgres.clear_stale_lock_files(s.pgdata, s.socket_dir):
            say(f"Removed {lock.name}, left by a PostgreSQL that is gone.")

    def _check_ports(self) -> None:
        s = self.settings
        for role, port in s.ports().items():
            if not port_is_free(s.host, port):
                raise StartupError(
                    f"Port {port} ({role}) is already in use on {s.host}: set {PORT_ENV[role]} "
                    f"(or {PORT_FLAGS[role]}) to a free port. Nothing was started."
                )

    def _managed(self, name: str, command: list[str], **kwargs) -> ManagedProcess:
        process = ManagedProcess(
            name=name, command=command, log_path=self.settings.log_dir / f"{name}.log",
            pid_path=self.settings.run_dir / f"{name}.pid", **kwargs,
        )
        process.start()
        self.processes.append(process)
        return process

    def _start_postgres(self, secrets: dict[str, str]) -> None:
        s = self.settings
        say(f"PostgreSQL {postgres.bundled_major_version()} on {s.host}:{s.pg_port} "
            f"(data: {s.pgdata})")
        try:
            user = postgres.prepare(s.pgdata, s.socket_dir)
            process = self._managed(
                "postgres", postgres.server_command(s.pgdata, s.socket_dir, s.host, s.pg_port),
                run_as=user, stop_signal=signal.SIGINT, restart=False,
            )
            postgres.wait_until_ready(s.socket_dir, s.pg_port, process.popen, process.log_path)
            postgres.ensure_roles_and_databases(s.socket_dir, s.pg_port, secrets)
            postgres.set_datastore_permissions(s.socket_dir, s.pg_port)
        except postgres.PostgresDataError as error:
            raise StartupError(str(error)) from None

    def _start_redis(self, secrets: dict[str, str]) -> None:
        s = self.settings
        say(f"Redis on {s.host}:{s.redis_port}")
        conf = redis_server.write_config(s.redis_dir, s.host, s.redis_port,
                                         secrets["redis_password"])
        self._managed("redis", redis_server.server_command(conf), restart=False)
        redis_server.wait_until_ready(
            redis_server.url(s.host, s.redis_port, secrets["redis_password"]))

    def ckan_command(self, *args: str) -> list[str]:
        return [str(BIN_DIR / "ckan"), "-c", str(self.settings.ckan_ini), *args]

    def _ckan_env(self) -> dict[str, str]:
        # glibc gives each thread that allocates its own malloc arena and
        # rarely returns their free pages: two arenas keep a threaded CKAN
        # process (the background worker) tens of MiB smaller.
        return {"MALLOC_ARENA_MAX": "2", **os.environ, "CKAN_INI": str(self.settings.ckan_ini)}

    def _run_ckan_init(self) -> None:
        if init_stamp.is_done(self.settings):
            say("CKAN: initialisation already done for the installed versions and "
                f"configuration ({init_stamp.stamp_path(self.settings).name}); skipped")
            return
        say("CKAN: configuration check and database migrations")
        result = subprocess.run(self.ckan_command("metropole", "init"), env=self._ckan_env(),
                                capture_output=True, text=True)
        for line in result.stdout.splitlines():
            say(line)
        if result.returncode != 0:
            raise StartupError(explain_ckan_failure(result.stderr, self.settings.ckan_ini))
        init_stamp.record(self.settings)

    def _start_samples(self) -> None:
        """Sample servers that the demo harvest sources point to (the demo
        content itself is loaded by the background worker's start-up checks)."""
        s = self.settings
        say(f"Demo: sample SensorThings/FIWARE/GIS servers on {s.host}:{s.samples_port}")
        self._managed("samples", [sys.executable, "-m", "ckanext.metropole.demo.samples",
                                  "--host", s.host, "--port", str(s.samples_port)])

    def _start_web(self) -> None:
        s = self.settings
        say(f"CKAN web (gunicorn, {s.workers} workers sharing one preloaded CKAN) "
            f"on {s.site_url}")
        self.web = self._managed("web", [
            str(BIN_DIR / "gunicorn"), "--config", "python:ckanext.metropole.runtime.gunicorn_conf",
            "--bind", f"{s.host}:{s.web_port}", "--workers", str(s.workers),
            "ckanext.metropole.runtime.wsgi:application",
        ], env=self._ckan_env())

    def _start_background(self) -> None:
        s = self.settings
        say(f"CKAN background ({s.background_workers} process(es), {s.background_mode}): "
            "jobs, harvest gather/fetch queues, scheduler, start-up checks")
        for index in range(s.background_workers):
            # One scheduler and one pass of start-up checks are enough:
            # further workers only consume the queues.
            extra = ["--queues-only"] if index else []
            name = "background" if index == 0 else f"background-{index + 1}"
            self._managed(name, self.ckan_command(
                "metropole", "worker", "--mode", s.background_mode, *extra),
                env=self._ckan_env())

    def _wait_for_web(self, timeout: float = 180) -> None:
        url = f"{self.settings.site_url}/api/3/action/status_show"
        web = self.web
        assert web is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if web.poll() is not None:
                raise StartupError(f"CKAN web stopped while starting; see {web.log_path}.")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise StartupError(f"CKAN did not answer {url} within {timeout:.0f} s; "
                           f"see {web.log_path}.")

    def _write_state(self, status: str) -> None:
        s = self.settings
        state = {
            "pid": os.getpid(), "status": status, "profile": s.profile, "home": str(s.home),
            "url": s.site_url, "ports": s.ports(), "services_only": s.services_only,
            "children": {p.name: p.pid for p in self.processes},
        }
        tmp = s.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(s.state_file)


def read_state(settings: RuntimeSettings) -> dict:
    """State of a supervisor of this data folder, if one is running (or died)."""
    try:
        return json.loads(settings.state_file.read_text())
    except (OSError, ValueError):
        return {}


def running_supervisor_pid(settings: RuntimeSettings) -> int | None:
    """The pid of the live supervisor of this data folder, else None."""
    state = read_state(settings)
    pid = state.get("pid")
    if not pid or not process_alive(pid):
        return None
    # The lock is the ground truth: held means a supervisor is alive.
    try:
        with open(settings.lock_file, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
            return None
    except BlockingIOError:
        return pid
    except OSError:
        return None


def ckan_error_message(stderr: str) -> str:
    """CKAN's own message for a failed command, without logs or traceback."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    for marker in ("Invalid configuration values provided", "CkanConfigurationException: "):
        for index, line in enumerate(lines):
            if marker in line:
                # CKAN's CLI prints the message (possibly several lines), then "Aborted!".
                end = next((i for i in range(index, len(lines)) if lines[i] == "Aborted!"),
                           len(lines))
                return "\n".join([line.split("CkanConfigurationException: ")[-1],
                                  *lines[index + 1:end]])
    plain = [line for line in lines if line != "Aborted!" and not line[:1].isspace()
             and not re.match(r"\d{4}-\d\d-\d\d ", line)]
    return plain[-1] if plain else "no output"


def explain_ckan_failure(stderr: str, ini: Path) -> str:
    return f"CKAN could not start with {ini}:\n{ckan_error_message(stderr)}"
