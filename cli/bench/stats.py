"""Benchmark human-evaluation analytics at scale on PostgreSQL.

A throwaway database gets 1,000,000 evaluation rows (250,000 sessions of an anchor row with the
rating, two select answers and one open answer) across 10 arms, generated inside PostgreSQL by
INSERT ... SELECT over generate_series so loading does not cost Python memory. Then, five times:
sufficient statistics and pairwise preferences by GROUP BY in SQL, and the full analysis (every arm
against control with Holm correction, Bayesian and sequential figures, SRM, and Bradley-Terry with a
1000-replicate bootstrap on the testers' pairwise preferences). Figures: median seconds, peak RSS.
"""

from __future__ import annotations

import os
import resource
import secrets
import statistics
import time
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from cli.errors import UserError

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
ARMS = ["control", *(f"v{i}" for i in range(1, 10))]
TESTERS = 100  # a human panel: preferences are per tester and pair of arms, so BT sees 100 x 45 games
QUICK_TESTERS = 10
ROWS_PER_SESSION = 4
REPEATS = 5
TARGET_SECONDS = 1.5
TARGET_RSS_MB = 300.0

# Ratings drift up by 0.04 per arm index, so the arms really differ; answers are drawn per session.
_LOAD = text("""
    INSERT INTO evaluations (id, playground_id, user_id, model_key, question_id, answer_text, answer_value,
                             rating, session_id, created_at)
    SELECT 'evb_' || s.i || '_' || k.k, :playground_id, 'usr_bench' || ((s.i / 10) % :testers),
           (:arms ::text[])[1 + s.i % 10],
           CASE k.k WHEN 0 THEN NULL WHEN 1 THEN :found WHEN 2 THEN :ease ELSE :why END,
           CASE k.k WHEN 3 THEN 'comment ' || (s.i % 97) END,
           CASE k.k WHEN 1 THEN (ARRAY['yes', 'no', 'partly'])[1 + floor(random() * 3)::int]
                    WHEN 2 THEN (ARRAY['1', '2', '3', '4', '5'])[1 + floor(random() * 5)::int] END,
           CASE k.k WHEN 0 THEN LEAST(5, 1 + floor(random() * 5 + 0.04 * (s.i % 10))::int) END,
           'evsb_' || s.i, now()
    FROM generate_series(0, :sessions - 1) AS s(i) CROSS JOIN generate_series(0, 3) AS k(k)
""")


def _admin_engine() -> Engine:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError:
        engine.dispose()
        raise UserError(f"bench stats needs PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} "
                        "(user postgres); it is not reachable") from None
    return engine


def _seed(url: str, sessions: int, testers: int) -> str:
    """Playground, questions and testers through the service; the evaluations in bulk, in SQL."""
    from db.evaluations import ArmSpec, QuestionSpec, create_playground
    from db.session import session_scope
    from db.users import get_or_create_user

    with session_scope(url) as s:
        admin = get_or_create_user(s, "bench-admin@example.com", "admin")
        found = QuestionSpec("Did you find what you wanted?", "select",
                             [{"label": v, "value": v} for v in ("yes", "no", "partly")])
        ease = QuestionSpec("How easy was it?", "select", [{"label": v, "value": v} for v in "12345"])
        why = QuestionSpec("Why?", "input_string", required=False)
        playground = create_playground(
            s, experiment_id=None, name="bench", type="ab_testing", created_by=admin.id,
            arms=[ArmSpec(key, sessions) for key in ARMS], questions=[found, ease, why], restricted_emails=None)
        ids = {q: qid for q, qid in s.execute(text("SELECT question_text, id FROM questions"))}
        s.execute(text("INSERT INTO users (id, email, role, created_at, updated_at) "
                       "SELECT 'usr_bench' || i, 'tester' || i || '@example.com', 'tester', now(), now() "
                       "FROM generate_series(0, :n - 1) AS i"), {"n": testers})
        # Generated rows reference only the rows created above; skipping the per-row FK triggers
        # for this one transaction (superuser only) makes the load several times faster.
        s.execute(text("SET LOCAL session_replication_role = replica"))
        s.execute(text("SELECT setseed(0.42)"))
        s.execute(_LOAD, {"playground_id": playground.id, "testers": testers, "arms": ARMS, "sessions": sessions,
                          "found": ids[found.question_text], "ease": ids[ease.question_text],
                          "why": ids[why.question_text]})
        s.execute(text("UPDATE evaluation_counters c SET current_count = n.sessions FROM "
                       "(SELECT model_key, COUNT(*) AS sessions FROM evaluations WHERE question_id IS NULL "
                       "GROUP BY model_key) n WHERE c.model_key = n.model_key AND c.playground_id = :p"),
                  {"p": playground.id})
        return playground.id


def _measure(url: str, playground_id: str) -> dict[str, Any]:
    from analysis.bradley_terry import bradley_terry
    from analysis.engine import analyze
    from analysis.rows import rows_from_records
    from db.evaluations import evaluation_stats, pairwise_preferences, preference_comparisons
    from db.session import session_scope

    start = time.perf_counter()
    with session_scope(url) as s:
        records = evaluation_stats(s, playground_id)
        preferences = pairwise_preferences(s, playground_id)
    queried = time.perf_counter()
    report = analyze(rows_from_records(records), baseline="control", sequential_tuning=1e4)
    compared = time.perf_counter()
    games = preference_comparisons(preferences)
    strengths = bradley_terry(games)
    done = time.perf_counter()
    return {"sql": queried - start, "analysis": done - queried, "bradley_terry": done - compared,
            "total": done - start, "metrics": len(records),
            "comparisons": len(report.results), "games": len(games), "srm_flagged": report.srm.flagged,
            "significant": sum(r.significant for r in report.results), "bt_top": strengths.arms[0].arm}


def run(quick: bool = False) -> dict:
    rows = 20_000 if quick else 1_000_000
    sessions = rows // ROWS_PER_SESSION
    testers = QUICK_TESTERS if quick else TESTERS
    admin = _admin_engine()
    name = f"variantlab_bench_{secrets.token_hex(6)}"
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        from db.migrate import upgrade_to_head
        from db.session import get_engine

        upgrade_to_head(url)
        started = time.perf_counter()
        playground_id = _seed(url, sessions, testers)
        with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE evaluations"))
        load_seconds = time.perf_counter() - started
        runs = [_measure(url, playground_id) for _ in range(REPEATS)]
        # The machine may be shared: the load while measuring says how far the timings can be trusted.
        load_average = os.getloadavg()[0]
        get_engine(url).dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    median = statistics.median(r["total"] for r in runs)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    last = runs[-1]
    return {
        "database": name, "rows": rows, "sessions": sessions, "arms": len(ARMS), "testers": testers,
        "load_seconds": round(load_seconds, 2),
        "median_seconds": round(median, 3),
        "median_sql_seconds": round(statistics.median(r["sql"] for r in runs), 3),
        "median_analysis_seconds": round(statistics.median(r["analysis"] for r in runs), 3),
        "median_bradley_terry_seconds": round(statistics.median(r["bradley_terry"] for r in runs), 3),
        "runs_seconds": [round(r["total"], 3) for r in runs],
        "peak_rss_mb": round(peak_rss_mb, 1), "load_average_1m": round(load_average, 2),
        "metric_rows": last["metrics"], "arm_comparisons": last["comparisons"], "bt_games": last["games"],
        "significant_comparisons": last["significant"], "srm_flagged": last["srm_flagged"], "bt_top_arm": last["bt_top"],
        "target_seconds": TARGET_SECONDS, "target_rss_mb": TARGET_RSS_MB,
        "meets_time_target": median < TARGET_SECONDS, "meets_rss_target": peak_rss_mb < TARGET_RSS_MB,
    }
