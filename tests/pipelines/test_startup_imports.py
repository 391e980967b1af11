"""What `variantlab run` pays before the first stage starts: loading the code location stays light."""

from __future__ import annotations

import subprocess
import sys

from db.migrate import PROJECT_ROOT


def test_loading_the_definitions_does_not_import_scipy_stats() -> None:
    # scipy.stats takes about a second to import; only Fisher's exact test at the all-or-nothing
    # boundary needs it, so it is imported there, not on every run of every stage.
    code = ("import sys, warnings; warnings.simplefilter('ignore')\n"
            "from pipelines.definitions import defs; defs()\n"
            "from analysis.engine import analyze\n"
            "from analysis.rows import MetricRow\n"
            "analyze([MetricRow('control', 'task_success', 'binomial', 20, 10, 10),\n"
            "         MetricRow('v1', 'task_success', 'binomial', 20, 15, 15)], 'control')\n"
            "print(sorted(m for m in sys.modules if m.startswith('scipy.stats')))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_a_boundary_comparison_still_gets_fishers_exact_p() -> None:
    from analysis.engine import analyze
    from analysis.rows import MetricRow

    report = analyze([MetricRow("control", "task_success", "binomial", 12, 0, 0),
                      MetricRow("v1", "task_success", "binomial", 12, 12, 12)], "control")
    assert report.results[0].p_value < 1e-5  # Fisher's two-sided exact p for 0/12 vs 12/12 is 2 / C(24, 12)
