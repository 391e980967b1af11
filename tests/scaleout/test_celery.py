"""Scale-out for real: an experiment's steps on two Celery workers (local RabbitMQ, PostgreSQL for the
app and for Dagster), started with the commands docs/operations.md gives. Without RabbitMQ or the
celery extra this module skips, saying which; under CI=true it fails instead."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import func, select

from cli.bench.scaleout import (
    DEFAULT_BROKER,
    FAST_SETTINGS,
    ScaleoutSite,
    Worker,
    create_experiment,
    local_workers,
    scaleout_site,
    stop_worker,
    variantlab,
)
from db.migrate import PROJECT_ROOT
from db.models import BrowserSession, Experiment, StageRun, Variant
from db.session import session_scope
from pipelines.hooks import StepAttempt, step_attempts
from pipelines.jobs import MAIN_STAGES
from tests.conftest import in_ci, system_chromium
from tests.pipelines.conftest import environment_resources
from tests.pipelines.test_end_to_end import _instance, _materialize

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.postgres]

APP, GOAL = "signup", "Users abandon sign-up because the form is confusing"  # the smallest bundled app


def _unavailable(message: str) -> None:
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _broker() -> str:
    url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER)
    try:
        import dagster_celery  # noqa: F401
        from kombu import Connection
    except ImportError:
        _unavailable("dagster-celery is not installed: uv sync --extra celery")
    with Connection(url, connect_timeout=3) as conn:
        try:
            conn.ensure_connection(max_retries=1)
        except Exception as exc:  # noqa: BLE001 - any connection problem means the same thing here
            _unavailable(f"RabbitMQ not reachable at {conn.as_uri()}: {exc.__class__.__name__}: {exc}")
    return url


@pytest.fixture(scope="module")
def site(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaleoutSite]:
    broker = _broker()
    system_chromium()
    with scaleout_site(pg_server, broker, tmp_path_factory.mktemp("scaleout")) as site:
        site.env.update(FAST_SETTINGS)
        yield site


@pytest.fixture(scope="module")
def workers(site: ScaleoutSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Worker]]:
    with local_workers(site, 2, tmp_path_factory.mktemp("worker-logs")) as workers:
        yield workers


@pytest.fixture
def here(site: ScaleoutSite, monkeypatch: pytest.MonkeyPatch) -> ScaleoutSite:
    """This process sees the site's settings too: its app database, its Dagster storage."""
    for key, value in site.env.items():
        if key.startswith(("VARIANTLAB_", "DAGSTER_PG_", "DAGSTER_HOME")):
            monkeypatch.setenv(key, value)
    return site


def _run_attempts(site: ScaleoutSite, experiment_id: str) -> list[StepAttempt]:
    instance = dg.DagsterInstance.from_config(site.env["DAGSTER_HOME"])
    try:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": experiment_id}))
        return step_attempts(instance, runs[0].run_id) if runs else []
    finally:
        instance.dispose()


def _browser_pool(site: ScaleoutSite, experiment_id: str) -> tuple[int, list[str]]:
    """The `browser` pool's limit and who holds its slots (a step of this experiment's run, or another)."""
    instance = dg.DagsterInstance.from_config(site.env["DAGSTER_HOME"])
    try:
        ours = {r.run_id for r in instance.get_runs(filters=dg.RunsFilter(tags={"dagster/partition": experiment_id}))}
        info = instance.event_log_storage.get_concurrency_info("browser")
        return info.slot_count, [s.step_key if s.run_id in ours else "another run" for s in info.claimed_slots]
    finally:
        instance.dispose()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _outcome(url: str, experiment_id: str) -> dict[str, object]:
    """What the experiment came to: its variants, the panel's sessions per arm, and the verdict."""
    with session_scope(url) as s:
        variants = s.scalars(select(Variant).where(Variant.experiment_id == experiment_id)).all()
        per_arm = dict(s.execute(
            select(Variant.key, func.count(BrowserSession.id)).join(BrowserSession, BrowserSession.variant_id == Variant.id)
            .where(Variant.experiment_id == experiment_id, BrowserSession.stage == "browser_results")
            .group_by(Variant.key)).all())
        experiment = s.get(Experiment, experiment_id)
        champion = next((v.key for v in variants if v.id == experiment.champion_variant_id), None)
        return {"variants": sorted((v.key, v.type, v.suggestion, v.deploy_status) for v in variants),
                "sessions_per_arm": per_arm, "verdict": (experiment.status, champion, experiment.champion_reason)}


def test_an_experiment_on_two_workers_matches_an_in_process_run(here: ScaleoutSite, workers: list[Worker]):
    experiment_id = create_experiment(here, APP, GOAL)
    done = variantlab(here, "dispatch", experiment_id, "--run-config", str(here.run_config))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    attempts = _run_attempts(here, experiment_id)
    assert set(MAIN_STAGES) <= {a.step_key for a in attempts}
    by_node = {w.node: w for w in workers}
    for attempt in attempts:
        # Each step ran in a step process of the worker that took it, on this host: not in `dispatch`.
        assert attempt.finished and attempt.host == socket.gethostname(), attempt
        assert attempt.worker in by_node and _parent(attempt.pid) == by_node[attempt.worker].process.pid, attempt
        assert f"{attempt.step_key}: pid {attempt.pid} on {attempt.host} (worker {attempt.worker})" in done.stdout
    # Both did work: the broker hands each step to an idle worker in turn, and the run has ten steps.
    assert {a.worker for a in attempts} == set(by_node), [(a.step_key, a.worker) for a in attempts]
    on_workers = _outcome(here.app_url, experiment_id)
    assert on_workers["verdict"][0] == "completed" and len(on_workers["variants"]) > 1, on_workers
    assert len(set(on_workers["sessions_per_arm"].values())) == 1, on_workers  # the same panel on every arm

    # The same experiment again, every stage in this one process: the same variants, panel and verdict.
    assert _materialize(_instance(experiment_id), experiment_id, environment_resources()).success
    assert _outcome(here.app_url, experiment_id) == on_workers


def test_a_worker_killed_mid_step_hands_the_step_to_the_other_worker(here: ScaleoutSite, workers: list[Worker],
                                                                     tmp_path: Path):
    experiment_id = create_experiment(here, APP, GOAL)
    assert _materialize(_instance(experiment_id), experiment_id, environment_resources(), MAIN_STAGES[:4]).success  # up to the variants
    out = tmp_path / "dispatch.out"
    dispatch = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "dispatch", experiment_id, "--stage", "browser_results",
         "--run-config", str(here.run_config)],
        env=here.env, cwd=PROJECT_ROOT, stdout=out.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            taken = [a for a in _run_attempts(here, experiment_id) if a.step_key == "browser_results"]
            with session_scope(here.app_url) as s:
                running = s.scalars(select(StageRun).where(StageRun.experiment_id == experiment_id,
                                                           StageRun.stage == "browser_results",
                                                           StageRun.status == "running")).first()
            if taken and running is not None:
                break
            assert dispatch.poll() is None and time.monotonic() < deadline, out.read_text()[-3000:]
            time.sleep(0.3)
        # The panel runs on a worker, and the one `browser` slot is held for it: pools bound workers too.
        assert _browser_pool(here, experiment_id) == (1, ["browser_results"])
        killed = next(w for w in workers if w.node == taken[0].worker)
        survivor = next(w for w in workers if w is not killed)
        time.sleep(1.5)  # well inside the panel
        stop_worker(killed, signal.SIGKILL)  # the worker and its step process, as when its machine dies
        with session_scope(here.app_url) as s:
            # The stage writes its sessions in one transaction at its end: nothing of the killed attempt.
            assert s.scalar(select(func.count()).select_from(BrowserSession).where(
                BrowserSession.experiment_id == experiment_id, BrowserSession.stage == "browser_results")) == 0
        code = dispatch.wait(timeout=300)
    finally:
        if dispatch.poll() is None:
            os.killpg(dispatch.pid, signal.SIGKILL)
    output = out.read_text()
    assert code == 0, output[-3000:]
    assert f"browser_results: worker {killed.node} was lost during the step" in output

    attempts = [a for a in _run_attempts(here, experiment_id) if a.step_key == "browser_results"]
    assert [(a.worker, a.finished) for a in attempts] == [(killed.node, False), (survivor.node, True)], attempts
    assert _parent(attempts[-1].pid) == survivor.process.pid
    with session_scope(here.app_url) as s:
        runs = s.execute(select(StageRun.status, StageRun.error_message).where(
            StageRun.experiment_id == experiment_id, StageRun.stage == "browser_results")
            .order_by(StageRun.started_at)).all()
        assert [tuple(r) for r in runs] == [("failed", "superseded: the run was interrupted"), ("completed", None)]
        task_ids = s.scalars(select(BrowserSession.browser_task_id).where(
            BrowserSession.experiment_id == experiment_id, BrowserSession.stage == "browser_results")).all()
        assert task_ids and len(task_ids) == len(set(task_ids))  # each session once: no rows from the killed attempt
    outcome = _outcome(here.app_url, experiment_id)
    assert outcome["verdict"][0] == "completed"
    assert set(outcome["sessions_per_arm"]) == {key for key, *_ in outcome["variants"]}
    assert len(set(outcome["sessions_per_arm"].values())) == 1, outcome
