"""The engine's input: one row of sufficient statistics per (variant, metric), validated strictly.

Invalid input is a caller's mistake (a broken export, a typo), so it raises InvalidStats naming the
row; degenerate but valid input (an empty arm, zero variance) is not an error and flows through.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from analysis.statistics import MetricType, SampleStats

METRIC_TYPES: tuple[str, ...] = ("binomial", "mean")
REQUIRED_COLUMNS: tuple[str, ...] = ("variant", "metric", "type", "n", "sum", "sum_squares")
# Relative slack for the consistency checks: sums exported from SQL carry float rounding.
_TOLERANCE = 1e-9


class InvalidStats(ValueError):
    """Input statistics that cannot be right; `row` is the 1-based position of the offending row."""

    def __init__(self, message: str, row: int | None = None, *, context: str = "") -> None:
        where = "" if row is None else f"row {row}" + (f" ({context})" if context else "") + ": "
        super().__init__(where + message)
        self.row = row


@dataclass(frozen=True, slots=True)
class MetricRow:
    variant: str
    metric: str
    type: MetricType
    n: int
    sum: float
    sum_squares: float
    higher_is_better: bool = True

    def stats(self) -> SampleStats:
        return SampleStats(n=self.n, sum=self.sum, sum_squares=self.sum_squares, kind=self.type)


def _close_or_above(value: float, bound: float) -> bool:
    return value >= bound - _TOLERANCE * max(abs(bound), 1.0)


def check_row(row: MetricRow, position: int) -> None:
    """Raise InvalidStats if this row's numbers are impossible."""
    where = f"variant {row.variant!r}, metric {row.metric!r}"
    if not row.variant or not row.metric:
        raise InvalidStats("variant and metric must be non-empty", position)
    if row.type not in METRIC_TYPES:
        raise InvalidStats(
            f"unknown type {row.type!r}; use one of: {', '.join(METRIC_TYPES)}", position, context=where
        )
    if isinstance(row.n, bool) or not isinstance(row.n, int) or row.n < 0:
        raise InvalidStats(f"n must be a non-negative integer, got {row.n!r}", position, context=where)
    if not (math.isfinite(row.sum) and math.isfinite(row.sum_squares)):
        raise InvalidStats("sum and sum_squares must be finite numbers", position, context=where)
    if row.sum_squares < 0:
        raise InvalidStats(f"sum_squares cannot be negative ({row.sum_squares})", position, context=where)
    if row.n == 0 and (row.sum != 0 or row.sum_squares != 0):
        raise InvalidStats("n is 0 but sum or sum_squares is not", position, context=where)
    if row.type == "binomial":
        if not (_close_or_above(row.sum, 0.0) and _close_or_above(row.n, row.sum)):
            raise InvalidStats(
                f"binomial successes must lie in [0, n], got {row.sum}", position, context=where
            )
        if abs(row.sum_squares - row.sum) > _TOLERANCE * max(abs(row.sum), 1.0):
            raise InvalidStats("binomial rows need sum_squares == sum (0/1 data)", position, context=where)
    if not _close_or_above(row.sum_squares * row.n, row.sum * row.sum):
        raise InvalidStats(
            "sum_squares is inconsistent with sum (need sum_squares * n >= sum^2)", position, context=where
        )


def validate_rows(rows: Sequence[MetricRow]) -> None:
    """Every row valid, no (variant, metric) twice, and each metric of one type and direction throughout."""
    seen: dict[tuple[str, str], int] = {}
    kinds: dict[str, MetricRow] = {}
    for position, row in enumerate(rows, start=1):
        check_row(row, position)
        key = (row.variant, row.metric)
        if key in seen:
            raise InvalidStats(
                f"duplicate (variant {row.variant!r}, metric {row.metric!r}); first seen at row {seen[key]}",
                position,
            )
        seen[key] = position
        first = kinds.setdefault(row.metric, row)
        if (first.type, first.higher_is_better) != (row.type, row.higher_is_better):
            raise InvalidStats(
                f"metric {row.metric!r} has a different type or direction than for variant {first.variant!r}",
                position,
            )


_TRUE = {"true", "1", "yes", "y", "higher"}
_FALSE = {"false", "0", "no", "n", "lower"}


def _number(record: Mapping[str, object], column: str, position: int) -> float:
    raw = record.get(column)
    try:
        return float(str(raw).strip())
    except ValueError:
        raise InvalidStats(f"{column} is not a number: {raw!r}", position) from None


def row_from_record(record: Mapping[str, object], position: int) -> MetricRow:
    """Parse one loosely typed record (a CSV row, a SQL result) into a MetricRow, or raise InvalidStats."""
    missing = [c for c in REQUIRED_COLUMNS if record.get(c) is None or str(record.get(c)).strip() == ""]
    if missing:
        raise InvalidStats(f"missing value for column(s): {', '.join(missing)}", position)
    n = _number(record, "n", position)
    if not n.is_integer():
        raise InvalidStats(f"n must be a whole number, got {record['n']!r}", position)
    direction = str(record.get("higher_is_better") or "true").strip().lower()
    if direction not in _TRUE | _FALSE:
        raise InvalidStats(f"higher_is_better must be true or false, got {direction!r}", position)
    row = MetricRow(
        variant=str(record["variant"]).strip(),
        metric=str(record["metric"]).strip(),
        type=str(record["type"]).strip().lower(),  # type: ignore[arg-type]  # checked by check_row
        n=int(n),
        sum=_number(record, "sum", position),
        sum_squares=_number(record, "sum_squares", position),
        higher_is_better=direction in _TRUE,
    )
    check_row(row, position)
    return row


def rows_from_records(records: Iterable[Mapping[str, object]]) -> list[MetricRow]:
    rows = [row_from_record(record, position) for position, record in enumerate(records, start=1)]
    validate_rows(rows)
    return rows
