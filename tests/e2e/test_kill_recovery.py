"""kill -9 in the middle of browser_results, then `variantlab run EXP --stage browser_results` again on
the same Dagster instance: it recovers the dead run's `browser` slot and completes unattended."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.migrate import upgrade_to_head
from db.models import BrowserSession, StageRun, Variant
from db.session import session_scope
from pipelines.jobs import MAIN_STAGES
from tests.pipelines.conftest import environment_resources, make_experiment
from tests.pipelines.test_end_to_end import _instance, _materialize

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _cli(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "cli.main", *args], env=env, **kwargs)


def test_the_run_after_a_kill_completes_unattended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = {"VARIANTLAB_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
                "VARIANTLAB_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "dagster"),
                "VARIANTLAB_BROWSER__SESSIONS_PER_FLOW": "1", "VARIANTLAB_BROWSER__MIN_SESSIONS_PER_VARIANT": "1",
                "VARIANTLAB_BROWSER__MAX_SESSIONS_PER_VARIANT": "1",
                "VARIANTLAB_CODE__TEMPERATURES": "[0.0]", "COLUMNS": "300"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    env = dict(os.environ)
    upgrade_to_head()
    experiment_id = make_experiment(settings["VARIANTLAB_DATABASE_URL"])
    # In process, on the environment the CLI run below shares: up to the variants.
    assert _materialize(_instance(experiment_id), experiment_id, environment_resources(), MAIN_STAGES[:4]).success

    killed = _cli("run", experiment_id, "--stage", "browser_results", env=env, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            with session_scope() as s:
                if s.scalars(select(StageRun).where(StageRun.stage == "browser_results",
                                                    StageRun.status == "running")).first():
                    break
            assert killed.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        time.sleep(1.5)  # well inside the panel, holding the only `browser` slot
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        if killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)

    started = time.monotonic()
    out = tmp_path / "rerun.out"
    rerun = _cli("run", experiment_id, "--stage", "browser_results", env=env, stdout=out.open("w"),
                 stderr=subprocess.STDOUT)
    assert rerun.wait(timeout=600) == 0, out.read_text()
    recovery_s = time.monotonic() - started
    output = " ".join(out.read_text().split())
    assert f"its process (pid {killed.pid}) is gone; marked it failed and freed its `browser` slot" in output
    assert "waiting for" not in output and "checks that did not pass" not in output
    print(f"recovered and re-measured in {recovery_s:.0f}s")
    with session_scope() as s:
        statuses = s.scalars(select(StageRun.status).where(StageRun.stage == "browser_results")
                             .order_by(StageRun.started_at)).all()
        assert statuses == ["failed", "completed"]
        per_variant = dict(s.execute(select(Variant.key, func.count(BrowserSession.id))
                                     .join(BrowserSession, BrowserSession.variant_id == Variant.id)
                                     .where(BrowserSession.stage == "browser_results").group_by(Variant.key)).all())
        variants = s.scalars(select(Variant.key).where(Variant.experiment_id == experiment_id)).all()
        # The same panel on every variant, as a run that was never killed measures it.
        assert set(per_variant) == set(variants) and len(set(per_variant.values())) == 1, per_variant
    assert list((tmp_path / "data" / "sandboxes").iterdir()) == []
