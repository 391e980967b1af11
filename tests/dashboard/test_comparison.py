"""Comparison as the analyst reads it: one sentence, then the scorecard, on the seeded shop and both demos."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.seed_demo import DEAD_PREVIEW


def _texts(at: AppTest) -> str:
    parts = [e.value for e in [*at.markdown, *at.caption, *at.success, *at.info, *at.warning, *at.error]]
    return "\n".join(str(p) for p in parts)


def _scorecard(at: AppTest) -> str:
    (html,) = at.html
    return html.value


def _row(html: str, metric_label: str, variant: str) -> str:
    """The visible text of one scorecard row, cells joined by " | "."""
    block = html.split(f"<b>{metric_label}</b>", 1)[1].split('class="vl-metric"', 1)[0]
    row = re.search(rf"<tr><td><b>{variant}</b>.*?</tr>", block).group(0)
    row = re.sub(r"<div class=\"vl-track\".*?</div></div>", "[bar]", row)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    return " | ".join(" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells)


def _chart_arms(at: AppTest) -> list[list[str]]:
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return [list(figure["data"][0]["y"]) for figure in figures]


def test_seeded_shop_rows_hold_control_value_change_interval_and_adjusted_p(open_view) -> None:
    at = open_view("comparison", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [
        "Champion: v1 — task success 40 % → 90 % (+50 pp, adjusted p 0.001), no guardrail worse."]
    html = _scorecard(at)
    assert _row(html, "Task success", "v2") == (
        "v2 | 40 % 4 / 10 | 60 % 6 / 10 | +20 pp [-5, +45] pp | +50 % [-10 %, +110 %] | [bar] | 80.0 % | "
        "0.2 unadjusted 0.1 | not significant after correction")
    assert _row(html, "Console errors", "v2").endswith("guardrail inconclusive not yet shown to stay within its margin")
    assert "Sessions per arm: control 10 · v1 10 · v2 10 (sample ratio p = 1.00: every arm got its share)." in _texts(at)
    assert not at.metric  # the answer is the sentence and the scorecard, no longer four tiles


def test_demo_signup_winner_from_zero_and_arms_that_stay_at_zero(open_view, demo) -> None:
    at = open_view("comparison", "analyst", demo["signup"])
    assert not at.exception, [e.value for e in at.exception]
    (verdict,) = [s.value for s in at.success]
    assert re.fullmatch(r"Champion: v1 — task success 0 % → 100 % \(\+100 pp, adjusted p \d\.\d\de-09\), no "
                        r"guardrail significantly worse \(largest contentful paint not yet shown to hold\)\.", verdict)
    html = _scorecard(at)
    v1 = _row(html, "Task success", "v1")
    assert v1.startswith("v1 champion | 0 % 0 / 16 | 100 % 16 / 16 | +100 pp [+72.6, +100] pp | undefined no ratio "
                         "to a control of 0 % | [bar] | > 99.9 %")
    # The only comparison in its family: no control session succeeded, so effort (over successful
    # sessions) has nothing to compare, and the adjusted p is the p.
    assert re.search(r"\| \d\.\d\de-09 \| significantly better$", v1)
    assert _row(html, "Task success", "v2") == (
        "v2 | 0 % 0 / 16 | 0 % 0 / 16 | both 0 %: every session in both arms came out the same, so there is no "
        "difference to test | no change identical in every session")
    # Effort is over sessions that reached the goal: none did on the control, and the row says so.
    assert _row(html, "Actions", "v1") == (
        "v1 champion | no session succeeded | 9 n = 16 | not compared: no control session reached the goal; effort "
        "is counted over sessions that reached the goal | no comparison")
    assert _row(html, "Actions", "v2") == (
        "v2 | no session succeeded | no session succeeded | not measured: no v2 session reached the goal; effort is "
        "counted over sessions that reached the goal | no comparison")
    # A finished experiment never says "no comparison yet": backtracks were 0 everywhere, and it says that.
    assert _row(html, "Backtracks", "v1").startswith("v1 champion | 0 n = 16 | 0 n = 16 | both 0:")
    page = html + _texts(at)
    for never in ("None", "0.0000", "no comparison yet", "nan"):
        assert never not in page, never
    # Every arm in every chart, the control and the arm at 0 % included.
    success, actions = _chart_arms(at)
    assert success == ["control: 0 % (0/16)", "v1: 100 % (16/16)", "v2: 0 % (0/16)"]
    assert [label.split(":")[0] for label in actions] == ["control", "v1", "v2"]


def test_issue_texts_do_not_link_to_previews_that_are_gone(open_view, demo) -> None:
    at = open_view("comparison", "analyst", demo["signup"])
    text = _texts(at)
    assert "failed in 16 sessions (hurried x6, thorough x5, novice x5; seeds 0, 1, 2, ...) at `/index.html`: the " \
           "form was still rejected" in text
    assert DEAD_PREVIEW.removeprefix("http://") not in text


def test_diffs_are_full_width_and_collapsed(open_view, demo) -> None:
    at = open_view("comparison", "analyst", demo["signup"])
    diffs = [e for e in at.expander if e.label.startswith(("v1:", "v2:"))]
    assert [e.label for e in diffs] == [
        "v1: Explain each field's rules before the user types · 31 lines changed",
        "v2: Mark the required fields · 31 lines changed"]
    assert not any(e.proto.expanded for e in diffs)
    in_columns = [code for column in at.columns for code in column.code]
    assert not in_columns and len(at.code) == 2  # the diffs sit in the page's full width, not in a card


def test_demo_shop_keeps_the_baseline_and_says_which_arm_came_closest(open_view, demo) -> None:
    at = open_view("comparison", "analyst", demo["shop"])
    assert not at.exception, [e.value for e in at.exception]
    (verdict,) = [i.value for i in at.info]
    assert re.fullmatch(r"No champion, baseline kept — closest: v1 on task success, 62\.5 % → 75 % \(\+12\.5 pp, "
                        r"adjusted p [0-9.]+\)\.", verdict), verdict
    html = _scorecard(at)
    # Console errors only on v2: from a zero control the relative change is undefined and says why.
    assert "undefined no ratio to a control of 0 |" in _row(html, "Console errors", "v2")
    assert "How the pipeline decided: no variant significantly improved task_success, actions" in _texts(at)


def test_scorecard_marks_every_row_on_a_sample_ratio_mismatch(open_view, seeded: dict[str, Any]) -> None:
    import streamlit as st

    from analysis.srm import srm_test
    from db.models import BrowserSession
    from db.session import session_scope
    from db.stored_statistics import panel_statistics, store_panel_statistics

    with session_scope(seeded["url"]) as s:  # v1 gets 40 more sessions than its share: a broken split
        s.add_all(BrowserSession(experiment_id=seeded["experiment_id"], variant_id=seeded["variants"]["v1"],
                                 browser_task_id=f"extra_{i}", task_prompt="Find the desk lamp", status="completed",
                                 success=True) for i in range(40))
        # The check variant_metrics stores on its next run; the page reads it, never recomputes it.
        stored = panel_statistics(s, seeded["experiment_id"])
        store_panel_statistics(s, seeded["experiment_id"], srm_test({"control": 10, "v1": 50, "v2": 10}), stored.arms)
    st.cache_data.clear()
    at = open_view("comparison", "analyst")
    (error,) = [e.value for e in at.error]
    assert error.startswith("No verdict: the arms did not get their share of sessions (control 10 · v1 50 · v2 10;")
    assert _scorecard(at).count("sample ratio mismatch") == 4  # two metrics × two variants


def test_comparison_before_variant_metrics_stored_its_numbers_names_the_stage(open_view, seeded: dict[str, Any]) -> None:
    import streamlit as st
    from sqlalchemy import delete

    from db.models import StatisticsRun
    from db.session import session_scope

    with session_scope(seeded["url"]) as s:  # as on a database from before the numbers were stored
        s.execute(delete(StatisticsRun).where(StatisticsRun.source == "panel"))
    st.cache_data.clear()
    at = open_view("comparison", "analyst")
    assert not at.exception, [e.value for e in at.exception]
    assert any(i.value.startswith("The sample ratio check and each arm's own interval are not computed yet for this "
                                  "experiment: materialise variant_metrics") for i in at.info)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not [t for t in titles if t.endswith("per arm")]  # not recomputed on the page
    assert not any("sample ratio p =" in t for t in _texts(at))


def test_comparison_charts_the_stored_arm_values(open_view, seeded: dict[str, Any]) -> None:
    import streamlit as st

    from analysis.arm_intervals import ArmInterval
    from analysis.srm import srm_test
    from db.session import session_scope
    from db.stored_statistics import store_panel_statistics

    arms = tuple(ArmInterval(arm=a, metric="task_success", n=10, mean=m, ci_low=m - 0.1, ci_high=m + 0.1)
                 for a, m in (("control", 0.3), ("v1", 0.7), ("v2", 0.5)))
    with session_scope(seeded["url"]) as s:  # numbers the page could not have derived from the metric rows
        store_panel_statistics(s, seeded["experiment_id"], srm_test({"control": 10, "v1": 10, "v2": 10}), arms)
    st.cache_data.clear()
    at = open_view("comparison", "analyst")
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                 if json.loads(c.proto.spec)["layout"]["title"]["text"] == "Task success per arm")
    assert list(chart["data"][0]["x"]) == pytest.approx([30.0, 70.0, 50.0])
    assert list(chart["data"][0]["error_x"]["array"]) == pytest.approx([10.0, 10.0, 10.0])
