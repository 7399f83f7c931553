"""Starting, watching and stopping the runtime's child processes.

Each child gets a pid file in ``run/`` and a log in ``logs/``. Children are
asked by the kernel to stop when the supervisor dies (PR_SET_PDEATHSIG), so a
killed ``make run`` leaves nothing listening; the pid files let the next start
find and stop anything that survived anyway (stale-state recovery).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1


def drop_privileges_to(user: str | None, death_signal: int | None = None) -> Callable[[], None]:
    """A ``preexec_fn``: new session, optional parent-death signal, optional setuid."""

    def prepare_child() -> None:
        os.setsid()
        if user is not None:
            entry = pwd.getpwnam(user)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
        # After setuid: the kernel clears the parent-death signal when the
        # credentials change.
        if death_signal is not None:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, death_signal)

    return prepare_child


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "still running"
    if returncode < 0:
        return f"killed by signal {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


@dataclass
class ManagedProcess:
    """One long-running child of the supervisor."""

    name: str
    command: list[str]
    log_path: Path
    pid_path: Path
    env: dict[str, str] | None = None
    run_as: str | None = None
    # How to ask it to stop: PostgreSQL's fast shutdown is SIGINT.
    stop_signal: int = signal.SIGTERM
    restart: bool = True
    popen: subprocess.Popen | None = field(default=None, repr=False)
    restart_times: list[float] = field(default_factory=list)
    started_at: float = 0.0

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab", buffering=0) as log:
            self.popen = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self.env, preexec_fn=drop_privileges_to(self.run_as, self.stop_signal),
            )
        self.started_at = time.monotonic()
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        self.pid_path.write_text(f"{self.popen.pid}\n{' '.join(self.command)}\n")

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def poll(self) -> int | None:
        return self.popen.poll() if self.popen else None

    def ask_to_stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            # The child leads its own session: signal its whole group so
            # gunicorn workers and rq work-horses go too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, self.stop_signal)

    def wait_stopped(self, timeout: float = 15) -> None:
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)
        self.pid_path.unlink(missing_ok=True)

    def kill_leftovers(self) -> None:
        """After the child died: kill what it started and left in its group
        (RQ's scheduler process…). Such an orphan keeps the dead child's
        Redis connection open, and Redis would hand the next job to that
        connection's pending BLMOVE, where nobody reads it."""
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)

    def stop(self, timeout: float = 15) -> None:
        self.ask_to_stop()
        self.wait_stopped(timeout)


def stop_stale_processes(run_dir: Path, log: Callable[[str], None]) -> int:
    """Stop children a killed supervisor left behind, found by their pid files.

    A pid file is only trusted when the process still runs the command it
    records, so a reused PID never gets a signal it should not.
    """
    stopped = 0
    for pid_file in sorted(run_dir.glob("*.pid")):
        try:
            lines = pid_file.read_text().splitlines()
            pid = int(lines[0])
            recorded = lines[1] if len(lines) > 1 else ""
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            cmdline = raw.replace(b"\0", b" ").decode().strip()
        except (OSError, ValueError, IndexError):
            cmdline, recorded, pid = "", "x", 0
        if pid and recorded and cmdline == recorded:
            log(f"Stopping {pid_file.stem} (pid {pid}) left running by a previous run.")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            wait_for_exit(pid, 15)
            stopped += 1
        pid_file.unlink(missing_ok=True)
    return stopped


def wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A zombie child of ours counts as gone.
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return False


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
