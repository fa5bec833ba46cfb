"""Charts of series and projections. The only module that imports matplotlib.

Confidence is drawn as marker style, so a reader can tell at a glance what is unverified:
filled for verified and official claims, hollow for unverified, a cross for disputed. Targets
are stars, pledges and proposals diamonds. Alternative readings are separate labelled lines; the
projection is an 80 % and a 95 % fan. Files are byte-identical on every rebuild.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prodstats.series import BASE_OF_INDEX
from prodstats.units import per_year
from prodstats.vocab import OBSERVED

#: Readable at 800 px wide: figures are 8 in × 100 dpi.
WIDTH_IN, DPI = 8.0, 100
PALETTE = ["#1f5f99", "#c0501f", "#2e8540", "#7b3f98", "#8c6d1f"]  # colour-blind-safe enough
FAN = "#5b7fa6"
STYLE = {  # confidence → marker, filled?
    "verified": ("o", True), "reported": ("o", True), "official": ("D", True),
    "unverified": ("o", False), "disputed": ("X", True),
}
RC = {
    "svg.hashsalt": "prodstats", "svg.fonttype": "none", "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10, "axes.titlesize": 12, "axes.labelsize": 10, "legend.fontsize": 8.5,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "axes.spines.top": False,
    "axes.spines.right": False, "path.simplify": False,
    # Ledger text is drawn literally: a '$' in a description is a dollar, not mathtext.
    "text.parse_math": False, "text.usetex": False,
}


def _mpl():
    import warnings

    import matplotlib

    # A character the font lacks (a title in a rare script) is drawn as a box; no warning.
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font",
                            category=UserWarning)
    return matplotlib


def plot(series: pd.DataFrame, projections: pd.DataFrame | None = None, ax: Any = None, *,
         ledger: Any = None, scenario: str = "all", title: str | None = None,
         capacity: pd.DataFrame | None = None):
    """Chart one series: its claims by confidence, its readings, targets and projection fans.

    Args:
        series: rows of :func:`prodstats.resolve` for one actor, indicator and measure (other
            scenarios are dropped; ``scenario`` picks which to draw).
        projections: rows of :func:`prodstats.project`; the matching ones are drawn as fans.
        ax: a matplotlib Axes to draw into; by default a new 800 px wide Figure.
        ledger: the :class:`prodstats.Ledger`, for the title, the source footnote, the claims a
            point revises and the unit the claims were stated in (a series stated per month is
            drawn per month).
        scenario: ``all`` (every claim) or ``no_unverified``.
        title: overrides the generated title.
        capacity: rows of a capacity series that bounds this output, drawn beside it.

    Returns:
        The matplotlib Figure.
    """
    _check_plot(series, projections, ax, ledger, scenario, title, capacity)
    mpl = _mpl()
    from matplotlib.figure import Figure

    rows, projections = _one_series(series, projections, scenario)
    actor, indicator, measure = rows[["actor", "indicator", "measure"]].iloc[0]
    unit = rows["unit"].iloc[0]
    if measure == "index" and (rows["unit"] != unit).any():  # readings with different bases
        unit = "index (each reading's base period = 1)"
    factor, unit = _as_drawn(rows, ledger, unit)
    if factor != 1:
        rows, projections, capacity = (_scaled(t, factor) for t in (rows, projections, capacity))
    top = _top(rows["high"], rows["value"],
               *(() if projections is None else (projections["pi95_high"],)),
               *(() if capacity is None else (capacity["high"],)))

    def number(v: float) -> str:
        return _number(v, top)
    with mpl.rc_context(RC):
        standalone = ax is None
        if standalone:
            fig = Figure(figsize=(WIDTH_IN, 5.6), dpi=DPI)
            ax = fig.add_axes((0.11, 0.34, 0.86, 0.54))
        fig = ax.figure
        handles: list = []
        labels: list = []
        _readings(ax, rows, handles)
        if capacity is not None and not capacity.empty:
            capacity = capacity[capacity["scenario"] == scenario]
            _capacity(ax, capacity, handles, labels, number)
        _targets(ax, rows, handles, labels, ledger, number)
        _revisions(ax, ledger, actor, indicator, measure, factor, handles)
        if projections is not None:
            _fans(ax, projections, rows, actor, indicator, measure, scenario, handles)
        handles += _confidence_handles(rows)
        ax.set_ylabel(_unit_label(unit))
        _year_axis(ax, _at_due(rows if capacity is None else pd.concat([rows, capacity])),
                   projections)
        ax.grid(axis="y", color="#ddd", lw=0.8)
        ax.set_title(title or _title(actor, indicator, measure, ledger), loc="left", pad=10)
        ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: number(v)))
        _place_labels(ax, labels)
        if standalone:
            fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.08, 0.09),
                       ncols=2, frameon=False, handlelength=2.2, columnspacing=1.5)
            drawn = rows if capacity is None else pd.concat([rows, capacity])
            fig.text(0.02, 0.015, _footnote(drawn, ledger, [] if ledger is None else
                                       ledger.superseded(actor, indicator, measure)["claim_id"]
                                       .tolist()),
                     fontsize=8, color="#333", va="bottom", ha="left", wrap=False)
        else:
            ax.legend(handles=handles, fontsize=7.5, frameon=False, loc="upper left")
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


def _top(*columns: pd.Series) -> float:
    """The top of the value axis: 12 % above the largest finite figure (1 when none is above
    0); an infinite bound ("at least") runs off the top instead of stretching the axis.
    """
    values = np.concatenate([np.asarray(c, dtype=float) for c in columns])
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 0.0
    return top * 1.12 if top > 0 else 1.0


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
        pts = rows[rows["reading"] == reading].sort_values("t")
        obs = pts[pts["modality"].isin(OBSERVED)]
        label = "claims" if reading == "single" else f"reading {_reading_label(reading)}"
        if not pts["reading_consistent"].all():
            label += " (conflicts)"
        style = "-" if pts["reading_consistent"].all() else ":"
        xy = _spread(obs, offsets[i])
        _lines(ax, xy, colour, style)
        if xy:
            handles.append(Line2D([], [], color=colour, lw=1.6, marker="o", ls=style,
                                  label=label))
        for x, p in xy:
            if getattr(p, "derivation", "") == BASE_OF_INDEX:  # 1 by definition, not a claim
                ax.plot([x], [p.value], marker="s", ms=5, ls="", mfc="#bbb", mec="#777",
                        zorder=4)
            else:
                _point(ax, x, p.value, p.low, p.high, p.confidence, colour)


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
    if drawn & {"verified", "reported"}:
        handles.append(Line2D([], [], color="#444", marker="o", ls="", ms=7,
                              label="verified or reported by the outlet"))
    if "official" in drawn:
        handles.append(Line2D([], [], color="#444", marker="D", ls="", ms=6,
                              label="official (an interested party)"))
    if "unverified" in drawn:
        handles.append(Line2D([], [], color="#444", marker="o", ls="", ms=7, mfc="white",
                              mew=1.5, label="unverified"))
    if "disputed" in drawn:
        handles.append(Line2D([], [], color="#444", marker="X", ls="", ms=8,
                              label="disputed"))
    return handles


def _as_drawn(rows: pd.DataFrame, ledger: Any, unit: str) -> tuple[float, str]:
    """The factor and unit a series is drawn and described in: per month when every level
    claim of a per-year series was stated per month (the CSVs keep the per-year unit).
    """
    if ledger is None or not str(rows["unit"].iloc[0]).endswith("/year"):
        return 1.0, unit
    ids = {i for cell in rows["claim_ids"] for i in str(cell).split(";") if i}
    claims = ledger.claims[ledger.claims["claim_id"].isin(ids)
                           & (ledger.claims["kind"] == "level")]
    if claims.empty or not claims["unit"].str.replace(" ", "").str.endswith("/month").all():
        return 1.0, unit
    return 1 / 12, unit.replace("/year", "/month")


def _scaled(table: pd.DataFrame | None, factor: float) -> pd.DataFrame | None:
    if table is None:
        return None
    columns = [c for c in ("value", "low", "high", "mean", "pi80_low", "pi80_high",
                           "pi95_low", "pi95_high") if c in table.columns]
    return table.assign(**{c: table[c] * factor for c in columns})


def _spread(obs: pd.DataFrame, offset: float) -> list[tuple[float, Any]]:
    """X positions: a reading's offset, and points of one period side by side, so that none
    hides another (an unverified claim behind an official one of the same value).
    """
    out = []
    for _, group in obs.sort_values(["t", "claim_ids"]).groupby("t", sort=True):
        shifts = np.linspace(-0.05, 0.05, len(group)) if len(group) > 1 else [0.0]
        out += [(p.t + offset + dx, p) for dx, p in zip(shifts, group.itertuples(index=False),
                                                         strict=True)]
    return out


def _lines(ax, xy, colour, style):
    """Join each period's points to the next period's; where one period holds several
    (conflicting) points, a segment runs to each, never to their average.
    """
    periods: dict[float, list] = {}
    for x, p in xy:
        periods.setdefault(round(p.t, 6), []).append((x, p.value))
    keys = sorted(periods)
    for a, b in zip(keys, keys[1:], strict=False):
        for xa, ya in periods[a]:
            for xb, yb in periods[b]:
                ax.plot([xa, xb], [ya, yb], color=colour, lw=1.6, ls=style, zorder=2)


def _reading_label(reading: str) -> str:
    return "; ".join(part.replace(":base=", ": base ") for part in reading.split("; "))


def _point(ax, x, value, low, high, confidence, colour):
    marker, filled = STYLE.get(confidence, ("o", True))
    if np.isfinite(low) and np.isfinite(high) and high > low:
        ax.errorbar([x], [value], yerr=[[value - low], [high - value]], fmt="none",
                    ecolor=colour, elinewidth=1.2, capsize=4, zorder=3)
    ax.plot([x], [value], marker=marker, ms=8 if marker == "X" else 7, ls="",
            mfc=colour if filled else "white", mec=colour, mew=1.6, zorder=4)


def _targets(ax, rows, handles, labels, ledger, number):
    """Targets as stars, pledges and proposals as diamonds, each with its label. A figure the
    text never stated (a scale word such as "billions") is drawn as its range with the word.
    """
    from matplotlib.lines import Line2D

    words = _scale_words(rows, ledger)
    shown = set()
    for kind, marker, label in (("target", "*", "target"),
                                ("pledge", "D", "pledge"), ("proposal", "D", "proposal")):
        pts = _at_due(rows[rows["modality"] == kind].drop_duplicates("claim_ids"))
        for p in pts.itertuples(index=False):
            filled = STYLE.get(p.confidence, ("o", True))[1] and p.confidence != "disputed"
            word = words.get(p.claim_ids)
            has_range = np.isfinite(p.low) and p.high > p.low
            if word and has_range:  # no point: the text gave a range, not a figure
                ax.plot([p.t, p.t], [p.low, p.high], color="#5a4500", lw=5, alpha=0.55,
                        solid_capstyle="butt", zorder=5)
                text = f"{label}: {word} ({number(p.low)}–{number(p.high)})"
                anchor = (p.t, p.high)
            else:
                ax.plot([p.t], [p.value], marker=marker, ms=15 if marker == "*" else 8, ls="",
                        mfc="#e0a100" if filled else "white", mec="#5a4500", mew=1.4, zorder=5)
                if has_range:
                    ax.errorbar([p.t], [p.value], yerr=[[p.value - p.low], [p.high - p.value]],
                                fmt="none", ecolor="#5a4500", capsize=4, zorder=4)
                text = f"{label} {number(p.value)}"
                anchor = (p.t, p.value)
            if p.confidence == "disputed":
                ax.plot([p.t], [p.value], marker="x", ms=8, color="#5a4500", ls="", zorder=6)
            labels.append(ax.annotate(text, anchor, textcoords="offset points", xytext=(9, -4),
                                      fontsize=8.5, color="#5a4500"))
            if kind not in shown:
                shown.add(kind)
                handles.append(Line2D([], [], marker=marker, ls="", ms=13 if marker == "*" else 7,
                                      mfc="#e0a100", mec="#5a4500", label=label))


def _at_due(points: pd.DataFrame) -> pd.DataFrame:
    """Targets placed at the end of their period, where ``forecast.feasibility`` judges them."""
    from prodstats.periods import parse_period

    due = [parse_period(p).end_year if m == "target" else t
           for p, m, t in zip(points["period"], points["modality"], points["t"], strict=True)]
    return points.assign(t=np.asarray(due, dtype=float))


def _scale_words(rows: pd.DataFrame, ledger: Any) -> dict[str, str]:
    """claim_id → the scale word ("billions") of claims coded with one."""
    if ledger is None:
        return {}
    from prodstats.vocab import QUALIFIERS

    claims = ledger.claims[ledger.claims["claim_id"].isin(set(rows["claim_ids"]))]
    return {c: q for c, q in zip(claims["claim_id"], claims["qualifier"], strict=True)
            if QUALIFIERS[q].is_scale}


def _revisions(ax, ledger, actor, indicator, measure, factor, handles):
    """Claims that a later claim revised: faded, with a line to what replaced them."""
    if ledger is None or "superseded_by" not in ledger.claims.columns:
        return
    from matplotlib.lines import Line2D

    from prodstats.periods import parse_period

    claims = ledger.claims[(ledger.claims["actor"] == actor)
                           & (ledger.claims["indicator"] == indicator)]
    old = ledger.superseded(actor, indicator, measure)
    if old.empty:
        return
    where = {c.claim_id: (getattr(parse_period(c.period), "end_year" if c.modality == "target"
                                  else "mid_year"), c.value_canonical * factor)
             for c in claims.itertuples(index=False)}
    for c in old.itertuples(index=False):
        x, y = where[c.claim_id]
        ax.plot([x], [y], marker="*" if c.modality == "target" else "o", ms=11, ls="",
                mfc="none", mec="#999", mew=1.2, alpha=0.8, zorder=3)
        if c.superseded_by in where:
            ax.annotate("", where[c.superseded_by], xytext=(x, y),
                        arrowprops={"arrowstyle": "->", "color": "#999", "lw": 1.1,
                                    "shrinkA": 6, "shrinkB": 9}, zorder=3)
    handles.append(Line2D([], [], marker="*", ls="", ms=10, mfc="none", mec="#999",
                          label="revised (superseded)"))


def _capacity(ax, capacity, handles, labels, number):
    """A capacity series beside the output it bounds: a grey dash-dot line through its points,
    and its targets as grey diamonds labelled with their figure.
    """
    from matplotlib.lines import Line2D

    pts = capacity[capacity["modality"].isin(OBSERVED)].sort_values("t")
    aims = capacity[~capacity["modality"].isin(OBSERVED)].sort_values("t")
    if not pts.empty:
        ax.plot(pts["t"], pts["value"], color="#777", lw=1.4, ls="-.", marker="s", ms=5,
                zorder=2)
        handles.append(Line2D([], [], color="#777", ls="-.", marker="s", ms=5,
                              label="capacity"))
    if not aims.empty:
        aims = _at_due(aims)
        ax.plot(aims["t"], aims["value"], color="#555", marker="D", ms=7, ls="", mfc="#ddd",
                zorder=3)
        for p in aims.itertuples(index=False):
            labels.append(ax.annotate(f"capacity {number(p.value)}", (p.t, p.value),
                                      textcoords="offset points", xytext=(8, -4),
                                      fontsize=8.5, color="#555"))
        handles.append(Line2D([], [], color="#555", marker="D", ls="", ms=6, mfc="#ddd",
                              label="capacity target"))


def _place_labels(ax, labels) -> None:
    """Move labels so that none overlaps another label or a marker: try a few offsets around
    each label's point, in order, and keep the first that is free.
    """
    if not labels:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()
    taken = [box for line in ax.get_lines() if line.get_marker() not in (None, "None", "")
             for box in _marker_boxes(ax, line)]
    for text in labels:
        for dx, dy in ((9, -4), (9, 9), (9, -17), (-9, 9), (-9, -17), (9, 22), (9, -30),
                       (-9, 22), (-9, -30), (9, 35), (9, -43)):
            text.set_position((dx, dy))
            text.set_horizontalalignment("left" if dx > 0 else "right")
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in taken):
                break
        taken.append(text.get_window_extent(renderer))


def _marker_boxes(ax, line) -> list:
    """Window boxes of a line's markers (7 px around each point)."""
    from matplotlib.transforms import Bbox

    xy = ax.transData.transform(line.get_xydata())  # floats, whatever was plotted
    r = line.get_markersize() * ax.figure.dpi / 72 / 2
    return [Bbox([[x - r, y - r], [x + r, y + r]]) for x, y in xy if np.isfinite([x, y]).all()]


def _fans(ax, projections, rows, actor, indicator, measure, scenario, handles):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    proj = projections[(projections["actor"] == actor) & (projections["indicator"] == indicator)
                       & (projections["measure"] == measure)
                       & (projections["scenario"] == scenario) & projections["mean"].notna()]
    if proj.empty:
        return
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
    for level, alpha in (("pi95", 0.18), ("pi80", 0.35)):
        ax.fill_between(x, values[f"{level}_low"], values[f"{level}_high"], color=FAN,
                        alpha=alpha, lw=0, zorder=1)
    ax.plot(x, values["mean"], color=FAN, lw=1.4, ls="--", zorder=2)
    which = "pooled readings" if reading == "pooled" else (
        "" if reading == "single" else _reading_label(reading))
    label = "projection" + (f" ({which})" if which else "")
    handles += [Line2D([], [], color=FAN, ls="--", label=label),
                Patch(color=FAN, alpha=0.35, label="80 % interval"),
                Patch(color=FAN, alpha=0.18, label="95 % interval")]


def _fan_start(series, proj) -> tuple[float, float, float, float] | None:
    """(t, value, low, high) of the last observation under the projected readings."""
    note = str(proj["note"].iloc[0])
    readings = [r.strip() for r in note.removeprefix("pooled over ").split(";")[0].split(", ")] \
        if note.startswith("pooled over ") else list(proj["reading"].unique())
    obs = series[series["reading"].isin(readings) & series["modality"].isin(OBSERVED)]
    if obs.empty:
        return None
    last = obs[obs["t"] == obs["t"].max()]
    return (float(last["t"].iloc[0]), float(last["value"].mean()), float(last["low"].min()),
            float(last["high"].max()))


def _year_axis(ax, rows, projections):
    lo = math.floor(rows["t"].min() - 0.25)
    hi = math.floor(rows["t"].max() + 0.25)
    if projections is not None and not projections.empty:
        years = projections["period"].dropna()
        if not years.empty:
            hi = max(hi, int(years.astype(int).max()))
    ticks = np.arange(lo, hi + 2)
    ax.set_xticks(ticks[:-1] + 0.5, [str(t) for t in ticks[:-1]])
    ax.set_xticks(ticks, minor=True)
    ax.tick_params(axis="x", which="minor", length=4)
    ax.tick_params(axis="x", which="major", length=0)
    ax.set_xlim(lo, hi + 1)


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
        match = ledger.indicators.loc[ledger.indicators["indicator_id"] == indicator,
                                      "description"]
        if not match.empty:
            return match.iloc[0]
    return indicator.replace("_", " ").capitalize()


def actor_name(actor: str, ledger: Any = None) -> str:
    """The actor's name from the ledger's actors table; else its id made readable."""
    if ledger is not None and getattr(ledger, "actors", None) is not None:
        return ledger.actor_name(actor)
    return actor if actor.isupper() else actor.replace("_", " ").capitalize()


def _footnote(rows, ledger, extra: list[str] = ()) -> str:
    ids = sorted({i for cell in rows["claim_ids"] for i in str(cell).split(";") if i}
                 | set(extra))
    if ledger is None:
        return f"Claims: {_listed(ids)}"
    claims = ledger.claims.set_index("claim_id")
    sources = ledger.sources.set_index("source_id")
    used = sorted({claims.loc[i, "source_id"] for i in ids if i in claims.index})
    names = [f"{sources.loc[s, 'outlet']}, {sources.loc[s, 'published']}" for s in used]
    text = f"Sources: {_listed(names, '; ')}. Claims: {_listed(ids)}."
    return "\n".join(textwrap.wrap(text, 120)) + "\nprodstats — coded by hand from news text; " \
        "see docs/codebook.md."


#: Most names a footnote or a caption lists; the rest are counted ("and 85 more").
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
    """Write ``stem.svg`` and ``stem.png`` without date or software metadata."""
    mpl = _mpl()
    paths = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    with mpl.rc_context(RC):
        fig.savefig(paths[0], format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(paths[1], format="png", dpi=DPI, metadata={"Software": None})
    return paths


#: An actor gets an overview page when it has at least this many series of yearly figures,
#: and the page shows at most OVERVIEW_PANELS of them (those with the most points).
OVERVIEW_MIN, OVERVIEW_PANELS = 3, 6


def overview_panels(series: pd.DataFrame, actor: str, ledger: Any = None
                    ) -> list[tuple[str, str]]:
    """The ``(indicator, measure)`` pairs an actor's overview draws: its series of yearly
    figures (levels in a unit per year, and indices of them), those with the most points first,
    at most :data:`OVERVIEW_PANELS`.
    """
    s = series[(series["scenario"] == "all") & (series["actor"] == actor)
               & series["measure"].isin(["level", "index"])]
    units = {} if ledger is None else dict(zip(ledger.indicators["indicator_id"],
                                               ledger.indicators["canonical_unit"], strict=True))
    yearly = [per_year(str(units.get(i, u))) for i, u in zip(s["indicator"], s["unit"],
                                                             strict=True)]
    stated = s[np.array(yearly, dtype=bool) & (s["claim_ids"].fillna("") != "")]
    counts = stated.groupby(["indicator", "measure"])["claim_ids"].nunique()  # not per reading
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [key for key, _ in ranked[:OVERVIEW_PANELS]]


def _panel_rows(series: pd.DataFrame, actor: str, panels: list[tuple[str, str]]) -> list:
    """The rows (scenario 'all') of each ``(indicator, measure)`` panel of an actor."""
    s = series[(series["scenario"] == "all") & (series["actor"] == actor)]
    return [s[(s["indicator"] == i) & (s["measure"] == m)] for i, m in panels]


def overview(series: pd.DataFrame, actor: str, ledger: Any = None,
             panels: list[tuple[str, str]] | None = None):
    """An actor's yearly figures on one page: one panel per series of
    :func:`overview_panels` (or of ``panels``), each with its confidence marks, readings and
    targets.
    """
    mpl = _mpl()
    from matplotlib.figure import Figure

    panels = overview_panels(series, actor, ledger) if panels is None else panels
    rows_of = _panel_rows(series, actor, panels)
    lines = math.ceil(len(panels) / 2)
    height = 3.1 * lines + 1.9  # the panels, the title above and the legend and footnote below
    with mpl.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
        grid = fig.add_gridspec(lines, 2, left=0.1, right=0.97, top=1 - 1.0 / height,
                                bottom=1.5 / height, hspace=0.8, wspace=0.42)
        fig.suptitle(_overview_title(actor, ledger), x=0.02, y=1 - 0.15 / height, ha="left",
                     va="top", fontsize=13)
        shared: dict = {}  # the legend entries of the panels without a legend of their own
        for k, ((indicator, measure), rows) in enumerate(zip(panels, rows_of, strict=True)):
            ax = fig.add_subplot(grid[k // 2, k % 2])
            plot(rows, None, ax=ax, ledger=ledger, title=_panel_title(indicator, measure, ledger))
            legend = ax.get_legend()
            if rows["reading"].nunique() >= 2:  # the readings keep their legend, out of the way
                ax.legend(handles=legend.legend_handles,
                          labels=[t.get_text() for t in legend.get_texts()], loc="best",
                          fontsize=7, frameon=False)
            else:  # the marks are explained once, below
                shared.update((text.get_text(), handle) for text, handle
                              in zip(legend.get_texts(), legend.legend_handles, strict=True)
                              if text.get_text() != "claims")
                legend.remove()
        drawn = pd.concat(rows_of)
        handles = list(shared.values())
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.08, 0.75 / height),
                   ncols=3, frameon=False)
        fig.text(0.02, 0.1 / height, _footnote(drawn, ledger), fontsize=8, color="#333",
                 va="bottom", ha="left")
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
    time, and its targets as stars (scenario 'all'; where a base is ambiguous, the first
    reading consistent with the other claims).
    """
    mpl = _mpl()
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rows = series[(series["scenario"] == "all") & (series["indicator"] == indicator)
                  & (series["measure"] != "index")]
    top = max(rows["high"].max(), rows["value"].max()) * 1.12 or 1
    with mpl.rc_context(RC):
        fig = Figure(figsize=(WIDTH_IN, 5.6), dpi=DPI)
        ax = fig.add_axes((0.11, 0.34, 0.86, 0.54))
        handles, labels = [], []
        for i, (actor, pts) in enumerate(rows.groupby("actor", sort=True)):
            colour = PALETTE[i % len(PALETTE)]
            reading = _first_reading(pts)
            several = bool((pts["reading"] != reading).any())
            pts = pts[pts["reading"] == reading]
            obs = pts[pts["modality"].isin(OBSERVED)]
            xy = _spread(obs, 0.0)
            _lines(ax, xy, colour, "-")
            for x, p in xy:
                _point(ax, x, p.value, p.low, p.high, p.confidence, colour)
            aims = _at_due(pts[~pts["modality"].isin(OBSERVED)])
            ax.plot(aims["t"], aims["value"], marker="*", ms=14, ls="", mfc=colour, mec="#333",
                    zorder=5)
            for p in aims.itertuples(index=False):
                labels.append(ax.annotate(f"{p.modality} {_number(p.value, top)}",
                                          (p.t, p.value), textcoords="offset points",
                                          xytext=(9, -4), fontsize=8.5, color=colour))
            name = actor_name(actor, ledger)
            handles.append(Line2D([], [], color=colour, marker="o", lw=1.6,
                                  label=f"{name} (reading {reading})" if several else name))
        if (~rows["modality"].isin(OBSERVED)).any():
            handles.append(Line2D([], [], marker="*", ls="", ms=12, mfc="#ccc", mec="#333",
                                  label="target, pledge or proposal"))
        handles += _confidence_handles(rows)
        ax.set_ylabel(_unit_label(rows["unit"].iloc[0]))
        _year_axis(ax, _at_due(rows), None)
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
        ax.set_title(_title_text(f"{_description(indicator, ledger)}, by actor"
                                 + (" (log scale)" if log else "")), loc="left", pad=10)
        _place_labels(ax, labels)
        fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.08, 0.09), ncols=2,
                   frameon=False, handlelength=2.2, columnspacing=1.5)
        fig.text(0.02, 0.015, _footnote(rows, ledger), fontsize=8, color="#333", va="bottom",
                 ha="left")
    return fig


#: Largest over smallest figure at which a comparison chart switches to a log axis.
LOG_RATIO = 30


def _first_reading(rows: pd.DataFrame) -> str:
    consistent = sorted(rows.loc[rows["reading_consistent"], "reading"].unique())
    return consistent[0] if consistent else sorted(rows["reading"].unique())[0]


def chart_jobs(series: pd.DataFrame, projections: pd.DataFrame, ledger: Any) -> list[dict]:
    """Every chart a build draws: its file stem, what draws it, the text its files depend on
    (its key in the chart cache) and its entry on the charts page.
    """
    jobs = []
    s = series[series["scenario"] == "all"]
    bounds = _capacities(ledger)
    groups = s.groupby(["actor", "indicator", "measure"], sort=True)
    # a capacity with only targets is drawn on the chart of the output it bounds, not alone
    beside = {(actor, capacity, measure) for actor, indicator, measure in groups.groups
              for capacity in bounds.get(indicator, [])}
    for (actor, indicator, measure), rows in groups:
        if (actor, indicator, measure) in beside and not rows["modality"].isin(OBSERVED).any():
            continue
        name = f"{actor.lower()}_{indicator}" + ("_index" if measure == "index" else "")
        proj = projections[(projections["actor"] == actor)
                           & (projections["indicator"] == indicator)
                           & (projections["measure"] == measure)]
        capacity = series[(series["actor"] == actor) & series["indicator"].isin(
            bounds.get(indicator, [])) & (series["measure"] == measure)]
        title = _title(actor, indicator, measure, ledger)
        jobs.append({
            "stem": name,
            "draw": lambda r=rows, p=proj, c=capacity: plot(
                r, p, ledger=ledger, capacity=c if not c.empty else None),
            "content": (rows.to_csv(index=False) + proj.to_csv(index=False)
                        + capacity.to_csv(index=False) + title
                        + _footnote(rows, ledger) + _revised(ledger, actor, indicator, measure)),
            "record": {"stem": name, "title": title,
                       "says": describe(rows, projections, actor, indicator, measure, ledger)}})
    for indicator, rows in s[s["measure"] != "index"].groupby("indicator", sort=True):
        if rows["actor"].nunique() < 2:
            continue
        title = f"{_description(indicator, ledger)}, by actor"
        names = ", ".join(actor_name(a, ledger) for a in sorted(rows["actor"].unique()))
        jobs.append({"stem": f"compare_{indicator}",
                     "draw": lambda i=indicator: compare(series, i, ledger),
                     "content": rows.to_csv(index=False) + title + names + _footnote(rows, ledger),
                     "record": {"stem": f"compare_{indicator}", "title": title,
                                "says": f"{names} side by side, each with its confidence marks "
                                        "and targets."}})
    overviews = []
    for actor in sorted(s["actor"].unique()):
        panels = overview_panels(series, actor, ledger)
        if len(panels) < OVERVIEW_MIN:
            continue
        drawn = pd.concat(_panel_rows(series, actor, panels))
        names = "; ".join(_series_name(i, m, ledger) for i, m in panels)
        title = "Overview: " + _overview_title(actor, ledger)
        stem = f"overview_{actor.lower()}"
        overviews.append({
            "stem": stem, "draw": lambda a=actor, p=panels: overview(series, a, ledger, p),
            "content": (drawn.to_csv(index=False) + title + names + _footnote(drawn, ledger)
                        + "".join(_revised(ledger, actor, i, m) for i, m in panels)),
            "record": {"stem": stem, "title": title,
                       "says": f"{len(panels)} series on one page, each as on its own chart "
                               f"(without projections): {names}."}})
    return overviews + jobs


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
    old = ledger.superseded(actor, indicator, measure)
    return old[["claim_id", "period", "value_canonical", "superseded_by"]].to_csv(index=False)


def chart_keys(series: pd.DataFrame, projections: pd.DataFrame, ledger: Any) -> dict[str, str]:
    """Each chart's cache key: a chart is drawn again only when its key changes."""
    import hashlib

    version = _code_version()
    return {job["stem"]: hashlib.sha256((version + job["content"]).encode()).hexdigest()
            for job in chart_jobs(series, projections, ledger)}


def draw_all(series: pd.DataFrame, projections: pd.DataFrame, ledger: Any,
             folder: Path) -> list[dict]:
    """Draw every chart into ``folder``; return one record per chart for the index page.

    A chart's files depend only on its rows, its projections, its title and footnote, this
    module and matplotlib's version: a chart whose inputs are unchanged since an earlier build
    is copied from the cache instead of drawn again (the bytes are the same either way), once
    its files are checked against the hashes recorded when they were written (:class:`_Cache`).
    """
    from prodstats.errors import checkpoint

    jobs = chart_jobs(series, projections, ledger)
    keys = chart_keys(series, projections, ledger)
    cache = _Cache(_cache_dir())
    for job in jobs:
        checkpoint()  # an interrupt is raised here, between charts, never inside matplotlib
        stem = folder / job["stem"]
        files = cache.get(keys[job["stem"]], job["stem"])
        if files is not None:
            for data, ext in zip(files, CACHE_EXTS, strict=True):
                stem.with_suffix(ext).write_bytes(data)
            continue
        save(job["draw"](), stem)
        cache.put(keys[job["stem"]], stem)
    cache.report()
    records = [job["record"] for job in jobs]
    (folder / "README.md").write_text(_page(records), encoding="utf-8")
    return records


def describe(rows: pd.DataFrame, projections: pd.DataFrame, actor: str, indicator: str,
             measure: str, ledger: Any = None) -> str:
    """One line on what a chart says, written from its data, in the unit the chart is drawn in
    (per month where the claims were stated per month).
    """
    ids = sorted({i for cell in rows["claim_ids"] for i in str(cell).split(";") if i})
    # A claim's confidence at best across readings: disputed only if no reading clears it.
    stated = rows[rows["claim_ids"] != ""]
    order = list(STYLE)
    best = stated.groupby("claim_ids")["confidence"].agg(lambda c: min(c, key=order.index))
    conf = best.value_counts()
    parts = [f"{len(ids)} claim{'s' if len(ids) != 1 else ''}"]
    weak = [f"{conf[c]} {c} ({_listed(best[best == c].index)})"
            for c in ("unverified", "disputed") if c in conf]
    if weak:
        parts.append(", ".join(weak))
    readings = sorted(set(rows["reading"]) - {"single"})
    if readings:
        ok = sorted(set(rows.loc[rows["reading_consistent"], "reading"]) - {"single"})
        parts.append(f"{len(readings)} readings of an ambiguous base, "
                     + (f"in conflict with no other claim: {', '.join(ok)}" if ok else
                        "each in conflict with another claim"))
    kinds = [m for m in ("target", "pledge", "proposal") if (rows["modality"] == m).any()]
    if kinds:
        parts.append("shows " + " and ".join(f"{k}s" for k in kinds))
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
        parts.append(f"no projection ({proj['note'].iloc[0]})")
    return "; ".join(parts) + "."


def _page(records: list[dict]) -> str:
    lines = ["# Charts", "",
             "Generated by `make` from `data/raw/`; do not edit. Filled points are verified or "
             "official claims, hollow points unverified ones, crosses disputed ones (in conflict "
             "with another claim), small grey squares the base of an index (1 by definition, "
             "stated by no claim). Stars are targets, diamonds pledges and proposals; bars are "
             "the bounds the qualifier rules give. Fans are 80 % and 95 % prediction intervals.",
             "", "Data: [claims](../../data/processed/claims.csv) · "
             "[series](../../data/processed/series.csv) · "
             "[conflicts](../../data/processed/conflicts.csv) · "
             "[projections](../../data/processed/projections.csv) · "
             "[feasibility](../../data/processed/feasibility.csv) · "
             "[sources](../../data/processed/sources.csv) · "
             "[datapackage.json](../../data/processed/datapackage.json)", ""]
    from prodstats.publish import markdown_text  # ledger text, shown as typed

    for r in records:
        title = markdown_text(r["title"])
        lines += [f"## {title}", "", f"![{title}]({r['stem']}.svg)", "", markdown_text(r["says"]),
                  f"([SVG]({r['stem']}.svg), [PNG]({r['stem']}.png))", ""]
    return "\n".join(lines)
