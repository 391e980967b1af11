"""variantlab.toml: flat keys, each overriding one key of the detected plan ("" means: no such step)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from typing import Any

from agents.sandbox.base import AppConfig, AppKind, Evidence, SandboxError
from agents.sandbox.bringup.plan import CONFIG_FILE

COMMANDS = ("install", "build", "start", "test", "test_report", "package_manager")  # str; "" → None
LISTS = ("setup", "lockfiles", "dependency_dirs")  # list of str (setup also a single string)
KEYS = (*COMMANDS, *LISTS, "kind", "port", "static_root", "env")


def read_overrides(text: str) -> dict[str, Any]:
    """The keys the file sets, as plan values; one line naming the key when one is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SandboxError(f"{CONFIG_FILE} is not valid TOML: {exc}") from None
    return {key: _value(key, value) for key, value in data.items()}


def _value(key: str, value: Any) -> Any:
    def refuse(expected: str) -> SandboxError:
        return SandboxError(f"{CONFIG_FILE}: {key} must be {expected}, not {type(value).__name__} {value!r}")

    if key in COMMANDS:
        if not isinstance(value, str):
            raise refuse("a string")
        return value.strip() or None
    if key in LISTS:
        if key == "setup" and isinstance(value, str):
            value = [value] if value.strip() else []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise refuse("a list of strings" + (" (or one string)" if key == "setup" else ""))
        return tuple(item for item in value if item.strip())
    if key == "kind":
        if value not in set(AppKind):
            raise refuse(f"one of {', '.join(AppKind)}")
        return AppKind(value)
    if key == "port":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
            raise refuse("an integer between 1 and 65535")
        return value
    if key == "static_root":
        if not isinstance(value, str):
            raise refuse("a string")
        return value.strip().strip("/") or "."
    if key == "env":
        if not isinstance(value, dict) or not all(isinstance(v, str | int | float) for v in value.values()):
            raise refuse("a table of strings, e.g. env = { NODE_ENV = \"production\" }")
        return tuple((str(k), str(v).lower() if isinstance(v, bool) else str(v)) for k, v in value.items())
    raise SandboxError(f"{CONFIG_FILE}: unknown key {key!r}; allowed: {', '.join(KEYS)}")


def apply(plan: AppConfig, overrides: dict[str, Any]) -> AppConfig:
    """Each key set in the file replaces the detected value; its evidence row says so."""
    if not overrides:
        return plan
    changes = dict(overrides)
    if "kind" not in changes and changes.get("start") and plan.kind == AppKind.STATIC:
        changes["kind"] = AppKind.CUSTOM  # a static site given a server: the file says how it runs
    evidence = [row for row in plan.evidence if row.key not in changes]
    for key, value in changes.items():
        before = getattr(plan, key)
        note = "" if before == value else f" (detected: {_text(before) or 'none'})"
        evidence.append(Evidence(key, _text(value), f"{CONFIG_FILE} sets it{note}", CONFIG_FILE))
    return replace(plan, **changes, evidence=tuple(evidence))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return "; ".join("=".join(v) if isinstance(v, tuple) else str(v) for v in value)
    return str(value)
