"""One language for everything people read: gettext catalogs, Vietnamese unless English is asked for.

Messages are written in English in the code (``_("...")``) and translated
through the catalogs in ``minutes_nlp/locale/{vi,en}/LC_MESSAGES/minutes_nlp.po``
(managed with Babel, see babel.cfg; the compiled .mo files are committed and
ship with the package). The language is chosen once per process, in order:

1. ``set_language("en")`` (the command line's ``--lang``),
2. the ``MINUTES_NLP_LANG`` environment variable,
3. the locale: ``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``; English when it starts with "en",
4. otherwise Vietnamese.

Names kept in module-level tables are marked with ``N_`` (no translation at
import) and translated where they are shown, so a table follows the language
in force when it is read. Machine codes (labels, levels, flag codes) never go
through the catalogs: JSON outputs keep them as they are.
"""

from __future__ import annotations

import gettext as _gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "minutes_nlp"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_chosen: str | None = None


def language_from(value: str | None) -> str | None:
    """'vi' or 'en' for a language or locale name ('en', 'en_US.UTF-8', 'vi_VN'); None when it names neither."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def resolve() -> str:
    """The language the environment asks for: MINUTES_NLP_LANG, else the locale (English only if it says so)."""
    asked = os.environ.get("MINUTES_NLP_LANG")
    if asked:
        return language_from(asked) or DEFAULT_LANGUAGE
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:  # the first one set decides, as in POSIX
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Use language ('vi' or 'en') from now on; None goes back to what the environment asks for. Returns it."""
    global _chosen
    if language is None:
        _chosen = None
        return current_language()
    code = language_from(language)
    if code is None:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    _chosen = code
    return code


def current_language() -> str:
    """The language in force: the one set, else the environment's (read at each call, so tests can change it)."""
    return _chosen or resolve()


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of language; a missing one is a packaging error and is raised as such."""
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])


def _(message: str) -> str:
    """message translated into the language in force."""
    return _catalog(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, translated into the language in force."""
    return _catalog(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark message for extraction without translating it now (module-level tables, click help)."""
    return message


gettext = _
