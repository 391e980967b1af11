"""A target app in git with a bare remote, and an experiment whose champion changed it: what ships."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from db.models import Experiment, Solve, SolveRun, Suggestion, Variant, VariantMetric
from db.session import session_scope
from db.users import get_or_create_user

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOAL = "Users abandon sign-up because the form is confusing"
SUGGESTION = "Mark optional fields and drop the fax number"


def git(*args: str, cwd: Path | None = None, input: str | None = None) -> str:
    env = {"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "dev",
           "GIT_COMMITTER_EMAIL": "dev@example.com", "PATH": "/usr/bin:/bin", "HOME": str(cwd or "/tmp")}
    return subprocess.run(["git", *args], cwd=cwd, env=env, input=input, capture_output=True, text=True,
                          check=True).stdout.strip()


@dataclass(frozen=True)
class GitWorld:
    checkout: Path  # the repository the experiment runs on; its origin is `remote`
    remote: Path  # a bare repository
    base: str  # main's commit on both


def make_git_world(root: Path, app: str = "signup") -> GitWorld:
    checkout, remote = root / "app", root / "remote.git"
    shutil.copytree(EXAMPLES / app, checkout)
    git("init", "--quiet", "--initial-branch=main", cwd=checkout)
    git("add", "--all", cwd=checkout)
    git("commit", "--quiet", "-m", "the app as it is", cwd=checkout)
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git("remote", "add", "origin", str(remote), cwd=checkout)
    git("push", "--quiet", "origin", "main", cwd=checkout)
    return GitWorld(checkout, remote, git("rev-parse", "HEAD", cwd=checkout))


def champion_patch(world: GitWorld) -> str:
    """A real change to the app (what a code agent's champion run stores), made and taken back."""
    page = world.checkout / "index.html"
    original = page.read_text()
    page.write_text(original.replace('<label for="fax">Fax</label>', '<label for="fax">Fax (optional)</label>'))
    patch = git("diff", cwd=world.checkout) + "\n"
    page.write_text(original)
    return patch


def remote_commit(world: GitWorld, mutate: str, message: str = "someone else's change") -> str:
    """Move the remote's main on: `mutate` replaces index.html's first line of the form."""
    clone = world.remote.parent / f"other-{message.replace(' ', '-')[:20]}"
    git("clone", "--quiet", str(world.remote), str(clone))
    page = clone / "index.html"
    page.write_text(page.read_text().replace('<label for="fax">Fax</label>', mutate))
    git("commit", "--quiet", "-am", message, cwd=clone)
    git("push", "--quiet", "origin", "main", cwd=clone)
    return git("rev-parse", "HEAD", cwd=clone)


def seed_shippable(url: str, world: GitWorld, *, approved: bool = True, champion: bool = True) -> str:
    """An experiment measured to the end: control and v1 (the champion, its run's diff), metrics, approval."""
    patch = champion_patch(world)
    done = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    with session_scope(url) as s:
        analyst = get_or_create_user(s, "ana@example.com", role="analyst")
        experiment = Experiment(name="signup", repo_url=str(world.checkout), goal=GOAL, status="completed",
                                workflow_status="in_review" if approved else "beta",
                                champion_reason="v1 raised task success (adjusted p = 0.004)")
        s.add(experiment)
        s.flush()
        suggestion = Suggestion(experiment_id=experiment.id, rank=1, title=SUGGESTION,
                                rationale="Half the panel stopped at the fax field")
        s.add(suggestion)
        s.flush()
        solve = Solve(experiment_id=experiment.id, suggestion_id=suggestion.id, repo_url=str(world.checkout),
                      matrix={"experiments": []}, status="completed")
        s.add(solve)
        s.flush()
        run = SolveRun(solve_id=solve.id, experiment_id=experiment.id, model="offline-recipe", temperature=0.0,
                       max_edits=20, evolution="baseline", status="completed", suggestion=SUGGESTION,
                       implementation_prompt=SUGGESTION, diff=patch, tests_passed=True,
                       files_modified=["index.html"], completed_at=done,
                       diagnostics={"baseline": "all 3 tests that passed on the control still pass"})
        s.add(run)
        s.flush()
        solve.champion_run_id = run.id
        control = Variant(experiment_id=experiment.id, type="control", key="control", deploy_status="ready")
        v1 = Variant(experiment_id=experiment.id, type="experiment", key="v1", suggestion_id=suggestion.id,
                     suggestion=SUGGESTION, source_run_id=run.id, patch=patch, deploy_status="ready")
        s.add_all([control, v1])
        s.flush()
        run.variant_id = v1.id
        for variant, mean, extra in ((control, 0.25, {}), (v1, 0.75, {
                "effect_abs": 0.5, "ci_abs_low": 0.21, "ci_abs_high": 0.79, "p_value": 0.002,
                "p_value_adjusted": 0.004, "significant": True})):
            s.add(VariantMetric(experiment_id=experiment.id, variant_id=variant.id, metric="task_success",
                                type="binomial", n=16, sum=16 * mean, sum_squares=16 * mean, mean=mean, **extra))
            s.add(VariantMetric(experiment_id=experiment.id, variant_id=variant.id, metric="console_errors",
                                type="mean", n=16, sum=0, sum_squares=0, mean=0.0, is_guardrail=True,
                                guardrail_status="ok" if variant is v1 else None))
        if champion:
            experiment.champion_variant_id = v1.id
        if approved:
            experiment.approved_by_id, experiment.approved_at = analyst.id, done
        return experiment.id
