"""Honest accounting: the verdict says how many variants were built and why the others were not."""

import dagster as dg
import pytest

from assets.variant_metrics import variant_metrics
from db.build_summary import BuildSummary, build_summary
from db.models import BrowserSession, Experiment, Solve, SolveRun, Suggestion, Variant
from db.report import experiment_report
from db.session import session_scope
from tests.pipelines.conftest import Resources, make_experiment


def _context(experiment_id: str) -> dg.AssetExecutionContext:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("experiments", [experiment_id])
    return dg.build_asset_context(partition_key=experiment_id, instance=instance)


def _seed(url: str, experiment_id: str, *, built: list[bool], deploy_error: bool = False) -> None:
    """A control measured by the panel, one suggestion per entry of `built`; built ones get a variant."""
    with session_scope(url) as session:
        control = Variant(experiment_id=experiment_id, type="control", key="control")
        session.add(control)
        session.flush()
        measured = [control]
        for rank, ok in enumerate(built, start=1):
            suggestion = Suggestion(experiment_id=experiment_id, rank=rank, title=f"Change {rank}")
            session.add(suggestion)
            session.flush()
            session.add(Solve(experiment_id=experiment_id, suggestion_id=suggestion.id, repo_url="r", matrix={},
                              status="completed" if ok else "failed",
                              error_message=None if ok else f"no listing found for change {rank}\ntraceback..."))
            if ok:
                variant = Variant(experiment_id=experiment_id, type="experiment", key=f"v{rank}",
                                  suggestion_id=suggestion.id, suggestion=suggestion.title,
                                  deploy_status="error" if deploy_error else "ready",
                                  deploy_logs="build failed (exit 1)" if deploy_error else None)
                session.add(variant)
                session.flush()
                if not deploy_error:
                    measured.append(variant)
        for variant in measured:
            for i in range(10):
                session.add(BrowserSession(
                    experiment_id=experiment_id, variant_id=variant.id, browser_task_id=f"{variant.key}-{i}",
                    task_prompt="p", stage="browser_results", success=i % 2 == 0, n_actions=8, duration_ms=900.0,
                    console_errors=0, a11y_violations=0, lcp_ms=300.0, status="completed"))


def test_nothing_built_is_the_outcome_not_keeping_the_baseline(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id, built=[False, False, False])
    result = variant_metrics(_context(experiment_id), **app_resources)
    reason = result.metadata["champion_reason"]
    assert reason.startswith("nothing to compare: 0 of 3 variants built")
    assert "no listing found for change 2" in reason and "traceback" not in reason
    assert "keeping the baseline" not in reason
    with session_scope(app_url) as session:
        assert session.get(Experiment, experiment_id).champion_reason == reason
        report = experiment_report(session, experiment_id)
    assert report["build"]["built"] == 0 and report["build"]["suggestions"] == 3
    assert [n["suggestion"] for n in report["build"]["not_built"]] == ["Change 1", "Change 2", "Change 3"]


def test_a_partial_build_is_stated_beside_the_verdict(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id, built=[True, False])
    result = variant_metrics(_context(experiment_id), **app_resources)
    assert "(1 of 2 variants built: 'Change 2' — no listing found for change 2)" in result.metadata["champion_reason"]


def test_everything_built_adds_nothing_to_the_verdict(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id, built=[True, True])
    result = variant_metrics(_context(experiment_id), **app_resources)
    assert "variants built" not in result.metadata["champion_reason"]
    assert result.metadata["variants_built"] == "2 of 2 variants built"


def test_a_variant_that_failed_to_deploy_is_not_comparable(app_url: str, app_resources: Resources):
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id, built=[True], deploy_error=True)
    with session_scope(app_url) as session:
        summary = build_summary(session, experiment_id)
    assert (summary.built, summary.deployed, summary.comparable) == (1, 0, 0)
    assert summary.line() == "1 of 1 variant built; 1 failed to deploy: 'Change 1' — build failed (exit 1)"
    result = variant_metrics(_context(experiment_id), **app_resources)
    assert result.metadata["champion_reason"].startswith("nothing to compare: 1 of 1 variant built; 1 failed")


def test_variants_chosen_without_tests_are_stated(app_url: str):
    # An app with no tests: its variants rest on their behavioural checks alone, and the account says so.
    experiment_id = make_experiment(app_url)
    _seed(app_url, experiment_id, built=[True, True])
    with session_scope(app_url) as session:
        ranked = session.query(Solve).join(Suggestion, Solve.suggestion_id == Suggestion.id).order_by(Suggestion.rank)
        for solve, no_tests in zip(ranked.all(), (True, False), strict=True):
            run = SolveRun(solve_id=solve.id, experiment_id=experiment_id, model="m", temperature=0.0, max_edits=1,
                           evolution="baseline", suggestion="s", implementation_prompt="p", status="completed",
                           diagnostics={"no_tests": True} if no_tests else {"command": "pytest"})
            session.add(run)
            session.flush()
            solve.champion_run_id = run.id
    with session_scope(app_url) as session:
        built = build_summary(session, experiment_id)
        report = experiment_report(session, experiment_id)
    assert built.without_tests == ("Change 1",)
    assert built.line() == "2 of 2 variants built; the app has no tests, so 1 was chosen on behavioural checks alone"
    assert report["build"]["without_tests"] == ["Change 1"]


@pytest.mark.parametrize(("built", "without", "said"), [
    (1, ("A",), "1 of 2 variants built; the app has no tests, so it was chosen on behavioural checks alone"),
    (2, ("A", "B"), "2 of 2 variants built; the app has no tests, so all were chosen on behavioural checks alone"),
    (2, (), "2 of 2 variants built"),
])
def test_the_build_line_says_which_variants_rest_on_behavioural_checks(built: int, without: tuple, said: str):
    assert BuildSummary(suggestions=2, built=built, without_tests=without).line() == said
