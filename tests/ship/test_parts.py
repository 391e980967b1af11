"""The pure parts of shipping: which remote is GitHub, what is printed of a URL, the evidence's wording."""

import base64
from dataclasses import replace

import pytest

from agents.ship.git import auth_env, shown
from agents.ship.github import GitHubRepo, github_repo
from db.shipping import MetricLine, ShipCandidate
from shipping.evidence import SUBJECT_CHARS, primary_line, title
from shipping.evidence import tests_line as baseline_tests_line


@pytest.mark.parametrize(("remote", "expected"), [
    ("https://github.com/acme/shop.git", GitHubRepo("acme", "shop")),
    ("https://github.com/acme/shop", GitHubRepo("acme", "shop")),
    ("https://bot:secret@github.com/acme/shop.git", GitHubRepo("acme", "shop")),
    ("git@github.com:acme/shop.git", GitHubRepo("acme", "shop")),
    ("ssh://git@github.com/acme/my.shop.git", GitHubRepo("acme", "my.shop")),
    ("https://gitlab.com/acme/shop.git", None),
    ("https://github.com/acme", None),
    ("/srv/git/shop.git", None),
])
def test_github_remotes(remote: str, expected: GitHubRepo | None):
    assert github_repo(remote, "github.com") == expected


@pytest.mark.parametrize(("url", "expected"), [
    ("https://bot:secret@github.com/acme/shop.git", "https://github.com/acme/shop.git"),
    ("https://git.example.com:8443/a/b.git", "https://git.example.com:8443/a/b.git"),
    ("git@github.com:acme/shop.git", "git@github.com:acme/shop.git"),
    ("/srv/git/shop.git", "/srv/git/shop.git"),
])
def test_a_remote_is_shown_without_credentials(url: str, expected: str):
    assert shown(url) == expected


def test_the_token_is_a_header_for_the_github_host_only(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GIT_CONFIG_COUNT", raising=False)
    env = auth_env("https://github.com/acme/shop.git", "github.com", "tok")
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    assert base64.b64decode(env["GIT_CONFIG_VALUE_0"].removeprefix("Authorization: Basic ")) == b"x-access-token:tok"
    assert auth_env("https://evil.example/acme/shop.git", "github.com", "tok") == {}
    assert auth_env("git@github.com:acme/shop.git", "github.com", "tok") == {}
    assert auth_env("https://github.com/acme/shop.git", "github.com", None) == {}


ACTIONS = MetricLine(metric="actions", type="mean", control_mean=12.0, mean=9.5, effect_abs=-2.5, ci_abs_low=-4.0,
                     ci_abs_high=-1.0, p_value_adjusted=0.012, significant=True, is_guardrail=False,
                     guardrail_status=None, error_code=None)


def _line(**changes: object) -> MetricLine:
    return replace(ACTIONS, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("line", "expected"), [
    (_line(), "actions: 12 → 9.5, -2.5 (95% CI -4 to -1; adjusted p = 0.012)"),
    (_line(metric="task_success", type="binomial", control_mean=0.5, mean=0.625, effect_abs=0.125,
           ci_abs_low=-0.05, ci_abs_high=0.3),
     "task_success: 50% → 62%, +12.5 pp (95% CI -5.0 pp to +30.0 pp; adjusted p = 0.012)"),
    (_line(metric="task_success", type="binomial", control_mean=0.1, mean=0.9, effect_abs=0.8,
           ci_abs_low=0.4, ci_abs_high=1.295),  # a normal interval on few sessions overshoots
     "task_success: 10% → 90%, +80.0 pp (95% CI +40.0 pp to +100.0 pp; adjusted p = 0.012)"),
    (_line(effect_abs=-0.8, ci_abs_low=-1.3, ci_abs_high=-0.3),  # a mean is not bounded: shown as computed
     "actions: 12 → 9.5, -0.8 (95% CI -1.3 to -0.3; adjusted p = 0.012)"),
    (_line(effect_abs=None), "actions: 12 → 9.5 (no comparison)"),
    (None, "not measured"),
])
def test_primary_metric_wording(line: MetricLine | None, expected: str):
    assert primary_line(line) == expected


def test_the_title_fits_a_subject_line():
    candidate = ShipCandidate(
        experiment_id="exp_0000000000000000", experiment_name="shop", repo_url="/r", base_branch=None, goal="g",
        champion_reason=None, variant_id="var_1", variant_key="v12", is_champion=True, approved=True,
        approved_by=None, suggestion_title="x" * 200, suggestion_rationale="", run_id="ca_1", patch="",
        run_model="m", run_strategy="baseline", run_completed_at=None, files_modified=(), tests_passed=True,
        tests_note=None, no_tests=False, sessions=(), primary=None, guardrails=(), shipped_url=None)
    assert len(title(candidate)) == SUBJECT_CHARS and title(candidate).endswith("… (v12)")
    assert title(replace(candidate, suggestion_title="Add a search box")) == "Add a search box (v12)"


def test_the_tests_line_says_when_the_app_has_no_tests():
    candidate = ShipCandidate(
        experiment_id="exp_0000000000000000", experiment_name="shop", repo_url="/r", base_branch=None, goal="g",
        champion_reason=None, variant_id="var_1", variant_key="v1", is_champion=True, approved=True,
        approved_by=None, suggestion_title="t", suggestion_rationale="", run_id="ca_1", patch="",
        run_model="m", run_strategy="baseline", run_completed_at=None, files_modified=(), tests_passed=None,
        tests_note="the app has no test command", no_tests=True, sessions=(), primary=None, guardrails=(),
        shipped_url=None)
    assert baseline_tests_line(candidate) == "none: the app has no tests; chosen on its behavioural check"
    assert baseline_tests_line(replace(candidate, no_tests=False, tests_note=None)) == "not run"
    assert baseline_tests_line(replace(candidate, no_tests=False, tests_passed=True, tests_note="3 passed")) == "kept (3 passed)"
