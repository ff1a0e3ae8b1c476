"""One self-contained HTML page for scorecards: ROC squares and the tables behind them.

The OWASP Benchmark scorecard draws every tool as a point on the square of false-positive rate
(x) against true-positive rate (y): the diagonal is guessing, the top-left corner is perfect,
and a point's height above the diagonal is its Youden index. This page draws that square once
for the averages and once per category, with every scorecard of the run on it, so tools can
be compared at a glance. Everything is inline (SVG and CSS, no script, no CDN): the page opens
offline and can be attached to a report as one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from graderlib.evaluate.scorecard import Scorecard

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
_SIZE = 240  # the square, in px
_MARGIN = 36

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 28px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; border: 1px solid #ddd; padding: 8px; }
figcaption { font-weight: 600; text-align: center; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.legend span { display: inline-block; margin-right: 16px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px;
          vertical-align: middle; margin-right: 4px; }
.note { color: #666; }
"""


def _fmt(value: float | None) -> str:
    return "&ndash;" if value is None else f"{value:.3f}"


def _x(fpr: float) -> float:
    return _MARGIN + fpr * _SIZE


def _y(tpr: float) -> float:
    return _MARGIN + (1.0 - tpr) * _SIZE


def roc_square(title: str, points: Sequence[tuple[str, str, float | None, float | None]]) -> str:
    """An SVG ROC square; ``points`` are ``(tool, colour, tpr, fpr)``, drawn where both exist."""
    side = _SIZE + 2 * _MARGIN
    parts = [
        f'<svg class="roc" role="img" aria-label="{escape(title)}" width="{side}" '
        f'height="{side}" viewBox="0 0 {side} {side}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="{_MARGIN}" y="{_MARGIN}" width="{_SIZE}" height="{_SIZE}" fill="#fafafa" '
        'stroke="#888"/>',
    ]
    for step in (0.25, 0.5, 0.75):
        parts.append(
            f'<line x1="{_x(step)}" y1="{_y(0)}" x2="{_x(step)}" y2="{_y(1)}" stroke="#e4e4e4"/>'
            f'<line x1="{_x(0)}" y1="{_y(step)}" x2="{_x(1)}" y2="{_y(step)}" stroke="#e4e4e4"/>'
        )
    parts.append(
        f'<line class="guess" x1="{_x(0)}" y1="{_y(0)}" x2="{_x(1)}" y2="{_y(1)}" '
        'stroke="#999" stroke-dasharray="4 4"/>'
    )
    for value in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{_x(value)}" y="{_y(0) + 14}" font-size="10" text-anchor="middle">'
            f"{value:g}</text>"
            f'<text x="{_x(0) - 4}" y="{_y(value) + 3}" font-size="10" text-anchor="end">'
            f"{value:g}</text>"
        )
    parts.append(
        f'<text x="{_x(0.5)}" y="{side - 6}" font-size="11" text-anchor="middle">'
        "false-positive rate</text>"
        f'<text x="12" y="{_y(0.5)}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {_y(0.5)})">true-positive rate</text>'
    )
    drawn = 0
    for tool, colour, tpr, fpr in points:
        if tpr is None or fpr is None:
            continue
        drawn += 1
        parts.append(
            f'<circle class="point" data-tool="{escape(tool)}" data-tpr="{tpr}" '
            f'data-fpr="{fpr}" cx="{_x(fpr):.1f}" cy="{_y(tpr):.1f}" r="6" fill="{colour}" '
            f'fill-opacity="0.85" stroke="#fff"><title>{escape(tool)}: TPR {tpr:.3f}, '
            f"FPR {fpr:.3f}</title></circle>"
        )
    if not drawn:
        parts.append(
            f'<text x="{_x(0.5)}" y="{_y(0.5)}" font-size="11" text-anchor="middle" '
            'fill="#666">no point: no case of both kinds</text>'
        )
    parts.append("</svg>")
    return f"<figure><figcaption>{escape(title)}</figcaption>{''.join(parts)}</figure>"


def _overall_table(cards: Sequence[Scorecard]) -> str:
    head = (
        "<tr><th>tool</th><th>mode</th><th>tasks</th><th>TPR</th><th>FPR</th><th>Youden</th>"
        "<th>TP</th><th>FN</th><th>FP</th><th>TN</th><th>extra</th><th>precision</th>"
        "<th>mean score</th><th>unmapped</th></tr>"
    )
    rows = []
    for card in cards:
        o = card.overall
        rows.append(
            f"<tr><td>{escape(card.tool)}</td><td>{card.mode}</td><td>{o.tasks}</td>"
            f"<td>{_fmt(o.tpr)}</td><td>{_fmt(o.fpr)}</td><td>{_fmt(o.youden)}</td>"
            f"<td>{o.tp}</td><td>{o.fn}</td><td>{o.fp}</td><td>{o.tn}</td><td>{o.extra}</td>"
            f"<td>{_fmt(o.precision)}</td><td>{o.mean_score:.3f}</td><td>{o.unmapped}</td></tr>"
        )
    return f'<table class="overall">{head}{"".join(rows)}</table>'


def _category_table(card: Scorecard) -> str:
    head = (
        "<tr><th>category</th><th>TP</th><th>FN</th><th>FP</th><th>TN</th><th>extra</th>"
        "<th>TPR</th><th>FPR</th><th>Youden</th></tr>"
    )
    rows = [
        f"<tr><td>{escape(c.category)}</td><td>{c.tp}</td><td>{c.fn}</td><td>{c.fp}</td>"
        f"<td>{c.tn}</td><td>{c.extra}</td><td>{_fmt(c.tpr)}</td><td>{_fmt(c.fpr)}</td>"
        f"<td>{_fmt(c.youden)}</td></tr>"
        for c in card.categories.values()
    ]
    return f'<table class="categories">{head}{"".join(rows)}</table>'


def _unmapped_list(card: Scorecard, limit: int = 50) -> str:
    if not card.unmapped:
        return '<p class="note">Every result was mapped to a task.</p>'
    items = "".join(
        f"<li>{escape(str(u['origin']))}: {escape(str(u['reason']))}</li>"
        for u in card.unmapped[:limit]
    )
    more = len(card.unmapped) - limit
    tail = f'<p class="note">&hellip; and {more} more</p>' if more > 0 else ""
    return (
        f"<details><summary>{len(card.unmapped)} result(s) mapped to no task</summary>"
        f"<ul>{items}</ul>{tail}</details>"
    )


def render_html(cards: Sequence[Scorecard], title: str = "graderlib scorecard") -> str:
    """The whole page for one run (one or several tools, one corpus)."""
    colours = {card.tool: PALETTE[i % len(PALETTE)] for i, card in enumerate(cards)}
    legend = "".join(
        f'<span><i class="swatch" style="background:{colours[c.tool]}"></i>{escape(c.tool)}</span>'
        for c in cards
    )
    charts = [
        roc_square(
            "average over categories",
            [(c.tool, colours[c.tool], c.overall.tpr, c.overall.fpr) for c in cards],
        )
    ]
    categories = sorted({name for card in cards for name in card.categories})
    for name in categories:
        points = []
        for card in cards:
            score = card.categories.get(name)
            if score is not None:
                points.append((card.tool, colours[card.tool], score.tpr, score.fpr))
        charts.append(roc_square(name, points))
    sections = [
        f"<h2>{escape(card.tool)} ({card.mode})</h2>{_category_table(card)}{_unmapped_list(card)}"
        for card in cards
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        '<p class="note">Each tool is a point on the ROC square: x is the false-positive rate, '
        "y the true-positive rate; the dashed diagonal is guessing, the top-left corner is "
        "perfect. A category without both positive and negative cases has no point.</p>"
        f'<p class="legend">{legend}</p>{_overall_table(cards)}'
        f'<div class="charts">{"".join(charts)}</div>{"".join(sections)}</body></html>'
    )
