"""Which Chromium the panel drives: the configured one, else the headless shell, else a full browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agents.browser import chromium
from agents.browser.chromium import BrowserError, chromium_path
from settings import BrowserSettings, Settings
from tests.conftest import in_ci

# Browser settings that configure no Chromium: the lookup's own search decides.
UNCONFIGURED = BrowserSettings()


def _fake(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with an empty PATH, no Debian headless shell and no Playwright builds (the lookup reads
    PATH and PLAYWRIGHT_BROWSERS_PATH itself, as `which` and Playwright do)."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "ms-playwright"))
    lib_shell = str(tmp_path / "lib" / "chromium-headless-shell")
    monkeypatch.setattr(chromium, "_HEADLESS_SHELLS", (lib_shell, *chromium._HEADLESS_SHELLS[1:]))
    return tmp_path


def test_a_full_browser_is_the_fallback(machine: Path) -> None:
    full = _fake(machine / "bin", "chromium")
    assert chromium_path(UNCONFIGURED) == str(full)


def test_the_headless_shell_is_preferred_and_its_real_binary_before_the_wrapper(machine: Path) -> None:
    _fake(machine / "bin", "chromium")
    wrapper = _fake(machine / "bin", "chromium-headless-shell")
    assert chromium_path(UNCONFIGURED) == str(wrapper)
    real = _fake(machine / "lib", "chromium-headless-shell")
    assert chromium_path(UNCONFIGURED) == str(real)


def test_a_file_that_is_not_executable_is_not_a_browser(machine: Path) -> None:
    full = _fake(machine / "bin", "chromium")
    (machine / "lib").mkdir()
    (machine / "lib" / "chromium-headless-shell").write_text("not a program")
    assert chromium_path(UNCONFIGURED) == str(full)


def test_a_playwright_managed_build_is_found_when_nothing_is_installed(machine: Path) -> None:
    builds = machine / "ms-playwright"
    full = _fake(builds / "chromium-1200" / "chrome-linux", "chrome")
    assert chromium_path(UNCONFIGURED) == str(full)
    shell = _fake(builds / "chromium_headless_shell-1200" / "chrome-linux", "headless_shell")
    assert chromium_path(UNCONFIGURED) == str(shell)


def test_no_chromium_at_all_says_what_to_install(machine: Path) -> None:
    with pytest.raises(BrowserError, match="chromium-headless-shell.*VARIANTLAB_BROWSER__CHROMIUM_PATH"):
        chromium_path(UNCONFIGURED)


def test_the_configured_path_wins_and_must_exist(machine: Path) -> None:
    _fake(machine / "bin", "chromium-headless-shell")
    mine = _fake(machine / "elsewhere", "my-chrome")
    assert chromium_path(BrowserSettings(chromium_path=str(mine))) == str(mine)
    with pytest.raises(BrowserError, match="does not exist"):
        chromium_path(BrowserSettings(chromium_path=str(machine / "missing")))


def test_the_environment_configures_the_path_through_the_settings(machine: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # What the CLI and the stages hand in: the settings as read from VARIANTLAB_BROWSER__CHROMIUM_PATH.
    mine = _fake(machine / "elsewhere", "my-chrome")
    monkeypatch.setenv("VARIANTLAB_BROWSER__CHROMIUM_PATH", str(mine))
    assert chromium_path(Settings().browser) == str(mine)


def test_this_machine_runs_the_panel_on_the_headless_shell() -> None:
    """`make test` installs Debian's chromium-headless-shell; without it the panel is half as fast."""
    if not os.access("/usr/lib/chromium/chromium-headless-shell", os.X_OK):
        message = "no Debian chromium-headless-shell: tools/system-deps.sh did not install it"
        pytest.fail(message) if in_ci() else pytest.skip(message)
    assert chromium_path(UNCONFIGURED) == "/usr/lib/chromium/chromium-headless-shell"
