"""Bounds that let an unrolled path go to Z3's finite-domain tactic.

The bounded searches (BMC, k-induction's base case, the fair-lasso search) ask
Z3 about paths s0 .. sk of an instance.  Every value of such a path is an
integer or a Boolean, and nearly every integer lies in a range its type gives
(`fresh`'s facts): then Z3's finite-domain tactic (`qffd`, the integers
bit-blasted for its SAT core) decides the queries, which are mostly case splits
over action instances and small ranges, much faster than its SMT core (the
measurements are in bench/README.md).

The finite-domain tactic needs a constant bound on each integer.  A bag's
message counts have none in their type.  Such a leaf is bounded along a path all
the same: if an initial state keeps it within [-I, I] and no step (from any
state, reachable or not) moves it by more than D, then in the state after i
steps it lies within [-(I + iD), I + iD].  `path_bounds` finds the least I among
0, 1, 2, 4, ... that Z3 proves from the initial condition, and D from each
action instance's update of the leaf (read off when it is the old value plus a
number, as a send's, a receipt's and a drop's are, else proved by Z3).  The
bounds exclude no path, so the answers are those the SMT solver would give.
When a leaf is neither an integer nor a Boolean, when Z3 proves no such bounds,
or when the tactic gives up on a query (a quantifier `finite_exists` could not
write out, an integer a term leaves unbounded), the search asks the SMT solver
(`bmc.BmcRun`).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from .scopes import Deadline, ask, new_solver
from .terms import And, Or

LIMIT = 2 ** 16            # the largest I or D tried
BOUND_SECONDS = 20.0       # for the bound queries together, at most


@dataclass(frozen=True)
class PathBounds:
    """`positions`: the leaves (indices into a state's leaves) whose type bounds them
    on neither or one side; each is within [-(start + i * step), start + i * step]
    after i steps."""
    positions: tuple[int, ...]
    start: int
    step: int

    def facts(self, leaves, depth: int) -> list:
        b = self.start + depth * self.step
        return [t for p in self.positions for t in (leaves[p] <= b, leaves[p] >= -b)]


# a comparison read the other way round (5 >= x is x <= 5)
_FLIP = {z3.Z3_OP_GE: z3.Z3_OP_LE, z3.Z3_OP_LE: z3.Z3_OP_GE, z3.Z3_OP_GT: z3.Z3_OP_LT,
         z3.Z3_OP_LT: z3.Z3_OP_GT, z3.Z3_OP_EQ: z3.Z3_OP_EQ}


def type_bounds(facts) -> tuple[set, set]:
    """The names of the integer constants the conjunction `facts` bounds below, and
    above, by a top-level comparison with a number."""
    lo, hi = set(), set()
    todo = list(facts)
    while todo:
        f = todo.pop()
        if z3.is_and(f):
            todo.extend(f.children())
            continue
        if not (z3.is_app(f) and f.num_args() == 2):
            continue
        kind = f.decl().kind()
        if kind not in _FLIP:
            continue
        a, b = f.children()
        if z3.is_int_value(a):
            a, b, kind = b, a, _FLIP[kind]
        if not (z3.is_const(a) and z3.is_int_value(b)):
            continue
        if kind in (z3.Z3_OP_GE, z3.Z3_OP_GT, z3.Z3_OP_EQ):
            lo.add(a.get_id())
        if kind in (z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_EQ):
            hi.add(a.get_id())
    return lo, hi


def path_bounds(enc, deadline: Deadline) -> PathBounds | None:
    """Bounds for the integer leaves whose type leaves them unbounded, proved from the
    initial condition and the action instances' updates, or None when a leaf is
    neither an integer nor a Boolean, or Z3 proves none within LIMIT."""
    pre = enc.pre
    for x in pre.leaves:
        if not (z3.is_int(x) or z3.is_bool(x)):
            return None
    lo, hi = type_bounds(pre.facts)
    positions = tuple(i for i, x in enumerate(pre.leaves)
                      if z3.is_int(x) and not (x.get_id() in lo and x.get_id() in hi))
    if not positions:
        return PathBounds((), 0, 0)
    budget = Deadline(BOUND_SECONDS if deadline.end is None else
                      max(0.0, min(BOUND_SECONDS, deadline.remaining_ms() / 1000)))
    s0 = enc.at(0)
    start = _least(budget, [*s0.facts, enc.init(s0)],
                   lambda b: Or(*(Or(s0.leaves[p] > b, s0.leaves[p] < -b) for p in positions)))
    if start is None:
        return None
    step = _step(enc, set(positions), budget)
    if step is None:
        return None
    return PathBounds(positions, start, step)


def _step(enc, positions: set, deadline: Deadline) -> int | None:
    """The most one step moves a leaf at `positions`: read off each instance's update
    when it is the old value plus a number, or a choice between such (a send, a
    receipt, a drop), else proved by Z3 for all the other updates together, under the
    type facts of the state and of the instances' choices (their guards left out: a
    bound for every state, reachable or not, and every choice)."""
    most, rest, facts = 0, [], list(enc.pre.facts)
    for inst in enc.instances:
        if deadline.expired:
            return None
        hard = False
        for p, new in enc.changed_leaves(inst):
            if p in positions:
                d = _delta(new, enc.pre.leaves[p])
                if d is None:
                    rest.append((new, enc.pre.leaves[p]))
                    hard = True
                else:
                    most = max(most, d)
        if hard:
            facts.extend(inst.facts)
    if not rest:
        return most
    more = _least(deadline, facts, lambda b: Or(*(Or(new - old > b, old - new > b)
                                                  for new, old in rest)))
    return None if more is None else max(most, more)


def _delta(new, old) -> int | None:
    """|new - old| when `new` is `old`, `old` plus or minus a number, or an if-then-else
    of such; else None."""
    if new.eq(old):
        return 0
    if z3.is_app_of(new, z3.Z3_OP_ITE):
        a, b = _delta(new.arg(1), old), _delta(new.arg(2), old)
        return None if a is None or b is None else max(a, b)
    if (z3.is_add(new) or z3.is_sub(new)) and new.num_args() == 2:
        x, y = new.children()
        if x.eq(old) and z3.is_int_value(y):
            return abs(y.as_long())
        if z3.is_add(new) and y.eq(old) and z3.is_int_value(x):
            return abs(x.as_long())
    return None


def _least(deadline: Deadline, facts: list, beyond) -> int | None:
    """The least b in 0, 1, 2, 4, ..., LIMIT for which `facts` and `beyond(b)` are
    unsatisfiable, or None."""
    s = new_solver()
    s.add(And(*facts))
    b = 0
    while b <= LIMIT:
        s.push()
        s.add(beyond(b))
        a = ask(s, deadline)
        s.pop()
        if a.unsat:
            return b
        if not a.sat:
            return None
        b = max(1, 2 * b)
    return None


def finite_solver() -> z3.Solver:
    """Z3's finite-domain tactic (`qffd`: the integers to bit-vectors, then its SAT
    solver) as a solver, with a fixed seed (deterministic answers).  It solves each
    query afresh, bit-blasting the whole path; its incremental counterpart,
    `SolverFor("QF_FD")`, replays its eliminated variables into every scope a query
    opens, which took 60 s of the first query on specs/labs/lww_wallclock.sl where
    this takes under a second."""
    s = z3.Tactic("qffd").solver()
    s.set("random_seed", 0)
    return s
