"""`variantlab analyze`: the statistics engine on a CSV of per-variant sufficient statistics."""

import csv
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from analysis.engine import analyze as run_engine
from analysis.report import AnalysisReport, MetricResult
from analysis.rows import REQUIRED_COLUMNS, InvalidStats, MetricRow, row_from_record, validate_rows
from cli.errors import UserError, printable

# Far above any real export (variants × metrics), far below what ties the machine up: the engine
# compares every row with its baseline, and a runaway file is refused before it is read.
MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 10_000
MAX_NAME_CHARS = 200
# More sessions than any experiment runs: a larger n is a unit mix-up, not a sample size.
MAX_N = 10**12
SHAPE = f"a UTF-8 CSV whose header row is {','.join(REQUIRED_COLUMNS)}"
_EXTRA = "\0extra"  # where DictReader puts the fields of a row longer than its header


def _read_rows(path: Path) -> list[MetricRow]:
    where = f"--input {path}"
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UserError(f"{where}: the file is {size} bytes; the limit is {MAX_BYTES} ({SHAPE})")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, restkey=_EXTRA)
            if reader.fieldnames is None:
                raise UserError(f"{where}: the file is empty; give {SHAPE}")
            header = [name.strip() for name in reader.fieldnames]
            missing = [column for column in REQUIRED_COLUMNS if column not in header]
            if missing:
                raise UserError(f"{where}: missing column(s) {', '.join(missing)} in the header row; give {SHAPE}")
            reader.fieldnames = header
            # Row numbers count data rows from 1 (the header is not a row), as InvalidStats does.
            rows = [_row(record, position) for position, record in enumerate(reader, start=1)]
    except FileNotFoundError:
        raise UserError(f"input file not found: {path}") from None
    except OSError as exc:  # a folder, no permission, a device: not a file we can read
        raise UserError(f"{where}: {exc.strerror or exc}; give a CSV file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{where}: not a readable CSV file ({exc}); give {SHAPE}") from None
    except InvalidStats as exc:
        raise UserError(f"{where}: {exc}") from None
    if not rows:
        raise UserError(f"{where}: no data rows below the header; give one row per variant and metric")
    try:
        validate_rows(rows)
    except InvalidStats as exc:
        raise UserError(f"{where}: {exc}") from None
    return rows


def _row(record: dict[str, Any], position: int) -> MetricRow:
    """One data row, with the limits the engine itself does not set (it also takes rows from SQL)."""
    if position > MAX_ROWS:
        raise InvalidStats(f"more than {MAX_ROWS} data rows; give at most {MAX_ROWS} (one per variant and metric)")
    if _EXTRA in record:
        fields = len(record) - 1 + len(record[_EXTRA])
        raise InvalidStats(f"{fields} fields but the header has {len(record) - 1}; quote a value that holds a comma",
                           position)
    for column in ("variant", "metric"):
        if len(record.get(column) or "") > MAX_NAME_CHARS:
            raise InvalidStats(f"{column} is {len(record[column])} characters; the limit is {MAX_NAME_CHARS}",
                               position)
    row = row_from_record(record, position)
    if row.n > MAX_N:
        raise InvalidStats(f"n is {row.n}; the limit is {MAX_N} (a count of sessions or users)", position)
    return row


def _text(name: str) -> str:
    """A name from the CSV as the terminal should show it: no live escape sequence, no Rich markup."""
    return escape(printable(name))


def _fmt(value: float | None, spec: str = ".4g") -> str:
    return "—" if value is None else format(value, spec)


def _with_interval(effect: float | None, ci: tuple[float, float] | None, spec: str, scale: float = 1.0,
                   unit: str = "") -> str:
    if effect is None:
        return "—"
    interval = "" if ci is None else f" [{format(scale * ci[0], spec)}, {format(scale * ci[1], spec)}]"
    return f"{format(scale * effect, spec)}{interval}{unit}"


def _difference(r: MetricResult) -> str:
    """The absolute effect with the interval p_value inverts: percentage points for proportions."""
    scale, unit = (100.0, " pp") if r.type == "binomial" else (1.0, "")
    return _with_interval(r.effect_abs, r.ci_abs, "+.4g", scale, unit)


def _print_table(report: AnalysisReport) -> None:
    console = Console()
    if not console.is_terminal:
        # Piped output would otherwise be squeezed to 80 columns and wrap every cell.
        console = Console(width=160)
    srm = report.srm
    srm_line = f"SRM p = {_fmt(srm.p_value)}" + (" — SAMPLE RATIO MISMATCH" if srm.flagged else "")
    console.print(f"baseline: [bold]{_text(report.baseline)}[/]   {srm_line}   correction: {report.correction}")
    table = Table(show_lines=False)
    # Each interval beside the p-value it inverts: the difference with p (and p adj, the decision made
    # on it), the relative change with p (rel). Intervals are per comparison, not adjusted.
    level = f"{1 - report.alpha:.0%} CI"
    columns = ("variant", "metric", "mean", "baseline", f"difference ({level})", "p", "p adj",
               f"relative ({level})", "p (rel)", "P(win)", "note")
    for column in columns:
        table.add_column(column)
    for r in report.results:
        table.add_row(
            _text(r.variant),
            _text(r.metric),
            _fmt(r.mean),
            _fmt(r.baseline_mean),
            _difference(r),
            _fmt(r.p_value, ".4f"),
            _fmt(r.p_value_adjusted, ".4f"),
            _with_interval(r.effect_rel, r.ci_rel, "+.2%"),
            _fmt(r.p_value_rel, ".4f"),
            _fmt(r.chance_to_win, ".1%"),
            ("significant" if r.significant else "") + (f" {r.error_code}" if r.error_code else ""),
        )
    console.print(table)
    if report.error_code:
        console.print(f"note: {report.error_code}")


def analyze(input_path: str, baseline: str | None, as_json: bool) -> int:
    rows = _read_rows(Path(input_path))
    try:
        report = run_engine(rows, baseline)
    except InvalidStats as exc:
        raise UserError(f"{input_path}: {exc}") from None
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_table(report)
    return 0
