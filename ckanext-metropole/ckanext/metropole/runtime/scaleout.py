"""The production profile's scale-out, run on one machine without Docker:
several CKAN web nodes behind nginx, harvest consumers, all sharing the
PostgreSQL, Redis and upload storage of one runtime data folder and a
SolrCloud (``make solr-up``).

It is built from the production files themselves, so that what the tests
prove is what ``deployment/compose.production.yml`` runs: each process runs
its compose service's command (``deployment/production.ini``, gunicorn on
the portal's WSGI module, ``ckan harvester fetch-consumer``…) with the
``CKAN_*`` environment the compose file and ``make-secrets.sh`` give it, and
nginx runs ``deployment/nginx.conf.template`` filled in as the nginx image
fills it. What differs here is only what loopback imposes: addresses and
ports, plain http (so the cookies cannot be ``Secure``), and nginx's own
files (prefix, temp dirs, logs) under the data folder, unprivileged.
"""

from __future__ import annotations

import os
import shutil
import signal
import string
import subprocess
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import redis_server
from .ckan_config import database_url
from .processes import drop_privileges_to
from .secrets import load_or_create_secrets
from .settings import HOST, PROJECT_ROOT, RuntimeSettings
from .supervisor import BIN_DIR

DEPLOYMENT = PROJECT_ROOT / "deployment"
COMPOSE_FILE = DEPLOYMENT / "compose.production.yml"
NGINX_TEMPLATE = DEPLOYMENT / "nginx.conf.template"
PRODUCTION_INI = DEPLOYMENT / "production.ini"
# Where compose's commands find the configuration inside the image.
IMAGE_INI = "/srv/app/deployment/production.ini"
# The user nginx runs as when we are root: it needs no privilege on ports
# above 1024, and a proxy should not hold root's rights.
UNPRIVILEGED_USER = "nobody"

# Plain http on loopback: a browser (or requests) never sends a Secure
# cookie over http. Production is https (see deployment/README.md).
LOOPBACK_OVERRIDES = {"SESSION_COOKIE_SECURE": "false", "REMEMBER_COOKIE_SECURE": "false"}


def running_solr_url() -> str:
    """The collection URL the SolrCloud of ``make solr-up`` wrote when ready."""
    state = Path(os.environ.get("METROPOLE_SOLR_STATE") or PROJECT_ROOT / ".metropole" / "solr")
    return (state / "ready").read_text(encoding="utf-8").strip()


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def compose_command(service: str) -> list[str]:
    return list(compose()["services"][service]["command"])


def nginx_variables(listen_port: int, node_ports: list[int]) -> dict[str, str]:
    """The values compose gives the nginx service, for nodes on loopback."""
    return {"METROPOLE_NGINX_LISTEN": f"{HOST}:{listen_port}",
            "METROPOLE_NGINX_UPSTREAM": " ".join(f"server {HOST}:{port};"
                                                 for port in node_ports)}


def render_nginx_site(variables: Mapping[str, str]) -> str:
    """What the nginx image's entrypoint does with its templates: envsubst of
    the variables it is given only (nginx's own ``$host`` etc. stay)."""
    return string.Template(NGINX_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(variables)


def node_environment(settings: RuntimeSettings, solr_url: str, site_url: str,
                     ini: Path) -> dict[str, str]:
    """The CKAN_* variables of compose's ``x-ckan`` service and of the env
    file ``make-secrets.sh`` writes, for this data folder's services."""
    secrets = load_or_create_secrets(settings.secrets_file)
    return {
        "CKAN_INI": str(ini),
        "CKAN_SITE_URL": site_url,
        "CKAN_REDIS_URL": redis_server.url(settings.host, settings.redis_port,
                                           secrets["redis_password"]),
        "CKAN_SOLR_URL": solr_url,
        "CKAN_STORAGE_PATH": str(settings.storage_dir),
        "CKAN_SQLALCHEMY_URL": database_url("ckan", secrets["pg_ckan_password"], settings,
                                            "ckan"),
        "CKAN_DATASTORE_WRITE_URL": database_url(
            "datastore_write", secrets["pg_datastore_write_password"], settings, "datastore"),
        "CKAN_DATASTORE_READ_URL": database_url(
            "datastore_read", secrets["pg_datastore_read_password"], settings, "datastore"),
        "CKAN_SECRET_KEY": secrets["secret_key"],
        "CKAN_API_TOKEN_SECRET": secrets["api_token_secret"],
    }


def _nginx_main_conf(prefix: Path) -> str:
    """The equivalent of the nginx image's /etc/nginx/nginx.conf, with every
    file nginx writes under its prefix (it runs unprivileged)."""
    temp = prefix / "temp"
    return f"""\
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_processes 2;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/conf.d/default.conf;
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found is None:
        raise RuntimeError("nginx is missing: run `make nginx` (Debian's nginx package)")
    return found


@dataclass
class ScaleOut:
    """Web nodes, harvest consumers and nginx on loopback; ``start`` then
    ``stop``. Processes die with the process that started them."""

    settings: RuntimeSettings
    solr_url: str
    nginx_port: int
    node_ports: list[int]
    web_workers: int = 1
    # Harvest consumers: compose runs one gather and two fetch consumers.
    gather_consumers: int = 1
    fetch_consumers: int = 2
    # Install-specific options (e.g. outbound.allowed for a loopback source).
    extra_settings: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.settings.home / "scaleout"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.nginx_port}"

    @property
    def ini(self) -> Path:
        return self.folder / "scaleout.ini"

    def log(self, name: str) -> Path:
        return self.folder / "logs" / f"{name}.log"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "MALLOC_ARENA_MAX": "2",
                **node_environment(self.settings, self.solr_url, self.url, self.ini)}

    # --- files ----------------------------------------------------------
    def write_files(self) -> None:
        (self.folder / "logs").mkdir(parents=True, exist_ok=True)
        options = {**LOOPBACK_OVERRIDES, **self.extra_settings}
        self.ini.write_text(
            "# Written by ckanext.metropole.runtime.scaleout: production.ini on loopback.\n"
            f"[app:main]\nuse = config:{PRODUCTION_INI}\n"
            + "".join(f"{key} = {value}\n" for key, value in options.items()),
            encoding="utf-8")
        self.settings.storage_dir.mkdir(parents=True, exist_ok=True)
        prefix = self.folder / "nginx"
        shutil.rmtree(prefix, ignore_errors=True)
        for sub in ("conf.d", "temp"):
            (prefix / sub).mkdir(parents=True)
        (prefix / "conf.d" / "default.conf").write_text(
            render_nginx_site(nginx_variables(self.nginx_port, self.node_ports)))
        (prefix / "nginx.conf").write_text(_nginx_main_conf(prefix))
        if os.geteuid() == 0:
            for path in [prefix, *prefix.rglob("*")]:
                shutil.chown(path, UNPRIVILEGED_USER)

    # --- processes ------------------------------------------------------
    def _command(self, service: str) -> list[str]:
        """The compose service's command, with this machine's paths."""
        command = [str(self.ini) if word == IMAGE_INI else word
                   for word in compose_command(service)]
        if command[0] in ("ckan", "gunicorn"):
            command[0] = str(BIN_DIR / command[0])
        return command

    def _spawn(self, name: str, command: list[str], user: str | None = None) -> None:
        with open(self.log(name), "ab") as log:
            self.processes[name] = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self.environment(), cwd=PROJECT_ROOT,
                preexec_fn=drop_privileges_to(user, signal.SIGTERM))

    def rebuild_index(self) -> None:
        """CKAN's ``search-index rebuild`` with the profile's configuration:
        Solr refilled from PostgreSQL (compose: ``exec web ckan … rebuild``)."""
        self.write_files()
        subprocess.run([str(BIN_DIR / "ckan"), "-c", str(self.ini), "search-index", "rebuild"],
                       env=self.environment(), cwd=PROJECT_ROOT, check=True)

    def node_name(self, port: int) -> str:
        return f"web-{port}"

    def start_node(self, port: int) -> None:
        command = self._command("web")
        command[command.index("--bind") + 1] = f"{HOST}:{port}"
        command[command.index("--workers") + 1] = str(self.web_workers)
        self._spawn(self.node_name(port), command)

    def start(self, timeout: float = 240) -> None:
        self.write_files()
        for port in self.node_ports:
            self.start_node(port)
        for index in range(self.gather_consumers):
            self._spawn(f"harvest-gather-{index + 1}", self._command("harvest-gather"))
        for index in range(self.fetch_consumers):
            self._spawn(f"harvest-fetch-{index + 1}", self._command("harvest-fetch"))
        prefix = self.folder / "nginx"
        self._spawn("nginx", [nginx_binary(), "-p", str(prefix), "-e", str(prefix / "error.log"),
                              "-c", str(prefix / "nginx.conf")],
                    user=UNPRIVILEGED_USER if os.geteuid() == 0 else None)
        for port in self.node_ports:
            self.wait_for_node(port, timeout)

    def wait_for_node(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        name = self.node_name(port)
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log(name)}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/api/3/action/status_show",
                                            timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} not answering after {timeout} s; see {self.log(name)}")

    def stop_process(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # gunicorn's workers go too
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)


def main(argv: list[str] | None = None) -> int:
    """A local trial: the scale-out on the services of a data folder
    (``metropole up --services-only --detach``) and ``make solr-up``'s
    SolrCloud, in the foreground until Ctrl-C."""
    import argparse

    from .settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m ckanext.metropole.runtime.scaleout",
                                     description=main.__doc__)
    parser.add_argument("--profile", default="run", choices=("run", "test"))
    parser.add_argument("--nginx-port", type=int, default=5080)
    parser.add_argument("--node-ports", default="5081,5082")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--rebuild-index", action="store_true",
                        help="refill Solr from PostgreSQL first (a first start, a move)")
    parser.add_argument("--solr-url", default=None,
                        help="default: the URL in .metropole/solr/ready (make solr-up)")
    args = parser.parse_args(argv)
    solr_url = args.solr_url or running_solr_url()
    scaleout = ScaleOut(load_settings(args.profile), solr_url, args.nginx_port,
                        [int(port) for port in args.node_ports.split(",")], args.web_workers)
    try:
        if args.rebuild_index:
            scaleout.rebuild_index()
        scaleout.start()
        print(f"scale-out: {scaleout.url} (nginx) -> {args.node_ports}; harvest consumers: "
              f"1 gather, {scaleout.fetch_consumers} fetch; logs in {scaleout.folder / 'logs'}; "
              "Ctrl-C stops", flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        scaleout.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
