import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.codes import ErrorCode
from analysis.multiple import adjust_pvalues
from analysis.srm import srm_test


@pytest.mark.parametrize(
    ("counts", "split", "flagged"),
    [
        ({"a": 1000, "b": 1010}, None, False),
        ({"a": 1000, "b": 1200}, None, True),
        ({"a": 500, "b": 510, "c": 980}, {"a": 1, "b": 1, "c": 2}, False),
        ({"a": 500, "b": 500, "c": 500}, {"a": 0.25, "b": 0.25, "c": 0.5}, True),
    ],
)
def test_srm_matches_hand_computed_chi_squared(counts, split, flagged):
    result = srm_test(counts, split)
    observed = np.array(list(counts.values()), dtype=float)
    weights = np.ones(len(counts)) if split is None else np.array([split[k] for k in counts], dtype=float)
    expected = observed.sum() * weights / weights.sum()
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    assert result.chi2 == pytest.approx(chi2, rel=1e-9)
    assert result.p_value == pytest.approx(stats.chi2.sf(chi2, len(counts) - 1), abs=1e-9)
    assert result.flagged is flagged


@pytest.mark.parametrize(
    ("counts", "code"),
    [({"a": 10}, ErrorCode.SINGLE_ARM), ({}, ErrorCode.SINGLE_ARM), ({"a": 0, "b": 0}, ErrorCode.EMPTY_ARM)],
)
def test_srm_degenerate(counts, code):
    result = srm_test(counts)
    assert result.error_code is code and result.flagged is False


def test_srm_rejects_a_split_that_does_not_name_the_arms():
    with pytest.raises(ValueError, match="positive weight"):
        srm_test({"a": 10, "b": 12}, {"a": 1.0})


@pytest.mark.parametrize("method, reference", [("holm", "holm"), ("bh", "fdr_bh")])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adjustments_match_statsmodels(method, reference, seed):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=12), rng.uniform(0, 0.01, size=4), [0.02, 0.02]])
    ours = adjust_pvalues(list(p), method)
    theirs = multipletests(p, method=reference)[1]
    assert ours == pytest.approx(list(theirs), abs=1e-12)


def test_missing_pvalues_are_left_out_of_the_family():
    p = [0.01, None, 0.04, 0.03]
    adjusted = adjust_pvalues(p, "holm")
    assert adjusted[1] is None
    assert [adjusted[0], adjusted[2], adjusted[3]] == pytest.approx(
        list(multipletests([0.01, 0.04, 0.03], method="holm")[1])
    )
    assert adjust_pvalues(p, "none") == p
    assert adjust_pvalues([], "bh") == []


def test_unknown_correction_is_rejected():
    with pytest.raises(ValueError, match="unknown correction"):
        adjust_pvalues([0.1], "bonferonni")
