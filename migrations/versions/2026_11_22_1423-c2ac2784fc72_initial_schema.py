"""initial schema

Revision ID: c2ac2784fc72
Revises: 
Create Date: 2026-11-22 14:23:54.700122
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import db.base

revision = 'c2ac2784fc72'
down_revision = None
branch_labels = None
depends_on = None


def _cyclic_fk(column: str, referred: str, name: str) -> list[sa.ForeignKeyConstraint]:
    """Inline on SQLite (no ALTER); added after all tables on PostgreSQL."""
    if op.get_bind().dialect.name != "sqlite":
        return []
    return [sa.ForeignKeyConstraint([column], [f"{referred}.id"], name=op.f(name), ondelete="SET NULL")]


def upgrade() -> None:
    op.create_table('ai_models',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('provider', sa.String(length=100), nullable=False),
    sa.Column('model_id', sa.String(length=255), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_models')),
    sa.UniqueConstraint('provider', 'model_id', name=op.f('uq_ai_models_provider_model_id'))
    )
    with op.batch_alter_table('ai_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_models_is_active'), ['is_active'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_models_provider'), ['provider'], unique=False)

    op.create_table('system_stats',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('timestamp', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active_sessions', sa.Integer(), nullable=False),
    sa.Column('active_browsers', sa.Integer(), nullable=False),
    sa.Column('total_flows_executed', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_system_stats'))
    )
    with op.batch_alter_table('system_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_system_stats_timestamp'), ['timestamp'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('last_login', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'analyst', 'tester')", name=op.f('ck_users_role_allowed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('action', sa.String(length=255), nullable=False),
    sa.Column('resource_type', sa.String(length=100), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=True),
    sa.Column('old_values', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('new_values', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('ip_address', db.base.IPAddress(length=45), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_resource', ['resource_type', 'resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_user_id'), ['user_id'], unique=False)

    op.create_table('experiments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('repo_url', sa.Text(), nullable=False),
    sa.Column('base_branch', sa.String(length=255), nullable=True),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('num_suggestions', sa.Integer(), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('workflow_status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.String(length=32), nullable=True),
    sa.Column('approved_by_id', sa.String(length=32), nullable=True),
    sa.Column('verified_by_id', sa.String(length=32), nullable=True),
    sa.Column('implemented_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_tested_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('champion_variant_id', sa.String(length=32), nullable=True),
    sa.Column('champion_reason', sa.Text(), nullable=True),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed')", name=op.f('ck_experiments_status_allowed')),
    sa.CheckConstraint("workflow_status IN ('proposed', 'implementing', 'beta', 'in_review', 'verified')", name=op.f('ck_experiments_workflow_status_allowed')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_experiments_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_experiments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_experiments_verified_by_id_users'), ondelete='SET NULL'),
    *_cyclic_fk('champion_variant_id', 'variants', 'fk_experiments_champion_variant_id_variants'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments'))
    )
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.create_index('ix_experiments_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiments_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_experiments_status'), ['status'], unique=False)

    op.create_table('playgrounds',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('support_text', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('restricted_emails', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('ab_testing', 'tuning')", name=op.f('ck_playgrounds_type_allowed')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_playgrounds_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_playgrounds_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playgrounds'))
    )
    with op.batch_alter_table('playgrounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playgrounds_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_playgrounds_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_playgrounds_is_active'), ['is_active'], unique=False)

    op.create_table('stage_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dagster_run_id', sa.String(length=64), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("stage IN ('test_flows', 'control_analysis', 'variant_suggestions', 'variant_implementations', 'browser_results', 'variant_metrics', 'evaluation_metrics')", name=op.f('ck_stage_runs_stage_allowed')),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed')", name=op.f('ck_stage_runs_status_allowed')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_stage_runs_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_runs'))
    )
    with op.batch_alter_table('stage_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_runs_experiment_id'), ['experiment_id'], unique=False)

    op.create_table('suggestions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('addresses_issues', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('target_metric', sa.String(length=64), nullable=False),
    sa.Column('recipe', sa.String(length=64), nullable=True),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=255), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_suggestions_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
    sa.UniqueConstraint('experiment_id', 'rank', name=op.f('uq_suggestions_experiment_id_rank'))
    )
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestions_experiment_id'), ['experiment_id'], unique=False)

    op.create_table('test_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('total_flows', sa.Integer(), nullable=False),
    sa.Column('completed_flows', sa.Integer(), nullable=False),
    sa.Column('estimated_duration_s', sa.Float(), nullable=True),
    sa.Column('actual_duration_s', sa.Float(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'generating', 'ready', 'running', 'completed', 'failed')", name=op.f('ck_test_sessions_status_allowed')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_test_sessions_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_sessions'))
    )
    with op.batch_alter_table('test_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_sessions_experiment_id'), ['experiment_id'], unique=False)

    op.create_table('evaluation_counters',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('playground_id', sa.String(length=32), nullable=False),
    sa.Column('model_key', sa.String(length=50), nullable=False),
    sa.Column('current_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('current_count >= 0', name=op.f('ck_evaluation_counters_count_nonneg')),
    sa.ForeignKeyConstraint(['playground_id'], ['playgrounds.id'], name=op.f('fk_evaluation_counters_playground_id_playgrounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_counters')),
    sa.UniqueConstraint('playground_id', 'model_key', name=op.f('uq_evaluation_counters_playground_id_model_key'))
    )
    with op.batch_alter_table('evaluation_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_counters_playground_id'), ['playground_id'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('playground_id', sa.String(length=32), nullable=False),
    sa.Column('model_key', sa.String(length=50), nullable=True),
    sa.Column('question_text', sa.Text(), nullable=False),
    sa.Column('question_type', sa.String(length=16), nullable=False),
    sa.Column('options', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('order_index', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("question_type IN ('select', 'input_string')", name=op.f('ck_questions_question_type_allowed')),
    sa.ForeignKeyConstraint(['playground_id'], ['playgrounds.id'], name=op.f('fk_questions_playground_id_playgrounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_model_key'), ['model_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_playground_id'), ['playground_id'], unique=False)
        batch_op.create_index('ix_questions_playground_order', ['playground_id', 'order_index'], unique=False)

    op.create_table('solves',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('suggestion_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('repo_url', sa.String(length=1000), nullable=False),
    sa.Column('base_branch', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agent', sa.String(length=16), nullable=False),
    sa.Column('matrix', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('limits', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('requested_by', sa.String(length=255), nullable=True),
    sa.Column('champion_run_id', sa.String(length=32), nullable=True),
    sa.Column('champion_reason', sa.Text(), nullable=True),
    sa.Column('max_parallel', sa.Integer(), nullable=True),
    sa.Column('time_budget_s', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed', 'cancelled')", name=op.f('ck_solves_status_allowed')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_solves_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_solves_suggestion_id_suggestions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_solves_user_id_users'), ondelete='SET NULL'),
    *_cyclic_fk('champion_run_id', 'solve_runs', 'fk_solves_champion_run_id_solve_runs'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solves'))
    )
    with op.batch_alter_table('solves', schema=None) as batch_op:
        batch_op.create_index('ix_solves_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_solves_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solves_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_solves_suggestion_id'), ['suggestion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solves_user_id'), ['user_id'], unique=False)

    op.create_table('test_flows',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('task', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed')", name=op.f('ck_test_flows_status_allowed')),
    sa.ForeignKeyConstraint(['session_id'], ['test_sessions.id'], name=op.f('fk_test_flows_session_id_test_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_flows'))
    )
    with op.batch_alter_table('test_flows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_flows_session_id'), ['session_id'], unique=False)

    op.create_table('variants',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('suggestion_id', sa.String(length=32), nullable=True),
    sa.Column('suggestion', sa.Text(), nullable=True),
    sa.Column('sandbox_id', sa.String(length=255), nullable=True),
    sa.Column('public_url', sa.String(length=1000), nullable=True),
    sa.Column('analysis', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('source_run_id', sa.String(length=32), nullable=True),
    sa.Column('patch', sa.Text(), nullable=True),
    sa.Column('deploy_status', sa.String(length=16), nullable=False),
    sa.Column('deploy_started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deploy_completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deploy_logs', sa.Text(), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("deploy_status IN ('queued', 'building', 'ready', 'error', 'canceled')", name=op.f('ck_variants_deploy_status_allowed')),
    sa.CheckConstraint("type IN ('control', 'experiment')", name=op.f('ck_variants_type_allowed')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_variants_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestions.id'], name=op.f('fk_variants_suggestion_id_suggestions'), ondelete='SET NULL'),
    *_cyclic_fk('source_run_id', 'solve_runs', 'fk_variants_source_run_id_solve_runs'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variants'))
    )
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variants_experiment_id'), ['experiment_id'], unique=False)

    op.create_table('arms',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('playground_id', sa.String(length=32), nullable=False),
    sa.Column('model_key', sa.String(length=50), nullable=False),
    sa.Column('model_name', sa.String(length=255), nullable=True),
    sa.Column('variant_id', sa.String(length=32), nullable=True),
    sa.Column('embed_code', sa.Text(), nullable=True),
    sa.Column('max_evaluations', sa.Integer(), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('max_evaluations >= 0', name=op.f('ck_arms_cap_nonneg')),
    sa.ForeignKeyConstraint(['playground_id'], ['playgrounds.id'], name=op.f('fk_arms_playground_id_playgrounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_arms_variant_id_variants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arms')),
    sa.UniqueConstraint('playground_id', 'model_key', name=op.f('uq_arms_playground_id_model_key'))
    )
    with op.batch_alter_table('arms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arms_playground_id'), ['playground_id'], unique=False)

    op.create_table('browser_sessions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('variant_id', sa.String(length=32), nullable=False),
    sa.Column('test_session_id', sa.String(length=32), nullable=True),
    sa.Column('flow_id', sa.String(length=32), nullable=True),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('agent_kind', sa.String(length=16), nullable=False),
    sa.Column('browser_task_id', sa.String(length=255), nullable=False),
    sa.Column('browser_live_url', sa.String(length=1000), nullable=True),
    sa.Column('browser_type', sa.String(length=32), nullable=False),
    sa.Column('task_prompt', sa.Text(), nullable=False),
    sa.Column('persona', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('panel_order', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('raw_logs', sa.Text(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=True),
    sa.Column('self_reported_success', sa.Boolean(), nullable=True),
    sa.Column('n_actions', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Float(), nullable=False),
    sa.Column('pages_visited', sa.Integer(), nullable=False),
    sa.Column('backtracks', sa.Integer(), nullable=False),
    sa.Column('dead_ends', sa.Integer(), nullable=False),
    sa.Column('console_errors', sa.Integer(), nullable=False),
    sa.Column('failed_requests', sa.Integer(), nullable=False),
    sa.Column('broken_links', sa.Integer(), nullable=False),
    sa.Column('broken_images', sa.Integer(), nullable=False),
    sa.Column('a11y_violations', sa.Integer(), nullable=False),
    sa.Column('lcp_ms', sa.Float(), nullable=True),
    sa.Column('cls', sa.Float(), nullable=True),
    sa.Column('action_log', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('screenshots', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_activity_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("agent_kind IN ('simulated', 'browser_use')", name=op.f('ck_browser_sessions_agent_kind_allowed')),
    sa.CheckConstraint("status IN ('pending', 'starting', 'running', 'completed', 'failed', 'stopped')", name=op.f('ck_browser_sessions_status_allowed')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_browser_sessions_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flow_id'], ['test_flows.id'], name=op.f('fk_browser_sessions_flow_id_test_flows'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['test_session_id'], ['test_sessions.id'], name=op.f('fk_browser_sessions_test_session_id_test_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_browser_sessions_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_browser_sessions'))
    )
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_browser_sessions_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index('ix_browser_sessions_variant_flow', ['variant_id', 'flow_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_browser_sessions_variant_id'), ['variant_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('playground_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('model_key', sa.String(length=50), nullable=False),
    sa.Column('question_id', sa.String(length=32), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=True),
    sa.Column('answer_value', sa.String(length=255), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating IS NULL OR (rating BETWEEN 1 AND 5)', name=op.f('ck_evaluations_rating_range')),
    sa.ForeignKeyConstraint(['playground_id'], ['playgrounds.id'], name=op.f('fk_evaluations_playground_id_playgrounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_evaluations_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_evaluations_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_model_key'), ['model_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_playground_id'), ['playground_id'], unique=False)
        batch_op.create_index('ix_evaluations_playground_key', ['playground_id', 'model_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluations_user_id'), ['user_id'], unique=False)

    op.create_table('solve_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('solve_id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('variant_id', sa.String(length=32), nullable=True),
    sa.Column('ai_model_id', sa.Integer(), nullable=True),
    sa.Column('parent_run_id', sa.String(length=32), nullable=True),
    sa.Column('model', sa.String(length=255), nullable=False),
    sa.Column('temperature', sa.Float(), nullable=False),
    sa.Column('max_edits', sa.Integer(), nullable=False),
    sa.Column('evolution', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('phases', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('checkpoints', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('retry_count', sa.Integer(), nullable=False),
    sa.Column('max_retries', sa.Integer(), nullable=False),
    sa.Column('retry_reason', sa.Text(), nullable=True),
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.Column('implementation_prompt', sa.Text(), nullable=False),
    sa.Column('agent_session_id', sa.String(length=255), nullable=True),
    sa.Column('prompt_file', sa.String(length=1000), nullable=True),
    sa.Column('sandbox_id', sa.String(length=255), nullable=True),
    sa.Column('pr_url', sa.String(length=1000), nullable=True),
    sa.Column('commit_hash', sa.String(length=64), nullable=True),
    sa.Column('commit_message', sa.Text(), nullable=True),
    sa.Column('tests_passed', sa.Boolean(), nullable=True),
    sa.Column('goal_checks_passed', sa.Boolean(), nullable=True),
    sa.Column('loc_changed', sa.Integer(), nullable=True),
    sa.Column('files_changed', sa.Integer(), nullable=True),
    sa.Column('files_modified', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('code_changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('diff', sa.Text(), nullable=True),
    sa.Column('implementation_summary', sa.Text(), nullable=True),
    sa.Column('tokens', sa.Integer(), nullable=True),
    sa.Column('cost_usd', sa.Float(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('logs', sa.Text(), nullable=True),
    sa.Column('logs_url', sa.String(length=1000), nullable=True),
    sa.Column('diagnostics', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('trajectory_data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('errored_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("phase IN ('planning', 'implementing', 'testing', 'refining', 'deploying')", name=op.f('ck_solve_runs_phase_allowed')),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed', 'cancelled', 'retry')", name=op.f('ck_solve_runs_status_allowed')),
    sa.ForeignKeyConstraint(['ai_model_id'], ['ai_models.id'], name=op.f('fk_solve_runs_ai_model_id_ai_models'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_solve_runs_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_run_id'], ['solve_runs.id'], name=op.f('fk_solve_runs_parent_run_id_solve_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['solve_id'], ['solves.id'], name=op.f('fk_solve_runs_solve_id_solves'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_solve_runs_variant_id_variants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_runs'))
    )
    with op.batch_alter_table('solve_runs', schema=None) as batch_op:
        batch_op.create_index('ix_solve_runs_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_solve_runs_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solve_runs_phase'), ['phase'], unique=False)
        batch_op.create_index(batch_op.f('ix_solve_runs_solve_id'), ['solve_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solve_runs_status'), ['status'], unique=False)

    op.create_table('variant_metrics',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('variant_id', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('is_guardrail', sa.Boolean(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sum', sa.Float(), nullable=False),
    sa.Column('sum_squares', sa.Float(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=True),
    sa.Column('effect_abs', sa.Float(), nullable=True),
    sa.Column('effect_rel', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('p_value_adjusted', sa.Float(), nullable=True),
    sa.Column('chance_to_win', sa.Float(), nullable=True),
    sa.Column('risk', sa.Float(), nullable=True),
    sa.Column('significant', sa.Boolean(), nullable=True),
    sa.Column('guardrail_status', sa.String(length=16), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('binomial', 'mean')", name=op.f('ck_variant_metrics_type_allowed')),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_variant_metrics_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_variant_metrics_variant_id_variants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variant_metrics')),
    sa.UniqueConstraint('variant_id', 'metric', 'source', name=op.f('uq_variant_metrics_variant_id_metric_source'))
    )
    with op.batch_alter_table('variant_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_variant_metrics_experiment_id'), ['experiment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_variant_metrics_variant_id'), ['variant_id'], unique=False)

    op.create_table('execution_logs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=True),
    sa.Column('test_session_id', sa.String(length=32), nullable=True),
    sa.Column('flow_id', sa.String(length=32), nullable=True),
    sa.Column('browser_session_id', sa.String(length=32), nullable=True),
    sa.Column('stage', sa.String(length=32), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('timestamp', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.CheckConstraint("level IN ('debug', 'info', 'warning', 'error')", name=op.f('ck_execution_logs_level_allowed')),
    sa.ForeignKeyConstraint(['browser_session_id'], ['browser_sessions.id'], name=op.f('fk_execution_logs_browser_session_id_browser_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_execution_logs_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flow_id'], ['test_flows.id'], name=op.f('fk_execution_logs_flow_id_test_flows'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['test_session_id'], ['test_sessions.id'], name=op.f('fk_execution_logs_test_session_id_test_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_execution_logs'))
    )
    with op.batch_alter_table('execution_logs', schema=None) as batch_op:
        batch_op.create_index('ix_execution_logs_experiment_ts', ['experiment_id', 'timestamp'], unique=False)
        batch_op.create_index(batch_op.f('ix_execution_logs_test_session_id'), ['test_session_id'], unique=False)

    op.create_table('feedback_items',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('variant_id', sa.String(length=32), nullable=True),
    sa.Column('author_id', sa.String(length=32), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('sent_to_agent_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_feedback_items_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_feedback_items_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['solve_runs.id'], name=op.f('fk_feedback_items_run_id_solve_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['variant_id'], ['variants.id'], name=op.f('fk_feedback_items_variant_id_variants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_items'))
    )
    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_items_experiment_id'), ['experiment_id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('experiment_id', sa.String(length=32), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=True),
    sa.Column('author_id', sa.String(length=32), nullable=True),
    sa.Column('author_type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=True),
    sa.Column('attachments', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('test_session_id', sa.String(length=32), nullable=True),
    sa.Column('feedback_id', sa.String(length=32), nullable=True),
    sa.Column('run_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("author_type IN ('user', 'system', 'agent')", name=op.f('ck_timeline_events_author_type_allowed')),
    sa.CheckConstraint("status IN ('pending', 'in_progress', 'completed', 'failed')", name=op.f('ck_timeline_events_status_allowed')),
    sa.CheckConstraint("type IN ('experiment_created', 'status_changed', 'stage_started', 'stage_completed', 'stage_failed', 'session_created', 'session_completed', 'suggestions_generated', 'feedback_added', 'feedback_batch_sent', 'run_started', 'phase_update', 'checkpoint', 'run_completed', 'run_failed', 'run_retry', 'deploy_started', 'deploy_building', 'deploy_success', 'deploy_failed', 'deploy_retry', 'champion_selected', 'user_approved', 'admin_verified', 'version_updated')", name=op.f('ck_timeline_events_type_allowed')),
    sa.CheckConstraint('progress IS NULL OR (progress BETWEEN 0 AND 100)', name=op.f('ck_timeline_events_progress_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_timeline_events_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_timeline_events_experiment_id_experiments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback_items.id'], name=op.f('fk_timeline_events_feedback_id_feedback_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['solve_runs.id'], name=op.f('fk_timeline_events_run_id_solve_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['test_session_id'], ['test_sessions.id'], name=op.f('fk_timeline_events_test_session_id_test_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events'))
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_events_experiment_created', ['experiment_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_timeline_events_test_session_id'), ['test_session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_timeline_events_type'), ['type'], unique=False)

    # The cycle experiments -> variants -> solve_runs -> solves is closed last. SQLite has no
    # ALTER ADD CONSTRAINT, so there the same keys are declared inline (see _cyclic_fks_inline).
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(op.f('fk_experiments_champion_variant_id_variants'), 'experiments', 'variants', ['champion_variant_id'], ['id'], ondelete='SET NULL')
        op.create_foreign_key(op.f('fk_solves_champion_run_id_solve_runs'), 'solves', 'solve_runs', ['champion_run_id'], ['id'], ondelete='SET NULL')
        op.create_foreign_key(op.f('fk_variants_source_run_id_solve_runs'), 'variants', 'solve_runs', ['source_run_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('fk_experiments_champion_variant_id_variants'), 'experiments', type_='foreignkey')
        op.drop_constraint(op.f('fk_solves_champion_run_id_solve_runs'), 'solves', type_='foreignkey')
        op.drop_constraint(op.f('fk_variants_source_run_id_solve_runs'), 'variants', type_='foreignkey')
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_events_type'))
        batch_op.drop_index(batch_op.f('ix_timeline_events_test_session_id'))
        batch_op.drop_index('ix_timeline_events_experiment_created')

    op.drop_table('timeline_events')
    with op.batch_alter_table('feedback_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_items_experiment_id'))

    op.drop_table('feedback_items')
    with op.batch_alter_table('execution_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_execution_logs_test_session_id'))
        batch_op.drop_index('ix_execution_logs_experiment_ts')

    op.drop_table('execution_logs')
    with op.batch_alter_table('variant_metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variant_metrics_variant_id'))
        batch_op.drop_index(batch_op.f('ix_variant_metrics_experiment_id'))

    op.drop_table('variant_metrics')
    with op.batch_alter_table('solve_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solve_runs_status'))
        batch_op.drop_index(batch_op.f('ix_solve_runs_solve_id'))
        batch_op.drop_index(batch_op.f('ix_solve_runs_phase'))
        batch_op.drop_index(batch_op.f('ix_solve_runs_experiment_id'))
        batch_op.drop_index('ix_solve_runs_created_at')

    op.drop_table('solve_runs')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_session_id'))
        batch_op.drop_index('ix_evaluations_playground_key')
        batch_op.drop_index(batch_op.f('ix_evaluations_playground_id'))
        batch_op.drop_index(batch_op.f('ix_evaluations_model_key'))
        batch_op.drop_index('ix_evaluations_created_at')

    op.drop_table('evaluations')
    with op.batch_alter_table('browser_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_browser_sessions_variant_id'))
        batch_op.drop_index('ix_browser_sessions_variant_flow')
        batch_op.drop_index(batch_op.f('ix_browser_sessions_experiment_id'))

    op.drop_table('browser_sessions')
    with op.batch_alter_table('arms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arms_playground_id'))

    op.drop_table('arms')
    with op.batch_alter_table('variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_variants_experiment_id'))

    op.drop_table('variants')
    with op.batch_alter_table('test_flows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_flows_session_id'))

    op.drop_table('test_flows')
    with op.batch_alter_table('solves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solves_user_id'))
        batch_op.drop_index(batch_op.f('ix_solves_suggestion_id'))
        batch_op.drop_index(batch_op.f('ix_solves_status'))
        batch_op.drop_index(batch_op.f('ix_solves_experiment_id'))
        batch_op.drop_index('ix_solves_created_at')

    op.drop_table('solves')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_playground_order')
        batch_op.drop_index(batch_op.f('ix_questions_playground_id'))
        batch_op.drop_index(batch_op.f('ix_questions_model_key'))

    op.drop_table('questions')
    with op.batch_alter_table('evaluation_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_counters_playground_id'))

    op.drop_table('evaluation_counters')
    with op.batch_alter_table('test_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_sessions_experiment_id'))

    op.drop_table('test_sessions')
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestions_experiment_id'))

    op.drop_table('suggestions')
    with op.batch_alter_table('stage_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stage_runs_experiment_id'))

    op.drop_table('stage_runs')
    with op.batch_alter_table('playgrounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playgrounds_is_active'))
        batch_op.drop_index(batch_op.f('ix_playgrounds_experiment_id'))
        batch_op.drop_index(batch_op.f('ix_playgrounds_created_by'))

    op.drop_table('playgrounds')
    with op.batch_alter_table('experiments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experiments_status'))
        batch_op.drop_index(batch_op.f('ix_experiments_created_by_id'))
        batch_op.drop_index('ix_experiments_created_at')

    op.drop_table('experiments')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_user_id'))
        batch_op.drop_index('ix_audit_log_resource')

    op.drop_table('audit_log')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_role'))

    op.drop_table('users')
    with op.batch_alter_table('system_stats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_system_stats_timestamp'))

    op.drop_table('system_stats')
    with op.batch_alter_table('ai_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_models_provider'))
        batch_op.drop_index(batch_op.f('ix_ai_models_is_active'))

    op.drop_table('ai_models')
