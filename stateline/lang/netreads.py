"""The network's state read in expressions: `network.partitions`,
`network.partitioned` and `copies(m)`.

* `network.partitions` is how many times the network has been split so far (an
  integer, 0 to N for `partitions(N)`), `network.partitioned` whether it is split
  now; both need a network with `partitions(N)` (SL201 otherwise, as
  `network.heal`).
* `copies(m)` is how many copies of message `m` are in flight: 0 or more in a
  `bag` (a duplicating or resending bag holds several), the copies in every
  channel of a `fifo`, 0 or 1 in a `set` network.

Each is a `NetRead`, a kind of `ir.Sent`, so every analysis that asks whether an
expression reads the state (folding, initial values, independence) sees it as a
read of the network.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import did_you_mean, fail as err
from . import ast as A
from . import ir
from .types import BOOL, INT, RecordT

ATTRIBUTES = {"partitions": INT, "partitioned": BOOL}


@dataclass(frozen=True, eq=False)
class NetRead(ir.Sent):
    """`what` is "partitions", "partitioned" or "copies" (then `arg` is the message);
    `message` (of ir.Sent) names the message type of `copies`, else ""."""

    what: str = ""
    arg: ir.E | None = None


def _state_read(c, e, what: str) -> None:
    if not c.state_ok:
        err("SL303", f"{c.state_why} cannot depend on the network", e.span)
    if not c.r.networks:
        err("SL208", f"{what} needs a network declaration", e.span)


def network_attribute(c, e: A.Attr) -> ir.E | None:
    """`network.partitions`, `network.partitioned`; None when `network` is a name of
    the spec (a local or a declaration) or the base is something else."""
    b = e.base
    if not isinstance(b, A.Name) or b.id != "network" or any(b.id in s for s in c.scopes) \
            or c.r.global_kind(b.id) is not None or \
            (c.process is not None and b.id in c.r.process_vars.get(c.process.name, {})):
        return None
    if e.name not in ATTRIBUTES:
        err("SL203", f"the network has no attribute '{e.name}'", e.span,
            hint=did_you_mean(e.name, ATTRIBUTES) or
            "network.partitions (splits so far) and network.partitioned (split now)")
    _state_read(c, e, f"network.{e.name}")
    net = c.r.networks[0]
    if not any(o.name == "partitions" for o in net.options):
        err("SL201", f"'network.{e.name}' needs a network with partitions(N)", e.span)
    return NetRead(ATTRIBUTES[e.name], e.span, "", c.priming, e.name, None)


def copies(c, e: A.Call) -> ir.E:
    """`copies(m)`: the copies of message `m` in flight."""
    if len(e.args) != 1 or e.kwargs:
        err("SL302", "copies() takes one message", e.span)
    m = c.infer(e.args[0])
    if not (isinstance(m.type, RecordT) and m.type.is_message):
        err("SL303", f"copies() takes a message, got {m.type}", e.args[0].span,
            hint="count the messages of one type with len(sent(M))")
    _state_read(c, e, "copies()")
    return NetRead(INT, e.span, m.type.name, c.priming, "copies", m)
