"""How numbers read on the dashboard: values, changes, intervals, p-values and metric names. Pure.

Shares are percentages and move in percentage points; other metrics keep their own unit (seconds for
*_s, a count per session otherwise). Nothing here returns "None" or a bare dash: a missing number is
the caller's to explain.
"""

from __future__ import annotations

from collections.abc import Mapping

# What each panel metric counts, for the scorecard's row headers (a test keeps it in step with PANEL_METRICS).
PANEL_LABELS = {
    "task_success": ("Task success", "share of simulated users who completed their task"),
    "actions": ("Actions", "clicks, typing and navigations per session"),
    "time_s": ("Time on task", "seconds per session"),
    "backtracks": ("Backtracks", "returns to an already visited page, per session"),
    "console_errors": ("Console errors", "JavaScript errors per session (guardrail)"),
    "a11y_violations": ("Accessibility violations", "axe rule violations per session (guardrail)"),
    "lcp_s": ("Largest contentful paint", "seconds until the main content showed (guardrail)"),
}


def metric_label(source: str, metric: str, question_texts: Mapping[str, str]) -> tuple[str, str]:
    """(name, what it measures). Human metrics name a select question's option as q:<id>=<value>."""
    if source == "panel" and metric in PANEL_LABELS:
        return PANEL_LABELS[metric]
    if metric == "rating":
        return "Tester rating", "1 to 5, from human testers"
    if metric.startswith("q:") and "=" in metric:
        question_id, answer = metric[2:].split("=", 1)
        question = question_texts.get(question_id, "a removed question")
        return f"“{question}”: {answer}", "share of human testers who gave this answer"
    return metric.replace("_", " ").capitalize(), "from human testers" if source == "human" else ""


def _number(x: float) -> str:
    """Three significant digits, without exponents for everyday magnitudes."""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _signed(x: float) -> str:
    return "0" if x == 0 else ("+" if x > 0 else "-") + _number(abs(x))


def percent(share: float) -> str:
    """0.9375 -> "93.8 %", 0.4 -> "40 %", 0 -> "0 %"."""
    text = f"{100 * share:.1f}".rstrip("0").rstrip(".")
    return f"{'0' if text in ('', '-0') else text} %"


def value(x: float, metric: str, type_: str) -> str:
    if type_ == "binomial":
        return percent(x)
    return _number(x) + (" s" if metric.endswith("_s") else "")


def count(mean: float, n: int, type_: str, source: str) -> str:
    """The evidence under a value: "4 / 10" sessions for a share, "n = 10" for a mean."""
    if type_ == "binomial":
        return f"{round(mean * n)} / {n}"
    return f"n = {n}"


def change_scale(type_: str) -> float:
    return 100.0 if type_ == "binomial" else 1.0


def change_unit(metric: str, type_: str) -> str:
    if type_ == "binomial":
        return "pp"
    return "s" if metric.endswith("_s") else ""


def change(effect: float, metric: str, type_: str) -> str:
    """The absolute change: "+50 pp" for shares, "-1.5 s" for times, "+2" for counts."""
    unit = change_unit(metric, type_)
    return f"{_signed(change_scale(type_) * effect)} {unit}".rstrip()


def change_interval(low: float, high: float, metric: str, type_: str) -> str:
    scale, unit = change_scale(type_), change_unit(metric, type_)
    return f"[{_signed(scale * low)}, {_signed(scale * high)}] {unit}".rstrip()


def clip_absolute(low: float, high: float, type_: str) -> tuple[float, float]:
    """A difference of two shares lies within ±100 pp; a Wald interval near the edges can reach past it."""
    if type_ != "binomial":
        return low, high
    return max(low, -1.0), min(high, 1.0)


def relative(effect: float) -> str:
    return f"{_signed(100 * effect)} %"


def relative_interval(low: float, high: float) -> str:
    """Clipped at -100 %: a variant cannot fall below zero, whatever the delta method's bound says."""
    lower = "-100 % (clipped)" if low < -1.0 else relative(low)
    return f"[{lower}, {relative(high)}]"


def p_value(p: float | None) -> str:
    """9.98e-09 rather than 0.0000: small p-values keep their size."""
    if p is None:
        return "not computed"
    if p == 0.0:
        return "< 1e-300"
    if p < 0.001:
        return f"{p:.2e}"
    return f"{p:.3g}"


def chance(probability: float | None) -> str:
    if probability is None:
        return "not computed"
    if probability > 0.999:
        return "> 99.9 %"
    if probability < 0.001:
        return "< 0.1 %"
    return f"{100 * probability:.1f} %"
