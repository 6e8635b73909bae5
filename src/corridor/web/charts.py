"""Line charts as inline SVG, drawn on the server.

Each line is labelled at its end with its name and last value, so a reader
never hunts for a legend; gaps (NaN months, or months left out of the index)
break the line instead of being drawn as zeros or joined across. The SVG
scales to its container (``viewBox``), so one chart serves a phone and a
desktop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd

from corridor.analysis import trend_text as txt

#: Colour-blind-safe (Okabe-Ito) colours, in line order.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")


@dataclass(frozen=True)
class Line:
    """One series to draw: monthly values indexed by first-of-month dates."""

    label: str
    values: pd.Series
    colour: str = COLOURS[0]
    dashed: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded interval (e.g. a 95% forecast interval) between two series."""

    lo: pd.Series
    hi: pd.Series
    colour: str = COLOURS[0]
    opacity: float = 0.15


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


def short_count(value: float, lang: str) -> str:
    """``12k`` / ``1.2M`` style axis labels (the full number is in the end label)."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".")
            return (text.replace(".", ",") if lang == "es" else text) + suffix
    return txt.count(value, lang)


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    """SVG path data; ``None`` breaks the line (a gap month)."""
    parts: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
        pen_down = True
    return "".join(parts)


def line_chart(
    lines: Sequence[Line],
    *,
    title: str,
    lang: str = "en",
    bands: Sequence[Band] = (),
    width: int = 640,
    height: int = 260,
    compact: bool = False,
) -> str:
    """An SVG line chart; ``compact`` drops the axes for sparkline-size panels."""
    drawn = [ln for ln in lines if ln.values.notna().any()]
    if not drawn:
        return ""
    stamps = {ts for ln in drawn for ts in ln.values.index}
    for band in bands:
        stamps |= set(band.lo.index)
    # every month in the span gets its slot: a month left out of an index
    # (e.g. by dropna) is a gap, not a month that never was
    index = sorted(stamps | set(pd.date_range(min(stamps), max(stamps), freq="MS")))
    top = max(
        [float(ln.values.max()) for ln in drawn] + [float(b.hi.max()) for b in bands if len(b.hi)]
    )
    top = top if top > 0 else 1.0
    step = nice_step(top)
    y_max = step * math.ceil(top / step)
    left, right = (4, 118) if compact else (52, 150)
    pad_top, pad_bottom = (8, 8) if compact else (12, 26)
    plot_w, plot_h = width - left - right, height - pad_top - pad_bottom
    slot = {ts: i for i, ts in enumerate(index)}
    n = max(len(index) - 1, 1)

    def x(ts: Any) -> float:
        return left + plot_w * slot[ts] / n

    def y(value: float) -> float:
        return pad_top + plot_h * (1 - value / y_max)

    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if not compact:
        out += _axes(index, y_max, step, x, y, left, width - right, height - pad_bottom, lang)
    for band in bands:
        upper = [(x(ts), y(float(v))) for ts, v in band.hi.dropna().items()]
        lower = [(x(ts), y(float(v))) for ts, v in band.lo.dropna().items()][::-1]
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in upper + lower)
        out.append(f'<polygon points="{pts}" fill="{band.colour}" fill-opacity="{band.opacity}" />')
    out += _lines(drawn, index, x, y, left + plot_w, lang)
    out.append("</svg>")
    return "".join(out)


def _axes(
    index: Sequence[pd.Timestamp],
    y_max: float,
    step: float,
    x: Callable[[Any], float],
    y: Callable[[float], float],
    x0: float,
    x1: float,
    bottom: float,
    lang: str,
) -> list[str]:
    out = []
    value = 0.0
    while value <= y_max + step / 2:
        out.append(
            f'<line class="grid" x1="{x0}" x2="{x1}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}" />'
            f'<text class="tick" x="{x0 - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{short_count(value, lang)}</text>"
        )
        value += step
    # first day of each year (a daily index holds 31 January days, not one)
    years = [ts for ts in index if ts.month == 1 and ts.day == 1]
    every = max(1, math.ceil(len(years) / 6))
    for ts in years[::every]:
        out.append(
            f'<text class="tick" x="{x(ts):.1f}" y="{bottom + 18}" text-anchor="middle">'
            f"{ts.year}</text>"
        )
    quarters = []
    if len(years) < 2:  # a short span: quarters, as YYYY-MM (the same in every language)
        quarters = [ts for ts in index if ts.day == 1 and ts.month in (4, 7, 10)]
        for ts in quarters[:: max(1, math.ceil(len(quarters) / 4))]:
            out.append(
                f'<text class="tick" x="{x(ts):.1f}" y="{bottom + 18}" text-anchor="middle">'
                f"{ts:%Y-%m}</text>"
            )
    if not years and not quarters and index:
        first = index[0]
        out.append(
            f'<text class="tick" x="{x(first):.1f}" y="{bottom + 18}">'
            f"{escape(txt.month(pd.Timestamp(first), lang))}</text>"
        )
    return out


def _lines(
    drawn: Sequence[Line],
    index: Sequence[pd.Timestamp],
    x: Callable[[Any], float],
    y: Callable[[float], float],
    x_end: float,
    lang: str,
) -> list[str]:
    out = []
    label_ys: list[float] = []
    for ln in drawn:
        values = ln.values.sort_index()
        values = values.reindex([ts for ts in index if values.index[0] <= ts <= values.index[-1]])
        points = [None if pd.isna(v) else (x(ts), y(float(v))) for ts, v in values.items()]
        dash = ' stroke-dasharray="5 4"' if ln.dashed else ""
        out.append(
            f'<path d="{_path(points)}" fill="none" stroke="{ln.colour}" stroke-width="2"{dash} />'
        )
        last_ts = ln.values.last_valid_index()
        last = float(ln.values[last_ts])
        ly = y(last)
        # Nudge end labels apart so two lines ending close stay readable.
        while any(abs(ly - other) < 13 for other in label_ys):
            ly += 13
        label_ys.append(ly)
        out.append(
            f'<circle cx="{x(last_ts):.1f}" cy="{y(last):.1f}" r="3" fill="{ln.colour}" />'
            f'<text class="end" x="{x_end + 6:.1f}" y="{ly + 4:.1f}" fill="{ln.colour}">'
            f'<tspan class="end-label">{escape(ln.label)}</tspan> '
            f'<tspan class="end-value">{txt.count(last, lang)}</tspan></text>'
        )
    return out
