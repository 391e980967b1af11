"""Benchmark scale-out: an experiment's wall time in-process against on two Celery workers.

Both sides run on the same PostgreSQL (app database and Dagster storage), with the same commands the
operations guide gives: `variantlab run` in one process; `variantlab worker` twice and `variantlab
dispatch`. On the 2-core machine this project runs on, two workers bring no speed-up (the stages are
CPU-bound and mostly sequential); the figures show what distribution costs, and that it runs.
The helpers here start and stop the local workers for the integration test as well.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.migrate import PROJECT_ROOT

DEFAULT_BROKER = "pyamqp://guest:guest@127.0.0.1:5672//"
DEFAULT_PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
# Small panel and one design per suggestion: the same settings as the pipeline tests, an experiment in ~1 min.
FAST_SETTINGS = {"VARIANTLAB_BROWSER__SESSIONS_PER_FLOW": "1", "VARIANTLAB_BROWSER__MIN_SESSIONS_PER_VARIANT": "1",
                 "VARIANTLAB_CODE__TEMPERATURES": "[0.0]", "VARIANTLAB_CODE__STRATEGIES": '["baseline"]'}
READY_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class ScaleoutSite:
    """One throwaway deployment: its environment (for every process) and its run config."""

    env: dict[str, str]
    run_config: Path
    app_url: str


@contextmanager
def scaleout_site(pg_admin_url: str, broker: str, workdir: Path) -> Iterator[ScaleoutSite]:
    """Two fresh PostgreSQL databases (app, Dagster), the production instance config, and a run config
    whose queue is this site's own, so that other runs on the same broker never take its steps."""
    token = secrets.token_hex(4)
    names = {"app": f"variantlab_scaleout_{token}", "dagster": f"dagster_scaleout_{token}"}
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_admin_url)
    home = workdir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    from pipelines.executors import CELERY_RUN_CONFIG
    from pipelines.instances import PRODUCTION_CONFIG

    shutil.copyfile(PRODUCTION_CONFIG, home / "dagster.yaml")
    config = yaml.safe_load(CELERY_RUN_CONFIG.read_text())
    config["execution"]["config"]["celery"]["config_source"]["task_default_queue"] = f"variantlab-{token}"
    run_config = workdir / "celery_run.yaml"
    run_config.write_text(yaml.safe_dump(config))
    app_url = url.set(database=names["app"]).render_as_string(hide_password=False)
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": url.host or "127.0.0.1",
           "DAGSTER_PG_PORT": str(url.port or 5432), "DAGSTER_PG_USER": url.username or "postgres",
           "DAGSTER_PG_PASSWORD": url.password or "", "DAGSTER_PG_DB": names["dagster"],
           "VARIANTLAB_DATABASE_URL": app_url, "VARIANTLAB_DATA_DIR": str(workdir / "data"),
           "CELERY_BROKER_URL": broker, "COLUMNS": "200"}
    try:
        yield ScaleoutSite(env, run_config, app_url)
    finally:
        _delete_queue(broker, f"variantlab-{token}")
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Worker:
    name: str
    node: str  # Celery's node name, as dagster-celery records it for each step it takes
    process: subprocess.Popen
    log: Path


@contextmanager
def local_workers(site: ScaleoutSite, count: int, logs: Path) -> Iterator[list[Worker]]:
    """`variantlab worker` `count` times on this machine, each in its own process group; ready on return."""
    workers: list[Worker] = []
    try:
        for i in range(1, count + 1):
            name = f"w{i}-{secrets.token_hex(2)}"
            log = logs / f"{name}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "worker", "--name", name, "--run-config", str(site.run_config)],
                env=site.env, cwd=PROJECT_ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
                start_new_session=True)
            workers.append(Worker(name, f"{name}@{socket.gethostname()}", process, log))
        for worker in workers:
            _wait_ready(worker)
        yield workers
    finally:
        for worker in workers:
            stop_worker(worker, signal.SIGTERM)


def stop_worker(worker: Worker, signum: int) -> None:
    """Signal the worker's whole process group (its step processes too); SIGKILL if it lingers."""
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signum)
        try:
            worker.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=30)


def _wait_ready(worker: Worker) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while f"{worker.node} ready." not in worker.log.read_text(errors="replace"):
        if worker.process.poll() is not None or time.monotonic() > deadline:
            tail = worker.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"worker {worker.name} did not become ready:\n{tail}")
        time.sleep(0.5)


def _delete_queue(broker: str, queue: str) -> None:
    from kombu import Connection

    # A queue left behind is harmless (and the broker may be gone already): never fail a teardown on it.
    with suppress(Exception), Connection(broker, connect_timeout=5) as conn:
        conn.default_channel.queue_delete(queue)
        conn.default_channel.exchange_delete(queue)


def variantlab(site: ScaleoutSite, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], check=False, env=site.env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def create_experiment(site: ScaleoutSite, app: str, goal: str) -> str:
    import json

    created = variantlab(site, "experiment", "create", "--repo", str(PROJECT_ROOT / "examples" / app),
                         "--goal", goal, "--json")
    if created.returncode != 0:
        raise RuntimeError(created.stderr or created.stdout)
    return json.loads(created.stdout)["id"]


def _timed(site: ScaleoutSite, *args: str) -> float:
    started = time.monotonic()
    done = variantlab(site, *args)
    if done.returncode != 0:
        raise RuntimeError(f"variantlab {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.monotonic() - started


def _inside_stages(site: ScaleoutSite, experiment_id: str) -> float:
    """Seconds inside the stage bodies (stage_runs): the rest of the wall time is process start-up,
    Dagster and, on workers, the broker round trip and the plan each worker rebuilds per step."""
    from sqlalchemy import select

    from db.models import StageRun
    from db.session import session_scope

    with session_scope(site.app_url) as session:
        runs = session.scalars(select(StageRun).where(StageRun.experiment_id == experiment_id,
                                                      StageRun.status == "completed")).all()
        return sum((r.completed_at - r.started_at).total_seconds() for r in runs)


def run(quick: bool = False) -> dict[str, Any]:
    app, goal = ("signup", "Users abandon sign-up because the form is confusing") if quick else \
        ("shop", "Users can't find products easily")
    broker = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="variantlab-bench-") as tmp, \
            scaleout_site(os.environ.get("BENCH_PG_URL", DEFAULT_PG_ADMIN), broker, Path(tmp)) as site:
        if quick:
            site.env.update(FAST_SETTINGS)
        local = create_experiment(site, app, goal)
        in_process = _timed(site, "run", local)
        with local_workers(site, 2, Path(tmp)) as workers:
            spread = create_experiment(site, app, goal)
            one = _timed(site, "dispatch", spread, "--run-config", str(site.run_config))
            both = [create_experiment(site, app, goal) for _ in range(2)]
            started = time.monotonic()
            pair = [subprocess.Popen([sys.executable, "-m", "cli.main", "dispatch", experiment_id,
                                      "--run-config", str(site.run_config)], env=site.env, cwd=PROJECT_ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for experiment_id in both]
            codes = [p.wait(timeout=1800) for p in pair]
            two = time.monotonic() - started
            if any(codes):
                raise RuntimeError(f"concurrent dispatches exited with {codes}")
            alive = sum(w.process.poll() is None for w in workers)
        outside = (in_process - _inside_stages(site, local), one - _inside_stages(site, spread))
    return {
        "app": app, "quick": quick, "workers": 2, "workers_alive_at_end": alive,
        "in_process_wall_s": round(in_process, 1),
        "two_workers_one_experiment_wall_s": round(one, 1),
        "two_workers_two_experiments_wall_s": round(two, 1),
        "slowdown_one_experiment": round(one / in_process, 2),
        "in_process_outside_stages_s": round(outside[0], 1),
        "two_workers_outside_stages_s": round(outside[1], 1),
        "cpu_cores": os.cpu_count(), "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
