"""Comparison: the control and every variant side by side — which won, by how much, how sure we are."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, charts, data
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


def _verdict(metrics: list[dict[str, Any]]) -> None:
    champion = header["champion_key"]
    if champion:
        st.success(f"**Champion: {champion}** — {header['champion_reason'] or ''}")
    else:
        st.info(header["champion_reason"] or "No champion yet: metrics are computed after the browser panel runs.")
    row = next((m for m in metrics if m["variant"] == champion and m["metric"] == PRIMARY_METRIC), None)
    cols = st.columns(4)
    cols[0].metric("Task success vs control", _pct(row and row["effect_rel"]),
                   help="relative change in the share of simulated users who completed their task")
    cols[1].metric("Chance to beat control", _pct(row and row["chance_to_win"], signed=False),
                   help="Bayesian probability that the champion's task success is higher than the control's")
    p_adj = row and row["p_value_adjusted"]
    cols[2].metric("Adjusted p-value", "—" if p_adj is None else f"{p_adj:.4f}",
                   help="p-value after Holm correction over every variant × metric comparison")
    srm = view["srm"]
    cols[3].metric("Sample ratio", "—" if srm is None else ("mismatch" if srm["flagged"] else "healthy"),
                   help="chi-squared test that every arm got its share of panel sessions (flag at p < 0.001)")
    if srm and srm["flagged"]:
        st.error(f"Sample ratio mismatch (p = {srm['p_value']:.2g}): sessions per arm {view['sessions']}; "
                 "treat every comparison with suspicion until the cause is found.")
    elif srm:
        st.caption(f"Panel sessions per arm: {view['sessions']} (SRM p = {srm['p_value']:.2f}).")


def _guardrails(metrics: list[dict[str, Any]]) -> None:
    bad = [m for m in metrics if m["is_guardrail"] and m["guardrail_status"] in ("violated", "inconclusive")]
    for m in bad:
        text = (f"Guardrail **{m['metric']}** on **{m['variant']}**: {m['guardrail_status']} "
                f"({_pct(m['effect_rel'])}, interval {_pct(m['ci_low'])} … {_pct(m['ci_high'])})")
        (st.error if m["guardrail_status"] == "violated" else st.warning)(text)
    if not bad and any(m["is_guardrail"] for m in metrics):
        st.caption("Guardrails (console errors, accessibility, load time): no variant made them worse.")


def _metric_table(metrics: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [m for m in metrics if m["effect_rel"] is not None or m["error_code"]]
    return pd.DataFrame.from_records([{
        "variant": m["variant"], "metric": m["metric"], "mean": m["mean"], "n": m["n"],
        "change": _pct(m["effect_rel"]), "interval": f"{_pct(m['ci_low'])} … {_pct(m['ci_high'])}",
        "p (Holm)": m["p_value_adjusted"], "significant": bool(m["significant"]),
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
st.caption("Dots are the relative change vs the control, bars its 95% interval; green or red means significant "
           "after Holm correction, grey means we cannot tell yet.")
names = sorted({m["metric"] for m in metrics if not m["is_guardrail"]}, key=lambda n: (n != PRIMARY_METRIC, n))
chart_cols = st.columns(2)
for i, metric in enumerate(names):
    chart_cols[i % 2].plotly_chart(charts.effect_intervals(metrics, metric), key=f"effect_{metric}")
if metrics:
    with st.expander("All metrics (incl. guardrails)"):
        st.dataframe(_metric_table(metrics), hide_index=True, width="stretch")

st.subheader("Variants side by side")
variants = view["variants"]
if variants:
    for start in range(0, len(variants), 4):  # at most four to a row, so each stays readable
        for column, variant in zip(st.columns(4), variants[start:start + 4]):
            with column:
                _variant_column(variant)
else:
    st.info("No variants yet.")
