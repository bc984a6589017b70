"""The command line: thin click commands over the library (``minutes-nlp --help``)."""

from minutes_nlp.cli.main import main

__all__ = ["main"]
