"""Tester writes: evaluations only into visible, active playgrounds; counters only through a function

Two holes in the row-level security of `*_evaluation_views_and_rls.py`, both on PostgreSQL only:

- the tester's WITH CHECK on evaluations tested only `user_id`, so a raw INSERT into an inactive or a
  restricted playground (one the same tester cannot even SELECT) was accepted. The check now also
  needs the playground to be visible under its own policy (EXISTS on playgrounds, which RLS filters
  for the tester) and active, the latter spelt out so it holds even if the playground policy changes;
- the tester role had UPDATE on evaluation_counters, so `UPDATE evaluation_counters SET
  current_count = 0` reopened every full arm. The grant is revoked; the one write a tester needs, the
  increment, is `claim_evaluation_slot(playground_id, model_key, user_id)`, a SECURITY DEFINER
  function owned by the table owner that checks visibility, the cap and (A/B) the tester's earlier
  session under the counter row's lock, and increments only when all pass. It returns 'counted',
  'full', 'done' or 'unknown' (no such arm, or a playground not open to that user).

SQLite has neither roles nor policies: there this revision does nothing (db/evaluations.py keeps its
conditional UPDATE). The downgrade restores the previous check and grant and drops the function.

Revision ID: 978b7a14b2df
Revises: 45069c4f3d23
Create Date: 2026-12-01 19:27:10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "978b7a14b2df"
down_revision = "45069c4f3d23"
branch_labels = None
depends_on = None

# Must match the previous revision (roles are cluster-wide and already exist at this point).
TESTER_ROLE = "variantlab_tester"
_CURRENT_USER = "current_setting('variantlab.user_id', true)"

OLD_CHECK = f"user_id = {_CURRENT_USER}"
NEW_CHECK = (
    f"user_id = {_CURRENT_USER} AND EXISTS (SELECT 1 FROM playgrounds p "
    "WHERE p.id = evaluations.playground_id AND p.is_active)"
)

FUNCTION = "claim_evaluation_slot(text, text, text)"
# search_path is pinned (pg_temp last) so a caller's own objects cannot stand in for our tables while
# the body runs with the owner's rights. The tables live in public, as the grants of the previous
# revision assume.
CREATE_FUNCTION = """
CREATE FUNCTION claim_evaluation_slot(p_playground_id text, p_model_key text, p_user_id text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $fn$
DECLARE
    caller text := nullif(current_setting('variantlab.user_id', true), '');
    kind text;
    taken integer;
    cap integer;
BEGIN
    -- A tester session publishes who is asking (db/rls.py): nobody claims a slot in someone else's name.
    IF caller IS NOT NULL AND caller IS DISTINCT FROM p_user_id THEN
        RETURN 'unknown';
    END IF;
    -- The owner is not subject to RLS, so the tester policy on playgrounds is restated here, with the
    -- email taken from the user's own row rather than from anything the caller passes.
    SELECT p.type INTO kind
    FROM playgrounds p JOIN users u ON u.id = p_user_id
    WHERE p.id = p_playground_id AND p.is_active
      AND (p.restricted_emails IS NULL OR p.restricted_emails ? lower(u.email));
    IF NOT FOUND THEN
        RETURN 'unknown';
    END IF;
    -- The row lock serialises claims on one arm until the caller's transaction ends, so the count and
    -- the duplicate check below see every session committed before it.
    SELECT c.current_count, a.max_evaluations INTO taken, cap
    FROM evaluation_counters c
    JOIN arms a ON a.playground_id = c.playground_id AND a.model_key = c.model_key
    WHERE c.playground_id = p_playground_id AND c.model_key = p_model_key
    FOR UPDATE OF c;
    IF NOT FOUND THEN
        RETURN 'unknown';
    END IF;
    IF taken >= cap THEN
        RETURN 'full';
    END IF;
    IF kind = 'ab_testing' AND EXISTS (
        SELECT 1 FROM evaluations e
        WHERE e.playground_id = p_playground_id AND e.model_key = p_model_key
          AND e.user_id = p_user_id AND e.question_id IS NULL
    ) THEN
        RETURN 'done';
    END IF;
    UPDATE evaluation_counters SET current_count = current_count + 1, updated_at = now()
    WHERE playground_id = p_playground_id AND model_key = p_model_key;
    RETURN 'counted';
END
$fn$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"ALTER POLICY tester_own_evaluations ON evaluations WITH CHECK ({NEW_CHECK})")
    # Only UPDATE was granted; INSERT and DELETE are revoked too so no later grant slips past this.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON evaluation_counters FROM {TESTER_ROLE}")
    op.execute(CREATE_FUNCTION)
    # SECURITY DEFINER runs as the owner: make that the counters' owner even when a superuser migrates.
    owner = bind.execute(sa.text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'evaluation_counters'"
    )).scalar_one()
    op.execute(f"ALTER FUNCTION {FUNCTION} OWNER TO {bind.dialect.identifier_preparer.quote(owner)}")
    # Functions are executable by PUBLIC by default; only the tester role (and the owner) may claim.
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {FUNCTION} TO {TESTER_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}")
    op.execute(f"GRANT UPDATE ON evaluation_counters TO {TESTER_ROLE}")
    op.execute(f"ALTER POLICY tester_own_evaluations ON evaluations WITH CHECK ({OLD_CHECK})")
