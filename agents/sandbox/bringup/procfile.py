"""A Procfile's `web:` line (Heroku's convention, honoured by Railpack and Nixpacks): the start
command, kept as written with its $PORT; a `release:` line is a first-run step."""

from __future__ import annotations

import re

from agents.sandbox.base import Evidence
from agents.sandbox.bringup.files import Tree
from agents.sandbox.bringup.plan import why

LINE = re.compile(r"^(web|release)\s*:\s*(.+?)\s*$", re.MULTILINE)


def procfile(tree: Tree, venv: bool) -> tuple[str | None, tuple[str, ...], list[Evidence]]:
    """(start, setup, evidence); with a virtualenv its scripts come first on PATH."""
    lines = {m.group(1): m.group(2) for m in LINE.finditer(tree.read("Procfile") or "")}
    if "web" not in lines:
        return None, (), []
    # Exported, not a one-command prefix: web lines chain commands (migrate && gunicorn ...).
    on_path = 'export PATH="$PWD/.venv/bin:$PATH" && ' if venv else ""
    start = on_path + lines["web"]
    evidence = [why("start", start, "Procfile web: line" + (" (in the app's .venv)" if venv else ""))]
    if "$PORT" not in start and "${PORT" not in start:
        evidence.append(why("port", "", "the web: line does not name $PORT; it must read PORT itself"))
    setup: tuple[str, ...] = ()
    if "release" in lines:
        setup = (on_path + lines["release"],)
        evidence.append(why("setup", setup[0], "Procfile release: line"))
    return start, setup, evidence
