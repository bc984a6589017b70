"""The web service of minutes_nlp (``pip install minutes-nlp[web]``; ``minutes-nlp serve``).

>>> from minutes_nlp.web import Settings, create_app
>>> app = create_app(Settings(data_dir="minutes-nlp-data", migrate=True))
"""

from __future__ import annotations

from minutes_nlp.web.settings import Settings


def create_app(settings: Settings | None = None):
    """The FastAPI app (see minutes_nlp.web.app.create_app)."""
    from minutes_nlp.web.app import create_app as build

    return build(settings)


__all__ = ["Settings", "create_app"]
