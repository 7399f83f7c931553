"""What the running portal costs in memory, per process kind and in total.

Three figures per process (Linux, from /proc/<pid>/smaps_rollup via psutil):
RSS counts every resident page, shared ones in full in each process, so its
sum over-counts; USS counts the pages only that process uses (what killing it
would free); PSS shares each page among the processes mapping it, so the sum
of PSS over the tree is what the whole portal really occupies.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil

MIB = 1024 * 1024


@dataclass
class KindMemory:
    """The processes of one role (``web`` = gunicorn's master and workers…)."""

    kind: str
    processes: int = 0
    rss: int = 0
    uss: int = 0
    pss: int = 0

    def add(self, info) -> None:
        self.processes += 1
        self.rss += info.rss
        self.uss += info.uss
        self.pss += getattr(info, "pss", 0)

    def as_mib(self) -> dict[str, object]:
        return {"processes": self.processes, "rss_mib": round(self.rss / MIB, 1),
                "uss_mib": round(self.uss / MIB, 1), "pss_mib": round(self.pss / MIB, 1)}


def tree_memory(supervisor_pid: int, children: dict[str, int]) -> dict[str, KindMemory]:
    """Memory of the supervisor and of each named child with its descendants
    (PostgreSQL's backends, gunicorn's workers, RQ's work-horses…), by kind,
    plus a ``total`` entry. Processes that vanish while being read are skipped."""
    kinds: dict[str, KindMemory] = {}
    seen: set[int] = set()

    def count(kind: str, process: psutil.Process) -> None:
        if process.pid in seen:
            return
        try:
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return
        seen.add(process.pid)
        kinds.setdefault(kind, KindMemory(kind)).add(info)

    for kind, pid in children.items():
        try:
            root = psutil.Process(pid)
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in family:
            count(kind, process)
    try:
        supervisor = psutil.Process(supervisor_pid)
        count("supervisor", supervisor)
        # Anything else it started (the demo loader, `ckan metropole init`…).
        for process in supervisor.children(recursive=True):
            count("other", process)
    except psutil.NoSuchProcess:
        pass
    total = KindMemory("total")
    for entry in kinds.values():
        total.processes += entry.processes
        total.rss += entry.rss
        total.uss += entry.uss
        total.pss += entry.pss
    kinds["total"] = total
    return kinds


def memory_report(supervisor_pid: int, children: dict[str, int]) -> dict[str, dict[str, object]]:
    """``tree_memory`` in MiB, ready to print as JSON."""
    return {kind: entry.as_mib()
            for kind, entry in tree_memory(supervisor_pid, children).items()}
