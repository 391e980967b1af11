"""The journey task: several steps of the existing kinds, in order, each going on from where the last left off.

A sign-up journey registers, logs in when the app asks for it (an optional step: some apps sign the
new member in themselves), then does the first thing the app is for. What the user typed on signing
up is what they type to log in. Every session registers its own account (a suffix on the username
and the e-mail: the session's seed and this run's own letters), so sessions never collide with
"already registered", not even with the accounts an earlier run left in the same app.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from agents.browser.actor import Actor
from agents.browser.forms import complete_form
from agents.browser.personas import Outcome, Persona
from agents.schemas import StepSpec, TaskSpec

StepRunner = Callable[[StepSpec], Awaitable[Outcome]]
_IDENTITY = re.compile(r"user|login|handle|nick|e-?mail", re.IGNORECASE)
_RUN = secrets.token_hex(2)  # this process's runs: accounts left in the app by an earlier run differ


def own_account(values: dict[str, Any], token: str) -> dict[str, Any]:
    """The same details with this session's own username and e-mail address."""
    out = dict(values)
    for key, value in values.items():
        if not isinstance(value, str) or not _IDENTITY.search(key):
            continue
        local, at, domain = value.partition("@")
        out[key] = f"{local}+{token}@{domain}" if at else f"{value}{token}"
    return out


async def run_journey(
    actor: Actor, persona: Persona, rng: random.Random, task: TaskSpec, other_step: StepRunner
) -> Outcome:
    steps = task.steps()
    if not steps:
        return Outcome(False, "the journey has no steps")
    token = f"{rng.randrange(10_000, 100_000)}{_RUN}"
    typed: dict[str, str] = {}  # what the user typed so far (the account they made)
    done: list[str] = []
    issues: list[str] = []
    for number, step in enumerate(steps, start=1):
        hint = str(step.params.get("form_hint") or "")
        if step.kind == "complete_form":
            values = dict(step.params.get("values") or {})
            if hint in ("sign_up", "signup"):
                values = own_account(values, token)
            elif hint == "log_in":
                values = {**own_account(values, token), **typed}  # log in with the account just made
            now: dict[str, str] = {}
            outcome = await complete_form(actor, persona, values, hint, fresh=number == 1, typed_out=now)
            if hint in ("sign_up", "signup"):
                typed.update(now)
        else:
            outcome = await other_step(step)
        what = hint.replace("_", "-") or step.kind.replace("_", " ")
        issues += outcome.issues
        if outcome.success:
            done.append(f"{what}: {outcome.reason}")
        elif step.optional:
            done.append(f"{what} skipped ({outcome.reason})")
        else:
            return Outcome(False, f"step {number} of {len(steps)} ({what}) failed: {outcome.reason}", issues)
    return Outcome(True, f"all {len(steps)} steps done; " + "; ".join(done), issues)
