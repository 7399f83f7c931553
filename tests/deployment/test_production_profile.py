"""The production compose profile cannot run here (no Docker engine): check
that what it runs and configures exists in the installed CKAN and plugins."""

from __future__ import annotations

import configparser
import importlib.util
import re
from pathlib import Path

import click
import pytest
import yaml
from ckan.cli.cli import ckan as ckan_cli
from ckan.common import config_declaration
from ckan.config.environment import CONFIG_FROM_ENV_VARS

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = ROOT / "deployment"
COMPOSE = yaml.safe_load((DEPLOYMENT / "compose.production.yml").read_text())
SITE_PACKAGES = Path(click.__file__).resolve().parents[1]


def _services_running(binary: str) -> dict[str, list[str]]:
    return {name: service["command"] for name, service in COMPOSE["services"].items()
            if isinstance(service.get("command"), list) and service["command"][0] == binary}


def _ini_options(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(path)
    return dict(parser.items("app:main"))


@pytest.mark.parametrize("service,command", sorted(_services_running("ckan").items()))
@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config("ckan.plugins", "metropole harvest")
def test_every_ckan_command_of_the_profile_exists(service, command):
    assert command[1:3] == ["-c", "/srv/app/deployment/production.ini"]
    from ckan.cli.cli import _get_commands_from_plugins
    from ckan.plugins import IClick, PluginImplementations

    # What `ckan -c …` offers: core commands plus those of enabled plugins.
    group = click.Group(commands={**ckan_cli.commands, **{
        cmd.name: cmd for cmd in _get_commands_from_plugins(PluginImplementations(IClick))}})
    ctx = click.Context(group)
    for word in command[3:]:
        assert isinstance(group, click.Group), f"{service}: {word!r} after a leaf command"
        sub = group.get_command(ctx, word)
        assert sub is not None, f"{service}: `ckan {' '.join(command[3:])}` has no {word!r}"
        group = sub


def test_the_web_service_runs_gunicorn_on_our_wsgi_module():
    command = COMPOSE["services"]["web"]["command"]
    module, _, attribute = command[-1].partition(":")
    source = ROOT / "ckanext-metropole" / Path(*module.split(".")).with_suffix(".py")
    assert source.exists() and re.search(rf"^{attribute} = ", source.read_text(), re.M)
    from gunicorn.config import Config

    known = {flag for setting in Config().settings.values() for flag in setting.cli or []}
    assert {arg for arg in command[1:-1] if arg.startswith("--")} <= known


def _key_exists(key: str) -> bool:
    """Declared by CKAN or a plugin, or read by the source of an installed
    extension, by its name or by a namespace prefix (ckanext-spatial reads
    every ``ckanext.spatial.common_map.*`` option through its prefix)."""
    if config_declaration.get(key) is not None:
        return True
    parts = key.split(".")
    needles = [key.encode()] + [(".".join(parts[:n]) + ".").encode()
                                for n in range(len(parts) - 1, 2, -1)]
    roots = [SITE_PACKAGES / "ckan", SITE_PACKAGES / "ckanext", ROOT / "ckanext-metropole",
             ROOT / "metropole_harvesters"]
    sources = [path.read_bytes() for root in roots for path in root.rglob("*.py")]
    return any(needle in source for needle in needles for source in sources)


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("ini", ["portal.ini", "production.ini"])
def test_every_configuration_key_exists(ini):
    unknown = [key for key in _ini_options(DEPLOYMENT / ini)
               if key not in ("use",) and not _key_exists(key)]
    assert unknown == []


def test_every_environment_variable_is_read_by_ckan_or_the_config():
    production = (DEPLOYMENT / "production.ini").read_text()
    interpolated = set(re.findall(r"%\((CKAN_[A-Z_]+)\)s", production))
    declared_in_compose = set(COMPOSE["x-ckan"]["environment"])
    env_file_note = COMPOSE_TEXT_ENV_FILE_VARS
    for name in declared_in_compose | env_file_note:
        assert (name in CONFIG_FROM_ENV_VARS.values() or name in interpolated
                or name == "CKAN_INI"), name
    # Every secret the config interpolates is provided by the generated env file.
    generator = (DEPLOYMENT / "make-secrets.sh").read_text()
    for name in interpolated:
        assert f"{name}=" in generator


COMPOSE_TEXT_ENV_FILE_VARS = set(re.findall(
    r"^(CKAN_[A-Z_]+)=", (DEPLOYMENT / "make-secrets.sh").read_text(), re.M))


def test_the_production_solr_is_the_tests_solr_with_the_same_configset(tmp_path):
    """One Solr set-up: the release deployment/solr/pom.xml pins (the tests'
    SolrCloud) and the configset its start script writes with configset.py."""
    from ckan.lib.search import SUPPORTED_SCHEMA_VERSIONS

    pom = (DEPLOYMENT / "solr" / "pom.xml").read_text()
    version = re.search(r"<solr.version>([^<]+)</solr.version>", pom).group(1)
    solr = COMPOSE["services"]["solr"]
    assert solr["image"] == f"solr:{version}"
    assert solr["command"][:2] == ["solr-precreate", "ckan"]
    writer = COMPOSE["services"]["solr-configset"]["command"]
    assert writer == ["python", "/srv/app/deployment/solr/configset.py", solr["command"][2]]
    assert "configset.py" in (DEPLOYMENT / "solr" / "solrcloud.sh").read_text()
    # What it writes: CKAN's own schema, which this CKAN accepts, plus the
    # numeric bbox fields solr-bbox's function queries read.
    spec = importlib.util.spec_from_file_location("configset", DEPLOYMENT / "solr" / "configset.py")
    configset = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(configset)
    configset.write(tmp_path / "ckan")
    schema = (tmp_path / "ckan" / "schema.xml").read_text()
    assert re.search(r'<schema name="ckan-([^"]+)"', schema).group(1) in SUPPORTED_SCHEMA_VERSIONS
    for field in ("minx", "maxx", "miny", "maxy"):
        assert f'<field name="{field}" type="pdouble"' in schema
    assert _ini_options(DEPLOYMENT / "production.ini")[
        "ckanext.metropole.search.backend"] == "solr"


def test_every_service_depends_only_on_defined_services():
    services = COMPOSE["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", []):
            assert dependency in services, (name, dependency)


def test_the_scaleout_set_up_of_the_tests_runs_the_production_files(tmp_path):
    """tests/deployment/test_scaleout.py runs this profile on loopback
    (runtime/scaleout.py): the same nginx template filled the same way, the
    same CKAN_* environment, production.ini itself with only the cookies'
    Secure flag off (plain http), the same Solr collection and PostgreSQL."""
    from urllib.parse import urlsplit

    from ckanext.metropole.runtime import postgres, scaleout
    from ckanext.metropole.runtime.settings import load_settings

    nginx = COMPOSE["services"]["nginx"]
    template = scaleout.NGINX_TEMPLATE.relative_to(DEPLOYMENT)
    assert f"./{template}:/etc/nginx/templates/default.conf.template:ro" in nginx["volumes"]
    local = scaleout.nginx_variables(8080, [8081, 8082])
    assert set(nginx["environment"]) == set(local)
    production_site = scaleout.render_nginx_site(nginx["environment"])
    local_site = scaleout.render_nginx_site(local)
    assert "${METROPOLE_" not in production_site + local_site
    differing = set(production_site.splitlines()) ^ set(local_site.splitlines())
    assert differing and all(re.match(r"\s*(listen|server) ", line) for line in differing)

    environment = scaleout.node_environment(load_settings("test", home=str(tmp_path)),
                                            "http://solr", "http://portal", tmp_path / "x.ini")
    assert set(environment) == set(COMPOSE["x-ckan"]["environment"]) | COMPOSE_TEXT_ENV_FILE_VARS
    secure_flags = {key for key in _ini_options(DEPLOYMENT / "production.ini")
                    if key.endswith("_COOKIE_SECURE")}
    assert set(scaleout.LOOPBACK_OVERRIDES) == secure_flags
    # Its processes run the commands of this file with this configuration.
    assert (scaleout.COMPOSE_FILE, scaleout.PRODUCTION_INI) == (
        DEPLOYMENT / "compose.production.yml", DEPLOYMENT / "production.ini")
    assert scaleout.IMAGE_INI in COMPOSE["services"]["harvest-fetch"]["command"]

    solr_path = urlsplit(COMPOSE["x-ckan"]["environment"]["CKAN_SOLR_URL"]).path
    assert solr_path == "/solr/ckan"
    assert "COLLECTION=ckan" in (DEPLOYMENT / "solr" / "solrcloud.sh").read_text()
    assert COMPOSE["services"]["db"]["image"] == f"postgres:{postgres.bundled_major_version()}"

