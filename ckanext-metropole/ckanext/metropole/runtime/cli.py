"""``metropole up|down|status|logs|reset``: the embedded runtime's command line.

It does not import CKAN (CKAN cannot load before its database exists); the
CKAN-side commands are ``ckan metropole …`` (see ckanext.metropole.cli).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from .memory import memory_report
from .processes import wait_for_exit
from .settings import (
    BACKGROUND_MODES,
    PROFILE_DEFAULTS,
    RuntimeSettings,
    SettingsError,
    load_settings,
)
from .supervisor import Supervisor, read_state, running_supervisor_pid, say


def _settings_from(args: argparse.Namespace) -> RuntimeSettings:
    overrides = {
        "home": getattr(args, "home", None),
        "web_port": getattr(args, "web_port", None),
        "pg_port": getattr(args, "pg_port", None),
        "redis_port": getattr(args, "redis_port", None),
        "samples_port": getattr(args, "samples_port", None),
        "services_only": getattr(args, "services_only", None),
        "workers": getattr(args, "web_workers", None),
        "background_workers": getattr(args, "background_workers", None),
        "background_mode": getattr(args, "background_mode", None),
    }
    if getattr(args, "no_demo", False):
        overrides["demo"] = False
    return load_settings(args.profile, **overrides)


def cmd_up(args: argparse.Namespace) -> int:
    settings = _settings_from(args)
    if args.detach:
        return _up_detached(args, settings)

    def announce() -> None:
        if settings.services_only:
            say(f"Services ready (config: {settings.ckan_ini}).")
            return
        say("")
        say(f"Portal ready: {settings.site_url}/")
        say(f"API:          {settings.site_url}/api/3/action/status_show")
        say(f"Log in:       {settings.site_url}/user/login "
            "(sysadmin credentials were printed at the first start)")
        say("Ctrl-C stops everything.")

    return Supervisor(settings).run(ready_callback=announce)


def _up_detached(args: argparse.Namespace, settings: RuntimeSettings) -> int:
    """Start a supervisor in the background and return once it is ready."""
    argv = ["up", "--profile", settings.profile, "--home", str(settings.home),
            "--web-port", str(settings.web_port), "--pg-port", str(settings.pg_port),
            "--redis-port", str(settings.redis_port),
            "--samples-port", str(settings.samples_port),
            "--web-workers", str(settings.workers),
            "--background-workers", str(settings.background_workers),
            "--background-mode", settings.background_mode]
    if settings.services_only:
        argv.append("--services-only")
    if not settings.demo:
        argv.append("--no-demo")
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.log_dir / "supervisor.log"
    with open(log_path, "ab") as log:
        child = subprocess.Popen([sys.executable, "-m", "ckanext.metropole.runtime.cli", *argv],
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            print(_tail(log_path, 20), file=sys.stderr)
            return child.returncode or 1
        state = read_state(settings)
        if state.get("pid") == child.pid and state.get("status") == "ready":
            say(f"Running in the background (pid {child.pid}); log: {log_path}")
            return 0
        time.sleep(0.3)
    say(f"Not ready after {args.timeout} s; see {log_path}")
    return 1


def _tail(path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def cmd_down(args: argparse.Namespace) -> int:
    settings = _settings_from(args)
    pid = running_supervisor_pid(settings)
    if pid is None:
        say(f"Not running ({settings.home}).")
        return 0
    os.kill(pid, signal.SIGTERM)
    if not wait_for_exit(pid, args.timeout):
        say(f"Supervisor {pid} did not stop within {args.timeout} s; it was killed.")
        return 1
    say("Stopped.")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    settings = _settings_from(args)
    pid = running_supervisor_pid(settings)
    if pid is None:
        print(json.dumps({"running": False, "home": str(settings.home)}, indent=2))
        return 3  # LSB: program is not running
    state = read_state(settings)
    state["running"] = True
    if not state.get("services_only"):
        try:
            url = f"{state['url']}/api/3/action/status_show"
            with urllib.request.urlopen(url, timeout=5) as response:
                state["web"] = response.status
        except OSError as error:
            state["web"] = str(error)
    # What the portal costs: RSS, USS and PSS (MiB) of each process kind with
    # its descendants (PostgreSQL's backends, gunicorn's workers) and in
    # total; PSS adds up to the memory really used (runtime/memory.py).
    state["memory"] = memory_report(pid, state.get("children", {}))
    print(json.dumps(state, indent=2))
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    settings = _settings_from(args)
    logs = sorted(settings.log_dir.glob("*.log"))
    if args.name:
        logs = [p for p in logs if p.stem == args.name]
        if not logs:
            available = ", ".join(p.stem for p in sorted(settings.log_dir.glob("*.log")))
            say(f"No log named {args.name!r}; available: {available or 'none'}")
            return 1
    follow = ["-F"] if args.follow else []
    command = ["tail", "-n", str(args.lines), *follow, *(str(p) for p in logs)]
    return subprocess.call(command)


def cmd_reset(args: argparse.Namespace) -> int:
    """The only command that deletes data; it asks first."""
    settings = _settings_from(args)
    if running_supervisor_pid(settings) is not None:
        say("The portal is running: stop it first (`metropole down` or Ctrl-C).")
        return 1
    if not settings.home.exists():
        say(f"Nothing to delete: {settings.home} does not exist.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            say("Refusing to delete data without confirmation: run with --yes.")
            return 1
        answer = input(f"Delete ALL portal data in {settings.home} (databases, files, "
                       "secrets)? Type 'yes' to confirm: ")
        if answer.strip().lower() != "yes":
            say("Nothing deleted.")
            return 1
    shutil.rmtree(settings.home)
    say(f"Deleted {settings.home}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="metropole", description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", choices=sorted(PROFILE_DEFAULTS), default="run",
                        help="run (make run) or test (make test): separate data and ports")
    common.add_argument("--home", help="data folder (default .metropole; env METROPOLE_HOME)")
    common.add_argument("--timeout", type=float, default=300,
                        help="seconds to wait for a detached start or a stop")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", parents=[common], help="start the portal (foreground)")
    up.add_argument("--detach", "-d", action="store_true", help="run in the background")
    up.add_argument("--services-only", action="store_true",
                    help="PostgreSQL, Redis and the database set-up only (what tests need)")
    up.add_argument("--web-port", type=int)
    up.add_argument("--pg-port", type=int)
    up.add_argument("--redis-port", type=int)
    up.add_argument("--samples-port", type=int)
    up.add_argument("--no-demo", action="store_true", help="no sample data or sample servers")
    up.add_argument("--web-workers", type=int,
                    help="gunicorn workers (env METROPOLE_WEB_WORKERS; default 2)")
    up.add_argument("--background-workers", type=int,
                    help="processes serving jobs and harvest queues "
                         "(env METROPOLE_BACKGROUND_WORKERS; default 1)")
    up.add_argument("--background-mode", choices=BACKGROUND_MODES,
                    help="threads: the loops of a background worker in one process; fork: "
                         "one forked child each (env METROPOLE_BACKGROUND_MODE; "
                         "default threads)")
    up.set_defaults(func=cmd_up)

    for name, func, text in (("down", cmd_down, "stop a running portal"),
                             ("status", cmd_status, "is it running, where, and its memory")):
        command = sub.add_parser(name, parents=[common], help=text)
        command.set_defaults(func=func)

    logs = sub.add_parser("logs", parents=[common], help="show the processes' logs")
    logs.add_argument("name", nargs="?", help="postgres, redis, web, background, samples, "
                                              "supervisor")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=50)
    logs.set_defaults(func=cmd_logs)

    reset = sub.add_parser("reset", parents=[common], help="delete all data (asks first)")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(func=cmd_reset)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as error:
        say(str(error))
        return 2


if __name__ == "__main__":
    sys.exit(main())
