"""Pure Plotly figure builders: plain data in, a Figure out (tested without Streamlit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import plotly.graph_objects as go

from analysis.bradley_terry import ArmStrength
from dashboard.loaded import ArmValue

GOOD, BAD, NEUTRAL, ACCENT = "#2e9e5b", "#d64545", "#8a94a6", "#3b6fd8"
LEVEL_COLORS = {"debug": NEUTRAL, "info": ACCENT, "warning": "#e0a526", "error": BAD}
_LAYOUT = {"template": "plotly_white", "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "height": 320}


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure(layout=dict(title=title, **_LAYOUT))
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def arm_values(values: Sequence[ArmValue], metric: str, arms: Sequence[str], *, title: str,
               type_: str, unit: str = "") -> go.Figure:
    """Each arm's own value of one metric with its 95 % interval (`arms` control first, drawn grey): every
    arm is drawn, and one without data is named on the axis as not measured instead of being dropped."""
    by_arm = {v.arm: v for v in values if v.metric == metric}
    if not by_arm:
        return _empty(title, "not measured on any arm yet")
    scale = 100.0 if type_ == "binomial" else 1.0
    suffix = " %" if type_ == "binomial" else (f" {unit}" if unit else "")
    labels, xs, lows, highs, texts = [], [], [], [], []
    for arm in arms:
        row = by_arm.get(arm)
        if row is None:
            labels.append(f"{arm}: not measured")
            xs.append(None)
            lows.append(0.0)
            highs.append(0.0)
            texts.append("")
            continue
        x = scale * row.mean
        low, high = row.ci_low, row.ci_high
        count = f"{round(row.mean * row.n)}/{row.n}" if type_ == "binomial" else f"n = {row.n}"
        text = f"{x:.3g}{suffix} ({count}){'; ' + row.note if row.note else ''}"
        # The value sits in the axis label, where it is never clipped by the plot's edge.
        labels.append(f"{arm}: {text}")
        xs.append(x)
        lows.append(0.0 if low is None else x - scale * low)
        highs.append(0.0 if high is None else scale * high - x)
        texts.append(text)
    fig = go.Figure(go.Scatter(
        x=xs, y=labels, mode="markers", text=texts,
        marker={"size": 12, "color": [NEUTRAL if a == arms[0] else ACCENT for a in arms]},
        error_x={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows, "thickness": 3, "width": 6},
        hovertemplate="%{text}<extra></extra>",
    ))
    fig.update_layout(title=title, xaxis_title=f"value with 95 % interval{' (%)' if type_ == 'binomial' else ''}",
                      **_LAYOUT)
    fig.update_yaxes(autorange="reversed")  # control on top, as in the scorecard
    if type_ == "binomial":
        fig.update_xaxes(range=[-5, 105])
    fig.update_layout(height=110 + 45 * len(arms))
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


def interval_bars(rows: Sequence[ArmValue] | Sequence[ArmStrength], *, value: Literal["mean", "strength"],
                  title: str, axis_title: str, y_range: tuple[float, float] | None = None) -> go.Figure:
    """A point per arm with its [ci_low, ci_high] interval: ratings (`value="mean"` of ArmValue rows) or
    Bradley–Terry strengths (`value="strength"` of ArmStrength rows). An arm without an interval yet (a
    single rating) keeps its point and says why in its label."""
    points = [(r.arm, float(getattr(r, value)), r.ci_low, r.ci_high, r.note if isinstance(r, ArmValue) else "")
              for r in rows if getattr(r, value) is not None]
    if not points:
        return _empty(title, "not enough data yet")
    fig = go.Figure(go.Scatter(
        # A note goes under the arm's name on the axis, where it is never clipped by the plot's edge.
        x=[arm + (f"<br>{note}" if note else "") for arm, _, _, _, note in points], y=[y for _, y, _, _, _ in points],
        mode="markers", marker={"size": 14, "color": ACCENT},
        error_y={"type": "data", "symmetric": False,
                 "array": [0.0 if high is None else high - y for _, y, _, high, _ in points],
                 "arrayminus": [0.0 if low is None else y - low for _, y, low, _, _ in points],
                 "thickness": 3, "width": 8},
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
