"""``--jobs N`` of analyze, flag and survey: the same work on N worker processes, results in input order.

The parent builds the Analyzer (so a bad model or config is one line before
any work, as with ``--jobs 1``) and the workers are forked from it: each holds
the loaded model from its start, without loading it again. Where fork does not
exist the Analyzer is pickled to each worker once, by the pool's initializer.
A MinutesError travels back as its parts (its class, file, reason and fix),
since its constructor is not the one pickle would call.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from minutes_nlp.errors import MinutesError

_analyzer = None  # the worker's Analyzer, set once by _install


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def _install(analyzer) -> None:
    global _analyzer
    _analyzer = analyzer
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, not one traceback per worker


class _Failure:
    """A MinutesError in a form pickle can rebuild."""

    def __init__(self, exc: MinutesError):
        self.cls, self.source, self.reason, self.fix = type(exc), exc.source, exc.reason, exc.fix

    def error(self) -> MinutesError:
        return self.cls(self.source, self.reason, self.fix)


def _call(work: Callable, item):
    try:
        return work(_analyzer, item)
    except MinutesError as exc:
        return _Failure(exc)


def analyze_path(analyzer, path: Path):
    """What analyze does with one file."""
    return analyzer(path)


def analyze_item(analyzer, item):
    """What flag and survey do with one collected item (a file or a zip member's bytes)."""
    from minutes_nlp.reports.supervise import analyze_items

    meetings, failures = analyze_items(analyzer, [item])
    if failures:
        raise failures[0]
    return meetings[0]


def run(analyzer, work: Callable, items: Iterable, jobs: int) -> Iterator:
    """Yield work(analyzer, item) or its MinutesError for every item, in input order, on up to jobs processes.

    With one job (or one item) everything runs here, in this process.
    """
    items = list(items)
    jobs = max(1, min(jobs, len(items)))
    if jobs == 1:
        for item in items:
            try:
                yield work(analyzer, item)
            except MinutesError as exc:
                yield exc
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Small chunks keep the workers evenly loaded; more than one item a message saves round trips.
    chunk = max(1, min(8, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_install, initargs=(analyzer,)) as pool:
        for result in pool.map(_call, [work] * len(items), items, chunksize=chunk):
            yield result.error() if isinstance(result, _Failure) else result
