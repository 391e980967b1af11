import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.multitest import multipletests
from typer.testing import CliRunner

from cli.main import app

HEADER = "variant,metric,type,n,sum,sum_squares\n"


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "stats.csv"
    path.write_text(text)
    return str(path)


def test_golden_csv_end_to_end_json(tmp_path):
    rng = np.random.default_rng(8)
    success = {"control": rng.binomial(1, 0.5, 240), "variant": rng.binomial(1, 0.64, 250)}
    lcp = {"control": rng.lognormal(7.0, 0.4, 240), "variant": rng.lognormal(6.9, 0.4, 250)}
    lines = [HEADER.strip() + ",higher_is_better"]
    for arm in ("control", "variant"):
        s, x = success[arm], lcp[arm]
        lines.append(f"{arm},task_success,binomial,{len(s)},{s.sum()},{s.sum()},true")
        lines.append(f"{arm},lcp_ms,mean,{len(x)},{float(x.sum())!r},{float((x**2).sum())!r},false")
    path = _write(tmp_path, "\n".join(lines) + "\n")

    outcome = CliRunner().invoke(app, ["analyze", "--input", path, "--json"])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)

    p_success = sm_proportion.test_proportions_2indep(
        success["variant"].sum(), 250, success["control"].sum(), 240, method="wald", compare="diff"
    ).pvalue
    p_lcp = stats.ttest_ind(lcp["variant"], lcp["control"], equal_var=False).pvalue
    by_metric = {r["metric"]: r for r in data["results"]}
    assert by_metric["task_success"]["p_value"] == pytest.approx(p_success, abs=1e-6)
    assert by_metric["lcp_ms"]["p_value"] == pytest.approx(p_lcp, abs=1e-6)
    holm = multipletests([p_success, p_lcp], method="holm")[1]
    assert [by_metric[m]["p_value_adjusted"] for m in ("task_success", "lcp_ms")] == pytest.approx(list(holm))
    assert data["srm"]["p_value"] == pytest.approx(stats.chisquare([240, 250]).pvalue, abs=1e-9)
    assert data["srm"]["flagged"] is False
    assert by_metric["lcp_ms"]["higher_is_better"] is False
    assert set(by_metric["lcp_ms"]) >= {
        "mean",
        "baseline_mean",
        "effect_abs",
        "effect_rel",
        "ci_rel",
        "ci_abs",
        "p_value_rel",
    }
    assert set(by_metric["lcp_ms"]) >= {"chance_to_win", "risk", "significant", "error_code"}


def test_table_output_and_explicit_baseline(tmp_path):
    path = _write(
        tmp_path,
        HEADER + "a,clicks,binomial,100,40,40\nb,clicks,binomial,100,60,60\n",
    )
    outcome = CliRunner().invoke(app, ["analyze", "--input", path, "--baseline", "b"])
    assert outcome.exit_code == 0, outcome.output
    assert "baseline: b" in outcome.output and "clicks" in outcome.output and "-33.33%" in outcome.output


def test_table_shows_each_interval_beside_its_own_p_value(tmp_path):
    # 40/100 vs 60/100: the absolute Wald p (0.0039) and the relative delta-method p (0.0246, with
    # gbstats' Welch degrees of freedom; its own numbers: [+6.46%, +93.54%], p 0.024623) differ.
    path = _write(tmp_path, HEADER + "a,clicks,binomial,100,40,40\nb,clicks,binomial,100,60,60\n")
    outcome = CliRunner().invoke(app, ["analyze", "--input", path])
    assert outcome.exit_code == 0, outcome.output
    header = next(line for line in outcome.output.splitlines() if "difference" in line)
    cells = [c.strip() for c in header.split("┃")[1:-1]]
    assert cells[4:9] == ["difference (95% CI)", "p", "p adj", "relative (95% CI)", "p (rel)"]
    row = next(line for line in outcome.output.splitlines() if "clicks" in line)
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells[4:9] == ["+20 [+6.421, +33.58] pp", "0.0039", "0.0039", "+50.00% [+6.46%, +93.54%]", "0.0246"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "a,m,mean,10,4,5\nb,m,mean,-2,4,5\n", "row 2 (variant 'b', metric 'm'): n must be"),
        (
            HEADER + "a,m,mean,10,4,5\nb,m,mean,10,10,5\n",
            "row 2 (variant 'b', metric 'm'): sum_squares is inconsistent",
        ),
        (
            HEADER + "a,m,binomial,10,4,4\nb,m,binomial,10,11,11\n",
            "row 2 (variant 'b', metric 'm'): binomial",
        ),
        (HEADER + "a,m,mean,10,4,5\na,m,mean,10,4,5\n", "row 2: duplicate"),
        (HEADER + "a,m,mean,10,4,5\nb,m,median,10,4,5\n", "row 2 (variant 'b', metric 'm'): unknown type"),
        (HEADER + "a,m,mean,10,4,5\nb,m,mean,10,,5\n", "row 2: missing value for column(s): sum"),
        (HEADER + "a,m,mean,10,4,abc\n", "row 1: sum_squares is not a number"),
        ("variant,metric,n,sum\na,m,10,4\n", "missing column(s) type, sum_squares"),
        (HEADER, "no data rows"),
    ],
)
def test_invalid_csv_exits_2_naming_the_row(tmp_path, text, message):
    outcome = CliRunner().invoke(app, ["analyze", "--input", _write(tmp_path, text), "--json"])
    assert outcome.exit_code == 2
    assert message in outcome.output


def test_unknown_baseline_and_missing_file(tmp_path):
    path = _write(tmp_path, HEADER + "a,m,mean,10,4,5\nb,m,mean,10,4,5\n")
    outcome = CliRunner().invoke(app, ["analyze", "--input", path, "--baseline", "zzz"])
    assert outcome.exit_code == 2 and "baseline 'zzz'" in outcome.output
    missing = CliRunner().invoke(app, ["analyze", "--input", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "input file not found" in missing.output
