"""Why a ship was refused. Each refusal is one line for the user, and leaves the remote as it was."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    NO_CHAMPION = "no_champion"
    NOT_APPROVED = "not_approved"
    CONFLICT = "conflict"  # the base moved and the change no longer applies
    AUTH = "auth"
    NOT_WRITABLE = "not_writable"
    RATE_LIMITED = "rate_limited"
    NO_REMOTE = "no_remote"
    NO_BASE = "no_base"  # the base to build on (and open the pull request against) is not there
    BRANCH_TAKEN = "branch_taken"  # the branch carries commits variantlab did not make
    RACED = "raced"  # the branch changed on the remote between our look and our push


class ShipRefused(Exception):
    def __init__(self, kind: Refusal, message: str) -> None:
        super().__init__(message)
        self.kind = kind
