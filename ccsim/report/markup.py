"""The building blocks of the one-file HTML reports: escaped tables, sections, charts.

A report is a page of sections; a section has a heading, a short note in grey and a
body: a table (every text escaped, numbers right-aligned, the first columns left-aligned,
"yes" cells of a significance column in red), a chart embedded as PNG, or folded
``<details>`` for what a reader opens on demand. Numbers are written the way a planner
reads them: shares in %, seconds with "s", money and counts with thousands separators.
Nothing on the page is fetched: it opens offline and can be forwarded as one file.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from ccsim.report.labels import SECONDS_KPIS, STATS
from ccsim.results.kpis import SHARE_KPIS

# fmt: off
__all__ = ["Raw", "cells", "chart", "ci_below", "details", "escape", "money", "page", "section",
           "table", "value", "with_ci"]
# fmt: on

CSS = """body{font-family:system-ui,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
color:#222;background:#f3f4f7}main{max-width:1100px;margin:0 auto;padding:1.5em 2em;
background:#fff}h2{margin-top:1.8em;border-bottom:2px solid #dde;font-size:1.25em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}th,td{border:1px solid #ccd;
padding:.25em .55em;text-align:right;vertical-align:top}th{background:#eef0f5}
.l{text-align:left}.sig{color:#b00;font-weight:bold}.muted{color:#666;font-size:.9em}
.miss{color:#b00}code{font-size:.92em;background:#f3f4f7;padding:0 .2em}
td:not(.l),td.l:first-child,.nw{white-space:nowrap}.ci{color:#666;font-size:.85em}
img{max-width:100%;height:auto}figcaption{color:#555;font-size:.9em}summary{cursor:pointer}
details{margin:.3em 0}details>table{margin-left:1.2em}"""


class Raw(str):
    """Markup written by this package (already escaped): a table cell taken as is."""


def escape(value: object) -> str:
    """``value`` as HTML text (``Raw`` as it is)."""
    return value if isinstance(value, Raw) else html.escape(str(value))


def money(value: Any) -> str:
    """A money or count figure (or a (low, high) pair): thousands separated.

    Not a number: "–" (not meaningful); infinite: "never" (a payback) or "-inf".
    """
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return f"{money(value[0])} – {money(value[1])}"
    if value is None or not math.isfinite(value):
        return "never" if value == math.inf else ("-inf" if value == -math.inf else "–")
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def value(kpi: str, x: float, signed: bool = False) -> str:
    """One KPI value: shares in %, seconds with "s"; a difference signed, in points."""
    if x is None or not math.isfinite(x):
        return "–"
    if signed:  # a difference: percentage points, seconds or contacts
        return f"{x * (100 if kpi in SHARE_KPIS else 1):+.2f}"
    if kpi in SHARE_KPIS:
        return f"{100 * x:.1f} %"
    return f"{x:.1f} s" if kpi in SECONDS_KPIS else money(x)


def with_ci(kpi: str, mean: float, low: float, high: float, signed: bool = False) -> str:
    """``"mean [low – high]"`` with the unit once, after the mean.

    A KPI's interval is shown within the values the KPI can take: from 0, and up to
    100 % for a share (a Student-t interval of a share near 100 % or of a count near 0
    can reach past them; the KPI cannot).
    """
    if not signed:
        low = max(low, 0.0)
        high = min(high, 1.0) if kpi in SHARE_KPIS else high
    lo, hi = (value(kpi, v, signed).removesuffix(" %").removesuffix(" s") for v in (low, high))
    return f"{value(kpi, mean, signed)} [{lo} – {hi}]"


def ci_below(kpi: str, mean: float, low: float, high: float) -> Raw:
    """The mean, and its 95 % interval under it in small grey: for wide tables."""
    text = with_ci(kpi, mean, low, high)
    head, _, tail = text.partition(" [")
    return Raw(f'{escape(head)}<br><span class="ci">[{escape(tail)}</span>')


def cells(frame: Any, kpis: Sequence[str], below: bool = False) -> list[str]:
    """Each KPI's "mean [low – high]" from a tidy table of one what (type, group...).

    With ``below``, the interval goes under the mean (:func:`ci_below`).
    """
    by_kpi = {r["kpi"]: r for r in frame.to_dict("records")}
    write = ci_below if below else with_ci
    return [write(k, *(by_kpi[k][c] for c in STATS)) if k in by_kpi else "–" for k in kpis]


def table(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[object]],
    left: int = 1,
    text: Sequence[int] = (),
) -> str:
    """An HTML table of text cells (escaped) or :class:`Raw` markup.

    The first ``left`` columns and those in ``text`` are left-aligned and wrap; the
    others (numbers) are right-aligned on one line; "yes..." cells are marked.
    """

    def row_cells(tag: str, values: Sequence[object]) -> str:
        out = ""
        for k, v in enumerate(values):
            plain = k < left or k in text
            css = "l" if plain else ("sig" if str(v).startswith("yes") else "")
            attr = f' class="{css}"' if css else ""
            out += f"<{tag}{attr}>{escape(v)}</{tag}>"
        return out

    body = "".join(f"<tr>{row_cells('td', row)}</tr>\n" for row in rows)
    head = f"<thead><tr>{row_cells('th', headers)}</tr></thead>\n" if headers else ""
    return f"<table>\n{head}<tbody>\n{body}</tbody>\n</table>\n"


def details(summary: str, body: str) -> str:
    """A folded part: ``summary`` always shown, ``body`` on a click."""
    return f"<details><summary>{escape(summary)}</summary>\n{body}</details>\n"


def section(heading: str, body: str, note: str = "", level: int = 2) -> str:
    """A heading, a grey note under it and the body."""
    para = f'<p class="muted">{escape(note)}</p>\n' if note else ""
    return f"<section>\n<h{level}>{escape(heading)}</h{level}>\n{para}{body}</section>\n"


def chart(heading: str, fig: Figure, caption: str, level: int = 2) -> str:
    """A section with ``fig`` embedded as PNG and its caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    img = f'<figure><img src="data:image/png;base64,{data}" alt="{escape(heading)}">'
    return section(
        heading, f"{img}<figcaption>{escape(caption)}</figcaption></figure>\n", "", level
    )


def page(title: str, parts: list[str]) -> str:
    """The whole HTML page: ``title`` as heading, the parts, the ccsim version."""
    from ccsim import __version__

    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n"
        + "".join(parts)
        + f'<footer><p class="muted">ccsim {escape(__version__)}</p></footer>\n</main>\n'
        "</body>\n</html>\n"
    )
