"""Events that may be consumed before everything concurrent with them (a partial-order
reduction of the search).

Without it, the search expands every interleaving of concurrent events: a trace
whose w nodes act concurrently has up to (events/w + 1)^w consistent cuts.  Most
of those interleavings reach the same state, because the steps of different
process instances commute.  Where that is certain, the search takes one event
first and skips the rest (Valmari's stubborn sets, Godefroid's persistent sets:
here a set of one event).

Event e of node n is *eligible* when, statically,

* the spec has no state constraint;
* e's action reads and writes only its own instance's variables (no global, no
  `Q[i].x`, no `sent(...)`), and no action of the spec reads or writes the
  variables of n's process other than through its own instance;
* no action of n's process is internal (so n takes no unseen step), n's events
  form one chain of the causal order (so every other event of n comes after e),
  e observes only n's variables, and no event of another node observes them;
* if e receives a message on a bag network: its message is fully observed, no
  event of another node may receive the same message (each receives another
  fully observed message, or a message of another type), no internal action
  receives that type, and the network has no partitions (a fifo channel into n
  is n's alone, and a set network never loses a message: no condition there);

and, at a configuration, e is enabled (its chain and requirements allow it) and
some step of the spec matches it.  Then, for every way α e β of completing the
trace, e α β is one too and reaches the same state: α's steps neither read nor
write n's variables, never take e's message, and only gain from e's sends
(adding a message to a bag or a set, or to a fifo channel that only n fills,
commutes with what the others do).  So the search takes e's matching steps only,
which keeps every conforming trace conforming, and reaches a cut with at least
as many events consumed as without the reduction.  Which matched behaviour and
which reachable states are reported may differ; the verdict does not.
"""

from __future__ import annotations

from ..lang import ir
from ..models.model import Model
from .events import Event, TraceInput


def _refs(action: ir.ActionIR):
    """(variable, own instance?) of every state variable the action reads or writes, and
    whether it reads the network's contents."""
    out, network = [], False

    def own(key) -> bool:
        if action.process is None:
            return False
        if key is None:
            return action.self_local is None
        return isinstance(key, ir.LocalRef) and key.local is action.self_local

    def visit(node) -> None:
        nonlocal network
        if isinstance(node, (ir.VarRef, ir.AssignS)):
            out.append((node.var, node.var.process == action.process and own(node.key)))
        elif isinstance(node, ir.Sent):
            network = True
        for child in ir.children(node):
            visit(child)

    for _, domain in action.params:
        visit(domain)
    if action.guard is not None:
        visit(action.guard)
    for st in action.body:
        visit(st)
    return out, network


def eligible(model: Model, trace: TraceInput, chains: list[list[Event]],
             internal: frozenset) -> list[bool]:
    """Per event (by index): may the search take it first when a step matches it?"""
    system = model.system
    events = trace.events
    no = [False] * len(events)
    if model.constraint is not None or not events:
        return no
    local, open_processes = set(), set()
    for k, action in enumerate(system.actions):
        refs, network = _refs(action)
        for var, own in refs:
            if not own and var.process is not None:
                open_processes.add(var.process)
        if not network and all(own for _, own in refs):
            local.add(k)
    for k in internal:
        process = model.labels[k][1]
        if process is not None:
            open_processes.add(process)
    internal_receives = {system.actions[k].receive[0] for k in internal
                         if k < len(system.actions) and system.actions[k].receive}
    slots_of: dict[int, set[int]] = {}
    for slot in system.slots:
        if slot.var is not None and slot.var.process is not None:
            node = system.node_index(slot.var.process, slot.instance)
            slots_of.setdefault(node, set()).add(slot.index)
    chains_of: dict = {}
    for c, chain in enumerate(chains):
        for e in chain:
            chains_of.setdefault(e.node, set()).add(c)
    observed_by: dict[int, set] = {}
    for e in events:
        for target, _ in (*e.pre, *e.post):
            observed_by.setdefault(target.slot, set()).add(e.node)
    net = system.network
    bag = net is not None and net.rep == "bag"
    # Who may take which message: per message type, the nodes with a receiver that does
    # not observe its whole message; per whole message, the nodes that receive it.
    partial: dict[int, set] = {}
    whole: dict[tuple, set] = {}
    for e in events:
        action = system.actions[e.k] if e.k < len(system.actions) else None
        if action is None or action.receive is None:
            continue
        tag = system.records[action.receive[0]].tag
        if _whole(e, system):
            whole.setdefault((tag, e.msg_fields), set()).add(e.node)
        else:
            partial.setdefault(tag, set()).add(e.node)
    out = []
    for e in events:
        ok = e.node is not None and e.k in local and \
            system.nodes[e.node][0] not in open_processes and len(chains_of[e.node]) == 1
        own = slots_of.get(e.node, set())
        if ok:
            ok = all(t.slot in own for t, _ in (*e.pre, *e.post)) and \
                all(observed_by.get(slot, {e.node}) <= {e.node} for slot in own)
        action = system.actions[e.k] if ok else None
        if ok and action.receive is not None and net is not None and net.rep != "fifo":
            if net.partitions:
                ok = False
            elif bag:
                ok = _whole(e, system) and partial.get(e.msg_tag, set()) <= {e.node} and \
                    whole[(e.msg_tag, e.msg_fields)] <= {e.node} and \
                    action.receive[0] not in internal_receives
        if ok and action.receive is not None and net is not None and net.partitions:
            ok = False
        out.append(ok)
    return out


def _whole(e: Event, system) -> bool:
    """Does the event observe every field of the message it receives?"""
    return e.msg_tag is not None and \
        len(e.msg_fields) == len(system.network.messages.records[e.msg_tag].fields)
