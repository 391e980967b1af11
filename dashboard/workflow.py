"""Whether each approval-workflow control can be used now, and in words why not (pure, no Streamlit).

A disabled button that does not say why reads as broken. The reasons follow db/approvals.py (which
checks again on every write), so the page never promises what the write would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Control:
    """`enabled`, and `why`: what the control does when enabled, else what stands in its way."""

    enabled: bool
    why: str


def approve(header: Mapping[str, Any]) -> Control:
    status, champion = header["workflow_status"], header.get("champion_key")
    experiment_id = header["id"]
    if status == "proposed":
        return Control(False, "Nothing to approve yet: the pipeline has not built the variants. "
                              f"Run it with `variantlab run {experiment_id}`.")
    if status == "implementing":
        return Control(False, "The variants are being built and measured; approval opens when the "
                              "metrics stage has chosen a champion.")
    if status == "in_review":
        return Control(False, "Already approved; sending feedback on a variant withdraws the approval.")
    if status == "verified":
        return Control(False, "Approved and verified; nothing is left to approve.")
    if not champion:
        reason = header.get("champion_reason") or "the metrics stage has not decided yet"
        return Control(False, f"No champion to approve: {reason}.")
    return Control(True, f"Approve {champion}: the experiment goes to review, and the approval is "
                         "recorded on the timeline.")


def open_pull_request(header: Mapping[str, Any]) -> Control:
    if header["workflow_status"] in ("in_review", "verified"):
        return Control(True, "The approved champion as a branch (on GitHub, a pull request) with its "
                             "evidence; again: updates the same one.")
    return Control(False, "Only an approved champion is shipped: approve it first "
                          f"(the workflow is {header['workflow_status'].replace('_', ' ')}).")


def verify(header: Mapping[str, Any], role: str) -> Control:
    status = header["workflow_status"]
    if role != "admin":
        return Control(False, f"Only an admin verifies an approved champion; you are acting as {role}.")
    if status == "verified":
        return Control(False, "Already verified.")
    if status != "in_review":
        return Control(False, "An analyst approves the champion first; then an admin verifies it "
                              f"(the workflow is {status.replace('_', ' ')}).")
    return Control(True, "Confirm the approved champion is production-ready.")


def send_feedback(variant_keys: list[str]) -> Control:
    if not variant_keys:
        return Control(False, "No variants to give feedback on yet: the pipeline builds them in its "
                              "variant_implementations stage.")
    return Control(True, "The code agent re-implements the variant with your feedback on the next run.")
