"""``ckan metropole dcat …``: the DCAT catalogue from the command line."""

from __future__ import annotations

import contextlib
import sys

import click


@click.group(short_help="Catalogue DCAT-AP 3 / DCAT-AP 3 catalogue.")
def dcat() -> None:
    """Catalogue DCAT-AP 3 du portail / the portal's DCAT-AP 3 catalogue."""


@dcat.command()
@click.option("--url", help="Valider un catalogue distant (URL du point d'accès DCAT) "
                            "plutôt que celui de ce portail.")
@click.option("--warnings/--no-warnings", default=False,
              help="Afficher aussi les avertissements SHACL.")
@click.pass_context
def validate(ctx: click.Context, url: str | None, warnings: bool) -> None:
    """Valide tout le catalogue (toutes les pages) avec les formes SHACL de
    DCAT-AP 3 et affiche les violations. Code de sortie 1 s'il y en a."""
    from rdflib.namespace import DCAT, RDF

    from . import catalogue, shacl

    if url:
        graph = catalogue.fetch_graph(url)
    else:
        # ckanext-dcat's catalogue action builds its paging links from the
        # request: give it one, as CKAN's own commands do.
        flask_app = ctx.meta.get("flask_app")
        with flask_app.test_request_context() if flask_app else contextlib.nullcontext():
            graph = catalogue.whole_graph()
    results = shacl.validate(graph)
    violations = shacl.violations_only(results)
    shown = results if warnings else violations
    for result in shown:
        click.echo(str(result))
    datasets = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
    click.echo(f"{datasets} jeux de données, {len(graph)} triplets : "
               f"{len(violations)} violation(s), {len(results) - len(violations)} "
               f"avertissement(s).")
    sys.exit(1 if violations else 0)
