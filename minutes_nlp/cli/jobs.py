"""The ``--jobs N`` option of analyze, flag and survey (minutes_nlp/batch/pool.py does the work)."""

from __future__ import annotations

import click

from minutes_nlp.cli.language import option
from minutes_nlp.i18n import N_

jobs_option = option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help=N_(
        "Worker processes, each with the model loaded once [default: the number of cores]; 1 analyses in this "
        "process. The output is the same whatever the number."
    ),
)
