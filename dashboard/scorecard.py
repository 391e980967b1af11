"""The Comparison scorecard: one row per metric × arm against the control, every cell a value or a sentence.

GrowthBook's and Eppo's results tables are the anchors: the control's value beside the variant's, the
absolute and relative change, the interval on an axis shared by a metric's rows, chance to beat the
control, the adjusted p-value and a status. Pure: metric rows (db.queries.variant_metrics) in, typed rows
out, so every sentence here is tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dashboard import formats
from db.panel_stats import PANEL_METRICS

Tone = Literal["good", "bad", "warn", "neutral"]
_PANEL_ORDER = {m.name: i for i, m in enumerate(PANEL_METRICS)}


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    detail: str = ""  # a smaller second line: counts, the interval, the p-value before correction


@dataclass(frozen=True, slots=True)
class Bar:
    """The absolute difference and its 95 % interval, in display units (pp for shares)."""

    low: float
    estimate: float
    high: float
    tone: Tone


@dataclass(frozen=True, slots=True)
class ScoreRow:
    variant: str
    champion: bool
    control: Cell
    value: Cell
    absolute: Cell
    relative: Cell
    bar: Bar | None
    chance: Cell
    p_adjusted: Cell
    status: Cell
    status_tone: Tone
    effect_abs: float | None = None  # raw, in the metric's units: the verdict ranks arms by it
    reason: str = ""  # no comparison: this sentence stands in for the change, the bar, the chance and p
    relative_clipped: bool = False


@dataclass(frozen=True, slots=True)
class MetricBlock:
    source: str
    metric: str
    label: str
    description: str
    higher_is_better: bool
    guardrail: bool
    unit: str  # of the bars' axis: "pp", "s" or ""
    axis: tuple[float, float]
    rows: tuple[ScoreRow, ...]

    @property
    def better(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"


def build(metrics: Sequence[Mapping[str, Any]], arms: Sequence[str], *, control: str, champion: str | None = None,
          srm_flagged: bool = False, unmeasured: Mapping[str, str] | None = None,
          question_texts: Mapping[str, str] | None = None) -> list[MetricBlock]:
    """One block per (source, metric) holding a row for every arm but the control, measured or not.

    `unmeasured` says why an arm has no panel sessions (e.g. its preview never deployed); `srm_flagged`
    marks every row, since a sample ratio mismatch makes every comparison suspect."""
    grouped: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
    for row in metrics:
        grouped.setdefault((row["source"], row["metric"]), {})[row["variant"]] = row
    blocks = []
    for (source, metric), by_arm in sorted(grouped.items(), key=lambda item: _order(*item[0])):
        first = next(iter(by_arm.values()))
        label, description = formats.metric_label(source, metric, question_texts or {})
        rows = tuple(_row(by_arm.get(control), by_arm.get(arm), arm, first, champion=arm == champion,
                          srm_flagged=srm_flagged,
                          unmeasured=(unmeasured or {}).get(arm) if source == "panel" else None)
                     for arm in arms if arm != control)
        blocks.append(MetricBlock(
            source=source, metric=metric, label=label, description=description,
            higher_is_better=bool(first.get("higher_is_better", True)), guardrail=bool(first.get("is_guardrail")),
            unit=formats.change_unit(metric, first["type"]), axis=_axis([r.bar for r in rows]), rows=rows))
    return blocks


def _order(source: str, metric: str) -> tuple[int, int, str]:
    """The panel's metrics in their declared order (decision metrics first, guardrails last), then human."""
    if source == "panel":
        return 0, _PANEL_ORDER.get(metric, len(_PANEL_ORDER)), metric
    return 1, 0 if metric == "rating" else 1, metric


def _axis(bars: Sequence[Bar | None]) -> tuple[float, float]:
    """One axis for all rows of a metric, always holding 0 so the eye can tell a change from none."""
    drawn = [b for b in bars if b is not None]
    low = min([0.0, *(b.low for b in drawn)])
    high = max([0.0, *(b.high for b in drawn)])
    if high - low == 0.0:
        return -1.0, 1.0
    pad = 0.06 * (high - low)
    return low - pad, high + pad


def _row(base: Mapping[str, Any] | None, row: Mapping[str, Any] | None, arm: str, first: Mapping[str, Any], *,
         champion: bool, srm_flagged: bool, unmeasured: str | None) -> ScoreRow:
    metric, type_, source = first["metric"], first["type"], first["source"]
    control = _value_cell(base, metric, type_, source)
    value = _value_cell(row, metric, type_, source)
    if row is None or base is None or row.get("effect_abs") is None:
        reason = _no_comparison(base, row, arm, metric, type_, source, unmeasured)
        status, tone = _reason_status(base, row, first)
        return ScoreRow(variant=arm, champion=champion, control=control, value=value, absolute=Cell(""),
                        relative=Cell(""), bar=None, chance=Cell(""), p_adjusted=Cell(""),
                        status=_srm(status, srm_flagged), status_tone="bad" if srm_flagged else tone, reason=reason)
    tone = _effect_tone(row)
    low, high = formats.clip_absolute(row["ci_abs_low"], row["ci_abs_high"], type_)
    scale = formats.change_scale(type_)
    relative, clipped = _relative_cell(base, row, metric, type_)
    status, status_tone = _status(row, tone)
    return ScoreRow(
        variant=arm, champion=champion, control=control, value=value,
        absolute=Cell(formats.change(row["effect_abs"], metric, type_),
                      formats.change_interval(low, high, metric, type_)),
        relative=relative,
        bar=Bar(low=scale * low, estimate=scale * row["effect_abs"], high=scale * high, tone=tone),
        chance=Cell(formats.chance(row.get("chance_to_win"))),
        p_adjusted=Cell(formats.p_value(row.get("p_value_adjusted")),
                        f"unadjusted {formats.p_value(row.get('p_value'))}"
                        if row.get("p_value") is not None and row.get("p_value") != row.get("p_value_adjusted")
                        else ""),
        status=_srm(status, srm_flagged), status_tone="bad" if srm_flagged else status_tone,
        effect_abs=row["effect_abs"], relative_clipped=clipped)


def _effort(metric: str, source: str) -> bool:
    """A panel metric counted over the sessions that reached the goal only (db/panel_stats)."""
    return source == "panel" and any(m.name == metric and m.successful_only for m in PANEL_METRICS)


def _value_cell(row: Mapping[str, Any] | None, metric: str, type_: str, source: str) -> Cell:
    if row is None or not row.get("n") or row.get("mean") is None:
        return Cell("no session succeeded" if _effort(metric, source) else "not measured")
    return Cell(formats.value(row["mean"], metric, type_), formats.count(row["mean"], int(row["n"]), type_, source))


def _effect_tone(row: Mapping[str, Any]) -> Tone:
    """Green for a significant change in the metric's good direction (fewer actions is better), red against."""
    if not row.get("significant"):
        return "neutral"
    better = row["effect_abs"] > 0 if row.get("higher_is_better", True) else row["effect_abs"] < 0
    return "good" if better else "bad"


def _status(row: Mapping[str, Any], tone: Tone) -> tuple[Cell, Tone]:
    if row.get("is_guardrail"):
        status = row.get("guardrail_status")
        return {
            "ok": (Cell("guardrail holds", "within its margin"), "good"),
            "violated": (Cell("guardrail violated", "significantly worse"), "bad"),
            "inconclusive": (Cell("guardrail inconclusive", "not yet shown to stay within its margin"), "warn"),
        }.get(status or "", _untested_guardrail(tone, row))
    if tone == "good":
        return Cell("significantly better"), "good"
    if tone == "bad":
        return Cell("significantly worse"), "bad"
    return Cell("not significant", "after correction"), "neutral"


def _untested_guardrail(tone: Tone, row: Mapping[str, Any]) -> tuple[Cell, Tone]:
    """A guardrail's margin is a share of the control's value: at a zero control there is none to hold,
    but a significant rise from zero is still harm and is shown as such."""
    detail = ("the control is 0, so a margin relative to it is undefined"
              if row.get("error_code") == "ZERO_BASELINE_MEAN" else "the relative interval is undefined")
    if tone == "bad":
        return Cell("significantly worse", detail), "bad"
    return Cell("guardrail not tested", detail), "neutral"


def _srm(status: Cell, flagged: bool) -> Cell:
    if not flagged:
        return status
    return Cell("sample ratio mismatch", f"not trustworthy; {status.text}")


def _relative_cell(base: Mapping[str, Any], row: Mapping[str, Any], metric: str,
                   type_: str) -> tuple[Cell, bool]:
    """The relative change with its own interval, clipped at -100 % (nothing falls below zero), or why not."""
    if row.get("effect_rel") is None:
        baseline = formats.value(base["mean"], metric, type_)
        return Cell("undefined", f"no ratio to a control of {baseline}"), False
    text = formats.relative(row["effect_rel"])
    if row.get("ci_low") is None or row.get("ci_high") is None:
        return Cell(text, "no interval: the control is the same in every session"), False
    clipped = row["ci_low"] < -1.0
    return Cell(text, formats.relative_interval(row["ci_low"], row["ci_high"])), clipped


def _no_comparison(base: Mapping[str, Any] | None, row: Mapping[str, Any] | None, arm: str, metric: str,
                   type_: str, source: str, unmeasured: str | None) -> str:
    """Why this arm has no comparison, in words (never an error code)."""
    unit = "session" if source == "panel" else "evaluation"
    effort = "; effort is counted over sessions that reached the goal" if _effort(metric, source) else ""
    if row is None or not row.get("n"):
        if effort:
            return unmeasured or f"not measured: no {arm} session reached the goal{effort}"
        return unmeasured or f"not measured: {arm} has no {unit}s that recorded this"
    if base is None or not base.get("n"):
        return f"not compared: no control session reached the goal{effort}" if effort else \
            "not compared: the control has no measurement of this"
    code = row.get("error_code")
    if code == "TOO_FEW_SAMPLES":
        who = "the control" if base["n"] < 2 else arm
        return f"not compared: {who} has a single {unit}, and one observation has no spread to test against"
    if code == "ZERO_VARIANCE":
        control, value = formats.value(base["mean"], metric, type_), formats.value(row["mean"], metric, type_)
        if control == value:
            return f"both {value}: every {unit} in both arms came out the same, so there is no difference to test"
        return (f"{control} against {value} in every {unit}: neither arm varies, so there is no spread to "
                "test the difference against")
    if code == "NO_BASELINE":
        return "not compared: the control has no measurement of this"
    if code == "EMPTY_ARM":
        return f"not compared: an arm has no {unit}s that recorded this"
    if code is None:
        return "not compared yet: the metrics stage has not run since this arm was measured"
    return f"not compared: the statistics engine could not ({code.replace('_', ' ').lower()})"


def _reason_status(base: Mapping[str, Any] | None, row: Mapping[str, Any] | None,
                   first: Mapping[str, Any]) -> tuple[Cell, Tone]:
    same = (row is not None and base is not None and row.get("error_code") == "ZERO_VARIANCE"
            and row.get("mean") == base.get("mean"))
    if same:
        return Cell("no change", "identical in every session"), "neutral"
    if first.get("is_guardrail"):
        return Cell("guardrail not tested"), "neutral"
    return Cell("no comparison"), "neutral"
