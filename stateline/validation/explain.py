"""Why an event cannot be matched: the guard, the message or the observation that fails.

For an event that could come next after the longest matched prefix, and each
spec state reachable there, the steps of the spec are filtered the way
`search.matches` filters them -- action and instance, parameters, received
message, messages sent, observations before, observations after, the
constraint -- and the first filter that leaves nothing is the reason.  When
the action is not enabled at all, `models.guards` names the first conjunct of
its guard that is false (or the parameter outside its domain); when every
conjunct that can be evaluated holds, the message is not in flight or no
value of the unobserved parameters enables it.  Reasons are counted over the
states (up to `MAX_STATES` of them) and the most frequent come first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..models.guards import Guards
from ..models.model import Model
from ..models.runtime import ModelError
from .events import Event, TraceInput
from .search import sent_of

MAX_STATES = 64


@dataclass(frozen=True)
class Explanation:
    event: Event
    states: int                           # states examined
    reasons: tuple[tuple[str, int], ...]  # (reason, in how many of those states)


def explain(model: Model, guards: Guards, event: Event, states: list[tuple]) -> Explanation:
    reasons: Counter = Counter()
    order: dict[str, int] = {}
    examined = states[:MAX_STATES]
    for s in examined:
        r = reason(model, guards, event, s)
        reasons[r] += 1
        order.setdefault(r, len(order))
    ranked = sorted(reasons.items(), key=lambda rc: (-rc[1], order[rc[0]]))
    return Explanation(event, len(examined), tuple(ranked))


def explain_initial(model: Model, trace: TraceInput) -> list[str]:
    """Why no initial state agrees with the trace's observation of the initial state."""
    inits = [s for s in model.initial_states()
             if model.constraint is None or model.constraint(s)]
    if not inits:
        return ["the spec has no initial state within its constraint"]
    out = []
    for target, v in trace.initial:
        allowed = sorted({target.dom.show(target.get(s)) for s in inits})
        if target.dom.show(v) not in allowed:
            out.append(f"the trace starts with {target.name} = {target.dom.show(v)}; the spec "
                       f"starts with {' or '.join(allowed)}")
    return out or ["no initial state of the spec agrees with every observation of the "
                   "initial state at once"]


def reason(model: Model, guards: Guards, e: Event, s: tuple) -> str:
    try:
        succ = model.successors_labeled(s)
    except ModelError as exc:
        return f"the spec raises a run-time error in this state: {exc.message}"
    name = model.labels[e.k][0]
    steps = [(label, t) for label, t in succ if label[0] == e.k and label[1] == e.inst]
    if not steps:
        return _not_enabled(model, guards, e, s)
    kept = [(lb, t) for lb, t in steps if all(lb[2][i] == v for i, v in e.params)]
    if not kept:
        allowed = sorted({_params(model, e.k, lb) for lb, _ in steps})
        return f"{name} is enabled, but not with {_params(model, e.k, None, e.params)}: " \
               f"the spec allows {_some(allowed)}"
    steps, kept = kept, [(lb, t) for lb, t in kept if _msg_ok(e, lb[3])]
    if not kept:
        got = sorted({model.message(lb[3]).shown for lb, _ in steps if lb[3] is not None})
        return f"the span received {_observed_msg(model, e)}, which is not in flight here " \
               f"(the step could receive {_some(got)})"
    steps, kept = kept, [(lb, t) for lb, t in kept if e.sent is None or sent_of(lb) == e.sent]
    if not kept:
        spec_sent = sorted({_msgs(model, sent_of(lb)) for lb, _ in steps})
        return f"the span sent {_msgs(model, e.sent)}; the spec's step sends " \
               f"{_some(spec_sent)}"
    for target, v in e.pre:
        if target.get(s) != v:
            return f"before the step the span observed {target.name} = {target.dom.show(v)}; " \
                   f"the spec has {target.dom.show(target.get(s))}"
    for target, v in e.post:
        got = sorted({target.dom.show(target.get(t)) for _, t in kept})
        if target.dom.show(v) not in got:
            return f"after the step the span observed {target.name} = {target.dom.show(v)}; " \
                   f"the spec's step gives {' or '.join(got)}"
    if model.constraint is not None:
        return "every matching step leaves the spec's constraint"
    return "no step of the spec matches every observation at once"


def _not_enabled(model: Model, guards: Guards, e: Event, s: tuple) -> str:
    name = model.labels[e.k][0]
    node = model.system.node_name(e.node) if e.node is not None else None
    who = f"{node}.{name}" if node else name
    if e.k >= len(model.system.actions):
        return f"the network's {name} is not possible here"
    action = model.system.actions[e.k]
    msg = _full_msg(model, e)
    found = guards.first_failure(e.k, e.inst, dict(e.params), msg, s)
    local = _locals(model, e.node, s)
    if found is not None:
        where = f" ({found.span})" if found.span is not None else ""
        text = f"`{found.text}`" if found.text else "a condition"
        if found.kind == "error":
            return f"{who} is not enabled: evaluating {text}{where} raises: {found.detail}"
        if found.kind == "domain":
            return f"{who} is not enabled: {found.detail}{where}"
        return f"{who} is not enabled: {text}{where} is false" + (f"; {local}" if local else "")
    net = model.system.network
    if action.receive is not None and net is not None:
        flight = model.show_slot(net.slot, s[net.slot])
        if msg is not None:
            return f"{who} is not enabled: {model.message(msg).shown} is not in flight " \
                   f"(the network holds {flight})"
        return f"{who} is not enabled: no {action.receive[0]} message in flight passes its " \
               f"guard (the network holds {flight})" + (f"; {local}" if local else "")
    unseen = [p.name for i, (p, _) in enumerate(action.params)
              if i not in dict(e.params)]
    if unseen:
        return f"{who} is not enabled for any value of {', '.join(unseen)}" + \
            (f"; {local}" if local else "")
    return f"{who} is not enabled here" + (f"; {local}" if local else "")


def _locals(model: Model, node: int | None, s: tuple) -> str:
    """The acting node's variables in state s: `RM[2]: state = prepared, tx = 3`."""
    if node is None:
        return ""
    prefix = model.system.node_name(node) + "."
    parts = [f"{slot.name[len(prefix):]} = {model.show_slot(slot.index, s[slot.index])}"
             for slot in model.system.slots if slot.name.startswith(prefix)]
    return f"{prefix[:-1]} has " + ", ".join(parts) if parts else ""


def _full_msg(model: Model, e: Event):
    """The received message when the span observed every field of it, else None."""
    if e.msg_tag is None:
        return None
    rec = model.system.network.messages.records[e.msg_tag]
    if len(e.msg_fields) != len(rec.fields):
        return None
    return (e.msg_tag,) + tuple(v for _, v in e.msg_fields)


def _msg_ok(e: Event, m) -> bool:
    if e.msg_tag is None:
        return True
    return m is not None and m[0] == e.msg_tag and all(m[i + 1] == v for i, v in e.msg_fields)


def _observed_msg(model: Model, e: Event) -> str:
    rec = model.system.network.messages.records[e.msg_tag]
    full = _full_msg(model, e)
    if full is not None:
        return model.message(full).shown
    fields = ", ".join(f"{rec.fields[i][0]}={rec.fields[i][1].show(v)}" for i, v in e.msg_fields)
    return f"a {rec.name} with {fields}"


def _params(model: Model, k: int, label, given=None) -> str:
    names = model.labels[k][2]
    action = model.system.actions[k] if k < len(model.system.actions) else None
    pairs = given if given is not None else list(enumerate(label[2]))
    shown = []
    for i, v in pairs:
        dom = model.system.context.gen.dom_of_type(action.params[i][0].type) if action else None
        shown.append(f"{names[i]}={dom.show(v) if dom else v}")
    return "(" + ", ".join(shown) + ")"


def _msgs(model: Model, raw: tuple) -> str:
    return "[" + ", ".join(model.message(m).shown for m in raw) + "]"


def _some(items: list[str], limit: int = 6) -> str:
    if not items:
        return "nothing"
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")
