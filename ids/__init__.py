"""Typed, prefixed, unguessable ids that are also safe Dagster partition keys.

A leaf: the database keys its rows with them and the agents name their artifacts with them, so it
imports nothing of the project.
"""

from __future__ import annotations

import re
import secrets

# Lowercase letters and digits only: no commas, pipes or spaces, so ids work as partition keys.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, 5 bits a character
_LENGTH = 16  # 80 random bits

PREFIXES: dict[str, str] = {
    "experiment": "exp",
    "variant": "var",
    "browser_session": "a",  # a browser agent's task and a browser session are one thing
    "solve_run": "ca",  # a code agent's run and a solve run are one thing
    "solve": "slv",
    "suggestion": "sug",
    "test_session": "ts",
    "test_flow": "flow",
    "execution_log": "log",
    "user": "usr",
    "playground": "pg",
    "arm": "arm",
    "question": "q",
    "evaluation": "ev",
    "evaluation_session": "evs",
    "timeline_event": "evt",
    "feedback": "fb",
    "stage_run": "stg",
    "audit": "aud",
    "metric": "met",
    "counter": "evc",
    "statistics_run": "stat",
    "arm_value": "av",
    "arm_ranking": "ar",
}

ID_PATTERN = re.compile(r"^[a-z]{1,4}_[0-9a-z]{16}$")


def new_id(kind: str) -> str:
    prefix = PREFIXES[kind]
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))


def has_prefix(value: str, kind: str) -> bool:
    return bool(ID_PATTERN.match(value)) and value.startswith(PREFIXES[kind] + "_")
