"""The settings the agent tests hand in: agents never read the process's settings themselves."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from agents.sandbox.base import Sandbox
from agents.sandbox.factory import open_sandbox
from settings import Settings

# open_sandbox with a test's settings bound: (repo, ref=None, *, patch=None, sandbox=its own section).
OpenSandbox = Callable[..., Sandbox]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A run's settings (what `Settings()` reads, as the CLI would) with the data dir in tmp_path: handed
    to the agent under test, so it never shares sandboxes, caches or artifacts with another test."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def open_box(settings: Settings) -> OpenSandbox:
    """open_sandbox with the test's settings handed in, as a stage or the CLI hands theirs; a test that
    configures the sandbox passes its own `sandbox=SandboxSettings(...)`."""
    return partial(open_sandbox, sandbox=settings.sandbox, data_dir=settings.resolved_data_dir)
