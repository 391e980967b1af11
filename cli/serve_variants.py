"""`variantlab sandbox serve --experiment EXP_ID`: every variant of an experiment live, for testers.

Human A/B evaluation needs each arm reachable while testers work; the pipeline's previews end with
their stage. This starts the control and every variant (base ref + the champion's patch) in sandboxes,
points the variants' public URLs and the playground's arms at them, and serves until interrupted.
"""

from __future__ import annotations

import sys
import threading
from contextlib import ExitStack

from sqlalchemy import select

from agents.sandbox.base import SandboxError
from agents.sandbox.factory import open_sandbox
from cli.children import stopped_by_signals
from cli.errors import UserError
from db.base import utcnow
from db.experiment_playground import ensure_experiment_playground
from db.experiments import UnknownExperiment, get_experiment
from db.migrate import ensure_schema
from db.models import Variant
from db.session import session_scope
from settings import get_settings


def serve_experiment(experiment_id: str, stop: threading.Event | None = None) -> None:
    ensure_schema()
    with session_scope() as session:
        try:
            experiment = get_experiment(session, experiment_id)
        except UnknownExperiment as exc:
            raise UserError(str(exc)) from exc
        repo, ref = experiment.repo_url, experiment.base_branch
        variants = [(v.id, v.key, v.patch) for v in session.scalars(
            select(Variant).where(Variant.experiment_id == experiment_id).order_by(Variant.type, Variant.key))]
    if len(variants) < 2:
        raise UserError(f"{experiment_id} has no variants to compare yet; run the pipeline first "
                        f"(variantlab run {experiment_id})")
    # Ctrl-C, SIGTERM or SIGHUP, even while the sandboxes start: each one started is destroyed.
    settings = get_settings()
    with stopped_by_signals(), ExitStack() as stack:
        urls: dict[str, tuple[str, str, str]] = {}
        for variant_id, key, patch in variants:
            try:
                sandbox = stack.enter_context(open_sandbox(repo, ref, patch=patch, sandbox=settings.sandbox,
                                                             data_dir=settings.resolved_data_dir))
                urls[variant_id] = (key, sandbox.start_preview(), sandbox.id)
            except SandboxError as exc:
                raise UserError(f"{key} did not start: {str(exc).splitlines()[0]}") from exc
        with session_scope() as session:
            for variant_id, (_, url, sandbox_id) in urls.items():
                variant = session.get(Variant, variant_id)
                variant.public_url, variant.sandbox_id = url, sandbox_id
                variant.deploy_status, variant.deploy_completed_at = "ready", utcnow()
            playground = ensure_experiment_playground(session, experiment_id)  # re-points arms at the URLs
            playground_id = playground.id
        for key, url, _ in urls.values():
            print(f"{key:>10}  {url}", flush=True)
        print(f"playground {playground_id} now embeds these; testers use the dashboard's Evaluate view. "
              "Ctrl-C to stop.", flush=True)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            print("stopping", file=sys.stderr)
