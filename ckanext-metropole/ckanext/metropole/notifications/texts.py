"""The notices' words, in the subscriber's language, outside any web request
(jobs have none, so flask-babel cannot choose): the portal's own catalogue,
read with babel. English is the catalogue's source language."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from babel.support import NullTranslations, Translations

I18N = Path(__file__).parent.parent / "i18n"
DOMAIN = "ckanext-metropole"


@functools.cache
def _translations(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(I18N), [locale], domain=DOMAIN)


def gettext_for(locale: str) -> Callable[[str], str]:
    return _translations("en" if locale == "en" else "fr").gettext
