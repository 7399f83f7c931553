"""Helpers to drive separate runtime instances (own data folder, own ports)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Instance:
    """One runtime instance driven through the `metropole` command line."""

    home: Path
    web_port: int
    pg_port: int
    redis_port: int
    env: dict[str, str]
    samples_port: int = 0

    def cli(self, *args: str, timeout: float = 400, demo: bool = False
            ) -> subprocess.CompletedProcess:
        """`demo`: start as `make run` does, with the demo and its sample servers."""
        command = [sys.executable, "-m", "ckanext.metropole.runtime.cli", *args,
                   "--home", str(self.home)]
        if args and args[0] == "up":
            command += ["--web-port", str(self.web_port), "--pg-port", str(self.pg_port),
                        "--redis-port", str(self.redis_port)]
            command += ["--samples-port", str(self.samples_port)] if demo else ["--no-demo"]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=self.env, stdin=subprocess.DEVNULL)

    def supervisor_pid(self) -> int:
        return json.loads(self.cli("status").stdout)["pid"]

    def supervisor_log(self) -> str:
        path = self.home / "logs" / "supervisor.log"
        return path.read_text() if path.exists() else ""

    def processes(self) -> list[int]:
        """PIDs of live processes whose command line mentions this data folder
        or one of its ports (what a leak would look like)."""
        needles = [str(self.home).encode()] + [
            f":{port}".encode() for port in (self.web_port, self.pg_port, self.redis_port)]
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().split()[2]
            except OSError:
                continue
            if state != "Z" and any(n in cmdline for n in needles) and b"pytest" not in cmdline:
                found.append(int(entry.name))
        return found


@pytest.fixture
def instance(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("METROPOLE_")}
    env["METROPOLE_ADMIN_PASSWORD"] = "runtime-test-password"
    inst = Instance(home=tmp_path / "data", web_port=free_port(), pg_port=free_port(),
                    redis_port=free_port(), env=env, samples_port=free_port())
    yield inst
    inst.cli("down", "--timeout", "60")
