"""The feedback loop: reviewer feedback on a variant becomes refinement runs of its solve."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents.code.solve import RunConfig
from agents.schemas import SuggestionSpec
from db.models import FeedbackItem, SolveRun

REFINED = "feedback_refined"


def sent_feedback(session: Session, experiment_id: str) -> dict[str, list[tuple[str, str]]]:
    """variant key -> [(feedback id, text)]: all feedback ever sent to the agent on that key, oldest first.

    Every implementation applies all of it, whether or not an earlier run took it up: a
    re-implementation replaces the solves, so a refinement made before is gone with them, and the
    rebuilt variant must still address what reviewers asked for. (Reading only feedback no run has
    taken up dropped it on every other re-implementation: the SET NULL that frees it comes with the
    delete, after it was read.) The feedback stays keyed by variant key (v1 = the suggestion ranked 1).
    """
    items = session.scalars(select(FeedbackItem).where(
        FeedbackItem.experiment_id == experiment_id, FeedbackItem.sent_to_agent_at.is_not(None))
        .order_by(FeedbackItem.created_at, FeedbackItem.id)).all()
    pending: dict[str, list[tuple[str, str]]] = {}
    for item in items:
        key = (item.data or {}).get("variant_key")
        if key:
            pending.setdefault(key, []).append((item.id, item.content))
    return pending


def with_feedback(matrix: list[RunConfig], spec: SuggestionSpec,
                  items: list[tuple[str, str]]) -> tuple[list[RunConfig], SuggestionSpec, list[str]]:
    """The matrix plus one refinement run per baseline configuration, and the suggestion with the
    reviewers' words appended (the tool-use agent reads them; the recipe agent refines accessibility)."""
    if not items:
        return matrix, spec, []
    refined = [RunConfig(model=c.model, temperature=c.temperature, strategy=REFINED, max_edits=c.max_edits)
               for c in matrix if c.strategy != REFINED]
    words = "; ".join(text for _, text in items)
    spec = spec.model_copy(update={"rationale": f"{spec.rationale}\nReviewer feedback to address: {words}"})
    return matrix + [r for r in refined if r not in matrix], spec, [fid for fid, _ in items]


def link_feedback(session: Session, run_ids: list[str], matrix: list[RunConfig], feedback_ids: list[str]) -> None:
    """Each refinement run points at the baseline run it refines; the feedback at the latest run that took
    it up (the previous one was deleted with its solve)."""
    if not feedback_ids:
        return
    by_config: dict[tuple[Any, ...], str] = {}
    for run_id, config in zip(run_ids, matrix):
        if config.strategy != REFINED:
            by_config[(config.model.model_id, config.temperature)] = run_id
    refined_ids = []
    for run_id, config in zip(run_ids, matrix):
        if config.strategy == REFINED:
            refined_ids.append(run_id)
            session.get(SolveRun, run_id).parent_run_id = by_config.get((config.model.model_id, config.temperature))
    if refined_ids:
        for feedback_id in feedback_ids:
            item = session.get(FeedbackItem, feedback_id)
            item.run_id = refined_ids[0]
    session.flush()
