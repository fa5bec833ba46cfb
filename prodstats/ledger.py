"""The ledger: :func:`load` reads a raw folder, validates it and derives each claim's figures.

    read (read.py) -> validate (validate.py) -> derive (here)

Every check runs and every failure is reported; a ledger with any problem raises
:class:`~prodstats.errors.LedgerError` carrying one line per problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from prodstats import config, schemas
from prodstats.cells import distinct, per_row, text_per_row
from prodstats.errors import LedgerError, Problem
from prodstats.periods import Period
from prodstats.read import TABLES, Table, label, read_table, read_texts
from prodstats.validate import (
    CELL_RULES,
    FIGURE_RULES,
    Context,
    check_indicators,
    check_schema,
    check_sources,
    conversion_factor,
    statement_roots,
    underived,
)
from prodstats.vocab import QUALIFIERS

SCHEMAS = {"sources": schemas.SOURCES, "indicators": schemas.INDICATORS,
           "actors": schemas.ACTORS, "claims": schemas.CLAIMS}


@dataclass
class Ledger:
    """A validated ledger: the tables as DataFrames, and the source texts by source_id."""

    sources: pd.DataFrame
    indicators: pd.DataFrame
    actors: pd.DataFrame
    claims: pd.DataFrame
    texts: dict[str, str]

    def actor_name(self, actor: str) -> str:
        """The actor's display name (its id where actors.csv has none)."""
        names = dict(zip(self.actors["actor_id"], self.actors["name"], strict=True))
        return names.get(actor, actor)

    def capacity_bounds(self) -> dict[str, str]:
        """Capacity indicator → the output indicator it bounds (``indicators.csv``)."""
        if "bounds" not in self.indicators.columns:
            return {}
        bound = self.indicators.dropna(subset=["bounds"])
        return dict(zip(bound["indicator_id"], bound["bounds"], strict=True))

    def superseded(self, actor: str, indicator: str, measure: str = "level") -> pd.DataFrame:
        """The claims of one series (``measure`` level or share) that a later claim revised.
        An index has none: its ratios are drawn through the index, not as points of their own.
        """
        claims = self.claims
        return claims[(claims["actor"] == actor) & (claims["indicator"] == indicator)
                      & claims["superseded_by"].notna() & (claims["kind"] == measure)]


def load(path: str | Path | None = None) -> Ledger:
    """Load and validate a ledger folder; convert every value to its canonical unit.

    Args:
        path: a folder with ``sources.csv``, ``indicators.csv``, ``actors.csv``, ``claims.csv``
            and ``texts/``. Defaults to the project's own ``data/raw``.

    Returns:
        A :class:`Ledger`. ``ledger.claims`` has the raw columns (bounds filled in by the
        qualifier rule where empty, ``derived`` as a boolean) and the derived columns of
        :data:`prodstats.schemas.DERIVED_COLUMNS`: the period's span and length, and
        ``value_canonical``, ``low_canonical``, ``high_canonical`` in the indicator's
        ``canonical_unit``.

    Raises:
        LedgerError: listing every problem, one line each.
    """
    raw = Path(config.RAW if path is None else path).expanduser()  # '~/ledger' as users write it
    if not raw.is_dir():
        raise LedgerError([Problem(label(raw), None, None, None, "not a folder; pass the folder "
                                   "that holds sources.csv, indicators.csv, actors.csv, "
                                   "claims.csv and texts/")])
    # Read
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for name in TABLES:
        tables[name], found = read_table(raw, name)
        problems += found
    texts, found = read_texts(raw, tables["sources"])
    # Validate the tables, then the claims against them (deriving their figures on the way)
    problems += _check_tables(tables) + found
    if tables["claims"].frame is not None:
        problems += _check_claims(tables, texts, problems)
    if problems:
        raise LedgerError(problems)
    return Ledger(sources=tables["sources"].frame, indicators=tables["indicators"].frame,
                  actors=tables["actors"].frame, claims=tables["claims"].frame, texts=texts)


def _check_tables(tables: dict[str, Table]) -> list[Problem]:
    """Each table against its schema; then the checks of sources and indicators."""
    problems = []
    for name, table in tables.items():
        if table.frame is not None:
            problems += check_schema(table, SCHEMAS[name])
    for table, check in ((tables["sources"], check_sources),
                         (tables["indicators"], check_indicators)):
        if table.frame is not None:
            problems += check(table)
    return problems


def _check_claims(tables: dict[str, Table], texts: dict[str, str],
                  found: list[Problem]) -> list[Problem]:
    """The rules on the claims as coded; derive their figures; the rules on the figures."""
    claims = tables["claims"]
    ctx = Context(claims, tables["sources"].frame, tables["indicators"].frame,
                  tables["actors"].frame, texts)
    problems = [problem for rule in CELL_RULES for problem in rule(ctx)]
    claims.frame = derive(ctx)
    problems += [problem for rule in FIGURE_RULES for problem in rule(ctx)]
    if not problems and not found:
        problems += underived(ctx)
    return problems


def derive(ctx: Context) -> pd.DataFrame:
    """The claims with bounds filled in, and the columns of DERIVED_COLUMNS."""
    claims = ctx.frame.copy()
    claims["derived"] = claims["derived"].eq("true").fillna(False).astype(bool)
    claims = fill_bounds(claims)
    claims = _periods(claims, ctx.periods)
    claims = _canonical(claims, ctx)
    published = _lookup(claims["source_id"], ctx.sources, "source_id", "published")
    claims["said"] = claims["said_on"].where(claims["said_on"].notna(), published)
    scope = _lookup(claims["indicator"], ctx.indicators, "indicator_id", "scope")
    claims["scope"] = scope.where(scope.notna(), "production").astype("str")
    claims["statement_id"] = statements(claims)
    claims["superseded_by"] = _superseded_by(claims)
    return claims[schemas.CLAIM_COLUMNS + schemas.DERIVED_COLUMNS]


def as_said(claims: pd.DataFrame) -> pd.DataFrame:
    """Each claim's figures in the sense it was said: an amount over its period ("one million
    shells by the end of 2024") as that amount in the canonical unit without '/year', not as
    the rate per year the series use; other claims as in the canonical columns.

    Returns:
        Columns ``value``, ``low``, ``high``, ``unit``, aligned with ``claims``.
    """
    keys = claims[["kind", "unit", "canonical_unit"]].astype(object)
    amount = {k: k[0] == "level" and isinstance(k[2], str)
              and conversion_factor(*k)[1] for k in set(keys.itertuples(index=False, name=None))}
    is_amount = np.array([amount[k] for k in keys.itertuples(index=False, name=None)], dtype=bool)
    years = np.where(is_amount, claims["period_years"].to_numpy(dtype=float), 1.0)
    unit = claims["canonical_unit"].astype(object)
    unit = unit.where(~is_amount, unit.str.replace(r"\s*/\s*year$", "", regex=True))
    def scaled(column: str) -> np.ndarray:  # to 12 digits: 1e6/1.75*1.75 is 1e6 again
        return _to_12_digits(claims[column].to_numpy(dtype=float) * years)

    return pd.DataFrame({"value": scaled("value_canonical"), "low": scaled("low_canonical"),
                         "high": scaled("high_canonical"), "unit": unit.to_numpy()},
                        index=claims.index)


def _to_12_digits(values: np.ndarray) -> np.ndarray:
    """Each value rounded to 12 significant digits (as ``%.12g`` writes it); each distinct value
    is formatted once (a ledger repeats its figures).
    """
    distinct, where = np.unique(values, return_inverse=True)
    rounded = np.array([float(f"{v:.12g}") for v in distinct.tolist()], dtype=float)[where]
    return np.where(values == 0, values, rounded)  # (unique takes -0.0 and 0.0 as one)


def _lookup(keys: pd.Series, table: pd.DataFrame | None, key: str, column: str) -> pd.Series:
    """Each row's ``column`` of ``table`` by its key (empty where there is none)."""
    if table is None or column not in table.columns:
        return pd.Series(pd.array([None] * len(keys), dtype="str"), index=keys.index)
    known = table.dropna(subset=[key])
    found = text_per_row(keys, dict(zip(known[key], known[column], strict=True)))
    return pd.Series(found, index=keys.index)


def statements(claims: pd.DataFrame) -> pd.Series:
    """Each claim's statement: the claim at the end of its ``same_as`` chain (its own id where
    it restates none, so only the restating rows are looked up).
    """
    statement = claims["claim_id"].astype("str")
    restating = claims["same_as"].notna().to_numpy()
    if restating.any():
        ids = statement[restating].tolist()
        root = statement_roots(dict(zip(ids, claims["same_as"][restating].tolist(),
                                        strict=True)))
        statement[restating] = [root[c] for c in ids]
    return statement


def _superseded_by(claims: pd.DataFrame) -> pd.api.extensions.ExtensionArray:
    """A revision applies to the whole statement: every attestation of a revised statement is
    superseded by the statement of the revising claim.
    """
    revising = claims["supersedes"].notna().to_numpy()
    if not revising.any():
        return pd.array([None] * len(claims), dtype="str")
    statement = dict(zip(claims["claim_id"].tolist(), claims["statement_id"].tolist(),
                         strict=True))
    later = {statement.get(old, old): statement[new]
             for old, new in zip(claims["supersedes"][revising].tolist(),
                                 claims["claim_id"][revising].tolist(), strict=True)}
    return text_per_row(claims["statement_id"], later)


def fill_bounds(claims: pd.DataFrame) -> pd.DataFrame:
    """value_low and value_high from the qualifier rule where the coder left them empty. A
    scale word with no figure ("dozens") keeps no value: its bounds (24–99) are all the text
    says, and its value basis is ``range``.
    """
    codes, names = pd.factorize(claims["qualifier"])  # code -1 (no qualifier): the last, NaN
    rule = {name: np.array([getattr(QUALIFIERS.get(q), name, None) for q in names] + [None],
                           dtype=float)[codes]
            for name in ("low_factor", "high_factor", "low_abs", "high_abs")}
    scale = ~np.isnan(rule["low_abs"])
    value = claims["value"].to_numpy(dtype=float)
    given_low, given_high = (claims[c].to_numpy(dtype=float) for c in ("value_low", "value_high"))
    rule_low = np.where(scale, rule["low_abs"], value * rule["low_factor"])
    rule_high = np.where(scale, rule["high_abs"], value * rule["high_factor"])
    low = np.where(np.isnan(given_low), rule_low, given_low).astype(float)
    high = np.where(np.isnan(given_high), rule_high, given_high).astype(float)
    given = ~np.isnan(given_low) | ~np.isnan(given_high)
    ranged = scale & np.isnan(value)
    derived = claims["derived"].to_numpy(dtype=bool) if "derived" in claims else False
    basis = np.where(ranged, "range", np.where(derived, "derived", "stated"))
    return claims.assign(value=value, value_low=low, value_high=high,
                         bounds_from=np.where(given, "given", "qualifier"), value_basis=basis)


def _periods(claims: pd.DataFrame, parsed: dict) -> pd.DataFrame:
    good = {k: v for k, v in parsed.items() if isinstance(v, Period)}
    period = claims["period"]
    return claims.assign(
        period_start=text_per_row(period, {k: v.start.isoformat() for k, v in good.items()}),
        period_end=text_per_row(period, {k: v.end.isoformat() for k, v in good.items()}),
        period_years=per_row(period, {k: v.years for k, v in good.items()}, dtype=float),
    )


def _canonical(claims: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Values in the indicator's canonical unit: one factor per (kind, indicator, unit)."""
    canonical = {}
    if ctx.indicators is not None:
        known = ctx.indicators.dropna(subset=["indicator_id"])
        canonical = dict(zip(known["indicator_id"], known["canonical_unit"], strict=True))
    combo_of, combos = distinct(claims, ["kind", "indicator", "unit"])
    conversions = [conversion_factor(kind, unit, canonical.get(indicator))
                   if None not in (kind, indicator, unit)
                   and not isinstance(ctx.units.get(unit), Exception) else (np.nan, False, "")
                   for kind, indicator, unit in combos]
    mult = np.array([c[0] for c in conversions], dtype=float)[combo_of]
    per_period = np.array([c[1] for c in conversions], dtype=bool)[combo_of]
    mult = np.where(per_period, mult / claims["period_years"].to_numpy(dtype=float), mult)
    target = pd.array([c[2] or None for c in conversions], dtype="str").take(combo_of)
    return claims.assign(canonical_unit=target,
                         value_canonical=claims["value"].to_numpy() * mult,
                         low_canonical=claims["value_low"].to_numpy() * mult,
                         high_canonical=claims["value_high"].to_numpy() * mult)
