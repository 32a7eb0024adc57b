"""Server-side SVG charts for the transparency page: no script, no CDN, no inline style
(CSP-compatible), scaled by the viewBox so that they read at 375 px as at 1,366 px. Each chart
has a title and description for screen readers; the page shows the same figures as a table."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Each chart is drawn twice, for wide and for narrow screens (CSS shows one): the same figures,
# with text that stays readable once the viewBox is scaled to the screen.
WIDE, NARROW = 640, 360
PALETTE = ("#2454d6", "#12805c", "#b54708", "#7a5af8", "#c11574", "#5b6478")


@dataclass(frozen=True)
class Series:
    """One coloured series of a chart: its label and one value per category."""

    label: str
    values: list[float]


def stacked_bars(
    *,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str = "",
    width: int = WIDE,
) -> SafeString:
    """Vertical stacked bars, one per category (e.g. month), with a legend underneath."""
    height, left, bottom, top = (300 if width >= WIDE else 260), 44, 40, 16
    columns = 3 if width >= WIDE else 2
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = max(totals, default=0) or 1
    plot_h = height - bottom - top
    step = (width - left - 8) / max(len(categories), 1)
    bar_w = max(step * 0.7, 2)
    parts = [_frame(title, width, height + 24 * ((len(series) + columns - 1) // columns))]
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde2ec"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#5b6478">{_number(peak * fraction)}{escape(unit)}</text>'
        )
    for i, category in enumerate(categories):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for colour, serie in zip(PALETTE, series, strict=False):
            h = plot_h * serie.values[i] / peak
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"><title>{escape(category)} · {escape(serie.label)}: '
                    f"{_number(serie.values[i])}</title></rect>"
                )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11" fill="#5b6478">{escape(category)}</text>'
        )
    parts.append(_legend([s.label for s in series], y=height - 8, width=width, columns=columns))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def horizontal_bars(
    *,
    title: str,
    labels: list[str],
    values: list[float],
    unit: str = "",
    markers: list[float | None] | None = None,
    marker_label: str = "",
    width: int = WIDE,
) -> SafeString:
    """One horizontal bar per label; an optional marker per bar (e.g. the legal deadline)."""
    row_h, left = 30, (170 if width >= WIDE else 142)
    height = row_h * max(len(labels), 1) + 40
    peak = max([*values, *(m for m in (markers or []) if m is not None)], default=0) or 1
    plot_w = width - left - (70 if width >= WIDE else 56)
    parts = [_frame(title, width, height)]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 10 + i * row_h
        w = plot_w * value / peak
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="12" '
            f'fill="#1d2433">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 10}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}: {_number(value)}'
            f"{escape(unit)}</title></rect>"
        )
        text_x = left + w + 6
        marker = (markers or [None] * len(labels))[i]
        if marker is not None:
            mx = left + plot_w * marker / peak
            parts.append(
                f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{y + 1}" y2="{y + row_h - 3}" '
                f'stroke="#b42318" stroke-width="3"><title>{escape(marker_label)}: '
                f"{_number(marker)}{escape(unit)}</title></line>"
            )
            if text_x - 8 <= mx <= text_x + 48:  # the value would sit on the marker
                text_x = mx + 6
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + 17}" font-size="12" fill="#1d2433">'
            f"{_number(value)}{escape(unit)}</text>"
        )
    if marker_label and any(m is not None for m in markers or []):
        parts.append(
            f'<line x1="{left}" x2="{left + 16}" y1="{height - 12}" y2="{height - 12}" '
            f'stroke="#b42318" stroke-width="3"/><text x="{left + 22}" y="{height - 8}" '
            f'font-size="12" fill="#1d2433">{escape(marker_label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _frame(title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart" '
        f'preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
    )


def _legend(labels: list[str], *, y: int, width: int, columns: int) -> str:
    parts = []
    column = width // columns
    for i, label in enumerate(labels):
        x, row = 12 + (i % columns) * column, y + 24 * (i // columns)
        parts.append(
            f'<rect x="{x}" y="{row - 10}" width="12" height="12" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 18}" y="{row}" font-size="12" fill="#1d2433">{escape(label)}</text>'
        )
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"
