"""The evidence a reviewer reads before merging: the commit message and the pull request's title and body.

Pure functions of a ShipCandidate, so the same evidence always gives the same text (and, with the
same base and date, the same commit: shipping twice changes nothing).
"""

from __future__ import annotations

import textwrap

from db.links import dashboard_page
from db.shipping import MetricLine, ShipCandidate

SUBJECT_CHARS = 72
BODY_CHARS = 72
TRAILER_EXPERIMENT = "Variantlab-Experiment"
TRAILER_VARIANT = "Variantlab-Variant"
TRAILER_RUN = "Variantlab-Run"


def dashboard_links(candidate: ShipCandidate, dashboard_url: str) -> dict[str, str]:
    return {name: dashboard_page(dashboard_url, page, candidate.experiment_id)
            for name, page in (("comparison", "comparison"), ("solve runs", "solves"), ("timeline", "timeline"))}


def title(candidate: ShipCandidate) -> str:
    suffix = f" ({candidate.variant_key})"
    text = candidate.suggestion_title.strip().splitlines()[0] if candidate.suggestion_title.strip() else "UX change"
    room = SUBJECT_CHARS - len(suffix)
    return (text if len(text) <= room else text[: room - 1] + "…") + suffix


def _number(value: float | None, metric_type: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    if metric_type == "binomial":  # a proportion: percent, and its differences in percentage points
        return f"{value * 100:+.1f} pp" if signed else f"{value:.0%}"
    return f"{value:+.3g}" if signed else f"{value:.3g}"


def primary_line(m: MetricLine | None) -> str:
    if m is None:
        return "not measured"
    change = f"{_number(m.control_mean, m.type)} → {_number(m.mean, m.type)}"
    if m.effect_abs is None:
        return f"{m.metric}: {change} (no comparison)"
    low, high = m.ci_abs_low, m.ci_abs_high
    if m.type == "binomial":  # a normal interval on few sessions can pass ±100 pp, which no difference can
        low = None if low is None else max(low, -1.0)
        high = None if high is None else min(high, 1.0)
    interval = f"95% CI {_number(low, m.type, True)} to {_number(high, m.type, True)}"
    p = "—" if m.p_value_adjusted is None else f"{m.p_value_adjusted:.3g}"
    return f"{m.metric}: {change}, {_number(m.effect_abs, m.type, True)} ({interval}; adjusted p = {p})"


def sessions_line(candidate: ShipCandidate) -> str:
    return ", ".join(f"{key} {n}" for key, n in candidate.sessions) or "none"


def _guardrail(g: MetricLine) -> str:
    if g.guardrail_status:
        return f"{g.metric} {g.guardrail_status}"
    return f"{g.metric} not assessed" + (f" ({g.error_code})" if g.error_code else "")


def guardrails_line(candidate: ShipCandidate) -> str:
    return ", ".join(_guardrail(g) for g in candidate.guardrails) or "none measured"


def tests_line(candidate: ShipCandidate) -> str:
    if candidate.no_tests:
        return "none: the app has no tests; chosen on its behavioural check"
    verdict = {True: "kept", False: "NOT kept", None: "not run"}[candidate.tests_passed]
    return f"{verdict} ({candidate.tests_note})" if candidate.tests_note else verdict


def _facts(candidate: ShipCandidate) -> list[tuple[str, str]]:
    return [
        ("Goal", candidate.goal),
        ("Change", candidate.suggestion_title),
        ("Why", candidate.suggestion_rationale or "no rationale recorded"),
        ("Verdict", (candidate.champion_reason or "no verdict recorded") if candidate.is_champion
         else f"not the champion ({candidate.champion_reason or 'no verdict recorded'})"),
        ("Primary metric", primary_line(candidate.primary)),
        ("Sessions per arm", sessions_line(candidate)),
        ("Guardrails", guardrails_line(candidate)),
        ("Baseline tests", tests_line(candidate)),
        ("Approved", f"by {candidate.approved_by}" if candidate.approved and candidate.approved_by
         else "yes" if candidate.approved else "no (shipped with --force)"),
    ]


def trailers(candidate: ShipCandidate) -> list[str]:
    """How a later ship recognises the branch as its own (git interpret-trailers format)."""
    return [f"{TRAILER_EXPERIMENT}: {candidate.experiment_id}", f"{TRAILER_VARIANT}: {candidate.variant_key}",
            f"{TRAILER_RUN}: {candidate.run_id}"]


def commit_message(candidate: ShipCandidate, dashboard_url: str) -> str:
    lines = [f"variantlab: {title(candidate)}", ""]
    # Wrapped for `git log`; links and trailers are never wrapped (they must stay whole to work).
    lines += [textwrap.fill(f"{name}: {' '.join(value.split())}", BODY_CHARS, subsequent_indent="  ",
                            break_long_words=False, break_on_hyphens=False) for name, value in _facts(candidate)]
    lines += ["", "Evidence:"] + [f"  {name}: {url}" for name, url in dashboard_links(candidate, dashboard_url).items()]
    lines += ["", *trailers(candidate)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def pull_request_body(candidate: ShipCandidate, dashboard_url: str) -> str:
    rows = "\n".join(f"| {name} | {_cell(value)} |" for name, value in _facts(candidate))
    links = " · ".join(f"[{name}]({url})" for name, url in dashboard_links(candidate, dashboard_url).items())
    files = "\n".join(f"- `{path}`" for path in candidate.files_modified) or "- (see the diff)"
    return (f"This pull request carries the change variantlab measured as **{candidate.variant_key}** in "
            f"experiment `{candidate.experiment_id}` ({candidate.experiment_name}).\n\n"
            f"| | |\n| --- | --- |\n{rows}\n\n"
            f"Code-agent run `{candidate.run_id}` ({candidate.run_model}, {candidate.run_strategy}) changed:\n"
            f"{files}\n\nEvidence in the dashboard: {links}\n\n"
            "Shipping again updates this branch and this pull request.\n")
