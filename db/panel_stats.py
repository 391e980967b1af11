"""Sufficient statistics of the browser panel, computed by the database (GROUP BY), never in Python."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from db.models import BrowserSession, Variant
from db.stage_names import Stage


@dataclass(frozen=True)
class PanelMetric:
    name: str
    column: str
    type: str  # binomial | mean
    higher_is_better: bool
    guardrail_margin: float | None = None  # relative tolerated harm; None: not a guardrail
    scale: float = 1.0  # e.g. ms -> s
    # Effort is counted over sessions that reached the goal: over all sessions, an arm where users
    # give up at once would look like the least effort, and could be named champion for it.
    successful_only: bool = False


PANEL_METRICS: tuple[PanelMetric, ...] = (
    PanelMetric("task_success", "success", "binomial", True),
    PanelMetric("actions", "n_actions", "mean", False, successful_only=True),
    PanelMetric("time_s", "duration_ms", "mean", False, scale=0.001, successful_only=True),
    PanelMetric("backtracks", "backtracks", "mean", False),
    PanelMetric("console_errors", "console_errors", "mean", False, guardrail_margin=0.10),
    PanelMetric("a11y_violations", "a11y_violations", "mean", False, guardrail_margin=0.10),
    PanelMetric("lcp_s", "lcp_ms", "mean", False, guardrail_margin=0.25, scale=0.001),
)


# The metric the verdict is decided on (the others are secondary or guardrails). One definition:
# the metrics stage, the dashboard's scorecard and the shipped change's evidence all read this one.
PRIMARY_METRIC = "task_success"
assert PRIMARY_METRIC in {m.name for m in PANEL_METRICS}


def higher_is_better(metric: str) -> bool:
    """The panel metric's good direction (True for a metric this table does not define)."""
    return next((m.higher_is_better for m in PANEL_METRICS if m.name == metric), True)


def panel_sufficient_stats(session: Session, experiment_id: str, stage: Stage = Stage.BROWSER_RESULTS) -> list[dict]:
    """One row per variant and metric: n, sum, sum of squares (control first)."""
    columns = []
    for metric in PANEL_METRICS:
        raw = getattr(BrowserSession, metric.column)
        if metric.successful_only:  # NULL for the others: COUNT and SUM skip them
            raw = case((BrowserSession.success.is_(True), raw), else_=None)
        value = cast(case((raw.is_(True), 1), else_=0), Integer) if metric.type == "binomial" else raw * metric.scale
        columns += [
            func.count(raw).label(f"{metric.name}__n"),
            func.coalesce(func.sum(value), 0).label(f"{metric.name}__sum"),
            func.coalesce(func.sum(value * value), 0).label(f"{metric.name}__ss"),
        ]
    query = (
        select(Variant.key, Variant.type, *columns)
        .join(BrowserSession, BrowserSession.variant_id == Variant.id)
        .where(BrowserSession.experiment_id == experiment_id, BrowserSession.stage == stage)
        .group_by(Variant.key, Variant.type)
        .order_by(case((Variant.type == "control", 0), else_=1), Variant.key)
    )
    rows: list[dict] = []
    for record in session.execute(query).mappings():
        for metric in PANEL_METRICS:
            n = int(record[f"{metric.name}__n"])
            if n == 0:
                continue  # e.g. LCP not measured on any session of this variant
            rows.append({"variant": record["key"], "metric": metric.name, "type": metric.type, "n": n,
                         "sum": float(record[f"{metric.name}__sum"]), "sum_squares": float(record[f"{metric.name}__ss"]),
                         "higher_is_better": metric.higher_is_better})
    return rows
