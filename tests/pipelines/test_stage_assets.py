"""Stage assets called directly with build_asset_context on a seeded database (no browser, no sandbox)."""

import dagster as dg
import pytest
from sqlalchemy import func, select

from analysis.engine import analyze
from analysis.report import MetricResult
from analysis.rows import MetricRow
from assets.records import StageInputMissing
from assets.variant_metrics import analyze_panel_stats, variant_metrics
from assets.variant_suggestions import variant_suggestions
from db.models import (
    ArmValue,
    BrowserSession,
    Experiment,
    StageRun,
    StatisticsRun,
    Suggestion,
    TimelineEvent,
    Variant,
    VariantMetric,
)
from db.panel_stats import panel_sufficient_stats
from db.session import session_scope
from tests.pipelines.conftest import Resources, make_experiment, seed_evaluated_experiment


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


def _seed_panel(url: str, experiment_id: str, outcomes: dict[str, list[tuple[bool, int]]]) -> None:
    """outcomes: variant key -> [(success, actions)] for browser_results sessions."""
    with session_scope(url) as session:
        for key, sessions in outcomes.items():
            variant = Variant(experiment_id=experiment_id, type="control" if key == "control" else "experiment", key=key)
            session.add(variant)
            session.flush()
            for i, (success, actions) in enumerate(sessions):
                session.add(BrowserSession(
                    experiment_id=experiment_id, variant_id=variant.id, browser_task_id=f"{key}-{i}", task_prompt="p",
                    stage="browser_results", success=success, n_actions=actions, duration_ms=1000.0 * actions,
                    console_errors=0, a11y_violations=2, lcp_ms=300.0, status="completed"))


def test_variant_metrics_names_a_significant_winner(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed_panel(app_url, experiment_id, {
        "control": [(i % 2 == 0, 14 + i % 3) for i in range(40)],
        "v1": [(True, 4 + i % 2) for i in range(40)],
        "v2": [(i % 2 == 0, 14 + i % 3) for i in range(40)],
    })
    result = variant_metrics(_context(experiment_id), **app_resources)
    assert result.metadata["champion_variant"] == "v1"
    with session_scope(app_url) as session:
        experiment = session.get(Experiment, experiment_id)
        champion = session.get(Variant, experiment.champion_variant_id)
        assert champion.key == "v1" and "task_success" in experiment.champion_reason
        success = session.scalars(select(VariantMetric).where(
            VariantMetric.variant_id == champion.id, VariantMetric.metric == "task_success")).one()
        assert success.mean == 1.0 and success.n == 40 and success.significant
        assert success.ci_low < success.effect_rel < success.ci_high
        assert session.scalars(select(StageRun.status).where(StageRun.stage == "variant_metrics")).all() == ["completed"]
        assert experiment.status == "completed"


def _assert_stored_as_computed(row: VariantMetric, result: MetricResult) -> None:
    """The row carries both pairs exactly as the engine computed them (ci_abs with p_value, ci_rel with
    p_value_rel), not one interval under the other's p-value."""
    def pair(ci: tuple[float, float] | None) -> tuple[float | None, float | None]:
        return ci if ci is not None else (None, None)

    assert (row.ci_abs_low, row.ci_abs_high) == pytest.approx(pair(result.ci_abs))
    assert (row.ci_low, row.ci_high) == pytest.approx(pair(result.ci_rel))
    assert row.p_value == pytest.approx(result.p_value) and row.p_value_rel == pytest.approx(result.p_value_rel)
    assert row.effect_abs == pytest.approx(result.effect_abs) and row.effect_rel == pytest.approx(result.effect_rel)
    assert row.p_value_adjusted == pytest.approx(result.p_value_adjusted) and row.significant == result.significant


def test_variant_metrics_stores_each_interval_with_its_own_p_value(app_url: str, app_resources: Resources):
    # 20/40 against 29/40 sits on the edge: the absolute test says p = 0.034, the relative one p = 0.095,
    # so the relative interval beside the absolute p (all that was stored before) contradicts it.
    experiment_id = make_experiment(app_url)
    _seed_panel(app_url, experiment_id, {
        "control": [(i < 20, 10 + i % 5) for i in range(40)],
        "v1": [(i < 29, 10 + i % 4) for i in range(40)],
    })
    variant_metrics(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        report = analyze_panel_stats([MetricRow(**s) for s in panel_sufficient_stats(session, experiment_id)])
        keys = {v.id: v.key for v in session.scalars(select(Variant))}
        rows = {(keys[r.variant_id], r.metric): r for r in session.scalars(select(VariantMetric))}
    for result in report.results:
        _assert_stored_as_computed(rows[(result.variant, result.metric)], result)
    success = rows[("v1", "task_success")]
    assert success.p_value < 0.05 and (success.ci_abs_low > 0 or success.ci_abs_high < 0)
    assert success.p_value_rel > 0.05 and success.ci_low < 0 < success.ci_high
    assert rows[("control", "task_success")].ci_abs_low is None  # the baseline is compared with nothing
    # The dashboard's rows say which way is good, so fewer actions can be shown as the improvement it is.
    from db import queries

    with session_scope(app_url) as session:
        direction = {(r["variant"], r["metric"]): r["higher_is_better"]
                     for r in queries.variant_metrics(session, experiment_id)}
    assert direction[("v1", "task_success")] is True and direction[("v1", "actions")] is False


def test_evaluation_metrics_stores_each_interval_with_its_own_p_value(app_url: str, app_resources: Resources):
    from assets.evaluation_metrics import evaluation_metrics
    from db.evaluation_stats import evaluation_stats
    from db.evaluations import submit_evaluation
    from db.experiment_playground import ensure_experiment_playground
    from db.models import Question
    from db.users import get_or_create_user

    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        session.add_all([Variant(experiment_id=experiment_id, type="control", key="control"),
                         Variant(experiment_id=experiment_id, type="experiment", key="v1")])
        session.flush()
        playground_id = ensure_experiment_playground(session, experiment_id).id
        found = session.scalars(select(Question.id).where(Question.playground_id == playground_id,
                                                          Question.question_type == "select")).one()
    with session_scope(app_url) as session:
        for i in range(12):
            tester = get_or_create_user(session, f"t{i}@example.com")
            for key, rating in (("control", 2 + i % 3), ("v1", 3 + i % 3)):
                submit_evaluation(session, playground_id, tester, key, {found: "yes" if rating > 3 else "no"}, rating)
    evaluation_metrics(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        stats = [s for s in evaluation_stats(session, playground_id) if s["n"] > 0]
        keys = {v.id: v.key for v in session.scalars(select(Variant))}
        rows = {(keys[r.variant_id], r.metric): r for r in session.scalars(
            select(VariantMetric).where(VariantMetric.source == "human"))}
    fields = ("variant", "metric", "type", "n", "sum", "sum_squares")
    report = analyze([MetricRow(**{k: s[k] for k in fields}) for s in stats], baseline="control",
                     correction="bh", sequential_tuning=1000.0)
    assert {(r.variant, r.metric) for r in report.results} >= {("v1", "rating")}
    for result in report.results:
        _assert_stored_as_computed(rows[(result.variant, result.metric)], result)
    assert rows[("v1", "rating")].ci_abs_low is not None and rows[("v1", "rating")].p_value_rel is not None
    # The ranking and the per-arm intervals are stored once, for the dashboard to read.
    from analysis.arm_intervals import arm_intervals
    from analysis.bradley_terry import bradley_terry
    from db.evaluation_stats import pairwise_preferences, preference_comparisons
    from db.stored_statistics import human_statistics

    with session_scope(app_url) as session:
        stored = human_statistics(session, experiment_id)
        expected = bradley_terry(preference_comparisons(pairwise_preferences(session, playground_id)), n_bootstrap=500)
    assert stored is not None and stored.playground_id == playground_id and stored.ranking == expected
    assert stored.ranking.n_comparisons == 12 and stored.ranking.arms[0].arm == "v1"
    assert stored.arms == arm_intervals(MetricRow(**{k: s[k] for k in fields}) for s in stats)
    assert any(a.metric == "rating" and a.arm == "v1" and a.ci_low < a.mean < a.ci_high for a in stored.arms)


def test_variant_metrics_is_idempotent(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed_panel(app_url, experiment_id, {"control": [(True, 10)] * 5 + [(False, 12)] * 5,
                                         "v1": [(True, 6)] * 9 + [(False, 8)]})
    for _ in range(2):
        variant_metrics(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        rows = session.scalars(select(VariantMetric)).all()
        assert len(rows) == len({(r.variant_id, r.metric) for r in rows})  # replaced, not duplicated
        assert session.scalar(select(func.count()).select_from(StatisticsRun)) == 1
        assert session.scalar(select(func.count()).select_from(ArmValue)) == len(rows)


def test_variant_metrics_stores_the_checks_the_dashboard_reads(app_url: str, app_resources: Resources):
    from analysis.arm_intervals import arm_intervals
    from db.stored_statistics import panel_statistics

    experiment_id = make_experiment(app_url)
    _seed_panel(app_url, experiment_id, {"control": [(True, 10)] * 30, "v1": [(True, 6)] * 5})  # 30 vs 5: a mismatch
    variant_metrics(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        stored = panel_statistics(session, experiment_id)
        rows = [MetricRow(**s) for s in panel_sufficient_stats(session, experiment_id)]
    assert stored is not None and stored.srm.flagged and stored.srm.observed == {"control": 30, "v1": 5}
    assert stored.arms == arm_intervals(rows)
    success = next(a for a in stored.arms if a.arm == "v1" and a.metric == "task_success")
    assert success.mean == 1.0 and success.ci_low < 1.0 == success.ci_high  # Wilson: a width at 100 %


def test_no_winner_when_nothing_differs(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    same = [(i % 3 != 0, 10 + i % 4) for i in range(30)]
    _seed_panel(app_url, experiment_id, {"control": same, "v1": same})
    result = variant_metrics(_context(experiment_id), **app_resources)
    assert result.metadata["champion_variant"] == "none"
    assert "keeping the baseline" in result.metadata["champion_reason"]


def test_suggestions_from_the_control_analysis(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        session.add(Variant(experiment_id=experiment_id, type="control", key="control", analysis={
            "success": False, "summary": "4/16 sessions completed their task",
            "insights": ["scanner paged through 6 listing pages"],
            "issues": ["impatient gave up after 6 actions on page 2 of 6 without finding 'Merino Wool Beanie'",
                       "no search box or filter on the product listing"]}))
    result = variant_suggestions(_context(experiment_id), **app_resources)
    assert result.metadata["count"] == 3
    with session_scope(app_url) as session:
        titles = session.scalars(select(Suggestion.title).order_by(Suggestion.rank)).all()
        assert len(titles) == 3 and len(set(titles)) == 3
        assert session.scalar(select(func.count()).select_from(TimelineEvent).where(
            TimelineEvent.type == "suggestions_generated")) == 1


def test_a_feature_the_scout_saw_is_not_suggested_again(app_url: str, app_resources: Resources):
    from agents.schemas import Controls, ScoutInventory
    from db.experiments import add_event

    experiment_id = make_experiment(app_url)
    analysis = {"success": False, "summary": "4/16 sessions completed their task", "insights": [],
                "issues": ["impatient gave up after 6 actions on page 2 of 6 without finding the item",
                           "users could not search or find products across the pages"]}
    inventory = ScoutInventory(url="http://app/", controls=Controls(search=["http://app/"]))
    with session_scope(app_url) as session:
        session.add(Variant(experiment_id=experiment_id, type="control", key="control", analysis=analysis))
        add_event(session, experiment_id, "session_created", stage="test_flows", title="flows",
                  data={"inventory": inventory.model_dump(mode="json")})
    variant_suggestions(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        recipes = session.scalars(select(Suggestion.recipe).order_by(Suggestion.rank)).all()
    assert recipes and "search" not in recipes


def test_missing_upstream_fails_the_stage_with_a_reason(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    with pytest.raises(dg.Failure, match="materialise control_analysis first") as failure:
        variant_suggestions(_context(experiment_id), **app_resources)
    # A retry cannot make the upstream stage appear: the failure skips the retry policy.
    assert isinstance(failure.value.__cause__, StageInputMissing) and failure.value.allow_retries is False
    with session_scope(app_url) as session:
        experiment = session.get(Experiment, experiment_id)
        assert experiment.status == "failed" and "control_analysis" in experiment.error_message
        run = session.scalars(select(StageRun)).one()
        assert run.status == "failed" and run.stage == "variant_suggestions"


def test_feedback_becomes_a_refinement_run(app_url: str, app_resources: Resources):
    from assets.variant_implementations import variant_implementations
    from db.approvals import send_feedback
    from db.models import FeedbackItem, SolveRun
    from db.users import get_or_create_user

    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        session.add(Suggestion(experiment_id=experiment_id, rank=1, title="Add a search box that filters products",
                               rationale="shoppers could not find items", recipe="search"))
        analyst = get_or_create_user(session, "ana@example.com", role="analyst").id
    variant_implementations(_context(experiment_id), **app_resources)
    with session_scope(app_url) as session:
        variant = session.scalars(select(Variant).where(Variant.key == "v1")).one()
        assert session.scalars(select(SolveRun.evolution)).all() == ["baseline"]
        send_feedback(session, experiment_id, variant.id, analyst, "The search box needs a visible label")
    result = variant_implementations(_context(experiment_id), **app_resources)
    assert result.metadata["refinement_runs"] == 1
    with session_scope(app_url) as session:
        runs = {r.evolution: r for r in session.scalars(select(SolveRun))}
        assert set(runs) == {"baseline", "feedback_refined"}
        refined = runs["feedback_refined"]
        assert refined.parent_run_id == runs["baseline"].id
        assert "visible label" in refined.implementation_prompt
        feedback = session.scalars(select(FeedbackItem)).one()
        assert feedback.run_id == refined.id and feedback.variant_id is None  # old variant replaced, feedback kept
    # Sent feedback stands: every later re-implementation rebuilds the refinement (it was replaced with
    # the solves), not every other one, and the feedback points at the run that took it up last.
    refinements = [variant_implementations(_context(experiment_id), **app_resources)
                   .metadata["refinement_runs"] for _ in range(3)]
    assert refinements == [1, 1, 1]
    with session_scope(app_url) as session:
        refined = session.scalars(select(SolveRun).where(SolveRun.evolution == "feedback_refined")).one()
        assert session.scalars(select(FeedbackItem)).one().run_id == refined.id
        assert "visible label" in refined.implementation_prompt


def test_every_feedback_on_a_variant_is_applied_in_the_order_sent(app_url: str, app_resources: Resources):
    from assets.variant_implementations import variant_implementations
    from db.approvals import send_feedback
    from db.models import FeedbackItem, SolveRun
    from db.users import get_or_create_user

    experiment_id = make_experiment(app_url)
    with session_scope(app_url) as session:
        session.add(Suggestion(experiment_id=experiment_id, rank=1, title="Add a search box that filters",
                               rationale="shoppers could not find items", recipe="search"))
        analyst = get_or_create_user(session, "ana@example.com", role="analyst").id
    for text in ("The search box needs a visible label", "Say how many products match"):
        variant_implementations(_context(experiment_id), **app_resources)
        with session_scope(app_url) as session:
            variant = session.scalars(select(Variant).where(Variant.key == "v1")).one()
            send_feedback(session, experiment_id, variant.id, analyst, text)
    result = variant_implementations(_context(experiment_id), **app_resources)
    assert result.metadata["refinement_runs"] == 1
    with session_scope(app_url) as session:
        refined = session.scalars(select(SolveRun).where(SolveRun.evolution == "feedback_refined")).one()
        assert "visible label; Say how many products match" in refined.implementation_prompt
        assert {f.run_id for f in session.scalars(select(FeedbackItem))} == {refined.id}


def _rows(url: str, experiment_id: str) -> dict:
    from db.models import Solve, TestSession

    with session_scope(url) as session:
        experiment = session.get(Experiment, experiment_id)
        return {
            "variants": sorted(session.scalars(select(Variant.key)).all()),
            "suggestions": len(session.scalars(select(Suggestion)).all()),
            "test_sessions": len(session.scalars(select(TestSession)).all()),
            "solves": len(session.scalars(select(Solve)).all()),
            "stage_runs": len(session.scalars(select(StageRun)).all()),
            "status": (experiment.status, experiment.error_message),
        }


def test_variants_with_human_evaluations_are_not_replaced(app_url: str, app_resources: Resources):
    from assets.variant_implementations import variant_implementations
    from db.experiment_playground import EvaluationsWouldBeOrphaned

    experiment_id = seed_evaluated_experiment(app_url)
    with pytest.raises(dg.Failure, match="1 human evaluation answers exist") as failure:
        variant_implementations(_context(experiment_id), **app_resources)
    assert isinstance(failure.value.__cause__, EvaluationsWouldBeOrphaned)
    with session_scope(app_url) as session:
        assert session.scalars(select(Variant.key).order_by(Variant.key)).all() == ["control", "v1"]


@pytest.mark.parametrize("stage", ["test_flows", "control_analysis", "variant_suggestions",
                                   "variant_implementations"])
def test_no_stage_that_replaces_evaluated_variants_runs(app_url: str, app_resources: Resources, stage: str):
    # Materialised as the Dagster UI would: with the stage's retry policy, which must not retry a refusal.
    import importlib

    from db.experiment_playground import STAGES_REPLACING_VARIANTS

    assert stage in STAGES_REPLACING_VARIANTS
    experiment_id = seed_evaluated_experiment(app_url)
    before = _rows(app_url, experiment_id)
    asset = getattr(importlib.import_module(f"assets.{stage}"), stage)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    result = dg.materialize([asset], partition_key=experiment_id, instance=instance,
                            resources=app_resources, raise_on_error=False)
    assert not result.success
    assert not any(e.event_type_value in ("STEP_UP_FOR_RETRY", "STEP_RESTARTED") for e in result.all_events)
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "EvaluationsWouldBeOrphaned" in failure.step_failure_data.user_failure_data.description
    # Refused before the stage began: nothing deleted, no failed run, the experiment's status untouched.
    assert _rows(app_url, experiment_id) == before


@pytest.mark.parametrize("reverse", [False, True])
def test_bounds_check_covers_the_absolute_interval(app_url: str, app_resources: Resources,
                                                   monkeypatch: pytest.MonkeyPatch, reverse: bool):
    import assets.variant_metrics as module
    from assets.records import comparison_columns
    from pipelines.checks import metrics_finite_and_in_bounds

    def swapped(result):  # type: ignore[no-untyped-def]
        columns = comparison_columns(result)
        if columns.get("ci_abs_low") is not None:
            columns["ci_abs_low"], columns["ci_abs_high"] = columns["ci_abs_high"], columns["ci_abs_low"]
        return columns

    if reverse:
        monkeypatch.setattr(module, "comparison_columns", swapped)
    experiment_id = make_experiment(app_url)
    _seed_panel(app_url, experiment_id, {"control": [(i < 20, 10 + i % 5) for i in range(40)],
                                         "v1": [(i < 29, 10 + i % 4) for i in range(40)]})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    result = dg.materialize([variant_metrics, metrics_finite_and_in_bounds], partition_key=experiment_id,
                            instance=instance, resources=app_resources,
                            raise_on_error=False)
    (check,) = result.get_asset_check_evaluations()
    problems = check.metadata["problems"].value
    assert check.passed is not reverse
    assert any("absolute interval reversed" in p for p in problems) is reverse
