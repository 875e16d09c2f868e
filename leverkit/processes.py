"""How leverkit spends its process: a forked second process that computes while this one writes, and
Python's cycle collector held back while a workbook or page is built.

`leverkit report` renders its HTML summary in the second process while it
writes the workbook: the child fills a temporary file, which this process
puts in place, or removes, once the workbook is written.
"""
from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from contextlib import contextmanager, suppress

from .errors import LeverkitError


def can_fork() -> bool:
    """Whether a second process may be forked to share the work: on Linux (macOS's system libraries are not
    safe across fork, Windows has none), with a second CPU to run it, and only from a program with no other
    Python thread (a lock another thread held at the fork would stay held in the child for ever)."""
    return (sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1
            and threading.active_count() == 1)


_paused = threading.Lock()  # guards the two below: threads may build workbooks at the same time
_pauses = 0  # how many collector_paused blocks are running, in any thread
_restore = False  # whether the collector was on when the first of them began


@contextmanager
def collector_paused():
    """Hold back Python's cycle collector for the duration, then restore it as it was.

    Building a big workbook creates millions of small objects (XlsxWriter
    keeps a tuple per cell) that all stay alive until it is written. Each of
    the collector's full passes walks every one of them and frees nothing, so
    at 10,000 initiatives they cost about a fifth of the writing time.
    Reference counting still frees everything else as usual; only garbage in
    reference cycles waits until the end. The collector is one per process:
    when threads overlap, the first to begin pauses it and the last to end
    restores it. Usable as a decorator.
    """
    global _pauses, _restore
    with _paused:
        if not _pauses:
            _restore = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _paused:
            _pauses -= 1
            if not _pauses and _restore:
                gc.enable()


class _ChildTraceback(Exception):
    """Where the second process failed: the traceback it printed, attached as the cause of what it raised."""


def _fork(compute):
    """(pid, read end of a pipe) of a forked child that sends back the pickled outcome of `compute()`,
    or None when no process can be started."""
    import pickle

    for stream in (sys.stdout, sys.stderr):  # or the child would hold a copy of what is not yet written
        with suppress(AttributeError, OSError, ValueError):
            stream.flush()
    try:
        receive, send = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(receive)
        os.close(send)
        return None
    if pid:
        os.close(send)
        return pid, receive
    try:  # the child: compute, send (True, result) or (False, exception, traceback), leave without cleanup
        os.close(receive)
        try:
            outcome = (True, compute())
        except BaseException as exc:
            import traceback

            outcome = (False, exc, traceback.format_exc())
            try:
                pickle.loads(pickle.dumps(outcome))  # some exceptions pickle but cannot be rebuilt
            except Exception:
                outcome = (False, LeverkitError(str(exc)), outcome[2])
        with os.fdopen(send, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
    finally:
        os._exit(0)


def _reap(pid: int) -> int | None:
    """Wait for the child; its exit code, or None if something else already collected it."""
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


@contextmanager
def meanwhile(compute, parallel: bool = True):
    """Compute `compute()` in a second process while the body of the `with` runs here.

    Yields a function that returns what `compute()` returned, or raises what
    it raised, waiting for it if need be. Without a second process to use
    (see `can_fork`, or with `parallel` false) that function simply calls
    `compute()`. The child is forked, so it starts with everything already
    in memory; anything it writes should be temporary, for this process to
    keep or remove after the body, so that a failed body leaves the same
    files either way. If the body fails, the child is stopped.
    """
    child = _fork(compute) if parallel and can_fork() else None
    if child is None:
        yield compute
        return
    import pickle

    pid, receive = child
    pipe = os.fdopen(receive, "rb")
    done = False

    def result():
        nonlocal done
        payload = pipe.read()
        code = _reap(pid)
        done = True
        try:
            outcome = pickle.loads(payload)
        except Exception:
            raise LeverkitError(f"its process stopped unexpectedly (exit code {code})") from None
        if outcome[0]:
            return outcome[1]
        raise outcome[1] from _ChildTraceback(outcome[2])

    try:
        yield result
    finally:
        pipe.close()
        if not done:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _reap(pid)
