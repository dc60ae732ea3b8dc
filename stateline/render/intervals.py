"""Recorded history operations of a trace, as intervals over its steps.

A `history H(...)` variable only grows; each step's `Change.appended` lists the events
it recorded (`c1 invoke write(1), c2 ok read(none)`).  An operation pairs an invoke with
the next ok/fail/info of the same process (as `stateline.history` pairs them, numbered
0, 1, ... in the order of their invokes); one still open at the end of the trace is
drawn to the end.  `stuck` reads the explanation of a violated `linearizable(H)` (the
verdict's note: "H is not linearizable: op 1 (process c2: ...) cannot take effect
...") for the operation it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models.trace import Trace

EVENT = re.compile(r"(\S+) (invoke|ok|fail|info) (\w+)(?:\((.*)\))?$")
NAMED = re.compile(r"^(\S+) is not [^:]*: op (\d+) \(", re.M)


@dataclass(frozen=True)
class Interval:
    history: str            # the history variable, e.g. "H"
    index: int              # the operation's number (invoke order in its history)
    process: str            # as the spec shows it, e.g. "c1"
    f: str                  # "write", "read", ...
    argument: str | None    # the invoke's value (a write's), if any
    result: str | None      # the completion's value (a read's), if any
    status: str             # "ok" | "fail" | "info" | "open" (never completed)
    start: int              # index of the step that invoked it
    end: int | None         # index of the step that completed it; None while open
    stuck: bool = False     # the operation the explanation names

    def label(self) -> str:
        call = f"{self.f}({self.argument})" if self.argument is not None else self.f
        result = f" → {self.result}" if self.result is not None and self.status == "ok" \
            else ""
        return f"{call}: {self.status}{result}"


def events(appended: str) -> list[tuple[str, str, str, str | None]]:
    """`c1 invoke write(1), c1 ok write` -> [(process, type, f, value)]."""
    out: list = []
    pieces = appended.split(", ")
    k = 0
    while k < len(pieces):
        piece = pieces[k]
        # a value with ", " in it (a tuple) spans several pieces: take them until it parses
        j = k + 1
        while not EVENT.match(piece) and j < len(pieces):
            piece += ", " + pieces[j]
            j += 1
        m = EVENT.match(piece)
        if m:
            out.append((m[1], m[2], m[3], m[4]))
            k = j
        else:
            k += 1
    return out


def stuck(note: str) -> set[tuple[str, int]]:
    """(history, operation) pairs that an explanation names as the one that cannot be
    placed."""
    return {(m[1], int(m[2])) for m in NAMED.finditer(note or "")}


def intervals(trace: Trace, note: str = "") -> list[Interval]:
    """Every operation recorded in the trace, in the order of its history and invoke."""
    named = stuck(note)
    ops: dict[str, list[dict]] = {}
    pending: dict[tuple[str, str], dict] = {}
    for i, step in enumerate(trace.steps):
        for change in step.changes:
            if change.appended is None:
                continue
            h = change.variable
            for process, kind, f, value in events(change.appended):
                if kind == "invoke":
                    op = dict(history=h, index=len(ops.setdefault(h, [])), process=process,
                              f=f, argument=value, result=None, status="open", start=i,
                              end=None)
                    ops[h].append(op)
                    pending[(h, process)] = op
                elif (h, process) in pending:
                    op = pending.pop((h, process))
                    op.update(status=kind, end=i, result=value if kind == "ok" else None)
    return [Interval(**op, stuck=(h, op["index"]) in named)
            for h in ops for op in ops[h]]


def lane_of(process: str, lanes) -> str | None:
    """The lane of a history's process: the instance it names (`c1` -> `Client[c1]`)."""
    for lane in lanes:
        if lane == process or lane.endswith(f"[{process}]"):
            return lane
    return None
