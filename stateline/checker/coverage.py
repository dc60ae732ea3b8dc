"""Action coverage of a complete search (TLC's `-coverage`).

After a search that explored every reachable state, an action or message handler
that produced no successor in any of them is dead code in this instance: the
check block warns about it.  `never_enabled` replays the explored states with
labelled successors only until every action has been seen enabled (usually after
a handful of states), so the warning costs little; `action_counts` (asked for with
`stateline check --coverage`) replays every state: per action, the successors it
generated and the distinct states it reached first (in breadth-first order, the
states whose parent step was that action).

Names are the ones traces use: `Process.action` (`TM.commit`, `Acceptor.on
Prepare`), the bare name for an action outside processes and for the network's
own steps (drop, partition, heal), which are counted but never warned about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..models.model import Model
from ..models.runtime import TooManySuccessors


@dataclass(frozen=True)
class ActionCoverage:
    action: str          # e.g. "TM.commit", "Acceptor.on Prepare", "drop"
    enabled: int         # successors it generated, over every explored state
    distinct: int        # the explored states it reached first


def action_name(model: Model, k: int) -> str:
    name, process, _ = model.labels[k]
    return f"{process}.{name}" if process is not None else name


def _labeled(model: Model, s):
    try:
        return model.successors_labeled(s)
    except TooManySuccessors as exc:
        return exc.partial


def never_enabled(model: Model, states) -> list[str]:
    """The spec's actions (not the network's own steps) that produce no successor in
    any of `states`, in declaration order; stops as soon as every one has fired.

    The states are visited in a spread order (a golden-ratio stride through the list,
    so deep states come early: an action enabled only late in the search, like a
    commit after every vote, is found after a few dozen states, not half of them);
    every state is visited before an action is declared dead."""
    todo = set(range(len(model.system.actions)))
    n = len(states)
    stride = max(1, int(n * 0.6180339887))
    while math.gcd(stride, n) != 1:
        stride += 1
    i = 0
    for _ in range(n):
        if not todo:
            break
        for label, _ in _labeled(model, states[i]):
            todo.discard(label[0])
        i = (i + stride) % n
    return [action_name(model, k) for k in sorted(todo)]


def warnings_for(model: Model, states, check: str) -> list[str]:
    path, out = model.system.path, []
    for name in never_enabled(model, states):
        what = "handler" if name.split(".")[-1].startswith("on ") else "action"
        out.append(f"{path}: warning: check {check}: {what} '{name}' was never enabled "
                   f"(no reachable state has a step of it)")
    return out


def action_counts(model: Model, states, parents, canonical=None) -> tuple[ActionCoverage, ...]:
    """Per label of the model (its actions, then the network's steps): the successors
    generated from `states` (every explored state, in search order, with `parents` as
    the search left them) and the states of the list first reached by it."""
    n = len(model.labels)
    enabled, distinct = [0] * n, [0] * n
    children: dict[int, list[int]] = {}
    for j, p in enumerate(parents):
        if p >= 0:
            children.setdefault(p, []).append(j)
    for i, s in enumerate(states):
        pending = {states[j]: j for j in children.get(i, ())}
        for label, t in _labeled(model, s):
            k = label[0]
            enabled[k] += 1
            if pending:
                c = canonical(t) if canonical is not None else t
                if pending.pop(c, None) is not None:
                    distinct[k] += 1
    return tuple(ActionCoverage(action_name(model, k), enabled[k], distinct[k])
                 for k in range(n))
