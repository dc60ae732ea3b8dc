"""Message-sequence diagrams of traces, drawn as SVG by Stateline itself.

One vertical lane per process instance, acting in the trace or not (processes
grouped in the order they first act, instances in natural order, `network` last
when it drops a message), one row per step, a box on the acting node's lane
naming the action, and an arrow from the step that sent a message to each step
that received it.  A received message's sender is the latest earlier step that
sent an equal message; a message that no step of the trace receives is drawn as
a short dashed stub with its name ("in the network"); a message the network
loses is a red dashed arrow to the `network` lane ("(lost)"), and a second
delivery of the same message to the same node a purple dotted one ("(again)").
A crash greys and crosses the crashed node's lane until its recovery (or the
end); a partition is a row naming the two sides and a cut (a dashed line
between neighbouring lanes on different sides) until the heal.  The violating
step is shaded, a liveness lasso gets a bracket over the steps that repeat, and
a deadlock or a stuttering end gets a closing row.

Layout is fixed-pitch so that it stays readable at 40 steps and five lanes:
rows are 30 px, lanes 110-230 px depending on the longest action, labels are
monospace and truncated to the room they have (the full text is in a
`<title>` tooltip), and each row holds one box, at most one incoming label
and at most one stub label, on different sides or heights, so no two labels
overlap.  The output is deterministic: the same trace gives the same bytes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..models.trace import Message, Trace
from ..printable import printable
from .intervals import intervals, lane_of
from .labels import CHAR, Placed, Placer, fit

ROW = 34            # height of one step: a box, then a band for the labels below it
BOX_H = 18          # height of a step's box
BELOW, ABOVE = 21, 21 - ROW     # baselines of the label bands below and above a row's box
HEAD = 40           # lane header band
LEFT = 64           # step numbers and the loop bracket
RIGHT = 24          # right margin, widened (up to MAX_RIGHT) for labels right of the last lane
MAX_RIGHT = 300
MIN_LANE, MAX_LANE = 110, 220
STUB = 26           # length of the stub of a message nobody receives
MIN_ROOM = 80       # the least room a stub's label needs on one side

STYLE = """
.msc text{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11px;fill:#1f2328}
.msc .lane-head rect{fill:#eef2f8;stroke:#8c959f}
.msc .lane-head text{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:12px;
  font-weight:600;text-anchor:middle}
.msc .lifeline{stroke:#8c959f;stroke-dasharray:4 4}
.msc .band{fill:#f6f8fa}
.msc .step-no{text-anchor:end;fill:#57606a}
.msc .box rect{fill:#ffffff;stroke:#0969da;stroke-width:1.2}
.msc .box text{text-anchor:middle}
.msc .arrow path,.msc .stub path{fill:none;stroke:#1f6feb;stroke-width:1.3}
.msc .arrow text,.msc .stub text{paint-order:stroke;stroke:#ffffff;stroke-width:3px}
.msc .stub path{stroke:#8c959f;stroke-dasharray:3 3}
.msc .stub text{fill:#57606a}
.msc .violation rect.mark{fill:#cf222e;fill-opacity:.1}
.msc .violation .box rect{stroke:#cf222e;stroke-width:2}
.msc .violated text.note,.msc .closing text{fill:#cf222e;font-weight:600}
.msc .loop path{fill:none;stroke:#8250df;stroke-width:2}
.msc .loop text{fill:#8250df;font-weight:600}
.msc rect.loop-band{fill:#fbefff}
.msc .down rect{fill:#8c959f;opacity:.45}
.msc .down path{stroke:#cf222e;stroke-width:2.5}
.msc .cut line{stroke:#bc4c00;stroke-width:3;stroke-dasharray:8 4}
.msc text.cut-label{fill:#bc4c00;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
.msc .arrow.dropped path{stroke:#cf222e;stroke-dasharray:6 3}
.msc .arrow.dropped text{fill:#cf222e}
.msc .arrow.again path{stroke:#8250df;stroke-dasharray:2 2}
.msc .arrow.again text{fill:#8250df}
.msc .interval rect{fill:#dafbe1;stroke:#1a7f37;stroke-width:1.2}
.msc .interval.fail rect{fill:#ffebe9;stroke:#cf222e}
.msc .interval.info rect,.msc .interval.open rect{fill:#fff8c5;stroke:#9a6700;stroke-dasharray:3 2}
.msc .interval text.op{fill:#1a7f37;paint-order:stroke;stroke:#ffffff;stroke-width:3px}
.msc .interval.fail text.op{fill:#cf222e}
.msc .interval.info text.op,.msc .interval.open text.op{fill:#9a6700}
.msc .interval.stuck rect{stroke:#cf222e;stroke-width:2.5;fill:#ffebe9}
.msc .interval.stuck text.op{fill:#cf222e;font-weight:600}
"""


@dataclass(frozen=True)
class Arrow:
    sender: int | None      # index of the sending step; None: in the network initially
    receiver: int           # index of the receiving step
    message: Message
    again: bool = False     # received before by the same node (a duplicate delivery)
    dropped: bool = False   # the receiving step is the network losing it


@dataclass(frozen=True)
class Diagram:
    lanes: tuple[str, ...]
    arrows: tuple[Arrow, ...]
    pending: tuple[tuple[int, tuple[Message, ...]], ...]   # (step index, never received)


def escape(text) -> str:
    """Text as SVG character data: markup escaped, control characters made visible."""
    return html.escape(printable(str(text)))


def _natural(text: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p]


def is_cut(step) -> bool:
    """A partition or a heal: drawn as a cut across the lanes, not as a box."""
    return step.node == "network" and step.action in ("partition", "heal")


def lanes(trace: Trace) -> list[str]:
    """Every node of the instance (those that act first, in the order their process first
    acts; then those that never act), instances in natural order, `network` last when a
    message is dropped."""
    groups: dict[str, set[str]] = {}
    for step in trace.steps:
        if not is_cut(step):
            groups.setdefault(step.node.split("[", 1)[0], set()).add(step.node)
    for node in trace.nodes:
        groups.setdefault(node.split("[", 1)[0], set()).add(node)
    order = [g for g in groups if g != "network"] + (["network"] if "network" in groups else [])
    return [node for g in order for node in sorted(groups[g], key=_natural)]


def _split_side(text: str) -> list[str]:
    """`{Replica[r1], Client[c1]}` -> the node names."""
    inner = text.strip()[1:-1] if text.strip().startswith("{") else text
    return [part.strip() for part in inner.split(", ") if part.strip()]


def crashes(trace: Trace) -> dict[str, list[tuple[int, int | None]]]:
    """Per node: (crash step index, recover step index or None) of each time it is down."""
    down: dict[str, list[tuple[int, int | None]]] = {}
    for i, step in enumerate(trace.steps):
        if step.action == "crash":
            down.setdefault(step.node, []).append((i, None))
        elif step.action == "recover" and down.get(step.node) and \
                down[step.node][-1][1] is None:
            down[step.node][-1] = (down[step.node][-1][0], i)
    return down


def partitions(trace: Trace) -> list[tuple[int, int | None, tuple[str, ...]]]:
    """(partition step index, heal step index or None, the nodes on the named side)."""
    out: list = []
    for i, step in enumerate(trace.steps):
        if step.node == "network" and step.action == "partition":
            side = dict(step.params).get("side", "{}")
            out.append((i, None, tuple(_split_side(side))))
        elif step.node == "network" and step.action == "heal" and out and out[-1][1] is None:
            out[-1] = (out[-1][0], i, out[-1][2])
    return out


def _key(m: Message):
    return ("raw", m.raw) if m.raw is not None else ("shown", m.shown)


def diagram(trace: Trace) -> Diagram:
    """Lanes, the arrows from each send to its receives, and the messages never received."""
    last_sent: dict = {}
    received_from: set[tuple[int, int]] = set()
    received_by: dict[tuple[int, int], set[str]] = {}    # who received each sent message
    arrows = []
    for i, step in enumerate(trace.steps):
        if step.received is not None:
            sender = last_sent.get(_key(step.received))
            dropped = step.node == "network" and step.action == "drop"
            again = sender is not None and step.node in received_by.get(sender, ())
            arrows.append(Arrow(None if sender is None else sender[0], i, step.received,
                                again, dropped))
            if sender is not None:
                received_from.add(sender)
                received_by.setdefault(sender, set()).add(step.node)
        for j, m in enumerate(step.sent):
            last_sent[_key(m)] = (i, j)
    pending = []
    for i, step in enumerate(trace.steps):
        left = tuple(m for j, m in enumerate(step.sent) if (i, j) not in received_from)
        if left:
            pending.append((i, left))
    return Diagram(tuple(lanes(trace)), tuple(arrows), tuple(pending))


def _label(step) -> str:
    """The action as shown in its box (the lane already names the node)."""
    title = step.title()
    return title[len(step.node) + 1:] if title.startswith(step.node + ".") else title


def _text(x, y, text, cls=None, full=None, anchor=None) -> str:
    attrs = f' class="{cls}"' if cls else ""
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    tip = f"<title>{escape(full)}</title>" if full and full != text else ""
    return f'<text x="{x:g}" y="{y:g}"{attrs}>{tip}{escape(text)}</text>'


def _placed(p: Placed | None, full: str) -> str:
    if p is None:
        return f"<title>{escape(full)}</title>"
    return _text(round(p.x, 1), p.y, p.text, full=p.full)


def _lanes_attr(*nodes) -> str:
    return escape("|".join(dict.fromkeys(n for n in nodes if n)))


@dataclass
class _Layout:
    """The geometry of one diagram: lanes, rows, and the labels placed on it."""
    lanes: tuple[str, ...]
    lane_w: float
    box_w: float
    top: float
    rows: int

    def x(self, node: str) -> float:
        return LEFT + self.lane_w * (self.lanes.index(node) + 0.5)

    def y(self, i: int) -> float:
        return self.top + i * ROW + ROW / 2


def sequence_svg(trace: Trace, kind: str, caption: str = "", ident: str = "msc",
                 step_href: str | None = None, note: str = "") -> str:
    """The diagram of `trace` as an `<svg>` element.

    `kind` is the violated property's kind ("invariant", "transition",
    "deadlock", "temporal") or "error" (a run-time error after the last step);
    it decides what is highlighted.  `note` is the verdict's explanation (for a
    violated `linearizable(H)`, the operation that cannot be placed, which is then
    marked).  `ident` prefixes the element ids (several diagrams can share a page);
    step rows link to `#{ident}-step-{n}`, or to `step_href` with `{n}` replaced by
    the step's number.
    """
    d = diagram(trace)
    steps = trace.steps
    n = len(steps)
    ops = [(op, lane_of(op.process, d.lanes)) for op in intervals(trace, note)]
    ops = [(op, lane) for op, lane in ops if lane is not None]
    # wide enough for the longest action, and for message labels up to a point
    longest = max([len(_label(s)) for s in steps if not is_cut(s)] +
                  [len(a.message.shown) for a in d.arrows],
                  default=8)
    lane_w = max(MIN_LANE, min(MAX_LANE, longest * CHAR + 40))
    box_w = lane_w - 22
    x_of = {node: LEFT + lane_w * (k + 0.5) for k, node in enumerate(d.lanes)}
    incoming_side: dict[int, int] = {}      # step -> side its incoming arrow comes from
    for a in d.arrows:
        right_to_left = a.sender is not None and \
            x_of[steps[a.sender].node] > x_of[steps[a.receiver].node]
        incoming_side[a.receiver] = 1 if right_to_left else -1
    sides = {i: _stub_side(x_of[steps[i].node], box_w, steps[i].node == d.lanes[-1],
                           incoming_side.get(i)) for i, _ in d.pending}
    lanes_right = LEFT + lane_w * max(1, len(d.lanes))
    width = lanes_right + RIGHT
    cuts = partitions(trace)
    cut_text = {i: _cut_text(steps[i], d.lanes) for i in range(n) if is_cut(steps[i])}
    for text in cut_text.values():
        width = max(width, LEFT + len(text) * CHAR + RIGHT)
    loop = trace.loop_start
    closing = None
    if kind == "deadlock":
        closing = "deadlock: no action is enabled after the last step"
    elif loop is not None and loop == n:
        closing = "from here the behaviour stutters forever"
    elif n == 0:
        closing = "violated in an initial state" if kind != "error" else \
            "the error occurs in an initial state"
    if closing:
        width = max(width, LEFT + len(closing) * CHAR + RIGHT)
    rows = n + (1 if closing else 0)
    bottom_heads = rows > 12
    top = HEAD + 8
    y_end = top + rows * ROW
    heads_y = [4] + ([y_end + 10] if bottom_heads else [])
    height = y_end + (HEAD + 14 if bottom_heads else 10)

    def y_of(i: int) -> float:
        return top + i * ROW + ROW / 2

    # the labels, placed where they cross no other lane, box or label
    placer = Placer(LEFT, width - RIGHT / 2, dict(x_of), lanes_right + MAX_RIGHT)
    for i, step in enumerate(steps):
        if not is_cut(step):
            x = x_of[step.node]
            placer.block(x - box_w / 2, y_of(i) - BOX_H / 2, x + box_w / 2, y_of(i) + BOX_H / 2)
    for x in x_of.values():
        for hy in heads_y:
            placer.block(x - box_w / 2, hy, x + box_w / 2, hy + HEAD - 10)
    row_texts = dict(cut_text)
    if closing:
        row_texts[n] = closing
    for i, text in row_texts.items():
        placer.block(LEFT + 4, y_of(i) - 6, LEFT + 4 + len(text) * CHAR, y_of(i) + 7)
    op_labels = {}
    for k, (op, lane) in enumerate(ops):
        x = x_of[lane]
        last = op.end if op.end is not None else max(n - 1, op.start)
        cands = [(y_of(op.start) + BELOW, x + 9, 1), (y_of(op.start) + BELOW, x - 9, -1),
                 (y_of(op.start) + ABOVE, x + 9, 1), (y_of(op.start) + ABOVE, x - 9, -1)]
        for r in range(op.start + 1, last + 1):
            cands += [(y_of(r) + 4, x + 9, 1), (y_of(r) + BELOW, x + 9, 1),
                      (y_of(r) + 4, x - 9, -1)]
        op_labels[k] = placer.place(("✗ " if op.stuck else "") + op.label(), {lane}, cands)
    arrow_labels, stub_labels = {}, {}
    by_receiver = {a.receiver: a for a in d.arrows}
    pending = dict(d.pending)
    for i in range(n):
        if i in by_receiver:
            a = by_receiver[i]
            head, toward = _head(a, steps, x_of, box_w)
            own = {steps[i].node} | ({steps[a.sender].node} if a.sender is not None else set())
            y = y_of(i)
            arrow_labels[i] = placer.place(
                _arrow_text(a), own,
                [(y + BELOW, head, toward), (y + BELOW, head, -toward), (y + ABOVE, head, toward),
                 (y + ABOVE, head, -toward), (y + 4, head + 4 * toward, toward)])
        if i in pending:
            side, x, y = sides[i], x_of[steps[i].node], y_of(i)
            edge = x + side * box_w / 2
            stub_labels[i] = placer.place(
                _stub_text(pending[i])[0], {steps[i].node},
                [(y + 4, edge + side * (STUB + 4), side), (y + BELOW, edge, side),
                 (y + BELOW, edge, -side), (y + ABOVE, edge, side), (y + ABOVE, edge, -side)])
    placed = [p for p in [*op_labels.values(), *arrow_labels.values(), *stub_labels.values()]
              if p is not None]
    if placed:
        width = max(width, max(p.x + len(p.text) * CHAR for p in placed) + 8)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="msc" id="{ident}" '
           f'width="{width:g}" height="{height:g}" viewBox="0 0 {width:g} {height:g}" '
           f'role="img" aria-label="{escape(caption or "message sequence diagram")}">',
           f"<style>{STYLE}</style>",
           f'<defs><marker id="{ident}-head" viewBox="0 0 10 10" refX="10" refY="5" '
           f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           f'<path d="M0,0 L10,5 L0,10 z" fill="#1f6feb"/></marker>'
           f'<marker id="{ident}-open" viewBox="0 0 10 10" refX="10" refY="5" '
           f'markerWidth="7" markerHeight="7" orient="auto">'
           f'<path d="M0,0 L10,5 L0,10" fill="none" stroke="#8c959f"/></marker></defs>']
    # row bands, the loop band, the violation mark
    for i in range(rows):
        if i % 2 == 1:
            out.append(f'<rect class="band" x="0" y="{top + i * ROW:g}" width="{width:g}" '
                       f'height="{ROW}"/>')
    if loop is not None and loop < n:
        out.append(f'<rect class="loop-band" x="{LEFT - 40}" y="{top + loop * ROW:g}" '
                   f'width="{width - LEFT + 40:g}" height="{(n - loop) * ROW:g}"/>')
    # lane headers and lifelines
    for node in d.lanes:
        x = x_of[node]
        out.append(f'<g class="lane" data-node="{escape(node)}">')
        y_from = HEAD
        for start, stop in crashes(trace).get(node, []):
            y_down = y_of(start) + 10
            y_up = y_of(stop) - 10 if stop is not None else y_end
            out.append(f'<line class="lifeline" x1="{x:g}" y1="{y_from:g}" x2="{x:g}" '
                       f'y2="{y_down:g}"/>')
            out.append(f'<g class="down" data-from="{start + 1}" data-to="'
                       f'{"" if stop is None else stop + 1}"><rect x="{x - 5:g}" '
                       f'y="{y_down:g}" width="10" height="{max(0, y_up - y_down):g}"/>'
                       f'<path d="M{x - 7:g},{y_down + 3:g} l14,14 m0,-14 l-14,14"/>'
                       f"<title>{escape(node)} is down"
                       + (f" from step {start + 1} to step {stop + 1}" if stop is not None
                          else f" from step {start + 1} on") + "</title></g>")
            y_from = y_up
        if y_from < y_end:
            out.append(f'<line class="lifeline" x1="{x:g}" y1="{y_from:g}" x2="{x:g}" '
                       f'y2="{y_end:g}"/>')
        for hy in heads_y:
            out.append(f'<g class="lane-head"><rect x="{x - box_w / 2:g}" y="{hy:g}" '
                       f'width="{box_w:g}" height="{HEAD - 10}" rx="4"/>'
                       + _text(x, hy + (HEAD - 10) / 2 + 4, fit(node, box_w - 8), full=node)
                       + "</g>")
        out.append("</g>")
    # recorded history operations: a bar on the client's lane from invoke to completion
    for k, (op, lane) in enumerate(ops):
        x = x_of[lane]
        y0 = y_of(op.start)
        y1 = y_of(op.end) if op.end is not None else y_end
        cls = f"interval {op.status}" + (" stuck" if op.stuck else "")
        tip = (f"{op.history}: op {op.index} ({op.process}: {op.label()}), steps "
               f"{op.start + 1}-" + (f"{op.end + 1}" if op.end is not None else "end")
               + (" — the operation the history checker cannot place" if op.stuck else ""))
        out.append(f'<g class="{cls}" data-lanes="{_lanes_attr(lane)}" '
                   f'data-op="{op.index}" data-from="{op.start + 1}" data-to="'
                   f'{"" if op.end is None else op.end + 1}"><title>{escape(tip)}</title>'
                   f'<rect x="{x - 6:g}" y="{y0:g}" width="12" height="{max(0, y1 - y0):g}"/>'
                   + _placed(op_labels[k], op.label()).replace("<text ", '<text class="op" ', 1)
                   + "</g>")
    # steps
    violating = n - 1 if kind in ("invariant", "transition", "deadlock") and n else None
    # partitions: a cut between the sides, from the partition to the heal
    for start, stop, side in cuts:
        y0 = y_of(start) + ROW / 2 - 2
        y1 = (y_of(stop) - ROW / 2 + 2) if stop is not None else y_end
        for k in range(len(d.lanes) - 1):
            a, b = d.lanes[k], d.lanes[k + 1]
            if b == "network" or (a in side) == (b in side):
                continue
            xc = LEFT + lane_w * (k + 1)
            out.append(f'<g class="cut" data-from="{start + 1}" data-to="'
                       f'{"" if stop is None else stop + 1}"><line x1="{xc:g}" y1="{y0:g}" '
                       f'x2="{xc:g}" y2="{y1:g}"/><title>partition: {escape(a)} and '
                       f"{escape(b)} cannot reach each other</title></g>")
    for i, step in enumerate(steps):
        y = y_of(i)
        if is_cut(step):
            out.append(f'<g class="step cut-step" id="{ident}-row-{step.number}">'
                       + _text(LEFT - 8, y + 4, str(step.number), "step-no")
                       + _text(LEFT + 4, y + 4, cut_text[i], "cut-label") + "</g>")
            continue
        x = x_of[step.node]
        cls = "step violation" if i == violating else "step"
        out.append(f'<g class="{cls}" id="{ident}-row-{step.number}">')
        if i == violating:
            out.append(f'<rect class="mark" x="0" y="{top + i * ROW:g}" width="{width:g}" '
                       f'height="{ROW}"/>')
        href = step_href.replace("{n}", str(step.number)) if step_href else \
            f"#{ident}-step-{step.number}"
        out.append(f'<a href="{escape(href)}">'
                   + _text(LEFT - 8, y + 4, str(step.number), "step-no") + "</a>")
        label = _label(step)
        box = (f'<g class="box" data-node="{escape(step.node)}"><rect x="{x - box_w / 2:g}" '
               f'y="{y - BOX_H / 2:g}" width="{box_w:g}" height="{BOX_H}" rx="3"/>'
               + _text(x, y + 4, fit(label, box_w - 8), full=step.title()) + "</g>")
        out.append(f'<a href="{escape(href)}">{box}</a>' if step_href else box)
        out.append("</g>")
    # arrows from send to receive, and the messages nobody receives
    for a in d.arrows:
        out.append(_arrow(a, steps, x_of, y_of, box_w, ident, arrow_labels.get(a.receiver)))
    for i, msgs in d.pending:
        out.append(_stub(i, steps, x_of, y_of, box_w, sides[i], ident, stub_labels.get(i),
                         _stub_text(msgs)[0]))
    # loop bracket, closing row, violation note
    if loop is not None and loop < n:
        y0, y1 = top + loop * ROW + 3, top + n * ROW - 3
        out.append(f'<g class="loop"><path d="M{LEFT - 30},{y0:g} h-8 V{y1:g} h8" '
                   f'marker-start="url(#{ident}-head)"/>'
                   + f'<text x="6" y="{(y0 + y1) / 2 + 4:g}" '
                     f'transform="rotate(-90 10 {(y0 + y1) / 2:g})">loop</text>'
                   + f"<title>steps {loop + 1}-{n} repeat forever</title></g>")
    if closing:
        y = y_of(n)
        out.append('<g class="closing">' + _text(LEFT + 4, y + 4, closing) + "</g>")
    out.append("</svg>")
    return "\n".join(out)


def _edge(x_from: float, x_to: float, box_w: float) -> tuple[float, float]:
    if x_to >= x_from:
        return x_from + box_w / 2, x_to - box_w / 2
    return x_from - box_w / 2, x_to + box_w / 2


def _head(a: Arrow, steps, x_of, box_w) -> tuple[float, int]:
    """Where the arrow of `a` ends, and the direction (-1 left, 1 right) it comes from."""
    x_r = x_of[steps[a.receiver].node]
    if a.sender is None:
        return x_r - box_w / 2, -1
    x_s = x_of[steps[a.sender].node]
    if x_s == x_r:
        return x_r + box_w / 2 + 6, 1
    x0, x1 = _edge(x_s, x_r, box_w)
    return x1, (-1 if x1 >= x0 else 1)


def _arrow_text(a: Arrow) -> str:
    return a.message.shown + (" (lost)" if a.dropped else " (again)" if a.again else "")


def _arrow(a: Arrow, steps, x_of, y_of, box_w, ident, label: Placed | None) -> str:
    rstep = steps[a.receiver]
    x_r, y_r = x_of[rstep.node], y_of(a.receiver)
    head = f'marker-end="url(#{ident}-head)"'
    text = _placed(label, _arrow_text(a))
    if a.sender is None:
        path = f"M{LEFT - 4:g},{y_r - 12:g} L{x_r - box_w / 2:g},{y_r:g}"
        return (f'<g class="arrow from-initial" data-from="" data-to="{a.receiver + 1}" '
                f'data-lanes="{_lanes_attr(rstep.node)}"><path d="{path}" {head}/>{text}</g>')
    sstep = steps[a.sender]
    x_s, y_s = x_of[sstep.node], y_of(a.sender)
    if sstep.node == rstep.node:
        xe = x_s + box_w / 2
        path = f"M{xe:g},{y_s:g} C{xe + 34:g},{y_s:g} {xe + 34:g},{y_r:g} {xe:g},{y_r:g}"
    else:
        x0, x1 = _edge(x_s, x_r, box_w)
        path = f"M{x0:g},{y_s:g} L{x1:g},{y_r:g}"
    cls = "arrow" + (" dropped" if a.dropped else "") + (" again" if a.again else "")
    return (f'<g class="{cls}" data-from="{a.sender + 1}" data-to="{a.receiver + 1}" '
            f'data-lanes="{_lanes_attr(sstep.node, rstep.node)}">'
            f'<path d="{path}" {head}/>{text}</g>')


def _cut_text(step, lanes: list[str]) -> str:
    if step.action == "heal":
        return "heal: the network is whole again"
    side = _split_side(dict(step.params).get("side", "{}"))
    other = [n for n in lanes if n not in side and n != "network"]
    return f"partition: {', '.join(side)} | {', '.join(other)}"


def _stub_text(msgs) -> tuple[str, str]:
    names = [m.shown + (f" to {m.to}" if m.to else "") for m in msgs]
    full = "; ".join(names)
    return (names[0] if len(names) == 1 else f"{len(names)} messages: {full}"), full


def _stub_side(x: float, box_w: float, last_lane: bool, incoming: int | None) -> int:
    """Where the stub of unreceived messages goes: -1 left, 1 right of the box.

    Away from an incoming arrow (which would cross the stub's label); otherwise
    left on the last lane and right elsewhere, where there is room (MIN_ROOM)."""
    room_left = x - box_w / 2 - STUB - LEFT - 4
    if incoming:
        return 1 if incoming > 0 and room_left < MIN_ROOM else -incoming
    return -1 if last_lane and room_left >= MIN_ROOM else 1


def _stub(i, steps, x_of, y_of, box_w, side, ident, label: Placed | None, full: str) -> str:
    step = steps[i]
    x, y = x_of[step.node], y_of(i)
    x0 = x + side * box_w / 2
    x1 = x0 + side * STUB
    return (f'<g class="stub" data-from="{i + 1}" data-lanes="{_lanes_attr(step.node)}">'
            f'<path d="M{x0:g},{y:g} L{x1:g},{y:g}" marker-end="url(#{ident}-open)"/>'
            f"{_placed(label, full)}</g>")
