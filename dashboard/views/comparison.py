"""Comparison: the control and every variant side by side — which won, by how much, how sure we are."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from analysis.stopping import stop_summary
from dashboard import auth, charts, data
from dashboard.replay import side_by_side
from dashboard.widgets import badge, experiment_banner, pick_experiment

PRIMARY_METRIC = "task_success"
GUARDRAIL_COLOUR = {"ok": "pass", "violated": "fail", "inconclusive": "warn"}

user = auth.signed_in()
auth.require(user, "analyst", "admin")
url = data.db_url()
experiment_id = pick_experiment(url)
if experiment_id is None:
    st.stop()
header = data.header(url, experiment_id)
view = data.comparison(url, experiment_id)
experiment_banner(header)


def _pct(x: float | None, signed: bool = True) -> str:
    return "—" if x is None else (f"{100 * x:+.1f}%" if signed else f"{100 * x:.1f}%")


def _p(x: float | None) -> str:
    return "—" if x is None else f"{x:.4f}"


# Two pairs per row, never mixed: the absolute difference with the interval its p-value (and the adjusted
# decision p) inverts, and the relative change with its own interval and p-value.
def _absolute(m: dict[str, Any]) -> str:
    """E.g. "+50 pp [+21.3, +78.7] pp": percentage points for shares, the metric's unit otherwise."""
    if m["effect_abs"] is None:
        return "—"
    return (f"{charts.format_effect(m['effect_abs'], m['metric'], m['type'])} "
            f"{charts.format_interval(m['ci_abs_low'], m['ci_abs_high'], m['metric'], m['type'])}")


def _relative(m: dict[str, Any]) -> str:
    if m["effect_rel"] is None:  # e.g. a zero baseline: no ratio to speak of
        return "—"
    return f"{_pct(m['effect_rel'])} [{_pct(m['ci_low'])}, {_pct(m['ci_high'])}]"


def _per_arm(sessions: dict[str, int]) -> str:
    return " · ".join(f"{arm} {n}" for arm, n in sessions.items())


def _verdict(metrics: list[dict[str, Any]]) -> None:
    champion = header["champion_key"]
    if champion:
        st.success(f"**Champion: {champion}** — {header['champion_reason'] or ''}")
    else:
        st.info(header["champion_reason"] or "No champion yet: metrics are computed after the browser panel runs.")
    build = view["build"]
    if build["suggestions"] and (build["not_built"] or build["not_deployed"]):
        # The verdict is only as wide as what was built: say plainly what never reached the panel.
        st.warning(f"**{build['summary']}**")
    row = next((m for m in metrics if m["variant"] == champion and m["metric"] == PRIMARY_METRIC), None)
    cols = st.columns(4)
    cols[0].metric("Task success vs control (relative)", _pct(row and row["effect_rel"]),
                   help="relative change in the share of simulated users who completed their task")
    cols[1].metric("Chance to beat control", _pct(row and row["chance_to_win"], signed=False),
                   help="Bayesian probability that the champion's task success is higher than the control's")
    p_adj = row and row["p_value_adjusted"]
    cols[2].metric("Adjusted p-value", "—" if p_adj is None else f"{p_adj:.4f}",
                   help="p-value after Holm correction over the decision metrics' variant × metric comparisons")
    srm = view["srm"]
    cols[3].metric("Sample ratio", "—" if srm is None else ("mismatch" if srm["flagged"] else "healthy"),
                   help="chi-squared test that every arm got its share of panel sessions (flag at p < 0.001)")
    if row and row["effect_abs"] is not None:
        st.caption(f"{champion} on {PRIMARY_METRIC}: {_absolute(row)} vs the control "
                   f"(p = {_p(row['p_value'])}, Holm-adjusted p = {_p(row['p_value_adjusted'])}).")
    if srm and srm["flagged"]:
        st.error(f"Sample ratio mismatch (p = {srm['p_value']:.2g}): sessions per arm {_per_arm(view['sessions'])}; "
                 "treat every comparison with suspicion until the cause is found.")
    elif srm:
        st.caption(f"Panel sessions per arm: {_per_arm(view['sessions'])} (SRM p = {srm['p_value']:.2f}).")
    if header["panel_stop_reason"]:  # a panel sent in rounds: why it stopped, and after how many sessions
        ended = stop_summary(header["panel_stop_reason"], header["panel_rounds"] or 0,
                             header["panel_sessions_per_arm"] or 0)
        st.caption(ended[0].upper() + ended[1:] + ".")


def _guardrails(metrics: list[dict[str, Any]]) -> None:
    bad = [m for m in metrics if m["is_guardrail"] and m["guardrail_status"] in ("violated", "inconclusive")]
    for m in bad:
        # A guardrail's status is decided on the relative interval (its margin is a fraction of the control).
        text = (f"Guardrail **{m['metric']}** on **{m['variant']}**: {m['guardrail_status']} "
                f"(relative change {_pct(m['effect_rel'])}, relative 95% interval {_pct(m['ci_low'])} … "
                f"{_pct(m['ci_high'])})")
        (st.error if m["guardrail_status"] == "violated" else st.warning)(text)
    if not bad and any(m["is_guardrail"] for m in metrics):
        st.caption("Guardrails (console errors, accessibility, load time): no variant made them worse.")


def _metric_table(metrics: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [m for m in metrics if m["effect_abs"] is not None or m["effect_rel"] is not None or m["error_code"]]
    return pd.DataFrame.from_records([{
        "variant": m["variant"], "source": m["source"], "metric": m["metric"], "mean": m["mean"], "n": m["n"],
        "difference (95% CI)": _absolute(m), "p": m["p_value"], "p adjusted": m["p_value_adjusted"],
        "significant": bool(m["significant"]),
        "relative change (95% CI)": _relative(m), "p (relative)": m["p_value_rel"],
        "chance to win": m["chance_to_win"], "guardrail": m["guardrail_status"] or "", "note": m["error_code"] or "",
    } for m in rows])


def _variant_column(variant: dict[str, Any]) -> None:
    champion = variant["key"] == header["champion_key"]
    st.subheader(variant["key"])
    role = ":green-badge[champion]" if champion else badge("proposed" if variant["type"] == "control" else "beta")
    st.markdown(f"{role} deploy {badge(variant['deploy_status'])}")
    if variant["type"] == "control":
        st.caption("The app as it is: the baseline every variant is compared with.")
    else:
        st.markdown(f"**{variant['suggestion_title'] or variant['suggestion']}**")
        st.caption(variant["rationale"] or "")
    for shot in view["screenshots"].get(variant["key"], [])[:1]:
        st.image(shot, width="stretch")
    analysis = variant["analysis"] or {}
    if analysis.get("summary"):
        st.caption(analysis["summary"])
    for issue in (analysis.get("issues") or [])[:3]:
        st.markdown(f"- {issue}")
    if variant["patch"]:
        with st.expander("Code diff"):
            st.code(variant["patch"][:20_000], language="diff")


metrics = view["metrics"]
_verdict(metrics)
_guardrails(metrics)

st.subheader("Panel metrics against the control")
st.caption("Dots are the difference from the control (percentage points for shares, the metric's own unit "
           "otherwise), bars its 95% interval: the interval the p-value inverts, so it clears 0 exactly when "
           "p < 0.05. Green or red means significant after correction (Holm for the panel, Benjamini–Hochberg "
           "for human evaluations); grey means we cannot tell yet — a grey dot whose bar clears 0 is significant "
           "on its own but not after correction. Hover for the relative change, with its own interval and p.")
names = sorted({m["metric"] for m in metrics if not m["is_guardrail"]}, key=lambda n: (n != PRIMARY_METRIC, n))
chart_cols = st.columns(2)
for i, metric in enumerate(names):
    chart_cols[i % 2].plotly_chart(charts.effect_intervals(metrics, metric), key=f"effect_{metric}")
if metrics:
    with st.expander("All metrics (incl. guardrails)"):
        st.caption("Each interval sits beside the p-value it inverts: the difference with p (and the decision, "
                   "p adjusted: Holm for panel metrics, Benjamini–Hochberg for human ones), the relative change "
                   "with p (relative). Intervals are per comparison, not adjusted.")
        st.dataframe(_metric_table(metrics), hide_index=True, width="stretch")

st.subheader("Variants side by side")
side_by_side(experiment_id)  # each arm's first page, as the same simulated user saw it
variants = view["variants"]
if variants:
    for start in range(0, len(variants), 4):  # at most four to a row, so each stays readable
        for column, variant in zip(st.columns(4), variants[start:start + 4]):
            with column:
                _variant_column(variant)
else:
    st.info("No variants yet.")
