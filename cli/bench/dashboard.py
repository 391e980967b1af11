"""Dashboard benchmark: median time for each view to rerun on a started app (AppTest, cold caches) on a
large database.

Full: 200 experiments, 2,000 variants, 1,000,000 evaluation rows; quick: 10, 50, 10,000. The
database is SQLite, bulk-loaded in one transaction (Core executemany for the small tables, raw
DBAPI executemany for evaluations) after an Alembic upgrade, so it has the production schema.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db.base import Base
from db.migrate import upgrade_to_head
from db.models.enums import STAGES

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
VIEWS = ("experiments", "comparison", "solves", "timeline", "evaluate", "playground_setup",
         "evaluation_results", "system")
TARGET_S = 0.5  # docs/operations.md: under half a second per view
QUESTIONS_PER_PLAYGROUND = 2  # one select, one open
EXPERIMENT = "exp_0000000000000000"  # the newest, the one every per-experiment view is timed on
ADMIN = "usr_admin00000000000"


def _ids(prefix: str, n: int, start: int = 0) -> list[str]:
    return [f"{prefix}_{i:016d}" for i in range(start, start + n)]


def _insert(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(Base.metadata.tables[table].insert(), rows)


def _load_core(engine: Engine, n_exp: int, per_exp: int, n_testers: int, now: dt.datetime) -> dict[str, Any]:
    """Everything but the evaluations: experiments with variants, metrics, runs, events, playgrounds."""
    rng = random.Random(1)
    users = [{"id": ADMIN, "email": "admin@bench", "role": "admin", "created_at": now,
              "updated_at": now}]
    users += [{"id": uid, "email": f"t{i}@bench", "role": "tester", "created_at": now, "updated_at": now}
              for i, uid in enumerate(_ids("usr", n_testers))]
    tables: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "experiments", "suggestions", "variants", "variant_metrics", "stage_runs", "timeline_events",
        "execution_logs", "browser_sessions", "playgrounds", "arms", "evaluation_counters", "questions",
        "statistics_runs", "arm_values", "arm_rankings")}
    playgrounds = []
    for e, exp_id in enumerate(_ids("exp", n_exp)):
        created = now - dt.timedelta(minutes=e)
        tables["experiments"].append({"id": exp_id, "name": f"bench-{e}", "repo_url": "https://example.com/o/app",
                                      "goal": "Users can't find products", "status": "completed",
                                      "created_at": created, "updated_at": created})
        keys = ["control", *(f"v{i}" for i in range(1, per_exp))]
        var_ids = _ids(f"var{e}", per_exp)
        for i, (key, vid) in enumerate(zip(keys, var_ids)):
            sug = None
            if key != "control":
                sug = f"sug{e}_{i:012d}"
                tables["suggestions"].append({"id": sug, "experiment_id": exp_id, "rank": i, "title": f"Change {i}",
                                              "created_at": created})
            tables["variants"].append({"id": vid, "experiment_id": exp_id, "type": "control" if i == 0 else "experiment",
                                       "key": key, "suggestion_id": sug, "patch": "--- a\n+++ b\n" if i else None,
                                       "created_at": created})
            for metric in ("task_success", "console_errors"):
                rel = None if i == 0 else rng.uniform(-0.3, 0.6)
                tables["variant_metrics"].append({
                    "id": f"met{e}_{i}_{metric}", "experiment_id": exp_id, "variant_id": vid, "metric": metric,
                    "type": "binomial" if metric == "task_success" else "mean", "is_guardrail": metric != "task_success",
                    "n": 30, "sum": 15.0, "sum_squares": 15.0, "mean": 0.5, "effect_rel": rel,
                    "ci_low": None if rel is None else rel - 0.2, "ci_high": None if rel is None else rel + 0.2,
                    # The chart plots the absolute pair: the control's mean is 0.5, so half the relative one.
                    "effect_abs": None if rel is None else rel / 2,
                    "ci_abs_low": None if rel is None else rel / 2 - 0.1,
                    "ci_abs_high": None if rel is None else rel / 2 + 0.1,
                    "p_value_adjusted": None if rel is None else rng.random(), "created_at": created})
            for b in range(5):
                tables["browser_sessions"].append({"id": f"a{e}_{i}_{b}", "experiment_id": exp_id, "variant_id": vid,
                                                   "browser_task_id": "bt", "task_prompt": "find", "status": "completed",
                                                   "success": b % 2 == 0, "created_at": created})
        # What the metrics stages store and the Comparison and Evaluation results pages read.
        pg = f"pg_{e:016d}"
        run = dict.fromkeys(("playground_id", "srm_p_value", "srm_chi2", "srm_flagged", "srm_observed",
                             "ranking_comparisons", "ranking_bootstrap"))  # one executemany: every row every key
        tables["statistics_runs"] += [
            {**run, "id": f"stp{e}", "experiment_id": exp_id, "source": "panel", "srm_p_value": 0.5, "srm_chi2": 1.0,
             "srm_flagged": False, "srm_observed": dict.fromkeys(keys, 5), "created_at": created},
            {**run, "id": f"sth{e}", "experiment_id": exp_id, "source": "human", "playground_id": pg,
             "ranking_comparisons": 1000, "ranking_bootstrap": 500, "created_at": created}]
        tables["arm_values"] += [
            {"id": f"av{e}_{i}_{m}", "run_id": f"stp{e}", "position": 2 * i + m, "arm": key, "n": 30, "mean": 0.5,
             "metric": ("task_success", "console_errors")[m], "ci_low": 0.3, "ci_high": 0.7}
            for i, key in enumerate(keys) for m in range(2)]
        tables["arm_values"] += [{"id": f"avh{e}_{i}", "run_id": f"sth{e}", "position": i, "arm": key, "n": 300,
                                  "metric": "rating", "mean": 3.0, "ci_low": 2.8, "ci_high": 3.2}
                                 for i, key in enumerate(keys)]
        tables["arm_rankings"] += [{"id": f"ar{e}_{i}", "run_id": f"sth{e}", "arm": key, "strength": 1 / len(keys),
                                    "ci_low": 0.05, "ci_high": 0.15, "rank": 1, "wins": 50.0, "comparisons": 100}
                                   for i, key in enumerate(keys)]
        tables["experiments"][-1]["champion_variant_id"] = var_ids[1]
        tables["experiments"][-1]["champion_reason"] = "largest significant gain"
        for s, stage in enumerate(STAGES[:-1]):
            tables["stage_runs"].append({"id": f"stg{e}_{s}", "experiment_id": exp_id, "stage": stage,
                                         "status": "failed" if (e % 7 == 0 and s == 3) else "completed",
                                         "progress": 100, "started_at": created + dt.timedelta(seconds=s)})
        for t in range(20):
            tables["timeline_events"].append({"id": f"evt{e}_{t}", "experiment_id": exp_id, "type": "checkpoint",
                                              "title": f"step {t}", "status": "completed",
                                              "created_at": created + dt.timedelta(seconds=t)})
        for g in range(50):
            tables["execution_logs"].append({"id": f"log{e}_{g}", "experiment_id": exp_id,
                                             "level": ("info", "debug", "warning", "error")[g % 4],
                                             "message": f"line {g}", "timestamp": created + dt.timedelta(seconds=g)})
        playgrounds.append((pg, keys))
        tables["playgrounds"].append({"id": pg, "experiment_id": exp_id, "name": f"pg {e}", "type": "ab_testing",
                                      "created_by": users[0]["id"], "is_active": True, "created_at": created,
                                      "updated_at": created})
        for i, (key, vid) in enumerate(zip(keys, var_ids)):
            tables["arms"].append({"id": f"arm{e}_{i}", "playground_id": pg, "model_key": key, "variant_id": vid,
                                   "embed_code": "http://127.0.0.1:9/", "max_evaluations": 10**6, "created_at": created})
        tables["questions"] += [
            {"id": f"q{e}_sel", "playground_id": pg, "question_text": "Found it?", "question_type": "select",
             "options": [{"label": v, "value": v} for v in ("yes", "partly", "no")], "order_index": 0,
             "required": True, "created_at": created},
            {"id": f"q{e}_txt", "playground_id": pg, "question_text": "What was confusing?",
             "question_type": "input_string", "options": None, "order_index": 1, "required": False, "created_at": created}]
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # experiments name their champion variant
        _insert(conn, "users", users)
        for name in ("experiments", "suggestions", "variants", "variant_metrics", "stage_runs", "timeline_events",
                     "execution_logs", "browser_sessions", "playgrounds", "arms", "questions", "statistics_runs",
                     "arm_values", "arm_rankings"):
            _insert(conn, name, tables[name])
    return {"playgrounds": playgrounds, "testers": [u["id"] for u in users[1:]],
            "variants": len(tables["variants"]), "experiments": n_exp}


def _load_evaluations(engine: Engine, playgrounds: list[tuple[str, list[str]]], testers: list[str], total: int,
                      now: dt.datetime) -> int:
    """Evaluation rows (anchor + one per question per session), spread evenly; counters match the sessions."""
    rng = random.Random(2)
    rows_per_session = 1 + QUESTIONS_PER_PLAYGROUND
    sessions_per_pg = max(1, total // rows_per_session // len(playgrounds))
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    rows, counters, n = [], [], 0
    for p, (pg, keys) in enumerate(playgrounds):
        per_arm = dict.fromkeys(keys, 0)
        for s in range(sessions_per_pg):
            # Tester s // len(keys) sees every arm once, as the A/B rule wants.
            user, key = testers[(s // len(keys)) % len(testers)], keys[s % len(keys)]
            per_arm[key] += 1
            sid = f"evs_{p:06d}{s:010d}"
            rating = rng.randint(1, 5)
            rows.append((f"ev_{n:016d}", pg, user, key, None, None, None, rating, sid, stamp))
            rows.append((f"ev_{n + 1:016d}", pg, user, key, f"q{p}_sel", None,
                         ("yes", "partly", "no")[rating % 3], None, sid, stamp))
            rows.append((f"ev_{n + 2:016d}", pg, user, key, f"q{p}_txt", f"note {s}", None, None, sid, stamp))
            n += 3
        counters += [(f"evc{p}_{i}", pg, k, c, stamp, stamp) for i, (k, c) in enumerate(per_arm.items())]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.executemany("INSERT INTO evaluations (id, playground_id, user_id, model_key, question_id, answer_text, "
                        "answer_value, rating, session_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        cur.executemany("INSERT INTO evaluation_counters (id, playground_id, model_key, current_count, created_at, "
                        "updated_at) VALUES (?,?,?,?,?,?)", counters)
        raw.commit()
    finally:
        raw.close()
    return n


def _apptest_rerun(make: Any, user_id: str, exp_id: str, page: str | None, runs: int) -> tuple[float, list[float]]:
    """One AppTest, like one browser tab on a running server: a first run (AppTest's start-up included),
    then `runs` reruns with cold caches, which are what a user waits for when a page opens or reruns.

    The first run is not a page view: a new AppTest scans every installed distribution's metadata for
    Streamlit components (components v2), which a server does once when it starts, not per page."""
    import streamlit as st

    at = make()
    at.session_state["user_id"] = user_id
    at.session_state["experiment_id"] = exp_id
    if page:
        at.switch_page(page)
    timings = []
    for _ in range(1 + runs):
        st.cache_data.clear()  # cold: every loader hits the database
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"{page or 'app'} raised: {at.exception[0].value}")
    return timings[0], timings[1:]


def _time_views(exp_id: str, admin: str, tester: str, runs: int) -> dict[str, Any]:
    """Median rerun time per view on a started app (cold caches), and beside it what the harness
    itself costs: an empty script's rerun, and a new AppTest's first run (Streamlit start-up)."""
    from streamlit.testing.v1 import AppTest

    empty_first, empty_reruns = _apptest_rerun(lambda: AppTest.from_string("pass", default_timeout=120),
                                               admin, exp_id, None, runs)
    medians, first = {}, {}
    for view in VIEWS:
        page = None if view == "experiments" else f"views/{view}.py"
        start, reruns = _apptest_rerun(lambda: AppTest.from_file(str(APP), default_timeout=120),
                                       tester if view == "evaluate" else admin, exp_id, page, runs)
        medians[view], first[view] = round(statistics.median(reruns), 4), round(start, 4)
    return {"view_median_s": medians, "view_first_run_s": first,
            "apptest_empty_rerun_s": round(statistics.median(empty_reruns), 4),
            "apptest_empty_first_run_s": round(empty_first, 4)}


def run(quick: bool = False) -> dict[str, Any]:
    from streamlit.logger import set_log_level

    from db.session import get_engine
    from settings import get_settings

    set_log_level("error")  # AppTest outside a server warns on every run
    n_exp, per_exp, n_eval = (10, 5, 10_000) if quick else (200, 10, 1_000_000)
    workdir = Path(tempfile.mkdtemp(prefix="variantlab-bench-dashboard-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    previous = os.environ.get("VARIANTLAB_DATABASE_URL")
    os.environ["VARIANTLAB_DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        upgrade_to_head(url)
        engine = get_engine(url)
        now = dt.datetime.now(dt.UTC)
        started = time.perf_counter()
        core = _load_core(engine, n_exp, per_exp, n_testers=200 if quick else 500, now=now)
        n_rows = _load_evaluations(engine, core["playgrounds"], core["testers"], n_eval, now)
        load_s = time.perf_counter() - started
        # Warm-up: the first import of each view's modules is the server's start-up, not a page view.
        _time_views(EXPERIMENT, ADMIN, core["testers"][-1], 1)
        timed = _time_views(EXPERIMENT, ADMIN, core["testers"][-1], 1 if quick else 3)
        views = timed["view_median_s"]
    finally:
        get_engine.cache_clear()
        if previous is None:
            os.environ.pop("VARIANTLAB_DATABASE_URL", None)
        else:
            os.environ["VARIANTLAB_DATABASE_URL"] = previous
        get_settings.cache_clear()
    return {
        "experiments": core["experiments"], "variants": core["variants"], "evaluation_rows": n_rows,
        "load_s": round(load_s, 2), **timed, "slowest_view": max(views, key=views.get),
        "slowest_s": max(views.values()), "target_s": TARGET_S, "all_under_target": max(views.values()) < TARGET_S,
        "load_average": [round(x, 2) for x in os.getloadavg()], "database": "sqlite",
    }
