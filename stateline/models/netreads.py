"""Python source of the network reads of lang/netreads.py: `network.partitions`,
`network.partitioned` and `copies(m)`, over each representation of the network
(a bitmask or frozenset for `set`, a sorted tuple for `bag` with or without the
senders, a tuple of channels for `fifo`)."""

from __future__ import annotations

from .code import Code
from .domains import DBool, DInt


def net_read_code(gen, e, env, view) -> Code:
    net = gen.ctx.network
    if e.what == "partitions":
        if net.count_slot < 0:                   # partitions(0): never split
            return gen.constant(0, DInt(0, 0))
        return Code(view.slot(net.count_slot, primed=e.primed), DInt(0, net.partitions),
                    rng=(0, net.partitions))
    if e.what == "partitioned":
        if net.partition_slot < 0:
            return gen.constant(False, DBool())
        return Code(f"({view.slot(net.partition_slot, primed=e.primed)} != 0)", DBool())
    m = gen.expr(e.arg, env, view)
    rec = gen.ctx.records[e.message]
    src = view.slot(net.slot, primed=e.primed)
    if net.rep == "mask":
        base = net.messages.bases[rec.tag]
        pos = gen.position(m, rec)
        return Code(f"({src} >> ({base} + {pos}) & 1)", DInt(0, 1), rng=(0, 1))
    if net.rep == "frozenset":
        return Code(f"(1 if {m.src} in {src} else 0)", DInt(0, 1), rng=(0, 1))
    if net.rep == "fifo":
        return Code(f"sum(_q.count({m.src}) for _q in {src})", DInt())
    if net.senders:
        return Code(f"sum(1 for _e in {src} if _e[1] == {m.src})", DInt())
    return Code(f"{src}.count({m.src})", DInt())
