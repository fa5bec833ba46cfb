"""Charts of series, shares and promises. The only module that imports matplotlib.

Drawn as a newspaper graphics desk would print them:

- a chart needs at least two points in time; a series with one (one figure, one date) is a fact
  of the charts page (figure, who, when, quote, outlet and date), not a lone dot on an axis;
- shares of one whole (an actor's ``…_share_<part>`` indicators) are one bar chart in per cent;
- a point sits in its own month; year labels stand at the first of January; a forward statement
  (forecast, target, pledge, proposal, aspiration) is never an observed dot: it is a hollow gold
  mark at the end of its period, labelled with its figure and when it falls due;
- confidence is marker style: verified filled, reported half filled, official (an interested
  party) a triangle, unverified hollow, disputed a cross;
- where a series has several sources, each point is labelled with its outlet and date;
- a projection fan never squeezes the data into a strip: the axis is cut above the data and the
  chart says how far the interval reaches;
- no label overlaps another label or a marker; the source line names outlets and dates; the
  subtitle names the unit and the scenario;
- PNG at 200 dpi, SVG with ``<title>`` and ``<desc>``; files are byte-identical on every rebuild.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from prodstats.series import BASE_OF_INDEX
from prodstats.units import per_year
from prodstats.vocab import CONFIDENCES, FORWARD, OBSERVED

#: 8 in wide: 1,600 px at 200 dpi in the PNG; the SVG scales.
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 5.6, 200
PALETTE = ["#1f5f99", "#c0501f", "#2e8540", "#7b3f98", "#8c6d1f"]  # colour-blind-safe enough
FAN = "#5b7fa6"
AIM_FILL, AIM_EDGE = "#f6dc8a", "#5a4500"  # forward statements: light gold, dark edge
GREY = "#555"

#: confidence → (marker, fill style, legend text). An interested party's word (official) is
#: drawn apart from what was independently confirmed (verified).
STYLE = {
    "verified": ("o", "full", "verified"),
    "reported": ("o", "bottom", "reported by the outlet"),
    "official": ("^", "full", "official (an interested party)"),
    "unverified": ("o", "none", "unverified"),
    "disputed": ("X", "full", "disputed"),
}
#: forward modality → (marker, legend text); drawn hollow in gold at the end of its period.
AIMS = {"expected": ("P", "forecast"), "target": ("*", "target"), "pledge": ("D", "pledge"),
        "proposal": ("d", "proposal"), "aspiration": ("h", "aspiration")}
#: outcome status → colour (outcomes.csv).
STATUS = {"met": "#2e8540", "missed": "#b22222", "undecided": "#c58a00", "pending": "#5b7fa6",
          "superseded": "#aaaaaa", "no_data": "#ffffff"}
SCENARIO_TEXT = {"all": "all claims, unverified ones included",
                 "no_unverified": "without unverified and disputed claims"}
RC = {
    "svg.hashsalt": "prodstats", "svg.fonttype": "none", "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10, "legend.fontsize": 8.5,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.spines.top": False,
    "axes.spines.right": False, "path.simplify": False,
    # Ledger text is drawn literally: a '$' in a description is a dollar, not mathtext.
    "text.parse_math": False, "text.usetex": False,
}
#: zlib level of the PNGs: 1 writes them faster than the default 6 (see docs/performance.md).
PNG_COMPRESSION = 1
#: Most points labelled with their source; past it, the note points to series.csv.
SOURCE_LABELS = 12


def _mpl():
    import warnings

    import matplotlib

    # A character the font lacks (a title in a rare script) is drawn as a box; no warning.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font",
                            category=UserWarning)
    return matplotlib


def plot(series: pd.DataFrame, projections: pd.DataFrame | None = None, ax: Any = None, *,
         ledger: Any = None, scenario: str = "all", title: str | None = None,
         capacity: pd.DataFrame | None = None, outcomes: pd.DataFrame | None = None):
    """Chart one series: its claims by confidence, its readings, its forward statements and
    its projection fans.

    Args:
        series: rows of :func:`prodstats.resolve` for one actor, indicator and measure (other
            scenarios are dropped; ``scenario`` picks which to draw).
        projections: rows of :func:`prodstats.project`; the matching ones are drawn as fans.
        ax: a matplotlib Axes to draw into; by default a new 8 in wide Figure.
        ledger: the :class:`prodstats.Ledger`, for the title, the source line, the source of
            each point, the claims a point revises and the unit the claims were stated in (a
            series stated per month is drawn per month).
        scenario: ``all`` (every claim) or ``no_unverified``.
        title: overrides the generated title.
        capacity: rows of a capacity series that bounds this output, drawn beside it.
        outcomes: rows of outcomes.csv; where given, the forward statements drawn are its
            current statements of this actor and indicator (else the series' own).

    Returns:
        The matplotlib Figure.
    """
    _check_plot(series, projections, ax, ledger, scenario, title, capacity)
    return _plot(series, projections, ax, ledger=ledger, scenario=scenario, title=title,
                 capacity=capacity, outcomes=outcomes)


def _plot(series, projections, ax, *, ledger, scenario="all", title=None, capacity=None,
          outcomes=None, legend=True):
    """:func:`plot` after its arguments are checked; ``legend=False`` draws no legend in a
    given ``ax`` (an overview draws one for all its panels).
    """
    mpl = _mpl()
    from matplotlib.figure import Figure

    unprojected = _unprojected(series, projections, scenario)
    rows, projections = _one_series(series, projections, scenario)
    actor, indicator, measure = rows[["actor", "indicator", "measure"]].iloc[0]
    unit = rows["unit"].iloc[0]
    if measure == "index" and (rows["unit"] != unit).any():  # readings with different bases
        unit = "index (each reading's base period = 1)"
    factor, unit = _as_drawn(rows, ledger, unit, measure)
    aims = _forward(rows, outcomes, actor, indicator, measure, ledger)
    if factor != 1:
        rows, projections, capacity, aims = (_scaled(t, factor)
                                             for t in (rows, projections, capacity, aims))
    obs = rows[rows["modality"].isin(OBSERVED)]
    if capacity is not None and not capacity.empty:
        capacity = capacity[capacity["scenario"] == scenario]
    top, notes = _limit(max(_top(obs), _top(aims), _top(capacity),
                            _revised_top(ledger, actor, indicator, measure, factor)),
                        projections)

    def number(v: float) -> str:
        return _number(v, top)
    with mpl.rc_context(RC):
        standalone = ax is None
        if standalone:
            fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
            ax = fig.add_axes((0.11, 0.36, 0.86, 0.46))
        fig = ax.figure
        handles: list = []
        labels: list = []
        sourced = _source_labels(ax, obs, ledger, labels) if standalone else False
        _derived_labels(ax, obs, labels)
        _readings(ax, rows, handles)
        if capacity is not None and not capacity.empty:
            yearly = factor != 1 and _as_drawn(capacity, ledger, "/year")[0] == 1
            _capacity(ax, capacity, handles, labels, number, yearly)
        _aims(ax, aims, handles, labels, number)
        revised = _revisions(ax, ledger, actor, indicator, measure, factor, handles, labels)
        if projections is not None and not projections.empty:
            _fans(ax, projections, rows, handles)
        handles += _confidence_handles(rows)
        times = np.r_[obs["t"].to_numpy(float), aims["t"].to_numpy(float),
                      [] if capacity is None else _at_due(capacity)["t"].to_numpy(float)]
        _year_axis(ax, times, projections)
        ax.grid(axis="y", color="#ddd", lw=0.8)
        ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: number(v)))
        name = title or _title(actor, indicator, measure, ledger)
        if not standalone:
            # y given: matplotlib does not measure every tick label of the panel on each draw
            # to lift the title above them (there are none above the plot)
            ax.set_title(name, loc="left", pad=8, y=1.0)
            ax.set_ylabel(_unit_label(unit))
            ax._prodstats_handles = handles
            if legend:
                ax.legend(handles=handles, fontsize=7.5, frameon=False, loc="upper left")
            _place_labels(ax, labels)
            return fig
        notes += [n for n in (unprojected, None if sourced is not None else
                              f"More than {SOURCE_LABELS} points: the source of each is in "
                              "series.csv and claims.csv.") if n]
        subtitle = f"{_first_up(_unit_label(unit))} · {SCENARIO_TEXT.get(scenario, scenario)}"
        drawn = rows if capacity is None else pd.concat([rows, capacity])
        credited = pd.concat([aims[["claim_ids"]], pd.DataFrame({"claim_ids": revised})])
        _frame(fig, name, subtitle, handles, notes, _source_line(drawn, ledger, credited))
        _place_labels(ax, labels)
        fig.prodstats_title = name.replace("\n", " ")
        fig.prodstats_desc = f"{subtitle}. " + " ".join(notes)
    return fig


#: What plot() reads from its frames.
_PLOT_SERIES = ("actor", "indicator", "measure", "reading", "reading_consistent", "period", "t",
                "value", "low", "high", "unit", "modality", "confidence")
_PLOT_PROJECTIONS = ("actor", "indicator", "measure", "scenario", "reading", "period", "mean",
                     "pi80_low", "pi80_high", "pi95_low", "pi95_high")


def _check_plot(series, projections, ax, ledger, scenario, title, capacity) -> None:
    """plot()'s arguments, each refused in one line naming what is needed."""
    from prodstats.errors import FrameError, SeriesError, require_columns
    from prodstats.ledger import Ledger

    made = "the rows of one series from prodstats.resolve(ledger.claims)"
    require_columns(series, _PLOT_SERIES, "plot()", made, numbers=("t", "value", "low", "high"))
    if projections is not None:
        require_columns(projections, _PLOT_PROJECTIONS, "plot()'s projections",
                        "the frame of prodstats.project(series), or None",
                        numbers=("mean", "pi95_low", "pi95_high"))
    if capacity is not None:
        require_columns(capacity, (*_PLOT_SERIES, "scenario"), "plot()'s capacity",
                        "the rows of a capacity series from prodstats.resolve(), or None",
                        numbers=("t", "value", "low", "high"))
    if ledger is not None and not isinstance(ledger, Ledger):
        raise TypeError(f"plot(): ledger must be the prodstats.Ledger of prodstats.load(), or "
                        f"None; got {_got(ledger)}")
    if not isinstance(scenario, str):
        raise TypeError(f"plot(): scenario is a name such as 'all' or 'no_unverified'; got "
                        f"{_got(scenario)}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"plot(): title is a string, or None; got {_got(title)}")
    if ax is not None and not hasattr(ax, "figure"):
        raise TypeError(f"plot(): ax is a matplotlib Axes, or None; got {_got(ax)}")
    if series.empty:
        raise FrameError("plot()", made, got="an empty frame (did the filter match nothing?)")
    numbers = series[["value", "low", "high"]].to_numpy(dtype=float)
    if not np.isfinite(numbers).any():
        raise SeriesError("plot(): the series has no finite value, low or high to draw (all "
                          "missing or infinite); check the filter, or the values of the frame")


def _got(value: object) -> str:
    shown = repr(value)
    return f"{shown if len(shown) <= 40 else shown[:37] + '...'} ({type(value).__name__})"


def _limit(data_top: float, projections: pd.DataFrame | None) -> tuple[float, list[str]]:
    """The top of the value axis, and the note when a fan is cut: the data keep the plot (a
    95 % interval above 1.6 times the highest figure is cut there, and the note says how far
    it reaches).
    """
    fan_top = (projections["pi95_high"].max() if projections is not None
               and not projections.empty else 0.0)
    if fan_top > 1.6 * data_top > 0:
        top = 1.6 * data_top
        last = projections.loc[projections["pi95_high"].idxmax()]
        return top, [f"The 95 % interval reaches {_number(fan_top, fan_top)} by "
                     f"{last['period']}, above the chart (cut at {_number(top, top)})."]
    return max(data_top, fan_top) * 1.15 or 1.0, []


def _top(table: pd.DataFrame | None) -> float:
    """The largest finite figure of a table (0 when none): an infinite bound ("at least")
    runs off the top of the axis instead of stretching it.
    """
    if table is None or table.empty:
        return 0.0
    values = np.r_[table["value"].to_numpy(float), table["high"].to_numpy(float)]
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else 0.0


def _frame(fig, title: str, subtitle: str, handles: list, notes: list[str],
           source: str) -> None:
    """The newspaper frame around one plot: title and subtitle above, legend, notes and the
    source line below; each block placed from the lines of the blocks under it, and the plot
    takes the height left between them.
    """
    height = fig.get_figheight() * 72  # points
    lines = title.count("\n") + 1
    fig.text(0.02, 0.975, title, fontsize=13, va="top", ha="left")
    sub_top = 0.975 - (lines * 16 + 4) / height
    fig.text(0.02, sub_top, subtitle, fontsize=9.5, color=GREY, va="top", ha="left")
    foot = "\n".join(textwrap.fill(n, 125) for n in notes)
    foot = (foot + "\n" if foot else "") + source
    fig.text(0.02, 0.015, foot, fontsize=8, color="#333", va="bottom", ha="left")
    foot_top = 0.015 + ((foot.count("\n") + 1) * 9.6 + 8) / height
    ncols = 2 if len(handles) <= 8 else 3
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.08, foot_top),
               ncols=ncols, frameon=False, handlelength=2.2, columnspacing=1.5)
    rows = math.ceil(len(handles) / ncols)
    bottom = foot_top + (rows * 15.5 + 8 + 26) / height  # the legend, a gap, the tick labels
    top = sub_top - 24 / height
    for ax in fig.axes:
        box = ax.get_position()
        ax.set_position((box.x0, bottom, box.width, top - bottom))


def _unprojected(series: pd.DataFrame, projections: pd.DataFrame | None,
                 scenario: str) -> str:
    """Why a series has no fan, from its projections rows without figures ("not projected:
    2 observed claims"); '' when it has a fan or no such row.
    """
    if projections is None or projections.empty or "scenario" not in series:
        return ""
    keys = series.loc[series["scenario"] == scenario, ["actor", "indicator", "measure"]]
    if keys.drop_duplicates().shape[0] != 1:
        return ""
    actor, indicator, measure = keys.iloc[0]
    mine = projections[(projections["actor"] == actor) & (projections["indicator"] == indicator)
                       & (projections["measure"] == measure)
                       & (projections["scenario"] == scenario)]
    if mine.empty or mine["mean"].notna().any():
        return ""
    note = str(mine["note"].iloc[0]) if "note" in mine else ""
    note = note.strip().rstrip(".")
    if not note:
        return "Not projected."
    return (note[0].upper() + note[1:] if note.lower().startswith("not projected")
            else f"Not projected: {note}") + "."


def _one_series(series: pd.DataFrame, projections: pd.DataFrame | None, scenario: str):
    """The rows of the one series to draw, and its projections."""
    rows = series[series["scenario"] == scenario] if "scenario" in series else series
    keys = rows[["actor", "indicator", "measure"]].drop_duplicates()
    if len(keys) != 1:
        raise ValueError(
            f"plot() draws one series (one actor, indicator and measure), got {len(keys)}; "
            "filter first, e.g. series.query(\"actor == 'UKR' and indicator == "
            "'defence_production' and measure == 'level'\")")
    actor, indicator, measure = keys.iloc[0]
    if projections is not None:
        projections = projections[
            (projections["actor"] == actor) & (projections["indicator"] == indicator)
            & (projections["measure"] == measure) & (projections["scenario"] == scenario)
            & projections["mean"].notna()]
    return rows, projections


def _readings(ax, rows: pd.DataFrame, handles: list) -> None:
    """Each reading's observed points, by confidence, joined in time (dotted where the
    reading conflicts with other claims).
    """
    from matplotlib.lines import Line2D

    readings = sorted(rows["reading"].unique())
    offsets = np.linspace(-0.06, 0.06, len(readings)) if len(readings) > 1 else [0.0]
    for i, reading in enumerate(readings):
        colour = PALETTE[i % len(PALETTE)]
        pts = rows[rows["reading"] == reading]
        obs = pts[pts["modality"].isin(OBSERVED)]
        label = "claims" if reading == "single" else f"reading {_reading_label(reading)}"
        consistent = bool(pts["reading_consistent"].all())
        if not consistent:
            label += " (conflicts)"
        style = "-" if consistent else ":"
        x = _spread(obs, offsets[i])
        _lines(ax, x, obs, colour, style)
        if len(x):
            handles.append(Line2D([], [], color=colour, lw=1.6, ls=style, label=label))
        base = (obs["derivation"] == BASE_OF_INDEX).to_numpy() if "derivation" in obs \
            else np.zeros(len(obs), bool)
        if base.any():  # 1 by definition, not a claim
            ax.plot(x[base], obs["value"].to_numpy(float)[base], marker="s", ms=5, ls="",
                    mfc="#bbb", mec="#777", zorder=4)
        _points(ax, x[~base], obs[~base], colour)
        if np.isposinf(obs["high"].to_numpy(float)).any() and not any(
                h.get_label() == OPEN_ABOVE for h in handles):
            from matplotlib.path import Path as Shape

            arrow = Shape([(0, -1), (0, 1), (-0.45, 0.4), (0, 1), (0.45, 0.4)],
                          [Shape.MOVETO, Shape.LINETO, Shape.MOVETO, Shape.LINETO, Shape.LINETO])
            handles.append(Line2D([], [], color=colour, marker=arrow, ms=12, mew=1.2, ls="",
                                  fillstyle="none", label=OPEN_ABOVE))


#: The legend's words for a floor with no ceiling ("more than", "at least").
OPEN_ABOVE = "a floor: 'more than', 'at least'"


def _points(ax, x: np.ndarray, pts: pd.DataFrame, colour: str) -> None:
    """Points with their bounds: one bar line per set of points, one marker line per
    confidence (few artists, however many points).
    """
    value, low, high = (pts[c].to_numpy(float) for c in ("value", "low", "high"))
    bars = np.isfinite(low) & np.isfinite(high) & (high > low)
    if bars.any():
        xs = np.repeat(x[bars], 3)
        ys = np.column_stack([low[bars], high[bars], np.full(bars.sum(), np.nan)]).ravel()
        ax.plot(xs, ys, color=colour, lw=1.2, zorder=3)
        ax.plot(np.r_[x[bars], x[bars]], np.r_[low[bars], high[bars]], ls="", marker="_",
                ms=8, mew=1.2, color=colour, zorder=3)
    # "more than 600,000" is a floor: an arrow up from it, never a plain point
    for xi, vi in zip(x[np.isposinf(high) & np.isfinite(value)],
                      value[np.isposinf(high) & np.isfinite(value)], strict=True):
        ax.annotate("", (xi, vi), xytext=(0, 22), textcoords="offset points", zorder=3,
                    arrowprops={"arrowstyle": "<-", "color": colour, "lw": 1.2,
                                "shrinkA": 0, "shrinkB": 5})
    confidence = pts["confidence"].to_numpy(object)
    for level in CONFIDENCES:
        mine = confidence == level
        if mine.any():
            marker, fill, _ = STYLE.get(level, ("o", "full", level))
            ax.plot(x[mine], value[mine], marker=marker, ms=8 if marker == "X" else 7, ls="",
                    fillstyle=fill, mfc=colour, mfcalt="white", mec=colour, mew=1.6, zorder=4)


def _confidence_handles(rows: pd.DataFrame) -> list:
    """Legend entries for the confidence marks that are drawn, and only those."""
    from matplotlib.lines import Line2D

    observed = rows[rows["modality"].isin(OBSERVED)]
    base = (observed["derivation"] == BASE_OF_INDEX if "derivation" in observed
            else pd.Series(False, index=observed.index))
    drawn = set(observed.loc[~base, "confidence"])
    handles = []
    if base.any():
        handles.append(Line2D([], [], marker="s", ls="", ms=5, mfc="#bbb", mec="#777",
                              label="base of the index (= 1)"))
    for level in CONFIDENCES:
        if level in drawn:
            marker, fill, text = STYLE.get(level, ("o", "full", level))
            handles.append(Line2D([], [], color="#444", marker=marker, ls="", ms=7,
                                  fillstyle=fill, mfcalt="white", mew=1.5, label=text))
    return handles


def _as_drawn(rows: pd.DataFrame, ledger: Any, unit: str,
              measure: str = "level") -> tuple[float, str]:
    """The factor and unit a series is drawn and described in: shares in per cent; per month
    when every level claim of a per-year series was stated per month (the CSVs keep the
    per-year unit).
    """
    if measure == "share":
        return 100.0, "%"
    if ledger is None or not str(rows["unit"].iloc[0]).endswith("/year"):
        return 1.0, unit
    ids = {i for cell in rows["claim_ids"] for i in str(cell).split(";") if i}
    kinds, units = _kinds_and_units(ledger)
    stated = [units[i] for i in ids if kinds.get(i) == "level"]
    if not stated or not all(u.replace(" ", "").endswith("/month") for u in stated
                             if isinstance(u, str)):
        return 1.0, unit
    return 1 / 12, unit.replace("/year", "/month")


def _kinds_and_units(ledger: Any) -> tuple[dict, dict]:
    """claim_id → kind and claim_id → unit as coded (made once for a ledger's claims)."""
    kept = getattr(ledger, "_prodstats_kinds_units", None)
    if kept is None or kept[0] is not ledger.claims:
        claims = ledger.claims
        ids = claims["claim_id"].tolist()
        kept = (claims, dict(zip(ids, claims["kind"].tolist(), strict=True)),
                dict(zip(ids, claims["unit"].tolist(), strict=True)))
        ledger._prodstats_kinds_units = kept
    return kept[1], kept[2]


def _scaled(table: pd.DataFrame | None, factor: float) -> pd.DataFrame | None:
    if table is None:
        return None
    columns = [c for c in ("value", "low", "high", "mean", "pi80_low", "pi80_high",
                           "pi95_low", "pi95_high") if c in table.columns]
    return table.assign(**{c: table[c] * factor for c in columns})


def _spread(obs: pd.DataFrame, offset: float) -> np.ndarray:
    """X positions in the order of ``obs``: a reading's offset, and points of one period side
    by side, so that none hides another (an unverified claim behind an official one).
    """
    t = obs["t"].to_numpy(float)
    x = t + offset
    if len(t) != len(np.unique(t)):
        order = np.lexsort((obs["claim_ids"].astype(str).to_numpy(), t))
        for value in np.unique(t):
            same = order[t[order] == value]
            if len(same) > 1:
                x[same] += np.linspace(-0.05, 0.05, len(same))
    return x


def _lines(ax, x: np.ndarray, obs: pd.DataFrame, colour: str, style: str) -> None:
    """Join each period's points to the next period's; where one period holds several
    (conflicting) points, a segment runs to each, never to their average; points of one
    period with the same figure (a stated 2 and a derived 2) share one segment.
    """
    if len(x) < 2:
        return
    t, y = obs["t"].to_numpy(float), obs["value"].to_numpy(float)
    keys = np.unique(np.round(t, 6))
    xs: list[float] = []
    ys: list[float] = []

    def distinct(key: float) -> list[int]:  # the first point of each figure in the period
        first: dict[float, int] = {}
        for i in np.flatnonzero(np.round(t, 6) == key):
            first.setdefault(round(float(y[i]), 9), int(i))
        return list(first.values())

    for a, b in zip(keys[:-1], keys[1:], strict=True):
        ia, ib = distinct(a), distinct(b)
        for i in ia:
            for j in ib:
                xs += [x[i], x[j], np.nan]
                ys += [y[i], y[j], np.nan]
    ax.plot(xs, ys, color=colour, lw=1.6, ls=style, zorder=2)


def _reading_label(reading: str) -> str:
    return "; ".join(part.replace(":base=", ": base ") for part in reading.split("; "))


def _forward(rows: pd.DataFrame, outcomes: pd.DataFrame | None, actor: str, indicator: str,
             measure: str, ledger: Any) -> pd.DataFrame:
    """The forward statements to draw beside a series, at their due date (``t``), with their
    label text: from outcomes.csv's current statements where given, else the series' own.
    """
    columns = ["t", "value", "low", "high", "modality", "confidence", "claim_ids", "due_text",
               "word", "derivation", "hedge"]
    units = set(rows["unit"].dropna())
    o = (outcomes[(outcomes["actor"] == actor) & (outcomes["indicator"] == indicator)
                  & outcomes["current"].astype(str).str.lower().isin(["true", "1"])]
         if outcomes is not None and measure == "level" else None)
    if o is None:
        return _own_aims(rows, ledger)[columns]
    ratios = o[(o["unit"] == "dimensionless") & o["base_period"].notna()]
    on_levels = _ratio_aims(ratios.drop_duplicates("statement_id"), rows, ledger)
    o = o.drop(index=ratios.index)
    # outcomes.csv gives an amount said over a period as that amount, and a ratio as a ratio:
    # only figures in the series' own unit go on its axis; otherwise the series' own forward
    # rows, which resolve placed on it (a forecast ratio on the index through its base)
    if not o.empty and set(o["unit"]) <= units:
        o = o.drop_duplicates("statement_id")
        due = [_iso(d) for d in o["due"]]
        conf = _confidences(ledger, o["statement_id"])
        aims = pd.DataFrame({
            "t": [_decimal(d + timedelta(days=1)) for d in due],
            "value": pd.to_numeric(o["value"], errors="coerce").to_numpy(float),
            "low": pd.to_numeric(o["low"], errors="coerce").to_numpy(float),
            "high": pd.to_numeric(o["high"], errors="coerce").to_numpy(float),
            "modality": o["modality"].to_numpy(object),
            "confidence": [conf.get(s, "official") for s in o["statement_id"]],
            "claim_ids": o["statement_id"].to_numpy(object),
            "due_text": [_due_text(d) for d in due], "word": "", "derivation": "",
            "hedge": [_hedge(q) for q in o["qualifier"]] if "qualifier" in o else ""},
            columns=columns)
    else:
        aims = _own_aims(rows, ledger)[columns]
    return pd.concat([aims, on_levels[columns]], ignore_index=True) if len(on_levels) else aims


def _own_aims(rows: pd.DataFrame, ledger: Any) -> pd.DataFrame:
    """A series' own forward rows at their due date, with their due date's words (a forecast
    ratio with an ambiguous base stands at one figure per reading of its base).
    """
    aims = _at_due(rows[rows["modality"].isin(FORWARD)].drop_duplicates(["claim_ids", "value"]))
    words = _scale_words(aims, ledger)
    firsts = [str(c).split(";")[0] for c in aims["claim_ids"]]
    claims = None if ledger is None or aims.empty else _claim_columns(ledger, "qualifier")
    coded = ({} if claims is None else  # the aims' own claims, not a dict of the whole ledger
             dict(claims[claims["claim_id"].isin(firsts)].itertuples(index=False)))
    return aims.assign(due_text=[_due_text(_period_end(p)) for p in aims["period"]],
                       word=[words.get(c, "") for c in aims["claim_ids"]],
                       derivation=aims.get("derivation", ""),
                       hedge=[_hedge(coded.get(c)) for c in firsts])


#: A forward statement's hedge, as its label says it ("target up to 3,000").
HEDGES = {"about": "about", "nearly": "nearly", "more_than": "more than",
          "at_least": "at least", "less_than": "less than", "up_to": "up to"}


def _hedge(qualifier: object) -> str:
    """The words of a qualifier that hedges a figure ("up to"); "" for none or a scale word."""
    return HEDGES.get(qualifier, "") if isinstance(qualifier, str) else ""


def _ratio_aims(ratios: pd.DataFrame, rows: pd.DataFrame, ledger: Any) -> pd.DataFrame:
    """Forward ratios ("triple by 2025 compared with 2021") placed on a level chart through
    the level observed in their base period: 3 × about 300,000 stands at 900,000, drawn with
    the range the base's bounds give (810,000–990,000), labelled '3 × 2021 (= 900,000)'. A
    base period with claims that differ gives only the range; a ratio whose base period has
    no observed level is not drawn (outcomes.csv and the site's tracker still list it).
    """
    obs = rows[rows["modality"].isin(OBSERVED)]
    placed = []
    for r in ratios.itertuples(index=False):
        base = str(r.base_period).removesuffix(".0")
        at = obs[obs["period"] == base]
        if at.empty:
            continue
        ratio = float(r.value)
        values = at["value"].to_numpy(float)
        lows = at["low"].fillna(at["value"]).to_numpy(float)
        highs = at["high"].to_numpy(float)
        one = np.isfinite(values).all() and (values == values[0]).all()
        placed.append({
            "t": _decimal(_iso(r.due) + timedelta(days=1)),
            "value": ratio * values[0] if one else np.nan,
            "low": float(r.low) * lows.min(),
            "high": float(r.high) * highs.max() if np.isfinite(highs).all() else np.nan,
            "modality": r.modality, "claim_ids": r.statement_id,
            "confidence": _confidences(ledger, [r.statement_id]).get(r.statement_id, "official"),
            "due_text": _due_text(_iso(r.due)), "word": "",
            "derivation": f"{r.modality} ratio {ratio:g} × level of {base}",
            "hedge": _hedge(getattr(r, "qualifier", None))})
    return pd.DataFrame(placed)


def _said_as(derivation: Any, figure: str, number) -> str:
    """A forward statement's figure as the text said it, where the chart's axis shows it
    otherwise (from series.py's derivation): a ratio placed on the index, '6 × 2023 (= 18)';
    an amount over a period on a per-year axis, '1,000,000 over Apr 2023–Dec 2024 (= 571,429
    a year)'; else ``figure``.
    """
    text = str(derivation)
    chained = _CHAINED.search(text)
    if chained:
        said = f"{chained[1]} × {chained[2]}"
        return said if figure == chained[1] else f"{said} (= {figure})"
    amount = _AMOUNT.search(text)
    if amount:
        span = _span(amount[2])
        return (f"{number(float(amount[1].replace(',', '')))} over {span} (= {figure} a "
                "year)")
    return figure


def _scale_words(rows: pd.DataFrame, ledger: Any) -> dict[str, str]:
    """claim_id → the scale word ("billions") of claims coded with one."""
    if ledger is None:
        return {}
    from prodstats.vocab import QUALIFIERS

    claims = _claim_columns(ledger, "qualifier")
    claims = claims[claims["claim_id"].isin(set(rows["claim_ids"]))]
    return {c: q for c, q in zip(claims["claim_id"], claims["qualifier"], strict=True)
            if q in QUALIFIERS and QUALIFIERS[q].is_scale}


def _confidences(ledger: Any, ids) -> dict[str, str]:
    if ledger is None:
        return {}
    claims = _claim_columns(ledger, "confidence")
    claims = claims[claims["claim_id"].isin(set(ids))]
    return dict(zip(claims["claim_id"], claims["confidence"], strict=True))


def _claim_columns(ledger: Any, *columns: str) -> pd.DataFrame:
    """``claim_id`` and the given columns of the ledger's claims: a filter on them copies
    those columns only, not the forty of the ledger (a bulk ledger's are Arrow strings).
    """
    return ledger.claims[["claim_id", *columns]]


def _source_of(ledger: Any) -> dict:
    """claim_id → source_id (made once for a ledger's claims table; every chart asks)."""
    kept = getattr(ledger, "_prodstats_source_of", None)
    if kept is not None and kept[0] is ledger.claims:
        return kept[1]
    source = dict(zip(ledger.claims["claim_id"], ledger.claims["source_id"], strict=True))
    ledger._prodstats_source_of = (ledger.claims, source)
    return source


def _outlets(ledger: Any) -> dict:
    """source_id → (outlet, published), made once for a ledger's sources table."""
    kept = getattr(ledger, "_prodstats_outlets", None)
    if kept is not None and kept[0] is ledger.sources:
        return kept[1]
    sources = ledger.sources
    outlets = dict(zip(sources["source_id"], zip(sources["outlet"], sources["published"],
                                                  strict=True), strict=True))
    ledger._prodstats_outlets = (sources, outlets)
    return outlets


def _superseded(ledger: Any, actor: str, indicator: str, measure: str) -> pd.DataFrame:
    """``ledger.superseded(actor, indicator, measure)``, from the ledger's revised claims
    (found once for its claims table: most ledgers have few or none).
    """
    kept = getattr(ledger, "_prodstats_revised", None)
    if kept is None or kept[0] is not ledger.claims:
        claims = ledger.claims
        old = claims[claims["superseded_by"].notna()]
        kept = (claims, old.iloc[:0], _split(old, ["actor", "indicator", "kind"]))
        ledger._prodstats_revised = kept
    return kept[2].get((actor, indicator, measure), kept[1])


def _split(table: pd.DataFrame, keys: list[str]) -> dict[tuple, pd.DataFrame]:
    """The rows of ``table`` for each value of ``keys``, in their order in ``table``: the same
    frames as a filter on each value, found in one pass instead of one pass a chart.
    """
    return dict(iter(table.groupby(keys, sort=False)))


def _revised_top(ledger: Any, actor: str, indicator: str, measure: str, factor: float) -> float:
    """The largest figure of the claims a later claim revised (drawn faded, with an arrow to
    their revision): the axis holds them, so that no arrow starts outside the plot.
    """
    if ledger is None or "superseded_by" not in ledger.claims.columns:
        return 0.0
    values = _superseded(ledger, actor, indicator, measure)["value_canonical"].to_numpy(float)
    values = values[np.isfinite(values)] * factor
    return float(values.max()) if values.size else 0.0


def _iso(text: str) -> date:
    return date.fromisoformat(str(text)[:10])


def _decimal(day: date) -> float:
    """A date on the chart's axis of decimal years (1 January 2026 → 2026.0)."""
    length = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    return day.year + (day.timetuple().tm_yday - 1) / length


def _period_end(period: str) -> date:
    from prodstats.periods import parse_period

    return parse_period(period).end


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _due_text(day: date) -> str:
    """When a statement falls due, as a reader says it: 'end of 2025', 'end of Mar 2024',
    '17 Jan 2025'.
    """
    if (day + timedelta(days=1)).day != 1:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if day.month == 12:
        return f"end of {day.year}"
    return f"end of {MONTHS[day.month - 1]} {day.year}"


def _aims(ax, aims: pd.DataFrame, handles, labels, number) -> None:
    """Forward statements: hollow gold marks at their due date with their figure and due
    date; a figure the text never stated (a scale word such as "billions") is its range.
    """
    from matplotlib.lines import Line2D

    shown = set()
    for p in aims.itertuples(index=False):
        marker, text = AIMS.get(p.modality, ("D", p.modality))
        has_range = np.isfinite(p.low) and np.isfinite(p.high) and p.high > p.low
        value = p.value if np.isfinite(p.value) else (p.low + p.high) / 2
        if p.word and has_range:  # no point: the text gave a word and its range, no figure
            ax.plot([p.t, p.t], [p.low, p.high], color=AIM_EDGE, lw=5, alpha=0.45,
                    solid_capstyle="butt", zorder=5)
            labels.append(ax.annotate(
                f"{text}: {p.word} ({number(p.low)}–{number(p.high)}), due {p.due_text}",
                (p.t, p.high), textcoords="offset points", xytext=(9, -4), fontsize=8.5,
                color=AIM_EDGE))
            if p.modality not in shown:
                shown.add(p.modality)
                handles.append(Line2D([], [], color=AIM_EDGE, lw=5, alpha=0.45,
                                      label=f"{text}: a word's range (forward)"))
            continue
        if has_range:
            ax.plot([p.t, p.t], [p.low, p.high], color=AIM_EDGE, lw=1.2, ls="--",
                    zorder=4)
            if "range" not in shown:
                shown.add("range")
                handles.append(Line2D([], [], color=AIM_EDGE, lw=1.2, ls="--",
                                      label="a forward statement's range ('up to', 'about')"))
        ax.plot([p.t], [value], marker=marker, ms=14 if marker == "*" else 8, ls="",
                mfc=AIM_FILL, mec=AIM_EDGE, mew=1.5, zorder=5)
        if p.confidence == "disputed":
            ax.plot([p.t], [value], marker="x", ms=8, color=AIM_EDGE, ls="", zorder=7)
        figure = (f"{number(p.low)}–{number(p.high)}" if has_range and not np.isfinite(p.value)
                  else number(value))
        figure = " ".join(filter(None, (p.hedge, _said_as(p.derivation, figure, number))))
        labels.append(ax.annotate(f"{text} {figure}, due {p.due_text}", (p.t, value),
                                  textcoords="offset points", xytext=(9, -4), fontsize=8.5,
                                  color=AIM_EDGE))
        if p.modality not in shown:
            shown.add(p.modality)
            handles.append(Line2D([], [], marker=marker, ls="", ms=12 if marker == "*" else 7,
                                  mfc=AIM_FILL, mec=AIM_EDGE, mew=1.5,
                                  label=f"{text} (forward, at its due date)"))


def _at_due(points: pd.DataFrame) -> pd.DataFrame:
    """Forward statements placed at the end of their period, where they fall due."""
    from prodstats.periods import parse_period

    due = [parse_period(p).end_year if m in FORWARD else t
           for p, m, t in zip(points["period"], points["modality"], points["t"], strict=True)]
    return points.assign(t=np.asarray(due, dtype=float))


def _revisions(ax, ledger, actor, indicator, measure, factor, handles, labels) -> list[str]:
    """Claims that a later claim revised: faded, labelled with what they said, with an arrow
    to what replaced them. Returns their claim ids (the source line credits them).
    """
    if ledger is None or "superseded_by" not in ledger.claims.columns:
        return []
    old = _superseded(ledger, actor, indicator, measure)
    if old.empty:
        return []
    from matplotlib.lines import Line2D

    from prodstats.periods import parse_period

    claims = _claim_columns(ledger, "actor", "indicator", "period", "modality",
                            "value_canonical")
    claims = claims[(claims["actor"] == actor) & (claims["indicator"] == indicator)]
    where = {c.claim_id: (getattr(parse_period(c.period), "end_year" if c.modality in FORWARD
                                  else "mid_year"), c.value_canonical * factor)
             for c in claims.itertuples(index=False)}
    for c in old.itertuples(index=False):
        x, y = where[c.claim_id]
        ax.plot([x], [y], marker=AIMS.get(c.modality, ("o",))[0], ms=11, ls="",
                mfc="none", mec="#999", mew=1.2, alpha=0.8, zorder=3)
        # what it said, as coded ("pledge 1 M rounds"), not its rate on this axis
        said = "" if not np.isfinite(c.value) else f" {_number(c.value)} {c.unit}"
        due = f", due {_due_text(_period_end(c.period))}" if c.modality in FORWARD else ""
        labels.append(ax.annotate(
            f"{AIMS.get(c.modality, ('', c.modality))[1] or c.modality}{said}{due}: revised",
            (x, y), textcoords="offset points", xytext=(9, -4), fontsize=7.5, color="#888"))
        if c.superseded_by in where:
            ax.annotate("", where[c.superseded_by], xytext=(x, y),
                        arrowprops={"arrowstyle": "->", "color": "#999", "lw": 1.1,
                                    "shrinkA": 6, "shrinkB": 9}, zorder=3)
    handles.append(Line2D([], [], marker=AIMS.get(old["modality"].iloc[0], ("o",))[0], ls="",
                          ms=9, mfc="none", mec="#999", label="revised (superseded)"))
    return old["claim_id"].tolist()


def _capacity(ax, capacity, handles, labels, number, yearly: bool = False):
    """A capacity series beside the output it bounds: a grey dash-dot line through its points,
    and its targets as grey diamonds labelled with their figure and due date.
    """
    from matplotlib.lines import Line2D

    pts = capacity[capacity["modality"].isin(OBSERVED)].sort_values("t")
    aims = capacity[capacity["modality"].isin(FORWARD)].sort_values("t")
    if not pts.empty:
        ax.plot(pts["t"], pts["value"], color="#777", lw=1.4, ls="-.", marker="s", ms=5,
                zorder=2)
        handles.append(Line2D([], [], color="#777", ls="-.", marker="s", ms=5,
                              label="capacity"))
    if not aims.empty:
        aims = _at_due(aims)
        ax.plot(aims["t"], aims["value"], color="#555", marker="D", ms=7, ls="", mfc="white",
                mew=1.4, zorder=3)
        for p in aims.itertuples(index=False):
            # a capacity stated per year, on the axis of an output stated per month, says both:
            # "100,000 a year (8,333 a month)"
            figure = (f"{number(p.value * 12)} a year ({number(p.value)} a month)" if yearly
                      else number(p.value))
            labels.append(ax.annotate(
                f"capacity {figure}, due {_due_text(_period_end(p.period))}",
                (p.t, p.value), textcoords="offset points", xytext=(8, -4), fontsize=8.5,
                color="#555"))
        handles.append(Line2D([], [], color="#555", marker="D", ls="", ms=6, mfc="white",
                              label="capacity target (forward)"))


def _source_labels(ax, obs: pd.DataFrame, ledger: Any, labels: list) -> bool | None:
    """Label each observed point with its source (outlet, date) where the series has several
    sources: True when labelled, False when one source, None when too many points to label.
    """
    if ledger is None or obs.empty:
        return False
    stated = obs[obs["claim_ids"].fillna("") != ""].drop_duplicates("claim_ids")
    first = stated["claim_ids"].astype(str).str.split(";").str[0]
    source = first.map(_source_of(ledger))
    if source.nunique() < 2:
        return False
    if len(stated) > SOURCE_LABELS:
        return None
    outlets = _outlets(ledger)
    derivation = (stated["derivation"].tolist() if "derivation" in stated
                  else [""] * len(stated))
    basis = (stated["value_basis"].tolist() if "value_basis" in stated
             else [""] * len(stated))
    for t, value, sid, how, kind in zip(stated["t"].tolist(), stated["value"].tolist(), source,
                                        derivation, basis, strict=True):
        if sid not in outlets:
            continue
        text = f"{outlets[sid][0]}, {_when(outlets[sid][1])}"
        # a point chained through another's ratio is not the source's figure: say what it said
        chained = _CHAINED.match(str(how)) if kind == "derived" else None
        if chained:
            text += f": {chained[1]} × {chained[2]}"
        labels.append(ax.annotate(text, (t, value), textcoords="offset points",
                                  xytext=(9, -4), fontsize=7.5, color=GREY))
    return True


#: series.py's derivation of a level point computed from an index and one stated level.
_THROUGH_INDEX = re.compile(r"index × level of (\S+)")


def _derived_labels(ax, obs: pd.DataFrame, labels: list) -> None:
    """Label each level no source stated, computed from a ratio and another period's level
    ("tripled since 2021", with 36,000 in April 2024, puts 2021 at 12,000): 'derived from Apr
    2024's figure and a ratio', so that it is not read as a figure someone gave.
    """
    if "derivation" not in obs:
        return
    for t, value, how in zip(obs["t"].tolist(), obs["value"].tolist(),
                             obs["derivation"].tolist(), strict=True):
        through = _THROUGH_INDEX.match(str(how))
        if through and np.isfinite(value):
            labels.append(ax.annotate(f"derived from {_span(through[1])}'s figure and a ratio",
                                      (t, value), textcoords="offset points", xytext=(9, -4),
                                      fontsize=7.5, color=GREY, style="italic"))


#: series.py's derivation of an amount said over a period: "stated as 1,000,000 rounds over
#: 2023-04/2024-12, here per year".
_AMOUNT = re.compile(r"stated as ([\d,.]+) \S+ over (\S+), here per year")
#: series.py's derivation of an index point placed through a ratio on a base: "ratio 6 × index
#: of 2023", "expected ratio 6 × index of 2022 (one reading of 2022|2023)"; and a level chart's
#: forward ratio placed on its base's level (:func:`_ratio_aims`): "expected ratio 3 × level of
#: 2021".
_CHAINED = re.compile(r"ratio (\S+) × (?:index|level) of ([^\s(]+)")


def _first_up(text: str) -> str:
    """The first letter upper case, the rest as written ("EUR" stays "EUR", not "Eur")."""
    return text[:1].upper() + text[1:]


def _span(period: str) -> str:
    """A period as a reader writes it: 'Apr 2024', '2021', 'Jan 2022–Apr 2024'."""
    start, _, end = str(period).partition("/")
    return f"{_when(start)}–{_when(end)}" if end else _when(start)


def _when(published: Any) -> str:
    """A publication date as a reader writes it: 17 Jan 2025, Jan 2025, 2025."""
    text = str(published)
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return text


#: Offsets (points) tried, in order, for a label beside its point.
_OFFSETS = [(dx, dy) for dy in (-4, 9, -17, 22, -30, 35, -43, 48, -56)
            for dx in (9, -9)]


def _place_labels(ax, labels) -> None:
    """Move labels so that none overlaps another label or a marker, and each stays inside
    the axes: try offsets around each label's point, in order, and keep the first that is
    free (else the one that overlaps least). A label that fits nowhere on one line (a long
    forecast label on a narrow overview panel) is tried again broken after its first comma.
    A label's box is measured once per wording; its box at each offset is that box moved,
    and the overlaps with every box taken are one array operation.
    """
    if not labels:
        return
    renderer = _renderer(ax.figure)
    taken = [_marker_array(ax, line) for line in ax.get_lines()
             if line.get_marker() not in (None, "None", "")]
    boxes = np.concatenate(taken) if taken else np.empty((0, 4))
    frame = ax.get_window_extent(renderer)
    px = ax.figure.dpi / 72
    offsets = np.asarray(_OFFSETS, dtype=float)

    def costs(text) -> tuple[np.ndarray, np.ndarray]:
        """Each offset's box for the label as it now reads, and what placing it there costs."""
        text.set_position((9, -4))
        text.set_horizontalalignment("left")
        box = text.get_window_extent(renderer)
        width, height = box.width, box.height
        anchor_x = box.x0 - 9 * px
        x0 = np.where(offsets[:, 0] > 0, anchor_x + offsets[:, 0] * px,
                      anchor_x + offsets[:, 0] * px - width)
        y0 = box.y0 + (offsets[:, 1] + 4) * px
        candidates = np.column_stack([x0, y0, x0 + width, y0 + height])
        w = (np.minimum(candidates[:, None, 2], boxes[None, :, 2])
             - np.maximum(candidates[:, None, 0], boxes[None, :, 0])).clip(0)
        h = (np.minimum(candidates[:, None, 3], boxes[None, :, 3])
             - np.maximum(candidates[:, None, 1], boxes[None, :, 1])).clip(0)
        outside = ((frame.x0 - candidates[:, 0]).clip(0) + (candidates[:, 2] - frame.x1).clip(0)
                   + (frame.y0 - candidates[:, 1]).clip(0) + (candidates[:, 3] - frame.y1).clip(0))
        # any overshoot costs more than any overlap; a smaller one less than a larger one
        return candidates, (w * h).sum(axis=1) + (outside > 0) * 1e9 + outside * 1e4

    for text in labels:
        words = text.get_text()
        tried = []
        for wording in _wordings(words):
            text.set_text(wording)
            tried.append((wording, *costs(text)))
            if tried[-1][2].min() < 1e9:  # it fits inside the axes somewhere
                break
        wording, candidates, cost = min(tried, key=lambda t: t[2].min())
        text.set_text(wording)
        free = np.flatnonzero(cost == 0)
        best = int(free[0]) if len(free) else int(np.argmin(cost))
        dx, dy = _OFFSETS[best]
        text.set_position((dx, dy))
        text.set_horizontalalignment("left" if dx > 0 else "right")
        boxes = np.vstack([boxes, candidates[best]])


def _wordings(words: str) -> list[str]:
    """A label as written, then broken after its first comma, then also before its first
    parenthesis ('forecast 5.67 M over 2015 / (= 5.67 M a year), / due end of 2015'): the
    shapes tried, in order, for a label that does not fit inside its axes on one line.
    """
    if "\n" in words or ", " not in words:
        return [words]
    broken = words.replace(", ", ",\n", 1)
    shapes = [words, broken]
    if " (" in broken:
        shapes.append(broken.replace(" (", "\n(", 1))
    return shapes


def _marker_array(ax, line) -> np.ndarray:
    """(n, 4) window boxes (x0, y0, x1, y1) of a line's markers, with their edge."""
    xy = ax.transData.transform(np.asarray(line.get_xydata(), dtype=float))
    xy = xy[np.isfinite(xy).all(axis=1)]
    r = (line.get_markersize() + line.get_markeredgewidth()) * ax.figure.dpi / 72 / 2
    return np.column_stack([xy[:, 0] - r, xy[:, 1] - r, xy[:, 0] + r, xy[:, 1] + r])


def _renderer(fig):
    """The Agg renderer the figure's PNG is drawn with (one per figure: the text sizes it
    measures for label placement are reused when the PNG is drawn).
    """
    return _canvas(fig).get_renderer()


_CANVAS: Any = None
#: Text lines drawn and measured by this process's Agg renderers: (text, font, dpi, …) → the
#: line's bitmap and offsets, or its width, height and descent. The same strings recur on
#: every chart (years, ticks, legend entries, notes).
_TEXT: dict = {}
_TEXT_MAX = 4096


def _remember(key: tuple, value: Any) -> None:
    if len(key[0]) > 60:  # titles and source lines seldom recur
        return
    if len(_TEXT) >= _TEXT_MAX:
        _TEXT.clear()
    _TEXT[key] = value


def _font_key(prop) -> tuple:
    """What makes a FontProperties draw differently (all of what its own hash is made of),
    and the hinting settings.
    """
    from matplotlib import rcParams

    return (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file(),
            prop.get_math_fontfamily(), rcParams["text.hinting"],
            rcParams["text.hinting_factor"], rcParams["text.kerning_factor"])


def _canvas(fig):
    """The figure's Agg canvas, whose renderer draws each text line as one bitmap."""
    global _CANVAS
    if _CANVAS is None:
        _CANVAS = _canvas_class()
    return fig.canvas if isinstance(fig.canvas, _CANVAS) else _CANVAS(fig)


def _canvas_class():
    """An Agg canvas whose renderer draws a line of text as one bitmap: FreeType lays out and
    renders the whole line in C (``set_text``, ``draw_glyphs_to_bitmap``), and Agg blends it
    once, as matplotlib's Agg backend did up to 3.9. Matplotlib 3.10+ renders and blends each
    glyph from Python, about 100 µs a glyph, 1,000 glyphs a chart. Rotated text, mathtext and
    text with font features or a language set are drawn by matplotlib's own method.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag

    class LineRenderer(RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath or angle or (mtext is not None and (
                    mtext.get_fontfeatures() is not None or mtext.get_language() is not None)):
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            key = (s, _font_key(prop), self.dpi, bool(gc.get_antialiased()), "bitmap")
            drawn = _TEXT.get(key)
            if drawn is None:
                font = self._prepare_font(prop)
                font.set_text(s, 0.0, flags=get_hinting_flag())
                font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
                xo, yo = font.get_bitmap_offset()
                drawn = (np.array(font.get_image()), xo / 64, (yo + font.get_descent()) / 64)
                _remember(key, drawn)
            image, xo, yo = drawn
            self._renderer.draw_text_image(image, round(x + xo), round(y + yo) + 1, 0, gc)

        def _get_font_height_metrics(self, prop):
            return _font_heights(prop, self.dpi)  # the figure's dpi (see get_renderer)

        def get_text_width_height_descent(self, s, prop, ismath):
            if ismath:
                return super().get_text_width_height_descent(s, prop, ismath)
            key = (s, _font_key(prop), self.dpi, "size")
            size = _TEXT.get(key)
            if size is None:
                size = super().get_text_width_height_descent(s, prop, ismath)
                _remember(key, size)
            return size

    class LineCanvas(FigureCanvasAgg):
        def get_renderer(self):
            w, h = self.get_width_height(physical=True)
            key = w, h, self.figure.dpi
            if self._lastKey != key:
                self.renderer = LineRenderer(w, h, self.figure.dpi)
                self._lastKey = key
            return self.renderer

    return LineCanvas


def _marker_boxes(ax, line) -> list:
    """Window boxes of a line's markers (half the marker size and its edge around each
    point).
    """
    from matplotlib.transforms import Bbox

    xy = ax.transData.transform(line.get_xydata())  # floats, whatever was plotted
    r = (line.get_markersize() + line.get_markeredgewidth()) * ax.figure.dpi / 72 / 2
    return [Bbox([[x - r, y - r], [x + r, y + r]]) for x, y in xy if np.isfinite([x, y]).all()]


def _fans(ax, proj, rows, handles):
    """The projection as an 80 % and a 95 % fan (light, behind the data), opening at the
    last observation; an axis cut above the data clips it (the chart's note says so).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    reading = "pooled" if "pooled" in set(proj["reading"]) else sorted(proj["reading"])[0]
    proj = proj[proj["reading"] == reading].sort_values("period")
    x = proj["period"].astype(int).to_numpy() + 0.5
    cols = ["mean", "pi80_low", "pi80_high", "pi95_low", "pi95_high"]
    values = {c: proj[c].to_numpy() for c in cols}
    start = _fan_start(rows, proj)
    if start is not None:  # the fan opens at the last observation
        x = np.r_[start[0], x]
        values = {c: np.r_[start[1] if c == "mean" else start[2 if "low" in c else 3], v]
                  for c, v in values.items()}
    for level, alpha in (("pi95", 0.12), ("pi80", 0.24)):
        ax.fill_between(x, values[f"{level}_low"], values[f"{level}_high"], color=FAN,
                        alpha=alpha, lw=0, zorder=1)
    ax.plot(x, values["mean"], color=FAN, lw=1.4, ls="--", zorder=2)
    which = "pooled readings" if reading == "pooled" else (
        "" if reading == "single" else _reading_label(reading))
    label = "projection" + (f" ({which})" if which else "")
    handles += [Line2D([], [], color=FAN, ls="--", label=label),
                Patch(color=FAN, alpha=0.24, label="80 % interval"),
                Patch(color=FAN, alpha=0.12, label="95 % interval")]


def _fan_start(series, proj) -> tuple[float, float, float, float] | None:
    """(t, value, low, high) of the last observation under the projected readings."""
    note = str(proj["note"].iloc[0])
    readings = [r.strip() for r in note.removeprefix("pooled over ").split(";")[0].split(", ")] \
        if note.startswith("pooled over ") else list(proj["reading"].unique())
    obs = series[series["reading"].isin(readings) & series["modality"].isin(OBSERVED)]
    if obs.empty:
        return None
    last = obs[obs["t"] == obs["t"].max()]
    high = last["high"].to_numpy(float)  # an open bound ("more than") starts at the value
    high = np.where(np.isfinite(high), high, last["value"].to_numpy(float))
    return (float(last["t"].iloc[0]), float(last["value"].mean()), float(last["low"].min()),
            float(np.nanmax(high)))


def _year_axis(ax, times: np.ndarray, projections: pd.DataFrame | None = None) -> None:
    """Years labelled at their first of January (a January point stands just right of its
    year's label, a target due at the end of 2025 on the line of 2026, its label saying
    'end of 2025'); quarters marked when the chart spans less than two years.
    """
    times = np.asarray(times, dtype=float)
    times = times[np.isfinite(times)]
    lo, hi = (times.min(), times.max()) if len(times) else (2020.0, 2021.0)
    if projections is not None and not projections.empty:
        years = pd.to_numeric(projections["period"], errors="coerce").dropna()
        if not years.empty:
            hi = max(hi, float(years.max()) + 0.5)
    pad = max(0.25, (hi - lo) * 0.06)
    lo, hi = min(lo - pad, math.floor(lo)), hi + pad  # the first point's year is labelled
    first, last = math.ceil(lo), math.floor(hi)
    span = last - first
    # as many year labels as the axes' width holds (a label at 9 pt is about 0.3 in wide),
    # at most 13: an overview's narrow panel labels every second year where a chart has room
    # for every year
    room = min(13, max(2, int(ax.get_position().width * ax.figure.get_figwidth() / 0.45)))
    step = next((s for s in (1, 2, 5, 10, 20, 50) if span // s + 1 <= room), 100)
    years = [y for y in range(first, last + 1) if y % step == 0]
    ax.set_xticks(years, [str(y) for y in years])
    if hi - lo < 2.5:
        quarters = [q for q in np.arange(math.floor(lo), math.ceil(hi), 0.25)
                    if lo <= q <= hi and q % 1]
        names = [MONTHS[int(round(q % 1 * 12))] for q in quarters]
        if quarters and (not years or quarters[0] < years[0]):  # the first says its year
            names[0] += f" {math.floor(quarters[0])}"
        ax.set_xticks(quarters, names, minor=True)
        ax.tick_params(axis="x", which="minor", length=3, labelsize=7.5, labelcolor=GREY)
    elif step > 1:  # every year marked, every step-th labelled
        ax.set_xticks([y for y in range(first, last + 1) if y % step], minor=True)
        ax.tick_params(axis="x", which="minor", length=3)
    ax.tick_params(axis="x", which="major", length=6)
    ax.set_xlim(lo, hi)


def _number(v: float, top: float | None = None) -> str:
    """A figure for people: in billions or millions where ``top`` (the largest figure it is
    shown with, by default itself) reaches them, so one axis uses one format.
    """
    top = abs(v) if top is None else abs(top)
    if top >= 1e9:
        return f"{v / 1e9:,.3g} bn"
    if top >= 1e6:
        return f"{v / 1e6:,.3g} M"
    if top >= 1e3:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def _unit_label(unit: str) -> str:
    if unit.startswith("index"):
        return unit
    if unit == "dimensionless":
        return "share (0–1)"
    if unit == "%":
        return "per cent"
    plural = {"day": "days", "year": "years", "hour": "hours", "month": "months"}
    return plural.get(unit, unit.replace("/year", " per year").replace("/month", " per month")
                      .replace("/day", " per day"))


def _title(actor, indicator, measure, ledger) -> str:
    return _title_text(f"{actor_name(actor, ledger)}: {_series_name(indicator, measure, ledger)}")


def _series_name(indicator: str, measure: str, ledger: Any) -> str:
    """The indicator's description, and "(index)" for its index."""
    return _description(indicator, ledger) + (" (index)" if measure == "index" else "")


def _title_text(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 68))


def _description(indicator: str, ledger: Any) -> str:
    """The indicator's description from the ledger; else its id made readable."""
    if ledger is not None:
        kept = getattr(ledger, "_prodstats_descriptions", None)
        if kept is None or kept[0] is not ledger.indicators:
            table = ledger.indicators.drop_duplicates("indicator_id")  # the first row of each
            kept = (ledger.indicators, dict(zip(table["indicator_id"], table["description"],
                                                strict=True)))
            ledger._prodstats_descriptions = kept
        if indicator in kept[1]:
            return kept[1][indicator]
    return indicator.replace("_", " ").capitalize()


def actor_name(actor: str, ledger: Any = None) -> str:
    """The actor's name from the ledger's actors table; else its id made readable."""
    if ledger is not None and getattr(ledger, "actors", None) is not None:
        kept = getattr(ledger, "_prodstats_actor_names", None)
        if kept is None or kept[0] is not ledger.actors:
            kept = (ledger.actors, dict(zip(ledger.actors["actor_id"], ledger.actors["name"],
                                            strict=True)))
            ledger._prodstats_actor_names = kept
        return kept[1].get(actor, actor)  # as Ledger.actor_name, made once for the ledger
    return actor if actor.isupper() else actor.replace("_", " ").capitalize()


def _source_line(rows: pd.DataFrame, ledger: Any, aims: pd.DataFrame | None = None) -> str:
    """'Source: dpa, 17 Jan 2025; Reuters (German service), 2024': outlets and dates, never
    claim ids (those are in series.csv and claims.csv).
    """
    ids = {i for cell in rows["claim_ids"] for i in str(cell).split(";") if i}
    if aims is not None:
        ids |= {i for cell in aims["claim_ids"] for i in str(cell).split(";") if i}
    tail = "Coded by hand from news text with prodstats."
    if ledger is None:
        return tail
    claims, outlets = _source_of(ledger), _outlets(ledger)
    used = sorted({claims[i] for i in ids if i in claims},
                  key=lambda s: (str(outlets[s][1]), s))
    names = _counted([f"{outlets[s][0]}, {_when(outlets[s][1])}" for s in used])
    label = "Source" if len(used) == 1 else "Sources"
    text = f"{label}: {_listed(names, '; ')}. {tail}" if names else tail
    return "\n".join(textwrap.wrap(text, 125))


def _counted(names: list[str]) -> list[str]:
    """Names in order, each once; one that stands for several articles says how many
    ('dpa, 17 Jan 2025 (2 articles)': two of its articles that day).
    """
    counts = Counter(names)
    return [name if counts[name] == 1 else f"{name} ({counts[name]} articles)"
            for name in dict.fromkeys(names)]


#: Most names a source line or a caption lists; the rest are counted ("and 85 more").
LISTED = 8


def _listed(names, sep: str = ", ") -> str:
    """Names joined; past :data:`LISTED`, the first ones and how many more (the claims and
    sources of a chart are all in the published claims.csv and sources.csv).
    """
    names = list(names)
    if len(names) <= LISTED:
        return sep.join(names)
    return sep.join(names[:LISTED - 1]) + f" and {len(names) - LISTED + 1} more"


def save(fig, stem: Path) -> list[Path]:
    """Write ``stem.svg`` (with ``<title>`` and ``<desc>`` for screen readers) and
    ``stem.png`` (200 dpi), without date or software metadata.
    """
    mpl = _mpl()
    paths = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    with mpl.rc_context(RC):
        paths[0].write_text(_accessible(_svg(fig), fig), encoding="utf-8")
        canvas, dpi = _canvas(fig), fig.dpi
        fig.dpi = DPI
        try:
            canvas.draw()
            paths[1].write_bytes(_png(np.asarray(canvas.buffer_rgba()), DPI))
        finally:
            fig.dpi = dpi
    return paths


def _svg(fig) -> str:
    """The figure's SVG (no date, no creator), its text measured with this process's sizes
    (:func:`_svg_sizes_kept`).
    """
    import io

    buffer = io.StringIO()
    with _svg_sizes_kept():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


@contextmanager
def _svg_sizes_kept():
    """While an SVG is drawn, its renderer measures a text line once a process, not once a
    chart: matplotlib makes a new SVG renderer, and a new size cache, for every file, and
    measuring a line (FreeType laying it out, unhinted) was 30 ms of a chart's SVG, for
    ticks, years and legend entries that recur on every chart. The sizes are the ones
    matplotlib computes (its own method, called once per line and font), so the SVG's bytes
    are unchanged.

    Matplotlib internals, re-check on upgrade: ``RendererSVG.get_text_width_height_descent``
    (replaced here for the duration of the draw, then restored) and the renderer hook
    ``_get_font_height_metrics`` that ``Text._get_layout`` asks for (see
    :func:`_font_heights`; at 72 dpi, the figure's dpi while ``print_svg`` draws).
    """
    from matplotlib.backends.backend_svg import RendererSVG

    measure = RendererSVG.get_text_width_height_descent

    def kept(self, s, prop, ismath):
        if ismath:
            return measure(self, s, prop, ismath)
        key = (s, _font_key(prop), "svg size")
        size = _TEXT.get(key)
        if size is None:
            size = measure(self, s, prop, ismath)
            _remember(key, size)
        return size

    replaced = {"get_text_width_height_descent": kept,
                "_get_font_height_metrics": lambda self, prop: _font_heights(prop, 72)}
    before = {name: vars(RendererSVG).get(name) for name in replaced}
    for name, method in replaced.items():
        setattr(RendererSVG, name, method)
    try:
        yield
    finally:
        for name, method in before.items():
            if method is None:
                delattr(RendererSVG, name)
            else:
                setattr(RendererSVG, name, method)


def _font_heights(prop, dpi: float) -> tuple[float, float, float]:
    """The font's ascent, descent and line gap at ``dpi`` (pixels), from its OS/2 or hhea
    table, as ``Text._get_layout`` computes them for every text it lays out (200 a chart,
    each finding the font and reading two of its tables): here once per font, size and dpi.
    """
    key = ("", _font_key(prop), dpi, "heights")
    heights = _TEXT.get(key)
    if heights is None:
        from matplotlib.font_manager import fontManager, get_font

        font = get_font(fontManager._find_fonts_by_props(prop))
        heights = (None, None, None)
        for table_name, gap, ascent, descent in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent")):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            # the same operations in the same order as matplotlib's: the same floats
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] \
                * prop.get_size_in_points() * dpi / 72
            heights = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
            break
        _TEXT[key] = heights
    return heights


def _png(rgba: np.ndarray, dpi: float) -> bytes:
    """A PNG of an RGBA image: RGB when every pixel is opaque (a chart on its white page),
    rows unfiltered, zlib level :data:`PNG_COMPRESSION`, the resolution in a pHYs chunk and
    nothing else (no date, no software): the same bytes for the same pixels. Pillow's writer
    tries five row filters on every row, which took 35–50 ms of a chart's 200 dpi PNG; plain
    rows compress as small on a chart's flat colours (see docs/performance.md).
    """
    import struct
    import zlib

    height, width = rgba.shape[:2]
    opaque = bool((rgba[..., 3] == 255).all())
    pixels = rgba[..., :3] if opaque else rgba
    rows = np.empty((height, 1 + width * pixels.shape[2]), np.uint8)
    rows[:, 0] = 0  # each row's filter: none
    np.copyto(rows[:, 1:].reshape(pixels.shape), pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    per_metre = round(dpi / 0.0254)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6,
                                         0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESSION))
            + chunk(b"IEND", b""))


def _accessible(svg: str, fig) -> str:
    """The SVG with a ``<title>`` and a ``<desc>`` first in it (what a screen reader reads),
    and ``role="img"`` naming them.
    """
    title = getattr(fig, "prodstats_title", "") or "Chart"
    desc = getattr(fig, "prodstats_desc", "") or title
    start = svg.index("<svg ")
    end = svg.index(">", start)
    return (svg[:start] + svg[start:end]
            + ' role="img" aria-labelledby="chart-title chart-desc">\n'
            + f' <title id="chart-title">{escape(title)}</title>\n'
            + f' <desc id="chart-desc">{escape(desc)}</desc>' + svg[end + 1:])


#: An actor gets an overview page when it has at least this many series of yearly figures
#: that are charts of their own, and the page shows at most OVERVIEW_PANELS of them (those
#: with the most points).
OVERVIEW_MIN, OVERVIEW_PANELS = 3, 6


def overview_panels(series: pd.DataFrame, actor: str, ledger: Any = None
                    ) -> list[tuple[str, str]]:
    """The ``(indicator, measure)`` pairs an actor's overview draws: its series of yearly
    figures (levels in a unit per year, and indices of them) with at least two points in
    time, those with the most points first, at most :data:`OVERVIEW_PANELS`.
    """
    s = series[(series["scenario"] == "all") & (series["actor"] == actor)
               & series["measure"].isin(["level", "index"])]
    s = s[~s["indicator"].isin(_context(ledger))]
    units = {} if ledger is None else dict(zip(ledger.indicators["indicator_id"],
                                               ledger.indicators["canonical_unit"], strict=True))
    yearly = [per_year(str(units.get(i, u))) for i, u in zip(s["indicator"], s["unit"],
                                                             strict=True)]
    stated = s[np.array(yearly, dtype=bool) & (s["claim_ids"].fillna("") != "")]
    counts = stated.groupby(["indicator", "measure"])["claim_ids"].nunique()  # not per reading
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    charted = [key for key, _ in ranked
               if _times(s[(s["indicator"] == key[0]) & (s["measure"] == key[1])]) >= 2]
    return charted[:OVERVIEW_PANELS]


def _panel_rows(series: pd.DataFrame, actor: str, panels: list[tuple[str, str]]) -> list:
    """The rows (scenario 'all') of each ``(indicator, measure)`` panel of an actor."""
    s = series[(series["scenario"] == "all") & (series["actor"] == actor)]
    return [s[(s["indicator"] == i) & (s["measure"] == m)] for i, m in panels]


def overview(series: pd.DataFrame, actor: str, ledger: Any = None,
             panels: list[tuple[str, str]] | None = None):
    """An actor's yearly figures on one page: one panel per series of
    :func:`overview_panels` (or of ``panels``), each with its confidence marks, readings and
    forward statements; one legend below them all.
    """
    mpl = _mpl()
    from matplotlib.figure import Figure

    panels = overview_panels(series, actor, ledger) if panels is None else panels
    rows_of = _panel_rows(series, actor, panels)
    lines = math.ceil(len(panels) / 2)
    height = 3.1 * lines + 2.2  # the panels, the title above and the legend and source below
    with mpl.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        grid = fig.add_gridspec(lines, 2, left=0.1, right=0.97, top=1 - 1.15 / height,
                                bottom=1.75 / height, hspace=0.8, wspace=0.42)
        title = _overview_title(actor, ledger)
        fig.text(0.02, 1 - 0.15 / height, title, ha="left", va="top", fontsize=13)
        fig.text(0.02, 1 - 0.5 / height, "Each series as on its own chart, without "
                 "projections; a month's or a quarter's figure as its rate per year · "
                 f"{SCENARIO_TEXT['all']}", ha="left", va="top", fontsize=9.5, color=GREY)
        shared: dict = {}  # one legend for every panel
        for k, ((indicator, measure), rows) in enumerate(zip(panels, rows_of, strict=True)):
            ax = fig.add_subplot(grid[k // 2, k % 2])
            _plot(rows, None, ax, ledger=ledger, title=_panel_title(indicator, measure, ledger),
                  legend=False)  # one legend for the page, below
            for handle in getattr(ax, "_prodstats_handles", []):
                label = handle.get_label()
                if label != "claims":
                    shared.setdefault(label, handle)
        drawn = pd.concat(rows_of)
        source = _source_line(drawn, ledger)
        fig.text(0.02, 0.1 / height, source, fontsize=8, color="#333", va="bottom", ha="left")
        foot = (source.count("\n") + 1) * 0.14 + 0.2
        fig.legend(handles=list(shared.values()), loc="lower left",
                   bbox_to_anchor=(0.08, foot / height), ncols=2, frameon=False)
        fig.prodstats_title = title
        fig.prodstats_desc = (f"{len(panels)} series: "
                              + "; ".join(_series_name(i, m, ledger) for i, m in panels) + ".")
    return fig


def _panel_title(indicator: str, measure: str, ledger: Any, width: int = 34) -> str:
    """An overview panel's title in at most two lines; a long description is shortened, but
    never its "(index)".
    """
    suffix = " (index)" if measure == "index" else ""
    first, *rest = textwrap.wrap(_description(indicator, ledger), width) or [""]
    if not rest:
        return first + suffix if len(first + suffix) <= width else f"{first}\n{suffix.strip()}"
    second = textwrap.shorten(" ".join(rest), width - len(suffix), placeholder=" …")
    return f"{first}\n{second}{suffix}"


def _overview_title(actor: str, ledger: Any) -> str:
    return f"{actor_name(actor, ledger)}: yearly figures as the sources give them"

def _cache_dir() -> Path | None:
    """Where rendered charts are kept between builds: PRODSTATS_CACHE, or ~/.cache/prodstats;
    PRODSTATS_CACHE=off renders every chart afresh. None (with a one-line notice) when the
    folder cannot be made: the charts are then drawn without a cache.
    """
    import os

    setting = os.environ.get("PRODSTATS_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    base = Path(setting).expanduser() if setting else Path.home() / ".cache" / "prodstats"
    try:
        (base / "charts").mkdir(parents=True, exist_ok=True)
        if not (base / "charts").is_dir():
            raise NotADirectoryError(20, "not a folder", str(base / "charts"))
    except OSError as exc:
        _notice(f"chart cache {base / 'charts'}: cannot be used ({exc.strerror or exc}); every "
                "chart is drawn afresh")
        return None
    return base / "charts"


def _notice(message: str) -> None:
    """One line on stderr (through logging: a notebook shows it, a test can catch it)."""
    import logging

    logging.getLogger("prodstats").warning(message)


#: The largest cache file read (bytes); a chart's SVG or PNG is a few hundred kB.
CACHE_LIMIT = 20_000_000
CACHE_EXTS = (".svg", ".png")


def _read_cached(path: Path) -> bytes | None:
    """The bytes of a regular cache file (no link, pipe or device, at most CACHE_LIMIT), or None."""
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > CACHE_LIMIT:
            return None
        data = os.read(fd, CACHE_LIMIT + 1)
        while data and len(data) <= CACHE_LIMIT:
            more = os.read(fd, CACHE_LIMIT + 1 - len(data))
            if not more:
                break
            data += more
        return data if len(data) <= CACHE_LIMIT else None
    except OSError:
        return None
    finally:
        os.close(fd)


class _Cache:
    """The chart cache of one build: entries ``KEY.svg``, ``KEY.png`` and ``KEY.json``, the
    last holding the key and the sha256 of each file, recorded when they were written. An entry
    is used only when both files hash to what was recorded under its own key; any failure to
    read or write it falls back to drawing, never fails the build.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.writable = folder is not None
        self.bad: list[str] = []  # charts whose entry did not match what was recorded

    def get(self, key: str, stem: str) -> list[bytes] | None:
        """The files of a good entry, or None (missing, unreadable or not matching)."""
        import hashlib
        import json

        if self.folder is None:
            return None
        entry = self.folder / f"{key}.json"
        if not (entry.exists() or entry.is_symlink()):
            if any((self.folder / f"{key}{ext}").exists() for ext in CACHE_EXTS):
                self.bad.append(stem)  # files without their record: from an older prodstats
            return None
        record = _read_cached(entry)
        files = [_read_cached(self.folder / f"{key}{ext}") for ext in CACHE_EXTS]
        try:
            recorded = json.loads(record) if record is not None else None
            ok = (isinstance(recorded, dict) and recorded.get("key") == key and all(
                data is not None and recorded.get(ext[1:]) == hashlib.sha256(data).hexdigest()
                for data, ext in zip(files, CACHE_EXTS, strict=True)))
        except ValueError:
            ok = False
        if not ok:
            self.bad.append(stem)
            return None
        return files  # type: ignore[return-value]

    def put(self, key: str, stem: Path) -> None:
        """Store a drawn chart's files and their record; on a failure, say so once and stop."""
        import hashlib
        import json

        if self.folder is None or not self.writable:
            return
        try:
            recorded = {"key": key}
            for ext in CACHE_EXTS:
                data = stem.with_suffix(ext).read_bytes()
                recorded[ext[1:]] = hashlib.sha256(data).hexdigest()
                self._write(self.folder / f"{key}{ext}", data)
            # the record last: an entry cut short has no record, or one that does not match
            self._write(self.folder / f"{key}.json", json.dumps(recorded).encode())
        except OSError as exc:
            _notice(f"chart cache {self.folder}: cannot be written ({exc.strerror or exc}); the "
                    "remaining charts are drawn without it")
            self.writable = False

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        import os
        import shutil

        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        tmp.replace(path)

    def report(self) -> None:
        """One line for the entries that did not match, if any."""
        if self.bad:
            n = len(self.bad)
            _notice(f"chart cache {self.folder}: {n} entr{'ies' if n != 1 else 'y'} did not "
                    f"match the hash recorded when written (first: chart {self.bad[0]}); "
                    f"{'they were' if n != 1 else 'it was'} drawn again"
                    + (" and replaced" if self.writable else ", the cache left as it was"))


def _code_version() -> str:
    import hashlib

    mpl = _mpl()
    return hashlib.sha256(Path(__file__).read_bytes() + mpl.__version__.encode()).hexdigest()




def compare(series: pd.DataFrame, indicator: str, ledger: Any = None):
    """One indicator across actors: each actor's claims with their confidence marks, joined in
    time, and its forward statements as hollow marks at their due date (scenario 'all';
    where a base is ambiguous, the first reading consistent with the other claims).
    """
    mpl = _mpl()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rows = series[(series["scenario"] == "all") & (series["indicator"] == indicator)
                  & (series["measure"] != "index")]
    top = _top(rows) * 1.15 or 1
    with mpl.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        ax = fig.add_axes((0.11, 0.36, 0.86, 0.46))
        handles, labels = [], []
        times = []
        for i, (actor, pts) in enumerate(rows.groupby("actor", sort=True)):
            colour = PALETTE[i % len(PALETTE)]
            reading = _first_reading(pts)
            several = bool((pts["reading"] != reading).any())
            pts = pts[pts["reading"] == reading]
            obs = pts[pts["modality"].isin(OBSERVED)]
            x = _spread(obs, 0.0)
            _lines(ax, x, obs, colour, "-")
            _points(ax, x, obs, colour)
            aims = _at_due(pts[pts["modality"].isin(FORWARD)].drop_duplicates("claim_ids"))
            times += [*obs["t"], *aims["t"]]
            for p in aims.itertuples(index=False):
                marker = AIMS.get(p.modality, ("D",))[0]
                ax.plot([p.t], [p.value], marker=marker, ms=14 if marker == "*" else 8, ls="",
                        mfc="white", mec=colour, mew=1.5, zorder=5)
                labels.append(ax.annotate(
                    f"{AIMS.get(p.modality, ('', p.modality))[1]} {_number(p.value, top)}, "
                    f"due {_due_text(_period_end(p.period))}", (p.t, p.value),
                    textcoords="offset points", xytext=(9, -4), fontsize=8.5, color=colour))
            name = actor_name(actor, ledger)
            handles.append(Line2D([], [], color=colour, marker="o", lw=1.6,
                                  label=f"{name} (reading {reading})" if several else name))
        if rows["modality"].isin(FORWARD).any():
            handles.append(Line2D([], [], marker="*", ls="", ms=12, mfc="white", mec="#333",
                                  label="forward statement (at its due date)"))
        handles += _confidence_handles(rows)
        unit = _unit_label(rows["unit"].iloc[0])
        _year_axis(ax, np.asarray(times, float))
        ax.grid(axis="y", color="#ddd", lw=0.8)
        # actors far apart in size (2.5 M shells against 36,000) share a log axis, so that
        # the smaller is not a flat line at zero
        low = rows.loc[rows["value"] > 0, "value"].min()
        log = bool(low > 0 and top / low > LOG_RATIO)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(10 ** math.floor(math.log10(low * 0.8)), top * 1.5)
            ax.yaxis.set_minor_formatter(mpl.ticker.NullFormatter())
        else:
            ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: _number(v, top)))
        title = _title_text(f"{_description(indicator, ledger)}, by actor")
        subtitle = (f"{_first_up(unit)}{' (log scale)' if log else ''} · "
                    f"{SCENARIO_TEXT['all']}")
        _frame(fig, title, subtitle, handles, [], _source_line(rows, ledger))
        _place_labels(ax, labels)
        fig.prodstats_title = title.replace("\n", " ")
        fig.prodstats_desc = subtitle + "."
    return fig


#: Largest over smallest figure at which a comparison chart switches to a log axis.
LOG_RATIO = 30


def _first_reading(rows: pd.DataFrame) -> str:
    consistent = sorted(rows.loc[rows["reading_consistent"], "reading"].unique())
    return consistent[0] if consistent else sorted(rows["reading"].unique())[0]


def _whole(indicator: str) -> str:
    """The whole a share indicator is a part of: ``weapons_used_share_us`` →
    ``weapons_used_share`` (the indicator id up to its last part).
    """
    return indicator.rsplit("_", 1)[0] if "_" in indicator else indicator


def _common_prefix(texts: list[str]) -> str:
    words = [t.split() for t in texts]
    common: list[str] = []
    for group in zip(*words, strict=False):
        if len(set(group)) != 1:
            break
        common.append(group[0])
    return " ".join(common)


def shares(series: pd.DataFrame, actor: str, indicators: list[str], ledger: Any = None):
    """Shares of one whole in one chart, in per cent: one bar per part (its latest claim),
    with its bounds, figure, period and source.
    """
    mpl = _mpl()
    from matplotlib.figure import Figure

    rows = series[(series["scenario"] == "all") & (series["actor"] == actor)
                  & series["indicator"].isin(indicators) & (series["measure"] == "share")
                  & series["modality"].isin(OBSERVED)]
    latest = rows.sort_values(["indicator", "t", "claim_ids"]).groupby("indicator").tail(1)
    latest = latest.sort_values(["value", "indicator"], ascending=[True, True])
    texts = [_description(i, ledger) for i in latest["indicator"]]
    prefix = _common_prefix(texts)
    parts = [t[len(prefix):].strip() or i.rsplit("_", 1)[-1]
             for t, i in zip(texts, latest["indicator"], strict=True)]
    whole = (prefix.removesuffix(" that").removesuffix(" which").replace("the actor's", "its")
             or _whole(indicators[0]))
    sources = ({} if ledger is None else
               dict(zip(ledger.claims["claim_id"], ledger.claims["source_id"], strict=True)))
    outlets = None if ledger is None else ledger.sources.set_index("source_id")
    # the hedge of each bar's claim as coded (only this chart's claims, not the ledger's)
    coded = (None if ledger is None else _claim_columns(ledger, "qualifier"))
    coded = ({} if coded is None else dict(coded[coded["claim_id"].isin(
        {str(c).split(";")[0] for c in latest["claim_ids"]})].itertuples(index=False)))
    hedges = {c: q.replace("_", " ") for c, q in coded.items()
              if isinstance(q, str) and q != "exact"}
    with mpl.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 1.9 + 0.55 * len(latest) + 0.6), dpi=DPI)
        height = fig.get_figheight()
        ax = fig.add_axes((0.36, 0.75 / height, 0.5, 1 - 1.65 / height))
        y = np.arange(len(latest))
        value = latest["value"].to_numpy(float) * 100
        low, high = latest["low"].to_numpy(float) * 100, latest["high"].to_numpy(float) * 100
        colour = PALETTE[0]
        ax.barh(y, value, height=0.55, color=colour, alpha=0.85, zorder=2)
        bars = (high > low) & np.isfinite(low) & np.isfinite(high)
        ax.errorbar(value[bars], y[bars], xerr=[value[bars] - low[bars], high[bars] - value[bars]],
                    fmt="none", ecolor="#222", elinewidth=1.1, capsize=3, zorder=3)
        for k, p in enumerate(latest.itertuples(index=False)):
            sid = sources.get(str(p.claim_ids).split(";")[0])
            source = (f" · {outlets.loc[sid, 'outlet']}, {_when(outlets.loc[sid, 'published'])}"
                      if outlets is not None and sid in outlets.index else "")
            # the hedge as coded, then the bounds it gives: "nearly 40 % (36–40)"
            word = hedges.get(str(p.claim_ids).split(";")[0], "")
            figure = " ".join(filter(None, (word, f"{value[k]:.0f} %")))
            if bars[k] and high[k] - low[k] >= 1:
                figure += f" ({low[k]:.0f}–{high[k]:.0f})"
            ax.annotate(f"{figure} · {_when(p.period)}{source}", (max(high[k], value[k]), k),
                        textcoords="offset points", xytext=(6, 0), va="center", fontsize=8.5,
                        color="#222")
        ax.set_yticks(y, ["\n".join(textwrap.wrap(t, 30)) for t in parts])
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100 %"])
        ax.grid(axis="x", color="#ddd", lw=0.8, zorder=0)
        ax.tick_params(axis="y", length=0)
        title = _title_text(f"{actor_name(actor, ledger)}: {whole}")
        fig.text(0.02, 1 - 0.12 / height, title, fontsize=13, va="top", ha="left")
        subtitle = ("Per cent of the whole, each part as its latest claim states it; parts "
                    f"from different claims need not add to 100 · {SCENARIO_TEXT['all']}")
        fig.text(0.02, 1 - (0.2 + 0.26 * (title.count("\n") + 1)) / height,
                 textwrap.fill(subtitle, 110), fontsize=9, color=GREY, va="top", ha="left")
        fig.text(0.02, 0.08 / height, _source_line(latest, ledger), fontsize=8, color="#333",
                 va="bottom", ha="left")
        fig.prodstats_title = title.replace("\n", " ")
        fig.prodstats_desc = "; ".join(
            f"{part}: {value[k]:.0f} %" for k, part in enumerate(parts)) + "."
    return fig


def promises(outcomes: pd.DataFrame, actor: str, indicator: str, ledger: Any = None):
    """Forward statements of one actor and indicator against what happened (outcomes.csv):
    each promised or forecast figure at its due date, coloured by its status, joined by a
    thin line to the observation that bears on it; labelled with who said it and when.
    """
    mpl = _mpl()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    o = outcomes[(outcomes["actor"] == actor) & (outcomes["indicator"] == indicator)]
    o = o.drop_duplicates(["statement_id", "base_period"]).sort_values(["due", "statement_id"])
    num = {c: pd.to_numeric(o[c], errors="coerce").to_numpy(float)
           for c in ("value", "low", "high", "observed_value", "observed_low", "observed_high")}
    due = np.array([_decimal(_iso(d) + timedelta(days=1)) for d in o["due"]])
    seen = np.array([_decimal(_period_end(p) + timedelta(days=1)) if str(p) not in ("", "nan")
                     else np.nan for p in o["observed_period"].fillna("")])
    figures = np.r_[num["value"], num["high"], num["observed_value"], num["observed_high"], 0]
    top = float(figures[np.isfinite(figures)].max()) * 1.15 or 1.0  # open bounds run off the top
    unit = str(o["unit"].iloc[0])
    bases = o["base_period"].astype(object).where(o["base_period"].notna(), "")
    times = np.r_[due, seen]
    middle = np.nanmean([np.nanmin(times), np.nanmax(times)])
    published = {} if ledger is None else _outlets(ledger)  # source_id → (outlet, published)
    with mpl.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
        ax = fig.add_axes((0.11, 0.36, 0.86, 0.46))
        labels = []
        # a statement whose base the text leaves open ("sixfold", against 2022 or 2023) has a
        # row per reading: one mark for what was said, one observation per reading
        drawn = set()
        for rows in _statements(o):
            first = rows[0]
            p = o.iloc[first]
            several = len(rows) > 1
            for k in rows:
                low, high = num["observed_low"][k], num["observed_high"][k]
                if not (np.isfinite(seen[k]) and (np.isfinite(num["observed_value"][k])
                                                  or np.isfinite(low) and np.isfinite(high))):
                    continue
                # at its own date; moved beside its aim only where the two marks would cover
                # each other (same date, figures within 8 % of the axis)
                close = (abs(seen[k] - due[k]) < 0.05
                         and abs(num["observed_value"][k] - num["value"][k]) < 0.08 * top)
                x = seen[k] - (0.06 if close else 0)
                ax.plot([due[k], x], [num["value"][k], num["observed_value"][k]],
                        color="#999", lw=0.9, ls=":", zorder=2)
                if np.isfinite(low) and np.isfinite(high) and high > low:  # a range: its bar
                    ax.plot([x, x], [low, high], color="#333", lw=1.1, marker="_", ms=7,
                            zorder=3)
                weak = o["observed_confidence"].iloc[k] in ("unverified", "disputed")
                ax.plot([x], [num["observed_value"][k]], marker="o", ms=7, ls="",
                        color="#333", mfc="white" if weak else "#333", zorder=4)  # hollow: weak
                if several:
                    labels.append(ax.annotate(
                        f"{_number(num['observed_value'][k], top)}× against {bases.iloc[k]}: "
                        f"{o['status'].iloc[k].replace('_', ' ')}", (x, num["observed_value"][k]),
                        textcoords="offset points", xytext=(9, -4), fontsize=7.5, color=GREY))
            statuses = list(dict.fromkeys(o["status"].iloc[rows]))
            status = statuses[0] if len(statuses) == 1 else "undecided"
            drawn.add(status)
            marker = AIMS.get(p.modality, ("D",))[0]
            ax.plot([due[first]], [num["value"][first]], marker=marker,
                    ms=14 if marker == "*" else 8, ls="", mfc=STATUS.get(status, "#777"),
                    mec="#333", mew=1.2, zorder=5)
            who = p.speaker if isinstance(p.speaker, str) and p.speaker else p.outlet
            said_bases = " or ".join(bases.iloc[rows])
            base = f"× the {said_bases} level" if said_bases else ""
            left = due[first] >= middle  # a label right of a late point would leave the plot
            said = textwrap.fill(
                f"{AIMS.get(p.modality, ('', p.modality))[1]} "
                f"{_number(num['value'][first], top)}{base}, due {_due_text(_iso(p.due))}: "
                f"{_outcome_text(o, rows, num, top, several)}", 60)
            # said before the article that reports it (said_on): "said Mar 2023"
            when = (f"said {_when(p.said)}" if p.source_id in published
                    and str(published[p.source_id][1]) != str(p.said) else _when(p.said))
            labels.append(ax.annotate(
                f"{said}\n({who}, {when})",
                (due[first], num["value"][first]), textcoords="offset points",
                xytext=(-9, -4) if left else (9, -4), ha="right" if left else "left",
                fontsize=8, color="#333"))
        weak = o["observed_confidence"].isin(["unverified", "disputed"])
        handles = [Line2D([], [], marker="o", ls="", ms=7, color="#333", mfc=fill,
                          label=label) for fill, label, shown in (
            ("#333", "what happened (observed)", (~weak & o["observed_claim_ids"].notna()).any()),
            ("white", "what happened, unverified or disputed", weak.any())) if shown]
        handles += [Line2D([], [], marker="s", ls="", ms=8, mfc=STATUS[s], mec="#333",
                           label=s.replace("_", " ")) for s in STATUS if s in drawn]
        _year_axis(ax, np.r_[due, seen])
        ax.set_ylim(0, top)
        ax.grid(axis="y", color="#ddd", lw=0.8)
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: _number(v, top)))
        title = _title_text(f"{actor_name(actor, ledger)}: {_description(indicator, ledger)}"
                            ", promised and delivered")
        as_of = str(o["as_of"].iloc[0]) if "as_of" in o else ""
        what = ("Multiple of a base period" if bases.ne("").any()
                else _first_up(_unit_label(unit)))
        subtitle = (f"{what} · at the due date, coloured by outcome as of {_when(as_of)}")
        # who said it, and who reported what happened
        # (the publication date of the statement's source: `said` may be an earlier said_on)
        names = sorted({f"{outlet}, {_when(published[sid][1] if sid in published else said)}"
                        for outlet, said, sid in zip(o["outlet"], o["said"], o["source_id"],
                                                     strict=True)}
                       | set(_observers(o["observed_claim_ids"], ledger)))
        source = "\n".join(textwrap.wrap(
            f"Sources: {_listed(names, '; ')}. Coded by hand from news text with prodstats.",
            125))
        _frame(fig, title, subtitle, handles, [], source)
        _place_labels(ax, labels)
        fig.prodstats_title = title.replace("\n", " ")
        fig.prodstats_desc = "; ".join(str(n) for n in o["note"] if str(n)) or subtitle
    return fig


def _statements(o: pd.DataFrame) -> list[list[int]]:
    """The row positions of each statement of a promise chart, in the table's order."""
    rows: dict[str, list[int]] = {}
    for k, statement in enumerate(o["statement_id"].tolist()):
        rows.setdefault(statement, []).append(k)
    return list(rows.values())


def _outcome_text(o: pd.DataFrame, rows: list[int], num: dict, top: float,
                  several: bool) -> str:
    """'met, 18× observed'; for a statement read against two bases (each reading's outcome
    labels its own observation): 'met on both readings', or 'met or missed, by reading'.
    """
    statuses = list(dict.fromkeys(o["status"].iloc[rows].str.replace("_", " ")))
    if several:
        every = "both readings" if len(rows) == 2 else "every reading"
        return (f"{statuses[0]} on {every}" if len(statuses) == 1
                else f"{' or '.join(statuses)}, by reading")
    observed = num["observed_value"][rows[0]]
    ratio = isinstance(o["base_period"].iloc[rows[0]], str) and o["base_period"].iloc[rows[0]]
    figure = (f"{_number(observed, top)}{'×' if ratio else ''} observed"
              if np.isfinite(observed) and statuses[0] in ("met", "missed") else "")
    return ", ".join(filter(None, (statuses[0], figure)))


def _observers(claim_ids: pd.Series, ledger: Any) -> list[str]:
    """'outlet, date' of the sources of the observations a promise chart shows."""
    if ledger is None:
        return []
    ids = {i for cell in claim_ids.dropna().astype(str) for i in cell.split(";") if i}
    source, outlets = _source_of(ledger), _outlets(ledger)
    return [f"{outlets[s][0]}, {_when(outlets[s][1])}"
            for s in {source[i] for i in ids if i in source} if s in outlets]


def _context(ledger: Any) -> set[str]:
    """Indicators of scope 'context' (issue 18): published in claims.csv, never charted as
    series.
    """
    if ledger is None or "scope" not in ledger.indicators.columns:
        return set()
    scope = ledger.indicators["scope"].fillna("").astype(str)
    return set(ledger.indicators.loc[scope == "context", "indicator_id"])


def _times(rows: pd.DataFrame) -> int:
    """How many points in time a series' chart would show: its observed periods (an index
    base included) and its forward statements' due dates.
    """
    from prodstats.periods import parse_period

    modality = rows["modality"].to_numpy(object)
    observed = np.array([m in OBSERVED for m in modality], dtype=bool)
    forward = np.array([m in FORWARD for m in modality], dtype=bool)
    obs = np.round(rows["t"].to_numpy(float)[observed], 4)
    aims = np.round(np.array([parse_period(p).end_year
                              for p in rows["period"].to_numpy(object)[forward]], float), 4)
    return len(set(obs.tolist()) | set(aims.tolist()))


def _claims_of(rows: pd.DataFrame) -> set[str]:
    return {i for cell in rows["claim_ids"].fillna("") for i in str(cell).split(";") if i}


def _charted(rows: pd.DataFrame) -> bool:
    """A series is a chart when it has at least two claims at two points in time, one of them
    an observation; else its figures are facts on the charts page (forward statements alone
    are the promise tracker's, not a series).
    """
    ids = rows["claim_ids"].fillna("").to_numpy(object)
    observed = any(m in OBSERVED and c != "" for m, c in zip(rows["modality"], ids, strict=True))
    return len(_claims_of(rows)) >= 2 and _times(rows) >= 2 and observed


def _share_wholes(s: pd.DataFrame, ledger: Any) -> dict[tuple[str, str], list[str]]:
    """(actor, whole) → its share indicators, for wholes with two parts or more."""
    wholes: dict[tuple[str, str], list[str]] = {}
    parts = s.loc[s["measure"] == "share", ["actor", "indicator"]].drop_duplicates()
    for actor, indicator in parts.itertuples(index=False):
        if indicator not in _context(ledger):
            wholes.setdefault((actor, _whole(indicator)), []).append(indicator)
    return {k: sorted(v) for k, v in wholes.items() if len(v) >= 2}


def chart_jobs(series: pd.DataFrame, projections: pd.DataFrame, ledger: Any,
               outcomes: pd.DataFrame | None = None) -> list[dict]:
    """Every chart a build draws: its file stem, what draws it, the text its files depend on
    (its key in the chart cache) and its entry on the charts page. A series with fewer than
    two claims at two points in time is no chart (see :func:`facts`), nor is an indicator of
    scope 'context'.
    """
    jobs = []
    s = series[series["scenario"] == "all"]
    s = s[~s["indicator"].isin(_context(ledger))]
    bounds = _capacities(ledger)
    # each chart's rows of the big tables, split once (a filter per chart was most of the plan)
    projections_of = _split(projections, ["actor", "indicator", "measure"])
    outcomes_of = None if outcomes is None else _split(outcomes, ["actor", "indicator"])
    series_of = _split(series, ["actor"])
    wholes = _share_wholes(s, ledger)
    in_whole = {(a, i) for (a, _), parts in wholes.items() for i in parts}
    groups = s.groupby(["actor", "indicator", "measure"], sort=True)
    # a capacity with only targets is drawn on the chart of the output it bounds, not alone
    beside = {(actor, capacity, measure) for actor, indicator, measure in groups.groups
              for capacity in bounds.get(indicator, [])}
    for (actor, indicator, measure), rows in groups:
        if (actor, indicator, measure) in beside and not rows["modality"].isin(OBSERVED).any():
            continue
        if (measure == "share" and (actor, indicator) in in_whole) or not _charted(rows):
            continue
        name = f"{actor.lower()}_{indicator}" + ("_index" if measure == "index" else "")
        proj = projections_of.get((actor, indicator, measure), projections.iloc[:0])
        theirs = series_of[(actor,)]
        capacity = (theirs[theirs["indicator"].isin(bounds[indicator])
                           & (theirs["measure"] == measure)]
                    if indicator in bounds else series.iloc[:0])
        mine = (None if outcomes is None else
                outcomes_of.get((actor, indicator), outcomes.iloc[:0]))
        title = _title(actor, indicator, measure, ledger)
        jobs.append({
            "stem": name,
            "draw": lambda r=rows, p=proj, c=capacity, o=mine: plot(
                r, p, ledger=ledger, capacity=c if not c.empty else None, outcomes=o),
            "content": (rows.to_csv(index=False) + proj.to_csv(index=False)
                        + capacity.to_csv(index=False) + title
                        + ("" if mine is None else mine.to_csv(index=False))
                        + _source_line(rows, ledger) + _sources_of_points(rows, ledger)
                        + _revised(ledger, actor, indicator, measure)),
            "record": {"stem": name, "title": title,
                       "says": describe(rows, proj, actor, indicator, measure, ledger)}})
    for (actor, whole), parts in sorted(wholes.items()):
        rows = s[(s["actor"] == actor) & s["indicator"].isin(parts)]
        fig_title = f"{actor_name(actor, ledger)}: shares of one whole ({', '.join(parts)})"
        stem = f"{actor.lower()}_{whole}"
        jobs.append({
            "stem": stem, "draw": lambda a=actor, p=parts: shares(series, a, p, ledger),
            "content": rows.to_csv(index=False) + fig_title + _sources_of_points(rows, ledger)
            + "".join(_description(i, ledger) for i in parts),
            "record": {"stem": stem, "title": _share_title(actor, parts, ledger),
                       "says": f"{len(parts)} parts of one whole, in per cent, each as its "
                               "latest claim states it."}})
    for indicator, rows in s[s["measure"] != "index"].groupby("indicator", sort=True):
        charted = [a for a, r in rows.groupby("actor") if _charted(r)]
        if rows["actor"].nunique() < 2 or not charted or (rows["measure"] == "share").all():
            continue
        title = f"{_description(indicator, ledger)}, by actor"
        names = ", ".join(actor_name(a, ledger) for a in sorted(rows["actor"].unique()))
        jobs.append({"stem": f"compare_{indicator}",
                     "draw": lambda i=indicator: compare(series, i, ledger),
                     "content": (rows.to_csv(index=False) + title + names
                                 + _source_line(rows, ledger)),
                     "record": {"stem": f"compare_{indicator}", "title": title,
                                "says": f"{names} side by side, each with its confidence marks "
                                        "and forward statements."}})
    if outcomes is not None:
        jobs += _promise_jobs(outcomes, ledger)
    overviews = []
    for actor in sorted(s["actor"].unique()):
        theirs = series_of[(actor,)]
        panels = overview_panels(theirs, actor, ledger)
        if len(panels) < OVERVIEW_MIN:
            continue
        drawn = pd.concat(_panel_rows(theirs, actor, panels))
        names = "; ".join(_series_name(i, m, ledger) for i, m in panels)
        title = "Overview: " + _overview_title(actor, ledger)
        stem = f"overview_{actor.lower()}"
        overviews.append({
            "stem": stem, "draw": lambda a=actor, t=theirs, p=panels: overview(t, a, ledger, p),
            "content": (drawn.to_csv(index=False) + title + names + _source_line(drawn, ledger)
                        + "".join(_revised(ledger, actor, i, m) for i, m in panels)),
            "record": {"stem": stem, "title": title,
                       "says": f"{len(panels)} series on one page, each as on its own chart "
                               f"(without projections): {names}."}})
    return overviews + jobs


def _share_title(actor: str, parts: list[str], ledger: Any) -> str:
    prefix = _common_prefix([_description(i, ledger) for i in parts])
    whole = (prefix.removesuffix(" that").removesuffix(" which").replace("the actor's", "its")
             or _whole(parts[0]))
    return f"{actor_name(actor, ledger)}: {whole}"


def _promise_jobs(outcomes: pd.DataFrame, ledger: Any) -> list[dict]:
    """A chart per actor and indicator of forward statements against outcomes, where it has
    two statements or one with an observation (a lone promise is a fact of the page).
    """
    jobs = []
    o = outcomes[~outcomes["indicator"].isin(_context(ledger))]
    for (actor, indicator), rows in o.groupby(["actor", "indicator"], sort=True):
        observed = pd.to_numeric(rows["observed_value"], errors="coerce").notna().any()
        if rows["statement_id"].nunique() < 2 and not observed:
            continue
        stem = f"promises_{actor.lower()}_{indicator}"
        counts = rows.drop_duplicates("statement_id")["status"].value_counts()
        jobs.append({
            "stem": stem,
            "draw": lambda a=actor, i=indicator, r=rows: promises(r, a, i, ledger),
            "content": rows.to_csv(index=False) + _title(actor, indicator, "level", ledger)
            + _sources_of_points(pd.DataFrame({"claim_ids": rows["observed_claim_ids"]}), ledger),
            "record": {"stem": stem,
                       "title": f"{_title(actor, indicator, 'level', ledger)}: promised and "
                                "delivered",
                       "says": f"{(n := rows['statement_id'].nunique())} forward "
                               f"statement{'s' * (n != 1)}: " + ", ".join(
                                   f"{n} {s.replace('_', ' ')}" for s, n in counts.items())
                               + "."}})
    return jobs


def _sources_of_points(rows: pd.DataFrame, ledger: Any) -> str:
    """The outlet and date of each point (they label a series of several sources)."""
    if ledger is None:
        return ""
    claims, outlets = _source_of(ledger), _outlets(ledger)
    pairs = [(i, claims[i]) for i in sorted(_claims_of(rows)) if i in claims]
    used = sorted({s for _, s in pairs if s in outlets})
    return ("".join(f"{i},{s}\n" for i, s in pairs)
            + "".join(f"{s},{outlets[s][0]},{outlets[s][1]}\n" for s in used))


def facts(series: pd.DataFrame, ledger: Any, outcomes: pd.DataFrame | None = None
          ) -> list[dict]:
    """The figures that are no chart: the claims of series with fewer than two claims at two
    points in time, and of indicators of scope 'context'; one row each with the figure, who
    said it, when, the quote and its outlet and date.
    """
    if ledger is None:
        return []
    s = series[series["scenario"] == "all"]
    context = _context(ledger)
    wholes = _share_wholes(s, ledger)
    in_whole = {(a, i) for (a, _), parts in wholes.items() for i in parts}
    charted_keys = set()
    for (actor, indicator, _), rows in s.groupby(["actor", "indicator", "measure"]):
        if indicator in context:
            continue
        if (actor, indicator) in in_whole or _charted(rows):
            charted_keys.add((actor, indicator))
    bounds = _capacities(ledger)
    for actor, indicator in list(charted_keys):  # a capacity drawn beside its output
        charted_keys |= {(actor, c) for c in bounds.get(indicator, [])}
    claims = ledger.claims
    if "same_as" in claims.columns:  # from the issue-18 contract: one row per statement
        claims = claims[claims["same_as"].fillna("").astype(str) == ""]
    keep = [(a, i) not in charted_keys for a, i in zip(claims["actor"], claims["indicator"],
                                                         strict=True)]
    claims = claims[keep]
    if "superseded_by" in claims.columns:
        claims = claims[claims["superseded_by"].isna()]
    sources = ledger.sources.set_index("source_id")
    out = []
    for c in claims.sort_values(["actor", "indicator", "period", "claim_id"]).itertuples(
            index=False):
        out.append({
            "figure": _figure_text(c, ledger),
            "what": _title(c.actor, c.indicator, "level", ledger).replace("\n", " "),
            "who": c.speaker if isinstance(c.speaker, str) and c.speaker else
            str(sources.loc[c.source_id, "outlet"]),
            # a context figure (a treaty's term) is not tracked, so nothing of it falls due
            "when": _when(c.period) if c.modality not in FORWARD
            or getattr(c, "scope", "production") == "context"
            else f"due {_due_text(_period_end(c.period))}",
            # the words as said, verbatim; an English rendering only beside them, marked
            "quote": str(c.quote),
            "quote_en": str(c.quote_en) if isinstance(c.quote_en, str) and c.quote_en
            and c.quote_en != c.quote else "",
            "source": f"{sources.loc[c.source_id, 'outlet']}, "
                      f"{_when(sources.loc[c.source_id, 'published'])}",
            "claim_id": c.claim_id})
    return out


def _figure_text(c: Any, ledger: Any) -> str:
    """A claim's figure as a reader reads it: '2.5 M rounds/year', 'target: 30,000',
    'dozens (24–99) contracts', '33 %'.
    """
    from prodstats.vocab import QUALIFIERS

    unit = str(c.unit)
    if c.kind == "share":
        value = f"{c.value_canonical * 100:.0f} %"
    elif c.kind == "ratio":
        value = f"{c.value_canonical:g} × the {c.base_period} level"
    elif QUALIFIERS.get(c.qualifier) is not None and QUALIFIERS[c.qualifier].is_scale:
        value = (f"{c.qualifier} ({_number(c.low_canonical)}–{_number(c.high_canonical)}) "
                 f"{_unit_label(str(c.canonical_unit))}")
    else:
        value = f"{_number(float(c.value))} {_unit_label(unit)}".strip()
        if c.qualifier not in ("exact", "", None) and isinstance(c.qualifier, str):
            value = f"{c.qualifier.replace('_', ' ')} {value}"
    return value if c.modality in OBSERVED else f"{c.modality}: {value}"
def _capacities(ledger: Any) -> dict[str, list[str]]:
    """Output indicator → the capacity indicators that bound it."""
    out: dict[str, list[str]] = {}
    for capacity, output in ({} if ledger is None else ledger.capacity_bounds()).items():
        out.setdefault(output, []).append(capacity)
    return out


def _revised(ledger: Any, actor: str, indicator: str, measure: str) -> str:
    """The superseded claims a chart draws faded (part of its cache key)."""
    if ledger is None:
        return ""
    old = _superseded(ledger, actor, indicator, measure)
    return old[["claim_id", "period", "value_canonical", "superseded_by"]].to_csv(index=False)


def chart_keys(series: pd.DataFrame, projections: pd.DataFrame, ledger: Any,
               outcomes: pd.DataFrame | None = None) -> dict[str, str]:
    """Each chart's cache key: a chart is drawn again only when its key changes."""
    return _keys(chart_jobs(series, projections, ledger, outcomes))


def _keys(jobs: list[dict]) -> dict[str, str]:
    import hashlib

    version = _code_version()
    return {job["stem"]: hashlib.sha256((version + job["content"]).encode()).hexdigest()
            for job in jobs}


def draw_all(series: pd.DataFrame, projections: pd.DataFrame, ledger: Any,
             folder: Path, outcomes: pd.DataFrame | None = None,
             data: str | None = None) -> list[dict]:
    """Draw every chart into ``folder``; return one record per chart for the index page,
    which also lists the figures that are no chart (:func:`facts`). ``outcomes`` (the
    promise tracker's table) adds a chart per actor and indicator of its forward statements
    against what happened; without it those charts are left out. ``data``: the folder of
    the same build's CSVs relative to ``folder``, for the page's links (none without it).

    A chart's files depend only on its rows, its projections, its title and footnote, this
    module and matplotlib's version: a chart whose inputs are unchanged since an earlier build
    is copied from the cache instead of drawn again (the bytes are the same either way), once
    its files are checked against the hashes recorded when they were written (:class:`_Cache`).
    """
    from prodstats.errors import checkpoint

    jobs = chart_jobs(series, projections, ledger, outcomes)
    keys = _keys(jobs)
    cache = _Cache(_cache_dir())
    todo = []
    for job in jobs:
        checkpoint()  # an interrupt is raised here, between charts, never inside matplotlib
        stem = folder / job["stem"]
        files = cache.get(keys[job["stem"]], job["stem"])
        if files is not None:
            for blob, ext in zip(files, CACHE_EXTS, strict=True):
                stem.with_suffix(ext).write_bytes(blob)
            continue
        todo.append((job, stem))
    _draw_many(todo)
    for job, stem in todo:
        cache.put(keys[job["stem"]], stem)
    cache.report()
    records = [job["record"] for job in jobs]
    (folder / "README.md").write_text(_page(records, facts(series, ledger, outcomes), data),
                                      encoding="utf-8")
    return records


#: Charts a build draws at least before it draws them in several processes.
PARALLEL_MIN = 40
_TODO: list = []  # the charts a pool's workers draw (inherited when they fork)


def _draw_one(k: int) -> None:
    job, stem = _TODO[k]
    fig = job["draw"]()
    fig.prodstats_title = job["record"]["title"].replace("\n", " ")
    fig.prodstats_desc = job["record"]["says"]
    save(fig, stem)


def _draw_many(todo: list[tuple[dict, Path]]) -> None:
    """Draw and save charts: in one process per core when there are many (a chart's bytes do
    not depend on the process that draws it); PRODSTATS_CHART_WORKERS sets how many (1: this
    process only).
    """
    import gc
    import multiprocessing
    import os

    global _TODO
    setting = os.environ.get("PRODSTATS_CHART_WORKERS", "")
    workers = int(setting) if setting.isdigit() and int(setting) > 0 else (os.cpu_count() or 1)
    _TODO = todo
    # The build's objects (the ledger, its tables: 750,000 objects for 10,000 claims) are left
    # out of the collector's scans while charts are drawn: each chart's figure makes enough
    # objects to start a scan, and scanning the build's took 40-60 ms of every chart. Frozen
    # before the workers fork, they also keep sharing those pages with this process.
    gc.freeze()
    try:
        if (workers < 2 or len(todo) < PARALLEL_MIN
                or "fork" not in multiprocessing.get_all_start_methods()):
            from prodstats.errors import checkpoint

            for k in range(len(todo)):
                checkpoint()  # an interrupt is raised here, between charts, never in matplotlib
                _draw_one(k)
            return
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_draw_one, range(len(todo)), chunksize=8)
    finally:
        _TODO = []
        gc.unfreeze()


def describe(rows: pd.DataFrame, projections: pd.DataFrame, actor: str, indicator: str,
             measure: str, ledger: Any = None) -> str:
    """One line on what a chart says, written from its data, in the unit the chart is drawn in
    (per month where the claims were stated per month).
    """
    ids = sorted({i for cell in rows["claim_ids"] for i in str(cell).split(";") if i})
    # A claim's confidence at best across readings: disputed only if no reading clears it.
    order = list(STYLE)
    best: dict[str, str] = {}
    for cell, confidence in zip(rows["claim_ids"].tolist(), rows["confidence"].tolist(),
                                strict=True):
        if isinstance(cell, str) and cell:
            best[cell] = min(best.get(cell, confidence), confidence, key=order.index)
    parts = [f"{len(ids)} claim{'s' if len(ids) != 1 else ''}"]
    weak = []
    for level in ("unverified", "disputed"):
        mine = sorted(cell for cell, c in best.items() if c == level)
        if mine:
            weak.append(f"{len(mine)} {level} ({_listed(mine)})")
    if weak:
        parts.append(", ".join(weak))
    readings = sorted(set(rows["reading"]) - {"single"})
    if readings:
        ok = sorted(set(rows.loc[rows["reading_consistent"], "reading"]) - {"single"})
        parts.append(f"{len(readings)} readings of an ambiguous base, "
                     + (f"in conflict with no other claim: {', '.join(ok)}" if ok else
                        "each in conflict with another claim"))
    modalities = set(rows["modality"].tolist())
    kinds = [AIMS[m][1] for m in FORWARD if m in modalities]
    if kinds:
        parts.append("shows " + " and ".join(f"{k}s" for k in kinds) + " at their due dates")
    proj = projections[(projections["actor"] == actor) & (projections["indicator"] == indicator)
                       & (projections["measure"] == measure) & (projections["scenario"] == "all")]
    done = proj[proj["mean"].notna()]
    if not done.empty:
        last = done[done["reading"] == ("pooled" if "pooled" in set(done["reading"])
                                        else done["reading"].iloc[0])].iloc[-1]
        factor, unit = _as_drawn(rows, ledger, last["unit"])
        mean, low, high = (_number(last[c] * factor) for c in ("mean", "pi80_low", "pi80_high"))
        parts.append(f"projected to {last['period']}, in {_unit_label(unit)}: {mean} "
                     f"(80 %: {low}–{high})")
    elif not proj.empty:
        note = str(proj["note"].iloc[0]).strip().rstrip(".")
        parts.append(note if note.lower().startswith("not projected")
                     else f"not projected ({note})")
    return "; ".join(parts) + "."




def _page(records: list[dict], facts_: list[dict] | None = None,
          data: str | None = None) -> str:
    """The charts page: the charts, then the single figures; ``data`` is the folder of the
    build's CSVs relative to the page (no links without it).
    """
    lines = ["# Charts", "",
             "Generated by `make` from `data/raw/`; do not edit. Filled points are verified "
             "claims, half-filled ones reported in the outlet's own voice, triangles official "
             "claims (stated by an interested party), hollow points unverified ones, crosses "
             "disputed ones (in conflict with another claim), small grey squares the base of an "
             "index (1 by definition, stated by no claim). Forward statements (forecasts, "
             "targets, pledges, proposals) are hollow gold marks at the end of their period, "
             "labelled with when they fall due; they are never drawn as observed points. Bars "
             "are the bounds the qualifier rules give. Fans are 80 % and 95 % prediction "
             "intervals; a series with too few observed claims has none, and its chart says "
             "so. A series with fewer than two claims at two points in time is no chart: its "
             "figures are listed under [Single figures](#single-figures).",
             ""]
    if data is not None:  # the CSVs of the same build, relative to this page
        names = ["claims", "series", "outcomes", "target_history", "conflicts", "projections",
                 "feasibility", "sources"]
        lines += ["Data: " + " · ".join(
            [f"[{n}]({data}/{n}.csv)" for n in names]
            + [f"[datapackage.json]({data}/datapackage.json)"]), ""]
    from prodstats.publish import markdown_text  # ledger text, shown as typed

    for r in records:
        title = markdown_text(r["title"])
        lines += [f"## {title}", "", f"![{title}]({r['stem']}.svg)", "", markdown_text(r["says"]),
                  f"([SVG]({r['stem']}.svg), [PNG]({r['stem']}.png))", ""]
    if facts_:
        lines += ["## Single figures", "",
                  "Figures that are no chart: one claim, or claims at one point in time, or "
                  "context (a treaty's term, a day's combat report). Claim ids lead to "
                  "claims.csv.", "",
                  "| Figure | Of what | Who | When | Quote | Source |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for f in facts_:
            quote = f"“{f['quote']}”" + (f" (in English: {f['quote_en']})"
                                          if f.get("quote_en") else "")
            cells = [f["figure"], f["what"], f["who"], f["when"], quote,
                     f"{f['source']} ({f['claim_id']})"]
            lines.append("| " + " | ".join(markdown_text(c).replace("|", "\\|") for c in cells)
                         + " |")
        lines.append("")
    return "\n".join(lines)
