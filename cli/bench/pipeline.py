"""Benchmark the main job: the demo experiment on the bundled shop, end to end, and the sensor.

Figures: wall time of the whole run; time inside the stage bodies (agent work — sandboxes, browser
panels, code agents — plus each stage's own database writes), taken from stage_runs; the
orchestration overhead (Dagster, run bookkeeping, process plumbing) as a fraction of the total;
and the sensor's tick time with 500 experiments in the app database.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import select

from db.experiments import create_experiment
from db.migrate import PROJECT_ROOT, ensure_schema
from db.models import StageRun
from db.session import get_engine, session_scope
from settings import get_settings

SENSOR_EXPERIMENTS = 500
TARGET_OVERHEAD = 0.10
TARGET_SENSOR_S = 1.0


def _isolated(tmp: Path, quick: bool) -> dict[str, str | None]:
    """Point settings at a scratch data dir; return the previous environment to restore."""
    changes = {"VARIANTLAB_DATA_DIR": str(tmp / "data"), "VARIANTLAB_DATABASE_URL": f"sqlite:///{tmp / 'app.db'}",
               "DAGSTER_HOME": str(tmp / "dagster")}
    if quick:
        changes |= {"VARIANTLAB_BROWSER__SESSIONS_PER_FLOW": "1", "VARIANTLAB_BROWSER__MIN_SESSIONS_PER_VARIANT": "1",
                    "VARIANTLAB_BROWSER__MAX_SESSIONS_PER_VARIANT": "1",  # one round of the variant panel
                    "VARIANTLAB_CODE__TEMPERATURES": "[0.0]"}
    previous = {key: os.environ.get(key) for key in changes}
    os.environ.update(changes)
    get_settings.cache_clear()
    get_engine.cache_clear()
    return previous


def _restore(previous: dict[str, str | None]) -> None:
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    get_engine.cache_clear()


def _pipeline(console: Console) -> dict[str, Any]:
    from cli.run_cmd import run_experiment

    ensure_schema()
    with session_scope() as session:
        experiment_id = create_experiment(session, repo=str(PROJECT_ROOT / "examples" / "shop"),
                                          goal="Users can't find products easily").id
    started = time.monotonic()
    code = run_experiment(experiment_id, None, console=console)
    total = time.monotonic() - started
    with session_scope() as session:
        runs = session.scalars(select(StageRun).where(StageRun.experiment_id == experiment_id)).all()
        stages = {r.stage: (r.completed_at - r.started_at).total_seconds() for r in runs if r.completed_at}
    inside = sum(stages.values())
    return {
        "pipeline_ok": code == 0,
        "pipeline_wall_s": round(total, 2),
        "inside_stages_s": round(inside, 2),
        "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
        "orchestration_overhead_fraction": round((total - inside) / total, 4) if total else None,
        "target_overhead_fraction": TARGET_OVERHEAD,
    }


def _sensor(n: int) -> dict[str, Any]:
    import dagster as dg

    from pipelines.resources import AppDatabase, AppSettings
    from pipelines.sensors import new_experiments_sensor

    examples = PROJECT_ROOT / "examples" / "shop"
    with session_scope() as session:
        for i in range(n):
            create_experiment(session, repo=str(examples), goal=f"benchmark goal {i}")
    instance = dg.DagsterInstance.ephemeral()
    timings, cursor, requested = [], None, 0
    while True:
        # The benchmark's own environment configures it, as it does the CLI.
        resources = {"database": AppDatabase(), "settings": AppSettings()}
        with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
            started = time.monotonic()
            result = new_experiments_sensor(context)
            timings.append(time.monotonic() - started)
        if not result.run_requests:
            break
        requested += len(result.run_requests)
        for request in result.dynamic_partitions_requests:
            instance.add_dynamic_partitions("experiments", list(request.partition_keys))
        cursor = result.cursor
    return {"sensor_experiments": n, "sensor_runs_requested": requested,
            "sensor_tick_max_s": round(max(timings), 4), "sensor_ticks": len(timings),
            "target_sensor_tick_s": TARGET_SENSOR_S}


def run(quick: bool = False) -> dict[str, Any]:
    console = Console(stderr=True, quiet=quick)
    with tempfile.TemporaryDirectory(prefix="variantlab-bench-") as tmp:
        previous = _isolated(Path(tmp), quick)
        try:
            figures = _pipeline(console)
            figures |= _sensor(50 if quick else SENSOR_EXPERIMENTS)
        finally:
            _restore(previous)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["quick"] = quick
    return figures
