"""The `variantlab` command line. Each command imports its implementation lazily so the CLI starts fast."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

try:  # typer vendors click (0.2x); its usage errors derive from the public typer.TyperException
    from typer._click.exceptions import NoArgsIsHelpError
except ImportError:  # pragma: no cover - an older typer on click
    from click.exceptions import NoArgsIsHelpError

from cli.errors import check_configuration, describe, one_line


class _OneLineUsageErrors(TyperGroup):
    """A usage error (unknown command, missing or malformed option) is one line like every other
    refusal, with the help command to run, not a framed box."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):  # type: ignore[no-untyped-def,override]
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except NoArgsIsHelpError as exc:
            typer.echo(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.TyperException as exc:
            ctx = getattr(exc, "ctx", None)
            see = f" (see {ctx.command_path} --help)" if ctx is not None else ""
            typer.echo(f"error: {one_line(exc.format_message())}{see}", err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(cls=_OneLineUsageErrors, no_args_is_help=True, add_completion=False,
                  help="Autonomous UX experimentation.")
db_app = typer.Typer(no_args_is_help=True, help="The app database.")
experiment_app = typer.Typer(no_args_is_help=True, help="Create and list experiments.")
sandbox_app = typer.Typer(no_args_is_help=True, help="Run a target repo's code in a sandbox.")
app.add_typer(db_app, name="db")
app.add_typer(experiment_app, name="experiment")
app.add_typer(sandbox_app, name="sandbox")

BENCHES = ("sandbox", "bringup", "browser", "agents", "pipeline", "stats", "dashboard", "scaleout")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code)


def _guard(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Check the configuration, then run the command; an error the user can fix, anywhere below
    (cli/errors.py describe), becomes a one-line message and exit code 2."""
    try:
        check_configuration()
        return fn(*args, **kwargs)
    except Exception as exc:  # describe() picks the user's errors; the rest re-raise
        message = describe(exc)
        if message is None:
            raise
        _fail(message)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the app database schema to the latest revision."""
    from db.migrate import upgrade_to_head

    url = _guard(upgrade_to_head)
    typer.echo(f"database at head: {url}")


@experiment_app.command("create")
def experiment_create(
    repo: Annotated[str, typer.Option(help="https or ssh git URL, or a local git repository / bundled example")],
    goal: Annotated[str, typer.Option(help="the user problem to address")],
    branch: Annotated[str | None, typer.Option(help="branch or ref to start from")] = None,
    suggestions: Annotated[
        int | None, typer.Option(help="how many UX changes to propose [default: VARIANTLAB_EXPERIMENT__NUM_SUGGESTIONS, 3]")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print as JSON")] = False,
) -> None:
    """Create an experiment (validated; nothing is written on bad input)."""
    from cli.experiment_cmd import create

    _guard(create, repo=repo, goal=goal, branch=branch, num_suggestions=suggestions, as_json=as_json)


@experiment_app.command("list")
def experiment_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List experiments, newest first."""
    from cli.experiment_cmd import list_experiments

    _guard(list_experiments, as_json=as_json)


@app.command("run")
def run(
    experiment_id: Annotated[str, typer.Argument(metavar="EXP_ID")],
    stage: Annotated[str | None, typer.Option(help="re-materialise this stage and what is downstream")] = None,
) -> None:
    """Materialise every stage of an experiment, or one stage and everything downstream."""
    from cli.run_cmd import run_experiment

    code = _guard(run_experiment, experiment_id, stage)
    raise typer.Exit(code or 0)


@app.command("report")
def report(
    experiment_id: Annotated[str, typer.Argument(metavar="EXP_ID")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The experiment as data: variants, metrics with intervals, solves, champions, statuses."""
    from cli.report_cmd import report as build_report

    _guard(build_report, experiment_id, as_json=as_json)


@app.command("ship")
def ship(
    experiment_id: Annotated[str, typer.Argument(metavar="EXP_ID")],
    variant: Annotated[str | None, typer.Option(help="the variant to ship [default: the champion]")] = None,
    force: Annotated[bool, typer.Option(help="ship without the champion's approval, or over a branch of others")] = False,
    remote: Annotated[str | None, typer.Option(help="git remote to push to [default: the repo's own remote]")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The champion as a branch (on GitHub, a pull request) with the evidence; shipping again updates it."""
    from cli.ship_cmd import ship as run_ship

    _guard(run_ship, experiment_id, variant=variant, force=force, remote=remote, as_json=as_json)


@app.command("demo")
def demo() -> None:
    """The main job on the embedded defaults: experiments on the bundled apps, end to end."""
    from cli.demo_cmd import demo as run_demo

    code = _guard(run_demo)
    raise typer.Exit(code or 0)


@sandbox_app.command("exec", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def sandbox_exec(
    ctx: typer.Context,
    repo: Annotated[str, typer.Option(help="local path (or git URL) of the repo")],
    ref: Annotated[str | None, typer.Option(help="git ref to check out")] = None,
) -> None:
    """Run one command in a fresh sandbox: variantlab sandbox exec --repo PATH -- CMD..."""
    from cli.sandbox_cmd import exec_command

    if not ctx.args:
        _fail("give the command after --, e.g. variantlab sandbox exec --repo PATH -- ls")
    code = _guard(exec_command, repo, ref, list(ctx.args))
    raise typer.Exit(code)


@sandbox_app.command("serve")
def sandbox_serve(
    repo: Annotated[str | None, typer.Option(help="the repo to preview")] = None,
    ref: Annotated[str | None, typer.Option()] = None,
    experiment: Annotated[str | None, typer.Option(help="serve every variant of this experiment for testers")] = None,
) -> None:
    """Start the app's preview (or every variant of an experiment) in sandboxes; serve until interrupted."""
    if (repo is None) == (experiment is None):
        _fail("give either --repo PATH or --experiment EXP_ID")
    if experiment is not None:
        from cli.serve_variants import serve_experiment

        _guard(serve_experiment, experiment)
        return
    from cli.sandbox_cmd import serve

    _guard(serve, repo, ref)


@app.command("browse")
def browse(
    url: Annotated[str, typer.Option()],
    goal: Annotated[str, typer.Option()],
    sessions: Annotated[int, typer.Option(help="simulated users per flow")] = 2,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run the browser panel on any live site and print each session and the analysis."""
    from cli.browse_cmd import browse as run_browse

    raise typer.Exit(_guard(run_browse, url=url, goal=goal, sessions=sessions, as_json=as_json) or 0)


@app.command("implement")
def implement(
    repo: Annotated[str, typer.Option()],
    suggestion: Annotated[str, typer.Option()],
    agent: Annotated[str, typer.Option(help="recipe | tool")] = "recipe",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run one solve (a matrix of code-agent runs) for one suggestion and print the champion."""
    from cli.implement_cmd import implement as run_implement

    raise typer.Exit(
        _guard(run_implement, repo=repo, suggestion=suggestion, agent=agent, as_json=as_json) or 0
    )


@app.command("analyze")
def analyze(
    input: Annotated[str, typer.Option("--input", help="CSV: variant,metric,type,n,sum,sum_squares")],
    baseline: Annotated[str | None, typer.Option(help="baseline variant (default: the first)")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The statistics engine on per-variant sufficient statistics."""
    from cli.analyze_cmd import analyze as run_analyze

    raise typer.Exit(_guard(run_analyze, input_path=input, baseline=baseline, as_json=as_json) or 0)


@app.command("detect")
def detect(
    repo: Annotated[str, typer.Option(help="local checkout of the app")],
    as_json: Annotated[bool, typer.Option("--json", help="the plan as JSON")] = False,
) -> None:
    """The bring-up plan (install, build, setup, start, test, static root) and the evidence for each choice."""
    from cli.detect_cmd import detect as run_detect

    raise typer.Exit(_guard(run_detect, repo=repo, as_json=as_json) or 0)


@app.command("dashboard")
def dashboard(port: Annotated[int, typer.Option()] = 8501) -> None:
    """Start the Streamlit dashboard on 127.0.0.1."""
    from cli.dashboard_cmd import serve_dashboard

    raise typer.Exit(_guard(serve_dashboard, port=port) or 0)


@app.command("dispatch")
def dispatch(
    experiment_id: Annotated[str, typer.Argument(metavar="EXP_ID")],
    stage: Annotated[str | None, typer.Option(help="re-materialise this stage and what is downstream")] = None,
    run_config: Annotated[str | None, typer.Option(
        help="the run config whose `celery` block names the broker and queue; default: pipelines/instance/celery_run.yaml")] = None,
) -> None:
    """Like run, with each stage executed by a `variantlab worker` (Celery) instead of this process."""
    from cli.dispatch_cmd import dispatch_experiment

    code = _guard(dispatch_experiment, experiment_id, stage, run_config)
    raise typer.Exit(code or 0)


@app.command("worker")
def worker(
    run_config: Annotated[str | None, typer.Option(
        help="the run config whose `celery` block names the broker and queue; default: pipelines/instance/celery_run.yaml")] = None,
    name: Annotated[str | None, typer.Option(help="node name, unique among the workers; default: a random one")] = None,
    concurrency: Annotated[int, typer.Option(help="steps this worker runs at once")] = 1,
) -> None:
    """Run experiment steps sent by runs on the Celery executor, until stopped (needs the celery extra)."""
    from cli.worker_cmd import serve

    raise typer.Exit(_guard(serve, run_config, name, concurrency) or 0)


@app.command("bench")
def bench(
    name: Annotated[str, typer.Argument(help=" | ".join(BENCHES))],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    quick: Annotated[bool, typer.Option(help="a small, fast version (used by tests)")] = False,
) -> None:
    """Run a benchmark and print its figures."""
    if name not in BENCHES:
        _fail(f"unknown benchmark {name!r}; choose one of: {', '.join(BENCHES)}")
    import importlib

    module = importlib.import_module(f"cli.bench.{name}")
    result = _guard(module.run, quick=quick)
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
    else:
        for key, value in result.items():
            typer.echo(f"{key:>32}: {value}")


def main() -> None:  # pragma: no cover - console entry
    app(prog_name="variantlab")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
