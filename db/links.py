"""Addresses of an experiment's dashboard pages and of a Dagster run, from the configured base URLs.

Pure string functions, so the CLI, the Dagster tags, the dashboard and shipped pull requests all
link the same pages the same way. A page's path is its view's file name (dashboard/app.py).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode


def dashboard_page(dashboard_url: str, page: str, experiment_id: str | None = None) -> str:
    """`page` of the dashboard, showing `experiment_id` when given (the views read it from `?exp=`)."""
    query = f"?{urlencode({'exp': experiment_id})}" if experiment_id else ""
    return f"{dashboard_url.rstrip('/')}/{page}{query}"


def dagster_run(dagster_url: str, run_id: str) -> str:
    """The run's page in the Dagster UI."""
    return f"{dagster_url.rstrip('/')}/runs/{quote(run_id, safe='')}"
