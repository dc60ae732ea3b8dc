"""Where the text labels of a message-sequence diagram go (`sequence.py`).

A label may lie over the lanes it belongs to (a message's sender and receiver, an
operation's client) but never over another lane's lifeline, a step's box, a lane
header or another label.  Each label comes with candidate places in order of
preference (a text baseline, the point it is attached to, and the direction it reads
away from that point); the first where the whole text fits wins, shifted along its
free stretch as far as needed; when none fits, the one with the most room gets the
text truncated to that room (the full text stays in a tooltip).  Labels are placed
one by one in a fixed order, so the layout is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

CHAR = 6.7          # width of one 11 px monospace character (6.62 measured in Chromium)
ASCENT, DESCENT = 10, 3     # an 11 px text's box around its baseline
WALL = 7            # half-width of a lane nobody else's label may cross (lifeline, bars)


@dataclass(frozen=True)
class Placed:
    x: float            # left end of the text (it is drawn text-anchor start)
    y: float            # baseline
    text: str           # possibly truncated
    full: str


def fit(text: str, width: float) -> str:
    n = max(3, int(width / CHAR))
    return text if len(text) <= n else text[:n - 1] + "…"


class Placer:
    """The free room of one diagram, used up as labels are placed."""

    def __init__(self, left: float, right: float, walls: dict[str, float],
                 wider: float | None = None):
        self.left, self.right = left, right
        self.wider = wider          # how far right a label may widen the diagram, if at all
        self.walls = walls                  # lane -> x of its lifeline
        self.rects: list[tuple[float, float, float, float]] = []

    def block(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.rects.append((x0, y0, x1, y1))

    def _stretch(self, y: float, x: float, own: set[str], right: float) \
            -> tuple[float, float] | None:
        """The free horizontal stretch around `x` for a text on baseline `y`."""
        top, bottom = y - ASCENT - 1, y + DESCENT + 1
        spans = [(wx - WALL, wx + WALL) for lane, wx in self.walls.items() if lane not in own]
        spans += [(x0, x1) for x0, y0, x1, y1 in self.rects if y0 < bottom and top < y1]
        lo, hi = self.left, right
        for a, b in spans:
            if a <= x <= b:
                return None
            if b < x:
                lo = max(lo, b + 1)
            elif a > x:
                hi = min(hi, a - 1)
        return (lo, hi) if hi > lo else None

    def place(self, full: str, own: set[str], candidates) -> Placed | None:
        """Place `full` at the first of `candidates` ((baseline, x, direction -1|1),
        in order of preference) where it fits whole within the diagram, else where it fits
        whole widening it (up to `wider`), else where it has the most room."""
        need = len(full) * CHAR
        best = None
        rights = [self.right] + ([self.wider] if self.wider and self.wider > self.right else [])
        for y, x, direction, right in [(*c, r) for r in rights for c in candidates]:
            stretch = self._stretch(y, x, own, right)
            if stretch is None:
                continue
            lo, hi = stretch
            if hi - lo >= need:
                start = x - need if direction < 0 else x
                start = min(max(start, lo), hi - need)
                return self._take(Placed(start, y, full, full), need)
            if best is None or hi - lo > best[0] + 0.01:
                best = (hi - lo, lo, y)
        if best is None or best[0] < 3 * CHAR:
            return None
        room, lo, y = best
        text = fit(full, room)
        return self._take(Placed(lo, y, text, full), len(text) * CHAR)

    def _take(self, p: Placed, width: float) -> Placed:
        self.block(p.x, p.y - ASCENT, p.x + width, p.y + DESCENT)
        return p
