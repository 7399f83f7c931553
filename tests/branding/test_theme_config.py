"""The metropole's identity comes from configuration: name, logo and colours
reach every page; a colour that is not a plain hex value is refused (it is
written into a <style> element)."""

from __future__ import annotations

import pytest
from ckan.plugins.toolkit import Invalid

from ckanext.metropole.branding.settings import css_colour


@pytest.mark.ckan_config("ckanext.metropole.theme.name", "Metz Métropole")
@pytest.mark.ckan_config("ckanext.metropole.theme.logo", "https://example.org/metz.svg")
@pytest.mark.ckan_config("ckanext.metropole.theme.primary_colour", "#123456")
@pytest.mark.ckan_config("ckanext.metropole.theme.accent_colour", "#654321")
def test_name_logo_and_colours_from_configuration(app):
    page = app.get("/user/login").body
    assert "Metz Métropole" in page
    assert 'src="https://example.org/metz.svg"' in page
    assert "--metropole-primary: #123456; --metropole-accent: #654321;" in page


def test_default_is_aix_marseille_provence_in_french_with_legal_links(app):
    page = app.get("/user/login").body
    assert "Métropole Aix-Marseille-Provence" in page
    assert "/metropole/logo-aix-marseille-provence.svg" in page
    for text in ("Accessibilité : partiellement conforme", "Mentions légales",
                 "Charte des données", "Documentation de l’API"):
        assert text in page
    assert 'hreflang="en"' in page


def test_legal_pages_in_french_and_english(app):
    for path in ("/accessibilite", "/mentions-legales", "/charte-des-donnees"):
        assert app.get(path).status_code == 200
        assert app.get("/en" + path).status_code == 200
    assert "partiellement conforme" in app.get("/accessibilite").body
    assert "partially compliant" in app.get("/en/accessibilite").body


def test_only_hex_colours_are_accepted():
    for value in ("#0b4f8a", "#fff", "", None):
        assert css_colour(value) == value
    for value in ("red", "#12345", "#0b4f8a; } body { display: none", "url(https://x.org)"):
        with pytest.raises(Invalid):
            css_colour(value)
