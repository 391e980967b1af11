"""Bradley-Terry strengths from pairwise preferences (human A/B evaluations), with bootstrap intervals.

P(i beats j) = p_i / (p_i + p_j). Strengths are fitted with Hunter's (2004) MM algorithm, vectorised over
bootstrap replicates. Games with the same arms and outcome are interchangeable, so the bootstrap draws
how many games of each distinct outcome a replicate holds (one multinomial over the outcome groups):
exactly the distribution of resampling the games one by one with replacement, at the cost of ~100
groups instead of thousands of games. Every pair of arms also gets `pseudo_count` virtual tie games: a
weak prior that keeps the estimate finite when an arm never wins (or never loses) and when the
comparison graph is not connected; its pull is negligible once real comparisons outnumber it.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.codes import ErrorCode

Comparison = tuple[str, str, float]  # (arm_a, arm_b, score of arm_a: 1 win, 0 loss, 0.5 tie)

# Replicates start from the point estimate, which they lie close to; their fit stops earlier than the
# point estimate's because its error (~1e-8 relative) is far below the bootstrap's Monte-Carlo error.
_REPLICATE_TOL = 1e-8


@dataclass(frozen=True, slots=True)
class ArmStrength:
    arm: str
    strength: float  # strengths sum to 1 across arms
    ci_low: float
    ci_high: float
    rank: int  # 1 + number of arms whose interval lies wholly above this arm's
    wins: float
    comparisons: int


@dataclass(frozen=True, slots=True)
class BradleyTerryResult:
    arms: tuple[ArmStrength, ...] = ()
    n_comparisons: int = 0
    n_bootstrap: int = 0
    error_code: ErrorCode | None = None


def fit_strengths(
    wins: np.ndarray, *, max_iter: int = 10_000, tol: float = 1e-10, start: np.ndarray | None = None
) -> np.ndarray:
    """MM fit for a stack of win matrices (..., k, k), wins[i, j] = wins of i over j; strengths sum to 1.

    `start` (k strengths, or one row per matrix) seeds the iteration; the default is uniform.
    """
    games = wins + np.swapaxes(wins, -1, -2)
    total_wins = wins.sum(axis=-1)
    k = wins.shape[-1]
    p = np.full(wins.shape[:-1], 1.0 / k) if start is None else np.broadcast_to(start, wins.shape[:-1]).copy()
    for _ in range(max_iter):
        pair_sums = p[..., :, None] + p[..., None, :]
        updated = total_wins / (games / pair_sums).sum(axis=-1)
        updated /= updated.sum(axis=-1, keepdims=True)
        converged = np.max(np.abs(np.log(updated) - np.log(p))) < tol
        p = updated
        if converged:
            break
    return p


def _outcome_groups(comparisons: Sequence[Comparison], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct outcomes as k x k win contributions, and how many games had each.

    A game is written with its arms in index order, so (a, b, 1) and (b, a, 0) fall in one group.
    """
    counts = Counter(
        (index[a], index[b], float(score)) if index[a] < index[b] else (index[b], index[a], 1.0 - float(score))
        for a, b, score in comparisons
    )
    k = len(index)
    tensor = np.zeros((len(counts), k, k))
    for row, (i, j, score) in enumerate(counts):
        tensor[row, i, j] = score
        tensor[row, j, i] = 1.0 - score
    return tensor, np.fromiter(counts.values(), dtype=float, count=len(counts))


def _validate(comparisons: Sequence[Comparison]) -> None:
    for position, (a, b, score) in enumerate(comparisons, start=1):
        if a == b:
            raise ValueError(f"comparison {position}: an arm cannot be compared with itself ({a!r})")
        if not 0.0 <= float(score) <= 1.0:
            raise ValueError(f"comparison {position}: score {score!r} must lie in [0, 1]")


def bradley_terry(
    comparisons: Sequence[Comparison],
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    pseudo_count: float = 0.5,
) -> BradleyTerryResult:
    """Strengths and percentile-bootstrap (1 - alpha) intervals, resampling comparisons (seeded)."""
    _validate(comparisons)
    arms = sorted({a for a, _, _ in comparisons} | {b for _, b, _ in comparisons})
    if not comparisons:
        return BradleyTerryResult(error_code=ErrorCode.NO_COMPARISONS)
    index = {arm: i for i, arm in enumerate(arms)}
    tensor, counts = _outcome_groups(comparisons, index)
    k = len(arms)
    prior = np.full((k, k), pseudo_count / 2.0)
    np.fill_diagonal(prior, 0.0)
    observed = np.tensordot(counts, tensor, axes=1)
    strengths = fit_strengths(observed + prior)
    rng = np.random.default_rng(seed)
    m = len(comparisons)
    draws = rng.multinomial(m, counts / m, size=n_bootstrap)
    resampled = (draws @ tensor.reshape(len(counts), k * k)).reshape(n_bootstrap, k, k)
    replicates = fit_strengths(resampled + prior, tol=_REPLICATE_TOL, start=strengths)
    lows, highs = np.quantile(replicates, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    games = observed + observed.T
    per_arm = np.rint(games.sum(axis=1)).astype(int)
    results = [
        ArmStrength(
            arm=arm,
            strength=float(strengths[i]),
            ci_low=float(lows[i]),
            ci_high=float(highs[i]),
            rank=1 + int(np.sum(lows > highs[i])),
            wins=float(observed[i].sum()),
            comparisons=int(per_arm[i]),
        )
        for i, arm in enumerate(arms)
    ]
    results.sort(key=lambda r: (r.rank, -r.strength, r.arm))
    return BradleyTerryResult(arms=tuple(results), n_comparisons=m, n_bootstrap=n_bootstrap)


def comparisons_from_wins(arms: Sequence[str], wins: Sequence[Sequence[float]]) -> list[Comparison]:
    """Expand a win matrix (wins[i][j] = whole wins of arms[i] over arms[j]) into single comparisons."""
    matrix = np.asarray(wins, dtype=float)
    if matrix.shape != (len(arms), len(arms)):
        raise ValueError(f"win matrix must be {len(arms)} x {len(arms)}, got {matrix.shape}")
    if np.any(matrix < 0) or np.any(matrix != np.round(matrix)):
        raise ValueError("win matrix entries must be non-negative whole counts")
    return [
        (arms[i], arms[j], 1.0)
        for i in range(len(arms))
        for j in range(len(arms))
        for _ in range(int(matrix[i, j]))
    ]
