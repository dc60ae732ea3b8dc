"""A trace on a time axis, as SVG (`stateline trace timeline --layout time`).

(A file Stateline wrote for a counterexample is drawn by default with the HTML report's
sequence-diagram renderer instead, from the trace `steps.counterexample` reads back out
of its spans; `cli.trace.picture` decides.)

A space-time diagram in the style of Lamport's 1978 figures: time runs left to
right, each service (protocol node) is a horizontal lane, a solid arrow goes
from a parent span to its child (from the parent's end when the child starts
after it, as with a message), a dashed arrow from a link's target to the
linking span.  ERROR spans are red.  Names from the file are made `printable`
(XML 1.0 forbids control characters) and escaped.  The output is deterministic (fixed
number formatting, spans in time order), so the picture in docs/otlp.md is
regenerated rather than drawn by hand.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from ..printable import printable
from .causal import build
from .importer import Span

LANE, LEFT, RIGHT, TOP, BOX = 54, 150, 30, 56, 22


def svg(spans: list[Span], width: int = 1000, title: str | None = None) -> str:
    """The spans on a time axis: one lane per service, a box per span, an arrow per edge."""
    cg = build(spans)
    order = sorted(spans, key=lambda s: (s.start, s.trace_id, s.span_id))
    lanes: list[str] = []
    for s in order:
        if s.service not in lanes:
            lanes.append(s.service)
    t0 = min(s.start for s in spans)
    t1 = max(max(s.end for s in spans), t0 + 1)
    scale = (width - LEFT - RIGHT) / (t1 - t0)
    x = lambda t: LEFT + (t - t0) * scale          # noqa: E731
    level = _levels(order)
    depth_of: dict[str, int] = {}
    for s in order:
        depth_of[s.service] = max(depth_of.get(s.service, 0), level[s.key] + 1)
    lane_y, y = {}, TOP
    for svc in lanes:
        lane_y[svc] = y
        y += LANE + (depth_of[svc] - 1) * (BOX // 2 + 2)
    height = y + 36
    box_y = lambda s: lane_y[s.service] + 8 + level[s.key] * (BOX // 2 + 2)   # noqa: E731
    mid = lambda s: box_y(s) + BOX / 2                                      # noqa: E731
    roots = [s for s in order if s.parent_id is None]
    spec = roots[0].resource.get("service.namespace") if roots else None
    title = title or (f"{spec}: {roots[0].name}" if spec else f"trace {order[0].trace_id}")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'fill="#333"/></marker></defs>',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{_x(title)}</text>',
           f'<text x="{LEFT}" y="40" fill="#555">arrow: parent → child (a message from sender '
           'to receiver; grey from the root span); dashed: span link; red: status ERROR'
           '</text>']
    for svc in lanes:
        ly = lane_y[svc]
        out.append(f'<line x1="{LEFT - 6}" y1="{ly + 8 + BOX / 2:.1f}" x2="{width - RIGHT}" '
                   f'y2="{ly + 8 + BOX / 2:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 10}" y="{ly + 8 + BOX / 2 + 4:.1f}" text-anchor="end" '
                   f'font-weight="bold">{_x(svc)}</text>')
    for s in order:
        error = s.status == 2
        fill, stroke = ("#f8d7da", "#c0392b") if error else ("#dbe9f6", "#2c6fad")
        x0, w = x(s.start), max(x(s.end) - x(s.start), 2.0)
        step = s.attributes.get("stateline.step")
        text = f"{step}. {s.name}" if isinstance(step, int) else s.name
        out.append(f'<g><title>{_x(s.service)}: {_x(s.name)} ({_x(s.span_id)})</title>'
                   f'<rect x="{x0:.1f}" y="{box_y(s)}" width="{w:.1f}" height="{BOX}" rx="3" '
                   f'fill="{fill}" stroke="{stroke}"/>'
                   f'<text x="{x0 + 4:.1f}" y="{box_y(s) + BOX - 7}" '
                   f'fill="{stroke}">{_x(_fit(text, w))}</text></g>')
    for a, b, relation in cg.edges():
        p, c = cg.spans[a], cg.spans[b]
        if p.service == c.service and relation != "parent":
            continue                                 # same-lane links are the lane itself
        xa = x(p.end) if p.end <= c.start else x(p.start) + 3
        dash = "" if relation == "parent" else ' stroke-dasharray="4 3"'
        ink = "#bbb" if p.parent_id is None and relation == "parent" else "#333"
        out.append(f'<line x1="{xa:.1f}" y1="{mid(p):.1f}" x2="{x(c.start) + 1:.1f}" '
                   f'y2="{mid(c):.1f}" stroke="{ink}" stroke-width="1.2"{dash} '
                   'marker-end="url(#arrow)"/>')
    out.append(f'<text x="{LEFT}" y="{height - 12}" fill="#555">time →  '
               f'({(t1 - t0) / 1e6:,.3f} ms from the first span)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _x(text) -> str:
    """Text from the trace file as SVG character data: control characters (which XML
    forbids) made visible, markup escaped."""
    return escape(printable(str(text)))


def _levels(order: list[Span]) -> dict:
    """Stack the overlapping spans of a lane: each span (in start order) goes to the
    lowest depth whose last span has ended by its start.  A min-tree over the depths
    of each lane finds it in O(log n) (a linear scan is quadratic when every span
    overlaps every other)."""
    count: dict[str, int] = {}
    for s in order:
        count[s.service] = count.get(s.service, 0) + 1
    trees: dict[str, tuple[int, list]] = {}
    for svc, n in count.items():
        size = 1 << max(0, (n - 1).bit_length())
        trees[svc] = (size, [-math.inf] * (2 * size))    # an unused depth is free
    level = {}
    for s in order:
        size, tree = trees[s.service]
        node = 1
        while node < size:                                 # the leftmost free depth
            node = 2 * node if tree[2 * node] <= s.start else 2 * node + 1
        level[s.key] = node - size
        tree[node] = s.end
        node //= 2
        while node:
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
            node //= 2
    return level


def _fit(text: str, width: float) -> str:
    room = max(int((width - 6) / 6.2), 0)
    if len(text) <= room:
        return text
    return text[:room - 1] + "…" if room > 1 else ""
