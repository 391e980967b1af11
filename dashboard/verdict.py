"""The Comparison verdict: the answer in one sentence, read off the same rows as the scorecard below it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from dashboard import formats
from dashboard.loaded import SrmCheck
from dashboard.scorecard import MetricBlock, ScoreRow
from db.panel_stats import PRIMARY_METRIC


@dataclass(frozen=True, slots=True)
class Verdict:
    tone: Literal["success", "info", "warning", "error"]
    text: str


def verdict(blocks: Sequence[MetricBlock], *, champion: str | None, srm: SrmCheck | None,
            sessions: Mapping[str, int], nothing_built: str | None = None) -> Verdict:
    """One sentence: the champion and what it moved, why there is none (the closest arm, or the reason
    there is no comparison), or why there is no verdict (a sample ratio mismatch, nothing built)."""
    if not blocks:
        if nothing_built:
            return Verdict("warning", f"Nothing to compare: {nothing_built}.")
        return Verdict("info", "No verdict yet: the scorecard fills in once the browser panel has measured the "
                               "control and the variants.")
    if srm and srm.flagged:
        split = " · ".join(f"{arm} {n}" for arm, n in sessions.items())
        return Verdict("error", f"No verdict: the arms did not get their share of sessions ({split}; sample ratio "
                                f"p = {formats.p_value(srm.p_value)}), so every comparison is suspect and the "
                                "baseline stays.")
    panel = [b for b in blocks if b.source == "panel" and not b.guardrail]
    primary = next((b for b in panel if b.metric == PRIMARY_METRIC), panel[0] if panel else blocks[0])
    if champion:
        won = next(((b, r) for b in panel for r in b.rows if r.variant == champion and r.status_tone == "good"),
                   None) or (primary, next((r for r in primary.rows if r.variant == champion), None))
        block, row = won
        if row is not None and row.bar is not None:
            return Verdict("success", f"Champion: {champion} — {block.label.lower()} {_move(row)}, "
                                      f"{_guardrails(blocks, champion)}.")
        return Verdict("success", f"Champion: {champion}.")
    compared = [r for r in primary.rows if r.bar is not None and r.effect_abs is not None]
    if compared:
        sign = 1.0 if primary.higher_is_better else -1.0
        best = max(compared, key=lambda r: sign * (r.effect_abs or 0.0))
        return Verdict("info", f"No champion, baseline kept — closest: {best.variant} on "
                               f"{primary.label.lower()}, {_move(best)}.")
    reasons = [r for r in primary.rows if r.reason]
    if reasons:
        return Verdict("info", f"No champion, baseline kept — {primary.label.lower()}: {reasons[0].reason}.")
    return Verdict("info", "No champion, baseline kept.")


def _move(row: ScoreRow) -> str:
    return f"{row.control.text} → {row.value.text} ({row.absolute.text}, adjusted p {row.p_adjusted.text})"


def _guardrails(blocks: Sequence[MetricBlock], variant: str) -> str:
    unsure = [b.label.lower() for b in blocks if b.guardrail
              for r in b.rows if r.variant == variant and r.status_tone in ("warn", "bad")]
    if not unsure:
        return "no guardrail worse"
    return f"no guardrail significantly worse ({', '.join(unsure)} not yet shown to hold)"
