"""Periods: a year (``2024``), a month (``2024-01``), a day (``2025-01-17``), or a range of
any two of them (``2023-09/2024-01``, inclusive). Parsed once per distinct string.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

_PART = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")


@dataclass(frozen=True)
class Period:
    """A closed interval of days with the precision it was written in."""

    text: str
    start: date
    end: date
    precision: str  # year | month | day | range

    @cached_property
    def years(self) -> float:
        """Length in years; whole months and years count exactly (a month is 1/12 year)."""
        if self.start.day == 1 and _month_end(self.end):
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            return months / 12.0
        return ((self.end - self.start).days + 1) / 365.25

    @cached_property
    def key(self) -> str:
        """The span in its shortest form, so that equal spans compare equal: ``2023-01/2023-12``
        and ``2023`` are both ``2023``; ``2023-01-01/2023-01-31`` is ``2023-01``.
        """
        start, end = self.start, self.end
        if start == end:
            return start.isoformat()
        if start.day != 1 or not _month_end(end):
            return f"{start.isoformat()}/{end.isoformat()}"
        if start.month == 1 and end.month == 12:
            return (f"{start.year:04d}" if start.year == end.year
                    else f"{start.year:04d}/{end.year:04d}")
        first, last = f"{start.year:04d}-{start.month:02d}", f"{end.year:04d}-{end.month:02d}"
        return first if first == last else f"{first}/{last}"

    @cached_property
    def mid_year(self) -> float:
        """Midpoint as a decimal year (2024 → 2024.5), for charts and ordering."""
        days = (self.end - self.start).days + 1
        year = self.start.year
        length = 366 if calendar.isleap(year) else 365
        return year + (self.start.timetuple().tm_yday - 1 + days / 2) / length

    @cached_property
    def end_year(self) -> float:
        """The end of the period's last day as a decimal year, on the axis of :attr:`mid_year`
        (``2025`` and ``2025-12`` → 2026.0, ``2025-06`` → 2025.496): when a target falls due.
        """
        year = self.end.year
        length = 366 if calendar.isleap(year) else 365
        return year + self.end.timetuple().tm_yday / length


def _month_end(day: date) -> bool:
    """Whether ``day`` is the last of its month (without date arithmetic, which overflows on
    9999-12-31).
    """
    return day.day == calendar.monthrange(day.year, day.month)[1]


#: The period phrases of docs/codebook.md ("Period phrases"), in English and German, with the
#: months they stand for.
PHRASES = (
    (re.compile(r"(?i)(?:early|beginning of|start of|anfang|beginn|zu beginn)\W*([0-9]{4})"),
     "01", "04"),
    (re.compile(r"(?i)(?:mid|middle of|mitte)\W*([0-9]{4})"), "05", "08"),
    (re.compile(r"(?i)(?:by )?(?:the )?end of\W*([0-9]{4})|bis ende\W*([0-9]{4})"),
     "12", "12"),
    (re.compile(r"(?i)(?:late|ende(?: des jahres)?)\W*([0-9]{4})"), "09", "12"),
    (re.compile(r"(?i)(?:first half of|h1|erste[sn]? halbjahr)\W*([0-9]{4})"), "01", "06"),
    (re.compile(r"(?i)(?:second half of|h2|zweite[sn]? halbjahr)\W*([0-9]{4})"), "07", "12"),
)


def phrase_hint(text: str) -> str | None:
    """What to write for a period phrase of the codebook ("mid-2026" → 2026-05/2026-08)."""
    for pattern, first, last in PHRASES:
        match = pattern.fullmatch(text.strip())
        if match:
            year = next(g for g in match.groups() if g)
            period = f"{year}-{first}" if first == last else f"{year}-{first}/{year}-{last}"
            return (f"for '{text.strip()}' write {period} (docs/codebook.md, period phrases)")
    return None


class PeriodError(ValueError):
    """A period string that does not parse; ``str()`` says what is expected."""


def _part(text: str) -> tuple[date, date, str]:
    match = _PART.match(text)
    odd = [c for c in text if c not in "0123456789" and unicodedata.category(c) == "Nd"]
    if odd:
        shown = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '?')})"
                          for c in dict.fromkeys(odd))
        raise PeriodError(f"'{text}' is written with non-ASCII digits [{shown}]; type the "
                          "period with the digits 0-9")
    if not match:
        raise PeriodError(f"'{text}' is not a period; " + (phrase_hint(text) or (
            "write a year (2024), a month (2024-01), a day (2025-01-17) or a range "
            "(2023-09/2024-01)")))
    year, month, day = match.groups()
    y = int(year)
    if y < 1:
        raise PeriodError(f"year {year} in '{text}' does not exist; years run from 0001")
    if month is None:
        return date(y, 1, 1), date(y, 12, 31), "year"
    m = int(month)
    if not 1 <= m <= 12:
        raise PeriodError(f"month {m:02d} in '{text}' does not exist; months run 01–12")
    last = calendar.monthrange(y, m)[1]
    if day is None:
        return date(y, m, 1), date(y, m, last), "month"
    d = int(day)
    if not 1 <= d <= last:
        raise PeriodError(f"day {d:02d} in '{text}' does not exist; {y}-{m:02d} has {last} days")
    return date(y, m, d), date(y, m, d), "day"


@lru_cache(maxsize=65536)
def parse_period(text: str) -> Period:
    """Parse a period string. Raises PeriodError with a message for people."""
    text = str(text).strip()
    if "/" in text:
        left, _, right = text.partition("/")
        start, _, _ = _part(left.strip())
        _, end, _ = _part(right.strip())
        if end < start:
            raise PeriodError(f"range '{text}' ends before it starts; write the earlier end first")
        return Period(text, start, end, "range")
    start, end, precision = _part(text)
    return Period(text, start, end, precision)


def split_candidates(text: str) -> list[str]:
    """Split a ``base_period`` cell with alternatives (``2022|2023``) into its candidates."""
    return list(_candidates(str(text)))


@lru_cache(maxsize=65536)
def _candidates(text: str) -> tuple[str, ...]:
    # (a resolve asks for the same few hundred cells some 300,000 times at 10^5 claims)
    return tuple(part.strip() for part in text.split("|") if part.strip())
