"""A tester's evaluation as the database records it on PostgreSQL: claim a slot (a lease), then submit.

Both steps are SECURITY DEFINER functions of the migration `*_tester_logins_and_evaluation_leases.py`,
the only way evaluation rows are written on PostgreSQL. A lease holds one slot of an arm's cap for a
few minutes (live leases count toward the cap with the sessions; expired ones do not), and one tester
holds at most one per playground. Submitting through a live lease checks the playground, the cap and
the answers again and writes the session's rows with the database's clock.

`user_id` is checked, not trusted: on a tester's own login the functions act for that tester only
(naming anyone else gives `unknown`); only the tables' owner may act for a user, as the pipeline does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import Row, TextClause, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# held: under the cap, but every remaining slot is leased to someone else right now.
# busy: the arm stayed locked past the functions' lock_timeout (someone kept a transaction open).
ClaimOutcome = Literal["leased", "full", "held", "done", "unknown", "busy"]
SubmitOutcome = Literal["counted", "expired", "full", "done", "invalid", "unknown", "busy"]
_LOCK_NOT_AVAILABLE = "55P03"

_CLAIM = text("SELECT outcome, lease_id, lease_expires_at FROM claim_evaluation_slot(:p, :k, :u)")
_SUBMIT = text("SELECT outcome, evaluation_session_id FROM submit_evaluation(:l, :r, CAST(:a AS jsonb), :u)")


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    lease_id: str | None  # set when leased
    expires_at: dt.datetime | None


@dataclass(frozen=True)
class Submission:
    outcome: SubmitOutcome
    session_id: str | None  # set when counted


def _call(session: Session, statement: TextClause, params: dict[str, Any], done: str) -> Row[Any] | None:
    """One function call in a savepoint: undone unless its outcome is `done`, None if the arm stayed locked.

    Undoing a refused call also releases the arm's lock, so a caller that goes on to try another arm
    holds one arm's lock at a time (two testers trying arms in opposite orders cannot deadlock), and
    a lock timeout leaves the caller's transaction usable.
    """
    savepoint = session.begin_nested()
    try:
        row = session.execute(statement, params).one()
    except DBAPIError as exc:
        savepoint.rollback()
        if getattr(exc.orig, "pgcode", None) == _LOCK_NOT_AVAILABLE:
            return None
        raise
    except BaseException:
        savepoint.rollback()
        raise
    if row.outcome == done:
        savepoint.commit()
    else:
        savepoint.rollback()
    return row


def claim_slot(session: Session, playground_id: str, model_key: str, user_id: str) -> Claim:
    """Lease a slot of the arm, or hand back the caller's live lease on it; locks the arm until commit."""
    row = _call(session, _CLAIM, {"p": playground_id, "k": model_key, "u": user_id}, "leased")
    if row is None:
        return Claim("busy", None, None)
    return Claim(cast(ClaimOutcome, row.outcome), row.lease_id, row.lease_expires_at)


def submit_through_lease(
    session: Session, lease_id: str, rating: int | None, answers: Mapping[str, str], user_id: str,
) -> Submission:
    """Write one evaluation session (anchor row with the rating, one row per answer) and use up the lease."""
    params = {"l": lease_id, "r": rating, "a": json.dumps(dict(answers)), "u": user_id}
    row = _call(session, _SUBMIT, params, "counted")
    if row is None:
        return Submission("busy", None)
    return Submission(cast(SubmitOutcome, row.outcome), row.evaluation_session_id)
