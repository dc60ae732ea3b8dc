"""A `System` -> its Z3 encoding: states, initial condition, transition relation.

A state is one Sym per `System.slots` item (`symbolic.fresh` of the slot's
`Dom`): Bools and Ints at the leaves, one Bool per possible value of a set, one
value per key of a map; the network is one Bool per possible message (`network
set`) or one Int count per possible message (`network bag`).  `fifo` networks
and sets over more than `symbolic.UNIVERSE_LIMIT` values are refused.

Everything is encoded once over a template pre-state (`pre`) and post-state
(`post`); `at(step)` gives the leaves of the state at a BMC step and
`instantiate(term, i)` renames a template term to step i -> i+1 with
`z3.substitute`, so the Python encoder runs once per instance, not once per step.

The transition relation `trans()` picks one action instance with a selector
`sel`: each instance's guard holds and it raises no run-time error, and each
leaf of the successor is the instance's value for it, or unchanged (frame).
"""

from __future__ import annotations

import z3

from ..lang import ir
from ..models.domains import DInt, DMap, DOption, DRecord, DSeq, DSet, DTuple, Dom
from ..models.system import System
from .actions import ActionEncoder, Frame
from .exprs import Eval
from .scopes import Deadline
from .symbolic import (SMap, SNet, SOpt, SSeq, STup, Unencodable, as_bits, default, eq, flatten,
                       fresh, ite, lift, outside, universe)
from .terms import FALSE, TRUE, And, Eq, Implies, Not, Or, current_context, is_false, literal


class StateVars:
    """The Syms of one state's slots, their leaves, and their type facts."""

    def __init__(self, slots: list, facts: list, system: System):
        self.slots = slots
        self.facts = facts
        self.leaves = []
        for v, slot in zip(slots, system.slots):
            self.leaves.extend(flatten(v, slot.dom))


class PropTerm:
    """A property over the template state(s): its value and its evaluation errors."""

    def __init__(self, prop, value, errors: list):
        self.prop = prop
        self.value = value
        self.errors = errors
        self.error = Or(*(c for c, _, _ in errors))
        # The property fails: it is false, or evaluating it raises a run-time error.
        self.fails = Or(self.error, Not(value))


class Encoding:
    def __init__(self, system: System, deadline: Deadline | None = None):
        self.system = system
        # checked while the encoding is built and in trans(): OutOfTime stops a run
        self.deadline = deadline or Deadline(None)
        self.ctx = system.context
        self.z3ctx = current_context()        # its terms' Z3 context (terms.use_context)
        self.fold_cache: dict = {}
        self._slot_sizes: list[int] | None = None        # leaves per state slot
        self.ranges: dict = {}
        self._doms: dict = {}
        self._by_name = {(v.process, v.name): lay for v, lay in system.variables.items()}
        net = system.network
        if net is not None and net.rep not in ("mask", "bag"):  # (partitions: bag or fifo)
            what = "a fifo network" if net.rep == "fifo" else \
                f"a set network over {net.messages.size or 'unboundedly'} possible messages"
            raise Unencodable(what, _network_span(system))
        self.pre = self.state("")
        self.post = self.state("'")
        self.sel = z3.Int("sel")
        self.instances = ActionEncoder(self, self.pre.slots).instances()
        self.invariants = [self.prop(p, False) for p in system.invariants]
        self.transitions = [self.prop(p, True) for p in system.transitions]
        self.constraints = [self.prop(p, False) for p in system.constraints]
        self.params = [x for inst in self.instances for x in inst.params]
        self._steps: dict[int, StateVars] = {}

    # ---- lookups used by the evaluator ----------------------------------------------------

    def layout(self, var: ir.VarSym):
        lay = self.system.variables.get(var)
        if lay is None:     # a VarSym from another elaboration (a proof file): by name
            lay = self._by_name[(var.process, var.name)]
        return lay

    def dom_of_type(self, t) -> Dom:
        d = self._doms.get(t)
        if d is None:
            d = self._doms[t] = self.ctx.gen.dom_of_type(t)
        return d

    def bounds(self, t):
        """Known (lo, hi) of an Int term, or None."""
        v = literal(t)
        if v is not None:
            return (v, v)
        if z3.is_const(t):
            return self.ranges.get(t.get_id())
        k = t.decl().kind()
        if k in (z3.Z3_OP_ADD, z3.Z3_OP_SUB):
            parts = [self.bounds(c) for c in t.children()]
            if any(p is None for p in parts):
                return None
            lo, hi = parts[0]
            for p in parts[1:]:
                lo, hi = (lo + p[0], hi + p[1]) if k == z3.Z3_OP_ADD else (lo - p[1], hi - p[0])
            return (lo, hi)
        if k == z3.Z3_OP_UMINUS:
            p = self.bounds(t.arg(0))
            return (-p[1], -p[0]) if p else None
        if k == z3.Z3_OP_ITE:
            a, b = self.bounds(t.arg(1)), self.bounds(t.arg(2))
            return (min(a[0], b[0]), max(a[1], b[1])) if a and b else None
        return None

    # ---- domains: containment and canonical form ------------------------------------------

    def contains(self, v, dom: Dom):
        if isinstance(dom, DInt):
            if dom.lo is None:
                return TRUE
            if isinstance(v, SOpt):
                return And(v.some, self.contains(v.val, dom))
            b = self.bounds(v)
            if b is not None and dom.lo <= b[0] and b[1] <= dom.hi:
                return TRUE
            x = literal(v)
            if x is not None:
                return TRUE if dom.lo <= x <= dom.hi else FALSE
            return And(v >= dom.lo, v <= dom.hi)
        if isinstance(dom, DOption):
            if isinstance(v, SOpt):
                return Or(Not(v.some), self.contains(v.val, dom.elem))
            return self.contains(v, dom.elem)
        if isinstance(dom, DTuple):
            return And(*(self.contains(x, d) for x, d in zip(v.items, dom.items)))
        if isinstance(dom, DSet):
            u = universe(dom.elem)
            if u is None:
                return TRUE
            return Not(outside(v, u))
        if isinstance(dom, DMap):
            return And(*(self.contains(x, dom.value) for x in v.entries))
        if isinstance(dom, DSeq):
            parts = [v.length <= dom.maxlen] if dom.maxlen is not None else []
            parts += [Implies(v.length > i, self.contains(x, dom.elem))
                      for i, x in enumerate(v.items)]
            return And(*parts)
        return TRUE

    def conform(self, v, dom: Dom):
        """`v` in the canonical representation of `dom` (assuming it lies in `dom`)."""
        if isinstance(dom, DOption):
            if not isinstance(v, SOpt):
                return SOpt(TRUE, self.conform(v, dom.elem))
            return SOpt(v.some, self.conform(v.val, dom.elem))
        if isinstance(v, SOpt):         # an option where its element is expected
            return self.conform(v.val, dom)
        if isinstance(dom, DRecord):
            return STup(tuple(self.conform(x, d) for x, (_, d) in zip(v.items, dom.fields)),
                        dom)
        if isinstance(dom, DTuple):
            return STup(tuple(self.conform(x, d) for x, d in zip(v.items, dom.items)))
        if isinstance(dom, DSet):
            u = universe(dom.elem)
            return as_bits(v, u) if u is not None else v
        if isinstance(dom, DMap):
            return SMap(dom.key, tuple(self.conform(x, dom.value) for x in v.entries),
                        dom.value)
        if isinstance(dom, DSeq) and dom.maxlen is not None:
            items = []
            for i in range(dom.maxlen):
                x = v.items[i] if i < len(v.items) else default(dom.elem)
                x = self.conform(x, dom.elem)
                items.append(ite(v.length > i, x, default(dom.elem)))
            return SSeq(v.length, tuple(items))
        return v

    # ---- states --------------------------------------------------------------------------------

    def state(self, tag: str) -> StateVars:
        facts: list = []
        slots = []
        net = self.system.network
        for slot in self.system.slots:
            if net is not None and slot.index == net.slot:
                counts = net.rep == "bag"
                # With partitions every message carries its sender: one row of counts
                # for the environment, then one per node.
                rows = [""]
                if net.senders:
                    rows += [f" from {self.system.node_name(i)}"
                             for i in range(len(self.system.nodes))]
                cells = []
                for row in rows:
                    for m in net.messages.values():
                        name = f"{net.messages.show(m)}{row}{tag}"
                        if counts:
                            c = z3.Int(f"#{name}")
                            facts.append(c >= 0)
                        else:
                            c = z3.Bool(f"{name} in network")
                        cells.append(c)
                slots.append(SNet(net.messages, tuple(cells), counts,
                                  len(rows) if net.senders else 0))
            else:
                v = fresh(slot.dom, f"{slot.name}{tag}", facts)
                self._register(v, slot.dom)
                slots.append(v)
        return StateVars(slots, facts, self.system)

    def _register(self, v, dom: Dom):
        if isinstance(dom, DInt) and dom.lo is not None:
            self.ranges[v.get_id()] = (dom.lo, dom.hi)
        elif isinstance(dom, DOption):
            self._register(v.val, dom.elem)
        elif isinstance(dom, DRecord):
            for x, (_, d) in zip(v.items, dom.fields):
                self._register(x, d)
        elif isinstance(dom, DTuple):
            for x, d in zip(v.items, dom.items):
                self._register(x, d)
        elif isinstance(dom, DMap):
            for x in v.entries:
                self._register(x, dom.value)
        elif isinstance(dom, DSeq):
            self.ranges[v.length.get_id()] = (0, dom.maxlen)
            for x in v.items:
                self._register(x, dom.elem)

    def at(self, step: int) -> StateVars:
        """The state at BMC step `step` (its own constants)."""
        if step not in self._steps:
            self._steps[step] = self.state(f"@{step}")
        return self._steps[step]

    def instantiate(self, term, pre: StateVars, post: StateVars | None = None, tag: str = ""):
        """A template term with the template states replaced by `pre` (and `post`), and the
        selector and symbolic choices renamed with `tag`."""
        pairs = list(zip(self.pre.leaves, pre.leaves))
        if post is not None:
            pairs += list(zip(self.post.leaves, post.leaves))
        if tag:
            pairs.append((self.sel, z3.Int(f"sel{tag}")))
            pairs += [(x, z3.Const(f"{x}{tag}", x.sort())) for x in self.params]
        return z3.substitute(term, *pairs) if pairs else term

    # ---- properties, initial states, transitions ---------------------------------------------

    def prop(self, p, two_states: bool) -> PropTerm:
        self.deadline.check()
        ev = Eval(self, Frame(self.pre.slots, self.post.slots if two_states else None))
        value = ev.expr(p.expr, {})
        return PropTerm(p, value, ev.errors)

    def check_expr(self, e: ir.E, name: str = "") -> PropTerm:
        """A proof file's expression over the template pre-state."""
        ev = Eval(self, Frame(self.pre.slots))
        value = ev.expr(e, {})
        return PropTerm(name, value, ev.errors)

    def init(self, s: StateVars):
        parts = []
        listed = self.system.initial_list
        for v, slot, choices in zip(s.slots, self.system.slots, self.system.initial_choices):
            if isinstance(v, SNet):
                parts.extend((c == 0) if v.counts else Not(c) for c in v.cells)
                continue
            if listed is None or len(choices) == 1:
                parts.append(Or(*(self.eq(v, lift(c, slot.dom)) for c in choices)))
        if listed is not None:
            # initial values that read other variables: one disjunct per initial state
            varying = [k for k, (v, c) in enumerate(zip(s.slots, self.system.initial_choices))
                       if not isinstance(v, SNet) and len(c) > 1]
            slots = self.system.slots
            parts.append(Or(*(And(*(self.eq(s.slots[k], lift(st[k], slots[k].dom))
                                    for k in varying))
                              for st in listed)))
        return And(*parts)

    def eq(self, a, b):
        return eq(a, b)

    def post_leaves(self, inst) -> list:
        out = []
        for v, slot in zip(inst.post, self.system.slots):
            out.extend(flatten(v, slot.dom))
        return out

    def changed_leaves(self, inst) -> list[tuple[int, object]]:
        """(position, new term) of each leaf of the state `inst` changes.  A slot the
        instance leaves as it is (the same object) is skipped without flattening it,
        and a leaf that is the same object is not asked of Z3: a network drop changes
        one count among thousands, and an instance per count is enumerated."""
        if self._slot_sizes is None:
            self._slot_sizes = [len(flatten(v, slot.dom))
                                for v, slot in zip(self.pre.slots, self.system.slots)]
        out, base = [], 0
        for v, old_v, slot, n in zip(inst.post, self.pre.slots, self.system.slots,
                                     self._slot_sizes):
            if v is not old_v:
                olds = self.pre.leaves[base:base + n]
                for pos, (new, old) in enumerate(zip(flatten(v, slot.dom), olds), base):
                    if new is not old and not new.eq(old):
                        out.append((pos, new))
            base += n
        return out

    def trans(self, which: list[int] | None = None):
        """T(pre, post): one of the instances `which` (default all) fires."""
        idx = list(range(len(self.instances))) if which is None else list(which)
        if not idx:
            return FALSE
        parts = [Or(*(self.sel == j for j in idx))]
        chains: dict[int, list] = {}
        for j in idx:
            self.deadline.check()
            inst = self.instances[j]
            parts.append(Implies(self.sel == j, And(inst.enabled, Not(inst.error))))
            parts.extend(inst.facts)
            for pos, new in self.changed_leaves(inst):
                chains.setdefault(pos, []).append((j, new))
        for pos, (post, old) in enumerate(zip(self.post.leaves, self.pre.leaves)):
            value = old
            for j, new in reversed(chains.get(pos, [])):
                value = z3.If(self.sel == j, new, value)
            parts.append(Eq(post, value))
        return And(*parts)

    def actions(self) -> list[tuple[str, list[int]]]:
        """(action name, its instances' indices) per action schema, in spec order."""
        out: dict[int, list[int]] = {}
        for j, inst in enumerate(self.instances):
            out.setdefault(inst.action, []).append(j)
        names = []
        for k in sorted(out):
            if k < len(self.system.actions):
                a = self.system.actions[k]
                names.append((f"{a.process}.{a.name}" if a.process else a.name, out[k]))
            else:
                names.append((f"network.{self.instances[out[k][0]].name}", out[k]))
        return names

    def enabled_any(self):
        """Some instance is enabled (its choices existentially quantified)."""
        parts = []
        for inst in self.instances:
            body = And(inst.enabled, *inst.facts)
            parts.append(z3.Exists(inst.params, body) if inst.params else body)
        return Or(*parts)

    def constraint_error(self):
        """Evaluating the constraint raises a run-time error in the template state."""
        return Or(*[p.error for p in self.constraints])

    def error_free(self, quantified: bool = True):
        """No run-time error the explicit search would stop at in the template state:
        evaluating the constraint, or taking any step (a universally quantified
        formula when an action has symbolic choices, unless `quantified` is False:
        then only the quantifier-free part).

        The errors of evaluating an invariant are not here: they belong to that
        invariant (`PropTerm.fails`), because the explicit search stops evaluating
        an invariant once it is violated, and keeps exploring.  A state where an
        invariant cannot be evaluated is therefore still expanded, and every rule
        about reachable states must keep it."""
        steps = self.no_step_error() if quantified or not self.params else TRUE
        return And(Not(self.constraint_error()), steps)

    def no_step_error(self):
        """No action instance raises a run-time error, whatever its choices."""
        parts = []
        for inst in self.instances:
            if is_false(inst.error):
                continue
            body = Implies(And(*inst.facts), Not(inst.error))
            parts.append(z3.ForAll(inst.params, body) if inst.params else body)
        return And(*parts)

    def step_error(self):
        """Some action instance raises a run-time error in the template pre-state."""
        return Or(*(And(inst.error, *inst.facts) for inst in self.instances))


def _network_span(system: System):
    net = system.context.typed.network
    return net[2] if net is not None else None

