"""The Comparison scorecard as plain functions: every arm gets a row, every gap a sentence (issue #17 item 1)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dashboard import formats, scorecard, scorecard_html, verdict
from dashboard.loaded import SrmCheck
from db.panel_stats import PANEL_METRICS


def _m(variant: str, metric: str = "task_success", **kw: Any) -> dict[str, Any]:
    """A db.queries.variant_metrics row; the control's carries no comparison."""
    row = {"variant": variant, "source": "panel", "metric": metric, "type": "binomial", "is_guardrail": False,
           "n": 16, "mean": 0.0, "effect_abs": None, "ci_abs_low": None, "ci_abs_high": None, "p_value": None,
           "effect_rel": None, "ci_low": None, "ci_high": None, "p_value_rel": None, "p_value_adjusted": None,
           "chance_to_win": None, "significant": None, "guardrail_status": None, "error_code": None,
           "higher_is_better": True}
    return {**row, **kw}


# The demo sign-up as the analyst saw it: control 0 %, v1 wins from 0 %, v2 stays at 0 %, v3 never measured.
SIGNUP = [
    _m("control"),
    _m("v1", mean=1.0, effect_abs=1.0, ci_abs_low=0.726, ci_abs_high=1.0, p_value=3.33e-09,
       p_value_adjusted=9.98e-09, chance_to_win=0.9999, significant=True, error_code="ZERO_BASELINE_MEAN"),
    _m("v2", error_code="ZERO_VARIANCE"),
]
ARMS = ["control", "v1", "v2", "v3"]


def _block(blocks: list[scorecard.MetricBlock], metric: str) -> scorecard.MetricBlock:
    return next(b for b in blocks if b.metric == metric)


def _rows(block: scorecard.MetricBlock) -> dict[str, scorecard.ScoreRow]:
    return {r.variant: r for r in block.rows}


def test_every_arm_gets_a_row_with_the_control_value_or_a_reason() -> None:
    blocks = scorecard.build(SIGNUP, ARMS, control="control", champion="v1",
                             unmeasured={"v3": "not measured: the preview of v3 did not deploy (error)"})
    rows = _rows(_block(blocks, "task_success"))
    assert list(rows) == ["v1", "v2", "v3"]
    v1 = rows["v1"]
    assert (v1.control, v1.value) == (scorecard.Cell("0 %", "0 / 16"), scorecard.Cell("100 %", "16 / 16"))
    assert v1.absolute == scorecard.Cell("+100 pp", "[+72.6, +100] pp")
    # A zero baseline: the absolute change stands and the relative one says why it is undefined.
    assert v1.relative == scorecard.Cell("undefined", "no ratio to a control of 0 %")
    assert v1.p_adjusted == scorecard.Cell("9.98e-09", "unadjusted 3.33e-09")
    assert v1.chance.text == "> 99.9 %" and v1.champion and v1.status.text == "significantly better"
    assert v1.bar == scorecard.Bar(low=72.6, estimate=100.0, high=100.0, tone="good")
    v2 = rows["v2"]
    assert v2.bar is None and v2.reason.startswith("both 0 %: every session in both arms came out the same")
    assert v2.status.text == "no change"
    assert rows["v3"].reason == "not measured: the preview of v3 did not deploy (error)"
    assert rows["v3"].value.text == "not measured"


def test_a_metric_shares_one_axis_that_always_holds_zero() -> None:
    metrics = [_m("control", mean=0.5),
               _m("v1", mean=0.6, effect_abs=0.1, ci_abs_low=0.02, ci_abs_high=0.18, significant=True),
               _m("v2", mean=0.45, effect_abs=-0.05, ci_abs_low=-0.3, ci_abs_high=0.2)]
    block = _block(scorecard.build(metrics, ["control", "v1", "v2"], control="control"), "task_success")
    low, high = block.axis
    assert low < -30.0 and high > 20.0  # both rows' intervals, in percentage points, fit on the one axis
    assert low == pytest.approx(-30.0 - 0.06 * 50.0) and high == pytest.approx(20.0 + 0.06 * 50.0)
    assert [r.bar.tone for r in block.rows] == ["good", "neutral"]
    only_gaps = _block(scorecard.build(SIGNUP[:1] + SIGNUP[2:], ["control", "v2"], control="control"), "task_success")
    assert only_gaps.axis == (-1.0, 1.0)


def test_relative_intervals_are_clipped_at_minus_100_percent() -> None:
    metrics = [_m("control", mean=0.2),
               _m("v1", mean=0.05, effect_abs=-0.15, ci_abs_low=-0.35, ci_abs_high=0.05, effect_rel=-0.75,
                  ci_low=-1.34, ci_high=-0.16)]
    (row,) = _block(scorecard.build(metrics, ["control", "v1"], control="control"), "task_success").rows
    assert row.relative == scorecard.Cell("-75 %", "[-100 % (clipped), -16 %]") and row.relative_clipped


@pytest.mark.parametrize(("p", "shown"), [
    (9.98e-09, "9.98e-09"), (0.00049, "4.90e-04"), (0.001, "0.001"), (0.0452, "0.0452"), (0.2, "0.2"), (1.0, "1"),
    (0.0, "< 1e-300"), (None, "not computed"),
])
def test_p_values_keep_their_size(p: float | None, shown: str) -> None:
    assert formats.p_value(p) == shown


@pytest.mark.parametrize(("code", "n", "reason"), [
    ("TOO_FEW_SAMPLES", 1, "not compared: v1 has a single session, and one observation has no spread to test against"),
    ("NO_BASELINE", 16, "not compared: the control has no measurement of this"),
    ("EMPTY_ARM", 16, "not compared: an arm has no sessions that recorded this"),
    ("SOMETHING_NEW", 16, "not compared: the statistics engine could not (something new)"),
    (None, 16, "not compared yet: the metrics stage has not run since this arm was measured"),
])
def test_error_codes_become_sentences(code: str | None, n: int, reason: str) -> None:
    metrics = [_m("control", mean=0.5), _m("v1", mean=0.5, n=n, error_code=code)]
    (row,) = _block(scorecard.build(metrics, ["control", "v1"], control="control"), "task_success").rows
    assert row.reason == reason
    assert "_" not in row.reason.removeprefix("not compared: the statistics engine could not")


def test_constant_arms_that_differ_say_so() -> None:
    metrics = [_m("control", "a11y_violations", type="mean", mean=2.0, is_guardrail=True),
               _m("v1", "a11y_violations", type="mean", mean=3.0, is_guardrail=True, error_code="ZERO_VARIANCE")]
    (row,) = scorecard.build(metrics, ["control", "v1"], control="control")[0].rows
    assert row.reason == ("2 against 3 in every session: neither arm varies, so there is no spread to test the "
                          "difference against")
    assert row.status.text == "guardrail not tested"


@pytest.mark.parametrize(("status", "significant", "effect", "shown", "tone"), [
    ("ok", False, 0.0, "guardrail holds", "good"),
    ("violated", True, 0.5, "guardrail violated", "bad"),
    ("inconclusive", False, 0.1, "guardrail inconclusive", "warn"),
    (None, True, 0.5, "significantly worse", "bad"),  # a rise from a zero control: no margin, still harm
    (None, False, 0.06, "guardrail not tested", "neutral"),
])
def test_guardrail_status(status: str | None, significant: bool, effect: float, shown: str, tone: str) -> None:
    metrics = [_m("control", "console_errors", type="mean", is_guardrail=True, higher_is_better=False),
               _m("v1", "console_errors", type="mean", is_guardrail=True, higher_is_better=False, mean=effect,
                  effect_abs=effect, ci_abs_low=effect - 0.1, ci_abs_high=effect + 0.1, significant=significant,
                  guardrail_status=status, error_code=None if status else "ZERO_BASELINE_MEAN")]
    (row,) = scorecard.build(metrics, ["control", "v1"], control="control")[0].rows
    assert (row.status.text, row.status_tone) == (shown, tone)


def test_a_sample_ratio_mismatch_marks_every_row() -> None:
    blocks = scorecard.build(SIGNUP, ARMS, control="control", srm_flagged=True)
    rows = _block(blocks, "task_success").rows
    assert {r.status.text for r in rows} == {"sample ratio mismatch"} and {r.status_tone for r in rows} == {"bad"}
    assert rows[0].status.detail == "not trustworthy; significantly better"


def test_blocks_follow_the_panel_order_then_human_metrics_with_question_text() -> None:
    metrics = [_m("control", "q:qst_1=yes", source="human"), _m("control", "rating", source="human", type="mean"),
               _m("control", "console_errors", type="mean", is_guardrail=True), _m("control", "actions", type="mean"),
               _m("control")]
    blocks = scorecard.build(metrics, ["control"], control="control", question_texts={"qst_1": "Found it?"})
    assert [b.metric for b in blocks] == ["task_success", "actions", "console_errors", "rating", "q:qst_1=yes"]
    assert blocks[-1].label == "“Found it?”: yes" and blocks[-2].label == "Tester rating"
    assert blocks[1].better == "higher is better"


def test_every_panel_metric_has_a_label() -> None:
    assert set(formats.PANEL_LABELS) == {m.name for m in PANEL_METRICS}


@pytest.mark.parametrize(("value", "metric", "type_", "shown"), [
    (0.9375, "task_success", "binomial", "93.8 %"), (0.4, "task_success", "binomial", "40 %"),
    (0.0, "task_success", "binomial", "0 %"), (4.213, "time_s", "mean", "4.21 s"), (14.0625, "actions", "mean", "14.1"),
    (1234.5, "actions", "mean", "1,234"),
])
def test_values_read_plainly(value: float, metric: str, type_: str, shown: str) -> None:
    assert formats.value(value, metric, type_) == shown


def test_changes_and_their_intervals() -> None:
    assert formats.change(0.125, "task_success", "binomial") == "+12.5 pp"
    assert formats.change(-1.5, "time_s", "mean") == "-1.5 s"
    assert formats.change(0.0, "actions", "mean") == "0"
    assert formats.change_interval(-0.05, 0.45, "task_success", "binomial") == "[-5, +45] pp"
    assert formats.clip_absolute(-1.2, 0.3, "binomial") == (-1.0, 0.3)
    assert formats.clip_absolute(-1.2, 0.3, "mean") == (-1.2, 0.3)
    assert formats.chance(0.99) == "99.0 %" and formats.chance(0.0004) == "< 0.1 %"


def _verdict(metrics: list[dict[str, Any]], **kw: Any) -> verdict.Verdict:
    args = {"champion": None, "srm": SrmCheck(p_value=0.9, flagged=False), "sessions": {"control": 16, "v1": 16}}
    args.update(kw)
    return verdict.verdict(scorecard.build(metrics, ARMS, control="control", champion=args["champion"]), **args)


def test_verdict_names_the_champion_in_one_sentence() -> None:
    said = _verdict(SIGNUP, champion="v1")
    assert said == verdict.Verdict("success", "Champion: v1 — task success 0 % → 100 % (+100 pp, adjusted p "
                                                "9.98e-09), no guardrail worse.")
    assert said.text.count(". ") == 0 and said.text.endswith(".")


def test_verdict_without_a_champion_names_the_closest_arm() -> None:
    metrics = [_m("control", mean=0.625),
               _m("v1", mean=0.75, effect_abs=0.125, ci_abs_low=-0.19, ci_abs_high=0.44, p_value=0.44,
                  p_value_adjusted=0.88),
               _m("v2", mean=0.6875, effect_abs=0.0625, ci_abs_low=-0.26, ci_abs_high=0.39, p_value=0.71,
                  p_value_adjusted=0.88)]
    assert _verdict(metrics).text == ("No champion, baseline kept — closest: v1 on task success, 62.5 % → 75 % "
                                      "(+12.5 pp, adjusted p 0.88).")
    both_zero = [_m("control"), _m("v1", error_code="ZERO_VARIANCE")]
    assert _verdict(both_zero).text.startswith("No champion, baseline kept — task success: both 0 %")


def test_verdict_on_a_sample_ratio_mismatch_and_before_any_metric() -> None:
    said = _verdict(SIGNUP, srm=SrmCheck(p_value=2e-5, flagged=True), sessions={"control": 30, "v1": 12})
    assert said.tone == "error" and "(control 30 · v1 12; sample ratio p = 2.00e-05)" in said.text
    assert verdict.verdict([], champion=None, srm=None, sessions={}).tone == "info"
    nothing = verdict.verdict([], champion=None, srm=None, sessions={},
                                nothing_built="0 of 2 variants built: 'Add search' — no listing found")
    assert nothing == verdict.Verdict("warning", "Nothing to compare: 0 of 2 variants built: 'Add search' — no "
                                                   "listing found.")


def test_html_leaves_no_cell_unexplained() -> None:
    html = scorecard_html.render(scorecard.build(SIGNUP, ARMS, control="control", champion="v1"))
    assert "None" not in html and ">—<" not in html
    assert html.count('colspan="5" class="vl-reason"') == 2  # v2 (both 0 %) and v3 (not measured)
    assert html.count('<div class="vl-dot"') == 1  # one interval to draw: v1's
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", html)
    # The only empty cells pad the metric header rows.
    assert [attrs for attrs, text in cells if not text] == [' colspan="3"']


def test_html_escapes_what_it_is_given() -> None:
    metrics = [_m("control", "q:qst_1=<b>", source="human"), _m("v1", "q:qst_1=<b>", source="human")]
    html = scorecard_html.render(scorecard.build(metrics, ["control", "v1"], control="control",
                                                 question_texts={"qst_1": "<script>x</script>"}))
    assert "<script>x" not in html and "&lt;script&gt;" in html
