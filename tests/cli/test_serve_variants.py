"""Serving an experiment's variants for human testers: live URLs, arms pointed at them."""

import threading
import time
import urllib.request

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from cli.serve_variants import serve_experiment
from db.experiments import create_experiment
from db.migrate import upgrade_to_head
from db.models import Arm, Variant
from db.session import session_scope
from tests.pipelines.conftest import EXAMPLES


@pytest.fixture
def experiment_with_variants(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("VARIANTLAB_DATABASE_URL", url)
    upgrade_to_head(url)
    with session_scope(url) as session:
        experiment = create_experiment(session, repo=str(EXAMPLES / "shop"), goal="g")
        session.add_all([Variant(experiment_id=experiment.id, type="control", key="control"),
                         Variant(experiment_id=experiment.id, type="experiment", key="v1")])
        return experiment.id


def test_variants_served_and_arms_repointed(experiment_with_variants: str):
    stop = threading.Event()
    worker = threading.Thread(target=serve_experiment, args=(experiment_with_variants, stop))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        urls: list[str] = []
        while time.monotonic() < deadline and len(urls) < 2:
            time.sleep(0.3)
            with session_scope() as session:
                arms = session.scalars(select(Arm)).all()
                urls = [a.embed_code for a in arms if a.embed_code]
        assert len(urls) == 2
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200 and b"product-list" in response.read()
    finally:
        stop.set()
        worker.join(timeout=60)


def test_needs_variants_and_exactly_one_target(experiment_with_variants: str):
    runner = CliRunner()
    assert "give either --repo PATH or --experiment EXP_ID" in runner.invoke(app, ["sandbox", "serve"]).output
    result = runner.invoke(app, ["sandbox", "serve", "--experiment", "exp_0000000000000000"])
    assert result.exit_code == 2 and "unknown experiment" in result.output
