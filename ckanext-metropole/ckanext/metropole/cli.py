"""``ckan metropole …``: the CKAN-side commands of the portal."""

from __future__ import annotations

import os
import secrets

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import click


@click.group(short_help="Metropole portal commands.")
def metropole() -> None:
    """Metropole portal commands."""


@metropole.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Apply pending migrations (core and every enabled plugin), create the
    first sysadmin, the communes and themes, CKAN's JavaScript translations.
    Safe to run at every start; the runtime runs it only when something it
    depends on changed (runtime/init_stamp.py). The slow checks are
    `startup-checks`, run in the background once the web answers."""
    from ckan.cli.db import upgrade

    ctx.invoke(upgrade, version="head", plugin=None, skip_core=False, skip_plugins=False)
    _ensure_sysadmin()
    _ensure_communes_and_themes()
    _build_js_translations()


@metropole.command("startup-checks")
def startup_checks_command() -> None:
    """The checks of every start that may take a while: search index
    completeness, chart views of sensor tables, demo content (demo mode)."""
    from .startup_checks import startup_checks

    startup_checks()


def _build_js_translations() -> None:
    """CKAN writes the JavaScript translations (served at /api/i18n/<lang>)
    only in `ckan run`, never under gunicorn: without them every string of
    CKAN's scripts (table previews, "show more", map widgets) stays English.
    Rebuilt only when a catalogue changed."""
    from ckan.lib.i18n import build_js_translations

    build_js_translations()


def _ensure_communes_and_themes() -> None:
    """The metropole's communes and themes, loaded once: a portal of the
    metropole is useless without them. `ckan metropole communes load`
    refreshes them later (new population figures, merged communes)."""
    from .communes import loader
    from .themes import load_theme_groups

    siren = toolkit.config.get("ckanext.metropole.epci")
    if siren not in loader.existing_by("siren"):
        click.echo(f"Loading the communes of EPCI {siren} (official INSEE data)…")
        report = loader.load_epci(siren)
        click.echo(f"  {len(report.created)} organisations created")
    report = load_theme_groups()
    if report.created:
        click.echo(f"Theme groups created: {', '.join(report.created)}")


def _ensure_sysadmin() -> None:
    """Create a sysadmin when there is none: from METROPOLE_ADMIN_* variables,
    or with a random password printed once (never stored)."""
    existing = model.Session.query(model.User).filter_by(sysadmin=True, state="active").count()
    if existing:
        return
    name = os.environ.get("METROPOLE_ADMIN_NAME") or toolkit.config.get(
        "ckanext.metropole.admin.name")
    password = os.environ.get("METROPOLE_ADMIN_PASSWORD")
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    email = os.environ.get("METROPOLE_ADMIN_EMAIL", f"{name}@localhost")
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    toolkit.get_action("user_create")(
        {"user": site_user["name"], "ignore_auth": True},
        {"name": name, "email": email, "password": password, "sysadmin": True},
    )
    click.secho(f"Created sysadmin '{name}'.", fg="green")
    if generated:
        click.secho(f"  password: {password}", fg="yellow", bold=True)
        click.echo("  Shown only this once. Change it after logging in, or reset it with "
                   f"`ckan -c <ckan.ini> user setpass {name}`.")


@metropole.command()
@click.option("--once", is_flag=True, help="run one pass and exit")
def scheduler(once: bool) -> None:
    """Start due harvest jobs, forever (`ckan metropole worker` runs it too)."""
    from .runtime.background import run_scheduler

    run_scheduler(once=once)


@metropole.command()
@click.option("--mode", type=click.Choice(["threads", "fork"]), default="threads",
              show_default=True,
              help="threads: one process; fork: one child per loop, forked from this "
                   "preloaded process (shared pages, separate processes)")
@click.option("--queues-only", is_flag=True,
              help="consume the queues only, no scheduler and no start-up checks "
                   "(for a second worker: one of each is enough)")
def worker(mode: str, queues_only: bool) -> None:
    """The background work in one CKAN-loaded process: RQ jobs, harvest gather
    and fetch queues, the scheduler and the start-up checks (the runtime runs
    this)."""
    from .runtime.background import COMPONENTS, QUEUES, run

    raise SystemExit(run(list(QUEUES if queues_only else COMPONENTS), mode))


@metropole.group()
def communes() -> None:
    """Communes and their EPCI as organisations (official INSEE data)."""


@communes.command("load")
@click.option("--epci", "siren", default=None,
              help="SIREN of the EPCI (default: ckanext.metropole.epci; e.g. 200054807 "
                   "Aix-Marseille-Provence, 200093201 Lille MEL, 200039865 Metz Métropole)")
def communes_load(siren: str | None) -> None:
    """Create or update one organisation per commune of the EPCI, and the EPCI."""
    from .communes import loader, source

    siren = siren or toolkit.config.get("ckanext.metropole.epci")
    if siren not in source.epcis():
        raise click.ClickException(
            f"Unknown EPCI SIREN {siren!r}. Find the SIREN of an EPCI with "
            "`ckan metropole communes search-epci <part of its name>`, or in INSEE's list "
            "of EPCIs (https://www.insee.fr/fr/information/2510634).")
    epci = source.epcis()[siren]
    click.echo(f"{epci.name} ({siren})")
    def progress(items):
        with click.progressbar(list(items), label="Communes", show_pos=True) as bar:
            yield from bar

    report = loader.load_epci(siren, progress=progress)
    click.echo(f"created: {len(report.created)}, updated: {len(report.updated)}, "
               f"unchanged: {len(report.unchanged)}")


@communes.command("search-epci")
@click.argument("text")
def communes_search_epci(text: str) -> None:
    """List the EPCIs whose name contains TEXT, with their SIREN."""
    from .communes import source

    found = source.search_epcis(text)
    for epci in sorted(found, key=lambda e: e.name):
        click.echo(f"{epci.siren}  {epci.name}")
    if not found:
        raise click.ClickException(f"No EPCI name contains {text!r}.")


@metropole.group()
def themes() -> None:
    """The catalogue's themes."""


@themes.command("load")
def themes_load() -> None:
    """Create or update one group per theme (schemas/vocabularies/themes.yaml)."""
    from .themes import load_theme_groups

    report = load_theme_groups()
    click.echo(f"created: {len(report.created)}, updated: {len(report.updated)}, "
               f"unchanged: {len(report.unchanged)}")



@metropole.group()
def demo() -> None:
    """Demo content (only with ckanext.metropole.demo = true)."""


@demo.command("load")
def demo_load() -> None:
    """Create the demo datasets and the harvest sources fed by the local sample
    servers, and start a first harvest of each new source. Idempotent."""
    if not toolkit.config.get("ckanext.metropole.demo"):
        click.echo("Demo mode is off (ckanext.metropole.demo = false): nothing to load.")
        return
    from .startup_checks import load_demo

    load_demo()
