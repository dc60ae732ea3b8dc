"""Z3 terms of the network reads of lang/netreads.py: `network.partitions` (the
partition counter slot), `network.partitioned` (the side slot is not empty) and
`copies(m)` (the count of `m`'s cell, summed over the senders' rows of a network
with partitions; 0 or 1 for a set network)."""

from __future__ import annotations

from .ops import _sum
from .symbolic import SBits, Unencodable, eq, universe
from .terms import FALSE, If, Int, Or


def net_read_term(ev, e, env):
    net = ev.enc.system.network
    if e.what == "partitions":
        return Int(0) if net.count_slot < 0 else ev.state.read(net.count_slot, e.primed)
    if e.what == "partitioned":
        if net.partition_slot < 0:
            return FALSE
        side = ev.state.read(net.partition_slot, e.primed)
        if not isinstance(side, SBits):
            raise Unencodable("network.partitioned over this many nodes", e.span)
        return Or(*side.bits)
    snet = ev.state.network(e.primed)
    rec = ev.ctx.records[e.message]
    u = universe(rec)
    if u is None:
        raise Unencodable(f"copies() of a message type with this many values ({e.message})",
                          e.span)
    m = ev.expr(e.arg, env)
    base = snet.dom.bases[rec.tag]
    terms = []
    for j, v in enumerate(u.lifted):
        cells = snet.copies(base + j)
        count = _sum([c if snet.counts else If(c, Int(1), Int(0)) for c in cells])
        terms.append(If(eq(m, v), count, Int(0)))
    return _sum(terms)
