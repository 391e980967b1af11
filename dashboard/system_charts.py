"""Pure Plotly figures of the System view: plain rows in, a Figure out (tested without Streamlit).

The activity chart draws the stage runs themselves, one bar per run from its start to its end. The
sampled counts of active sessions it replaced are taken after each panel, when nothing is active any
more, so they drew a flat zero line however much had just run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from db.models.enums import STAGES

STATUS_COLOURS = {"completed": "#2e9e5b", "failed": "#d64545", "running": "#3b6fd8"}
OTHER_COLOUR = "#8a94a6"
# A run of a second beside runs of minutes would be an invisible sliver: each bar is at least this
# share of the time shown.
MIN_BAR_SHARE = 0.006
# The view opens on the latest burst of work (a run, a re-run); older runs are a zoom-out away.
RECENT = dt.timedelta(hours=6)
_LAYOUT = {"template": "plotly_white", "margin": {"l": 10, "r": 10, "t": 40, "b": 10}}


def _ms(delta: dt.timedelta) -> float:
    return delta.total_seconds() * 1000


def stage_activity(runs: Sequence[Mapping[str, Any]], now: dt.datetime) -> go.Figure:
    """What ran when: each stage run as a bar on a time axis, a row per stage in pipeline order,
    coloured by outcome; a run still going reaches `now`. Hover names the experiment and the error."""
    started = [r for r in runs if r["started_at"] is not None]
    if not started:
        fig = go.Figure(layout={"title": "Stage runs", "height": 320, **_LAYOUT})
        fig.add_annotation(text="nothing has run yet", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return fig
    ends = {id(r): r["completed_at"] or now for r in started}
    last = max(ends.values())
    first = min(r["started_at"] for r in started if r["started_at"] >= last - RECENT)
    span = max(last - first, dt.timedelta(seconds=10))
    fig = go.Figure()
    for status in [*STATUS_COLOURS, None]:
        group = [r for r in started if (r["status"] == status if status else r["status"] not in STATUS_COLOURS)]
        if not group:
            continue
        fig.add_bar(
            orientation="h", name=status or "other", y=[r["stage"] for r in group],
            base=[r["started_at"] for r in group],
            x=[max(_ms(ends[id(r)] - r["started_at"]), _ms(span) * MIN_BAR_SHARE) for r in group],
            marker_color=STATUS_COLOURS.get(status or "", OTHER_COLOUR),
            customdata=[[r["experiment"], r["status"], (ends[id(r)] - r["started_at"]).total_seconds(),
                         (r["error_message"] or "")[:200]] for r in group],
            hovertemplate="%{customdata[0]} · %{y}<br>%{customdata[1]} after %{customdata[2]:.1f} s"
                          "<br>%{customdata[3]}<extra></extra>",
        )
    present = [s for s in STAGES if any(r["stage"] == s for r in started)]
    others = sorted({r["stage"] for r in started} - set(present))
    pad = span * 0.03
    fig.update_layout(title="Stage runs", barmode="overlay", height=140 + 28 * len(present + others),
                      legend={"orientation": "h", "y": -0.15}, **_LAYOUT)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(present + others)))
    fig.update_xaxes(type="date", range=[first - pad, last + pad])
    return fig
