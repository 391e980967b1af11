"""What the metrics stages report of their statistics (the champion_selected event, the Dagster metadata)
is what they stored in statistics_runs / arm_rankings: one computation, one source per number."""

import dagster as dg
from sqlalchemy import select

from assets.evaluation_metrics import evaluation_metrics
from assets.variant_metrics import variant_metrics
from db.experiment_playground import ensure_experiment_playground
from db.models import BrowserSession, Evaluation, TimelineEvent, Variant
from db.session import session_scope
from db.stored_statistics import human_statistics, panel_statistics
from db.users import get_or_create_user
from ids import new_id
from tests.pipelines.conftest import Resources, make_experiment, seed_evaluated_experiment


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


def test_the_champion_event_and_metadata_report_the_stored_sample_ratio_check(app_url: str,
                                                                              app_resources: Resources) -> None:
    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        for key, count in (("control", 30), ("v1", 5)):  # 30 against 5: a mismatch
            variant = Variant(experiment_id=experiment_id, type="control" if key == "control" else "experiment",
                              key=key)
            session.add(variant)
            session.flush()
            session.add_all([BrowserSession(
                experiment_id=experiment_id, variant_id=variant.id, browser_task_id=f"{key}-{i}", task_prompt="p",
                stage="browser_results", success=True, n_actions=6, duration_ms=6000.0, console_errors=0,
                a11y_violations=2, lcp_ms=300.0, status="completed") for i in range(count)])
    result = variant_metrics(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        stored = panel_statistics(session, experiment_id)
        event = session.scalars(select(TimelineEvent).where(TimelineEvent.experiment_id == experiment_id,
                                                            TimelineEvent.type == "champion_selected")).one()
        data = dict(event.data)
    assert stored is not None and stored.srm.flagged and stored.srm.p_value is not None
    assert (data["srm_p_value"], data["srm_flagged"]) == (stored.srm.p_value, stored.srm.flagged)
    assert result.metadata["srm_p_value"] == stored.srm.p_value


def test_the_metadata_reports_the_stored_ranking(app_url: str, app_resources: Resources) -> None:
    experiment_id = seed_evaluated_experiment(app_url)  # t@example.com rated v1 4
    with session_scope(app_url) as session:
        playground_id = ensure_experiment_playground(session, experiment_id).id
        ratings = {"t@example.com": {"control": 2}, "u@example.com": {"control": 3, "v1": 5},
                   "w@example.com": {"control": 4, "v1": 2}}
        session.add_all([Evaluation(playground_id=playground_id, user_id=get_or_create_user(session, email).id,
                                    model_key=key, rating=rating, session_id=new_id("evaluation_session"))
                         for email, given in ratings.items() for key, rating in given.items()])
    result = evaluation_metrics(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        stored = human_statistics(session, experiment_id)
    assert stored is not None and stored.ranking.n_comparisons > 0
    assert result.metadata["ranking"].value == [{"arm": a.arm, "rank": a.rank, "strength": round(a.strength, 4)}
                                                for a in stored.ranking.arms]
