"""`variantlab implement`: one solve (a matrix of code-agent runs) for one suggestion."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer

from cli.errors import UserError

GIT_URL = re.compile(r"^(https?://|ssh://|git@|file://)")
AGENTS = ("recipe", "tool")


def _matrix(agent: str) -> tuple[list, int, int]:
    from agents.code.outcome import RunConfig
    from agents.llm.factory import parse_model_spec, spec_from_settings
    from settings import get_settings

    code = get_settings().code
    models = [parse_model_spec(m) for m in code.models]
    if agent == "tool" and all(m.provider == "offline" for m in models):
        # The recipe models are not LLMs: the tool agent asks the configured LLM provider.
        models = [spec_from_settings(get_settings().llm)]
    matrix = [
        RunConfig(model=m, temperature=t, strategy=s, max_edits=code.max_edits)
        for m in models for t in code.temperatures for s in code.strategies
    ]
    return matrix, code.max_parallel, code.time_budget_s


def _line(run) -> str:  # type: ignore[no-untyped-def]
    c = run.config
    head = f"run {run.index}: {c.model.label} t={c.temperature:g} {c.strategy}: {run.status}"
    if run.status != "completed":
        return f"{head} ({run.error_message})"
    return (f"{head}; tests {'pass' if run.tests_passed else 'FAIL' if run.tests_passed is False else 'n/a'}; "
            f"goal checks {run.goal_checks_passed}; {run.files_changed} files, {run.loc_changed} lines; "
            f"{run.tokens} tokens; {run.latency_ms:.0f} ms")


def implement(repo: str, suggestion: str, agent: str, as_json: bool) -> int:
    if agent not in AGENTS:
        raise UserError(f"unknown agent {agent!r}; choose recipe or tool")
    if not suggestion.strip():
        raise UserError("the suggestion is empty; say what to change, e.g. --suggestion 'Add a search box'")
    if not GIT_URL.match(repo) and not Path(repo).is_dir():
        raise UserError(f"repo {repo!r} is neither a local folder nor a git URL")
    from agents.code.recipes.registry import RECIPES, resolve
    from agents.code.solve import run_solve
    from agents.schemas import SuggestionSpec
    from settings import get_settings

    if agent == "recipe" and resolve(suggestion, None) is None:
        # Said before any sandbox is made or anything installed: the offline agent knows only its recipes.
        raise UserError(f"the offline recipe agent has no recipe for {suggestion.strip()[:80]!r}; it knows: "
                        f"{', '.join(RECIPES)} (or use --agent tool with an LLM provider)")

    matrix, max_parallel, budget = _matrix(agent)
    spec = SuggestionSpec(title=suggestion.strip(), rationale="given on the command line")
    outcome = run_solve(repo, spec, matrix=matrix, max_parallel=max_parallel, time_budget_s=budget, agent=agent,
                        settings=get_settings())
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), indent=2, default=str))
    else:
        for run in outcome.runs:
            typer.echo(_line(run))
            for change in run.code_changes:
                typer.echo(f"    {change['file']}: {change['changes']}")
        typer.echo(f"champion: {outcome.champion_reason}")
    return 0 if outcome.champion_index is not None else 1
