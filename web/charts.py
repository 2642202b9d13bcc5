"""Server-rendered charts: geometry for SVG bar charts and histograms.

A chart here is data (rectangles, lines and texts with coordinates) plus the
table that says the same in words; ``templates/_charts.html`` draws it as
inline SVG. No markup is built in Python, so every label goes through Jinja's
escaping, and the page needs no chart library and no script.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

WIDTH = 480
FONT = 13
# Axis text is drawn at up to this size (narrow screens enlarge it, app.css) in the
# chart's own units: margins and label spacing leave room for it.
AXIS_FONT = 16


@dataclass
class Element:
    tag: str  # rect, text, line, polyline or circle
    attrs: dict[str, Any]
    text: str = ""
    title: str = ""
    href: str = ""  # a bar that links to the postings behind it


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    elements: list[Element] = field(default_factory=list)
    headers: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""  # shown under the chart, e.g. what it leaves out


def _pct(share: float) -> str:
    return f"{round(100 * share)}%"


def _short(label: str, limit: int = 58) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    chart_id: str, title: str, groups: list[tuple[str, list[dict[str, Any]]]], *,
    desc: str = "", value_label: str = "Share of postings",
) -> Chart:
    """Horizontal bars of shares (0-1), each label above its bar, in titled groups.

    ``groups`` is [(group name, [{"label", "share", "count", "cls", "href"}])]; a bar's
    ``cls`` picks its colour (e.g. the skill's tier), its ``href`` (optional) the
    postings it stands for.
    """
    chart = Chart(chart_id, title, desc, WIDTH, 0,
                  headers=("Group", "Item", value_label, "Postings"))
    y = 4
    bar_max = WIDTH - 60
    for name, items in groups:
        if not items:
            continue
        y += FONT + 6
        chart.elements.append(Element("text", {"x": 0, "y": y, "class": "chart-group"}, name))
        y += 8
        for item in items:
            share = max(0.0, min(1.0, float(item.get("share") or 0)))
            label = str(item.get("label") or "")
            y += FONT + 2
            chart.elements.append(Element("text", {"x": 0, "y": y, "class": "chart-label"},
                                          _short(label)))
            y += 7
            width = round(bar_max * share, 1)
            text = f"{label}: {_pct(share)} ({item.get('count', 0)})"
            chart.elements.append(Element(
                "rect", {"x": 0, "y": y, "width": max(width, 1.5), "height": 14,
                         "class": f"bar {item.get('cls') or ''}".strip()}, title=text,
                href=str(item.get("href") or "")))
            chart.elements.append(Element(
                "text", {"x": width + 6, "y": y + 12, "class": "chart-value"}, _pct(share)))
            y += 14 + 8
            chart.rows.append((name, label, _pct(share), item.get("count", 0)))
    chart.height = y + 4
    return chart


def histogram(
    chart_id: str, title: str, bins: list[dict[str, Any]], *, desc: str = "",
    x_label: str = "Alignment score", y_label: str = "Postings",
) -> Chart:
    """Vertical bars of counts per bin: [{"from", "to", "count", "href"}] (href optional)."""
    height = 240
    left, right, top, bottom = 36, 8, 12, 44
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    chart = Chart(chart_id, title, desc, WIDTH, height, headers=(x_label, y_label))
    peak = max((int(b.get("count") or 0) for b in bins), default=0)
    # Up to five whole-number gridlines.
    step = max(1, -(-peak // 4))
    ticks = list(range(0, peak + step, step)) if peak else [0]
    scale_max = ticks[-1] or 1
    for t in ticks:
        ty = top + plot_h - plot_h * t / scale_max
        chart.elements.append(Element("line", {"x1": left, "x2": WIDTH - right, "y1": ty,
                                               "y2": ty, "class": "grid"}))
        chart.elements.append(Element("text", {"x": left - 6, "y": ty + 4,
                                               "class": "chart-axis end"}, str(t)))
    n = max(1, len(bins))
    slot = plot_w / n
    for i, b in enumerate(bins):
        count = int(b.get("count") or 0)
        lo, hi = _num(b.get("from")), _num(b.get("to"))
        h = plot_h * count / scale_max
        x = left + i * slot
        label = f"{lo}–{hi}"
        chart.elements.append(Element(
            "rect", {"x": round(x + 2, 1), "y": round(top + plot_h - h, 1),
                     "width": round(slot - 4, 1), "height": round(max(h, 0.0), 1),
                     "class": "bar hist"}, title=f"score {label}: {count} postings",
            href=str(b.get("href") or "") if count else ""))
        if count:
            chart.elements.append(Element(
                "text", {"x": round(x + slot / 2, 1), "y": round(top + plot_h - h - 4, 1),
                         "class": "chart-value middle"}, str(count)))
        chart.elements.append(Element(
            "text", {"x": round(x + slot / 2, 1), "y": top + plot_h + 16,
                     "class": "chart-axis middle"}, str(lo)))
        chart.rows.append((label, count))
    chart.elements.append(Element("line", {"x1": left, "x2": WIDTH - right, "y1": top + plot_h,
                                           "y2": top + plot_h, "class": "axis"}))
    chart.elements.append(Element("text", {"x": left + plot_w / 2, "y": height - 6,
                                           "class": "chart-axis middle"}, f"{x_label} (0–100)"))
    return chart


def _num(value: Any) -> int | float:
    f = float(value or 0)
    return int(f) if f.is_integer() else round(f, 2)


def line_chart(
    chart_id: str, title: str, xs: list[str], series: list[dict[str, Any]], *, desc: str = "",
    x_label: str = "Month", value_label: str = "Share of postings", notes: list[str] | None = None,
) -> Chart:
    """Lines of shares (0-1) over ``xs``: series [{"label", "values", "cls"}], one value per x.

    A value of None is not drawn: the line breaks there. ``notes`` (one per x, optional)
    are written under the x labels, e.g. how many postings each month has. The table
    beside it holds every series, a row each; the chart draws them all, so pass the few
    worth a line.
    """
    height = 272 if notes else 260
    # Room for "100%" on the left and half the last month's label on the right.
    left, right, top, bottom = 48, 36, 12, (60 if notes else 48)
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    chart = Chart(chart_id, title, desc, WIDTH, height, headers=(value_label, *xs))
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        ty = round(top + plot_h - plot_h * t, 1)
        chart.elements.append(Element("line", {"x1": left, "x2": WIDTH - right, "y1": ty, "y2": ty,
                                               "class": "grid"}))
        chart.elements.append(Element("text", {"x": left - 6, "y": ty + 4, "class": "chart-axis end"}, _pct(t)))
    step = plot_w / max(1, len(xs) - 1)
    # Label the first and last months and, evenly between, as many as fit side by side
    # at the largest axis font.
    label_w = max((len(x) for x in xs), default=1) * AXIS_FONT * 0.6 + 8
    spans = (len(xs) - 1) // max(1, math.ceil(label_w / step))
    labelled = {round(k * (len(xs) - 1) / spans) for k in range(spans + 1)} if spans else {0}
    for i, x in enumerate(xs):
        if i in labelled:
            px = round(left + i * step, 1)
            chart.elements.append(Element("text", {"x": px, "y": top + plot_h + 16,
                                                   "class": "chart-axis middle"}, x))
            if notes:
                chart.elements.append(Element("text", {"x": px, "y": top + plot_h + 30,
                                                       "class": "chart-axis middle"}, notes[i]))
    for n, s in enumerate(series):
        cls = f"series s{n % 6}"
        points = [None if v is None else
                  (round(left + i * step, 1), round(top + plot_h - plot_h * max(0.0, min(1.0, float(v))), 1), v)
                  for i, v in enumerate(s["values"])]
        for run in _runs(points):
            chart.elements.append(Element("polyline", {
                "points": " ".join(f"{x},{y}" for x, y, _ in run), "class": cls}))
        for point, month in zip(points, xs, strict=True):
            if point is not None:
                px, py, v = point
                chart.elements.append(Element("circle", {"cx": px, "cy": py, "r": 3, "class": cls},
                                              title=f"{s['label']}, {month}: {_pct(v)}"))
        chart.legend.append((cls, str(s["label"])))
    chart.elements.append(Element("line", {"x1": left, "x2": WIDTH - right, "y1": top + plot_h,
                                           "y2": top + plot_h, "class": "axis"}))
    chart.elements.append(Element("text", {"x": left + plot_w / 2, "y": height - 6,
                                           "class": "chart-axis middle"}, x_label))
    return chart


def _runs(points: list[Any]) -> list[list[Any]]:
    """The runs of two or more points between the gaps (None) of a line."""
    runs: list[list[Any]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if len(run) > 1]
