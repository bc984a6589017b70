"""Alembic migration scripts of the web service's database (run with ``minutes-nlp admin migrate``)."""
