"""A long reason in the build account is cut where a clause or a word ends, never inside a path."""

from db.build_summary import _REASON_CHARS, _short


def test_a_long_reason_is_cut_at_the_last_clause_that_fits() -> None:
    reason = ("no run qualifies: none of 2 completed: empty_state: nothing to try it on in the pages visited "
              "(/, /new); every list there has entries, so an empty one could not be shown; try another page")
    short = _short(reason)
    assert len(short) <= _REASON_CHARS and short.endswith("…")
    assert reason.startswith(short[:-1])
    assert short == "no run qualifies: none of 2 completed: empty_state: nothing to try it on in the pages visited (/, /new)…"


def test_a_short_reason_and_a_missing_one_stay_whole() -> None:
    assert _short("no listing found") == "no listing found"
    assert _short(None) == _short("") == "no reason recorded"
    assert _short("first line\nsecond line") == "first line"
