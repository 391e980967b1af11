"""Human-evaluation metrics views (both dialects) and row-level security (PostgreSQL)

Revision ID: 5e1a7c0d9b21
Revises: c2ac2784fc72
Create Date: 2026-11-22 14:30:00
"""

from __future__ import annotations

from alembic import op

revision = "5e1a7c0d9b21"
down_revision = "c2ac2784fc72"
branch_labels = None
depends_on = None

# Roles are cluster-wide, so they are created if missing and never dropped by a downgrade
# (another database of the same cluster may still use them). Sessions identify the person with
# SET variantlab.user_id / variantlab.user_email after SET ROLE (see db/rls.py).
TESTER_ROLE = "variantlab_tester"
ADMIN_ROLE = "variantlab_admin"

VIEWS = {
    "playground_metrics": """
        SELECT p.id, p.name, p.type, p.experiment_id,
               COUNT(DISTINCT e.user_id) AS total_testers,
               COUNT(DISTINCT e.session_id) AS total_evaluations,
               COUNT(e.question_id) AS total_answers,
               AVG(e.rating * 1.0) AS avg_rating
        FROM playgrounds p
        LEFT JOIN evaluations e ON p.id = e.playground_id
        GROUP BY p.id, p.name, p.type, p.experiment_id
    """,
    "question_metrics": """
        SELECT q.id AS question_id, q.question_text, q.playground_id, e.model_key, e.answer_value,
               COUNT(e.id) AS response_count,
               ROUND(100.0 * COUNT(e.id)
                     / NULLIF(SUM(COUNT(e.id)) OVER (PARTITION BY q.id, e.model_key), 0), 2) AS percentage
        FROM questions q
        LEFT JOIN evaluations e ON q.id = e.question_id
        WHERE q.question_type = 'select'
        GROUP BY q.id, q.question_text, q.playground_id, e.model_key, e.answer_value
    """,
    "open_responses": """
        SELECT e.id, e.playground_id, e.model_key, e.question_id, q.question_text, e.user_id,
               e.session_id, e.answer_text, e.created_at
        FROM evaluations e
        JOIN questions q ON q.id = e.question_id
        WHERE q.question_type = 'input_string' AND e.answer_text IS NOT NULL AND e.answer_text <> ''
    """,
}

_CURRENT_USER = "current_setting('variantlab.user_id', true)"
_CURRENT_EMAIL = "current_setting('variantlab.user_email', true)"

POLICIES = [
    # A tester sees and writes only their own evaluations.
    ("evaluations", "tester_own_evaluations", TESTER_ROLE, "ALL",
     f"user_id = {_CURRENT_USER}", f"user_id = {_CURRENT_USER}"),
    # A playground is visible to a tester only when active and their email is allowed.
    ("playgrounds", "tester_visible_playgrounds", TESTER_ROLE, "SELECT",
     f"is_active AND (restricted_emails IS NULL OR restricted_emails ? {_CURRENT_EMAIL})", None),
    ("arms", "tester_visible_arms", TESTER_ROLE, "SELECT",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = arms.playground_id)", None),
    ("questions", "tester_visible_questions", TESTER_ROLE, "SELECT",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = questions.playground_id)", None),
    ("evaluation_counters", "tester_visible_counters", TESTER_ROLE, "ALL",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = evaluation_counters.playground_id)", None),
    # Admins see the playgrounds they created, and the evaluations in them.
    ("playgrounds", "admin_own_playgrounds", ADMIN_ROLE, "ALL",
     f"created_by = {_CURRENT_USER}", f"created_by = {_CURRENT_USER}"),
    ("evaluations", "admin_evaluations_of_own_playgrounds", ADMIN_ROLE, "SELECT",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = evaluations.playground_id)", None),
    # The children of an admin's playgrounds (the playground policy above decides which are visible).
    ("arms", "admin_arms_of_own_playgrounds", ADMIN_ROLE, "ALL",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = arms.playground_id)",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = arms.playground_id)"),
    ("questions", "admin_questions_of_own_playgrounds", ADMIN_ROLE, "ALL",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = questions.playground_id)",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = questions.playground_id)"),
    ("evaluation_counters", "admin_counters_of_own_playgrounds", ADMIN_ROLE, "ALL",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = evaluation_counters.playground_id)",
     "EXISTS (SELECT 1 FROM playgrounds p WHERE p.id = evaluation_counters.playground_id)"),
    # Nobody under these roles reads other people's user rows (emails are personal data).
    ("users", "own_user_row_tester", TESTER_ROLE, "SELECT", f"id = {_CURRENT_USER}", None),
    ("users", "own_user_row_admin", ADMIN_ROLE, "SELECT", f"id = {_CURRENT_USER}", None),
]
RLS_TABLES = sorted({p[0] for p in POLICIES})
TESTER_GRANTS = [
    "GRANT SELECT, INSERT ON evaluations TO {r}",
    "GRANT SELECT ON playgrounds, arms, questions, users TO {r}",
    "GRANT SELECT, UPDATE ON evaluation_counters TO {r}",
    "GRANT SELECT ON playground_metrics, question_metrics, open_responses TO {r}",
]
ADMIN_GRANTS = [
    "GRANT SELECT, INSERT, UPDATE, DELETE ON playgrounds, arms, questions, evaluation_counters TO {r}",
    "GRANT SELECT ON evaluations, users TO {r}",
    "GRANT SELECT ON playground_metrics, question_metrics, open_responses TO {r}",
    "GRANT INSERT ON audit_log TO {r}",
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    # security_invoker: a tester querying a view is still subject to RLS on the tables below it.
    options = " WITH (security_invoker = true)" if postgres else ""
    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name}{options} AS {sql}")
    if not postgres:
        return
    for role in (TESTER_ROLE, ADMIN_ROLE):
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {TESTER_ROLE}, {ADMIN_ROLE}")
    for grant in TESTER_GRANTS:
        op.execute(grant.format(r=TESTER_ROLE))
    for grant in ADMIN_GRANTS:
        op.execute(grant.format(r=ADMIN_ROLE))
    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for table, name, role, command, using, check in POLICIES:
        with_check = f" WITH CHECK ({check})" if check else ""
        op.execute(f"CREATE POLICY {name} ON {table} FOR {command} TO {role} USING ({using}){with_check}")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table, name, *_ in POLICIES:
            op.execute(f"DROP POLICY IF EXISTS {name} ON {table}")
        for table in RLS_TABLES:
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for role in (TESTER_ROLE, ADMIN_ROLE):
            op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
            op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
