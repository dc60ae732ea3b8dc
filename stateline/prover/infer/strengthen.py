"""Choosing the lemmas: counterexamples to induction, ruled out by candidates.

Every candidate holds in every reachable state of the instance being proved (the
filter ran on all of them), so each is a true invariant; what is missing is a set of
them that, with the targets, is *inductive*.  Starting from the targets alone, with
the `--induction` encoding (`Encoding`, the same terms `--induction` builds for a
proof's lemmas), each query asks for a counterexample to induction: a state
satisfying the targets and the lemmas chosen so far (within the constraint, with no
run-time error in a step) and a step of one action instance that breaks one of them;
or such a state where a run-time error, a deadlock (when checked) or the violation of
an invariant outside `prove` is possible.  That state is unreachable (its successor
breaks an invariant), so some candidate may be false in it: the decoded state is
evaluated with the filter's compiled atoms, and the first candidate false in it (the
candidates come smallest first) becomes a lemma.  When no candidate is false in it,
the candidates do not suffice (Houdini over them would fail too: the state satisfies
all of them), and inference fails there.  The loop ends after a full pass over the
instances finds no counterexample: the targets and the lemmas are then inductive.

A chosen lemma that itself breaks in a counterexample no candidate rules out is a true
invariant the grammar cannot support: it is set aside and the walk starts again with
the others (Houdini's weakening); a target that breaks so ends the inference.  Then,
last first, each lemma without which the rest still passes is dropped.
"""

from __future__ import annotations

import z3

from ..decode import decode_state
from ..scopes import Deadline, ask, new_solver, scope
from ..terms import And, Eq, Not, Or, is_false, is_true


class Failed(Exception):
    """No candidate rules out a counterexample to induction."""


class Strengthen:
    def __init__(self, enc, targets: list, others: list, check_deadlock: bool,
                 deadline: Deadline):
        self.enc, self.targets, self.others = enc, targets, others
        self.check_deadlock, self.deadline = check_deadlock, deadline
        self.within = And(*[c.value for c in enc.constraints])
        self.to_post = list(zip(enc.pre.leaves, enc.post.leaves))
        self.queries = 0
        self._afters: dict = {}

    def _after(self, c):
        """The conjunct fails after the step (on the step, for a transition invariant)."""
        if c.name not in self._afters:
            self._afters[c.name] = c.term.fails if c.kind == "transition" else \
                z3.substitute(c.term.fails, *self.to_post)
        return self._afters[c.name]

    def _bad_states(self):
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

    def _ask(self, s, goal):
        self.queries += 1
        flag = z3.FreshBool("goal")
        s.add(z3.Implies(flag, goal))
        a = ask(s, self.deadline, flag)
        if not a.sat and not a.unsat:
            raise Failed(f"Z3 gave no answer: {a.reason}")
        return a

    def solvers(self, lemmas: list):
        states = new_solver()
        states.add(*self.enc.pre.facts)
        states.add(*[c.ok for c in self.targets + lemmas if c.kind != "transition"])
        steps = new_solver()
        steps.add(*self.enc.pre.facts)
        steps.add(*[c.ok for c in self.targets + lemmas if c.kind != "transition"])
        steps.add(self.within, Not(self.enc.constraint_error()), self.enc.no_step_error())
        return states, steps

    def counterexamples(self, lemmas: list, on_cti):
        """Walk the obligations with `lemmas`; at each counterexample call
        `on_cti(state, broken)` (broken: the name of the conjunct the step breaks, None
        for a bad state), which returns a new lemma (added, and the walk goes on) or
        None (the walk stops: returns (what failed, the conjunct broken or None)).
        Returns None when every obligation holds."""
        enc = self.enc
        lemmas = list(lemmas)
        states, steps = self.solvers(lemmas)

        def add(c):
            lemmas.append(c)
            if c.kind != "transition":
                states.add(c.ok)
                steps.add(c.ok)

        for what, goal in self._bad_states():
            while True:
                a = self._ask(states, goal)
                if a.unsat:
                    break
                new = on_cti(decode_state(enc, enc.pre, a.model), None)
                if new is None:
                    return what, None
                add(new)
        units = [(action, j) for action, which in enc.actions() for j in which]
        clean, k = 0, 0
        while clean < len(units):
            action, j = units[k % len(units)]
            k += 1
            inst = enc.instances[j]
            bind = [Eq(x, v) for x, v in zip(enc.post.leaves, enc.post_leaves(inst))]
            found = None
            with scope(steps):
                steps.add(inst.enabled, Not(inst.error), *inst.facts, *bind)
                a = self._ask(steps, Or(*[self._after(c) for c in self.targets + lemmas]))
                if a.sat:
                    broken = next(c.name for c in self.targets + lemmas
                                  if is_true(a.model.eval(self._after(c),
                                                          model_completion=True)))
                    found = (decode_state(enc, enc.pre, a.model),
                             f"{broken} is not preserved by {action}", broken)
            if found is None:
                clean += 1
                continue
            clean = 0
            new = on_cti(found[0], found[2])
            if new is None:
                return found[1], found[2]
            add(new)
            k -= 1          # the same instance again, with the new lemma
        return None

    def core(self, lemmas: list) -> set[int] | None:
        """The positions of `lemmas` in some unsat core of each obligation, in one pass
        (None if one is not unsat): the targets with those lemmas are inductive, since
        each step's obligation, that every conjunct is preserved, needs only its core."""
        enc = self.enc
        guards = [z3.Bool(f"lemma!{i}") for i in range(len(lemmas))]
        states, steps = self.solvers([])
        for g, c in zip(guards, lemmas):
            if c.kind != "transition":
                states.add(z3.Implies(g, c.ok))
                steps.add(z3.Implies(g, c.ok))
        used: set[int] = set()

        def unsat(s, goal) -> bool:
            self.queries += 1
            flag = z3.FreshBool("goal")
            s.add(z3.Implies(flag, goal))
            a = ask(s, self.deadline, flag, *guards)
            if not a.unsat:
                return False
            core = {str(x) for x in s.unsat_core()}
            used.update(i for i, g in enumerate(guards) if str(g) in core)
            return True

        for _what, goal in self._bad_states():
            if not unsat(states, goal):
                return None
        goal = Or(*[self._after(c) for c in self.targets + lemmas])
        for _action, which in enc.actions():
            for j in which:
                inst = enc.instances[j]
                bind = [Eq(x, v) for x, v in zip(enc.post.leaves, enc.post_leaves(inst))]
                with scope(steps):
                    steps.add(inst.enabled, Not(inst.error), *inst.facts, *bind)
                    if not unsat(steps, goal):
                        return None
        return used
