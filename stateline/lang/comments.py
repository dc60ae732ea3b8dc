"""Where comments and blank lines go when `fmt` reprints a spec.

Comments are not in the syntax tree: `Layout` reads them (and blank lines, and
which physical lines continue a logical line) from the source, and `attach`
puts them back among the printed lines.  Each printed line may carry the
source line it stands for (its *anchor*); the rules, documented for users in
`fmt.py`, are:

* a comment on lines of its own goes with the next code line; when that line
  starts a printed construct, above it, at its indentation, with the blank
  lines around it kept (at most one in a row, none at the start of a block);
* a comment at the end of a construct's first line stays at the end of it;
* every other comment belongs to the construct whose lines it sits in, and
  goes on its own line just above that construct;
* comments after the last code line stay at the end of the file.

Trailing comments of consecutive lines at one indentation are aligned.
"""

from __future__ import annotations

from dataclasses import dataclass

INDENT = "    "
WIDTH = 100         # the right margin of `fmt`'s layout


class Layout:
    """Per physical line (1-based): its code, its comment, and the line its logical
    line starts on (brackets and backslashes continue a logical line)."""

    def __init__(self, text: str):
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        n = len(lines)
        self.n = n
        self.code = [""] * (n + 1)
        self.comment: list[str | None] = [None] * (n + 1)
        self.start = [0] * (n + 1)     # logical start of a code line (0: not a code line)
        depth, joined, start = 0, False, 0
        for i, raw in enumerate(lines, 1):
            line = raw.rstrip("\r")
            cut = line.find("#")          # no string literals: '#' always starts a comment
            code = (line if cut < 0 else line[:cut]).rstrip()
            if cut >= 0:
                self.comment[i] = line[cut:].rstrip()
            self.code[i] = code
            if code.strip():
                if depth == 0 and not joined:
                    start = i
                self.start[i] = start
                for ch in code:
                    if ch in "([{":
                        depth += 1
                    elif ch in ")]}" and depth > 0:
                        depth -= 1
                joined = code.endswith("\\")
        self.comment_count = sum(1 for c in self.comment if c is not None)

    def is_code(self, i: int) -> bool:
        return self.start[i] != 0

    def indent(self, i: int) -> int:
        return len(self.code[i]) - len(self.code[i].lstrip())

    def logical(self, line: int) -> int:
        return self.start[line] if 0 < line <= self.n else 0


@dataclass
class Out:
    text: str
    depth: int
    anchor: int = 0             # the source line this output line stands for (0: none)
    first_in_block: bool = False


def attach(lay: Layout, printed: list[Out]) -> tuple[str, int]:
    """The printed lines with the source's comments and blank lines put back, and the
    number of comments written (the caller checks that none was lost)."""
    written = 0
    anchors: dict[int, list[int]] = {}
    for k, o in enumerate(printed):
        if o.anchor:
            anchors.setdefault(o.anchor, []).append(k)
    leading: dict[int, list[str | None]] = {}      # None: a blank line
    inner: dict[int, list[str]] = {}
    trailing: dict[int, str] = {}
    ordered = sorted(anchors)

    def owner(line: int) -> int:
        best = ordered[0] if ordered else 0
        for a in ordered:
            if a > line:
                break
            best = a
        return best

    last_code = max((i for i in range(1, lay.n + 1) if lay.is_code(i)), default=0)
    tail: list[str | None] = []
    prev_code = 0
    for i in range(1, lay.n + 1):
        if lay.is_code(i):
            if lay.comment[i] is not None:
                if i in anchors:
                    trailing[i] = lay.comment[i]
                else:
                    inner.setdefault(owner(i), []).append(lay.comment[i])
            if i in anchors:
                leading[i] = [lay.comment[j] for j in range(prev_code + 1, i)]
            prev_code = i
            continue
        if i > last_code:
            tail.append(lay.comment[i])
            continue
        if lay.comment[i] is None:
            continue
        nxt = next(j for j in range(i + 1, lay.n + 1) if lay.is_code(j))
        if nxt not in anchors:
            inner.setdefault(owner(nxt), []).append(lay.comment[i])
    lines: list[list] = []          # [indent, code, trailing comment or None]
    for k, o in enumerate(printed):
        pad = INDENT * o.depth
        if o.anchor and anchors[o.anchor][0] == k:
            group = _collapse(leading.get(o.anchor, []), strip_start=o.first_in_block
                              or not lines)
            for c in group:
                lines.append(["", "", None] if c is None else [pad, c, None])
            written += sum(1 for c in group if c is not None)
        comment = None
        if o.anchor and anchors[o.anchor][-1] == k:
            for c in inner.get(o.anchor, []):
                lines.append([pad, c, None])
                written += 1
            if o.anchor in trailing:
                comment = trailing[o.anchor]
                written += 1
        lines.append([pad, o.text, comment])
    group = _collapse(tail, strip_start=False)
    while group and group[-1] is None:
        group.pop()
    lines.extend(["", "", None] if c is None else ["", c, None] for c in group)
    written += sum(1 for c in group if c is not None)
    return "\n".join(_aligned(lines)) + "\n", written


def _aligned(lines: list[list]) -> list[str]:
    """Lines with their trailing comments; those of consecutive lines at one indentation
    start in one column, two spaces after the longest code, unless that pushes a line
    past the right margin (the run is split there)."""
    out, k = [], 0
    while k < len(lines):
        pad, code, comment = lines[k]
        if comment is None:
            out.append(pad + code)
            k += 1
            continue
        j, width = k + 1, len(code)
        while j < len(lines) and lines[j][2] is not None and lines[j][0] == pad:
            wider = max(width, len(lines[j][1]))
            if any(len(pad) + wider + 2 + len(line[2]) > WIDTH for line in lines[k:j + 1]):
                break                       # not past the right margin for alignment's sake
            width = wider
            j += 1
        out.extend(pad + line[1].ljust(width) + "  " + line[2] for line in lines[k:j])
        k = j
    return out


def _collapse(group: list[str | None], strip_start: bool) -> list[str | None]:
    """Runs of blank lines (None) to one; none at the start of a block or file."""
    out: list[str | None] = []
    for c in group:
        if c is None and (not out and strip_start or out and out[-1] is None):
            continue
        out.append(c)
    return out
