"""The Dagster instance the CLI uses: the embedded default unless DAGSTER_HOME names another."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from db.settings import get_settings

CONFIG_DIR = Path(__file__).parent / "instance"
EMBEDDED_CONFIG = CONFIG_DIR / "embedded.yaml"
PRODUCTION_CONFIG = CONFIG_DIR / "production.yaml"
# Per-pool limits live in the instance's storage (Dagster's design); these are set on first use.
POOL_LIMITS = {"sandbox": 2, "browser": 1, "llm": 4}


def dagster_home() -> Path:
    home = os.environ.get("DAGSTER_HOME")
    return Path(home) if home else get_settings().resolved_dagster_home


def get_instance() -> dg.DagsterInstance:
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(EMBEDDED_CONFIG, home / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(home))
    apply_pool_limits(instance)
    return instance


def apply_pool_limits(instance: dg.DagsterInstance) -> None:
    storage = instance.event_log_storage
    known = set(storage.get_concurrency_keys())
    for pool, limit in POOL_LIMITS.items():
        if pool not in known:
            storage.set_concurrency_slots(pool, limit)
