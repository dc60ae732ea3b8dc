"""`Model`: a `System` compiled to Python functions, with the small contract
every explicit-state engine uses.

    model = Model(system)
    model.initial_states()          # list of states, canonical order
    model.successors(state)         # list of next states, deterministic order
    model.limit_successors(n)       # above n successors of one state: TooManySuccessors
    model.invariants                # [(Property, fn(state) -> bool)]
    model.violated_invariants(s, m) # bitmask of the invariants (in bitmask m) false in s
    model.transitions               # [(Property, fn(state, next) -> bool)]
    model.constraint(state)         # False: do not explore this state
    model.temporal                  # [(Property, [(label, P, Q)])] for liveness
    model.fairness                  # the fairness units of the actions
    model.trace(states)             # Trace with every step described

States are tuples with one entry per `System.slots` item.
"""

from __future__ import annotations

import itertools
import sys

from ..diagnostics import Diagnostic, Span, SpecError
from ..lang import ir
from ..lang.histories import OPERATIONS, TYPES as EVENT_TYPES
from .compile import ModelCompiler
from .domains import DAtom, DInt, DMap, Dom
from .statements import StateView
from .system import System
from .trace import Change, Message, Step, Trace


class Model:
    def __init__(self, system: System):
        self.system = system
        compiler = ModelCompiler(system)
        self.source = compiler.source()
        self.labels = compiler.labels
        ns = system.context.ns
        ns["_cap"] = sys.maxsize
        try:
            code = compile(self.source, f"<stateline model {system.name}>", "exec")
        except (SyntaxError, RecursionError, MemoryError) as exc:
            # Python's own limits (20 nested loops, 100 indentation levels, 200 nested
            # brackets) that the spec's nesting limits (lang.nesting) do not rule out.
            line = exc.lineno if isinstance(exc, SyntaxError) and exc.lineno else 0
            what, span = compiler.construct_at(line) if line else \
                ("the model", Span(system.path, 1, 1))
            detail = f" ({exc.msg})" if isinstance(exc, SyntaxError) else ""
            raise SpecError(Diagnostic(
                "SL108", f"{what} compiles to Python nested too deeply for the interpreter"
                         f"{detail}", span,
                hint="nest fewer loops, blocks or brackets, e.g. with definitions")) from None
        exec(code, ns)  # noqa: S102
        self.successors = ns["successors"]
        self.successors_labeled = ns["successors_labeled"]
        self.invariants = [(p, ns[f"invariant_{i}"]) for i, p in enumerate(system.invariants)]
        # fn(state, active) -> bitmask of the invariants in `active` false in state
        self.violated_invariants = ns["violated_invariants"]
        self.transitions = [(p, ns[f"transition_{i}"]) for i, p in enumerate(system.transitions)]
        self.constraint = ns["constraint"] if system.constraints else None
        # Per temporal property: [(instance label, P(state), Q(state) or None)]
        self.temporal = [
            (prop, [(label, ns[p], ns[q] if q else None) for label, p, q in instances])
            for prop, instances in zip(system.temporal, compiler.temporal_instances)]
        self.fairness = Fairness(system, self.labels,
                                 lambda raw: self.message(raw).shown)
        self._gen = system.context.gen
        self._net_slot = system.network.slot if system.network else -1
        self._history_slots = {slot.index for slot in system.slots if slot.var is not None
                               and slot.var.process is None
                               and slot.var.name in system.histories}

    def limit_successors(self, cap: int | None) -> None:
        """From now on, computing more than `cap` successors of one state (None: no
        limit) raises `runtime.TooManySuccessors` with those computed so far.  Only
        loops that may run their body more than `compile.FANOUT` times check it."""
        self.system.context.ns["_cap"] = sys.maxsize if cap is None else cap

    def initial_states(self) -> list[tuple]:
        """Every initial state (the search applies the constraint)."""
        if self.system.initial_list is not None:
            return list(self.system.initial_list)
        return list(itertools.product(*self.system.initial_choices))

    def site(self, index: int) -> Span:
        return self.system.sites[index]

    def expression(self, e: ir.E):
        """(fn(state) -> value, its Dom) of a typed state expression, compiled by the same
        code generator as the invariants (`Unsupported` if it cannot be compiled)."""
        code = self._gen.expr(e, {}, StateView())
        if code.const:
            return (lambda _s, v=code.value: v), code.dom
        ns = self.system.context.ns
        names = "".join(f"S{k}, " for k in range(len(self.system.slots)))
        src = f"def _expression(s):\n    {names}= s\n    return {code.src}\n" if names else \
            f"def _expression(s):\n    return {code.src}\n"
        local: dict = {}
        exec(compile(src, "<stateline expression>", "exec"), ns, local)  # noqa: S102
        return local["_expression"], code.dom

    # ---- describing states and steps ---------------------------------------------------------

    def describe(self, state: tuple) -> tuple[tuple[str, str], ...]:
        return tuple((slot.name, self.show_slot(slot.index, state[slot.index]))
                     for slot in self.system.slots)

    def show_slot(self, k: int, value) -> str:
        slot = self.system.slots[k]
        if k == self._net_slot:
            return self.show_network(value)
        if k in self._history_slots:
            return "[" + ", ".join(_show_event(slot.dom, e) for e in value) + "]"
        return slot.dom.show(value)

    def show_network(self, value) -> str:
        items = self.network_items(value)
        if self.system.network.rep == "bag":
            return "[" + ", ".join(items) + "]"
        return "{" + ("; " if self.system.network.rep == "fifo" else ", ").join(items) + "}"

    def network_items(self, value) -> list[str]:
        """The network's contents, one shown item per message (per channel for fifo)."""
        net = self.system.network
        if net.rep == "mask":
            msgs = net.messages.values()
            items, i = [], 0
            while value:
                if value & 1:
                    items.append(net.messages.show(msgs[i]))
                value >>= 1
                i += 1
            return items
        if net.rep == "frozenset":
            return [net.messages.show(m) for m in sorted(value, key=net.messages.index)]
        if net.rep == "bag":
            # A bag is a sorted tuple: copies of a message are adjacent, shown once with
            # their count ("Ping(n=0) x3"), so a state with many copies stays readable.
            if net.senders:
                shown = [f"{net.messages.show(m)} from {self.node_label(src)}"
                         for src, m in value]
            else:
                shown = [net.messages.show(m) for m in value]
            return [f"{x} x{n}" if n > 1 else x for x, n in _runs(shown)]
        parts = []
        nn = len(self.system.nodes)
        for c, q in enumerate(value):
            if q:
                src, dst = divmod(c, nn)
                parts.append(f"{self.system.node_name(src)}->{self.system.node_name(dst)}: ["
                             + ", ".join(net.messages.show(m) for m in q) + "]")
        return parts

    def history_events(self, k: int, value) -> list[str]:
        """A recorded history's events, one shown item each."""
        return [_show_event(self.system.slots[k].dom, e) for e in value]

    def is_history(self, k: int) -> bool:
        return k in self._history_slots

    def node_label(self, node: int) -> str:
        return self.system.node_name(node) if node >= 0 else "env"

    def message(self, raw, to: int | None = None) -> Message:
        rec = self.system.network.messages.records[raw[0]]
        fields = tuple((name, dom.show(raw[1 + i])) for i, (name, dom) in enumerate(rec.fields))
        return Message(rec.show(raw), rec.name, fields,
                       self.system.node_name(to) if to is not None else None, raw)

    def step(self, state: tuple, label: tuple, nxt: tuple, number: int) -> Step:
        k, inst, params, received, sends = label
        name, process, pnames = self.labels[k]
        builtin = k >= len(self.system.actions)   # drop, partition, heal of the network
        if process is None:
            node = "network" if builtin else "env"
        else:
            proc = self.system.processes[process]
            node = process if proc.single else f"{process}[{proc.instance_dom.show(inst)}]"
        action = self.system.actions[k] if k < len(self.system.actions) else None
        shown_params = []
        if builtin and name == "partition":
            side_dom = self.system.slots[self.system.network.partition_slot].dom
            shown_params.append(("side", side_dom.show(params[0])))
        elif action is not None:
            for (local, _), v in zip(action.params, params):
                shown_params.append((local.name, self._show_value(local.type, v)))
        changes = []
        for slot in self.system.slots:
            old, new = state[slot.index], nxt[slot.index]
            if slot.index == self._net_slot or old == new:
                continue
            if slot.index in self._history_slots and new[:len(old)] == old:
                changes.append(Change(slot.name, self.show_slot(slot.index, old),
                                      self.show_slot(slot.index, new),
                                      ", ".join(_show_event(slot.dom, e)
                                                for e in new[len(old):])))
            else:
                changes.extend(_changes(slot.name, slot.dom, old, new))
        changes = tuple(changes)
        return Step(number, name, process, node, tuple(shown_params),
                    self.message(received) if received is not None else None,
                    tuple(self.message(m, to) for m, to in sends), changes, label)

    def _show_value(self, static_type, v) -> str:
        dom = self._gen.dom_of_type(static_type)
        if isinstance(dom, DInt) or not isinstance(dom, DAtom):
            try:
                return dom.show(v)
            except Exception:
                return repr(v)
        return dom.show(v)

    def trace(self, states: list[tuple], loop_start: int | None = None,
              choices: list[int | None] | None = None) -> Trace:
        """Describe a path of states by replaying each transition.

        `choices[i]`, when given and not None, is the position of step i+1 among
        the labelled successors of state i (to show the very step a search chose
        when several lead to the same state); otherwise the first that fits.
        """
        steps = []
        for i in range(1, len(states)):
            s, t = states[i - 1], states[i]
            options = self.successors_labeled(s)
            c = choices[i - 1] if choices is not None and i - 1 < len(choices) else None
            if c is not None and 0 <= c < len(options) and options[c][1] == t:
                options = [options[c]]
            for label, nxt in options:
                if nxt == t:
                    steps.append(self.step(s, label, nxt, i))
                    break
            else:
                raise AssertionError(f"internal error: step {i} of a trace is not a transition")
        nodes = tuple(self.system.node_name(i) for i in range(len(self.system.nodes)))
        return Trace(self.describe(states[0]), tuple(steps), tuple(states), loop_start, nodes)


def _runs(items: list[str]) -> list[tuple[str, int]]:
    """[(item, how many times in a row)] of a list."""
    out: list[tuple[str, int]] = []
    for x in items:
        if out and out[-1][0] == x:
            out[-1] = (x, out[-1][1] + 1)
        else:
            out.append((x, 1))
    return out


def _show_event(dom, event) -> str:
    """One recorded event (process, type, f, value) as `c1 invoke write(1)`."""
    proc_dom, _, _, value_dom = dom.elem.items
    p, t, f, v = event
    shown = f"({value_dom.show(v)})" if (t, f) in ((0, 1), (1, 0)) else ""
    return f"{proc_dom.show(p)} {EVENT_TYPES[t]} {OPERATIONS[f]}{shown}"


def _changes(name: str, dom: Dom, old, new) -> list[Change]:
    """The changed parts of a value: map entries one by one, anything else whole."""
    if isinstance(dom, DMap):
        out = []
        for k, a, b in zip(dom.key.values(), old, new):
            if a != b:
                out.extend(_changes(f"{name}[{dom.key.show(k)}]", dom.value, a, b))
        return out
    return [Change(name, dom.show(old), dom.show(new))]


class Fairness:
    """The fairness units of a model, and which units each labelled step belongs to.

    A unit is one fairness constraint: by default one fair action for one process
    instance (TLA+'s WF_vars(\\E params: A(self, params)) for each self); with a
    check block's `per p`, one per value of the parameter p as well; with `per
    message`, one per received message; with `per instance`, one for all the
    (non-environment) steps of a process instance.  A unit is *enabled* in a state
    when one of its steps leads to a different state there, and *taken* by such a
    step: a step that changes nothing is stuttering (TLA+'s <<A>>_vars), which
    neither takes nor enables anything.  That condition is the caller's (the search
    compares the states); this class maps labels to units.

    Units are numbered as steps first meet them (so a unit that no step ever
    belongs to does not exist: it is never enabled, so it constrains nothing).
    `unit_set(label)` is the index, in `sets`, of the bitmask of the units a step
    takes; `sets[0]` is the empty set.
    """

    def __init__(self, system: System, labels, show_message=None):
        self.kinds: list[str] = []       # "weak" | "strong", per unit
        self.keys: list[tuple] = []      # the key of each unit (see `_key`)
        self.sets: list[int] = [0]
        self._set_index: dict[int, int] = {0: 0}
        self._units: dict[tuple, int] = {}
        self._cache: dict[tuple, int] = {}
        self._system = system
        self._labels = labels
        self._show_message = show_message
        # Per action index: [(group, how, kind)]; `how` is "node" (the key is the
        # instance), "message" (and the received message) or a tuple of parameter
        # positions (and their values).
        self.rules: dict[int, list[tuple]] = {}
        kinds: dict[tuple, str] = {}
        for k, (action, rules) in enumerate(zip(system.actions, system.fairness)):
            for rule in rules:
                if rule.per == ir.PER_INSTANCE:
                    group, how = ("process", action.process), "node"
                elif rule.per == ir.PER_MESSAGE:
                    group, how = ("message", k), "message"
                elif rule.per == ir.PER_ACTION:
                    group, how = ("action", k), "node"
                else:
                    names = [local.name for local, _ in action.params]
                    how = tuple(names.index(n) for n in rule.per)
                    group = ("params", k, how)
                if kinds.get(group) != "strong":
                    kinds[group] = rule.kind
                self.rules.setdefault(k, []).append((group, how))
        heal = [k for k in range(len(system.actions), len(labels)) if labels[k][0] == "heal"]
        if system.heal_fairness is not None and heal:     # none with partitions(0)
            kinds[("heal",)] = system.heal_fairness
            self.rules[heal[0]] = [(("heal",), "node")]
        self.rules = {k: [(g, how, kinds[g]) for g, how in dict.fromkeys(rs)]
                      for k, rs in self.rules.items()}
        self._by_node = {k for k, rs in self.rules.items() if all(h == "node" for _, h, _ in rs)}

    def __len__(self) -> int:
        return len(self.kinds)

    @staticmethod
    def key(group: tuple, how, node, params: tuple, received) -> tuple:
        """The unit key of a step of `group` by instance `node`."""
        if how == "node":
            return (group, node)
        if how == "message":
            return (group, node, received)
        return (group, node, tuple(params[i] for i in how))

    def unit_index(self, key: tuple, kind: str) -> int:
        u = self._units.get(key)
        if u is None:
            u = self._units[key] = len(self.kinds)
            self.kinds.append(kind)
            self.keys.append(key)
        return u

    def unit_set(self, label: tuple) -> int:
        """The index in `sets` of the units a step with this label belongs to."""
        rules = self.rules.get(label[0])
        if rules is None:
            return 0
        # (the common case, units per action and instance, needs only those two)
        ck = (label[0], label[1]) if label[0] in self._by_node else \
            (label[0], label[1], label[2], label[3])
        s = self._cache.get(ck)
        if s is None:
            mask = 0
            for group, how, kind in rules:
                mask |= 1 << self.unit_index(self.key(group, how, label[1], label[2],
                                                      label[3]), kind)
            s = self._set_index.get(mask)
            if s is None:
                s = self._set_index[mask] = len(self.sets)
                self.sets.append(mask)
            self._cache[ck] = s
        return s

    def numbering(self) -> tuple:
        """The units and unit sets met so far, as plain data (a search's checkpoint
        keeps them: its edges name units by these numbers)."""
        return (list(self.kinds), list(self.keys), list(self.sets))

    def renumber(self, numbering: tuple) -> None:
        """Continue with the units and unit sets of `numbering()` (resuming a search)."""
        kinds, keys, sets = numbering
        self.kinds, self.keys, self.sets = list(kinds), [tuple(k) for k in keys], list(sets)
        self._units = {k: u for u, k in enumerate(self.keys)}
        self._set_index = {m: i for i, m in enumerate(self.sets)}
        self._cache = {}

    def mask(self, kind: str) -> int:
        return sum(1 << u for u, k in enumerate(self.kinds) if k == kind)

    def name(self, u: int) -> str:
        """A unit as the reader knows it, e.g. `Server[s1].on Request per Request(1)`."""
        group, node, *rest = self.keys[u]
        system = self._system
        if group[0] == "heal":
            return "network.heal"
        if group[0] == "process":
            proc = system.processes[group[1]]
            return (proc.name if proc.single else
                    f"{proc.name}[{proc.instance_dom.show(node)}]") + " (every step)"
        action = system.actions[group[1]]
        proc = system.processes.get(action.process) if action.process else None
        if proc is None:
            where = ""
        elif proc.single:
            where = proc.name + "."
        else:
            where = f"{proc.name}[{proc.instance_dom.show(node)}]."
        text = where + action.name
        if group[0] == "message":
            shown = self._show_message(rest[0]) if self._show_message else repr(rest[0])
            text += f" per message {shown}"
        elif group[0] == "params":
            gen = system.context.gen
            parts = []
            for i, v in zip(group[2], rest[0]):
                local = action.params[i][0]
                parts.append(f"{local.name}={gen.dom_of_type(local.type).show(v)}")
            text += " per " + ", ".join(parts)
        return text
