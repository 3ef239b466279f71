"""Charts drawn on the server as inline SVG: no CDN, no JavaScript, readable on a 360 px phone.

Each function returns SVG markup (safe: every text it shows is escaped here) that scales to
its container (`viewBox`, width 100 %): the page's CSS gives it its width. Colours are
presentation attributes (not `style=`), so the CSP forbidding inline styles is respected.

A month without data is a gap in the line, never a zero.
"""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 320
HEIGHT = 140
PAD_LEFT = 6
PAD_RIGHT = 6
PAD_TOP = 14
PAD_BOTTOM = 22
LINE = "#1f5f8b"
BAR = "#1f5f8b"
GRID = "#d0d7de"
TEXT = "#333"


def _attr(value) -> str:
    return escape(str(value), {'"': "&quot;"})


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def line_chart(points: list[tuple[str, Decimal | float | None]], *, title: str) -> SafeString:
    """Return an SVG line chart of `points` [(x label, value or None)], oldest first.

    The y axis runs from 0 (or the lowest negative value) to the highest value; the first and
    last labels and the last value are written under/over the line. `title` is the chart's
    accessible name (<title> and aria-label).
    """
    values = [None if v is None else float(v) for _label, v in points]
    known = [v for v in values if v is not None]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{_attr(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    bottom = HEIGHT - PAD_BOTTOM
    parts.append(
        f'<line x1="{PAD_LEFT}" y1="{bottom}" x2="{WIDTH - PAD_RIGHT}" y2="{bottom}" '
        f'stroke="{GRID}" stroke-width="1"/>'
    )
    if not known:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT}">{escape(_no_data())}</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text escaped above
    low = min(0.0, *known)
    high = max(known)
    span = (high - low) or 1.0
    n = len(points)
    step = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return PAD_LEFT + i * step, bottom - (v - low) / span * (bottom - PAD_TOP)

    segment: list[str] = []
    segments: list[list[str]] = []
    for i, v in enumerate(values):
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x, y = xy(i, v)
        segment.append(f"{_num(x)},{_num(y)}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) == 1:
            x, y = seg[0].split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{LINE}"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(seg)}" fill="none" stroke="{LINE}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
    last = max(i for i, v in enumerate(values) if v is not None)
    x, y = xy(last, values[last])
    parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{LINE}"/>')
    for i, anchor in ((0, "start"), (n - 1, "end")):
        label_x = PAD_LEFT if anchor == "start" else WIDTH - PAD_RIGHT
        parts.append(
            f'<text x="{_num(label_x)}" y="{HEIGHT - 6}" text-anchor="{anchor}" font-size="12" '
            f'fill="{TEXT}">{escape(points[i][0])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above


def bar_chart(items: list[tuple[str, Decimal | int | None, str]], *, title: str) -> SafeString:
    """Return an SVG horizontal bar chart of `items` [(label, value, value as shown)].

    One bar a row, label above the bar, the shown value at its end: narrow enough for a phone.
    """
    row = 30
    height = max(row * len(items), row) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{_attr(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    values = [float(v or 0) for _label, v, _shown in items]
    high = max(values, default=0) or 1.0
    usable = WIDTH - PAD_LEFT - 125  # room for the value written after the bar
    for i, (label, _value, shown) in enumerate(items):
        top = i * row
        width = max(values[i] / high * usable, 1 if values[i] else 0)
        parts.append(
            f'<text x="{PAD_LEFT}" y="{top + 11}" font-size="11" fill="{TEXT}">'
            f"{escape(str(label))}</text>"
            f'<rect x="{PAD_LEFT}" y="{top + 14}" width="{_num(width)}" height="10" '
            f'fill="{BAR}"/>'
            f'<text x="{_num(PAD_LEFT + width + 4)}" y="{top + 23}" font-size="11" '
            f'fill="{TEXT}">{escape(str(shown))}</text>'
        )
    if not items:
        parts.append(
            f'<text x="{PAD_LEFT}" y="18" font-size="12" fill="{TEXT}">{escape(_no_data())}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above


def _no_data() -> str:
    from django.utils.translation import gettext

    return gettext("pas encore de données")
