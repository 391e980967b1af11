"""Comparison: the verdict in one sentence, then a scorecard of every metric and arm against the control."""

from __future__ import annotations

from typing import Any

import streamlit as st

from analysis.stopping import stop_summary
from dashboard import auth, charts, data, scorecard, scorecard_html, verdict
from dashboard.replay import side_by_side
from dashboard.widgets import badge, experiment_banner, pick_experiment, unlink_previews

DIFF_CHARS = 20_000  # a diff longer than this is cut, and says so: the page stays usable

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()
header = data.header(url, experiment_id)
view = data.comparison(url, experiment_id)
experiment_banner(header)

variants = view.variants
arms = [v["key"] for v in variants]
control = next((v["key"] for v in variants if v["type"] == "control"), "control")
previews = [v["public_url"] for v in variants]


def _unmeasured() -> dict[str, str]:
    """Why an arm has no panel sessions: the panel measures only variants whose preview came up."""
    return {v["key"]: f"not measured: the preview of {v['key']} did not deploy ({v['deploy_status']})"
            for v in variants if v["type"] != "control" and v["deploy_status"] not in ("ready", None)}


def _per_arm(sessions: dict[str, int]) -> str:
    return " · ".join(f"{arm} {n}" for arm, n in sessions.items())


def _verdict(blocks: list[scorecard.MetricBlock]) -> None:
    build = view.build
    nothing_built = build.line() if not build.suggestions or not build.built else None
    said = verdict.verdict(blocks, champion=header["champion_key"], srm=view.srm, sessions=view.sessions,
                             nothing_built=nothing_built)
    getattr(st, said.tone)(said.text)
    if header["champion_reason"]:
        st.caption(f"How the pipeline decided: {header['champion_reason']}.")
    if build.suggestions and build.built and (build.not_built or build.not_deployed):
        # The verdict is only as wide as what was built: say plainly what never reached the panel.
        st.warning(f"**{build.line()}**")
    if view.metrics and not view.computed:
        st.info("The sample ratio check and each arm's own interval are not computed yet for this experiment: "
                f"materialise variant_metrics (`variantlab run {experiment_id} --stage variant_metrics`).")
    srm = view.srm
    if srm and not srm.flagged:
        st.caption(f"Sessions per arm: {_per_arm(view.sessions)} (sample ratio p = {srm.p_value:.2f}: "
                   "every arm got its share).")
    if header["panel_stop_reason"]:  # a panel sent in rounds: why it stopped, and after how many sessions
        ended = stop_summary(header["panel_stop_reason"], header["panel_rounds"] or 0,
                             header["panel_sessions_per_arm"] or 0)
        st.caption(ended[0].upper() + ended[1:] + ".")


def _scorecard(blocks: list[scorecard.MetricBlock]) -> None:
    st.subheader("Scorecard")
    if not blocks:
        st.info("No metrics yet: they are computed after the browser panel has run on the control and the variants.")
        return
    st.html(scorecard_html.render(blocks))
    clipped = " Relative intervals are clipped at -100 %, since no arm can fall below zero." if any(
        r.relative_clipped for b in blocks for r in b.rows) else ""
    st.caption(
        "One row per arm against the control. The bar is the 95 % interval of the absolute change (percentage "
        "points for shares, the metric's unit otherwise) on an axis shared by the metric's rows, dashed at 0: the "
        "interval the p-value inverts, so it clears 0 exactly when p < 0.05 before correction. Adjusted p is Holm's "
        "within each family of panel metrics (the decision metrics; the others) and Benjamini–Hochberg's for human "
        "metrics; green or red means significant after it. Chance to beat control is the Bayesian probability "
        "that the arm is better in the metric's good direction. The relative change carries its own interval."
        + clipped)


def _arm_charts(blocks: list[scorecard.MetricBlock]) -> None:
    """Each arm's own value for the leading panel metrics: the control's level is what a change is read from."""
    shown = [b for b in blocks if b.source == "panel" and not b.guardrail][:2]
    if not view.computed:
        return  # the verdict has said which stage stores them
    for column, block in zip(st.columns(2), shown):
        type_ = next(m["type"] for m in view.metrics if m["metric"] == block.metric and m["source"] == "panel")
        column.plotly_chart(charts.arm_values(view.arm_values, block.metric, arms, title=f"{block.label} per arm",
                                              type_=type_, unit=block.unit), key=f"arm_{block.metric}")


def _variant_card(variant: dict[str, Any]) -> None:
    st.subheader(variant["key"])
    if variant["type"] == "control":
        role = ":gray-badge[control]"
    else:
        role = ":green-badge[champion]" if variant["key"] == header["champion_key"] else ":blue-badge[variant]"
    st.markdown(f"{role} deploy {badge(variant['deploy_status'])}")
    if variant["type"] == "control":
        st.caption("The app as it is: the baseline every variant is compared with.")
    else:
        st.markdown(f"**{variant['suggestion_title'] or variant['suggestion'] or 'no suggestion recorded'}**")
        if variant["rationale"]:
            st.caption(variant["rationale"])
    analysis = variant["analysis"] or {}
    if analysis.get("summary"):
        st.caption(unlink_previews(analysis["summary"], previews))
    for issue in (analysis.get("issues") or [])[:3]:
        st.markdown(f"- {unlink_previews(issue, previews)}")


def _diffs() -> None:
    """Full width and collapsed: a diff is read on demand, and a narrow column made every line wrap."""
    changed = [v for v in variants if v["patch"]]
    if not changed:
        return
    st.subheader("Code changes")
    for variant in changed:
        patch = variant["patch"]
        lines = sum(1 for line in patch.splitlines()
                    if line.startswith(("+", "-")) and not line.startswith(("+++", "---")))
        title = variant["suggestion_title"] or variant["suggestion"] or "change"
        with st.expander(f"{variant['key']}: {title} · {lines} line{'s' if lines != 1 else ''} changed"):
            st.code(patch[:DIFF_CHARS], language="diff")
            if len(patch) > DIFF_CHARS:
                st.caption(f"Showing the first {DIFF_CHARS:,} of {len(patch):,} characters.")


blocks = scorecard.build(view.metrics, arms, control=control, champion=header["champion_key"],
                         srm_flagged=bool(view.srm and view.srm.flagged), unmeasured=_unmeasured(),
                         question_texts=view.questions)
_verdict(blocks)
_scorecard(blocks)
_arm_charts(blocks)

st.subheader("Variants side by side")
side_by_side(experiment_id)  # each arm's first page, as the same simulated user saw it
if variants:
    per_row = min(4, len(variants))  # at most four to a row, so each stays readable; aligned with the strip
    for start in range(0, len(variants), per_row):
        for column, variant in zip(st.columns(per_row), variants[start:start + per_row]):
            with column:
                _variant_card(variant)
else:
    st.info("No variants yet: they appear once the control has been measured and the suggestions are built.")
_diffs()
