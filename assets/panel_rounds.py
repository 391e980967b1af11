"""The variant panel's rounds: after each, the stopping rule looks at the decision metrics so far."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field

from agents.browser.results import SessionResult
from analysis.rows import MetricRow
from analysis.stopping import Look, StoppingDecision, StoppingRule, decide, next_round_size
from db.panel_stats import PANEL_METRICS
from db.stages import StageHandle


def decision_rows(results: list[SessionResult], metrics: Collection[str]) -> tuple[MetricRow, ...]:
    """Sufficient statistics of `metrics` per variant, as db/panel_stats computes them from the stored
    sessions: the decision metrics are fields a SessionResult carries under its column's name."""
    rows = []
    for key in dict.fromkeys(r.variant_key for r in results):
        mine = [r for r in results if r.variant_key == key]
        for metric in PANEL_METRICS:
            if metric.name not in metrics:
                continue
            scale = 1.0 if metric.type == "binomial" else metric.scale
            counted = [r for r in mine if r.success] if metric.successful_only else mine
            values = [float(v) * scale for v in (getattr(r, metric.column) for r in counted) if v is not None]
            if not values:
                continue  # as the database: no row for a metric no session of this variant measured
            rows.append(MetricRow(key, metric.name, metric.type, len(values), sum(values),  # type: ignore[arg-type]
                                  sum(v * v for v in values), metric.higher_is_better))
    return tuple(rows)


@dataclass
class PanelRounds:
    """The panel's `next_round`: after every round a look by the stopping rule, kept on the timeline as a
    checkpoint; then the next round's sessions per flow, or none."""

    rule: StoppingRule
    arms: int
    flows: int
    round_size: int  # sessions per variant asked of each round after the first
    stage: StageHandle | None = None
    started: float = field(default_factory=time.monotonic)
    decision: StoppingDecision | None = None  # the latest look's; the last one says why the panel stopped

    @property
    def stopped(self) -> StoppingDecision:
        """Why the panel stopped, once it has."""
        if self.decision is None or not self.decision.stop:
            raise RuntimeError("the panel has not stopped: no round ended in a stop")
        return self.decision

    def __call__(self, results: list[SessionResult]) -> int:
        per_arm = len(results) // self.arms
        upcoming = next_round_size(per_arm, round_size=self.round_size,
                                   max_sessions_per_arm=self.rule.max_sessions_per_arm, unit=self.flows)
        look = Look(round=self.decision.round + 1 if self.decision else 1,
                    rows=decision_rows(results, (self.rule.primary_metric, *self.rule.secondary_metrics)),
                    sessions_per_arm=per_arm, next_round_per_arm=upcoming, elapsed_s=time.monotonic() - self.started)
        self.decision = decide(look, self.rule)
        if self.stage is not None:
            self.stage.progress(min(99, 100 * per_arm // max(self.rule.max_sessions_per_arm, 1)),
                                self.decision.explanation)
        return 0 if self.decision.stop else upcoming // self.flows
