"""Charts of the PDF reports as inline SVG, drawn here (no plotting library): small and deterministic.

Every function takes a :class:`~zerocity.reports.document.Chart` and returns one ``<svg>``
element as text. The same input always gives the same bytes (coordinates rounded to 0.1 px,
fixed palette), so tests can compare and search the markup. Text is escaped; fonts are the
report's (CJK capable) font list.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from html import escape

from zerocity.reports.document import Chart, ChartKind

__all__ = ["PALETTE", "nice_ticks", "scale_unit", "svg_chart"]

#: Series colours (colour-blind safe, Okabe & Ito 2008 "Color Universal Design" palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
_FONT = "'Noto Sans', 'DejaVu Sans', 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif"
_INK = "#1f2933"
_GRID = "#d9e2ec"
_NEG = "#3f9142"


def scale_unit(peak: float) -> tuple[float, str]:
    """Divisor and unit to show tonnes of CO2e in: t, kt or Mt CO2e by the largest magnitude.

    Parameters
    ----------
    peak : float
        Largest absolute value [t CO2e].

    Returns
    -------
    tuple of (float, str)
        ``(1, "tCO2e")``, ``(1e3, "kt CO2e")`` or ``(1e6, "Mt CO2e")`` (from 10^4 and 10^7 t up:
        a zerocity choice that keeps axis labels to at most four digits before the point).
    """
    size = abs(peak)
    if size >= 1e7:
        return 1e6, "Mt CO2e"
    if size >= 1e4:
        return 1e3, "kt CO2e"
    return 1.0, "tCO2e"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[low, high]`` (steps of 1, 2, 2.5 or 5 times a power of ten).

    Returns
    -------
    list of float
        Increasing ticks, the first <= ``low`` and the last >= ``high``; ``[0, 1]`` for an
        empty range at 0.
    """
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _text_width(text: str, size: float) -> float:
    """Approximate width of text [px]: wide (CJK) characters 1 em, others 0.55 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.55 * size for ch in text)


def _fmt_tick(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, body: Sequence[str], title: str) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{_FONT}" font-size="10" fill="{_INK}" role="img">'
    )
    return "\n".join([head, f"<title>{escape(title)}</title>", *body, "</svg>"])


def _bar(chart: Chart, width: float) -> str:
    """Horizontal bars, one per category (first series only), value written at the bar's end."""
    values = next(iter(chart.series.values())) if chart.series else []
    labels = [str(c) for c in chart.categories]
    row, gap, top = 18.0, 6.0, 8.0
    label_w = min(max((_text_width(s, 10) for s in labels), default=0.0) + 10, width * 0.45)
    value_w = 70.0
    plot_w = width - label_w - value_w
    peak = max((abs(v) for v in values), default=0.0) or 1.0
    has_neg = any(v < 0 for v in values)
    zero_x = label_w + (plot_w / 2 if has_neg else 0.0)
    span = plot_w / 2 if has_neg else plot_w
    height = top * 2 + len(values) * (row + gap)
    body = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (row + gap)
        w = abs(v) / peak * span
        x = zero_x if v >= 0 else zero_x - w
        colour = PALETTE[0] if v >= 0 else _NEG
        body.append(f'<text x="{label_w - 6:.1f}" y="{y + row * 0.7:.1f}" text-anchor="end">{escape(label)}</text>')
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row:.1f}" fill="{colour}"/>')
        body.append(
            f'<text x="{label_w + plot_w + 4:.1f}" y="{y + row * 0.7:.1f}">{escape(_fmt_tick(round(v, 2)))}</text>'
        )
    body.append(
        f'<line x1="{zero_x:.1f}" y1="{top - 2:.1f}" x2="{zero_x:.1f}" y2="{height - top + 2:.1f}" stroke="{_INK}"/>'
    )
    return _svg(width, height, body, chart.title)


def _frame(
    chart: Chart, width: float, height: float, low: float, high: float
) -> tuple[list[str], float, float, float, float, list[float]]:
    """Axes, grid and legend of an x-y chart; returns the body and the plot box and y ticks."""
    xs = [float(x) for x in chart.categories]
    ticks = nice_ticks(min(low, 0.0), max(high, 0.0))
    left, right, top = 56.0, 22.0, 10.0
    legend_rows = math.ceil(len(chart.series) / 3) if chart.series else 0
    bottom = 28.0 + legend_rows * 14.0
    plot_w, plot_h = width - left - right, height - top - bottom
    body = []
    for t in ticks:
        y = top + plot_h * (1 - (t - ticks[0]) / (ticks[-1] - ticks[0]))
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="{_GRID}"/>')
        body.append(f'<text x="{left - 4:.1f}" y="{y + 3:.1f}" text-anchor="end">{escape(_fmt_tick(t))}</text>')
    x0, x1 = (xs[0], xs[-1]) if xs else (0.0, 1.0)
    step = 1 if x1 - x0 <= 10 else 5 if x1 - x0 <= 50 else 10
    first = math.ceil(x0 / step) * step
    label_xs = sorted({x0, x1, *range(int(first), int(x1) + 1, step)})
    for xv in label_xs:
        x = left + plot_w * ((xv - x0) / (x1 - x0) if x1 > x0 else 0.5)
        if xv not in (x0, x1) and (min(abs(xv - x0), abs(x1 - xv)) < step / 2):
            continue
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 13:.1f}" text-anchor="middle">{xv:.0f}</text>')
    body.append(
        f'<line x1="{left:.1f}" y1="{top + plot_h:.1f}" x2="{left + plot_w:.1f}" y2="{top + plot_h:.1f}" '
        f'stroke="{_INK}"/>'
    )
    for i, name in enumerate(chart.series):
        col, line = i % 3, i // 3
        lx = left + col * (plot_w / 3)
        ly = top + plot_h + 26 + line * 14
        colour = PALETTE[i % len(PALETTE)]
        body.append(f'<rect x="{lx:.1f}" y="{ly - 8:.1f}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14:.1f}" y="{ly:.1f}">{escape(str(name))}</text>')
    return body, left, top, plot_w, plot_h, ticks


def _scaler(
    xs: list[float], left: float, top: float, plot_w: float, plot_h: float, ticks: list[float]
) -> tuple[Callable[[float], float], Callable[[float], float]]:
    x0, x1 = (xs[0], xs[-1]) if xs else (0.0, 1.0)

    def px(x: float) -> float:
        return left + plot_w * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def py(y: float) -> float:
        return top + plot_h * (1 - (y - ticks[0]) / (ticks[-1] - ticks[0]))

    return px, py


def _line(chart: Chart, width: float, height: float) -> str:
    """One polyline per series over the x values."""
    values = [v for s in chart.series.values() for v in s if math.isfinite(v)]
    body, left, top, plot_w, plot_h, ticks = _frame(
        chart, width, height, min(values, default=0.0), max(values, default=1.0)
    )
    xs = [float(x) for x in chart.categories]
    px, py = _scaler(xs, left, top, plot_w, plot_h, ticks)
    for i, series in enumerate(chart.series.values()):
        points = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, series, strict=True) if math.isfinite(v))
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="1.8"/>'
        )
    return _svg(width, height, body, chart.title)


def _stacked_area(chart: Chart, width: float, height: float) -> str:
    """Series stacked over the x values: positive values upwards from 0, negative ones downwards."""
    xs = [float(x) for x in chart.categories]
    n = len(xs)
    pos_base, neg_base = [0.0] * n, [0.0] * n
    layers = []
    for series in chart.series.values():
        lower, upper = [], []
        for j, v in enumerate(series):
            v = v if math.isfinite(v) else 0.0
            if v >= 0:
                lower.append(pos_base[j])
                pos_base[j] += v
                upper.append(pos_base[j])
            else:
                upper.append(neg_base[j])
                neg_base[j] += v
                lower.append(neg_base[j])
        layers.append((lower, upper))
    body, left, top, plot_w, plot_h, ticks = _frame(
        chart, width, height, min(neg_base, default=0.0), max(pos_base, default=1.0)
    )
    px, py = _scaler(xs, left, top, plot_w, plot_h, ticks)
    for i, (lower, upper) in enumerate(layers):
        pts = [f"{px(x):.1f},{py(u):.1f}" for x, u in zip(xs, upper, strict=True)]
        pts += [f"{px(x):.1f},{py(lo):.1f}" for x, lo in reversed(list(zip(xs, lower, strict=True)))]
        colour = PALETTE[i % len(PALETTE)]
        body.append(f'<polygon points="{" ".join(pts)}" fill="{colour}" fill-opacity="0.85" stroke="none"/>')
    return _svg(width, height, body, chart.title)


def svg_chart(chart: Chart, *, width: float = 640.0, height: float = 260.0) -> str:
    """The SVG markup of a chart.

    Parameters
    ----------
    chart : Chart
    width, height : float
        Size [CSS px]; a bar chart's height follows its number of bars.

    Returns
    -------
    str
        One ``<svg>`` element.
    """
    if chart.kind is ChartKind.BAR:
        return _bar(chart, width)
    if chart.kind is ChartKind.LINE:
        return _line(chart, width, height)
    return _stacked_area(chart, width, height)
