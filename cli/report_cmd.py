"""`variantlab report EXP_ID [--json]`."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agents.sandbox.base import describe_plan
from analysis.stopping import stop_summary
from cli.errors import UserError, printable
from db.experiments import UnknownExperiment
from db.migrate import ensure_schema
from db.report import experiment_report
from db.session import session_scope


def load_report(experiment_id: str) -> dict:
    ensure_schema()
    with session_scope() as session:
        try:
            return experiment_report(session, experiment_id)
        except UnknownExperiment as exc:
            raise UserError(str(exc)) from exc


def report(experiment_id: str, *, as_json: bool) -> None:
    data = load_report(experiment_id)
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    console = Console()
    if not console.is_terminal:
        # Piped output would otherwise be squeezed to 80 columns and wrap every interval (as in analyze).
        console = Console(width=160)
    print_report(data, console)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}%"


def _pp(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}"


def _p(x: float | None) -> str:
    return "—" if x is None else f"{x:.3g}"


def _difference(m: dict | None) -> str:
    """Task success minus the control's, in percentage points, with the interval the p-value inverts."""
    if m is None or m["effect_abs"] is None:
        return "—"
    low, high = m["ci_abs"]
    return f"{_pp(m['effect_abs'])} [{_pp(low)}, {_pp(high)}]"


def _for_terminal(value: Any) -> Any:
    """Every text in the report as the terminal should show it: text from users, repos and pages
    carries no live escape sequence and no Rich markup."""
    if isinstance(value, str):
        return escape(printable(value))
    if isinstance(value, dict):
        return {key: _for_terminal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_for_terminal(item) for item in value]
    return value


def print_report(data: dict, console: Console) -> None:
    data = _for_terminal(data)
    console.print(f"[bold]{data['id']}[/] {data['name']} — {data['status']}")
    console.print(f"goal: {data['goal']}")
    plan = data.get("bringup_plan")
    if plan:
        console.print(f"app: {describe_plan(plan)}")
    if data["error"]:
        console.print(f"[red]error:[/] {data['error']}")
    # The interval shown is the absolute one, beside the p-values it goes with (p, and the Holm-adjusted p
    # the decision uses); the relative change is a point estimate, labelled so (its own interval and p
    # are in --json as ci_rel and p_value_rel).
    table = Table("variant", "suggestion", "sessions", "task success", "vs control, pp (95% CI)", "p", "adj. p",
                  "relative", "P(beat ctrl)")
    for variant in data["variants"]:
        success = next((m for m in variant["metrics"] if m["metric"] == "task_success" and m["source"] == "panel"), None)
        table.add_row(
            variant["key"] + (" ★" if variant["key"] == data["champion_variant"] else ""),
            (variant["suggestion"] or "(control)")[:48], str(variant["sessions"]),
            f"{success['mean']:.0%}" if success and success["mean"] is not None else "—",
            _difference(success),
            _p(success["p_value"]) if success else "—",
            _p(success["p_value_adjusted"]) if success else "—",
            _pct(success["effect_rel"]) if success else "—",
            f"{success['chance_to_win']:.0%}" if success and success["chance_to_win"] is not None else "—",
        )
    console.print(table)
    panel = data.get("panel") or {}
    if panel.get("stop_reason"):
        console.print(f"panel: {stop_summary(panel['stop_reason'], panel['rounds'], panel['sessions_per_arm'])}")
    if data.get("build"):
        console.print(f"built: {data['build']['summary']}")
    console.print(f"champion: [bold]{data['champion_variant'] or 'none'}[/] — {data['champion_reason'] or ''}")
    for variant in data["variants"]:
        if variant.get("pr_url"):
            console.print(f"shipped {variant['key']}: {variant['pr_url']}")
