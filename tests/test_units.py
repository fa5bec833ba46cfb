"""The one unit registry: domain units parse, rates convert, kinds do not mix."""

import pint
import pytest

from prodstats.units import UnitParseError, factor, is_rate_of, parse_unit, ureg


@pytest.mark.parametrize(("text", "dimension"), [
    ("rounds", "[ammunition]"),
    ("shells", "[ammunition]"),
    ("drones", "[drone]"),
    ("missiles", "[missile]"),
    ("systems", "[weapon_system]"),
    ("contracts", "[contract]"),
    ("USD/year", "[currency_usd] / [time]"),
    ("EUR", "[currency_eur]"),
    ("rounds/month", "[ammunition] / [time]"),
    ("percent", "dimensionless"),
    ("dimensionless", "dimensionless"),
])
def test_domain_units_parse(text, dimension):
    assert str(parse_unit(text).dimensionality) == dimension


def test_rates_convert_per_month_to_per_year():
    assert factor("rounds/month", "rounds/year") == pytest.approx(12.0)
    assert factor("USD/month", "USD/year") == pytest.approx(12.0)
    assert factor("percent", "dimensionless") == pytest.approx(0.01)


def test_kinds_and_currencies_do_not_mix():
    with pytest.raises(pint.DimensionalityError):
        factor("rounds", "drones")
    with pytest.raises(pint.DimensionalityError):
        factor("EUR", "USD")


def test_rate_of_amount():
    assert is_rate_of("rounds/year", "rounds")
    assert not is_rate_of("rounds/year", "drones")


def test_unknown_unit_suggests_the_close_one():
    with pytest.raises(UnitParseError, match=r"unknown unit 'rouns' \(did you mean 'rounds'\?\)"):
        parse_unit("rouns/month")


def test_there_is_one_registry():
    import prodstats

    assert prodstats.ureg is ureg


def test_the_registry_survives_a_damaged_cache(tmp_path):
    """Pint's parsed definitions are cached in the user's cache folder; a damaged cache file
    must not stop prodstats (pint rebuilds it).
    """
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = "import prodstats.units as u; print(u.factor('rounds/month', 'rounds/year'))"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True)
    for cached in (tmp_path / "pint").glob("*.pickle"):
        cached.write_bytes(b"damaged")
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True)
    assert first.stdout.strip() == again.stdout.strip() == "12.0"


@pytest.mark.parametrize(("unit", "message"), [
    ("Stück", "unknown unit 'Stück' (count what the pieces are: 'rounds', 'systems', "
              "'missiles', 'drones', e.g. 'rounds/month')"),
    ("Stück/Monat", "unknown unit 'Stück' (count what the pieces are: 'rounds', 'systems', "
                    "'missiles', 'drones', e.g. 'rounds/month')"),
    ("rounds/Monat", "unknown unit 'Monat' (write the time in English: 'month', e.g. "
                     "'rounds/month')"),
    ("Stunden", "unknown unit 'Stunden' (write the time in English: 'hour', e.g. "
                "'rounds/hour')"),
    ("Marschflugkörper/year", "unknown unit 'Marschflugkörper' (count 'Marschflugkörper' as "
                              "'missiles', e.g. 'missiles/year')"),
])
def test_a_german_word_as_a_unit_gets_the_unit_to_write(unit, message):
    """A bulk import's 'Stück' was told to type plain ASCII, as if 'ü' were a look-alike;
    'Stueck' would still be wrong.
    """
    with pytest.raises(UnitParseError) as err:
        parse_unit(unit)
    assert str(err.value) == message
