"""The scorecard as one HTML table for st.html: cells wrap instead of cutting off, and each interval is a
bar on the axis its metric's rows share. st.html sanitises SVG away, so bars are positioned divs (inline
styles and one <style> block survive). Pure: blocks in, a string out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from dashboard.charts import BAD, GOOD, NEUTRAL
from dashboard.scorecard import Bar, Cell, MetricBlock, ScoreRow

_TONE = {"good": GOOD, "bad": BAD, "warn": "#c98a0b", "neutral": NEUTRAL}
HEADERS = ("Variant", "Control", "Variant's value", "Absolute change", "Relative change",
           "95 % interval of the absolute change", "Chance to beat control", "Adjusted p", "Status")
# Theme-neutral colours (translucent greys, currentColor), so the table reads in light and dark themes.
_CSS = """<style>
.vl-scorecard table{width:100%;border-collapse:collapse;font-size:.9rem;line-height:1.3}
.vl-scorecard th{text-align:left;font-weight:600;padding:6px 8px;border-bottom:2px solid rgba(128,128,128,.45);
 vertical-align:bottom}
.vl-scorecard td{padding:6px 8px;border-bottom:1px solid rgba(128,128,128,.2);vertical-align:middle;
 white-space:normal;overflow-wrap:anywhere}
.vl-scorecard td.vl-num,.vl-scorecard th.vl-num{text-align:right;font-variant-numeric:tabular-nums}
.vl-scorecard tr.vl-metric td{background:rgba(128,128,128,.09);border-bottom:1px solid rgba(128,128,128,.3)}
.vl-scorecard small{display:block;opacity:.68;font-size:.78rem}
.vl-scorecard .vl-champion{font-size:.72rem;padding:1px 6px;border-radius:8px;margin-left:4px;
 background:rgba(46,158,91,.16);color:#2e9e5b;white-space:nowrap}
.vl-scorecard .vl-status{font-weight:600}
.vl-scorecard .vl-reason{font-style:italic;opacity:.85}
.vl-scorecard td.vl-bar{width:240px;min-width:200px}
.vl-scorecard .vl-track,.vl-scorecard .vl-axis{position:relative;height:18px}
.vl-scorecard .vl-zero{position:absolute;top:0;bottom:0;border-left:1px dashed #8a94a6}
.vl-scorecard .vl-ci{position:absolute;top:6px;height:6px;border-radius:3px;opacity:.45}
.vl-scorecard .vl-dot{position:absolute;top:4px;width:10px;height:10px;margin-left:-5px;border-radius:50%}
.vl-scorecard .vl-tick{position:absolute;top:1px;font-size:.72rem;font-weight:400;opacity:.7;white-space:nowrap}
</style>"""


def render(blocks: Sequence[MetricBlock]) -> str:
    head = "".join(f'<th class="{"vl-num" if 0 < i < 5 or i in (6, 7) else ""}">{escape(h)}</th>'
                   for i, h in enumerate(HEADERS))
    body = "".join(_block(block) for block in blocks)
    return f'{_CSS}<div class="vl-scorecard"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _block(block: MetricBlock) -> str:
    title = (f"<b>{escape(block.label)}</b><small>{escape(block.description)}"
             f"{' · ' if block.description else ''}{escape(block.better)}</small>")
    header = (f'<tr class="vl-metric"><td colspan="5">{title}</td>'
              f'<td class="vl-bar">{_axis(block.axis, block.unit)}</td><td colspan="3"></td></tr>')
    return header + "".join(_row(row, block) for row in block.rows)


def _cell(cell: Cell, numeric: bool = True) -> str:
    detail = f"<small>{escape(cell.detail)}</small>" if cell.detail else ""
    return f'<td class="{"vl-num" if numeric else ""}">{escape(cell.text)}{detail}</td>'


def _row(row: ScoreRow, block: MetricBlock) -> str:
    champion = '<span class="vl-champion">champion</span>' if row.champion else ""
    status = (f'<td><span class="vl-status" style="color:{_TONE[row.status_tone]}">{escape(row.status.text)}</span>'
              f'{f"<small>{escape(row.status.detail)}</small>" if row.status.detail else ""}</td>')
    lead = f"<td><b>{escape(row.variant)}</b>{champion}</td>{_cell(row.control)}{_cell(row.value)}"
    if row.reason:  # the reason takes the place of the change, the bar, the chance and p: nothing is left blank
        return f'<tr>{lead}<td colspan="5" class="vl-reason">{escape(row.reason)}</td>{status}</tr>'
    bar = _bar(row.bar, block.axis, row.absolute.detail) if row.bar else ""
    return (f"<tr>{lead}{_cell(row.absolute)}{_cell(row.relative)}<td class=\"vl-bar\">{bar}</td>"
            f"{_cell(row.chance)}{_cell(row.p_adjusted)}{status}</tr>")


def _x(v: float, axis: tuple[float, float]) -> float:
    """Where v sits on the axis, in percent of the track's width."""
    low, high = axis
    return round(100.0 * (v - low) / (high - low), 2)


def _bar(bar: Bar, axis: tuple[float, float], interval: str) -> str:
    colour = _TONE[bar.tone]
    low, high = _x(bar.low, axis), _x(bar.high, axis)
    label = escape(f"difference {interval}")
    return (f'<div class="vl-track" role="img" aria-label="{label}" title="{label}">'
            f'<div class="vl-zero" style="left:{_x(0.0, axis)}%"></div>'
            f'<div class="vl-ci" style="left:{low}%;width:{max(high - low, 0.8)}%;background:{colour}"></div>'
            f'<div class="vl-dot" style="left:{_x(bar.estimate, axis)}%;background:{colour}"></div></div>')


def _tick(v: float, unit: str) -> str:
    text = "0" if v == 0 else f"{v:+.3g}"
    return f"{text} {unit}".rstrip()


def _axis(axis: tuple[float, float], unit: str) -> str:
    """The metric's shared scale: its two ends and zero, in the unit of the absolute change."""
    low, high = axis
    zero = _x(0.0, axis)
    middle = (f'<span class="vl-tick" style="left:{zero}%;transform:translateX(-50%)">0</span>'
              if 22 < zero < 78 else "")  # a zero label near either end would sit on that end's label
    return (f'<div class="vl-axis" role="img" aria-label="axis {escape(_tick(low, unit))} to '
            f'{escape(_tick(high, unit))}"><span class="vl-tick" style="left:0">{escape(_tick(low, unit))}</span>'
            f'{middle}<span class="vl-tick" style="right:0">{escape(_tick(high, unit))}</span></div>')
