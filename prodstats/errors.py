"""Errors of prodstats, and the one-line format of validation problems.

Hierarchy::

    ProdstatsError (Exception)
     ├── LedgerError (ProdstatsError, ValueError)   a ledger failed validation; holds Problems
     ├── SeriesError (ProdstatsError, ValueError)   a series cannot be projected
     ├── FrameError  (ProdstatsError, ValueError)   a public function got a frame it cannot use
     └── BuildError  (ProdstatsError, RuntimeError) a build stage failed; nothing was published
          ├── BugError                             ... on a bug of prodstats (please report it)
          └── PublishError                         swapping the outputs into place failed

    Interrupted (KeyboardInterrupt)                SIGINT or SIGTERM stopped the command

Every message says where (file:line, column), what was found, and what to do; ``outcome`` says
truthfully what was and was not changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class ProdstatsError(Exception):
    """Base class of every error prodstats raises on purpose. Every one pickles (a notebook
    or a worker process can pass it on).
    """

    #: What the failed command changed, for the last line the command line prints.
    outcome = "nothing was written."


@dataclass(frozen=True, order=True)
class Problem:
    """One failed check on one cell, row or file.

    Attributes:
        file: path of the file, as the user gave it.
        line: 1-based line in the file (the header is line 1), or None for the whole file.
        column: the column name, or None when the problem is not about one cell.
        found: the offending value as text, or None.
        message: what is wrong and how to fix it.
    """

    file: str
    line: int | None
    column: str | None
    found: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column is None:
            return f"{where}: {self.message}"
        column = self.column if len(self.column) <= 60 else self.column[:59] + "…"
        if self.found is None:
            return f"{where}: column '{column}': {self.message}"
        return f"{where}: column '{column}' = {_show(self.found)}: {self.message}"


def _show(value: str, limit: int = 60) -> str:
    """Quote a found value for a message, shortened and with control characters escaped."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "…'"


class LedgerError(ProdstatsError, ValueError):
    """A ledger failed validation. ``problems`` lists every failure, sorted by place."""

    def __init__(self, problems: list[Problem]):
        # One problem per cell: the first found is the most specific (raw-text checks run
        # before the generic type checks), so later ones about the same cell are dropped.
        seen: set[tuple] = set()
        kept = []
        for p in problems:
            cell = (p.file, p.line, p.column)
            if p.line is not None and p.column is not None:
                if cell in seen:
                    continue
                seen.add(cell)
            kept.append(p)
        self.problems = sorted(set(kept), key=_sort_key)
        super().__init__(str(self))

    def __reduce__(self):
        """Pickle by the problems (the default would pass the message text back in)."""
        return (type(self), (self.problems,))

    def __str__(self) -> str:
        """One line per problem; past :data:`SHOWN` lines with the same file and message, one
        line counts the rest (``problems`` keeps them all).
        """
        groups: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            groups.setdefault((p.file, p.message), []).append(p)
        lines, seen = [], dict.fromkeys(groups, 0)
        for p in self.problems:
            key = (p.file, p.message)
            group, k = groups[key], seen[key]
            seen[key] += 1
            if k < SHOWN:
                lines.append(str(p))
            elif k == SHOWN:
                rest = group[SHOWN:]
                first, last = rest[0].line, rest[-1].line
                where = ("" if first is None or last is None else f" (line {first})"
                         if first == last else f" (lines {first}-{last})")
                lines.append(f"{p.file}: and {len(rest):,} more lines with the same message"
                             f"{where}")
        return "\n".join(lines)


#: Lines of one kind shown before the rest are counted in one line.
SHOWN = 10
#: The tables in the order they are read: a problem of an earlier one (a duplicate source id)
#: is often the cause of those of a later one, so it is listed first.
FILE_ORDER = ("sources.csv", "indicators.csv", "actors.csv", "claims.csv", "skipped.csv")


def _sort_key(p: Problem) -> tuple:
    name = p.file.replace("\\", "/").rsplit("/", 1)[-1]
    rank = FILE_ORDER.index(name) if name in FILE_ORDER else len(FILE_ORDER)
    return (rank, p.file, p.line or 0, p.column or "", p.message)


class SeriesError(ProdstatsError, ValueError):
    """A series that cannot be projected (too few points, non-positive values, …)."""


class FrameError(ProdstatsError, ValueError):
    """A public function was given something other than the frame it works on (not a
    DataFrame, or one without the columns it needs). ``function``, ``made_by`` and ``missing``
    hold the details; the message says what to call instead.
    """

    def __init__(self, function: str, made_by: str, missing: tuple[str, ...] = (),
                 got: str | None = None):
        self.function, self.made_by, self.missing, self.got = function, made_by, tuple(missing), got
        super().__init__(str(self))

    def __reduce__(self):
        """Pickle by the details (the default would pass the message text back in)."""
        return (type(self), (self.function, self.made_by, self.missing, self.got))

    def __str__(self) -> str:
        if self.got is not None:
            return f"{self.function} needs {self.made_by}; got {self.got}"
        shown = ", ".join(f"'{c}'" for c in self.missing)
        return (f"{self.function} needs {self.made_by}; this frame lacks the column"
                f"{'s' if len(self.missing) != 1 else ''} {shown}")


def require_columns(frame: object, columns: Iterable[str], function: str, made_by: str,
                    numbers: Iterable[str] = ()) -> None:
    """Raise :class:`FrameError` unless ``frame`` is a DataFrame with every one of ``columns``,
    those of ``numbers`` holding numbers.

    Args:
        frame: what the caller was given.
        columns: the columns the caller reads.
        function: the caller as the user wrote it, e.g. ``"project()"``.
        made_by: what to pass instead, e.g. ``"the series from prodstats.resolve(ledger.claims)"``.
        numbers: the columns the caller computes with.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise FrameError(function, made_by, got=f"a {type(frame).__module__}."
                         f"{type(frame).__qualname__}, not a pandas DataFrame")
    missing = tuple(c for c in columns if c not in frame.columns)
    if missing:
        raise FrameError(function, made_by, missing)
    for column in numbers:
        if column in frame.columns and not _numbers(frame[column]):
            kind = frame[column].dtype
            raise FrameError(function, made_by, got=(
                f"a frame whose column '{column}' holds {kind} values, not numbers (read from a "
                "CSV as text? convert it with pd.to_numeric, or call the function that makes "
                "the frame)"))


def _numbers(column) -> bool:
    """Whether a column holds numbers (missing cells allowed; an empty column of any type)."""
    import numbers

    import pandas as pd

    kind = column.dtype
    if pd.api.types.is_bool_dtype(kind):
        return False
    if pd.api.types.is_numeric_dtype(kind):
        return True
    if not pd.api.types.is_object_dtype(kind):
        return column.empty
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool)
               for v in column.dropna().tolist())


def id_list(ids: object, function: str, argument: str, made_by: str) -> list[str]:
    """The ids of an argument that takes several (a list, a set, a dict's keys); a string is
    refused, not read letter by letter.

    Raises:
        TypeError: ``ids`` is a string, or not a collection of strings.
    """
    if ids is None:
        return []
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{function}: {argument} takes a collection of ids ({made_by}), not the "
                        f"string {ids!r}; for one id, write [{ids!r}]")
    try:
        out = list(ids)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{function}: {argument} takes a collection of ids ({made_by}); got "
                        f"a {type(ids).__name__}") from None
    odd = [i for i in out if not isinstance(i, str)]
    if odd:
        raise TypeError(f"{function}: {argument} takes a collection of ids ({made_by}); it "
                        f"holds {odd[0]!r}, a {type(odd[0]).__name__}")
    return out


class BuildError(ProdstatsError, RuntimeError):
    """A build stage failed. Nothing was published; the message names the stage."""


class BugError(BuildError):
    """A build stage failed on an error of prodstats itself, not of the ledger or the disk."""

    outcome = "this is a bug in prodstats, not a problem of the ledger."


class PublishError(BuildError):
    """Swapping the finished outputs into place failed; says which outputs were put back."""

    def __init__(self, cause: OSError, outputs: list, replaced: list):
        self.cause, self.outputs, self.replaced = cause, list(outputs), list(replaced)
        super().__init__(str(self))
        self.outcome = ("nothing was changed." if not self.replaced else
                        "some outputs were replaced (see above).")

    def __reduce__(self):
        """Pickle by the parts."""
        return (type(self), (self.cause, self.outputs, self.replaced))

    def __str__(self) -> str:
        why = self.cause.strerror or str(self.cause)
        where = f" ({self.cause.filename})" if self.cause.filename else ""
        names = ", ".join(self.outputs)
        if not self.replaced:
            return (f"build stage 'publish' failed: {why}{where}; every output ({names}) was put "
                    "back as it was. Check the space and permissions of the output folders")
        kept = [o for o in self.outputs if o not in self.replaced]
        return (f"build stage 'publish' failed: {why}{where}; "
                f"{', '.join(self.replaced)} could not be put back and hold the new "
                f"build, {', '.join(kept) or 'no other output'} as they were. Run the build "
                "again once the cause is fixed")


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped the command (raised by the command line's signal handler).

    Attributes:
        signum: the signal.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


# ---------------------------------------------------------------------------------------------
# Interrupts: a flag the stages poll, so that a signal is never raised inside a callback
# ---------------------------------------------------------------------------------------------

#: The signals that asked the running command to stop (set by :func:`on_signal`).
_PENDING: list[int] = []
#: How deep the running code is in :func:`polled_interrupts` blocks.
_POLLED = [0]


def on_signal(signum: int, _frame: object = None) -> None:
    """The command line's handler of SIGINT and SIGTERM.

    Outside :func:`polled_interrupts` it raises :class:`Interrupted` at once. Inside, the first
    signal only sets the flag, and the stage raises it at its next :func:`checkpoint` (an
    exception raised from a handler may land in a weakref callback or a finaliser, where Python
    prints it and goes on); a second signal raises at once, for a user who insists.
    """
    first = not _PENDING
    _PENDING.append(signum)
    if _POLLED[0] and first:
        return
    raise Interrupted(signum)


def record_signal(signum: int, _frame: object = None) -> None:
    """A handler that only records the signal (while the command line imports its modules)."""
    _PENDING.append(signum)


def pending() -> int | None:
    """The first signal that asked the command to stop, or None."""
    return _PENDING[0] if _PENDING else None


def clear_pending() -> None:
    """Forget the signals received (at the start of a command)."""
    _PENDING.clear()


def checkpoint() -> None:
    """Raise :class:`Interrupted` if a signal asked the command to stop."""
    if _PENDING:
        raise Interrupted(_PENDING[0])


@contextmanager
def polled_interrupts() -> Iterator[None]:
    """Within the block, a signal sets a flag that :func:`checkpoint` raises."""
    _POLLED[0] += 1
    try:
        yield
    finally:
        _POLLED[0] -= 1
