"""A realistic experiment written straight through the ORM (and the evaluation service), for dashboard tests.

Shop experiment: control + 2 variants from 2 suggestions, a solve per suggestion with a 2×2
model × temperature matrix and a champion run, panel sessions with screenshots, panel metrics with
a champion variant, a playground with evaluations, timeline events, logs, and a failed stage run.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from pathlib import Path
from typing import Any

from analysis.arm_intervals import arm_intervals
from analysis.bradley_terry import bradley_terry
from analysis.rows import MetricRow
from analysis.srm import srm_test
from db.base import utcnow
from db.evaluation_stats import evaluation_stats, pairwise_preferences, preference_comparisons
from db.evaluations import QuestionSpec, arms_for_experiment, create_playground, submit_evaluation
from db.experiments import add_event, create_experiment
from db.models import (
    BrowserSession,
    ExecutionLog,
    Experiment,
    Solve,
    SolveRun,
    StageRun,
    Suggestion,
    SystemStat,
    TestFlow,
    TestSession,
    User,
    Variant,
    VariantMetric,
)
from db.models.enums import STAGES
from db.queries import questions as list_questions
from db.session import session_scope
from db.stored_statistics import store_human_statistics, store_panel_statistics
from settings import get_settings

EXAMPLE_SHOP = str(Path(__file__).resolve().parents[2] / "examples" / "shop")
QUESTIONS = [
    QuestionSpec("Could you find the product you wanted?", "select",
                 [{"label": "Yes", "value": "yes"}, {"label": "Partly", "value": "partly"}, {"label": "No", "value": "no"}]),
    QuestionSpec("What was confusing?", "input_string", required=False),
]


def png(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (64, 40)) -> str:
    """A real (tiny, solid-colour) PNG, so st.image and the browser test load an actual file."""
    width, height = size
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return str(path)


def _users(s: Any) -> dict[str, User]:
    people = {
        "admin": User(email="admin@example.com", full_name="Ada Admin", role="admin"),
        "analyst": User(email="ana@example.com", full_name="Ana Lyst", role="analyst"),
        "tester": User(email="tess@example.com", full_name="Tess Ter", role="tester"),
        "tester2": User(email="tom@example.com", full_name="Tom Ter", role="tester"),
    }
    s.add_all(people.values())
    s.flush()
    return people


def _variants(s: Any, exp: Experiment) -> dict[str, Variant]:
    titles = [("Add a search box above the product list", "search"),
              ("Add category filter buttons", "category_filter")]
    suggestions = [Suggestion(experiment_id=exp.id, rank=i + 1, title=t, recipe=r, addresses_issues=["slow to find"],
                              rationale=f"Users paged through 6 listing pages; {r} lets them jump to the product.")
                   for i, (t, r) in enumerate(titles)]
    s.add_all(suggestions)
    s.flush()
    variants = {"control": Variant(experiment_id=exp.id, type="control", key="control", deploy_status="ready",
                                   public_url="http://127.0.0.1:9/control",
                                   analysis={"success": False, "summary": "Users paged through every listing page.",
                                             "insights": ["no search"], "issues": ["No way to search or filter"]})}
    for i, sug in enumerate(suggestions, start=1):
        variants[f"v{i}"] = Variant(
            experiment_id=exp.id, type="experiment", key=f"v{i}", suggestion_id=sug.id, suggestion=sug.title,
            deploy_status="ready", public_url=f"http://127.0.0.1:9/v{i}",
            patch=f"--- a/index.html\n+++ b/index.html\n@@ -1,2 +1,3 @@\n <h1>Shop</h1>\n+<input id=\"{sug.recipe}\">\n",
            analysis={"success": True, "summary": f"Users used the {sug.recipe} to find products.", "insights": [],
                      "issues": []})
    s.add_all(variants.values())
    s.flush()
    return variants


def _solves(s: Any, exp: Experiment, variants: dict[str, Variant], admin: User) -> None:
    for key in ("v1", "v2"):
        variant = variants[key]
        solve = Solve(experiment_id=exp.id, suggestion_id=variant.suggestion_id, user_id=admin.id,
                      repo_url=exp.repo_url, status="completed", max_parallel=2, time_budget_s=300,
                      matrix={"experiments": []})
        s.add(solve)
        s.flush()
        runs = []
        for m, model in enumerate(("offline-recipe", "offline-recipe-alt")):
            for t, temperature in enumerate((0.0, 0.7)):
                ok = not (m == 1 and t == 1)
                runs.append(SolveRun(
                    solve_id=solve.id, experiment_id=exp.id, model=model, temperature=temperature, max_edits=20,
                    evolution="baseline", status="completed" if ok else "failed", phase="testing", progress=100,
                    suggestion=variant.suggestion, implementation_prompt="Implement the suggestion.",
                    tests_passed=ok, goal_checks_passed=ok, loc_changed=12 + 5 * m + 3 * t, files_changed=1 + m,
                    files_modified=["index.html"], tokens=900 + 100 * m + 50 * t, latency_ms=1200 + 300 * t,
                    diff=variant.patch, implementation_summary=f"Added the {key} change to index.html",
                    error_message=None if ok else "tests failed: test_listing",
                    retry_count=0 if ok else 1,
                    diagnostics={"command": "python3 -m unittest discover -s tests -q", "stdout_tail": "OK",
                                 "stderr_tail": "" if ok else "FAIL: test_listing"},
                    trajectory_data={"exit_status": "finished", "total_steps": 2, "steps": [
                        {"action": "read_file", "file": "index.html", "timestamp": "2026-01-01T10:00:00Z"},
                        {"action": "edit_file", "file": "index.html", "timestamp": "2026-01-01T10:00:03Z"}]},
                    started_at=utcnow(), completed_at=utcnow()))
        s.add_all(runs)
        s.flush()
        solve.champion_run_id = runs[0].id
        solve.champion_reason = "tests and goal checks pass; fewest lines changed (12) among 3 passing runs"
        variant.source_run_id = runs[0].id
        add_event(s, exp.id, "run_completed", stage="variant_implementations", run_id=runs[0].id,
                  title=f"{key}: champion run chosen", status="completed", progress=100)
        add_event(s, exp.id, "run_retry", stage="variant_implementations", run_id=runs[3].id,
                  title=f"{key}: retrying a failed run", status="pending")


def _panel(s: Any, exp: Experiment, variants: dict[str, Variant]) -> None:
    shots = get_settings().artifacts_dir / "screens" / exp.id
    colours = {"control": (200, 80, 80), "v1": (80, 170, 90), "v2": (80, 110, 200)}
    rates = {"control": 0.4, "v1": 0.9, "v2": 0.6}
    rng = random.Random(7)
    # The statuses the pipeline writes (assets/test_flows.py): the session is "ready" and its flows stay
    # "pending"; a flow has run when browser sessions exist for it.
    test_session = TestSession(experiment_id=exp.id, name="panel", prompt=exp.goal, status="ready",
                               total_flows=1)
    s.add(test_session)
    s.flush()
    flow = TestFlow(session_id=test_session.id, name="find a product", description="Find a lamp",
                    instructions="Find the desk lamp and add it to the cart", order=0)
    s.add(flow)
    s.flush()
    for key, variant in variants.items():
        shot = png(shots / f"{key}.png", colours[key])
        for i in range(10):
            ok = rng.random() < rates[key]
            s.add(BrowserSession(
                experiment_id=exp.id, variant_id=variant.id, test_session_id=test_session.id, flow_id=flow.id,
                browser_task_id=f"bt_{key}_{i}", task_prompt="Find the desk lamp", persona="hurried", seed=i,
                status="completed", success=ok, n_actions=rng.randint(4, 20), duration_ms=rng.uniform(2e3, 9e3),
                screenshots=[shot], result={"success": ok, "summary": "", "insights": [], "issues": []}))
    # (absolute effect, its interval, p), (relative effect, its interval, p_rel), adjusted p, chance to win
    effects = {"v1": ((0.5, 0.2, 0.8, 0.0005), (1.25, 0.6, 1.9, 0.0008), 0.001, 0.99),
               "v2": ((0.2, -0.05, 0.45, 0.1), (0.5, -0.1, 1.1, 0.12), 0.2, 0.8)}
    rows: list[MetricRow] = []
    for key, variant in variants.items():
        n, mean = 10, rates[key]
        row = VariantMetric(experiment_id=exp.id, variant_id=variant.id, metric="task_success", type="binomial",
                            n=n, sum=n * mean, sum_squares=n * mean, mean=mean)
        guard = VariantMetric(experiment_id=exp.id, variant_id=variant.id, metric="console_errors", type="mean",
                              is_guardrail=True, n=n, sum=1.0, sum_squares=1.0, mean=0.1)
        if key in effects:
            (diff, abs_low, abs_high, p), (rel, low, high, p_rel), p_adj, win = effects[key]
            row.effect_abs, row.ci_abs_low, row.ci_abs_high, row.p_value = diff, abs_low, abs_high, p
            row.effect_rel, row.ci_low, row.ci_high, row.p_value_rel = rel, low, high, p_rel
            row.p_value_adjusted, row.chance_to_win, row.significant = p_adj, win, p_adj < 0.05
            guard.effect_abs, guard.ci_abs_low, guard.ci_abs_high = 0.0, -0.03, 0.04
            guard.effect_rel, guard.ci_low, guard.ci_high = 0.0, -0.3, 0.4
            guard.guardrail_status = "ok" if key == "v1" else "inconclusive"
        s.add_all([row, guard])
        rows += [MetricRow(variant=key, metric=m.metric, type=m.type, n=m.n, sum=m.sum, sum_squares=m.sum_squares)
                 for m in (row, guard)]
    # What variant_metrics stores beside its rows: the sample ratio check and each arm's own interval.
    store_panel_statistics(s, exp.id, srm_test(dict.fromkeys(variants, 10)), arm_intervals(rows))


def _operations(s: Any, exp: Experiment, failed_exp: Experiment) -> None:
    start = utcnow() - dt.timedelta(minutes=30)
    for i, stage in enumerate(STAGES[:-1]):  # all but evaluation_metrics
        s.add(StageRun(experiment_id=exp.id, stage=stage, status="completed", progress=100, dagster_run_id=f"run{i}",
                       started_at=start + dt.timedelta(minutes=i), completed_at=start + dt.timedelta(minutes=i + 1)))
    s.add(StageRun(experiment_id=failed_exp.id, stage="control_analysis", status="failed", progress=30,
                   dagster_run_id="run-failed", error_message="SandboxError: preview did not start within 20 s",
                   started_at=start, completed_at=start + dt.timedelta(seconds=20)))
    failed_exp.status = "failed"
    for level, message in (("info", "panel started"), ("debug", "page loaded"), ("warning", "slow LCP 3.1 s"),
                           ("error", "console error: TypeError in cart.js")):
        s.add(ExecutionLog(experiment_id=exp.id, stage="browser_results", level=level, message=message))
    for i in range(5):
        s.add(SystemStat(timestamp=start + dt.timedelta(minutes=5 * i), active_sessions=i % 3, active_browsers=2 * (i % 3),
                         total_flows_executed=3 * i))
    add_event(s, exp.id, "champion_selected", stage="variant_metrics", title="Champion variant: v1",
              status="completed")


def _evaluations(exp: Experiment, people: dict[str, User], url: str) -> str:
    with session_scope(url) as s:
        arms = arms_for_experiment(s, exp.id, max_evaluations=5)
        playground = create_playground(s, experiment_id=exp.id, name="Shop: which version?", type="ab_testing",
                                       created_by=people["admin"].id, arms=arms, questions=QUESTIONS,
                                       restricted_emails=None)
        playground_id = playground.id
    with session_scope(url) as s:
        qs = list_questions(s, playground_id)
        select_id = next(q["id"] for q in qs if q["question_type"] == "select")
        text_id = next(q["id"] for q in qs if q["question_type"] == "input_string")
        for who, ratings in (("tester", {"control": 2, "v1": 5}), ("tester2", {"control": 3, "v1": 4, "v2": 3})):
            user = s.get(User, people[who].id)
            for key, rating in ratings.items():
                submit_evaluation(s, playground_id, user, key,
                                  {select_id: "yes" if rating >= 4 else "no", text_id: f"{key} felt {rating}/5"},
                                  rating)
    with session_scope(url) as s:  # what evaluation_metrics stores: per-arm intervals and the ranking
        rows = [MetricRow(**{k: r[k] for k in ("variant", "metric", "type", "n", "sum", "sum_squares")})
                for r in evaluation_stats(s, playground_id) if r["n"] > 0]
        ranking = bradley_terry(preference_comparisons(pairwise_preferences(s, playground_id)), n_bootstrap=500)
        store_human_statistics(s, exp.id, playground_id, arm_intervals(rows), ranking)
    return playground_id


def seed(url: str) -> dict[str, Any]:
    """Write the scenario into the database at `url` (at schema head); return the ids tests need."""
    with session_scope(url) as s:
        people = _users(s)
        exp = create_experiment(s, repo=EXAMPLE_SHOP, goal="Users can't find products easily", name="shop-find",
                                created_by_id=people["analyst"].id)
        failed_exp = create_experiment(s, repo=EXAMPLE_SHOP, goal="Checkout feels slow", name="shop-checkout",
                                       created_by_id=people["analyst"].id)
        variants = _variants(s, exp)
        _solves(s, exp, variants, people["admin"])
        _panel(s, exp, variants)
        _operations(s, exp, failed_exp)
        exp.status, exp.workflow_status = "completed", "beta"
        exp.champion_variant_id = variants["v1"].id
        exp.champion_reason = "v1 raises task success by +125% (Holm p = 0.001) with no guardrail harm"
        ids = {"experiment_id": exp.id, "failed_experiment_id": failed_exp.id,
               "users": {k: u.id for k, u in people.items()}, "variants": {k: v.id for k, v in variants.items()}}
    ids["playground_id"] = _evaluations(exp, people, url)
    return ids
