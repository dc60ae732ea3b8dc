"""Fairness in check blocks: `fair weak P.a per x, Q` -> the FairRules of the actions.

A mixin of `elaborate.Elaborator` (it reads the elaborator's `network`).
"""

from __future__ import annotations

from ..diagnostics import did_you_mean, fail as err
from . import ast as A
from . import ir

FAIRNESS = ("weak", "strong")


class FairnessMixin:
    def elaborate_fairness(self, item: A.FairItem, actions: list[ir.ActionIR]):
        """`fair weak P.a per x, Q` in a check block -> [(action index, FairRule)].

        A process target covers its actions and handlers, not the environment's
        actions of it (crash, recover), which only an explicit `P.recover` makes
        fair; `P.crash` cannot be fair (a crash that must happen is no fault)."""
        if item.kind not in FAIRNESS:
            err("SL106", f"fairness is 'weak' or 'strong', not '{item.kind}'", item.span)
        out = []
        for t in item.targets:
            parts = t.name.split(".")
            found = []
            if t.name == "network.heal":
                if self.network is None or "partitions" not in self.network[1]:
                    err("SL201", "'network.heal' needs a network with partitions(N)", t.span)
                if t.per is not None:
                    err("SL106", "'network.heal' has one fairness unit: it takes no 'per'",
                        t.span)
                out.append((ir.NETWORK_HEAL, ir.FairRule(item.kind)))
                continue
            if t.name in ("network.drop", "network.duplicate", "network.partition"):
                err("SL106", f"'{t.name}' cannot be fair: a fault the network may do is "
                             "never forced to happen", t.span,
                    hint="of the network's actions, only network.heal can be fair")
            whole = False
            for i, a in enumerate(actions):
                if len(parts) == 1 and a.process is None and a.name == parts[0]:
                    found.append(i)
                elif len(parts) == 1 and a.process == parts[0]:
                    whole = True
                    if not a.environment:
                        found.append(i)
                elif len(parts) == 2 and a.process == parts[0] and \
                        parts[1] in (a.name, a.name.removeprefix("on ")):
                    if a.environment and a.name == "crash":
                        err("SL106", f"'{t.name}' cannot be fair: a crash that must happen "
                                     "is no fault", t.span,
                            hint=f"'fair ... {a.process}' covers its actions and handlers, "
                                 f"never its crashes; '{a.process}.recover' can be fair")
                    found.append(i)
            if not found and not whole:
                known = sorted({a.process for a in actions if a.process} |
                               {f"{a.process}.{a.name.removeprefix('on ')}" if a.process
                                else a.name for a in actions})
                if self.network is not None and "partitions" in self.network[1]:
                    known.append("network.heal")
                err("SL201", f"'{t.name}' names no process, action or message handler", t.span,
                    hint=did_you_mean(t.name, known) or "write Process, Process.action, "
                         "Process.Message (its handler), a global action or network.heal")
            rule = self.fair_rule(item.kind, t, [actions[i] for i in found], whole)
            out.extend((i, rule) for i in found)
        return out

    def fair_rule(self, kind: str, t: A.FairTarget, targets: list[ir.ActionIR],
                  whole: bool) -> ir.FairRule:
        """The FairRule of a target's `per` (checked against the actions it names)."""
        if t.per is None:
            return ir.FairRule(kind)
        if t.per == "instance":
            if not whole:
                err("SL106", "'per instance' applies to a process: one unit for all the "
                             "steps of each instance", t.span,
                    hint=f"write 'fair {kind} {t.name.split('.')[0]} per instance'")
            return ir.FairRule(kind, ir.PER_INSTANCE)
        if whole:
            err("SL106", f"'per {t.per}' applies to one action or handler, not to a whole "
                         "process", t.span,
                hint="name the action (Process.action per p) or handler "
                     "(Process.Message per message), or write 'per instance'")
        if t.per == "message":
            if any(a.receive is None for a in targets):
                err("SL106", f"'per message' applies to a message handler; '{t.name}' is an "
                             "action", t.span)
            return ir.FairRule(kind, ir.PER_MESSAGE)
        for a in targets:
            names = [local.name for local, _ in a.params]
            if t.per not in names:
                err("SL201", f"'{t.name}' has no parameter '{t.per}'", t.span,
                    hint=did_you_mean(t.per, names) or
                    ("it has no parameters" if not names else
                     "per takes a parameter of the action, 'message' (a handler) or "
                     "'instance' (a process)"))
        return ir.FairRule(kind, (t.per,))
