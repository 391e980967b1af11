"""VARIANTLAB_EXPERIMENT__ALLOW_NETWORK_INSTALL reaches every sandbox a stage or command opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.sandbox.base import SandboxError
from agents.sandbox.factory import open_sandbox
from db.settings import get_settings
from tests.agents.sandbox.conftest import git_init, make_site

# Succeeds only when the install step shares the host's network namespace (an interface besides lo).
NEEDS_NETWORK = 'install = "test $(grep -c : /proc/net/dev) -gt 1"\n'


@pytest.fixture
def app_needing_network(tmp_path: Path) -> str:
    if not [n for n in Path("/sys/class/net").iterdir() if n.name != "lo"]:
        pytest.skip("this machine has no network interface besides loopback")
    root = make_site(tmp_path / "site")
    (root / "variantlab.toml").write_text(NEEDS_NETWORK + 'test = "true"\n')
    git_init(root)
    return str(root)


def test_installs_are_offline_by_default(app_needing_network: str) -> None:
    with pytest.raises(SandboxError, match="no network"):
        open_sandbox(app_needing_network)


def test_the_setting_opens_the_network_to_the_install_step(app_needing_network: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARIANTLAB_EXPERIMENT__ALLOW_NETWORK_INSTALL", "true")
    get_settings.cache_clear()
    with open_sandbox(app_needing_network) as sandbox:
        assert sandbox.run("true").ok
    # An explicit argument still wins over the setting.
    with pytest.raises(SandboxError, match="no network"):
        open_sandbox(app_needing_network, allow_network_install=False)
