"""A session's replay in real Chromium: thumbnails at the first page, at each submit and at the end, filed by
the session's id under the artifacts dir and named in its step records; none when screenshots are off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from agents.browser.panel import run_panel
from agents.browser.shots import prune_session_folders
from agents.schemas import FlowSpec, TaskSpec
from ids import new_id
from settings import BrowserSettings, Settings
from tests.agents.browser.conftest import serve

pytestmark = pytest.mark.browser

# White form page; the page the submit leads to is solid green, so its thumbnail tells which page it shows.
FORM = """<!doctype html><html lang="en"><head><title>Join</title></head><body style="background:#fff"><main>
<h1>Create your account</h1>
<form action="welcome.html" method="get">
  <label for="name">Full name</label> <input id="name" name="name" required>
  <label for="email">Email</label> <input id="email" name="email" type="email" required>
  <button type="submit">Sign up</button>
</form></main></body></html>"""
WELCOME = """<!doctype html><html lang="en"><head><title>Welcome</title></head><body style="background:#0a0">
<main><h1>Welcome aboard!</h1><p>Your account is ready.</p><a href="index.html">Home</a></main></body></html>"""
SIGN_UP = FlowSpec(name="sign up", description="", instructions="Sign up.", order=1,
                   task=TaskSpec(kind="complete_form", params={"form_hint": "sign-up form"}))
MAX_THUMB_BYTES = 40_000  # a half-scale JPEG of quality 40; the full viewport at quality 50 was ~45 KB


@pytest.fixture
def form_site(tmp_path: Path) -> Iterator[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(FORM)
    (site / "welcome.html").write_text(WELCOME)
    url, server = serve(site)
    yield url
    server.shutdown()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def _is_green(path: Path) -> bool:
    r, g, b = Image.open(path).convert("RGB").getpixel((5, 195))  # the page's background, below the text
    return g > 120 and r < 60 and b < 60


def test_a_session_records_thumbnails_at_its_first_page_submit_and_end(form_site: str, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    stage_dir = settings.artifacts_dir / "exp_test" / "browser_results"
    results = run_panel({"v": form_site}, [SIGN_UP], sessions_per_flow=2, concurrency=2, artifacts_dir=stage_dir,
    settings=settings,
)
    assert all(r.success for r in results), [r.summary for r in results]
    root = settings.artifacts_dir
    for r in results:
        shot_steps = [step for step in r.action_log if "shot" in step]
        assert [step["type"] for step in shot_steps] == ["start", "submit", "end"]
        assert r.action_log[0]["type"] == "start" and r.action_log[-1]["type"] == "end"
        assert r.action_log[-1]["target"] == "success"
        assert r.action_log[-1]["t_ms"] == r.duration_ms  # the end is the user's, not the panel's closing checks
        # The end is a step of the replay, not something the user did.
        assert r.n_actions == len(r.action_log) - 2
        assert r.screenshots == [step["shot"] for step in shot_steps]
        for step in shot_steps:
            stored = Path(step["shot"])
            assert not stored.is_absolute() and stored.parts[:3] == ("exp_test", "browser_results", r.id)
            path = root / stored
            assert path.is_file() and 0 < path.stat().st_size < MAX_THUMB_BYTES
            image = Image.open(path)
            assert image.format == "JPEG" and image.size == (640, 400)  # the 1280×800 viewport at half scale
        first, submit, end = (root / step["shot"] for step in shot_steps)
        # The submit's thumbnail is what the submit led to (the welcome page), not the form it left.
        assert not _is_green(first) and _is_green(submit) and _is_green(end)
    # One folder per session, named by its id: nothing else was written.
    assert sorted(p.name for p in stage_dir.iterdir()) == sorted(r.id for r in results)


def test_screenshots_off_writes_no_file_and_names_none(form_site: str, data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, browser=BrowserSettings(screenshots=False))
    stage_dir = data_dir / "artifacts" / "exp_test" / "browser_results"
    results = run_panel({"v": form_site}, [SIGN_UP], sessions_per_flow=1, concurrency=1, artifacts_dir=stage_dir,
    settings=settings,
)
    assert results[0].success and results[0].screenshots == []
    assert not any("shot" in step for step in results[0].action_log)
    assert not stage_dir.exists() or list(stage_dir.iterdir()) == []


def test_pruning_keeps_the_recorded_sessions_folders_and_whatever_is_not_a_session(tmp_path: Path) -> None:
    kept, gone = new_id("browser_session"), new_id("browser_session")
    for name in (kept, gone, "notes", new_id("variant")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "00-first-page.jpg").write_bytes(b"x")
    assert prune_session_folders(tmp_path, {kept}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({kept, "notes", *[
        p.name for p in tmp_path.iterdir() if p.name.startswith("var_")]})
    assert not (tmp_path / gone).exists()
    assert prune_session_folders(tmp_path / "missing", set()) == 0
