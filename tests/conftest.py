"""Every test starts in the default language: no MINUTES_NLP_LANG, a locale that is not English, nothing chosen.

Tests of --lang, MINUTES_NLP_LANG and LANG set them themselves; the choice made
by one test (``minutes-nlp --lang en``) is undone after it.
"""

import pytest

from minutes_nlp import i18n


@pytest.fixture(scope="session", autouse=True)
def default_locale():
    with pytest.MonkeyPatch.context() as mp:
        for var in ("MINUTES_NLP_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
            mp.delenv(var, raising=False)
        mp.setenv("LANG", "C.UTF-8")
        yield


@pytest.fixture(autouse=True)
def default_language():
    i18n.set_language(None)
    yield
    i18n.set_language(None)
