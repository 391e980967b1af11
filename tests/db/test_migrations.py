"""One Alembic history, on both dialects: up, down, up again, one head, no drift from the models."""

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, exc, inspect, text

from db.base import Base
from db.migrate import alembic_config, check, downgrade_to_base, upgrade_to_head
from db.models import BrowserSession, ExecutionLog, Experiment, Variant, VariantMetric
from db.session import make_engine, session_scope
from db.users import get_or_create_user, login_role_name


def test_single_head_and_dated_revision_files():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        name = revision.path.rsplit("/", 1)[-1]
        assert name[:4].isdigit() and name[4] == "_", f"{name} is not dated"


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _views(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_view_names())
    finally:
        engine.dispose()


def test_up_down_up_and_check(db_url: str):
    assert _tables(db_url) == set(Base.metadata.tables)
    assert {"playground_metrics", "question_metrics", "open_responses"} <= _views(db_url)
    check(db_url)  # raises if the models and the history disagree
    downgrade_to_base(db_url)
    assert _tables(db_url) == set()
    assert _views(db_url) == set()
    upgrade_to_head(db_url)
    assert _tables(db_url) == set(Base.metadata.tables)
    check(db_url)


INTERVAL_COLUMNS = {"ci_abs_low", "ci_abs_high", "p_value_rel"}
BEFORE_INTERVALS = "5e1a7c0d9b21"


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_absolute_interval_columns_round_trip(db_url: str):
    """One step down and up again keeps the metric rows, the table's constraints, and the views."""
    with session_scope(db_url) as session:
        experiment = Experiment(repo_url="https://example.com/r.git", goal="g")
        session.add(experiment)
        session.flush()
        variant = Variant(experiment_id=experiment.id, type="experiment", key="v1")
        session.add(variant)
        session.flush()
        session.add(VariantMetric(experiment_id=experiment.id, variant_id=variant.id, metric="task_success",
                                  type="binomial", n=40, sum=29.0, sum_squares=29.0, effect_abs=0.225,
                                  ci_low=-0.078, ci_high=0.978, ci_abs_low=0.017, ci_abs_high=0.433,
                                  p_value=0.034, p_value_rel=0.095))
        experiment_id, variant_id = experiment.id, variant.id
    assert INTERVAL_COLUMNS <= _columns(db_url, "variant_metrics")

    command.downgrade(alembic_config(db_url), BEFORE_INTERVALS)
    assert not INTERVAL_COLUMNS & _columns(db_url, "variant_metrics")
    assert {"playground_metrics", "question_metrics", "open_responses"} <= _views(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT ci_low, ci_high, p_value FROM variant_metrics")).one()
            assert tuple(kept) == (-0.078, 0.978, 0.034)
        # On SQLite the downgrade rebuilt the table: its named CHECK and UNIQUE constraints must survive.
        insert = text("INSERT INTO variant_metrics (id, experiment_id, variant_id, source, metric, type, "
                      "is_guardrail, n, sum, sum_squares, created_at) VALUES (:id, :e, :v, 'panel', :m, :t, "
                      "false, 1, 0, 0, CURRENT_TIMESTAMP)")
        for metric, type_ in (("other", "median"), ("task_success", "binomial")):
            with pytest.raises(exc.IntegrityError), engine.begin() as conn:
                conn.execute(insert, {"id": f"met_{metric}", "e": experiment_id, "v": variant_id, "m": metric,
                                      "t": type_})
    finally:
        engine.dispose()

    upgrade_to_head(db_url)
    assert INTERVAL_COLUMNS <= _columns(db_url, "variant_metrics")
    check(db_url)
    with session_scope(db_url) as session:
        row = session.query(VariantMetric).one()
        assert (row.ci_low, row.p_value) == (-0.078, 0.034)
        assert (row.ci_abs_low, row.ci_abs_high, row.p_value_rel) == (None, None, None)  # derived: refilled by the stage


BEFORE_TESTER_WRITES = "45069c4f3d23"
STORED_STATISTICS = {"statistics_runs", "arm_values", "arm_rankings"}  # revision b7d41e9a2c58
BEFORE_TESTER_LOGINS = "30de86386d46"


def _tester_write_state(url: str) -> tuple[bool, bool, bool, bool, bool]:
    """(claim function exists, tester may UPDATE counters, tester may INSERT evaluations, tester insert
    check names playgrounds, the tester logins' schema exists)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT to_regprocedure('claim_evaluation_slot(text, text, text)') IS NOT NULL, "
                "has_table_privilege('variantlab_tester', 'evaluation_counters', 'UPDATE'), "
                "has_table_privilege('variantlab_tester', 'evaluations', 'INSERT'), "
                "coalesce((SELECT with_check LIKE '%playgrounds%' FROM pg_policies "
                " WHERE tablename = 'evaluations' AND policyname = 'tester_own_evaluations'), false), "
                "to_regnamespace('variantlab_rls') IS NOT NULL")).one())
    finally:
        engine.dispose()


def _role_exists(url: str, role: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}) == 1
    finally:
        engine.dispose()


def test_tester_write_hardening_round_trip(db_url: str):
    """Each step down restores the previous grants, checks and functions; up again hardens them (SQLite: a
    no-op). The step below head also drops this database's tester logins."""
    postgres = db_url.startswith("postgresql")
    head, logins_before, writes_before = ((True, False, False, False, True), (True, False, True, True, False),
                                          (False, True, True, False, False))
    role = None
    if postgres:
        assert _tester_write_state(db_url) == head
        with session_scope(db_url) as session:
            role = login_role_name(get_or_create_user(session, "t@example.com").id)
        assert _role_exists(db_url, role)
    tables, views = _tables(db_url), _views(db_url)
    command.downgrade(alembic_config(db_url), BEFORE_TESTER_LOGINS)
    if postgres:
        assert _tester_write_state(db_url) == logins_before
        assert not _role_exists(db_url, role)
    command.downgrade(alembic_config(db_url), BEFORE_TESTER_WRITES)
    # Tables from later revisions go with them; every other table and view stays.
    assert (_tables(db_url), _views(db_url)) == (tables - STORED_STATISTICS, views)
    if postgres:
        assert _tester_write_state(db_url) == writes_before
    upgrade_to_head(db_url)
    assert (_tables(db_url), _views(db_url)) == (tables, views)
    if postgres:
        assert _tester_write_state(db_url) == head
    check(db_url)


BEFORE_READINESS = "7b3e9d21c4a5"


def test_readiness_columns_round_trip(db_url: str):
    """Sessions written before keep their rows and logs; their failures become the users' (as counted then)."""
    with session_scope(db_url) as session:
        experiment = Experiment(repo_url="https://example.com/r.git", goal="g")
        session.add(experiment)
        session.flush()
        variant = Variant(experiment_id=experiment.id, type="control", key="control")
        session.add(variant)
        session.flush()
        for success in (True, False):
            row = BrowserSession(experiment_id=experiment.id, variant_id=variant.id, browser_task_id=f"t{success}",
                                 task_prompt="t", success=success, time_to_ready_ms=120.0)
            session.add(row)
            session.flush()
            session.add(ExecutionLog(experiment_id=experiment.id, browser_session_id=row.id, message="m"))
    command.downgrade(alembic_config(db_url), BEFORE_READINESS)
    assert not {"failure_cause", "time_to_ready_ms"} & _columns(db_url, "browser_sessions")
    upgrade_to_head(db_url)
    check(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT success, failure_cause, time_to_ready_ms FROM browser_sessions "
                                     "ORDER BY browser_task_id")).all()
            assert [(bool(s), c, t) for s, c, t in rows] == [(False, "user", None), (True, "none", None)]
            assert conn.execute(text("SELECT count(*) FROM execution_logs")).scalar() == 2
        with pytest.raises(exc.IntegrityError), engine.begin() as conn:
            conn.execute(text("UPDATE browser_sessions SET failure_cause = 'nobody'"))
    finally:
        engine.dispose()
