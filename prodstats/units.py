"""The one pint unit registry of prodstats, with the domain units.

Every module imports :data:`ureg` from here; none builds its own registry.

Each kind of thing counted is its own dimension, so a unit of the wrong kind is caught:
``rounds`` cannot be converted to ``drones``, and ``USD`` cannot be converted to ``EUR``
(an exchange rate is a choice the coder makes and writes down, never one prodstats makes).
Rates are ordinary pint quotients: ``rounds/month`` converts to ``rounds/year``.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import NoReturn

import pint

#: Definitions added to pint's defaults. Aliases cover the plurals pint does not derive.
DOMAIN_UNITS = (
    "round = [ammunition] = rd = shell = shells = projectile",
    "drone = [drone] = uav",
    "missile = [missile] = rocket",
    "weapon_system = [weapon_system] = system = systems",
    "contract = [contract]",
    "firm = [firm] = company = companies = manufacturer",
    "engagement = [engagement] = clash = clashes",
    "USD = [currency_usd] = usd = US_dollar",
    "EUR = [currency_eur] = eur = euro",
    "GBP = [currency_gbp] = gbp = pound_sterling",
)


def _registry() -> pint.UnitRegistry:
    """Pint's default registry. Its parsed definitions are cached in the user's cache folder
    (pint's own cache: about 0.13 s less at every start); without a usable cache folder, it is
    built from pint's definition files.
    """
    try:
        return pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=":auto:")
    except Exception:  # noqa: BLE001 - an unwritable or damaged cache must not stop prodstats
        return pint.UnitRegistry(autoconvert_offset_to_baseunit=True)


ureg = _registry()
for _definition in DOMAIN_UNITS:
    ureg.define(_definition)

#: Names that "did you mean" suggestions are drawn from: the domain units and common plurals.
SUGGESTIONS = sorted(
    {
        "rounds", "shells", "drones", "missiles", "systems", "contracts", "firms",
        "companies", "clashes", "USD", "EUR", "GBP", "year", "month", "day", "hour",
        "week", "percent", "dimensionless",
    }
)


#: Things that are counted as weapon systems: a suggestion, not an alias, so that the unit
#: written in the ledger stays one of the registry's own.
COUNTED_AS_SYSTEMS = {"gun", "guns", "howitzer", "howitzers", "tank", "tanks", "vehicle",
                      "vehicles", "launcher", "launchers", "aircraft", "jet", "jets", "ship",
                      "ships", "helicopter", "helicopters", "piece", "pieces"}


#: Words of news text (English and German) for things the registry counts under another name.
COUNTED_AS = {
    "rounds": {"granate", "granaten", "geschoss", "geschosse", "schuss", "munition",
               "artilleriegeschosse", "artilleriemunition", "ammunition", "ammo", "bullets"},
    "drones": {"drohne", "drohnen", "uavs"},
    "missiles": {"rakete", "raketen", "marschflugkörper", "lenkflugkörper"},
    "contracts": {"vertrag", "verträge", "auftrag", "aufträge", "orders"},
}


#: Words for "pieces" that count nothing in particular.
PIECES = {"stück", "stk", "stk.", "einheiten", "items"}


#: German words for the time bases.
TIMES = {"monat": "month", "monate": "month", "jahr": "year", "jahre": "year", "tag": "day",
         "tage": "day", "woche": "week", "wochen": "week", "stunde": "hour", "stunden": "hour"}


def _hint(name: str) -> str:
    if name.casefold() in TIMES:
        return f" (write the time in English: '{TIMES[name.casefold()]}', e.g. 'rounds/" \
               f"{TIMES[name.casefold()]}')"
    if name.casefold() in PIECES:
        return (" (count what the pieces are: 'rounds', 'systems', 'missiles', 'drones', e.g. "
                "'rounds/month')")
    if name.casefold() in COUNTED_AS_SYSTEMS:
        return " (count weapons as 'systems', e.g. 'systems/month')"
    unit = next((u for u, words in COUNTED_AS.items() if name.casefold() in words), None)
    if unit:
        return f" (count '{name}' as '{unit}', e.g. '{unit}/year')"
    close = difflib.get_close_matches(name, SUGGESTIONS, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class UnitParseError(ValueError):
    """A unit string that the registry cannot parse; ``str()`` is a message for people."""


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string such as ``'rounds/month'`` into a pint Unit.

    Raises:
        UnitParseError: with the unknown name and a suggestion where one is close.
    """
    text = text.strip()
    if text == "":
        raise UnitParseError("empty unit (write 'dimensionless' for a pure number)")
    odd = [c for c in text if ord(c) > 127]
    if odd:
        import unicodedata

        words = [w for w in re.split(r"[\s/*·^()0-9.-]+", text) if w and not w.isascii()]
        if all(unicodedata.name(c, "").startswith("LATIN") for c in odd):  # Stück, Drohnen/Monat
            return _unknown(words[0])

        shown = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '?')})"
                          for c in dict.fromkeys(odd))
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        close = difflib.get_close_matches(plain, SUGGESTIONS, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UnitParseError(f"unit contains non-ASCII look-alike characters [{shown}]{hint}; "
                             "type the unit in plain ASCII")
    try:
        return ureg.parse_units(text)
    except pint.errors.UndefinedUnitError as exc:
        return _unknown(str(exc.unit_names if isinstance(exc.unit_names, str)
                            else exc.unit_names[0]))
    except Exception as exc:  # pint raises several parser errors for malformed strings
        raise UnitParseError(f"cannot parse unit: {exc}") from None


def _unknown(name: str) -> NoReturn:
    raise UnitParseError(f"unknown unit '{name}'{_hint(name)}") from None


def per_year(unit: str) -> bool:
    """Whether a unit as written is a rate per year (``rounds/year``, ``USD / year``)."""
    return unit.replace(" ", "").endswith("/year")


@lru_cache(maxsize=4096)
def cumulative_count(measure: str, unit: str, period: str) -> bool:
    """Whether a point is a count reached by the end of its period ("520,000 delivered by the
    end of March 2024", coded ``2022-02-24/2024-03-31``): a level in an amount (a unit with
    no time in it, and not dimensionless: rounds, contracts, USD; not rounds/year, not days)
    whose period is written as a range (``start/end``). Such a count is placed at its period's
    end, the date it was reached (docs/codebook.md §7).
    """
    if measure != "level" or "/" not in str(period) or not isinstance(unit, str):
        return False
    try:
        dims = dimensionality(unit)
    except Exception:  # an unknown unit is reported by validation, not here
        return False
    return "[time]" not in dims and dims != "dimensionless"


def dimensionality(text: str) -> str:
    """Return the dimensionality of a unit string as text, e.g. ``'[ammunition] / [time]'``."""
    return str(parse_unit(text).dimensionality)


def factor(from_unit: str, to_unit: str) -> float:
    """Multiplicative factor that converts values in ``from_unit`` into ``to_unit``."""
    return float(ureg.Quantity(1.0, parse_unit(from_unit)).to(parse_unit(to_unit)).magnitude)


def is_rate_of(rate_unit: str, amount_unit: str) -> bool:
    """True when ``rate_unit`` is ``amount_unit`` per time (e.g. rounds/year vs rounds)."""
    per_time = parse_unit(amount_unit) / ureg.year
    return parse_unit(rate_unit).dimensionality == per_time.dimensionality
