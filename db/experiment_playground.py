"""The human-evaluation playground the pipeline opens for each experiment once its variants exist."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Arm, Evaluation, Playground, Variant
from db.playgrounds import QuestionSpec, arms_for_experiment, create_playground
from db.stage_names import Stage
from db.users import get_or_create_user

PIPELINE_ADMIN_EMAIL = "pipeline@variantlab.local"
DEFAULT_CAP = 50
DEFAULT_QUESTIONS = [
    QuestionSpec("Did you find what you came to the site for?", "select",
                 options=[{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}]),
    QuestionSpec("What, if anything, was confusing?", "input_string", required=False),
]


def ensure_experiment_playground(session: Session, experiment_id: str) -> Playground | None:
    """The experiment's playground, created on first use with one arm per variant; arms re-linked to
    the current variant rows (a re-materialised stage gives variants new ids, but the same keys).
    None while there is nothing to compare: when no variant got built, the control alone is no A/B
    test, and the experiment's conclusion (keep the baseline) stands without human evaluation."""
    playground = session.scalars(select(Playground).where(Playground.experiment_id == experiment_id)
                                 .order_by(Playground.created_at)).first()
    if playground is None:
        arms = arms_for_experiment(session, experiment_id, DEFAULT_CAP)
        if len(arms) < 2:
            return None
        admin = get_or_create_user(session, PIPELINE_ADMIN_EMAIL, role="admin", full_name="variantlab pipeline")
        return create_playground(
            session, experiment_id=experiment_id, name=f"A/B evaluation of {experiment_id}", type="ab_testing",
            created_by=admin.id, arms=arms, questions=DEFAULT_QUESTIONS, restricted_emails=None,
            description="Try each version of the site, then answer a few questions (rate it 1–5).",
        )
    variants = {v.key: v for v in session.scalars(select(Variant).where(Variant.experiment_id == experiment_id))}
    for arm in session.scalars(select(Arm).where(Arm.playground_id == playground.id)):
        variant = variants.get(arm.model_key)
        if variant is not None:
            arm.variant_id, arm.embed_code = variant.id, variant.public_url
    session.flush()
    return playground


# The stages whose re-run replaces what testers evaluated: each deletes rows the variants and their
# measurements hang off (test sessions, the control, suggestions, solves; the deletes cascade to
# browser sessions, metrics and runs), and the variants are then rebuilt under the same arm keys.
STAGES_REPLACING_VARIANTS = (Stage.TEST_FLOWS, Stage.CONTROL_ANALYSIS, Stage.VARIANT_SUGGESTIONS,
                             Stage.VARIANT_IMPLEMENTATIONS)


class EvaluationsWouldBeOrphaned(RuntimeError):
    """Replacing variants would credit testers' answers to different code under the same arm keys."""


def guard_variants_with_evaluations(session: Session, experiment_id: str, stage: str) -> None:
    """Refuse to run `stage` (one of STAGES_REPLACING_VARIANTS) on an experiment whose testers have
    already evaluated its variants. Every such stage calls this before it deletes anything."""
    count = session.scalar(select(func.count()).select_from(Evaluation).join(
        Playground, Playground.id == Evaluation.playground_id).where(Playground.experiment_id == experiment_id))
    if count:
        raise EvaluationsWouldBeOrphaned(
            f"{count} human evaluation answers exist for this experiment's variants; re-running {stage} "
            "would replace the variants and attach the answers to different code. Start a new experiment, "
            "or delete the playground first.")
