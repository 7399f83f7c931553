"""``ckan metropole …``: the CKAN-side commands of the portal."""

from __future__ import annotations

import os
import secrets
import time

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import click


@click.group(short_help="Metropole portal commands.")
def metropole() -> None:
    """Metropole portal commands."""


@metropole.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Apply pending migrations (core and every enabled plugin) and create the
    first sysadmin. Safe to run at every start."""
    from ckan.cli.db import upgrade

    ctx.invoke(upgrade, version="head", plugin=None, skip_core=False, skip_plugins=False)
    _ensure_sysadmin()


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
    """Start due harvest jobs, forever (the runtime runs this as a process)."""
    interval = toolkit.config.get("ckanext.metropole.scheduler.interval")
    while True:
        _scheduler_pass()
        if once:
            return
        time.sleep(interval)


def _scheduler_pass() -> None:
    context = {"ignore_auth": True, "user": toolkit.get_action("get_site_user")(
        {"ignore_auth": True}, {})["name"]}
    try:
        # ckanext-harvest's own pass: finishes completed jobs and queues the
        # sources whose frequency is due.
        toolkit.get_action("harvest_jobs_run")(context, {})
    except toolkit.ObjectNotFound:
        pass
    except Exception as error:  # keep the loop alive; the error is in the log
        click.echo(f"scheduler: harvest_jobs_run failed: {error}", err=True)
    finally:
        model.Session.remove()
