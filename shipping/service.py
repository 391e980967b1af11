"""Ship a variant: the champion run's change as a branch (and pull request) carrying its evidence.

One function for every caller (the CLI, the dashboard's button, the Dagster asset), so each checks
the same things and records the same events: ship_started, then ship_completed or ship_failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.ship.publish import Published, ShipRequest, publish
from agents.ship.refusals import Refusal, ShipRefused
from db.base import utcnow
from db.experiments import get_experiment
from db.session import session_scope
from db.shipping import (
    ShipCandidate,
    ShipRecord,
    champion_key,
    load_candidate,
    record_completed,
    record_failed,
    record_started,
)
from db.users import get_user, require_role
from settings import Settings
from shipping.evidence import TRAILER_EXPERIMENT, commit_message, pull_request_body, title


@dataclass(frozen=True)
class Shipped:
    experiment_id: str
    variant_key: str
    published: Published
    message: str  # the commit message


def branch_name(settings: Settings, experiment_id: str, variant_key: str) -> str:
    return f"{settings.ship.branch_prefix}{experiment_id}-{variant_key}"


def ship_change(experiment_id: str, settings: Settings, *, variant_key: str | None = None, force: bool = False,
                remote: str | None = None, actor_id: str | None = None) -> Shipped:
    """Refused (ShipRefused, one line) with nothing written when there is nothing to ship or it is not
    approved; refused with a ship_failed event and the remote untouched when publishing fails."""
    url = settings.resolved_database_url
    with session_scope(url) as session:
        if actor_id is not None:  # a person in the dashboard; the command line is the operator's own
            require_role(get_user(session, actor_id), "analyst", "admin")
        key = variant_key or champion_key(session, experiment_id)
        if key is None:
            reason = get_experiment(session, experiment_id).champion_reason or "the metrics stage has not run"
            raise ShipRefused(Refusal.NO_CHAMPION, f"{experiment_id} has no champion variant to ship ({reason}); "
                                                   "name one with --variant KEY")
        candidate = load_candidate(session, experiment_id, key)
    _check(candidate, force)
    branch = branch_name(settings, experiment_id, candidate.variant_key)
    message = commit_message(candidate, settings.dashboard_url)
    request = ShipRequest(
        repo_url=candidate.repo_url, base_branch=candidate.base_branch, remote=remote, branch=branch,
        patch=candidate.patch or "", message=message, title=title(candidate),
        body=pull_request_body(candidate, settings.dashboard_url),
        date=candidate.run_completed_at or utcnow(), owner_mark=f"{TRAILER_EXPERIMENT}: {experiment_id}",
        force=force)
    started = utcnow()
    with session_scope(url) as session:
        record_started(session, candidate, branch=branch, actor_id=actor_id)
    try:
        published = publish(request, settings)
    except ShipRefused as exc:
        _failed(url, candidate, branch, exc.kind.value, str(exc), actor_id)
        raise
    except Exception as exc:
        _failed(url, candidate, branch, "error", f"{exc.__class__.__name__}: {exc}", actor_id)
        raise
    record = ShipRecord(url=published.url, branch=branch, remote=published.remote, commit=published.commit,
                        commit_message=message, pull_request=published.pull_request, started_at=started)
    with session_scope(url) as session:
        record_completed(session, candidate, record, actor_id=actor_id)
    return Shipped(experiment_id=experiment_id, variant_key=candidate.variant_key, published=published,
                   message=message)


def _check(candidate: ShipCandidate, force: bool) -> None:
    if candidate.run_id is None or not candidate.patch:
        raise ShipRefused(Refusal.NO_CHAMPION, f"{candidate.variant_key} of {candidate.experiment_id} has no "
                                               "champion run with a change to ship")
    if candidate.approved or force:
        return
    if not candidate.is_champion:
        raise ShipRefused(Refusal.NOT_APPROVED, f"{candidate.variant_key} is not the champion of "
                                                f"{candidate.experiment_id}; only an approved champion ships "
                                                "without --force")
    raise ShipRefused(Refusal.NOT_APPROVED, f"the champion {candidate.variant_key} of {candidate.experiment_id} "
                                            "is not approved yet; approve it in the dashboard (Timeline & "
                                            "approvals) or ship with --force")


def _failed(url: str, candidate: ShipCandidate, branch: str, kind: str, reason: str, actor_id: str | None) -> None:
    with session_scope(url) as session:
        record_failed(session, candidate, branch=branch, kind=kind, reason=reason, actor_id=actor_id)
