"""The metrics stages' numbers, written once and read by the dashboard (one source per number).

variant_metrics stores the sample ratio check its decision used and each arm's interval per panel
metric; evaluation_metrics stores each arm's interval per human metric and the Bradley-Terry ranking of
the experiment's playground. Readers return the analysis/ types they were computed as, or None while
the stage has not run since this table existed, so a caller says "not computed yet" instead of
computing them a second time. The writers return the same types, read from the rows they just wrote,
so what a stage reports of its computation (a timeline event, Dagster metadata) is what is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from analysis.arm_intervals import ArmInterval
from analysis.bradley_terry import ArmStrength, BradleyTerryResult
from analysis.codes import ErrorCode
from analysis.srm import SRMResult
from db.models import ArmRanking, ArmValue, StatisticsRun


@dataclass(frozen=True, slots=True)
class PanelStatistics:
    computed_at: dt.datetime
    srm: SRMResult
    arms: tuple[ArmInterval, ...]


@dataclass(frozen=True, slots=True)
class HumanStatistics:
    computed_at: dt.datetime
    playground_id: str | None
    arms: tuple[ArmInterval, ...]
    ranking: BradleyTerryResult


def _replace(session: Session, experiment_id: str, source: str, run: StatisticsRun,
             intervals: Sequence[ArmInterval]) -> None:
    # Delete and insert in the stage's transaction: a re-materialised partition (a backfill, a retry)
    # leaves exactly one computation per experiment and stage.
    session.execute(delete(StatisticsRun).where(StatisticsRun.experiment_id == experiment_id,
                                                StatisticsRun.source == source))
    run.arm_values = [ArmValue(position=i, arm=a.arm, metric=a.metric, n=a.n, mean=a.mean, ci_low=a.ci_low,
                               ci_high=a.ci_high, error_code=a.error_code) for i, a in enumerate(intervals)]
    session.add(run)
    session.flush()


def store_panel_statistics(session: Session, experiment_id: str, srm: SRMResult,
                           intervals: Sequence[ArmInterval]) -> PanelStatistics:
    run = StatisticsRun(experiment_id=experiment_id, source="panel", srm_p_value=srm.p_value, srm_chi2=srm.chi2,
                        srm_flagged=srm.flagged, srm_observed=dict(srm.observed), srm_error_code=srm.error_code)
    _replace(session, experiment_id, "panel", run, intervals)
    return _panel(run)


def store_human_statistics(session: Session, experiment_id: str, playground_id: str,
                           intervals: Sequence[ArmInterval], ranking: BradleyTerryResult) -> HumanStatistics:
    run = StatisticsRun(experiment_id=experiment_id, source="human", playground_id=playground_id,
                        ranking_comparisons=ranking.n_comparisons, ranking_bootstrap=ranking.n_bootstrap,
                        ranking_error_code=ranking.error_code)
    run.arm_rankings = [ArmRanking(arm=a.arm, strength=a.strength, ci_low=a.ci_low, ci_high=a.ci_high, rank=a.rank,
                                   wins=a.wins, comparisons=a.comparisons) for a in ranking.arms]
    _replace(session, experiment_id, "human", run, intervals)
    return _human(run)


def _code(value: str | None) -> ErrorCode | None:
    return None if value is None else ErrorCode(value)


def _run(session: Session, experiment_id: str, source: str) -> StatisticsRun | None:
    return session.scalars(select(StatisticsRun).where(StatisticsRun.experiment_id == experiment_id,
                                                       StatisticsRun.source == source)
                           .options(selectinload(StatisticsRun.arm_values),
                                    selectinload(StatisticsRun.arm_rankings))).first()


def _intervals(run: StatisticsRun) -> tuple[ArmInterval, ...]:
    return tuple(ArmInterval(arm=v.arm, metric=v.metric, n=v.n, mean=v.mean, ci_low=v.ci_low, ci_high=v.ci_high,
                             error_code=_code(v.error_code)) for v in sorted(run.arm_values, key=lambda v: v.position))


def panel_statistics(session: Session, experiment_id: str) -> PanelStatistics | None:
    run = _run(session, experiment_id, "panel")
    return None if run is None else _panel(run)


def human_statistics(session: Session, experiment_id: str) -> HumanStatistics | None:
    run = _run(session, experiment_id, "human")
    return None if run is None else _human(run)


def _panel(run: StatisticsRun) -> PanelStatistics:
    srm = SRMResult(p_value=run.srm_p_value, chi2=run.srm_chi2, flagged=bool(run.srm_flagged),
                    observed=dict(run.srm_observed or {}), error_code=_code(run.srm_error_code))
    return PanelStatistics(computed_at=run.created_at, srm=srm, arms=_intervals(run))


def _human(run: StatisticsRun) -> HumanStatistics:
    arms = tuple(ArmStrength(arm=r.arm, strength=r.strength, ci_low=r.ci_low, ci_high=r.ci_high, rank=r.rank,
                             wins=r.wins, comparisons=r.comparisons)
                 for r in sorted(run.arm_rankings, key=lambda r: (r.rank, -r.strength, r.arm)))
    ranking = BradleyTerryResult(arms=arms, n_comparisons=run.ranking_comparisons or 0,
                                 n_bootstrap=run.ranking_bootstrap or 0, error_code=_code(run.ranking_error_code))
    return HumanStatistics(computed_at=run.created_at, playground_id=run.playground_id, arms=_intervals(run),
                           ranking=ranking)
