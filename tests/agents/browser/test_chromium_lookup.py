"""Which Chromium the panel drives: the configured one, else the headless shell, else a full browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.browser import chromium
from agents.browser.chromium import BrowserError, chromium_path
from settings import BrowserSettings, get_settings
from tests.conftest import in_ci


def _fake(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with an empty PATH, no Debian headless shell and no Playwright builds."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    monkeypatch.delenv("VARIANTLAB_BROWSER__CHROMIUM_PATH", raising=False)
    lib_shell = str(tmp_path / "lib" / "chromium-headless-shell")
    monkeypatch.setattr(chromium, "_HEADLESS_SHELLS", (lib_shell, *chromium._HEADLESS_SHELLS[1:]))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_a_full_browser_is_the_fallback(machine: Path) -> None:
    full = _fake(machine / "bin", "chromium")
    assert chromium_path() == str(full)


def test_the_headless_shell_is_preferred_and_its_real_binary_before_the_wrapper(machine: Path) -> None:
    _fake(machine / "bin", "chromium")
    wrapper = _fake(machine / "bin", "chromium-headless-shell")
    assert chromium_path() == str(wrapper)
    real = _fake(machine / "lib", "chromium-headless-shell")
    assert chromium_path() == str(real)


def test_a_file_that_is_not_executable_is_not_a_browser(machine: Path) -> None:
    full = _fake(machine / "bin", "chromium")
    (machine / "lib").mkdir()
    (machine / "lib" / "chromium-headless-shell").write_text("not a program")
    assert chromium_path() == str(full)


def test_a_playwright_managed_build_is_found_when_nothing_is_installed(machine: Path) -> None:
    builds = machine / "ms-playwright"
    full = _fake(builds / "chromium-1200" / "chrome-linux", "chrome")
    assert chromium_path() == str(full)
    shell = _fake(builds / "chromium_headless_shell-1200" / "chrome-linux", "headless_shell")
    assert chromium_path() == str(shell)


def test_no_chromium_at_all_says_what_to_install(machine: Path) -> None:
    with pytest.raises(BrowserError, match="chromium-headless-shell.*VARIANTLAB_BROWSER__CHROMIUM_PATH"):
        chromium_path()


def test_the_configured_path_wins_and_must_exist(machine: Path) -> None:
    _fake(machine / "bin", "chromium-headless-shell")
    mine = _fake(machine / "elsewhere", "my-chrome")
    assert chromium_path(BrowserSettings(chromium_path=str(mine))) == str(mine)
    with pytest.raises(BrowserError, match="does not exist"):
        chromium_path(BrowserSettings(chromium_path=str(machine / "missing")))


def test_without_settings_handed_in_the_processs_are_read(machine: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = _fake(machine / "elsewhere", "my-chrome")
    monkeypatch.setenv("VARIANTLAB_BROWSER__CHROMIUM_PATH", str(mine))
    get_settings.cache_clear()
    assert chromium_path() == str(mine)


def test_this_machine_runs_the_panel_on_the_headless_shell() -> None:
    """`make test` installs Debian's chromium-headless-shell; without it the panel is half as fast."""
    if not os.access("/usr/lib/chromium/chromium-headless-shell", os.X_OK):
        message = "no Debian chromium-headless-shell: tools/system-deps.sh did not install it"
        pytest.fail(message) if in_ci() else pytest.skip(message)
    get_settings.cache_clear()
    assert chromium_path() == "/usr/lib/chromium/chromium-headless-shell"
