"""What a target app needs: its variantlab.toml, or a detection from the files it has."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from agents.sandbox.base import AppConfig, SandboxError

CONFIG_FILE = "variantlab.toml"
_KEYS = {"install", "start", "test", "port", "static_root"}


def load_app_config(root: Path) -> AppConfig:
    """variantlab.toml when present (flat keys; "" means none), else detect static / node / python."""
    path = root / CONFIG_FILE
    if path.is_file():
        return config_from_toml(path.read_text(encoding="utf-8", errors="replace"))
    names = {p.name for p in root.iterdir() if p.is_file()}
    package = root / "package.json"
    return detect(names, package.read_text(errors="replace") if package.is_file() else "")


def config_from_toml(text: str) -> AppConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SandboxError(f"{CONFIG_FILE} is not valid TOML: {exc}") from exc
    unknown = set(data) - _KEYS
    if unknown:
        raise SandboxError(f"{CONFIG_FILE}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    for key in ("install", "start", "test", "static_root"):
        if key in data and not isinstance(data[key], str):
            raise SandboxError(f"{CONFIG_FILE}: {key} must be a string")
    port = data.get("port", 8000)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise SandboxError(f"{CONFIG_FILE}: port must be an integer between 1 and 65535")
    start = data.get("start") or None
    return AppConfig(
        kind="static" if start is None else "custom",
        install=data.get("install") or None,
        start=start,
        test=data.get("test") or None,
        port=port,
        static_root=data.get("static_root") or ".",
    )


def detect(names: set[str], package_json: str) -> AppConfig:
    """From the file names at the app root (and package.json's text, "" when absent)."""
    scripts: dict = {}
    if package_json:
        try:
            scripts = json.loads(package_json).get("scripts") or {}
        except (ValueError, AttributeError):
            scripts = {}
    node_test = "npm test --silent" if "test" in scripts else None
    if "index.html" in names:
        return AppConfig(kind="static", test=node_test)
    if "package.json" in names:
        return AppConfig(
            kind="node", install="npm install --no-audit --no-fund",
            start="npm start --silent" if "start" in scripts else None, test=node_test, port=3000,
        )
    if names & {"pyproject.toml", "pytest.ini", "setup.py"}:
        return AppConfig(kind="python", test="python3 -m pytest -q")
    return AppConfig(kind="static")
