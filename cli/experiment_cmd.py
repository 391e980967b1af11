"""`variantlab experiment create|list`."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agents.sandbox.appconfig import check_local_app
from agents.sandbox.base import SandboxError
from cli.errors import UserError, printable
from db.experiments import InvalidInput, create_experiment, default_num_suggestions
from db.experiments import list_experiments as query_experiments
from db.migrate import ensure_schema
from db.session import session_scope
from db.validation import (
    validate_branch,
    validate_goal,
    validate_num_suggestions,
    validate_ref_exists,
    validate_repo,
)


def create(*, repo: str, goal: str, branch: str | None, num_suggestions: int | None, as_json: bool) -> None:
    """`num_suggestions` None (--suggestions not given): VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS."""
    try:
        # Validate before touching the database at all, so bad input creates not even a file.
        location = validate_repo(repo)
        validate_ref_exists(location, validate_branch(branch))
        try:
            check_local_app(location)
        except SandboxError as exc:
            raise InvalidInput(str(exc)) from exc
        validate_goal(goal)
        if num_suggestions is None:
            num_suggestions = default_num_suggestions()
        validate_num_suggestions(num_suggestions)
        ensure_schema()
        with session_scope() as session:
            experiment = create_experiment(
                session, repo=repo, goal=goal, branch=branch, num_suggestions=num_suggestions
            )
            payload = experiment_row(experiment)
    except InvalidInput as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
    else:
        typer.echo(f"created {payload['id']}  ({payload['repo_url']})")
        typer.echo(f"next: variantlab run {payload['id']}")


def list_experiments(*, as_json: bool) -> None:
    ensure_schema()
    with session_scope() as session:
        rows = [experiment_row(e) for e in query_experiments(session)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        typer.echo("no experiments yet; create one with: variantlab experiment create --repo PATH --goal TEXT")
        return
    table = Table("id", "status", "name", "goal", "created")
    for row in rows:
        # Goals written before control characters were refused must not drive the terminal either.
        table.add_row(row["id"], row["status"], escape(printable(row["name"])), escape(printable(row["goal"][:60])),
                      row["created_at"][:19])
    Console().print(table)


def experiment_row(experiment) -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": experiment.id,
        "name": experiment.name,
        "repo_url": experiment.repo_url,
        "branch": experiment.base_branch,
        "goal": experiment.goal,
        "status": experiment.status,
        "workflow_status": experiment.workflow_status,
        "num_suggestions": experiment.num_suggestions,
        "created_at": experiment.created_at.isoformat(),
        "champion_variant_id": experiment.champion_variant_id,
        "error": experiment.error_message,
    }
