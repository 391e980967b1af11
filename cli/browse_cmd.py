"""`variantlab browse`: a scout maps a live site, flows derived from the goal, a simulated-user panel."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from cli.errors import UserError


def browse(url: str, goal: str, sessions: int, as_json: bool) -> int:
    from agents.browser.analysis import analyze_panel
    from agents.browser.chromium import BrowserError
    from agents.browser.panel import run_panel
    from agents.browser.scout import scout
    from agents.llm.factory import get_provider
    from agents.llm.tasks import derive_flows
    from settings import get_settings

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"--url must be an http(s) URL, got {url!r}")
    if sessions < 1:
        raise UserError("--sessions must be at least 1")
    if not goal.strip():
        raise UserError("--goal must not be empty")
    settings = get_settings()
    try:
        provider = get_provider(llm=settings.llm, data_dir=settings.resolved_data_dir)
        flows = derive_flows(goal, scout(url, browser=settings.browser), provider).value.flows
        results = run_panel(
            {"site": url},
            flows,
            sessions_per_flow=sessions,
            concurrency=settings.browser.concurrency,
            artifacts_dir=settings.artifacts_dir / "browse",
            settings=settings,
        )
    except BrowserError as exc:
        raise UserError(str(exc)) from None
    analysis = analyze_panel(results)
    if as_json:
        print(
            json.dumps(
                {
                    "flows": [f.model_dump(mode="json") for f in flows],
                    "sessions": [r.model_dump(mode="json") for r in results],
                    "analysis": analysis.model_dump(mode="json"),
                },
                indent=2,
            )
        )
        return 0
    _print(flows, results, analysis)
    return 0


def _print(flows: list, results: list, analysis: object) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Sessions")
    for column in ("flow", "persona", "ok", "actions", "seconds", "outcome"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.flow_name,
            r.persona,
            "yes" if r.success else "no",
            str(r.n_actions),
            f"{r.duration_ms / 1000:.1f}",
            r.summary,
        )
    console.print(table)
    console.print(f"[bold]{analysis.summary}[/bold]")  # type: ignore[attr-defined]
    for label, lines in (("insight", analysis.insights), ("issue", analysis.issues)):  # type: ignore[attr-defined]
        for line in lines:
            console.print(f"{label}: {line}", markup=False, highlight=False)
