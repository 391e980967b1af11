"""Tester identity bound to a login role; evaluation rows written only by the database, through leases

Until now a tester's connection was the app's powerful role stepping down with SET LOCAL ROLE and
naming the tester in a setting (`variantlab.user_id`). Whoever held that connection could undo both:
RESET ROLE (every email), SET ROLE variantlab_admin, set_config to another tester (their free-text
answers), or clear it and claim slots in someone else's name. And the cap guarded the counter, not
the rows: a direct INSERT wrote sessions past it, while claim_evaluation_slot counted slots with no
rows behind them, so a cap could be drained.

On PostgreSQL this revision:

- binds the identity to the connection: each tester gets a LOGIN role (`variantlab_t_<user id>`,
  member of variantlab_tester and nothing else, provisioned by db/users.py) recorded in
  variantlab_rls.tester_logins. `variantlab_tester_id()` maps session_user, which no SET can change,
  to the user, and the policies use it instead of the setting;
- takes every write on evaluations away from the tester role. Rows are written by the database:
  `claim_evaluation_slot(playground, model_key)` leases a slot for LEASE_MINUTES (leases that are live
  count toward the cap with the sessions, expired ones do not), and `submit_evaluation(lease, rating,
  answers)` checks the lease, the playground, the cap, the answers against the questions, and writes
  the session's rows itself, stamped with the database's clock;
- keeps the internals (logins and their passwords, leases, helpers) in the schema variantlab_rls, on
  which the tester role has no USAGE, and which Alembic's autogenerate does not compare (the models
  describe the public schema only);
- revokes CREATE on the public schema from PUBLIC (the default since PostgreSQL 15; older clusters
  let any role plant a function or table there).

A caller that is not a tester login may name the user (`p_user_id`) only if it could write the table
directly anyway (the table's owner or a superuser): that is the pipeline and the tests' service path.

SQLite has no roles: there this revision does nothing and db/evaluations.py enforces the rules. The
downgrade restores the setting-based policies, the INSERT grant and the previous claim function, and
drops the tester logins of this database (they mean nothing without the mapping).

Revision ID: 4f2b8c1d9e07
Revises: 30de86386d46
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4f2b8c1d9e07"
down_revision = "30de86386d46"
branch_labels = None
depends_on = None

# Must match the earlier revisions (roles are cluster-wide and already exist at this point).
TESTER_ROLE = "variantlab_tester"
SCHEMA = "variantlab_rls"
# Long enough to try a variant and answer its questions; short enough that an abandoned claim
# gives its slot back soon. The service claims again at submit if its lease ran out.
LEASE_MINUTES = 10
MAX_ANSWER_CHARS = 10_000  # db/evaluations.py MAX_ANSWER_CHARS
# An arm's lock is held from a claim to the end of the caller's transaction; someone who keeps theirs
# open must not hang every other tester of the arm. They wait this long, then are told to retry.
LOCK_TIMEOUT = "10s"
PREVIOUS = "978b7a14b2df"  # the revision whose claim function and policy check the downgrade restores

_GUC_USER = "current_setting('variantlab.user_id', true)"
_GUC_EMAIL = "current_setting('variantlab.user_email', true)"
_TESTER = "(SELECT public.variantlab_tester_id())"
_EMAIL = "(SELECT public.variantlab_tester_email())"

# (table, policy, USING now, USING before): the tester policies that named the person by the setting.
POLICIES = [
    ("playgrounds", "tester_visible_playgrounds",
     f"is_active AND {_TESTER} IS NOT NULL AND (restricted_emails IS NULL OR restricted_emails ? {_EMAIL})",
     f"is_active AND (restricted_emails IS NULL OR restricted_emails ? {_GUC_EMAIL})"),
    ("users", "own_user_row_tester", f"id = {_TESTER}", f"id = {_GUC_USER}"),
]
OLD_EVALUATIONS_CHECK = (
    f"user_id = {_GUC_USER} AND EXISTS (SELECT 1 FROM playgrounds p "
    "WHERE p.id = evaluations.playground_id AND p.is_active)"
)

TABLES = f"""
CREATE TABLE {SCHEMA}.tester_logins (
    role_name text PRIMARY KEY,
    user_id varchar(32) NOT NULL UNIQUE REFERENCES public.users (id) ON DELETE CASCADE,
    -- Readable by the owner only, who could reset it anyway; the app needs it to log in as the tester.
    password text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {SCHEMA}.evaluation_leases (
    id text PRIMARY KEY,
    playground_id varchar(32) NOT NULL,
    model_key varchar(50) NOT NULL,
    user_id varchar(32) NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    FOREIGN KEY (playground_id, model_key)
        REFERENCES public.evaluation_counters (playground_id, model_key) ON DELETE CASCADE,
    -- One open lease per tester and playground: one account holds at most one slot of it at a time.
    UNIQUE (playground_id, user_id)
);
CREATE INDEX ix_evaluation_leases_arm ON {SCHEMA}.evaluation_leases (playground_id, model_key, expires_at);
"""

# Helpers, callable only from the functions below (the tester role has no USAGE on the schema).
# Every function pins search_path with pg_temp last, so a caller's temporary objects cannot stand in
# for our tables while a body runs with the owner's rights.
HELPERS = f"""
CREATE FUNCTION {SCHEMA}.caller_id(p_user_id text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $fn$
DECLARE
    tester text := public.variantlab_tester_id();
BEGIN
    IF tester IS NOT NULL THEN
        -- A tester acts as themselves only; naming someone else is refused, not ignored.
        RETURN CASE WHEN p_user_id IS NULL OR p_user_id = tester THEN tester END;
    END IF;
    -- Not a tester login: only a role that may write evaluations directly may act for a user.
    IF p_user_id IS NOT NULL AND pg_has_role(
        session_user, (SELECT relowner FROM pg_class WHERE oid = 'public.evaluations'::regclass), 'MEMBER'
    ) THEN
        RETURN p_user_id;
    END IF;
    RETURN NULL;
END
$fn$;

-- The tester policy on playgrounds, restated for the owner (who bypasses it) with the email read
-- from the user's own row: the type of the playground if it is open to that tester, else NULL.
CREATE FUNCTION {SCHEMA}.open_playground_type(p_playground_id text, p_user_id text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $fn$
    SELECT p.type FROM public.playgrounds p JOIN public.users u ON u.id = p_user_id
    WHERE p.id = p_playground_id AND p.is_active AND u.role = 'tester'
      AND (p.restricted_emails IS NULL OR p.restricted_emails ? lower(u.email))
$fn$;

-- Under REPEATABLE READ or SERIALIZABLE every statement would read one old snapshot, missing leases
-- and sessions committed since; READ COMMITTED reads afresh after each lock.
CREATE FUNCTION {SCHEMA}.require_read_committed() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $fn$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'evaluation slots are claimed and used in READ COMMITTED transactions only'
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
END
$fn$;

-- Prefixed ids of the same shape as ids/ (db/ids.py then) (16 lowercase hex characters are within its alphabet).
CREATE FUNCTION {SCHEMA}.new_id(p_prefix text) RETURNS text
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $fn$
    SELECT p_prefix || '_' || left(md5(gen_random_uuid()::text), 16)
$fn$;
"""

IDENTITY = f"""
CREATE FUNCTION public.variantlab_tester_id() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    -- session_user is the login; SET ROLE, RESET ROLE and set_config cannot change it.
    SELECT l.user_id FROM {SCHEMA}.tester_logins l JOIN public.users u ON u.id = l.user_id
    WHERE l.role_name = session_user AND u.role = 'tester'
$fn$;

CREATE FUNCTION public.variantlab_tester_email() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
    SELECT lower(u.email) FROM public.users u WHERE u.id = public.variantlab_tester_id()
$fn$;
"""

CLAIM = f"""
CREATE FUNCTION public.claim_evaluation_slot(
    p_playground_id text, p_model_key text, p_user_id text DEFAULT NULL,
    OUT outcome text, OUT lease_id text, OUT lease_expires_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
SET lock_timeout = '{LOCK_TIMEOUT}' AS $fn$
DECLARE
    uid text := {SCHEMA}.caller_id(p_user_id);
    kind text;
    taken integer;
    cap integer;
    held integer;
BEGIN
    PERFORM {SCHEMA}.require_read_committed();
    kind := {SCHEMA}.open_playground_type(p_playground_id, uid);
    IF kind IS NULL THEN
        outcome := 'unknown';
        RETURN;
    END IF;
    -- The counter row's lock serialises claims and submissions on one arm until the transaction ends.
    SELECT c.current_count, a.max_evaluations INTO taken, cap
    FROM public.evaluation_counters c
    JOIN public.arms a ON a.playground_id = c.playground_id AND a.model_key = c.model_key
    WHERE c.playground_id = p_playground_id AND c.model_key = p_model_key
    FOR UPDATE OF c;
    IF NOT FOUND THEN
        outcome := 'unknown';
        RETURN;
    END IF;
    IF kind = 'ab_testing' AND EXISTS (
        SELECT 1 FROM public.evaluations e
        WHERE e.playground_id = p_playground_id AND e.model_key = p_model_key
          AND e.user_id = uid AND e.question_id IS NULL
    ) THEN
        outcome := 'done';
        RETURN;
    END IF;
    -- A live lease of the caller on this arm is handed back as it is: claiming again never extends it.
    SELECT l.id, l.expires_at INTO lease_id, lease_expires_at
    FROM {SCHEMA}.evaluation_leases l
    WHERE l.playground_id = p_playground_id AND l.model_key = p_model_key AND l.user_id = uid
      AND l.expires_at > clock_timestamp();
    IF FOUND THEN
        outcome := 'leased';
        RETURN;
    END IF;
    -- clock_timestamp, not now(): a transaction opened long ago must not see dead leases as live.
    SELECT count(*) INTO held FROM {SCHEMA}.evaluation_leases l
    WHERE l.playground_id = p_playground_id AND l.model_key = p_model_key
      AND l.expires_at > clock_timestamp();
    IF taken >= cap THEN
        outcome := 'full';
        RETURN;
    END IF;
    IF taken + held >= cap THEN  -- the rest is leased to testers answering now: free again when unused
        outcome := 'held';
        RETURN;
    END IF;
    -- A new lease replaces the caller's other one on this playground (expired, or on another arm).
    DELETE FROM {SCHEMA}.evaluation_leases l WHERE l.playground_id = p_playground_id AND l.user_id = uid;
    BEGIN
        INSERT INTO {SCHEMA}.evaluation_leases (id, playground_id, model_key, user_id, expires_at)
        VALUES ({SCHEMA}.new_id('evl'), p_playground_id, p_model_key, uid,
                clock_timestamp() + interval '{LEASE_MINUTES} minutes')
        RETURNING id, expires_at INTO lease_id, lease_expires_at;
    EXCEPTION WHEN unique_violation THEN
        -- The same tester claimed on this playground in another transaction at the same moment; that
        -- claim keeps the one slot.
        lease_id := NULL;
        lease_expires_at := NULL;
        outcome := 'busy';
        RETURN;
    END;
    outcome := 'leased';
END
$fn$;
"""

SUBMIT = f"""
CREATE FUNCTION public.submit_evaluation(
    p_lease_id text, p_rating integer, p_answers jsonb, p_user_id text DEFAULT NULL,
    OUT outcome text, OUT evaluation_session_id text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
SET lock_timeout = '{LOCK_TIMEOUT}' AS $fn$
DECLARE
    uid text := {SCHEMA}.caller_id(p_user_id);
    lease {SCHEMA}.evaluation_leases%ROWTYPE;
    kind text;
    taken integer;
    cap integer;
    stamp timestamptz;
BEGIN
    PERFORM {SCHEMA}.require_read_committed();
    SELECT * INTO lease FROM {SCHEMA}.evaluation_leases l WHERE l.id = p_lease_id AND l.user_id = uid;
    IF NOT FOUND THEN  -- never leased, someone else's, or already used
        outcome := 'unknown';
        RETURN;
    END IF;
    -- The arm's lock first (the order claims take), then the lease again: a concurrent submission of
    -- the same lease has either deleted it by now or not begun.
    SELECT c.current_count, a.max_evaluations INTO taken, cap
    FROM public.evaluation_counters c
    JOIN public.arms a ON a.playground_id = c.playground_id AND a.model_key = c.model_key
    WHERE c.playground_id = lease.playground_id AND c.model_key = lease.model_key
    FOR UPDATE OF c;
    SELECT * INTO lease FROM {SCHEMA}.evaluation_leases l WHERE l.id = p_lease_id FOR UPDATE;
    IF NOT FOUND OR cap IS NULL THEN
        outcome := 'unknown';
        RETURN;
    END IF;
    IF lease.expires_at <= clock_timestamp() THEN
        outcome := 'expired';
        RETURN;
    END IF;
    kind := {SCHEMA}.open_playground_type(lease.playground_id, uid);
    IF kind IS NULL THEN  -- closed or restricted since the claim
        outcome := 'unknown';
        RETURN;
    END IF;
    IF taken >= cap THEN  -- the cap was lowered since the claim
        outcome := 'full';
        RETURN;
    END IF;
    IF kind = 'ab_testing' AND EXISTS (
        SELECT 1 FROM public.evaluations e
        WHERE e.playground_id = lease.playground_id AND e.model_key = lease.model_key
          AND e.user_id = uid AND e.question_id IS NULL
    ) THEN
        outcome := 'done';
        RETURN;
    END IF;
    -- The service validates first and says why; these are the same rules, for raw callers. Separate
    -- steps, because SQL does not promise to evaluate OR left to right (jsonb_each needs an object).
    IF (p_rating IS NOT NULL AND p_rating NOT BETWEEN 1 AND 5)
       OR p_answers IS NULL OR jsonb_typeof(p_answers) <> 'object' THEN
        outcome := 'invalid';
        RETURN;
    END IF;
    IF EXISTS (  -- every key a question asked on this arm, every value a string
        SELECT 1 FROM jsonb_each(p_answers) a
        WHERE jsonb_typeof(a.value) <> 'string' OR NOT EXISTS (
            SELECT 1 FROM public.questions q
            WHERE q.id = a.key AND q.playground_id = lease.playground_id
              AND (q.model_key IS NULL OR q.model_key = lease.model_key))
    ) OR EXISTS (
        SELECT 1 FROM (
            SELECT q.required, q.question_type, q.options,
                   nullif(btrim(p_answers ->> q.id, E' \\t\\r\\n'), '') AS answer
            FROM public.questions q
            WHERE q.playground_id = lease.playground_id
              AND (q.model_key IS NULL OR q.model_key = lease.model_key)
        ) q
        WHERE (q.answer IS NULL AND q.required)
           OR (q.question_type = 'select' AND q.answer IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM jsonb_array_elements(coalesce(q.options, '[]'::jsonb)) o
                   WHERE o ->> 'value' = q.answer))
           OR (q.question_type <> 'select' AND length(q.answer) > {MAX_ANSWER_CHARS})
    ) THEN
        outcome := 'invalid';
        RETURN;
    END IF;
    -- The database's clock, read now: neither the caller nor an old transaction start dates the rows.
    stamp := clock_timestamp();
    evaluation_session_id := {SCHEMA}.new_id('evs');
    INSERT INTO public.evaluations (id, playground_id, user_id, model_key, question_id, rating, session_id,
                                    created_at)
    VALUES ({SCHEMA}.new_id('ev'), lease.playground_id, uid, lease.model_key, NULL, p_rating,
            evaluation_session_id, stamp);
    INSERT INTO public.evaluations (id, playground_id, user_id, model_key, question_id, answer_value,
                                    answer_text, session_id, created_at)
    SELECT {SCHEMA}.new_id('ev'), lease.playground_id, uid, lease.model_key, q.id,
           CASE WHEN q.question_type = 'select' THEN q.answer END,
           CASE WHEN q.question_type <> 'select' THEN q.answer END,
           evaluation_session_id, stamp
    FROM (
        SELECT q.id, q.question_type, nullif(btrim(p_answers ->> q.id, E' \\t\\r\\n'), '') AS answer
        FROM public.questions q
        WHERE q.playground_id = lease.playground_id AND (q.model_key IS NULL OR q.model_key = lease.model_key)
    ) q
    WHERE q.answer IS NOT NULL;
    UPDATE public.evaluation_counters SET current_count = current_count + 1, updated_at = stamp
    WHERE playground_id = lease.playground_id AND model_key = lease.model_key;
    DELETE FROM {SCHEMA}.evaluation_leases l WHERE l.id = p_lease_id;
    outcome := 'counted';
END
$fn$;
"""

PRIVATE_FUNCTIONS = ["caller_id(text)", "open_playground_type(text, text)", "require_read_committed()",
                     "new_id(text)"]
# Callable by the tester role: the two identity functions because the policies call them as the tester.
PUBLIC_FUNCTIONS = ["variantlab_tester_id()", "variantlab_tester_email()",
                    "claim_evaluation_slot(text, text, text)", "submit_evaluation(text, integer, jsonb, text)"]
OLD_CLAIM = "claim_evaluation_slot(text, text, text)"


def _owner() -> str:
    """The tables' owner: SECURITY DEFINER bodies run as it, so it must own what they touch."""
    bind = op.get_bind()
    owner = bind.execute(sa.text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'evaluations'"
    )).scalar_one()
    return bind.dialect.identifier_preparer.quote(owner)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    owner = _owner()
    op.execute(f"CREATE SCHEMA {SCHEMA} AUTHORIZATION {owner}")
    op.execute(TABLES)
    for table in ("tester_logins", "evaluation_leases"):
        op.execute(f"ALTER TABLE {SCHEMA}.{table} OWNER TO {owner}")
    op.execute(IDENTITY)
    op.execute(HELPERS)
    op.execute(f"DROP FUNCTION {OLD_CLAIM}")
    op.execute(CLAIM)
    op.execute(SUBMIT)
    for name in PRIVATE_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {SCHEMA}.{name} OWNER TO {owner}")
        op.execute(f"REVOKE ALL ON FUNCTION {SCHEMA}.{name} FROM PUBLIC")
    for name in PUBLIC_FUNCTIONS:
        op.execute(f"ALTER FUNCTION public.{name} OWNER TO {owner}")
        op.execute(f"REVOKE ALL ON FUNCTION public.{name} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION public.{name} TO {TESTER_ROLE}")

    # The tester reads their own rows; only submit_evaluation writes them.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON evaluations FROM {TESTER_ROLE}")
    op.execute("DROP POLICY tester_own_evaluations ON evaluations")
    op.execute(f"CREATE POLICY tester_own_evaluations ON evaluations FOR SELECT TO {TESTER_ROLE} "
               f"USING (user_id = {_TESTER})")
    for table, name, using, _ in POLICIES:
        op.execute(f"ALTER POLICY {name} ON {table} USING ({using})")
    op.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    owner = _owner()
    for table, name, _, using in POLICIES:
        op.execute(f"ALTER POLICY {name} ON {table} USING ({using})")
    op.execute("DROP POLICY tester_own_evaluations ON evaluations")
    op.execute(f"CREATE POLICY tester_own_evaluations ON evaluations FOR ALL TO {TESTER_ROLE} "
               f"USING (user_id = {_GUC_USER}) WITH CHECK ({OLD_EVALUATIONS_CHECK})")
    op.execute(f"GRANT INSERT ON evaluations TO {TESTER_ROLE}")
    op.execute(f"""DO $$ DECLARE r text; BEGIN
        FOR r IN SELECT role_name FROM {SCHEMA}.tester_logins LOOP
            EXECUTE 'DROP ROLE IF EXISTS ' || quote_ident(r);
        END LOOP; END $$""")
    for name in PUBLIC_FUNCTIONS:
        op.execute(f"DROP FUNCTION public.{name}")
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    # The function as the previous revision defined it, read from that revision rather than copied.
    previous = op.get_context().script.get_revision(PREVIOUS).module
    op.execute(previous.CREATE_FUNCTION)
    op.execute(f"ALTER FUNCTION {OLD_CLAIM} OWNER TO {owner}")
    op.execute(f"REVOKE ALL ON FUNCTION {OLD_CLAIM} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {OLD_CLAIM} TO {TESTER_ROLE}")
