"""Running one pure-Python step in a second process while the caller goes on.

Threads do not help a loop of Python calls (the GIL lets one run at a time), so the quote search
of :func:`prodstats.claims.load` runs in a forked child: the child sees the claims and texts
without a copy (fork shares the parent's memory until either writes to it) and sends back only
its result. Where fork is unavailable (Windows, macOS) or fails, or with ``PRODSTATS_FORK=0``,
the step simply runs in-process when its result is asked for.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import warnings
from collections.abc import Callable
from typing import Any


class Forked:
    """``func(*args)``, computed in a forked child process.

    Use as a context manager, so the child is reaped even if the caller fails::

        with Forked(search, quotes, texts) as pending:
            ...  # other work
            missing = pending.result()

    ``func`` must not depend on state the caller changes after the fork, and its result must
    pickle. If the child fails for any reason, :meth:`result` computes ``func(*args)`` here,
    so the outcome never depends on the fork. ``enabled=False`` never forks (for work too
    small to be worth a process).
    """

    def __init__(self, func: Callable[..., Any], *args: Any, enabled: bool = True):
        self._func, self._args = func, args
        self._pid: int | None = None
        self._read: int | None = None
        if (not enabled or not sys.platform.startswith("linux")
                or os.environ.get("PRODSTATS_FORK") == "0"):
            return
        try:
            read, write = os.pipe()
            with warnings.catch_warnings():  # 3.12+ warns about threads; the child uses none
                warnings.simplefilter("ignore", DeprecationWarning)
                pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: compute, send, and leave without running any cleanup
            status = 1
            try:
                gc.disable()  # a short-lived process: collecting cycles would only cost time
                os.close(read)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(pickle.dumps(func(*args), protocol=pickle.HIGHEST_PROTOCOL))
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> Any:
        """The child's result (waiting for it), or ``func(*args)`` computed here."""
        if self._pid is not None:
            with os.fdopen(self._read, "rb") as pipe:
                self._read = None
                data = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            self._pid = None
            if os.waitstatus_to_exitcode(status) == 0 and data:
                return pickle.loads(data)
        return self._func(*self._args)

    def close(self) -> None:
        """Stop and reap the child if its result was never collected."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            self._pid = None
        if self._read is not None:
            os.close(self._read)
            self._read = None

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
