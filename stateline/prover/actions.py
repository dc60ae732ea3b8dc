"""Action schemas -> action instances: guard, run-time errors and successor, symbolically.

An *instance* is one choice of acting process instance, parameter values and
received message, as the explicit engine's generated loops make it
(models/compile.py).  Small finite choices are unrolled into separate
instances, so that the choice is a known value and guards such as
`m.dst == self` are decided while encoding (an instance whose guard is false
for its choice is dropped); a choice over a larger domain stays symbolic: a
fresh Z3 constant constrained to the domain, existentially quantified by the
transition relation.

Statements run in order over a `Frame` of the state slots: `x := e` replaces a
slot's value, `require c` conjoins `c` to the reach condition, `if` runs both
branches and merges them with `ite`, `for` runs its body once per possible
element under that element's guard, `send` sets a message's Bool (set
network) or adds one to its count (bag network).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import z3

from ..lang import ir
from ..lang.raising import may_raise
from ..models.domains import DMap, DOption, DSeq, DSet
from .exprs import Bound, Eval
from .symbolic import (NOT_CONST, SBits, SMap, SNet, SOpt, SSeq, STup, Unencodable, const_value, eq,
                       flatten, fresh, ite, lift, member, sorted_universe)
from .terms import FALSE, TRUE, And, If, Not, Or, is_false

UNROLL_LIMIT = 1024       # instances of one action schema unrolled while encoding
UNROLL_DOMAIN = 256       # a parameter or message with more possible values stays symbolic


@dataclass
class Instance:
    action: int                       # index into System.actions (len(actions): drop)
    name: str                         # e.g. "RM[1].prepare", for messages
    params: list = field(default_factory=list)   # fresh constants (existential)
    facts: list = field(default_factory=list)    # their type constraints
    enabled: object = TRUE            # the guard and every `require` hold
    error: object = FALSE             # evaluating the action raises a run-time error
    errors: list = field(default_factory=list)   # (condition, span, message)
    post: list = field(default_factory=list)     # the successor's state slots (Syms)
    node: object = None               # the acting process instance's value (None: single)
    # the values of the action's parameters and of the received message, each NOT_CONST
    # when the choice stays symbolic (for per-parameter and per-message fairness units)
    values: tuple = ()
    received: object = None


class Frame:
    """The state slots during an action body (written slots replaced)."""

    def __init__(self, slots: list, post=None):
        self.slots = list(slots)
        self.post = post

    def read(self, k: int, primed: bool = False):
        if primed:
            if self.post is None:
                raise Unencodable("a primed expression outside a transition invariant")
            return self.post[k]
        return self.slots[k]

    def network(self, primed: bool = False):
        for net in (self.post if primed and self.post is not None else self.slots):
            if isinstance(net, SNet):
                return net
        if primed and self.post is None:
            raise Unencodable("a primed expression outside a transition invariant")
        raise Unencodable("sent() in a spec without a network")

    def copy(self) -> "Frame":
        return Frame(self.slots, self.post)


def merge(c, a: Frame, b: Frame) -> Frame:
    return Frame([x if x is y else ite(c, x, y) for x, y in zip(a.slots, b.slots)], a.post)


def split_guards(action: ir.ActionIR):
    """Guard conjuncts (the header's `if` and the leading `require`s), and the rest."""
    conj: list[ir.E] = []

    def add(e):
        if isinstance(e, ir.Op) and e.op == "and":
            for a in e.args:
                add(a)
        else:
            conj.append(e)

    if action.guard is not None:
        add(action.guard)
    body = list(action.body)
    while body and isinstance(body[0], ir.RequireS):
        add(body.pop(0).cond)
    return conj, tuple(body)


class Body(Eval):
    """Evaluates one action instance's guard and body over a Frame."""

    def run(self, stmts, env: dict):
        for st in stmts:
            self.enc.deadline.check()
            if is_false(self.reach):
                return
            method = getattr(self, "_s_" + type(st).__name__, None)
            if method is None:
                raise Unencodable(f"this kind of statement ({type(st).__name__})", st.span)
            method(st, env)

    def _s_RequireS(self, st, env):
        self.reach = And(self.reach, self.expr(st.cond, env))

    def _s_AssertS(self, st, env):
        self.error(Not(self.expr(st.cond, env)), st.span, f"assertion failed: {st.message}")

    def _s_LetS(self, st, env):
        env[st.local] = self.bind(self.expr(st.value, env), st.local.type)

    def _s_AssignS(self, st, env):
        lay = self.enc.layout(st.var)
        proc = lay.process
        if proc is None or proc.single:
            slots = [(TRUE, lay.base)]
        else:
            key = self.expr(st.key, env)
            kv = const_value(key, proc.instance_dom)
            if kv is not NOT_CONST:
                if kv not in proc.instances:
                    self.error(TRUE, st.span, f"instance of {proc.name}: not an instance")
                    self.reach = FALSE
                    return
                slots = [(TRUE, lay.base + proc.instances.index(kv))]
            else:
                slots = [(eq(key, lift(inst, proc.instance_dom)), lay.base + i)
                         for i, inst in enumerate(proc.instances)]
                self.error(Not(Or(*(c for c, _ in slots))), st.span,
                           f"instance of {proc.name}: not an instance")
        if len(slots) == 1:
            k = slots[0][1]
            self.state.slots[k] = self.updated(self.state.slots[k], lay.dom, list(st.path),
                                               st, env)
            return
        # A slot known only at run time: the value is computed once per candidate
        # slot (the expression reads the same state either way).
        for c, k in slots:
            with self.under(c):
                new = self.updated(self.state.slots[k], lay.dom, list(st.path), st, env)
            self.state.slots[k] = ite(c, new, self.state.slots[k])

    def updated(self, cur, dom, path, st, env):
        if not path:
            return self.checked(self.expr(st.value, env), dom, st.value.span,
                                f"'{st.var.name}'")
        kind, x = path[0]
        if isinstance(dom, DOption):        # r.f := v on an option record: r must be set
            inner = self.unwrap(cur, st.span)
            return SOpt(TRUE, self.updated(inner, dom.elem, path, st, env))
        if kind == "field":
            items = list(cur.items)
            items[x] = self.updated(items[x], dom.fields[x][1], path[1:], st, env)
            return STup(tuple(items), cur.rec)
        key = self.expr(x, env)
        if isinstance(dom, DMap):
            options, _ = self.map_slot(cur, key, x.span, cur.entries)
            kv = const_value(key, dom.key)
            if kv is not NOT_CONST:
                if not dom.key.contains(kv):
                    return cur
                i = dom.key.index(kv)
                entries = list(cur.entries)
                entries[i] = self.updated(entries[i], dom.value, path[1:], st, env)
                return SMap(cur.key, tuple(entries), cur.vdom)
            entries = []
            for k, e in zip(dom.key.values(), cur.entries):
                c = eq(key, lift(k, dom.key))
                with self.under(c):
                    new = self.updated(e, dom.value, path[1:], st, env)
                entries.append(ite(c, new, e))
            return SMap(cur.key, tuple(entries), cur.vdom)
        assert isinstance(dom, DSeq)
        idx = self.seq_index(cur, key, x.span)
        items = []
        for j, e in enumerate(cur.items):
            c = idx == j
            with self.under(c):
                new = self.updated(e, dom.elem, path[1:], st, env)
            items.append(ite(c, new, e))
        return SSeq(cur.length, tuple(items))

    sender = 0              # the sender row of this instance's sends (partitions)

    def _s_SendS(self, st, env):
        msg = self.expr(st.message, env)
        k = self.system.network.slot
        self.state.slots[k] = send(self.state.slots[k], msg, self.sender)

    def _s_IfS(self, st, env):
        c = self.expr(st.cond, env)
        start, reach = self.state, self.reach
        self.state, self.reach = start.copy(), And(reach, c)
        self.run(st.then, dict(env))
        then_state, then_reach = self.state, self.reach
        self.state, self.reach = start.copy(), And(reach, Not(c))
        self.run(st.orelse, dict(env))
        self.state = merge(c, then_state, self.state)
        self.reach = Or(then_reach, self.reach)

    def _s_ForS(self, st, env):
        d = self.expr(st.domain, env)
        if isinstance(d, SSeq):
            steps = [(d.length > j, self.bind(x, st.local.type)) for j, x in enumerate(d.items)]
        else:
            steps = self.members(d, st.local)
            if hasattr(d, "univ") and not DSet(d.univ.dom).mask:
                order = sorted_universe(d.univ)
                by_value = {b.value: (g, b) for g, b in steps}
                steps = [by_value[d.univ.values[i]] for i in order
                         if d.univ.values[i] in by_value]
        for g, b in steps:
            if is_false(g):
                continue
            start, reach = self.state, self.reach
            self.state, self.reach = start.copy(), And(reach, g)
            self.run(st.body, {**env, st.local: b})
            self.state = merge(g, self.state, start)
            self.reach = reach


def send(net: SNet, msg, row: int = 0) -> SNet:
    """The network with `msg` added (by the sender of row `row`, with partitions)."""
    rec = msg.rec
    base = net.dom.bases[rec.tag] + (row * net.size if net.senders else 0)
    cells = list(net.cells)
    key = const_value(msg, rec)
    targets = range(rec.size) if key is NOT_CONST else [rec.index(key)]
    univ = rec.values() if key is NOT_CONST else None
    for i in targets:
        hit = TRUE if univ is None else eq(msg, lift(univ[i], rec))
        if is_false(hit):
            continue
        c = cells[base + i]
        cells[base + i] = If(hit, c + 1, c) if net.counts else Or(c, hit)
    return net.with_cells(cells)


@dataclass(frozen=True)
class _Choice:
    """The choices made so far for one action instance."""

    guard: object = TRUE              # the chosen values are in their domains
    params: tuple = ()                # symbolic choices' leaves
    facts: tuple = ()
    errors: tuple = ()                # run-time errors evaluating the domains
    self_value: object = None
    consume: tuple | None = None      # ("consume" | "keep", cell index or message Sym)

    def but(self, **changes) -> "_Choice":
        return dataclasses.replace(self, **changes)


def consume(net: SNet, where) -> SNet:
    """The bag without one copy of the received message (a cell index, a message Sym, or
    with partitions a message Sym and its sender row)."""
    cells = list(net.cells)
    if isinstance(where, int):
        cells[where] = cells[where] - 1
    elif isinstance(where, tuple):          # (message Sym, sender row term): partitions
        msg, row = where
        rec = msg.rec
        base = net.dom.bases[rec.tag]
        for r in range(net.senders):
            for j, u in enumerate(rec.values()):
                k = r * net.size + base + j
                cells[k] = If(And(row == r, eq(msg, lift(u, rec))), cells[k] - 1, cells[k])
    else:
        rec = where.rec
        base = net.dom.bases[rec.tag]
        for j, u in enumerate(rec.values()):
            cells[base + j] = If(eq(where, lift(u, rec)), cells[base + j] - 1, cells[base + j])
    return net.with_cells(cells)


class ActionEncoder:
    """Enumerates the instances of every action schema of a System."""

    def __init__(self, enc, pre_slots: list):
        self.enc = enc
        self.system = enc.system
        self.pre = pre_slots
        self.net = self.system.network
        self.nparams = 0

    def instances(self) -> list[Instance]:
        out: list[Instance] = []
        for k, action in enumerate(self.system.actions):
            self.action_instances(k, action, out)
        # The built-in actions, with the label indices models/compile.py gives them.
        k = len(self.system.actions)
        if self.net is not None and self.net.lossy:
            self.drop_instances(k, out)
            k += 1
        if self.net is not None and self.net.partitions:
            self.partition_instances(k, out)
        return out

    def title(self, action, proc, self_value) -> str:
        if proc is None:
            return action.name
        if proc.single:
            return f"{proc.name}.{action.name}"
        return f"{proc.name}[{proc.instance_dom.show(self_value)}].{action.name}"

    def action_instances(self, k: int, action: ir.ActionIR, out: list):
        proc = self.system.processes.get(action.process) if action.process else None
        conj, body = split_guards(action)
        binders = []
        if proc is not None and not proc.single:
            binders.append(("self", proc))
        binders.extend(("param", p) for p in action.params)
        if action.receive is not None:
            binders.append(("receive", action.receive))
        probe = Body(self.enc, Frame(self.pre))
        def level(i, env, ch: _Choice, budget: int):
            self.enc.deadline.check()
            # prune with the guard conjuncts already decided by the choices made so far
            for c in conj:
                v = probe.fold(c, env)
                if v is not None and is_false(v):
                    return
                if may_raise(c):
                    break
            if i == len(binders):
                self.leaf(k, action, proc, conj, body, env, ch, out)
                return
            kind, b = binders[i]
            if kind == "self":
                for v in proc.instances:
                    bound = Bound(lift(v, proc.instance_dom), v, proc.instance_dom)
                    level(i + 1, {**env, proc.self_local: bound}, ch.but(self_value=v), budget)
                return
            if kind == "param":
                local, dom_e = b
                probe.reach, probe.errors = ch.guard, []
                d = probe.expr(dom_e, env)
                ch = ch.but(errors=ch.errors + tuple(probe.errors))
                choices = probe.members(d, local)
                if len(choices) <= min(UNROLL_DOMAIN, budget):
                    inner = max(1, budget // max(1, len(choices)))
                    for g, bound in choices:
                        level(i + 1, {**env, local: bound}, ch.but(guard=And(ch.guard, g)),
                              inner)
                    return
                x, leaves, facts = self.symbolic(local.name, probe.dom(local.type))
                level(i + 1, {**env, local: probe.bind(x, local.type)},
                      ch.but(guard=And(ch.guard, member(x, d)), params=ch.params + leaves,
                             facts=ch.facts + facts), budget)
                return
            msg_type, local = b
            rec = self.enc.ctx.records[msg_type]
            net = self.net_slot()
            base = net.dom.bases[rec.tag]
            if net.senders:
                # With partitions a message carries its sender: a copy is deliverable
                # when the sender and the receiver are on the same side.
                dst = self.node_of(proc, ch.self_value)
                if rec.size * net.senders <= min(UNROLL_DOMAIN, budget):
                    for j, u in enumerate(rec.values()):
                        for row in range(net.senders):
                            where = row * net.size + base + j
                            present = And(net.cells[where] > 0, self.same_side(row, dst))
                            for variant in self.receive_variants():
                                level(i + 1, {**env, local: Bound(lift(u, rec), u, rec)},
                                      ch.but(guard=And(ch.guard, present),
                                             consume=(variant, where)), 1)
                    return
                # many possible messages: the message and its sender row stay symbolic
                x, leaves, facts = self.symbolic(local.name, rec)
                row = z3.Int(f"{local.name}.from#{self.nparams}")
                present = Or(*(And(row == r, eq(x, lift(u, rec)),
                                   net.cells[r * net.size + base + j] > 0,
                                   self.same_side(r, dst))
                               for r in range(net.senders) for j, u in enumerate(rec.values())))
                for variant in self.receive_variants():
                    level(i + 1, {**env, local: Bound(x, NOT_CONST, rec)},
                          ch.but(guard=And(ch.guard, present), params=ch.params + leaves + (row,),
                                 facts=ch.facts + facts + (row >= 0, row < net.senders),
                                 consume=(variant, (x, row))), budget)
                return
            if rec.size <= min(UNROLL_DOMAIN, budget):
                for j, u in enumerate(rec.values()):
                    cell = net.cells[base + j]
                    present = cell > 0 if net.counts else cell
                    for variant in self.receive_variants():
                        level(i + 1, {**env, local: Bound(lift(u, rec), u, rec)},
                              ch.but(guard=And(ch.guard, present), consume=(variant, base + j)),
                              1)
                return
            x, leaves, facts = self.symbolic(local.name, rec)
            present = member(x, probe.sent(net, msg_type))
            for variant in self.receive_variants():
                level(i + 1, {**env, local: Bound(x, NOT_CONST, rec)},
                      ch.but(guard=And(ch.guard, present), params=ch.params + leaves,
                             facts=ch.facts + facts, consume=(variant, x)), budget)

        level(0, {}, _Choice(), UNROLL_LIMIT)

    def receive_variants(self):
        if self.net.rep == "bag":
            return ("consume", "keep") if self.net.duplicating else ("consume",)
        return ("keep",)

    def node_of(self, proc, self_value) -> int | None:
        """The node index (in System.nodes) of an acting process instance, or None."""
        if proc is None:
            return None
        if proc.single:
            return proc.first_node
        return proc.first_node + proc.instances.index(self_value)

    def same_side(self, row: int, dst: int | None):
        """Can a message of sender row `row` reach node `dst`?  (as runtime.same_side:
        the environment reaches everyone; no partition: all bits are false.)"""
        if row == 0 or dst is None:
            return TRUE
        side = self.pre[self.net.partition_slot].bits
        return side[row - 1] == side[dst]

    def net_slot(self) -> SNet:
        if self.net is None:
            raise Unencodable("a message handler without a network")
        return self.pre[self.net.slot]

    def symbolic(self, name: str, dom):
        """A fresh symbolic choice: its Sym, its leaves and its type facts."""
        self.nparams += 1
        facts: list = []
        x = fresh(dom, f"{name}#{self.nparams}", facts)
        return x, tuple(flatten(x, dom)), tuple(facts)

    def leaf(self, k, action, proc, conj, body, env, ch: "_Choice", out):
        frame = Frame(self.pre)
        ev = Body(self.enc, frame)
        ev.reach = ch.guard
        ev.errors = list(ch.errors)
        for c in conj:
            if is_false(ev.reach):
                break
            ev.reach = And(ev.reach, ev.expr(c, env))
        if self.net is not None and self.net.senders:
            node = self.node_of(proc, ch.self_value)
            ev.sender = 0 if node is None else node + 1
        if ch.consume is not None and ch.consume[0] == "consume":
            # a bag receive consumes the message: the guards saw it, the body does not
            frame.slots[self.net.slot] = consume(frame.slots[self.net.slot], ch.consume[1])
        ev.run(body, dict(env))
        error = Or(*(c for c, _, _ in ev.errors))
        if is_false(ev.reach) and is_false(error):
            return
        post = [self.enc.conform(v, slot.dom) if not isinstance(v, SNet) else v
                for v, slot in zip(ev.state.slots, self.system.slots)]
        values = tuple(env[local].value for local, _ in action.params)
        received = env[action.receive[1]].value if action.receive is not None else None
        out.append(Instance(k, self.title(action, proc, ch.self_value), ch.params, ch.facts,
                            ev.reach, error, ev.errors, post, ch.self_value, values,
                            received))

    def drop_instances(self, k: int, out: list):
        net = self.net_slot()
        for j in range(len(net.cells)):
            cells = list(net.cells)
            cells[j] = cells[j] - 1
            post = list(self.pre)
            post[self.net.slot] = net.with_cells(cells)
            out.append(Instance(k, "drop", [], [], net.cells[j] > 0, FALSE, [], post))

    def partition_instances(self, k: int, out: list):
        """`network.partition` (label k: split the nodes in two, while connected, at most
        N times; each split listed once, by the side holding node 0) and `network.heal`
        (label k + 1), as models/compile.py generates them."""
        net = self.net
        side = self.pre[net.partition_slot]
        count = self.pre[net.count_slot]
        nn = len(side.bits)
        whole = And(*(Not(b) for b in side.bits))
        for g in range(1, (1 << nn) - 1):
            if not g & 1:
                continue
            post = list(self.pre)
            post[net.partition_slot] = SBits(side.univ, tuple(
                TRUE if g >> i & 1 else FALSE for i in range(nn)))
            post[net.count_slot] = count + 1
            out.append(Instance(k, "partition", [], [], And(whole, count < net.partitions),
                                FALSE, [], post))
        post = list(self.pre)
        post[net.partition_slot] = SBits(side.univ, tuple(FALSE for _ in range(nn)))
        out.append(Instance(k + 1, "heal", [], [], Not(whole), FALSE, [], post))

