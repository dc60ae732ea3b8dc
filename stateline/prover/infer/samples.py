"""The reachable states of a small instance, and the atoms' values in them.

`reachable(model)` is a plain breadth-first search over the compiled model (the
explicit checker's semantics: the initial states, and every successor of a state
within the `constraint`; states outside it are kept but not expanded).
`Table.of(model, loaded, prefix, atoms, states)` evaluates every atom under every
assignment of the prefix's variables in every state, with one compiled
comprehension per prefix (`[(A1, ..., An) for x in D for y in E]`, the code
generator of the invariants), and keeps the distinct rows: a clause of literals over
the atoms holds in every reachable state iff it holds on every row.  Each atom is a
bitset over the rows (Python ints), so a clause's test is a few `|`; each row is also
kept as a bitset over the atoms (`code`), for the search of guided.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...lang.load import LoadError, parse_state_expr
from ...models.code import Unsupported
from ...models.runtime import ModelError


class TooManyStates(Exception):
    """The instance has more reachable states than inference samples."""


def reachable(model, limit: int) -> list[tuple]:
    """Every reachable state (breadth-first, deterministic order); TooManyStates past
    `limit`, ModelError on a run-time error."""
    seen: dict = {}
    frontier = []
    for s in model.initial_states():
        if s not in seen:
            seen[s] = None
            frontier.append(s)
    constraint = model.constraint
    while frontier:
        nxt = []
        for s in frontier:
            if constraint is not None and not constraint(s):
                continue
            for t in model.successors(s):
                if t not in seen:
                    seen[t] = None
                    nxt.append(t)
                    if len(seen) > limit:
                        raise TooManyStates(len(seen))
        frontier = nxt
    return list(seen)


@dataclass
class Table:
    atoms: list            # the atoms kept (those that could be evaluated)
    bits: list[int]        # per atom: the rows where it is true
    rows: int
    fn: object = None      # fn(state) -> the rows of a state (of the first model)
    ordered: list = None   # the rows, in order
    _codes: frozenset = None

    @property
    def codes(self) -> frozenset:
        """The rows as integers (bit j: atom j is true), computed when first asked."""
        if self._codes is None:
            self._codes = frozenset(map(code, self.ordered or ()))
        return self._codes

    def rows_of(self, state) -> set | None:
        """The rows of one state (None if evaluating them raises a run-time error)."""
        try:
            return set(self.fn(state))
        except ModelError:
            return None

    @property
    def full(self) -> int:
        return (1 << self.rows) - 1

    @staticmethod
    def of(models_states, loaded, prefix, atoms) -> "Table":
        """The rows of `atoms` under `prefix` over the states of one or more instances:
        `models_states` is [(model, states)]."""
        gens = " ".join(f"for {v.name} in {v.domain.text}" for v in prefix)
        keep = list(atoms)
        rows: set = set()
        first = None
        for model, states in models_states:
            fn = _compile(model, loaded, keep, gens)
            if fn is None:      # some atom cannot be compiled or evaluated: one by one
                keep = [a for a in keep if _compile(model, loaded, [a], gens, states)]
                fn = _compile(model, loaded, keep, gens) if keep else None
            if fn is None:
                return Table([], [], 0)
            first = first or fn
            try:
                for s in states:
                    rows.update(fn(s))
            except ModelError:
                keep = [a for a in keep if _compile(model, loaded, [a], gens, states)]
                return Table.of(models_states, loaded, prefix, keep)
        ordered = sorted(rows)
        bits = []
        for j in range(len(keep)):
            b = 0
            for i, r in enumerate(ordered):
                if r[j]:
                    b |= 1 << i
            bits.append(b)
        return Table(keep, bits, len(ordered), first, ordered)


def code(row) -> int:
    """A row as an integer: bit j is set when atom j is true."""
    return int("".join("1" if x else "0" for x in reversed(row)) or "0", 2)


def _compile(model, loaded, atoms, gens: str, states=None):
    """fn(state) -> tuple of rows; None if it cannot be compiled (or, with `states`,
    raises in one of them)."""
    items = ", ".join(f"({a.text})" for a in atoms)
    text = f"[({items},) {gens}]" if gens else f"[({items},)]"
    try:
        fn, _ = model.expression(parse_state_expr(loaded, text))
    except (LoadError, Unsupported):
        return None
    if states is not None:
        try:
            for s in states:
                fn(s)
        except ModelError:
            return None
    return fn
