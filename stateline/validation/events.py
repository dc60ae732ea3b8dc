"""Spans as events: the step of the spec each span claims to be, and what it observed.

`EventReader(model, mapping).read(files)` merges the spans of every file by
trace id and turns each mapped span into an `Event`: the action (its index in
`model.labels`), the process instance, the parameters and the received
message as far as the span tells them, the messages sent, and observations
of variables before and after the step.  Values are decoded into the model's
runtime values (`values.decode`), so matching a step is comparing tuples.

A span that cannot be read as the step it claims to be (an unknown action, a
node the spec does not have, a value outside its type, a reserved attribute of
the wrong kind: `stateline.changes` that is no kvlist, `stateline.action` that
is no string) is an `EventError` naming the file, the span and the attribute:
bad input, never a traceback, and never passed over (an observation quietly
dropped could let a trace that contradicts the spec conform).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import did_you_mean
from ..models.domains import DMap, Dom, sort_key
from ..models.model import Model
from ..otlp.causal import describe
from ..otlp.importer import Span
from ..otlp.mapping import service_names
from . import values
from .rules import Mapping, Rule


class EventError(Exception):
    """A span that does not map onto the spec; the message names the file and the span."""


@dataclass(frozen=True)
class Target:
    """An observable part of the state: a slot, or an entry of a map in a slot."""

    name: str                  # e.g. "RM[1].state", "TM.votes[a1]"
    slot: int
    path: tuple[int, ...]
    dom: Dom

    def get(self, state: tuple):
        v = state[self.slot]
        for i in self.path:
            v = v[i]
        return v


@dataclass
class Event:
    span: Span
    file: str
    node: int | None             # index into system.nodes; None: no process (env)
    k: int                       # index into model.labels
    inst: object                 # the process instance value (None: single or env)
    params: tuple[tuple[int, object], ...]        # observed parameters (position, value)
    msg_tag: int | None          # None: which message was received is not observed
    msg_fields: tuple[tuple[int, object], ...]    # observed fields (position, value)
    sent: tuple | None           # every message sent, sorted; None: not observed
    pre: tuple[tuple[Target, object], ...]        # observations before the step
    post: tuple[tuple[Target, object], ...]       # observations after the step
    title: str                   # "RM[2].vote(yes=true)"
    index: int = -1              # position in the trace's event list (file order)
    rank: int = -1               # position in the causal (topological) order
    chain: int = -1
    position: int = -1
    requires: tuple[tuple[int, int], ...] = ()   # (chain, events of it needed first)

    def where(self) -> str:
        return span_where(self.file, self.span)


def span_where(file: str, span: Span) -> str:
    return f"{file}: span {span.span_id} '{span.name}' (service {span.service})"


@dataclass
class TraceInput:
    trace_id: str
    spans: list[Span]
    files: dict[tuple[str, str], str]
    events: list[Event] = field(default_factory=list)
    unmapped: list[Span] = field(default_factory=list)
    initial: tuple[tuple[Target, object], ...] = ()


_KEYS = re.compile(r"\[([^\[\]]*)\]")

# The reserved attributes that are read as one kind of value: the kind, and what it holds.
KINDS: dict[str, tuple[type, str]] = {
    "stateline.action": (str, "a string (the action or handler)"),
    "stateline.aborted": (bool, "a boolean"),
    "stateline.params": (dict, "a kvlist (parameter -> value)"),
    "stateline.changes": (dict, "a kvlist (variable -> 'old -> new')"),
    "stateline.initial": (dict, "a kvlist (variable -> value)"),
    "stateline.received": (str, "a string (the message received)"),
}


def check_kinds(attrs: dict, where) -> None:
    """EventError for a reserved attribute of another kind; `where()` names the span."""
    for key, (kind, what) in KINDS.items():
        if key in attrs:
            value = attrs[key]
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                raise EventError(f"{where()}: {key}: expected {what}, got {describe(value)}")


class EventReader:
    def __init__(self, model: Model, mapping: Mapping):
        self.model, self.mapping = model, mapping
        system = model.system
        self.system = system
        self.actions: dict[tuple[str | None, str], int] = {}
        for k, (name, process, _) in enumerate(model.labels):
            self.actions.setdefault((process, name), k)
        names = [system.node_name(i) for i in range(len(system.nodes))]
        self.nodes: dict[str, int | None] = {"env": None}
        for node, svc in service_names(names).items():
            self.nodes[svc] = names.index(node)
        self.nodes.update({n: i for i, n in enumerate(names)})
        for value, node in mapping.nodes:
            if node not in self.nodes:
                raise EventError(f"{mapping.path}: [nodes]: '{value}' = '{node}': the spec "
                                 f"has no node '{node}'" + _hint(node, names))
            self.nodes[value] = self.nodes[node]
        self.slots = {s.name: s for s in system.slots}
        self._targets: dict[tuple[str, str | None], Target] = {}
        self._param_doms: dict[int, list[Dom]] = {}
        self._decoded: dict = {}

    # ---- the trace ------------------------------------------------------------------------

    def read(self, imported: list) -> list[TraceInput]:
        """One TraceInput per trace id, in order of first appearance."""
        traces: dict[str, TraceInput] = {}
        for imp in imported:
            for span in imp.spans:
                t = traces.get(span.trace_id)
                if t is None:
                    t = traces[span.trace_id] = TraceInput(span.trace_id, [], {})
                if span.key in t.files:
                    raise EventError(f"{imp.path}: span {span.span_id} of trace "
                                     f"{span.trace_id} is also in {t.files[span.key]}")
                t.files[span.key] = imp.path
                t.spans.append(span)
        for t in traces.values():
            initial = []
            for span in t.spans:
                file = t.files[span.key]
                if self.mapping.defaults:
                    check_kinds(span.attributes, lambda: span_where(file, span))
                event = self.event(span, file)
                init = span.attributes.get("stateline.initial") if self.mapping.defaults \
                    else None
                if isinstance(init, dict):       # an observation of the initial state
                    where = span_where(file, span) + ": stateline.initial"
                    initial.extend(self.observations(init.items(), None, where, True))
                if event is not None:
                    event.index = len(t.events)
                    t.events.append(event)
                elif not isinstance(init, dict):
                    t.unmapped.append(span)
            t.initial = tuple(initial)
        return list(traces.values())

    def event(self, span: Span, file: str) -> Event | None:
        where = span_where(file, span)
        rule, groups = None, {}
        for r in self.mapping.rules:
            g = r.match(span)
            if g is not None:
                rule, groups = r, g
                break
        attrs = span.attributes
        defaults = self.mapping.defaults
        if attrs.get("stateline.aborted") is True:      # the step raised: it did not happen
            return None
        if rule is None and not (defaults and isinstance(attrs.get("stateline.action"), str)):
            return None
        action_text = rule.action if rule else attrs["stateline.action"]
        node_value = self._node_value(span, rule, where)
        node = None
        if node_value is not None:
            node = self.nodes.get(str(node_value), -1)
        k = self.action_index(action_text, node, where)
        process = self.model.labels[k][1]
        inst = None
        if process is None:
            node = None
        else:
            proc = self.system.processes[process]
            if proc.single:
                if node not in (None, -1) and self.system.nodes[node][0] != process:
                    raise EventError(f"{where}: action {process}.{self.model.labels[k][0]} "
                                     f"belongs to {process}, but the span is of node "
                                     f"{self.system.node_name(node)}")
                node = proc.first_node
            else:
                if node is None or node == -1 or self.system.nodes[node][0] != process:
                    got = f"'{node_value}'" if node_value is not None else "no node attribute"
                    raise EventError(f"{where}: which {process} instance took this step? got "
                                     f"{got} (expected one of "
                                     f"{', '.join(self._instances(process))}; set "
                                     f"stateline.node, or map it in [nodes])")
                inst = self.system.nodes[node][1]
        params = self._params(k, attrs, rule, groups, where)
        msg_tag, msg_fields = self._message(k, attrs, rule, where)
        sent = self._sent(attrs, rule, where)
        node_name = self.system.node_name(node) if node is not None else None
        pre, post = [], []
        if defaults:
            post.extend(self.observations(
                ((key[len("stateline.var."):], v) for key, v in attrs.items()
                 if key.startswith("stateline.var.")), node_name, where))
            changes = attrs.get("stateline.changes")
            if isinstance(changes, dict):
                olds, news = [], []
                for var, text in changes.items():
                    if not isinstance(text, str) or " -> " not in text:
                        raise EventError(f"{where}: stateline.changes: {var}: expected "
                                         f"'old -> new', got {text!r}")
                    if self._is_history(var):
                        continue
                    old, _, new = text.partition(" -> ")
                    olds.append((var, old))
                    news.append((var, new))
                pre.extend(self.observations(olds, node_name, where + ": stateline.changes"))
                post.extend(self.observations(news, node_name, where + ": stateline.changes"))
        if rule is not None:
            post.extend(self.observations(
                ((var, attrs[key]) for var, key in rule.observe if key in attrs),
                node_name, where))
        label = self.model.labels[k]
        shown = ", ".join(f"{label[2][i]}={self._param_doms[k][i].show(v)}" for i, v in params)
        title = (f"{node_name}." if node_name else "") + label[0] + (f"({shown})" if shown else "")
        return Event(span, file, node, k, inst, params, msg_tag, msg_fields, sent,
                     tuple(pre), _last_wins(post), title)

    # ---- parts of a span ------------------------------------------------------------------

    def _node_value(self, span: Span, rule: Rule | None, where: str):
        """The first of the node attributes the span or its resource has (an empty one is
        absent; one that is no string or integer is an error, not passed over)."""
        keys = ([rule.node] if rule and rule.node else []) + list(self.mapping.node_keys)
        for key in keys:
            for attrs in (span.attributes, span.resource):
                v = attrs.get(key)
                if v is None or v == "":
                    continue
                if isinstance(v, bool) or not isinstance(v, (str, int)):
                    of = " of the resource" if attrs is span.resource else ""
                    raise EventError(f"{where}: {key}{of}: expected a string or an integer "
                                     f"(the process instance), got {describe(v)}")
                return v
        return None

    def _instances(self, process: str) -> list[str]:
        return [self.system.node_name(i) for i, (p, _) in enumerate(self.system.nodes)
                if p == process]

    def action_index(self, text: str, node: int | None, where: str) -> int:
        name = text.strip()
        process = None
        head, dot, rest = name.partition(".")
        if dot and (head in self.system.processes or head == "network"):
            process, name = (None if head == "network" else head), rest.strip()
        name = re.sub(r"^on[_ ]+", "on ", name)
        if process is not None or head == "network":
            k = self.actions.get((process, name))
        else:
            options = [k for (p, n), k in self.actions.items() if n == name]
            if node is not None and node != -1:
                mine = [k for k in options if self.model.labels[k][1] == self.system.nodes[node][0]]
                options = mine or options
            if len(options) > 1:
                both = " or ".join(sorted(f"{self.model.labels[k][1]}.{name}" for k in options))
                raise EventError(f"{where}: action '{text}' is ambiguous: {both} (name the "
                                 "process, or give the span a node)")
            k = options[0] if options else None
        if k is None:
            known = [f"{p}.{n}" if p else n for p, n in self.actions]
            raise EventError(f"{where}: the spec has no action '{text}'" + _hint(text, known))
        return k

    def _param_dom(self, k: int) -> list[Dom]:
        doms = self._param_doms.get(k)
        if doms is None:
            action = self.system.actions[k] if k < len(self.system.actions) else None
            if action is None:      # partition(side) of the network
                doms = [self.system.slots[self.system.network.partition_slot].dom] \
                    if self.model.labels[k][2] else []
            else:
                doms = [self.system.context.gen.dom_of_type(local.type) for local, _ in action.params]
            self._param_doms[k] = doms
        return doms

    def _params(self, k, attrs, rule, groups, where) -> tuple:
        names = self.model.labels[k][2]
        given: dict[str, tuple[str, object]] = {}
        if self.mapping.defaults:
            kv = attrs.get("stateline.params")
            if isinstance(kv, dict):
                given.update((p, ("stateline.params", v)) for p, v in kv.items())
            given.update((key[len("stateline.param."):], (key, v)) for key, v in attrs.items()
                         if key.startswith("stateline.param."))
        if rule is not None:
            given.update((p, (key, attrs[key])) for p, key in rule.params if key in attrs)
            given.update((p, ("the span name", v)) for p, v in groups.items())
        doms = self._param_dom(k)
        out = []
        for p, (source, v) in given.items():
            if p not in names:
                raise EventError(f"{where}: {source}: {self.model.labels[k][0]} has no "
                                 f"parameter '{p}'" + _hint(p, names))
            i = names.index(p)
            out.append((i, self._decode(doms[i], v, f"{where}: {source}: parameter {p}")))
        return tuple(sorted(out, key=lambda x: x[0]))

    def _message(self, k, attrs, rule, where) -> tuple:
        action = self.system.actions[k] if k < len(self.system.actions) else None
        net = self.system.network
        receives = action.receive[0] if action is not None and action.receive else None
        text, fields, source = None, {}, ""
        if rule is not None and isinstance(rule.message, str):
            text, source = attrs.get(rule.message), rule.message
        elif self.mapping.defaults and "stateline.received" in attrs:
            text, source = attrs["stateline.received"], "stateline.received"
        if self.mapping.defaults:
            fields.update((key[len("stateline.msg."):], (key, v)) for key, v in attrs.items()
                          if key.startswith("stateline.msg."))
        if rule is not None and isinstance(rule.message, tuple):
            fields.update((f, (key, attrs[key])) for f, key in rule.message if key in attrs)
        if text is None and not fields:
            return None, ()
        is_drop = action is None and self.model.labels[k][0] == "drop"
        if receives is None and not is_drop:
            raise EventError(f"{where}: {source or 'stateline.msg.*'}: the action "
                             f"{self.model.labels[k][0]} receives no message")
        if text is not None:
            raw = self._decode(net.messages, text, f"{where}: {source}")
            rec = net.messages.records[raw[0]]
            if receives is not None and rec.name != receives:
                raise EventError(f"{where}: {source}: the span received {rec.name} but "
                                 f"{self.model.labels[k][0]} receives {receives} messages")
            return raw[0], tuple((i, v) for i, v in enumerate(raw[1:]))
        rec = self.system.records[receives]
        names = [n for n, _ in rec.fields]
        out = []
        for f, (key, v) in fields.items():
            if f not in names:
                raise EventError(f"{where}: {key}: message {receives} has no field '{f}'" +
                                 _hint(f, names))
            i = names.index(f)
            out.append((i, self._decode(rec.fields[i][1], v, f"{where}: {key}")))
        return rec.tag, tuple(sorted(out, key=lambda x: x[0]))

    def _sent(self, attrs, rule, where):
        key = rule.sent if rule is not None and rule.sent else \
            ("stateline.sent" if self.mapping.defaults else None)
        if key is None or key not in attrs:
            return None
        items = attrs[key]
        if not isinstance(items, list):
            items = [items]
        net = self.system.network
        if net is None:
            raise EventError(f"{where}: {key}: the spec has no network")
        return tuple(sorted((self._decode(net.messages, v, f"{where}: {key}") for v in items),
                            key=sort_key))

    def _decode(self, dom: Dom, value, where: str, strict: bool = False):
        """Not strict: an integer outside its range is an observation no state matches.
        Scalars are decoded once per domain (a trace repeats the same few values)."""
        key = (id(dom), strict, type(value), value) \
            if isinstance(value, (str, int, float, bool)) else None
        if key is not None:
            found = self._decoded.get(key)
            if found is not None:
                return found[0]
        try:
            raw = values.decode(dom, values.from_attribute(value), strict)
        except ValueError as exc:
            raise EventError(f"{where}: {exc}") from None
        except RecursionError:      # "[[[[...": value text nested beyond the parser's reach
            raise EventError(f"{where}: the value is nested too deeply to read") from None
        if key is not None:
            self._decoded[key] = (raw, dom)      # the dom is kept alive, so its id stays its own
        return raw

    # ---- observations ---------------------------------------------------------------------

    def _is_history(self, name: str) -> bool:
        slot = self.slots.get(_KEYS.split(name, maxsplit=1)[0])
        return slot is not None and slot.var is not None and slot.var.process is None and \
            slot.var.name in self.system.histories

    def observations(self, items, node: str | None, where: str, whole_state=False) -> list:
        """Decoded (target, value) pairs; with `whole_state` (a kvlist of every slot, as
        Stateline writes) the network's slots, which are no variables, are passed over."""
        out = []
        for var, value in items:
            if whole_state and (self._is_history(str(var)) or
                                (str(var) in self.slots and self.slots[str(var)].var is None)):
                continue
            target = self.target(str(var), node, where)
            out.append((target, self._decode(target.dom, value, f"{where}: {target.name}")))
        return out

    def target(self, name: str, node: str | None, where: str) -> Target:
        key = (name, node)
        found = self._targets.get(key)
        if found is not None:
            return found
        base, keys = name, []
        dot = name.rfind(".")
        bracket = name.find("[", dot + 1)
        if bracket > 0:
            base, rest = name[:bracket], name[bracket:]
            keys = _KEYS.findall(rest)
            if "".join(f"[{k}]" for k in keys) != rest:
                raise EventError(f"{where}: cannot read the variable name '{name}'")
        slot = None
        for candidate in ([f"{node}.{base}"] if node else []) + [base]:
            slot = self.slots.get(candidate)
            if slot is not None:
                break
        if slot is None or slot.var is None:
            what = "the network is not a variable (observe messages with stateline.received " \
                   "and stateline.sent)" if slot is not None else \
                f"the spec has no variable '{base}'" + (f" (at {node})" if node else "")
            raise EventError(f"{where}: {what}" + _hint(base, list(self.slots)))
        if slot.var.process is None and slot.var.name in self.system.histories:
            raise EventError(f"{where}: {base} is a recorded history, which cannot be observed")
        dom, path = slot.dom, []
        for k in keys:
            if not isinstance(dom, DMap):
                raise EventError(f"{where}: {slot.name} is not a map, so '{name}' is not part "
                                 "of it")
            kv = self._decode(dom.key, k, f"{where}: key of {slot.name}", strict=True)
            path.append(dom.key.index(kv))
            dom = dom.value
        shown = slot.name + "".join(f"[{k.strip()}]" for k in keys)
        found = self._targets[key] = Target(shown, slot.index, tuple(path), dom)
        return found


def _last_wins(pairs: list) -> tuple:
    """Observations of one target: the last given wins (a rule over the defaults)."""
    out: dict = {}
    for target, v in pairs:
        out[(target.slot, target.path)] = (target, v)
    return tuple(out.values())


def _hint(name: str, candidates) -> str:
    h = did_you_mean(name, candidates)
    return f"; {h}" if h else ""
