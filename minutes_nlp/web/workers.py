"""Analyses in worker processes, so one bad file can only fail itself.

    >>> pool = AnalysisPool("default", workers=2, seconds=60, memory_mb=1024)
    >>> meeting = pool.analyze("kp5-2024-03.docx", "docx", data)  # MinutesError naming the file when it fails
    >>> pool.close()

Each worker loads the model once (a pebble process pool). A file gets a time
limit (past it, its worker is killed and replaced) and a memory limit (the
worker's address space is capped with RLIMIT_AS once the model is loaded, so
a file that needs more gets MemoryError); a worker that dies is replaced by the
pool. Requests never share a lock: they wait for their own file only.

The request's thread writes the upload into a temporary folder named
``minutes-nlp-web-<pid>-<start>-…`` and removes it in ``finally``; a server killed
with kill -9 leaves its folder behind, and ``sweep_temp`` (run when an app
starts) removes every such folder whose process is gone. The process's start
time is part of the name because a restarted server often gets its old pid
back (in a container, always).

``InlineAnalysis`` is the same interface over an Analyzer in the calling
process, for tests and ``admin reanalyze``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path, PurePosixPath

from minutes_nlp.errors import MinutesError, NeedsOCR, NoSpeakers, ReadError, UnsupportedFormat
from minutes_nlp.i18n import _, current_language, set_language
from minutes_nlp.reading.packages import PackageTooLarge
from minutes_nlp.web.sniff import SUFFIX_OF_KIND

log = logging.getLogger("minutes_nlp.web")

TEMP_PREFIX = "minutes-nlp-web-"
# The errors a worker reports by name; store.reason_for words NeedsOCR and NoSpeakers its own way.
_ERRORS = {cls.__name__: cls for cls in (ReadError, UnsupportedFormat, NeedsOCR, NoSpeakers, PackageTooLarge)}


def upload_path(folder: Path, kind: str) -> Path:
    return folder / f"upload{SUFFIX_OF_KIND[kind]}"


def temp_folder() -> Path:
    """A new private temporary folder for one upload, named after this process so a sweep knows its owner."""
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{process_tag()}-"))


def _started(pid: int) -> str | None:
    """When process pid started (clock ticks since boot, from /proc), or None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[19]
    except (OSError, IndexError):
        return None


def process_tag(pid: int | None = None) -> str:
    """``<pid>-<start>`` naming a process (this one by default) so that no later process with its pid matches."""
    pid = pid or os.getpid()
    started = _started(pid)
    return f"{pid}-{started}" if started else str(pid)


def owner_alive(name: str) -> bool | None:
    """Whether the process whose tag starts name (``<pid>[-<start>]-…``) still runs; None if name holds no tag."""
    owner = re.match(r"(\d+)(?:-(\d+))?-", name)
    if not owner:
        return None
    pid, started = int(owner.group(1)), owner.group(2)
    return _alive(pid) and (started is None or _started(pid) in (None, started))


def _alive(pid: int) -> bool:
    """Whether process pid runs; a zombie (killed, not yet reaped) counts as gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def sweep_temp(root: str | Path | None = None) -> int:
    """Remove the upload folders of processes that are gone (and of older versions, which named no process)."""
    removed = 0
    for folder in Path(root or tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        if owner_alive(folder.name[len(TEMP_PREFIX) :]):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _analyze_file(analyzer, name: str, path: Path):
    """The Meeting of the upload at path, shown as name; MinutesError (renamed to name) if unreadable."""
    try:
        meeting = analyzer(path, PurePosixPath(name).stem or "bien-ban")
    except MinutesError as exc:
        raise type(exc)(name, exc.reason, exc.fix) from None
    meeting.source_file = PurePosixPath(name).name
    return meeting


class InlineAnalysis:
    """Analyses in the calling process, one at a time (underthesea's tokenizers are not documented thread-safe)."""

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self._lock = threading.Lock()

    def analyze(self, name: str, kind: str, data: bytes):
        folder = temp_folder()
        try:
            path = upload_path(folder, kind)
            path.write_bytes(data)
            with self._lock:
                return _analyze_file(self.analyzer, name, path)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- worker side

_ANALYZER = None
_LOAD_ERROR: tuple[str, str, str | None] | None = None


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the server that started it dies (kill -9 included)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool still stops its workers on a clean exit
        pass


def _start_worker(model: str, memory_mb: int) -> None:
    """Pool initializer: load the model once, then cap the address space at what it uses plus memory_mb."""
    global _ANALYZER, _LOAD_ERROR
    _die_with_parent()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one core per worker: the pool is the parallelism
    try:
        from minutes_nlp.analysis.analyzer import Analyzer
        from minutes_nlp.segmentation.turns import turn_finder

        _ANALYZER = Analyzer(model)
        turn_finder()  # opened here, not in the first task: its loading must not count against the cap
    except MinutesError as exc:
        _LOAD_ERROR = (exc.source, exc.reason, exc.fix)
        return
    if memory_mb > 0:
        import resource

        with open("/proc/self/statm", encoding="ascii") as fh:
            used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = used + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _task(name: str, path: str, language: str):
    """Run in a worker: ("ok", Meeting) or ("error", kind, source, reason, fix); exceptions never cross the pipe."""
    set_language(language)
    if _LOAD_ERROR is not None:
        return ("error", "model", *_LOAD_ERROR)
    try:
        return ("ok", _analyze_file(_ANALYZER, name, Path(path)))
    except MinutesError as exc:
        return ("error", type(exc).__name__, exc.source, exc.reason, exc.fix)
    except MemoryError:
        return ("error", "memory", name, "", None)
    except Exception:  # a reader bug on a malformed file fails that file only
        log.exception("analysis of %s failed", name)
        return ("error", "bug", name, "", None)


def _ping(language: str):
    set_language(language)
    if _LOAD_ERROR is not None:
        return ("error", "model", *_LOAD_ERROR)
    return ("ok", _ANALYZER.model_info)


# ---------------------------------------------------------------- server side


class AnalysisPool:
    """A pool of worker processes that analyse uploads, each file under a time and a memory limit."""

    def __init__(self, model: str = "default", workers: int = 1, seconds: float = 60, memory_mb: int = 1024):
        import multiprocessing

        from pebble import ProcessPool

        self.seconds, self.memory_mb = seconds, memory_mb
        self._pool = ProcessPool(
            max_workers=max(1, workers),
            initializer=_start_worker,
            initargs=(model, memory_mb),
            context=multiprocessing.get_context("spawn"),  # a fresh interpreter: no threads or locks forked
        )
        # Start the workers from this (long-lived) thread and check the model loads: a bad model stops start-up.
        self.model_info = self._result(self._pool.schedule(_ping, (current_language(),)).result(), model)

    def analyze(self, name: str, kind: str, data: bytes):
        """The Meeting of data (an upload of kind, named name), or MinutesError naming it and the reason."""
        folder = temp_folder()
        try:
            path = upload_path(folder, kind)
            path.write_bytes(data)
            started = time.monotonic()
            future = self._pool.schedule(_task, (name, str(path), current_language()), timeout=self.seconds)
            try:
                answer = future.result()
            except FutureTimeout:
                raise MinutesError(
                    name,
                    _("the analysis took longer than {seconds} s and was stopped").format(seconds=f"{self.seconds:g}"),
                    _("check that this is one meeting's minutes; a very long file can be split"),
                ) from None
            except Exception as exc:  # the worker died (killed, crashed): pebble's ProcessExpired and the like
                log.error("worker analysing %s ended: %s (after %.1f s)", name, exc, time.monotonic() - started)
                raise MinutesError(
                    name,
                    _("the analysis stopped unexpectedly (the file needs more resources than allowed)"),
                    _("save it again in Word and upload it"),
                ) from None
            return self._result(answer, name)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _result(self, answer: tuple, name: str):
        if answer[0] == "ok":
            return answer[1]
        kind, source, reason, fix = answer[1:]
        if kind == "memory":
            raise MinutesError(
                name,
                _("the analysis needed more than {mb} MB of memory and was stopped").format(mb=self.memory_mb),
                _("check that this is one meeting's minutes; a very long file can be split"),
            )
        if kind == "bug":
            raise MinutesError(
                name,
                _("the file could not be analysed (an error while reading it); save it again in Word and upload it"),
            )
        raise _ERRORS.get(kind, MinutesError)(source, reason, fix)

    def close(self) -> None:
        self._pool.stop()
        self._pool.join()
