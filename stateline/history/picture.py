"""A picture of a linearizability failure, as Porcupine's visualisation draws one: one
self-contained HTML page (inline CSS and SVG, no script, nothing fetched).

For each history that is not linearizable, one diagram of the operations of the key
that fails (the whole history for an object without keys): one row per process, each
operation a bar from its invoke to its completion (an indeterminate one runs to the
right edge as a dotted line, since it may take effect at any time), the operations of the longest partial linearization in green with
their linearization points joined by a line in order, the operation that cannot be
placed in red, operations that failed (and so did not happen) hatched.  A long history
is cut to the events around the failure.  Above the diagrams, a table of every file's
verdicts.

The page is built from `stateline.history` results only; `page(reports)` takes what
`stateline history check` checked: ``[(history file, operations, initial, results)]``.
"""

from __future__ import annotations

from html import escape

from .datatypes import DATATYPES

PX = (16, 56)      # pixels per event: fewest and most (a short history is spread out)
WIDTH = 720        # the width a short history's events are spread over
ROW = 30           # pixels per process row
BAR = 16           # bar height
LEFT = 110         # the process labels
TOP = 34           # the event axis
WINDOW = 60        # events shown before the frontier, at most

CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table.verdicts { border-collapse: collapse; margin-bottom: 12px; }
table.verdicts td, table.verdicts th { border: 1px solid #ccd; padding: 3px 8px; }
td.yes { color: #17693a; } td.no { color: #b3261e; font-weight: 600; }
td.unknown { color: #8a6d00; }
p.why { max-width: 1100px; } p.note { color: #666; }
.scroll { overflow-x: auto; border: 1px solid #dde; }
svg.history text { font: 11px system-ui, sans-serif; }
svg.history .axis line { stroke: #ccd; }
svg.history .axis text { fill: #889; }
svg.history .proc { fill: #334; font-weight: 600; }
svg.history rect.op { stroke-width: 1.2; }
svg.history rect.other { fill: #e8eaf0; stroke: #99a; }
svg.history rect.prefix { fill: #cdebd6; stroke: #17693a; }
svg.history rect.stuck { fill: #f7c6c2; stroke: #b3261e; stroke-width: 2.5; }
svg.history rect.failed { fill: url(#hatch); stroke: #aab; }
svg.history rect.info { stroke-dasharray: 4 3; }
svg.history line.tail { stroke: #99a; stroke-dasharray: 2 4; }
svg.history polyline.linearization { fill: none; stroke: #17693a; stroke-width: 1.5; }
svg.history circle.point { fill: #17693a; }
svg.history line.frontier { stroke: #b3261e; stroke-dasharray: 5 4; }
.legend span { display: inline-block; margin-right: 16px; }
.legend i { display: inline-block; width: 22px; height: 11px; margin-right: 5px;
            vertical-align: middle; border: 1.2px solid; }
"""


def page(reports) -> str:
    rows, sections = [], []
    for h, operations, initial, results in reports:
        for r in results:
            verdict = {True: "yes", False: "no", None: "unknown"}[r.ok]
            rows.append(f"<tr><td>{escape(h.path)}</td><td>{escape(h.model)}</td>"
                        f"<td>{len(operations)}</td><td>{escape(r.consistency)}</td>"
                        f'<td class="{verdict}">{verdict.upper() if verdict == "no" else verdict}'
                        "</td></tr>")
            if r.failure is not None:
                sections.append(_section(h, operations, r))
    body = ["<h1>History checks</h1>",
            '<table class="verdicts"><tr><th>file</th><th>model</th><th>operations</th>'
            "<th>consistency</th><th>verdict</th></tr>", *rows, "</table>"]
    if sections:
        body.append(_legend())
        body.extend(sections)
    else:
        body.append('<p class="note">No violation to draw.</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Stateline history checks</title><style>" + CSS + "</style></head>"
            "<body>\n" + "\n".join(body) + "\n</body></html>\n")


def _legend() -> str:
    items = [("#cdebd6", "#17693a", "solid", "in the longest linearizable prefix"),
             ("#f7c6c2", "#b3261e", "solid", "cannot be placed"),
             ("#e8eaf0", "#99a", "solid", "not placed"),
             ("#e8eaf0", "#99a", "dashed", "indeterminate (may take effect later)"),
             ("#f4f4f8", "#aab", "solid", "failed (did not happen)")]
    spans = "".join(f'<span><i style="background:{bg};border-color:{fg};border-style:{st}">'
                    f"</i>{escape(text)}</span>" for bg, fg, st, text in items)
    return f'<p class="legend">{spans}</p>'


def _section(h, operations, r) -> str:
    f = r.failure
    ops = [op for op in operations if f.key is None or op.key == f.key]
    title = escape(h.path) + (f", key {escape(repr(f.key))}" if DATATYPES[h.model].keyed
                              else "")
    return (f'<section class="failure"><h2>{title}: not {escape(r.consistency)}</h2>'
            f'<p class="why">{escape(r.explanation)}</p>'
            f'<div class="scroll">{diagram(ops, f)}</div></section>')


def diagram(ops, failure) -> str:
    """The SVG of one object's operations around a failure."""
    last = max((op.complete if op.complete is not None else op.invoke for op in ops),
               default=0)
    frontier = failure.frontier if failure.frontier >= 0 else last
    start = max(0, frontier - WINDOW)
    end = min(last, frontier + 12) + 1
    shown = [op for op in ops if op.invoke < end and (
        op.invoke >= start or (op.status != "info" and op.complete is not None
                               and op.complete >= start))]
    processes = list(dict.fromkeys(op.process for op in shown))
    row = {p: i for i, p in enumerate(processes)}
    px = max(PX[0], min(PX[1], WIDTH // max(1, end - start)))
    width = LEFT + (end - start) * px + 40
    height = TOP + len(processes) * ROW + 10

    def x(t: float) -> float:
        return LEFT + (min(max(t, start - 0.5), end) - start) * px + px / 2

    prefix = list(failure.prefix or ())
    in_prefix = set(prefix)
    parts = [f'<svg class="history" xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">',
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f8"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#c4c6d4" stroke-width="2"/>'
             "</pattern></defs>", '<g class="axis">']
    step = 5 if end - start <= 80 else 10
    for t in range(start - start % step, end, step):
        if t >= start:
            parts.append(f'<line x1="{x(t):.1f}" y1="{TOP - 6}" x2="{x(t):.1f}" '
                         f'y2="{height - 6}"/><text x="{x(t):.1f}" y="{TOP - 12}" '
                         f'text-anchor="middle">{t}</text>')
    parts.append("</g>")
    for p in processes:
        y = TOP + row[p] * ROW
        parts.append(f'<g class="row"><text class="proc" x="8" y="{y + BAR - 3}">'
                     f"process {escape(repr(p))}</text></g>")
    if start > 0:
        parts.append(f'<text x="{LEFT}" y="{height - 2}" fill="#889">events 0-{start - 1} '
                     "not shown</text>")
    points = _points(ops, prefix)
    for op in shown:
        y = TOP + row[op.process] * ROW
        x0 = x(op.invoke)
        x1 = x(op.complete if op.complete is not None else end + 2)
        if op.status == "info":         # it may still take effect: a tail to the edge
            parts.append(f'<line class="tail" x1="{x1:.1f}" y1="{y + BAR / 2}" '
                         f'x2="{x(end + 2):.1f}" y2="{y + BAR / 2}"/>')
        kind = ("stuck" if op.index == failure.stuck else
                "prefix" if op.index in in_prefix else
                "failed" if op.status == "fail" and op.index not in in_prefix else "other")
        cls = f"op {kind}" + (" info" if op.status == "info" else "")
        label = op.datatype.label(op)
        parts.append(f'<rect class="{cls}" data-op="{op.index}" x="{x0 - 4:.1f}" y="{y}" '
                     f'width="{max(x1 - x0 + 8, 8):.1f}" height="{BAR}" rx="3">'
                     f"<title>{escape(op.describe())}</title></rect>")
        parts.append(f'<text x="{x0 + 8:.1f}" y="{y + BAR - 4}">'
                     f"{escape(_short(label, max(4, int((x1 - x0) / 6))))}</text>")
    path = [(x(t), TOP + row[op.process] * ROW + BAR / 2) for op, t in points
            if op.process in row and start <= t < end]
    if len(path) > 1:
        parts.append('<polyline class="linearization" points="'
                     + " ".join(f"{a:.1f},{b:.1f}" for a, b in path) + '"/>')
    for a, b in path:
        parts.append(f'<circle class="point" cx="{a:.1f}" cy="{b:.1f}" r="3.5"/>')
    if failure.frontier >= 0:
        fx = x(failure.frontier)
        parts.append(f'<line class="frontier" x1="{fx:.1f}" y1="{TOP - 4}" x2="{fx:.1f}" '
                     f'y2="{height - 8}"><title>event {failure.frontier}: no linearization '
                     "gets past here</title></line>")
    parts.append("</svg>")
    return "".join(parts)


def _points(ops, prefix) -> list:
    """(operation, linearization point) for the prefix, in order: each at the earliest
    time in its interval after the previous one."""
    by_index = {op.index: op for op in ops}
    gap = 1 / (len(prefix) + 2)
    out, t = [], -1.0
    for i in prefix:
        op = by_index[i]
        t = max(t + gap, op.invoke + gap)
        out.append((op, t))
    return out


def _short(text: str, room: int) -> str:
    return text if len(text) <= room else text[:max(1, room - 1)] + "…"
