"""Houdini over the candidates, then a minimal subset, with the finite encoding.

`houdini(enc, targets, candidates, deadline)`: the candidates (induction._Conjunct of
the lemmas, over the same `Encoding` as `--induction`) are guarded by one Boolean each;
a query per action instance asks for a state satisfying the targets and the live
candidates (within the constraint, with no run-time error in a step) whose successor
breaks one of them.  Every candidate the model breaks is dropped, and the passes repeat
until one drops nothing: the live candidates and the targets are then inductive
together, unless a target itself was broken (then no subset of the candidates helps:
Houdini only weakens).  A candidate false in an initial state is dropped first.

`minimise` keeps the lemmas the targets need: starting from none, a counterexample to
induction of the targets and the lemmas chosen so far starts in a state that breaks
some live candidate (the live set is inductive), and the first such candidate (the
candidates come smallest first) is added; the same for a possible run-time error,
deadlock (when checked) and the invariants outside `prove`.
"""

from __future__ import annotations

import z3

from ..scopes import Deadline, ask, new_solver, scope
from ..terms import And, Eq, Not, Or, is_false, is_true


class Failed(Exception):
    """The targets are not inductive with every candidate that survived."""


def _true(m, term) -> bool:
    return is_true(m.eval(term, model_completion=True))


class Houdini:
    def __init__(self, enc, targets: list, candidates: list, deadline: Deadline,
                 check_deadlock: bool, others: list):
        self.enc, self.targets, self.cands = enc, targets, candidates
        self.deadline, self.check_deadlock, self.others = deadline, check_deadlock, others
        self.guards = [z3.Bool(f"cand!{i}") for i in range(len(candidates))]
        to_post = list(zip(enc.pre.leaves, enc.post.leaves))
        self.after = [c.term.fails if c.kind == "transition" else
                      z3.substitute(c.term.fails, *to_post) for c in targets + candidates]
        self.s = self._solver()
        self.states = self._solver()
        self.within = And(*[c.value for c in enc.constraints])
        self.rounds = 0

    def _solver(self):
        """A solver over the template state satisfying the targets, with each candidate
        behind its guard."""
        s = new_solver()
        s.add(*self.enc.pre.facts)
        s.add(*[c.ok for c in self.targets if c.kind != "transition"])
        for g, c in zip(self.guards, self.cands):
            s.add(z3.Implies(g, c.ok))
        return s

    def _ask(self, live: list[int], goal, s=None):
        s = self.s if s is None else s
        flag = z3.FreshBool("goal")
        s.add(z3.Implies(flag, goal))
        a = ask(s, self.deadline, flag, *[self.guards[i] for i in live])
        if not a.sat and not a.unsat:
            raise Failed(f"Z3 gave no answer: {a.reason}")
        return a

    def initial(self, live: list[int]) -> list[int]:
        s = new_solver()
        s.add(*self.enc.pre.facts, self.enc.init(self.enc.pre))
        while live:
            a = ask(s, self.deadline, Or(*[self.cands[i].term.fails for i in live]))
            if a.unsat:
                break
            if not a.sat:
                raise Failed(f"Z3 gave no answer: {a.reason}")
            live = [i for i in live if not _true(a.model, self.cands[i].term.fails)]
        return live

    def run(self, live: list[int]) -> list[int]:
        """The live candidates at the fixpoint (Failed if a target breaks)."""
        enc, s, n = self.enc, self.s, len(self.targets)
        s.add(self.within, Not(enc.constraint_error()), enc.no_step_error())
        changed = True
        while changed:
            changed = False
            self.rounds += 1
            for action, which in enc.actions():
                for j in which:
                    inst = enc.instances[j]
                    bind = [Eq(x, v) for x, v in zip(enc.post.leaves, enc.post_leaves(inst))]
                    with scope(s):
                        s.add(inst.enabled, Not(inst.error), *inst.facts, *bind)
                        while True:
                            goal = Or(*self.after[:n], *[self.after[n + i] for i in live])
                            a = self._ask(live, goal)
                            if a.unsat:
                                break
                            m = a.model
                            broken = [t.name for t, bad in zip(self.targets, self.after)
                                      if _true(m, bad)]
                            if broken:
                                raise Failed(f"{broken[0]} is not preserved by {action} "
                                             f"even with every candidate that survived")
                            live = [i for i in live if not _true(m, self.after[n + i])]
                            changed = True
        return live

    def _bad_states(self):
        """(what, goal over the pre-state) that the lemmas must also rule out."""
        enc = self.enc
        out = []
        crash = Or(enc.constraint_error(), And(self.within, enc.step_error()))
        if not is_false(crash):
            out.append(("a run-time error", crash))
        for p in self.others:
            out.append((p.prop.name, p.fails if p not in enc.transitions else
                        And(self.within, Not(enc.constraint_error()), enc.trans(), p.fails)))
        if self.check_deadlock:
            out.append(("deadlock", And(self.within, Not(enc.constraint_error()),
                                        Not(enc.enabled_any()))))
        return out

    def safe(self, live: list[int]) -> None:
        """Failed unless the live candidates rule out run-time errors, deadlock (when
        checked) and violations of the invariants outside `prove`."""
        for what, goal in self._bad_states():
            a = self._ask(live, goal, self.states)
            if a.sat:
                raise Failed(f"{what} is possible in a state satisfying the targets and "
                             f"every candidate that survived")

    def minimise(self, live: list[int]) -> list[int]:
        """A subset of `live` (in its order) that still proves the targets."""
        enc, s, n = self.enc, self.s, len(self.targets)
        chosen: list[int] = []
        pending = list(live)

        def pick(m) -> None:
            for i in pending:
                if i not in chosen and not _true(m, self.cands[i].ok):
                    chosen.append(i)
                    return
            raise Failed("a counterexample to induction satisfies every candidate")

        for _what, goal in self._bad_states():
            while True:
                a = self._ask(chosen, goal, self.states)
                if a.unsat:
                    break
                pick(a.model)
        changed = True
        while changed:
            changed = False
            for _action, which in enc.actions():
                for j in which:
                    inst = enc.instances[j]
                    bind = [Eq(x, v) for x, v in zip(enc.post.leaves, enc.post_leaves(inst))]
                    with scope(s):
                        s.add(inst.enabled, Not(inst.error), *inst.facts, *bind)
                        while True:
                            goal = Or(*self.after[:n], *[self.after[n + i] for i in chosen])
                            a = self._ask(chosen, goal)
                            if a.unsat:
                                break
                            pick(a.model)
                            changed = True
        return sorted(chosen, key=live.index)
