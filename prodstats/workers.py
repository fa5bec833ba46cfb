"""One stage computed beside another: a forked child process on the machine's second core.

A large build spends seconds projecting the series while the promise tracker reads the same
series; neither needs the other. :func:`beside` starts a function in a forked child (which
shares the parent's memory, so nothing is copied or pickled on the way in) and returns at once;
:meth:`Job.result` waits for it and returns its value, or raises the exception it raised. The
value comes back pickled through a pipe.

Where forking cannot help or cannot be done the function runs at once in the calling process,
with the same result: a small input (``size`` below :data:`MIN_SIZE`: the fork would cost more
than it saves), a single core, a platform without ``os.fork``, ``PRODSTATS_WORKERS=1``, or
``PRODSTATS_DEBUG`` set (so that a failure shows its whole traceback). The outputs are the
same either way (tested), so a build is byte-identical with and without the worker.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
from collections.abc import Callable
from typing import Any

#: The input size (rows) from which a stage is worth a process of its own: about 20 ms of
#: forking and pickling against the seconds a stage of this size takes.
MIN_SIZE = 20_000


#: How many children :func:`beside` started that have not been reaped.
_RUNNING = [0]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def forking(size: int) -> bool:
    """Whether :func:`beside` runs a stage of ``size`` rows in a child process."""
    return (size >= MIN_SIZE and hasattr(os, "fork") and _cores() >= 2
            and os.environ.get("PRODSTATS_WORKERS") != "1"
            and not os.environ.get("PRODSTATS_DEBUG"))


class Job:
    """A computation started by :func:`beside`: its value, once :meth:`result` is called."""

    def __init__(self, value: Any = None, pid: int | None = None, pipe: int | None = None):
        self._value, self._pid, self._pipe = value, pid, pipe

    def result(self) -> Any:
        """The function's value; its exception, raised here, if it raised one."""
        if self._pid is None:
            return self._value
        pipe, self._pipe = self._pipe, None
        try:
            with os.fdopen(pipe, "rb") as read:
                data = read.read()
        except BaseException:  # a signal while waiting: the child is not waited for
            self.cancel()
            raise
        self._reap()
        if not data:
            raise RuntimeError("the worker process stopped without a result (killed, or out "
                               "of memory?)")
        ok, value = pickle.loads(data)
        if ok:
            return value
        raise value

    def cancel(self) -> None:
        """Stop the child, if it still runs (the parent failed and will not wait for it)."""
        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it has just finished
            os.kill(self._pid, signal.SIGKILL)
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        self._reap()

    def _reap(self) -> None:
        pid, self._pid = self._pid, None
        if pid is not None:
            os.waitpid(pid, 0)
            _RUNNING[0] -= 1
            if not _RUNNING[0]:  # the last child gone: the collector may walk everything again
                gc.unfreeze()


def beside(size: int, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    """Start ``fn(*args, **kwargs)`` in a forked child process (see the module's docstring for
    when it runs at once instead); ``size`` is the number of rows it works on.
    """
    if not forking(size):
        return Job(fn(*args, **kwargs))
    gc.freeze()  # the collector would touch, and so copy, every page the two processes share
    _RUNNING[0] += 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
        try:
            os.close(read)
            try:
                outcome = (True, fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent
                outcome = (False, exc)
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
                data = pickle.dumps((False, RuntimeError(f"{type(outcome[1]).__name__}: "
                                                         f"{outcome[1]} ({exc})")))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write)
    return Job(pid=pid, pipe=read)
