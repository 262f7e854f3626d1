"""Inline SVG charts, drawn here so the report needs no script library or network.

Colours come from CSS classes (`sev-high` …) so the page's stylesheet, and
its print rules, decide them. Every label is escaped; long paths are cut
from the left, where they are least informative, with the full text in a
<title> tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup, escape

CHAR_PX = 6.6  # average glyph width at the 12px chart font


@dataclass(frozen=True, slots=True)
class Part:
    value: int
    css: str  # e.g. "sev-high"
    label: str  # tooltip


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    parts: tuple[Part, ...]
    note: str = ""  # printed after the bar (the total)


def clip_left(text: str, width_px: float) -> str:
    room = max(4, int(width_px / CHAR_PX))
    return text if len(text) <= room else "…" + text[-(room - 1):]


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def horizontal_bars(bars: Sequence[Bar], title: str, *, width: int = 720,
                    label_width: int = 260, bar_height: int = 22, gap: int = 8) -> Markup:
    """Stacked horizontal bars with their labels: readable at a glance, prints well."""
    if not bars:
        return Markup("")
    note_width = 70
    scale_width = width - label_width - note_width - 10
    top = max(sum(p.value for p in b.parts) for b in bars) or 1
    body = []
    for i, bar in enumerate(bars):
        y = i * (bar_height + gap) + 4
        mid = y + bar_height / 2 + 4
        body.append(f'<g class="bar"><title>{escape(bar.label)}</title>'
                    f'<text class="label" x="{label_width - 8}" y="{mid:.1f}" text-anchor="end">'
                    f'{escape(clip_left(bar.label, label_width - 12))}</text>')
        x = float(label_width)
        for part in bar.parts:
            if part.value <= 0:
                continue
            w = max(1.5, scale_width * part.value / top)
            body.append(f'<rect class="{escape(part.css)}" x="{x:.1f}" y="{y}" width="{w:.1f}" '
                        f'height="{bar_height}" rx="2"><title>{escape(part.label)}</title></rect>')
            x += w
        body.append(f'<text class="value" x="{x + 6:.1f}" y="{mid:.1f}">{escape(bar.note)}</text></g>')
    height = len(bars) * (bar_height + gap) + 8
    return _svg(width, height, title, body)


@dataclass(frozen=True, slots=True)
class RunPoint:
    label: str
    parts: tuple[Part, ...]  # findings by severity
    violations: int
    current: bool = False


def trend(points: Sequence[RunPoint], title: str, violations_label: str, *, width: int = 720,
          height: int = 240) -> Markup:
    """Stacked columns of findings per run, with a line of violations on the same scale."""
    if not points:
        return Markup("")
    left, right, top_pad, bottom = 48, 16, 22, 34
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max([sum(p.value for p in pt.parts) for pt in points] + [pt.violations for pt in points]) or 1
    step = plot_w / len(points)
    col = min(56.0, step * 0.6)
    body = []
    for frac in (0, 0.5, 1):  # three gridlines are enough to read magnitudes
        y = top_pad + plot_h * (1 - frac)
        body.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                    f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{round(peak * frac)}</text>')
    line = []
    for i, pt in enumerate(points):
        cx = left + step * i + step / 2
        y = top_pad + plot_h
        total = 0
        body.append(f'<g class="run{" current" if pt.current else ""}">')
        for part in pt.parts:
            if part.value <= 0:
                continue
            h = plot_h * part.value / peak
            y -= h
            total += part.value
            body.append(f'<rect class="{escape(part.css)}" x="{cx - col / 2:.1f}" y="{y:.1f}" '
                        f'width="{col:.1f}" height="{h:.1f}"><title>{escape(part.label)}</title></rect>')
        body.append(f'<text class="value" x="{cx:.1f}" y="{y - 5:.1f}" text-anchor="middle">{total}</text>'
                    f'<text class="axis" x="{cx:.1f}" y="{height - 12}" text-anchor="middle">'
                    f'{escape(pt.label)}</text></g>')
        line.append((cx, top_pad + plot_h * (1 - pt.violations / peak), pt.violations))
    if len(line) > 1:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in line)
        body.append(f'<polyline class="violations" points="{pts}"/>')
    for x, y, n in line:
        body.append(f'<circle class="violations" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                    f'<title>{n} {escape(violations_label)}</title></circle>')
    return _svg(width, height, title, body)
