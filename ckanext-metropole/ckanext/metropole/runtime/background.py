"""The portal's background work served by one CKAN-loaded process.

Runs inside CKAN (imported by ``ckan metropole worker`` only; the rest of
``runtime`` never imports CKAN). Four of these loops used to be four processes, each
loading all of CKAN and its plugins (~120 MiB of private memory apiece):

- ``jobs``: CKAN's RQ worker (``ckan jobs worker``); in fork mode it forks a
  work-horse per job, as upstream does; in threads mode it runs each job
  itself (see run_jobs);
- ``harvest-gather`` and ``harvest-fetch``: ckanext-harvest's Redis queue
  consumers (``ckan harvester gather-consumer`` / ``fetch-consumer``), each
  a blocking BLPOP loop that handles one message at a time;
- ``scheduler``: the portal's cron pass (due harvest sources, hung jobs);
- ``delayed-jobs``: RQ's scheduler of delayed jobs (a process of the RQ
  worker's own in ``ckan jobs worker``);

and, once per start, ``startup-checks`` (search index completeness, chart
views, demo content), which the runtime no longer runs before the web answers.

Two ways to host them, chosen by ``mode``:

- ``threads`` (default): one process; the RQ worker in the main thread (it
  needs the signals, and its job timeouts are SIGALRM), the others in
  threads. The loops mostly wait on Redis or PostgreSQL, so they do not
  compete for the GIL; SQLAlchemy's session is per thread. A loop that
  ends (an exception escaped it) stops the process with exit code 1 and
  the supervisor restarts it: a crash is handled as when each loop was a
  process.
- ``fork``: a parent loads CKAN once, closes its database connections,
  freezes its objects out of the garbage collector and forks one child per
  loop, so the children share its pages copy-on-write; the parent restarts
  a child that dies. Isolation of separate processes, for about 100 MiB
  more PSS than threads (benchmarks/runtime.py, with the demo).

Several such processes may consume the same queues (RQ and BLPOP hand each
message to one consumer); only one runs the scheduler.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from .preload import prepare_to_fork, release_free_memory

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
# A child of the fork mode that keeps dying is not restarted forever: the
# parent exits and leaves the decision to the supervisor.
MAX_CHILD_RESTARTS = 5
CHILD_RESTART_WINDOW = 600


def run_jobs(inline: bool = False) -> None:
    """``ckan jobs worker`` on the default queue; its scheduler of delayed
    jobs is ``run_delayed_jobs`` below rather than a process of its own."""
    job_worker(inline).work(with_scheduler=False)


def job_worker(inline: bool = False):
    """CKAN's RQ worker of the default queue (tests run it with ``burst``).

    ``inline``: each job runs in this (main) thread instead of a forked
    work-horse. Needed when other threads use the database: a horse forked
    from the process shares the connections they hold in their pools (the
    DataStore's, the search index's), and two processes talking on one
    connection corrupt both (seen as "SAVEPOINT can only be used in
    transaction blocks" in a harvest running next to a job)."""
    from ckan.lib.jobs import Worker
    from rq import SimpleWorker

    class InlineWorker(Worker):
        get_heartbeat_ttl = SimpleWorker.get_heartbeat_ttl

        def execute_job(self, job, queue) -> None:
            # CKAN's own messages, which its execute_job (the forking one)
            # would have logged.
            log.info('Worker %s starts job %s from queue "%s"', self.key, job.id, queue.name)
            SimpleWorker.execute_job(self, job, queue)
            log.info('Worker %s has finished job %s from queue "%s"', self.key, job.id,
                     queue.name)

    return (InlineWorker if inline else Worker)()


def run_delayed_jobs() -> None:
    """RQ's scheduler of delayed jobs (the DataStore's ``enqueue_in``: record
    counts, last_modified), which the RQ worker otherwise forks as a process:
    as both write to their heaps, that fork ended up ~100 MiB of PSS for a
    loop that wakes once a second. A lock in Redis keeps it to one per site."""
    from ckan.lib.jobs import get_queue
    from rq.scheduler import RQScheduler

    class DelayedJobsScheduler(RQScheduler):
        def _install_signal_handlers(self) -> None:
            """Signals belong to the main thread (the RQ worker's)."""

    queue = get_queue()
    scheduler = DelayedJobsScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks()
    scheduler.work()


def run_gather_consumer() -> None:
    from ckanext.harvest.utils import gather_consumer

    gather_consumer()


def run_fetch_consumer() -> None:
    from ckanext.harvest.utils import fetch_consumer

    fetch_consumer()


def run_scheduler(once: bool = False) -> None:
    """Start due harvest jobs every ``ckanext.metropole.scheduler.interval`` s."""
    import ckan.plugins.toolkit as toolkit

    interval = toolkit.config.get("ckanext.metropole.scheduler.interval")
    while True:
        scheduler_pass()
        if once:
            return
        release_free_memory()
        time.sleep(interval)


def scheduler_pass() -> None:
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    context = {"ignore_auth": True, "user": toolkit.get_action("get_site_user")(
        {"ignore_auth": True}, {})["name"]}
    try:
        from ckan.plugins import PluginImplementations

        from metropole_core.interfaces import IHarvestRuntime

        # Per-source cron schedules, contributed by the harvesters' plugin.
        for harvest_runtime in PluginImplementations(IHarvestRuntime):
            harvest_runtime.run_due_sources(context)
        # ckanext-harvest's own pass: finishes completed jobs and queues the
        # sources whose frequency is due.
        toolkit.get_action("harvest_jobs_run")(context, {})
    except toolkit.ObjectNotFound:
        pass
    except Exception as error:  # keep the loop alive; the error is in the log
        log.error("scheduler: harvest_jobs_run failed: %s", error)
    finally:
        model.Session.remove()
    scheduled_work(context)


def scheduled_work(context: dict) -> None:
    """The plugins' periodic work (notifications: retries, digests…)."""
    from ckan import model
    from ckan.plugins import PluginImplementations

    from metropole_core.interfaces import IScheduledWork

    for plugin in PluginImplementations(IScheduledWork):
        try:
            plugin.run_scheduled(dict(context))
        except Exception:  # keep the loop alive; the error is in the log
            log.exception("scheduler: %s failed", plugin.name)
        finally:
            model.Session.remove()


def run_startup_checks() -> None:
    from ckanext.metropole.startup_checks import startup_checks

    try:
        startup_checks()
    finally:
        from ckan import model

        model.Session.remove()


# The loops that consume a queue: any number of workers may run them.
QUEUES: dict[str, Callable[[], None]] = {
    "jobs": run_jobs,
    "harvest-gather": run_gather_consumer,
    "harvest-fetch": run_fetch_consumer,
}
COMPONENTS: dict[str, Callable[[], None]] = {
    **QUEUES,
    "scheduler": run_scheduler,
    "delayed-jobs": run_delayed_jobs,
    # Once per start, after the web answers (the supervisor starts the
    # worker then): search index completeness, chart views, demo content.
    "startup-checks": run_startup_checks,
}
# Components that end when their work is done, which is not a failure.
ONE_SHOT = {"startup-checks"}


def run(names: list[str], mode: str) -> int:
    """Serve the named components until SIGTERM/SIGINT; returns an exit code."""
    log.info("background worker (pid %s, %s): %s", os.getpid(), mode, ", ".join(names))
    if mode == "fork":
        return run_forked(names)
    return run_in_threads(names)


# --- threads -----------------------------------------------------------------
def run_in_threads(names: list[str]) -> int:
    failed = threading.Event()

    def guarded(name: str) -> None:
        try:
            COMPONENTS[name]()
            if name in ONE_SHOT:
                log.info("%s done", name)
                return
            log.error("%s stopped", name)
        except BaseException:
            log.exception("%s crashed", name)
            if name in ONE_SHOT:
                return
        failed.set()
        # The main thread's RQ worker takes SIGTERM as "finish the current
        # job, then stop": the process exits and the supervisor restarts it.
        os.kill(os.getpid(), signal.SIGTERM)

    for name in names:
        if name != "jobs":
            threading.Thread(target=guarded, args=(name,), name=name, daemon=True).start()
    if "jobs" in names:
        run_jobs(inline=True)
    else:
        wait_for_stop_signal()
    return 1 if failed.is_set() else 0


def wait_for_stop_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(1)


# --- fork --------------------------------------------------------------------
def run_forked(names: list[str]) -> int:
    prepare_to_fork()
    children: dict[int, str] = {}
    restarts: dict[str, list[float]] = {name: [] for name in names}
    stopping = False

    def on_stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        # The children are in their own groups: pass the request on (their
        # exits then wake the waitpid below).
        for pid in list(children):
            kill_group(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    for name in names:
        children[fork_component(name)] = name
    code = 0
    while children and not stopping:
        try:
            pid, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            break
        name = children.pop(pid, None)
        if name is None or stopping or name in ONE_SHOT:
            continue
        now = time.monotonic()
        restarts[name] = [t for t in restarts[name] if now - t < CHILD_RESTART_WINDOW]
        if len(restarts[name]) >= MAX_CHILD_RESTARTS:
            log.error("%s keeps stopping (%s); giving up", name, status)
            code = 1
            break
        restarts[name].append(now)
        log.error("%s stopped (wait status %s); restarting", name, status)
        kill_group(pid, signal.SIGKILL)
        children[fork_component(name)] = name
    for pid in list(children):
        kill_group(pid, signal.SIGTERM)
    for pid in list(children):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    return code


def kill_group(pid: int, signum: int) -> None:
    """Signal a forked loop and whatever it started (RQ's scheduler process
    and work-horse): an orphan would keep the loop's Redis connection, and
    its pending BLMOVE would swallow the next job."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def fork_component(name: str) -> int:
    pid = os.fork()
    if pid:
        # In both processes, so that no signal can reach the group before it exists.
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        return pid
    # The child: its own process group (see kill_group), default signal
    # handling (RQ installs its own), and it dies with the parent rather
    # than running unsupervised.
    code = 1
    try:
        os.setpgid(0, 0)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        COMPONENTS[name]()
        code = 0
    except BaseException:
        log.exception("%s crashed", name)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
