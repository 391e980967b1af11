"""VARIANTLAB_SANDBOX__INSTALL_NETWORK: installs reach the registries by default; nothing else ever."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.sandbox import local
from agents.sandbox.base import AppConfig, SandboxError
from agents.sandbox.factory import open_sandbox
from settings import SandboxSettings, get_settings
from tests.agents.conftest import OpenSandbox
from tests.agents.sandbox.conftest import git_init, make_site

# Succeeds only when the step shares the host's network namespace (an interface besides lo).
NEEDS_NETWORK = "test $(grep -c : /proc/net/dev) -gt 1"


@pytest.fixture
def site(tmp_path: Path) -> str:
    if not [n for n in Path("/sys/class/net").iterdir() if n.name != "lo"]:
        pytest.skip("this machine has no network interface besides loopback")
    root = make_site(tmp_path / "site")
    git_init(root)
    return str(root)


def _plan(monkeypatch: pytest.MonkeyPatch, plan: AppConfig) -> None:
    monkeypatch.setattr(local, "load_app_config", lambda root: plan)


def test_installs_reach_the_network_by_default(site: str, monkeypatch: pytest.MonkeyPatch,
                                               open_box: OpenSandbox) -> None:
    _plan(monkeypatch, AppConfig(kind="custom", install=NEEDS_NETWORK))
    with open_box(site) as sandbox:
        assert sandbox.dependencies == "installed"
        assert not sandbox.run(NEEDS_NETWORK).ok  # commands after bring-up are isolated


def test_the_setting_turns_install_network_off_and_the_failure_names_it(
        data_dir: Path, site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _plan(monkeypatch, AppConfig(kind="custom", install=NEEDS_NETWORK))
    configured = SandboxSettings(install_network=False)
    with pytest.raises(SandboxError) as caught:
        open_sandbox(site, sandbox=configured, data_dir=data_dir)
    message = str(caught.value)
    assert message.startswith("install failed (exit 1): ") and "\n" not in message
    assert "VARIANTLAB_SANDBOX__INSTALL_NETWORK=true" in message and "`install`" in message


@pytest.mark.parametrize("step, plan", [
    ("build", AppConfig(kind="custom", build=NEEDS_NETWORK)),
    ("setup", AppConfig(kind="custom", setup=(NEEDS_NETWORK,))),
])
def test_build_and_setup_have_no_network(site: str, step: str, plan: AppConfig,
                                         monkeypatch: pytest.MonkeyPatch, open_box: OpenSandbox) -> None:
    _plan(monkeypatch, plan)
    with pytest.raises(SandboxError, match=f"^{step} failed \\(exit 1\\): .* — set `{step}` in variantlab.toml$"):
        open_box(site)


def test_the_old_setting_is_refused_naming_the_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARIANTLAB_EXPERIMENT__ALLOW_NETWORK_INSTALL", "false")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="is now VARIANTLAB_SANDBOX__INSTALL_NETWORK"):
        get_settings()
