"""`Step` and `Trace`: what every engine reports and every exporter reads.

A trace is a sequence of choices (action, parameters, message) from an
initial state; everything else in it (the acting node, the messages sent,
the variables that changed) is derived by replaying those choices through the
compiled model, so all engines print the same thing for the same behaviour.
Values are kept both raw (the runtime values, for tools) and shown (the spec's
own syntax, for people).
"""

from __future__ import annotations

from dataclasses import dataclass, field

State = tuple


@dataclass(frozen=True)
class Message:
    shown: str               # e.g. "Promise(acc=a1, bal=0, mbal=-1, mval=none)"
    type: str                # the message type, e.g. "Promise"
    fields: tuple[tuple[str, str], ...]
    to: str | None = None    # fifo destination node
    raw: object = field(default=None, compare=False)


@dataclass(frozen=True)
class Change:
    variable: str            # slot name, e.g. "Acceptor[a1].maxBal"
    old: str
    new: str
    # For a recorded history, which only grows: the events this step appended
    # ("c1 invoke write(1), c1 ok write"), which is what a text trace shows.
    appended: str | None = None


@dataclass(frozen=True)
class Step:
    number: int              # 1-based position in the trace
    action: str              # e.g. "prepare", "on Prepare", "drop"
    process: str | None
    node: str                # e.g. "Acceptor[a1]", "TM", "network"
    params: tuple[tuple[str, str], ...]
    received: Message | None
    sent: tuple[Message, ...]
    changes: tuple[Change, ...]
    label: tuple = field(default=(), compare=False)   # the raw choice, for replay

    def title(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params)
        name = f"{self.action}({args})" if args else self.action
        return f"{self.node}.{name}" if self.node and self.node != "env" else name


@dataclass(frozen=True)
class Trace:
    initial: tuple[tuple[str, str], ...]   # every variable's shown initial value
    steps: tuple[Step, ...]
    states: tuple[State, ...] = field(default=(), compare=False)
    loop_start: int | None = None          # liveness lasso: index into states
    # Every node of the instance (process instances), acting in the trace or not, in
    # the system's order; empty for a trace read back from a file.
    nodes: tuple[str, ...] = field(default=(), compare=False)

    def __len__(self) -> int:
        return len(self.steps)
