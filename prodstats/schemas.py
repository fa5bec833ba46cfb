"""Every table's columns, each described once, and the pandera schemas built from them.

As in PUDL, a column is described in one place (:data:`FIELDS`) with its type, checks, unit and
description; a table is a list of column names (:data:`TABLES`), with a different description
only where a column means something else in that table. The validation schemas, the
published ``datapackage.json`` and ``docs/data-dictionary.md`` are all made from these.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandera.pandas as pa

from prodstats.vocab import (
    ACTOR_KINDS,
    CONFIDENCES,
    DATE_BASES,
    FORWARD,
    INDICATOR_MEASURES,
    KINDS,
    MODALITIES,
    PRECISIONS,
    QUALIFIERS,
    SCENARIOS,
    SCOPES,
    SERIES_MEASURES,
    TITLE_ORIGINS,
    VALUE_BASES,
)

#: What became of a forward statement (outcomes.csv).
OUTCOME_STATUSES = ["met", "missed", "undecided", "pending", "superseded", "no_data"]


@dataclass(frozen=True)
class Field:
    """One column: its type, whether it may be empty, its rules and its description."""

    dtype: str
    description: str
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    hint: str | None = None  # how to fix a value that breaks the pattern
    unit: str | None = None  # a fixed pint unit, or "column:NAME" where a column gives it
    date: bool = False
    extra: dict = field(default_factory=dict)

    def column(self) -> pa.Column:
        """The pandera column."""
        checks = []
        if self.allowed:
            checks.append(pa.Check.isin(list(self.allowed)))
        if self.pattern:
            checks.append(pa.Check.str_matches(self.pattern))
        if self.minimum is not None:
            checks.append(pa.Check.ge(self.minimum))
        metadata = {k: v for k, v in (("hint", self.hint), ("unit", self.unit)) if v}
        if self.allowed:
            metadata["allowed"] = list(self.allowed)
        if self.date:
            metadata["format"] = "date"
        return pa.Column(self.dtype, checks=checks, nullable=self.nullable, unique=self.unique,
                         description=self.description, metadata=metadata or None)


def _text(description: str, **kw) -> Field:
    return Field("str", description, **kw)


def _number(description: str, **kw) -> Field:
    return Field("float64", description, **kw)


ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

#: Every column of every table, described once.
FIELDS: dict[str, Field] = {
    # sources.csv
    "source_id": _text("The source a row comes from; an id from sources.csv.",
                       pattern=r"^[a-z0-9][a-z0-9-]*$",
                       hint="use lower-case letters, digits and hyphens, e.g. "
                            "'reuters-2024-01-ua'"),
    "outlet": _text("The outlet that published the text."),
    "wire_agency": _text("The wire agency behind the text, if any.", nullable=True),
    "title": _text("The title, or a descriptive one if it has none."),
    "title_origin": _text("original: the text's own title; descriptive: written by the coder.",
                          allowed=tuple(TITLE_ORIGINS)),
    "authors": _text("Authors as credited, separated by '; '.", nullable=True),
    "editors": _text("Editors as credited, separated by '; '.", nullable=True),
    "language": _text("ISO 639-1 code of the text's language.", pattern=r"^[a-z]{2}$",
                      hint="use a two-letter ISO 639-1 code such as 'de' or 'en'"),
    "published": _text("Publication date, written to its precision: 2025-01-17, 2024-01 or "
                       "2024."),
    "published_precision": _text("Precision of the publication date.",
                                 allowed=tuple(PRECISIONS)),
    "published_basis": _text("stated: the text or outlet gives the date; inferred: established "
                             "from events in the text.", allowed=tuple(DATE_BASES)),
    "published_note": _text("How the date was established.", nullable=True),
    "url": _text("Address of the original (http or https); empty if unknown.", nullable=True,
                 pattern=r"^https?://\S+$",
                 hint="write a web address starting with http:// or https://, or leave it "
                      "empty"),
    "accessed": _text("Date the text was archived.", nullable=True),
    "text_file": _text("Path of the archived text, relative to the raw folder: texts/NAME."),
    "sha256": _text("sha256 of the archived text file's bytes.", pattern=r"^[0-9a-f]{64}$",
                    hint="64 lower-case hex digits; compute with: sha256sum FILE"),
    # indicators.csv
    "indicator_id": _text("Stable id of the indicator.", unique=True,
                          pattern=r"^[a-z][a-z0-9_]*$",
                          hint="use lower-case letters, digits and underscores"),
    "description": _text("What is measured, and of what."),
    "canonical_unit": _text("pint unit every level of this indicator is converted to, e.g. "
                            "rounds/year."),
    "measures": _text("What the indicator measures: output, capacity, stock, spending, aid, "
                      "count, share or other (empty: output).", nullable=True,
                      allowed=tuple(INDICATOR_MEASURES)),
    "bounds": _text("For a capacity: the output indicator it bounds (charted and judged "
                    "together).", nullable=True),
    "scope": _text("production (empty: production): resolved into series, projected, charted "
                   "and tracked; context (a treaty's term, the war's length, one day's combat): "
                   "published in claims.csv only.", nullable=True, allowed=tuple(SCOPES)),
    # actors.csv
    "actor_id": _text("Stable id of the actor: ISO 3166 alpha-3 code, or a lower-case slug.",
                      unique=True, pattern=r"^([A-Z]{3}|[a-z][a-z0-9_]*)$",
                      hint="use an ISO3 country code such as 'UKR' or a lower-case slug such "
                           "as 'rheinmetall'"),
    "name": _text("The actor's name as shown in charts and tables."),
    "country": _text("ISO3 code of the actor's home country (its own for a country).",
                     nullable=True, pattern=r"^[A-Z]{3}$", hint="use an ISO3 code such as 'DEU'"),
    # claims.csv
    "claim_id": _text("Stable id of the claim; never reused.", unique=True, pattern=ID,
                      hint="use letters, digits, '-', '_' and '.', e.g. 'dpa250117-03'"),
    "quote": _text("Verbatim substring of the source text, in its original language."),
    "quote_en": _text("English translation of the quote."),
    "speaker": _text("Who made the claim; empty when it is the outlet's own.", nullable=True),
    "speaker_role": _text("The speaker's role.", nullable=True),
    "channel": _text("How the claim was made: Facebook post, Telegram, video address, …."),
    "said_on": _text("When the speaker first said it, where the text dates it before the "
                     "source's publication ('the million shells promised in March 2023'): "
                     "2023-03-20, 2023-03 or 2023. Empty: the publication date.", nullable=True),
    "actor": _text("Who the figure is about: an actor_id from actors.csv."),
    "indicator": _text("What is measured; an id from indicators.csv."),
    "kind": _text("level, ratio (to base_period) or share.", allowed=tuple(KINDS)),
    "modality": _text("What sort of figure it is: actual or estimate (observations), expected "
                      "(a forecast), target, pledge, proposal or aspiration (forward "
                      "statements).", allowed=tuple(MODALITIES)),
    "period": _text("When the figure holds: 2024, 2024-01, 2025-01-17, or 2023-09/2024-01."),
    "value": _number("The stated figure.", nullable=True, unit="column:unit"),
    "unit": _text("pint unit of value and its bounds."),
    "qualifier": _text("How the figure is hedged; sets the bounds by rule.",
                       allowed=tuple(QUALIFIERS)),
    "value_low": _number("Lower bound; empty to take it from the qualifier rule.",
                         nullable=True, unit="column:unit"),
    "value_high": _number("Upper bound; empty to take it from the qualifier rule.",
                          nullable=True, unit="column:unit"),
    "base_period": _text("For ratios: the period compared with; alternatives as 2022|2023.",
                         nullable=True),
    "confidence": _text("How far the figure can be trusted: verified (independently "
                        "confirmed), reported (the outlet's own voice, not independently "
                        "confirmed), official (an interested party), unverified, disputed.",
                        allowed=tuple(CONFIDENCES)),
    "confidence_reason": _text("Why that confidence level."),
    "derived": _text("true when the value is not written in the quote but derived from it on "
                     "purpose (the notes say how); the quote check is then skipped.",
                     nullable=True, allowed=("true", "false"),
                     hint="write true or false, or leave it empty (false)"),
    "supersedes": _text("The claim_id this claim revises (a slipped deadline, a corrected "
                        "figure, a later estimate of the same thing).", nullable=True,
                        pattern=ID),
    "same_as": _text("The claim_id of the claim this one restates (a lead's paraphrase of a "
                     "quote, a summary of a stated figure, another outlet repeating the same "
                     "speaker's figure): one statement, several attestations. Two sources that "
                     "report the same figure independently are not the same statement.",
                     nullable=True, pattern=ID),
    "notes": _text("Anything else a reader should know.", nullable=True),
    # derived claim columns
    "bounds_from": _text("Whether the bounds were coded or come from the rule table.",
                         allowed=("given", "qualifier")),
    "period_start": _text("First day of the period (ISO date).", date=True),
    "period_end": _text("Last day of the period (ISO date).", date=True),
    "period_years": _number("Length of the period in years.", unit="year"),
    "value_canonical": _number("value in canonical_unit; empty for a range.", nullable=True,
                               unit="column:canonical_unit"),
    "low_canonical": _number("value_low in canonical_unit.", unit="column:canonical_unit"),
    "high_canonical": _number("value_high in canonical_unit; empty when open above.",
                              nullable=True, unit="column:canonical_unit"),
    "superseded_by": _text("The claim that revises this one (the statement it restates, "
                           "with all its attestations); empty while it is current.",
                           nullable=True),
    "statement_id": _text("The statement a claim attests: the claim at the end of its "
                          "same_as chain (its own id when it restates none)."),
    "value_basis": _text("Where the value comes from: stated (written in the quote), derived "
                         "(derived from it on purpose, see notes), range (no value: only the "
                         "bounds, e.g. 'dozens' as 24–99, or a point derived from such a "
                         "range), definition (the base of an index, 1).",
                         allowed=tuple(VALUE_BASES)),
    "said": _text("When the figure was said: the claim's said_on where the coder dated it "
                  "earlier, else the publication date of its source, as written (2025-01-17, "
                  "2024-01 or 2024); empty for a point resting on several claims or on none.",
                  nullable=True),
    # series.csv and conflicts.csv
    "scenario": _text("all: every claim; no_unverified: only claims coded verified or "
                      "official.", allowed=tuple(SCENARIOS)),
    "measure": _text("level: canonical unit; index: chained ratios (base period = 1); share: "
                     "fraction 0–1.", allowed=tuple(SERIES_MEASURES)),
    "reading": _text("Which base an ambiguous ratio is read against, e.g. "
                     "'reu24-06:base=2023'; 'single' where no claim's base is ambiguous."),
    "reading_consistent": Field("bool", "False when this reading puts two claims of one "
                                        "period in conflict."),
    "t": _number("Midpoint of the period as a decimal year.", unit="year"),
    "low": _number("Lower bound.", unit="column:unit"),
    "high": _number("Upper bound; empty when open above ('more than', 'at least').",
                    nullable=True, unit="column:unit"),
    "claim_ids": _text("Claims the point rests on, separated by ';'; empty for the base of an "
                       "index.", nullable=True),
    "derivation": _text("How the value was obtained."),
    "claim_id_a": _text("First claim."),
    "claim_id_b": _text("Second claim."),
    "low_a": _number("Lower bound of the first claim.", unit="column:unit"),
    "high_a": _number("Upper bound of the first claim.", unit="column:unit"),
    "low_b": _number("Lower bound of the second claim.", unit="column:unit"),
    "high_b": _number("Upper bound of the second claim.", unit="column:unit"),
    "period_b": _text("The second claim's period: the same as period, or a part of it."),
    "why": _text("Why the two cannot both be true: their ranges for one period do not "
                 "overlap, or the amount they give for a part of a period exceeds the "
                 "amount for the whole."),
    # target_history.csv
    "target_id": _text("The first claim of a target's chain of revisions."),
    "revision": Field("int64", "0 for the target as first stated, 1 for its first revision, …",
                      minimum=0),
    "slipped_months": _number("Months the target's date moved from the version before, end of "
                              "period to end of period (positive: later; a year-precise date "
                              "counts from December); empty for the first.", nullable=True,
                              unit="month"),
    "value_change": _number("The figure over the version before's, a ratio (1 = unchanged, "
                            "1.5 = raised by half); empty for the first.",
                            nullable=True),
    "current": Field("bool", "True for the version in force (superseded by none)."),
    # outcomes.csv
    "attestations": _text("Every claim of the statement, ';'-separated, the statement's own "
                          "first."),
    "due": _text("When the statement falls due: the last day of its period (ISO date).",
                 date=True),
    "observed_claim_ids": _text("The observations that judge the statement (';'-separated); "
                                "empty when none does.", nullable=True),
    "observed_period": _text("The period of those observations.", nullable=True),
    "observed_value": _number("What was observed for the statement's period (for a ratio: "
                              "the observed ratio to the same base).", nullable=True,
                              unit="column:unit"),
    "observed_low": _number("Lower bound of the observation.", nullable=True,
                            unit="column:unit"),
    "observed_high": _number("Upper bound of the observation.", nullable=True,
                             unit="column:unit"),
    "observed_confidence": _text("The weakest confidence of the observations used.",
                                 nullable=True, allowed=tuple(CONFIDENCES)),
    "status": _text("met, missed, undecided (a range with no figure, such as 'dozens', "
                    "that straddles the promise), pending (due after as_of), superseded "
                    "(revised by a later statement), no_data (due, but no observation of its "
                    "period); "
                    "docs/methodology.md §4 has the rules.", allowed=tuple(OUTCOME_STATUSES)),
    "ratio": _number("observed_value / value: 1 = exactly as promised, 0.52 = 48 % short.",
                     nullable=True),
    "ratio_low": _number("The lowest ratio the bounds allow (observed_low / high).",
                         nullable=True),
    "ratio_high": _number("The highest ratio the bounds allow (observed_high / low).",
                          nullable=True),
    "error": _number("For a forecast (expected): ratio - 1, the relative error of the "
                     "forecast; empty for other statements.", nullable=True),
    "as_of": _text("The latest publication date in the ledger: what 'pending' is judged "
                   "against (so a rebuild gives the same bytes whatever the day).", date=True),
    "note": _text("The judgement in words."),
}

#: Where a column means something narrower in one table, its description there.
OVERRIDES: dict[str, dict[str, Field]] = {
    "sources": {"source_id": replace(FIELDS["source_id"], unique=True,
                                     description="Stable id of the source: lower-case "
                                                 "letters, digits and hyphens.")},
    "actors": {"kind": _text("country, company or organisation.", allowed=tuple(ACTOR_KINDS))},
    "claims": {"source_id": replace(FIELDS["source_id"], pattern=None, hint=None,
                                    description="The source the claim is coded from.")},
    "series": {
        "actor": _text("Who the figure is about (actor_id)."),
        "period": _text("Period of the point, as coded."),
        "value": _number("The point's value; empty where the text gives only a range "
                         "(value_basis range).", nullable=True, unit="column:unit"),
        "unit": _text("pint unit, or 'index (BASE = 1)'."),
        "modality": _text("actual or estimate for an observation (a point of the series); "
                          "expected, target, pledge, proposal or aspiration for a forward "
                          "statement, shown beside the series and never one of its points."),
        "confidence": _text("As coded; 'disputed' where this point conflicts with another "
                            "under this reading. An index's base point (value_basis "
                            "'definition') states no claim and is left empty.",
                            nullable=True, allowed=tuple(CONFIDENCES)),
    },
    "outcomes": {
        "statement_id": _text("The forward statement: the claim at the end of its same_as "
                              "chain."),
        "actor": _text("Who the statement is about (actor_id)."),
        "modality": _text("expected (a forecast), target, pledge, proposal or aspiration.",
                          allowed=tuple(FORWARD)),
        "speaker": _text("Who made the statement; empty when it is the outlet's own.",
                         nullable=True),
        "source_id": _text("The source of the statement."),
        "outlet": _text("The outlet that published it."),
        "said": _text("When it was said: the claim's said_on where the coder dated it, else "
                      "the publication date of its source, as written."),
        "period": _text("The period the statement is for, as coded."),
        "value": _number("The promised or forecast figure, in unit; empty for a range with "
                         "no figure ('dozens').", nullable=True, unit="column:unit"),
        "low": _number("Lower bound of the figure.", unit="column:unit"),
        "high": _number("Upper bound of the figure; empty when open above.", nullable=True,
                        unit="column:unit"),
        "unit": _text("The indicator's canonical unit; for a figure said as an amount over its "
                      "period ('one million shells by March'), that unit without '/year'; "
                      "'dimensionless' for a ratio."),
        "base_period": _text("For a ratio: the base it is read against (one row per candidate "
                             "of an ambiguous base).", nullable=True),
        "superseded_by": _text("The statement that revises this one; empty while it is "
                               "current.", nullable=True),
    },
    "target_history": {"value": _number("The target's figure in unit.", unit="column:unit"),
                       "unit": _text("The indicator's canonical unit; for a figure said as an "
                                     "amount over its period, that unit without '/year'."),
                       "claim_id": _text("The claim of this version."),
                       "source_id": _text("The source of this version."),
                       "period": _text("The period the target is for, as coded."),
                       "published": _text("When this version's source was published.",
                                          nullable=True),
                       "said": _text("When this version was said: the claim's said_on where "
                                     "the coder dated it, else its source's publication date.",
                                     nullable=True)},
    "conflicts": {"scenario": _text("Scenario the conflict occurs in."),
                  "actor": _text("Who the figures are about."),
                  "measure": _text("level, index or share."),
                  "reading": _text("The reading under which they conflict."),
                  "period": _text("The first claim's period."),
                  "unit": _text("Unit of the bounds.")},
}
OVERRIDES["processed_claims"] = {
    **OVERRIDES["claims"],
    "value": _number("The stated figure; empty for a range with no figure (a scale word: "
                     "'dozens' has only its bounds, 24–99).", nullable=True,
                     unit="column:unit"),
    "value_low": _number("Lower bound, as coded or from the qualifier rule.", unit="column:unit"),
    "value_high": _number("Upper bound, as coded or from the qualifier rule; empty when "
                          "open above ('more than', 'at least').", nullable=True,
                          unit="column:unit"),
    "derived": Field("bool", "True when the value is derived from the quote on purpose rather "
                             "than written in it (the notes say how)."),
    "canonical_unit": _text("The indicator's canonical unit (dimensionless for ratios and "
                            "shares)."),
    "scope": _text("The indicator's scope: production or context.", allowed=tuple(SCOPES)),
}

SOURCE_COLUMNS = ["source_id", "outlet", "wire_agency", "title", "title_origin", "authors",
                  "editors", "language", "published", "published_precision", "published_basis",
                  "published_note", "url", "accessed", "text_file", "sha256"]
INDICATOR_COLUMNS = ["indicator_id", "description", "canonical_unit", "measures", "bounds",
                     "scope"]
ACTOR_COLUMNS = ["actor_id", "name", "kind", "country"]
CLAIM_COLUMNS = ["claim_id", "source_id", "quote", "quote_en", "speaker", "speaker_role",
                 "channel", "said_on", "actor", "indicator", "kind", "modality", "period",
                 "value", "unit", "qualifier", "value_low", "value_high", "base_period",
                 "confidence", "confidence_reason", "derived", "supersedes", "same_as", "notes"]
DERIVED_COLUMNS = ["bounds_from", "value_basis", "period_start", "period_end", "period_years",
                   "canonical_unit", "value_canonical", "low_canonical", "high_canonical",
                   "said", "scope", "statement_id", "superseded_by"]
SERIES_COLUMNS = ["scenario", "actor", "indicator", "measure", "reading", "reading_consistent",
                  "period", "t", "value", "low", "high", "unit", "modality", "confidence",
                  "claim_ids", "said", "value_basis", "derivation"]
TARGET_HISTORY_COLUMNS = ["target_id", "revision", "claim_id", "actor", "indicator", "modality",
                          "source_id", "published", "said", "period", "value", "unit",
                          "slipped_months", "value_change", "current"]
OUTCOME_COLUMNS = ["statement_id", "attestations", "actor", "indicator", "modality", "speaker",
                   "source_id", "outlet", "said", "period", "due", "value", "low", "high",
                   "qualifier", "unit", "base_period", "superseded_by", "current",
                   "observed_claim_ids", "observed_period", "observed_value", "observed_low",
                   "observed_high", "observed_confidence", "status", "ratio", "ratio_low",
                   "ratio_high", "error", "as_of", "note"]
CONFLICT_COLUMNS = ["scenario", "actor", "indicator", "measure", "reading", "period",
                    "claim_id_a", "claim_id_b", "low_a", "high_a", "low_b", "high_b", "unit",
                    "period_b", "why"]

#: The columns a raw file may leave out of its header (they are then empty).
OPTIONAL = {
    "sources": {"wire_agency", "editors", "published_note", "url", "accessed"},
    "indicators": {"measures", "bounds", "scope"},
    "actors": {"country"},
    "claims": {"speaker", "speaker_role", "said_on", "value_low", "value_high", "base_period",
               "derived", "supersedes", "same_as", "notes"},
}


def _schema(table: str, columns: list[str], ordered: bool = False) -> pa.DataFrameSchema:
    fields = {**FIELDS, **OVERRIDES.get(table, {})}
    return pa.DataFrameSchema({c: fields[c].column() for c in columns}, strict=True,
                              coerce=True, ordered=ordered, name=table)


def field_of(table: str, column: str) -> Field:
    """The description of ``column`` as it is meant in ``table``."""
    return OVERRIDES.get(table, {}).get(column, FIELDS[column])


SOURCES = _schema("sources", SOURCE_COLUMNS)
INDICATORS = _schema("indicators", INDICATOR_COLUMNS)
ACTORS = _schema("actors", ACTOR_COLUMNS)
CLAIMS = _schema("claims", CLAIM_COLUMNS)
PROCESSED_CLAIMS = _schema("processed_claims", CLAIM_COLUMNS + DERIVED_COLUMNS)
SERIES = _schema("series", SERIES_COLUMNS, ordered=True)
CONFLICTS = _schema("conflicts", CONFLICT_COLUMNS, ordered=True)
TARGET_HISTORY = _schema("target_history", TARGET_HISTORY_COLUMNS, ordered=True)
OUTCOMES = _schema("outcomes", OUTCOME_COLUMNS, ordered=True)
