"""`variantlab run` after a run was killed with SIGKILL, and while another run holds a pool slot.

The other run is a real process that registers a run on the same Dagster instance and claims the
only `browser` slot through the instance API, as a run in the middle of browser_results does."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import select

from db.migrate import upgrade_to_head
from db.models import Experiment, StageRun
from db.session import session_scope
from tests.pipelines.conftest import make_experiment

HOLD_BROWSER_SLOT = textwrap.dedent("""
    import time, uuid
    import dagster as dg
    from dagster._core.events import DagsterEventType
    from pipelines.instances import get_instance, process_tags

    instance = get_instance()
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="__ASSET_JOB", run_id=run_id, tags=process_tags()))
    instance.report_dagster_event(dg.DagsterEvent(DagsterEventType.RUN_START.value, "__ASSET_JOB"), run_id)
    assert instance.event_log_storage.claim_concurrency_slot("browser", run_id, "browser_results").is_claimed
    print(run_id, flush=True)
    time.sleep(600)
""")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for name, value in {"VARIANTLAB_DATABASE_URL": url, "VARIANTLAB_DATA_DIR": str(tmp_path / "data"),
                        "DAGSTER_HOME": str(tmp_path / "dagster"), "COLUMNS": "300"}.items():
        monkeypatch.setenv(name, value)
    upgrade_to_head(url)
    return dict(os.environ)


@pytest.fixture
def holder(env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A process holding the `browser` slot for its run; (process, run id)."""
    process = subprocess.Popen([sys.executable, "-c", HOLD_BROWSER_SLOT], env=env, stdout=subprocess.PIPE, text=True)
    run_id = process.stdout.readline().strip()  # type: ignore[union-attr]
    assert run_id, "the holder did not start"
    yield process, run_id
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def _instance() -> dg.DagsterInstance:
    from pipelines.instances import get_instance

    return get_instance()


def _browser_holders() -> set[str]:
    return _instance().event_log_storage.get_concurrency_info("browser").active_run_ids


def _run(experiment_id: str, env: dict[str, str], out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli.main", "run", experiment_id, "--stage", "browser_results"],
                            env=env, stdout=out.open("w"), stderr=subprocess.STDOUT)


def test_a_run_killed_holding_a_slot_is_recovered_by_the_next_run(env: dict[str, str], holder, tmp_path: Path):
    process, dead_run = holder
    experiment_id = make_experiment(env["VARIANTLAB_DATABASE_URL"])
    with session_scope() as session:  # the killed run was in the middle of browser_results
        session.add(StageRun(experiment_id=experiment_id, stage="browser_results", status="running",
                             dagster_run_id=dead_run))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _browser_holders() == {dead_run}  # nothing gives the slot back by itself

    started = time.monotonic()
    out = tmp_path / "run.out"
    done = _run(experiment_id, env, out)
    assert done.wait(timeout=180) == 1  # browser_results got its slot, then found no flows to run
    output = " ".join(out.read_text().split())
    assert time.monotonic() - started < 60, output
    assert (f"recovered run {dead_run[:8]}: its process (pid {process.pid}) is gone; marked it failed and freed "
            "its `browser` slot") in output
    assert "browser_results failed: StageInputMissing: no test flows for this experiment" in output
    assert "Traceback" not in output and "waiting for" not in output

    assert _instance().get_run_by_id(dead_run).status == dg.DagsterRunStatus.FAILURE
    assert _browser_holders() == set()
    with session_scope() as session:
        killed = session.scalars(select(StageRun).where(StageRun.dagster_run_id == dead_run)).one()
        assert killed.status == "failed"
        assert killed.error_message == f"interrupted: the run was killed (its process (pid {process.pid}) is gone)"
        assert session.get(Experiment, experiment_id).status == "failed"  # browser_results' own failure


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_waiting_for_a_live_run_says_who_and_stops_on_a_signal(env: dict[str, str], holder, tmp_path: Path,
                                                               signum: int):
    process, live_run = holder
    experiment_id = make_experiment(env["VARIANTLAB_DATABASE_URL"])
    out = tmp_path / "run.out"
    waiting = _run(experiment_id, env, out)
    try:
        expected = f"waiting for a `browser` slot held by run {live_run[:8]} (pid {process.pid}, running since "
        deadline = time.monotonic() + 120
        while expected not in out.read_text():
            assert waiting.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.3)
        signalled = time.monotonic()
        waiting.send_signal(signum)
        assert waiting.wait(timeout=15) == 128 + signum
        assert time.monotonic() - signalled < 5
    finally:
        if waiting.poll() is None:
            waiting.kill()
    lines = out.read_text().strip().splitlines()
    name = signal.Signals(signum).name
    assert lines[-1].startswith(f"stopped by {name} while waiting for a `browser` slot held by run {live_run[:8]}: "
                                "run "), lines
    assert lines[-1].endswith(" canceled")
    assert "Traceback" not in out.read_text()
    (ours,) = [r for r in _instance().get_runs() if r.run_id != live_run]
    assert ours.status == dg.DagsterRunStatus.CANCELED
    assert _browser_holders() == {live_run}  # the live run keeps its slot; ours queues no more
    pending = _instance().event_log_storage.get_concurrency_info("browser").pending_steps
    assert [step.run_id for step in pending] == [live_run]
    with session_scope() as session:
        assert session.scalars(select(StageRun)).all() == []  # no stage started


def test_a_holder_that_dies_while_we_wait_is_recovered_and_the_run_goes_on(env: dict[str, str], holder,
                                                                          tmp_path: Path):
    process, holding_run = holder
    experiment_id = make_experiment(env["VARIANTLAB_DATABASE_URL"])
    with session_scope() as session:
        session.add(StageRun(experiment_id=experiment_id, stage="browser_results", status="running",
                             dagster_run_id=holding_run))
    out = tmp_path / "run.out"
    waiting = _run(experiment_id, env, out)
    try:
        deadline = time.monotonic() + 120
        while f"waiting for a `browser` slot held by run {holding_run[:8]}" not in out.read_text():
            assert waiting.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        assert waiting.wait(timeout=60) == 1  # it got the slot; browser_results then found no flows
    finally:
        if waiting.poll() is None:
            waiting.kill()
    output = " ".join(out.read_text().split())
    assert (f"recovered run {holding_run[:8]}: its process (pid {process.pid}) is gone; marked it failed and freed "
            "its `browser` slot") in output
    assert "browser_results failed: StageInputMissing: no test flows for this experiment" in output
    with session_scope() as session:
        assert session.scalars(select(StageRun.status).where(StageRun.dagster_run_id == holding_run)).one() == "failed"


SLOW_SUGGESTIONS = textwrap.dedent("""
    import subprocess, sys, time
    import assets.variant_suggestions as stage
    from cli.main import app

    def suggest(*args, **kwargs):
        # A server in its own session, as a sandbox's preview server is, that no `with` block stops.
        subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", sys.argv[2]],
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                time.sleep(120)
            except BaseException:
                if sys.argv[3] != "stuck":  # stuck: where Dagster's interrupt does not reach (a native call)
                    raise

    stage.suggest_changes = suggest
    app(["run", sys.argv[1], "--stage", "variant_suggestions"], prog_name="variantlab")
""")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(("signum", "stage"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "interrupted"),
                                               (signal.SIGTERM, "stuck")])
def test_a_signal_stops_a_running_stage_and_what_it_started_and_cancels_the_run(
        env: dict[str, str], tmp_path: Path, signum: int, stage: str):
    from db.models import Variant

    experiment_id = make_experiment(env["VARIANTLAB_DATABASE_URL"])
    with session_scope() as session:
        session.add(Variant(experiment_id=experiment_id, type="control", key="control", analysis={
            "success": False, "summary": "2/8 sessions completed", "insights": [], "issues": []}))
    out, port = tmp_path / "run.out", _free_port()
    running = subprocess.Popen([sys.executable, "-c", SLOW_SUGGESTIONS, experiment_id, str(port), stage], env=env,
                               stdout=out.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            with session_scope() as session:
                if session.scalars(select(StageRun).where(StageRun.status == "running")).first() and _listening(port):
                    break
            assert running.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.3)
        signalled = time.monotonic()
        running.send_signal(signum)
        assert running.wait(timeout=60) == 128 + signum, out.read_text()
        stopped_s = time.monotonic() - signalled
    finally:
        if running.poll() is None:
            running.kill()
    # Designed: at once when the stage is interrupted; 7 s and a 2 s grace for its children when it is stuck.
    assert stopped_s < (10 if stage == "interrupted" else 20), out.read_text()
    assert not _listening(port), "the stage's server outlived the run"
    name = signal.Signals(signum).name
    (run,) = _instance().get_runs()
    why = f"stopped by {name}" if stage == "interrupted" else \
        f"stopped by {name} and the running stage did not stop within 7s"
    expected = f"{why}: run {run.run_id[:8]} canceled"
    if stage == "interrupted":
        expected += (f", variant_suggestions interrupted; re-run from there: variantlab run {experiment_id} "
                     "--stage variant_suggestions")
    assert out.read_text().strip().splitlines()[-1] == expected
    assert run.status == dg.DagsterRunStatus.CANCELED
    events = {record.dagster_event.event_type_value for record in _instance().all_logs(run.run_id)
              if record.dagster_event}
    assert "STEP_UP_FOR_RETRY" not in events  # an interrupted stage is not started again
    with session_scope() as session:
        (row,) = session.scalars(select(StageRun)).all()
        assert (row.status, row.error_message, row.dagster_run_id) == ("failed", f"interrupted: {why}", run.run_id)
        assert row.completed_at is not None
        assert session.get(Experiment, experiment_id).status == "failed"


def test_telling_a_live_run_process_from_a_dead_one():
    from pipelines.instances import PID_TAG, PROCESS_START_TAG, process_tags, run_process_alive

    ours = process_tags()
    assert run_process_alive(ours) is True
    assert run_process_alive({**ours, PROCESS_START_TAG: "1"}) is False  # the pid was recycled
    assert run_process_alive({**ours, "variantlab/host": "another-machine"}) is None
    assert run_process_alive({}) is None  # not started by the CLI: run monitoring's business
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert run_process_alive({**ours, PID_TAG: str(gone.pid)}) is False
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert run_process_alive({**ours, PID_TAG: str(zombie.pid), PROCESS_START_TAG: ""}) is False  # killed, not reaped
    zombie.wait()


UNTAGGED_RUN = textwrap.dedent("""
    import time
    import dagster as dg
    from pipelines.instances import get_instance

    @dg.asset(pool="browser")
    def browser_results() -> None:
        print("holding", flush=True)
        time.sleep(600)

    # No variantlab tags: a run as variantlab started them before it tagged its runs with its pid.
    dg.materialize([browser_results], instance=get_instance())
""")


def test_a_run_without_pid_tags_is_left_while_its_process_lives_and_recovered_once_it_is_gone(env: dict[str, str]):
    from pipelines.instances import PID_TAG, recover_dead_runs

    process = subprocess.Popen([sys.executable, "-c", UNTAGGED_RUN], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "holding\n"  # type: ignore[union-attr]
        (run,) = _instance().get_runs()
        assert PID_TAG not in run.tags and run.status == dg.DagsterRunStatus.STARTED
        assert recover_dead_runs(_instance()) == []  # a live run of another process is not touched
        assert _instance().get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED
        assert _browser_holders() == {run.run_id}
    finally:
        process.kill()
        process.wait(timeout=30)

    (recovered,) = recover_dead_runs(_instance())
    assert recovered.line() == (f"recovered run {run.run_id[:8]}: its process (pid {process.pid}) is gone; "
                                "marked it failed and freed its `browser` slot")
    assert _instance().get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert _browser_holders() == set()


def test_a_run_without_pid_tags_whose_pid_was_recycled_is_recovered(env: dict[str, str]):
    """The pid its RUN_START recorded now belongs to a process that started after it."""
    import uuid

    from dagster._core.events import DagsterEvent, DagsterEventType
    from dagster._core.events.log import EventLogEntry

    from pipelines.instances import recover_dead_runs, run_process

    instance = _instance()
    newer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        runs = {}
        for label, started in {"before the process": time.time() - 3600, "after it started": time.time() + 5}.items():
            run_id = str(uuid.uuid4())
            instance.add_run(dg.DagsterRun(job_name="__ASSET_JOB", run_id=run_id, status=dg.DagsterRunStatus.STARTED))
            instance.store_event(EventLogEntry(
                error_info=None, level="DEBUG", user_message="", run_id=run_id, timestamp=started,
                dagster_event=DagsterEvent(DagsterEventType.RUN_START.value, "__ASSET_JOB", pid=newer.pid)))
            runs[label] = instance.get_run_by_id(run_id)
        assert run_process(instance, runs["after it started"]).alive is True  # may be its own process
        assert run_process(instance, runs["before the process"]).alive is False
        (recovered,) = recover_dead_runs(instance)
        assert recovered.run_id == runs["before the process"].run_id
        assert recovered.reason == f"its process (pid {newer.pid}) is gone"
        assert instance.get_run_by_id(runs["after it started"].run_id).status == dg.DagsterRunStatus.STARTED
    finally:
        newer.kill()
        newer.wait()


def test_a_run_without_pid_tags_or_a_start_event_is_never_judged(env: dict[str, str]):
    """Nothing says which process runs it (it is being started, or was made by hand): left alone."""
    import uuid

    from pipelines.instances import recover_dead_runs, run_process

    instance = _instance()
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="__ASSET_JOB", run_id=run_id, status=dg.DagsterRunStatus.STARTED))
    assert run_process(instance, instance.get_run_by_id(run_id)).alive is None
    assert recover_dead_runs(instance) == []
