"""`variantlab demo`: the main job on the embedded defaults, on the bundled example apps."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cli.report_cmd import load_report
from cli.run_cmd import run_experiment
from db.experiments import create_experiment
from db.migrate import PROJECT_ROOT, ensure_schema
from db.session import session_scope
from settings import get_settings

# Two suggestions per app keep the demo within two minutes on two cores with a panel large enough
# for the statistics to decide.
DEMO_SUGGESTIONS = 2
DEMO_EXPERIMENTS = (
    ("shop", "Users can't find products easily"),
    ("signup", "Users abandon sign-up because the form is confusing"),
)


def demo(examples_dir: Path | None = None, console: Console | None = None) -> int:
    console = console or Console()
    examples_dir = examples_dir or PROJECT_ROOT / "examples"
    settings = get_settings()
    url = ensure_schema()
    console.print(f"[bold]variantlab demo[/] — offline defaults: local sandboxes, simulated users in Chromium, "
                  f"recipe code agent, heuristic LLM.\napp database: {url}")
    started = time.monotonic()
    ids: list[str] = []
    failures = 0
    for app, goal in DEMO_EXPERIMENTS:
        with session_scope() as session:
            experiment = create_experiment(session, repo=str(examples_dir / app), goal=goal, name=f"demo-{app}",
                                           num_suggestions=DEMO_SUGGESTIONS)
            ids.append(experiment.id)
        console.rule(f"{app}: {goal}")
        failures += run_experiment(experiment.id, None, console=console) != 0
    summary = Table("experiment", "app", "status", "variants", "champion", title="Demo results")
    reasons = []
    for experiment_id in ids:
        data = load_report(experiment_id)
        summary.add_row(experiment_id, data["name"], data["status"], str(len(data["variants"])),
                        data["champion_variant"] or "none")
        reasons.append(f"[bold]{data['name']}[/]: {data['champion_reason'] or data['error'] or ''}")
    console.print(summary)
    for line in reasons:
        console.print(line)
    console.print(f"finished in {time.monotonic() - started:.0f}s")
    # The project's own environment: these work verbatim in a new shell, whether or not uv is on PATH.
    console.print("details:   .venv/bin/variantlab report EXP_ID")
    console.print("dashboard: .venv/bin/variantlab dashboard   (then open http://127.0.0.1:8501)")
    console.print(f"Dagster UI: DAGSTER_HOME={settings.resolved_dagster_home} .venv/bin/dagster dev -w workspace.yaml")
    return 1 if failures else 0
