"""Charts drawn on the server: no script, no fonts or images to fetch, readable with JS off.

A chart is a `<figure>`: the bars are an `<svg role="img">` whose title and
description state its figures in words (a screen reader, or a page without CSS,
still gets them), each bar carrying a `<title>` for the tooltip a pointer shows;
the axis labels are HTML beside it, so they keep their size when the bars stretch
to a phone's width; the figures themselves are in a table behind a disclosure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

from quotelens.contract import WeekCount

__all__ = ["weekly_bars", "share_bar", "nice_ceiling"]

BAR_STEP = 10  # user units per week in the bars' viewBox (stretched to the width on screen)
PLOT_HEIGHT = 100
MIN_SLOTS = 16  # a series of fewer weeks is drawn this many weeks wide
LABEL_GAP = 30.0  # least distance (percent of the width) between two date labels
TABLE_ROWS = 530  # weeks listed in the figures table (ten years); a longer series lists its busiest weeks


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... at least `value`: a round top for an axis."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if m * magnitude >= value:
                return m * magnitude
        magnitude *= 10


def _label(day: date) -> str:
    return day.strftime("%-d %b %Y")


def weekly_bars(weeks: Sequence[WeekCount], *, title: str, chart_id: str,
                empty: str = "No quotes in this period.") -> Markup:
    """Quotes per week as bars; the description gives the total, the busiest week and the span."""
    if not weeks:
        return Markup(f'<p class="empty" id="{chart_id}-empty">{escape(empty)}</p>')
    peak = max(weeks, key=lambda w: w.quotes)
    total = sum(w.quotes for w in weeks)
    top = nice_ceiling(max(peak.quotes, 1))
    # A short series keeps its bars narrow, centred, rather than one bar across the whole chart.
    width = BAR_STEP * max(len(weeks), MIN_SLOTS)
    left = (width - BAR_STEP * len(weeks)) / 2
    bar_w = BAR_STEP * 0.8 if len(weeks) < 60 else BAR_STEP * 0.95
    if len(weeks) == 1:
        desc = f"{total:,} quotes in the week of {_label(peak.week)}."
    else:
        desc = (f"{total:,} quotes in {len(weeks)} weeks from {_label(weeks[0].week)} to {_label(weeks[-1].week)}; "
                f"the busiest week, starting {_label(peak.week)}, had {peak.quotes:,}.")
    parts = [
        f'<figure class="chart" aria-labelledby="{chart_id}-t">',
        f'<svg class="bars" id="{chart_id}" viewBox="0 0 {width} {PLOT_HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="none">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for y in (0, PLOT_HEIGHT / 2, PLOT_HEIGHT):
        parts.append(f'<line class="grid" x1="0" x2="{width}" y1="{y:g}" y2="{y:g}" '
                     'vector-effect="non-scaling-stroke"/>')
    for i, w in enumerate(weeks):
        if not w.quotes:
            continue
        h = PLOT_HEIGHT * w.quotes / top
        x = left + i * BAR_STEP + (BAR_STEP - bar_w) / 2
        parts.append(
            f'<rect class="bar" x="{x:g}" y="{PLOT_HEIGHT - h:.2f}" width="{bar_w:g}" height="{h:.2f}">'
            f'<title>week of {_label(w.week)}: {w.quotes:,} quotes</title></rect>'
        )
    parts.append("</svg>")
    parts.append(f'<div class="y-axis" aria-hidden="true"><span>{top:,}</span><span>{top / 2:,g}</span>'
                 "<span>0</span></div>")
    # Each date under its bar: centred, or from an edge when the bar is near it.
    labels: list[str] = []
    placed: list[float] = []
    for i in sorted({0, len(weeks) // 2, len(weeks) - 1}):
        at = 100 * (left + (i + 0.5) * BAR_STEP) / width
        if placed and at - placed[-1] < LABEL_GAP:  # it would overlap the one before
            continue
        placed.append(at)
        anchor = "from-left" if at < 12 else "from-right" if at > 88 else "centred"
        place = f"left: {at:.1f}%" if anchor != "from-right" else f"right: {100 - at:.1f}%"
        labels.append(f'<span class="{anchor}" style="{place}">{escape(_label(weeks[i].week))}</span>')
    parts.append('<div class="x-axis" aria-hidden="true">' + "".join(labels) + "</div>")
    parts.append(f'<figcaption aria-hidden="true">{escape(desc)}</figcaption>')  # the svg's description
    parts.append(_figures_table(weeks, title))
    parts.append("</figure>")
    return Markup("".join(parts))


def _figures_table(weeks: Sequence[WeekCount], title: str) -> str:
    shown = [w for w in weeks if w.quotes]
    note = ""
    if len(shown) > TABLE_ROWS:
        shown = sorted(sorted(shown, key=lambda w: -w.quotes)[:TABLE_ROWS], key=lambda w: w.week)
        note = f" (the {TABLE_ROWS} busiest)"
    rows = "".join(f"<tr><th scope=\"row\">{escape(_label(w.week))}</th><td>{w.quotes:,}</td></tr>" for w in shown)
    return (f'<details class="figures"><summary>{escape(title)} as a table{note}</summary>'
            f'<table class="numbers"><thead><tr><th scope="col">Week of</th><th scope="col">Quotes</th></tr>'
            f"</thead><tbody>{rows}</tbody></table></details>")


def share_bar(part: int, whole: int, *, title: str, chart_id: str) -> Markup:
    """One part of a whole as a filled bar (the unnamed sources' share of quotes)."""
    share = part / whole if whole else 0.0
    desc = f"{part:,} of {whole:,} quotes ({share:.1%})."
    w = 300
    return Markup(
        f'<svg class="share" id="{chart_id}" viewBox="0 0 {w} 16" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="none">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f'<rect class="whole" x="0" y="0" width="{w}" height="16"/>'
        f'<rect class="part" x="0" y="0" width="{w * share:.1f}" height="16"/></svg>'
    )
