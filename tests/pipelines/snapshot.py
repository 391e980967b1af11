"""A comparable picture of what the pipeline wrote for one experiment (ids and timings left out)."""

from typing import Any

from sqlalchemy import func, select

from db.models import (
    BrowserSession,
    ExecutionLog,
    Playground,
    Solve,
    SolveRun,
    StageRun,
    Suggestion,
    TestFlow,
    TestSession,
    Variant,
    VariantMetric,
)
from db.session import session_scope


def pipeline_snapshot(url: str, experiment_id: str) -> dict[str, Any]:
    with session_scope(url) as s:
        keys = {v.id: v.key for v in s.scalars(select(Variant).where(Variant.experiment_id == experiment_id))}
        flows = {f.id: f.name for f in s.scalars(select(TestFlow).join(TestSession).where(
            TestSession.experiment_id == experiment_id))}

        def count(model, *where) -> int:  # type: ignore[no-untyped-def]
            return s.scalar(select(func.count()).select_from(model).where(*where))

        return {
            "test_sessions": count(TestSession, TestSession.experiment_id == experiment_id),
            "flows": sorted(flows.values()),
            "variants": sorted((v.key, v.type, v.suggestion, v.deploy_status) for v in s.scalars(
                select(Variant).where(Variant.experiment_id == experiment_id))),
            "suggestions": sorted((g.rank, g.title) for g in s.scalars(
                select(Suggestion).where(Suggestion.experiment_id == experiment_id))),
            "solves": sorted((x.status, x.champion_run_id is not None) for x in s.scalars(
                select(Solve).where(Solve.experiment_id == experiment_id))),
            "solve_runs": sorted((r.model, r.temperature, r.evolution, r.status, r.tests_passed, r.loc_changed)
                                 for r in s.scalars(select(SolveRun).where(SolveRun.experiment_id == experiment_id))),
            "browser_sessions": sorted(
                (b.stage, keys.get(b.variant_id), flows.get(b.flow_id), b.persona, b.seed, b.success)
                for b in s.scalars(select(BrowserSession).where(BrowserSession.experiment_id == experiment_id))),
            "logs_by_stage": sorted(s.execute(select(ExecutionLog.stage, func.count()).where(
                ExecutionLog.experiment_id == experiment_id).group_by(ExecutionLog.stage)).all()),
            # Which metrics exist per variant, with n where it cannot depend on timing (LCP may or may
            # not be observed in a given session; that is measurement, not pipeline state).
            "metrics": sorted((keys.get(m.variant_id), m.source, m.metric, None if m.metric == "lcp_s" else m.n)
                              for m in s.scalars(select(VariantMetric).where(VariantMetric.experiment_id == experiment_id))),
            "playgrounds": count(Playground, Playground.experiment_id == experiment_id),
            "failed_stage_runs": count(StageRun, StageRun.experiment_id == experiment_id, StageRun.status == "failed"),
        }
