"""Sufficient statistics of human evaluations, aggregated by the database (GROUP BY, never raw rows).

Output rows match analysis.rows (variant, metric, type, n, sum, sum_squares), so they feed
analysis.engine.analyze directly; pairwise preferences feed analysis.bradley_terry.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.models import Arm, Evaluation, Question

RATING_METRIC = "rating"


def option_metric(question_id: str, value: str) -> str:
    return f"q:{question_id}={value}"


def arm_keys(session: Session, playground_id: str) -> list[str]:
    """Arms in report order: control first (the analysis baseline), then by key."""
    keys = session.scalars(select(Arm.model_key).where(Arm.playground_id == playground_id)).all()
    return sorted(keys, key=lambda key: (key != "control", key))


def evaluation_stats(session: Session, playground_id: str) -> list[dict[str, Any]]:
    """Ratings per arm (mean metric) and, per select question, one binomial metric per option.

    One scan: a single GROUP BY (arm, question, answer) yields both the rating sums (anchor rows)
    and the answer counts; joining questions in SQL made PostgreSQL misjudge the row count and sort
    a million rows on disk, so the few question rows are matched here instead.
    """
    keys = arm_keys(session, playground_id)
    rating = Evaluation.rating
    groups = session.execute(
        select(Evaluation.model_key, Evaluation.question_id, Evaluation.answer_value, func.count(),
               func.count(rating), func.coalesce(func.sum(rating), 0), func.coalesce(func.sum(rating * rating), 0))
        .where(Evaluation.playground_id == playground_id)
        .group_by(Evaluation.model_key, Evaluation.question_id, Evaluation.answer_value)
    ).all()
    ratings: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for key, question_id, value, rows, n, total, squares in groups:
        for i, part in enumerate((n, total, squares)):
            ratings[key][i] += int(part)
        if question_id is not None and value is not None:
            counts[(question_id, key)][value] = rows
    out = [_row(key, RATING_METRIC, "mean", *ratings.get(key, (0, 0, 0))) for key in keys]

    questions = session.execute(
        select(Question.id, Question.model_key, Question.options)
        .where(Question.playground_id == playground_id, Question.question_type == "select")
        .order_by(Question.order_index, Question.id)
    ).all()
    for question_id, question_key, options in questions:
        for key in keys if question_key is None else [question_key]:
            per_value = counts.get((question_id, key), {})
            answered = sum(per_value.values())
            for option in options or []:
                hits = per_value.get(option["value"], 0)
                out.append(_row(key, option_metric(question_id, option["value"]), "binomial", answered, hits, hits))
    return out


def _row(variant: str, metric: str, type_: str, n: int, total: Any, squares: Any) -> dict[str, Any]:
    return {"variant": variant, "metric": metric, "type": type_, "n": int(n), "sum": float(total),
            "sum_squares": float(squares)}


# Per tester and arm: the sum and count of their ratings. Two arms are compared on the tester's mean
# rating, cross-multiplied so the comparison is exact integer arithmetic on both dialects.
_PAIRWISE = text("""
    WITH per_tester AS (
        SELECT user_id, model_key, SUM(rating) AS s, COUNT(rating) AS c
        FROM evaluations
        WHERE playground_id = :playground_id AND rating IS NOT NULL
        GROUP BY user_id, model_key
    )
    SELECT a.model_key AS winner, b.model_key AS loser,
           SUM(CASE WHEN a.s * b.c > b.s * a.c THEN 1.0
                    WHEN a.s * b.c = b.s * a.c THEN 0.5 ELSE 0.0 END) AS weight
    FROM per_tester a
    JOIN per_tester b ON a.user_id = b.user_id AND a.model_key <> b.model_key
    GROUP BY a.model_key, b.model_key
    ORDER BY a.model_key, b.model_key
""")


def pairwise_preferences(session: Session, playground_id: str) -> list[tuple[str, str, float]]:
    """(winner, loser, weight) summed over testers who rated both arms; a tie gives 0.5 each way."""
    rows = session.execute(_PAIRWISE, {"playground_id": playground_id}).all()
    return [(winner, loser, float(weight)) for winner, loser, weight in rows if weight > 0]


def preference_comparisons(preferences: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """Expand summed preferences into single games (arm_a, arm_b, score of a) for bradley_terry.

    Each pair's games are W(a,b) + W(b,a); whole wins become games scored 1, and the half left over
    when the pair has an odd number of ties becomes one tie. Wins and games per pair, and so the
    Bradley-Terry estimate, are exactly those of the testers' comparisons.
    """
    weights = {(a, b): w for a, b, w in preferences}
    games: list[tuple[str, str, float]] = []
    for a, b in sorted({tuple(sorted(pair)) for pair in weights}):
        a_wins, b_wins = weights.get((a, b), 0.0), weights.get((b, a), 0.0)
        games += [(a, b, 1.0)] * int(a_wins) + [(b, a, 1.0)] * int(b_wins)
        if a_wins % 1:
            games.append((a, b, 0.5))
    return games
