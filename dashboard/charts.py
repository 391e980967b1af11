"""Pure Plotly figure builders: plain data in, a Figure out (tested without Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

GOOD, BAD, NEUTRAL, ACCENT = "#2e9e5b", "#d64545", "#8a94a6", "#3b6fd8"
LEVEL_COLORS = {"debug": NEUTRAL, "info": ACCENT, "warning": "#e0a526", "error": BAD}
_LAYOUT = {"template": "plotly_white", "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 320}


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure(layout=dict(title=title, **_LAYOUT))
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def effect_unit(metric: str, type_: str) -> tuple[float, str, str]:
    """How an absolute effect is shown: (scale, unit, short unit). Shares move in percentage points,
    other metrics in their own unit (seconds for *_s, else the thing counted per session)."""
    if type_ == "binomial":
        return 100.0, "percentage points", "pp"
    if metric.endswith("_s"):
        return 1.0, "seconds", "s"
    if metric == "rating":
        return 1.0, "rating points", "pts"
    unit = metric.replace("_", " ")
    return 1.0, unit, unit


def format_effect(value: float | None, metric: str, type_: str) -> str:
    if value is None:
        return "—"
    scale, _, short = effect_unit(metric, type_)
    return f"{scale * value:+.3g} {short}"


def format_interval(low: float | None, high: float | None, metric: str, type_: str) -> str:
    if low is None or high is None:
        return "—"
    scale, _, short = effect_unit(metric, type_)
    return f"[{scale * low:+.3g}, {scale * high:+.3g}] {short}"


def _p(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def _effect_colour(row: Mapping[str, Any]) -> str:
    """Green for a significant change in the metric's good direction (fewer actions is better), red against."""
    if not row.get("significant") or row.get("effect_abs") is None:
        return NEUTRAL
    better = row["effect_abs"] > 0 if row.get("higher_is_better", True) else row["effect_abs"] < 0
    return GOOD if better else BAD


def _effect_hover(row: Mapping[str, Any]) -> str:
    """Both pairs, each interval with its own p-value, so the hover never mixes them."""
    metric, type_ = row["metric"], row.get("type") or "mean"
    absolute = (f"{format_effect(row['effect_abs'], metric, type_)} "
                f"{format_interval(row.get('ci_abs_low'), row.get('ci_abs_high'), metric, type_)}, "
                f"p = {_p(row.get('p_value'))}, adjusted p = {_p(row.get('p_value_adjusted'))}")
    if row.get("effect_rel") is None:
        return absolute
    rel, low, high = row["effect_rel"], row.get("ci_low"), row.get("ci_high")
    interval = "—" if low is None or high is None else f"[{100 * low:+.1f}%, {100 * high:+.1f}%]"
    return f"{absolute}<br>relative {100 * rel:+.1f}% {interval}, p = {_p(row.get('p_value_rel'))}"


def effect_intervals(rows: Sequence[Mapping[str, Any]], metric: str) -> go.Figure:
    """Absolute effect vs the control with its interval, one bar per variant (green/red = significant).

    Absolute, because the decision (significant, from the adjusted p_value) tests the absolute difference
    and this interval is the one that p-value inverts; the relative interval (ci_low/ci_high) answers a
    slightly different test and could cross 0 beside a significant verdict. It is in the hover, labelled."""
    rows = [r for r in rows if r["metric"] == metric and r.get("effect_abs") is not None]
    title = f"{metric}: change vs control"
    if not rows:
        return _empty(title, "no comparison yet")
    scale, unit, _ = effect_unit(metric, rows[0].get("type") or "mean")
    x = [scale * r["effect_abs"] for r in rows]
    lows = [scale * (r["effect_abs"] - r["ci_abs_low"]) if r.get("ci_abs_low") is not None else 0.0 for r in rows]
    highs = [scale * (r["ci_abs_high"] - r["effect_abs"]) if r.get("ci_abs_high") is not None else 0.0
             for r in rows]
    fig = go.Figure(go.Scatter(
        x=x, y=[r["variant"] for r in rows], mode="markers",
        marker={"size": 14, "color": [_effect_colour(r) for r in rows]},
        error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows, "thickness": 3, "width": 8},
        text=[_effect_hover(r) for r in rows], hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.add_vline(x=0, line_dash="dash", line_color=NEUTRAL)
    fig.update_layout(title=title, xaxis_title=f"difference vs control ({unit}) with 95% interval", **_LAYOUT)
    fig.update_layout(height=120 + 50 * len(rows))
    return fig


def solve_heatmap(runs: Sequence[Mapping[str, Any]], value: str, title: str) -> go.Figure:
    """Model × temperature matrix of one run measure (mean over strategies/retries in a cell)."""
    cells: dict[tuple[str, float], list[float]] = {}
    for run in runs:
        v = run.get(value)
        if v is not None:
            cells.setdefault((run["model"], float(run["temperature"])), []).append(float(v))
    if not cells:
        return _empty(title, "no finished runs")
    models = sorted({m for m, _ in cells})
    temps = sorted({t for _, t in cells})
    z = [[(sum(cells[(m, t)]) / len(cells[(m, t)])) if (m, t) in cells else None for t in temps] for m in models]
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"T={t:g}" for t in temps], y=models, colorscale="Blues", texttemplate="%{z:.4~g}",
        hovertemplate="%{y} %{x}: %{z}<extra></extra>",
    ))
    fig.update_layout(title=title, **_LAYOUT)
    fig.update_layout(height=140 + 60 * len(models))
    return fig


def answer_distribution(rows: Sequence[Mapping[str, Any]], question: str) -> go.Figure:
    """Share of each answer per arm for one select question (bars sum to 100% per arm)."""
    rows = [r for r in rows if r["question_text"] == question and r.get("answer_value") is not None]
    if not rows:
        return _empty(question, "no answers yet")
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["model_key"]] = totals.get(r["model_key"], 0) + int(r["response_count"])
    fig = go.Figure()
    for arm in sorted(totals):
        mine = [r for r in rows if r["model_key"] == arm]
        fig.add_bar(name=arm, x=[r["answer_value"] for r in mine],
                    y=[100.0 * int(r["response_count"]) / totals[arm] for r in mine],
                    customdata=[int(r["response_count"]) for r in mine],
                    hovertemplate=f"{arm}: %{{y:.1f}}% (%{{customdata}} answers)<extra></extra>")
    fig.update_layout(title=question, barmode="group", yaxis_title="% of answers", **_LAYOUT)
    return fig


def interval_bars(rows: Sequence[Mapping[str, Any]], *, label: str, value: str, title: str,
                  axis_title: str, y_range: tuple[float, float] | None = None) -> go.Figure:
    """A point per arm with its [ci_low, ci_high] interval (ratings, Bradley–Terry strengths)."""
    rows = [r for r in rows if r.get(value) is not None]
    if not rows:
        return _empty(title, "not enough data yet")
    fig = go.Figure(go.Scatter(
        x=[r[label] for r in rows], y=[r[value] for r in rows], mode="markers",
        marker={"size": 14, "color": ACCENT},
        error_y={"type": "data", "symmetric": False,
                     "array": [r["ci_high"] - r[value] for r in rows],
                     "arrayminus": [r[value] - r["ci_low"] for r in rows], "thickness": 3, "width": 8},
    ))
    fig.update_layout(title=title, yaxis_title=axis_title, **_LAYOUT)
    if y_range:  # e.g. a 1-5 rating scale: an interval past the scale says "not enough data", not "6 stars"
        fig.update_yaxes(range=list(y_range))
    return fig


def log_levels(counts: Mapping[str, int]) -> go.Figure:
    levels = [lvl for lvl in LEVEL_COLORS if counts.get(lvl)]
    if not levels:
        return _empty("Execution logs by level", "no logs yet")
    fig = go.Figure(go.Bar(x=levels, y=[counts[lvl] for lvl in levels],
                           marker_color=[LEVEL_COLORS[lvl] for lvl in levels]))
    fig.update_layout(title="Execution logs by level", **_LAYOUT)
    return fig


def system_series(rows: Sequence[Mapping[str, Any]]) -> go.Figure:
    if not rows:
        return _empty("Activity over time", "no system samples yet")
    fig = go.Figure()
    for field, name in (("active_sessions", "active sessions"), ("active_browsers", "active browsers")):
        fig.add_scatter(x=[r["timestamp"] for r in rows], y=[r[field] for r in rows], mode="lines", name=name)
    fig.update_layout(title="Activity over time", **_LAYOUT)
    return fig


def timeline_chart(events: Sequence[Mapping[str, Any]]) -> go.Figure:
    """Events on a time axis, one row per event type, coloured by outcome."""
    if not events:
        return _empty("Timeline", "no events yet")
    colour = {"failed": BAD, "completed": GOOD, "in_progress": ACCENT, "pending": "#e0a526"}
    fig = go.Figure(go.Scatter(
        x=[e["created_at"] for e in events], y=[e["type"] for e in events], mode="markers",
        marker={"size": 11, "color": [colour.get(e.get("status") or "", NEUTRAL) for e in events]},
        text=[e.get("title") or "" for e in events], hovertemplate="%{y}: %{text}<br>%{x}<extra></extra>",
    ))
    fig.update_layout(title="Timeline", **_LAYOUT)
    fig.update_layout(height=140 + 22 * len({e["type"] for e in events}))
    return fig
