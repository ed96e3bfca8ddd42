"""Charts as SVG drawn on the server: no script, no fonts or images to fetch, readable with JS off.

Each chart is an `<svg role="img">` with a title and a description that states its
figures in words, so a screen reader (or a page without CSS) still gets them; every
bar carries a `<title>` for the tooltip a pointer shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

from quotelens.contract import WeekCount

__all__ = ["weekly_bars", "share_bar", "nice_ceiling"]

WIDTH = 640
HEIGHT = 170
LEFT = 40  # room for the y-axis labels
BOTTOM = 22  # room for the x-axis labels
TOP = 8


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


def weekly_bars(weeks: Sequence[WeekCount], *, title: str, chart_id: str) -> Markup:
    """Quotes per week as bars; the description gives the total, the busiest week and the span."""
    if not weeks:
        return Markup(f'<p class="empty">{escape(title)}: no quotes in this period.</p>')
    peak = max(weeks, key=lambda w: w.quotes)
    total = sum(w.quotes for w in weeks)
    top = nice_ceiling(max(peak.quotes, 1))
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - TOP - BOTTOM
    step = plot_w / len(weeks)
    bar_w = min(max(step * 0.8, 0.8), 48.0)
    desc = (f"{total:,} quotes in {len(weeks)} weeks from {_label(weeks[0].week)} to {_label(weeks[-1].week)}; "
            f"the busiest week, starting {_label(peak.week)}, had {peak.quotes:,}.")
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="none">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for value, y in ((top, TOP), (top // 2, TOP + plot_h / 2), (0, TOP + plot_h)):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{value:,}</text>')
    for i, w in enumerate(weeks):
        h = plot_h * w.quotes / top
        x = LEFT + i * step + (step - bar_w) / 2
        parts.append(
            f'<rect class="bar" x="{x:.2f}" y="{TOP + plot_h - h:.2f}" width="{bar_w:.2f}" height="{h:.2f}">'
            f'<title>week of {_label(w.week)}: {w.quotes:,} quotes</title></rect>'
        )
    ticks = sorted({0, len(weeks) // 2, len(weeks) - 1})
    for i in ticks:
        x = LEFT + i * step + step / 2
        anchor = "start" if i == 0 else "end" if i == len(weeks) - 1 and len(weeks) > 1 else "middle"
        if anchor == "start":
            x = LEFT
        elif anchor == "end":
            x = WIDTH - 4
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">'
                     f'{escape(_label(weeks[i].week))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


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
