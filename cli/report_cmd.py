"""`variantlab report EXP_ID [--json]`."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from cli.errors import UserError
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
    print_report(data, Console())


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}%"


def print_report(data: dict, console: Console) -> None:
    console.print(f"[bold]{data['id']}[/] {data['name']} — {data['status']}")
    console.print(f"goal: {data['goal']}")
    if data["error"]:
        console.print(f"[red]error:[/] {data['error']}")
    table = Table("variant", "suggestion", "sessions", "task success", "vs control (95% CI)", "adj. p", "P(beat ctrl)")
    for variant in data["variants"]:
        success = next((m for m in variant["metrics"] if m["metric"] == "task_success" and m["source"] == "panel"), None)
        ci = success["ci_rel"] if success else [None, None]
        table.add_row(
            variant["key"] + (" ★" if variant["key"] == data["champion_variant"] else ""),
            (variant["suggestion"] or "(control)")[:48], str(variant["sessions"]),
            f"{success['mean']:.0%}" if success and success["mean"] is not None else "—",
            f"{_pct(success['effect_rel'])} [{_pct(ci[0])}, {_pct(ci[1])}]" if success and success["effect_rel"] is not None else "—",
            f"{success['p_value_adjusted']:.3g}" if success and success["p_value_adjusted"] is not None else "—",
            f"{success['chance_to_win']:.0%}" if success and success["chance_to_win"] is not None else "—",
        )
    console.print(table)
    console.print(f"champion: [bold]{data['champion_variant'] or 'none'}[/] — {data['champion_reason'] or ''}")
