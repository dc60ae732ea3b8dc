"""Candidate lemmas: clauses of literals over a prefix's atoms, kept when they hold on
every row of the reachable states (samples.Table).

A clause is a disjunction of up to `k` literals (an atom or its negation) under
`forall` over the prefix; it is printed as an implication, `A and B implies C or D`.
Enumeration goes by size, and a clause is only built from literals whose atoms vary
over the rows (an atom true on every row is a one-literal clause and subsumes every
clause it is in) and only when no smaller clause that holds is a subset of it.  The
survivors are then deduplicated up to renaming variables of one domain (the symmetric
prefixes `forall a, b in X` give each lemma twice).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from math import comb

from .grammar import Var
from .samples import Table


@dataclass(frozen=True)
class Clause:
    prefix: tuple           # (Var, ...)
    literals: tuple         # ((atom text, positive), ...) in atom order
    index: tuple = ()       # ((atom index in the table, positive), ...)
    table: object = None    # the samples.Table of its prefix

    def false_in(self, rows) -> bool:
        """Some row (assignment of the variables in a state) falsifies every literal."""
        return any(all(r[j] != pos for j, pos in self.index) for r in rows)

    def body(self) -> str:
        neg = [a for a, pos in self.literals if not pos]
        pos = [a for a, p in self.literals if p]
        if not neg:
            return " or ".join(pos)
        if not pos:
            return "not " + neg[0] if len(neg) == 1 else f"not ({' and '.join(neg)})"
        return f"{' and '.join(neg)} implies {' or '.join(pos)}"

    def text(self) -> str:
        if not self.prefix:
            return self.body()
        binders = ", ".join(f"{v.name} in {v.domain.text}" for v in self.prefix)
        return f"forall {binders}: {self.body()}"

    def canonical(self) -> str:
        """The same for every renaming of the variables within one domain."""
        groups: dict[str, list[str]] = {}
        for v in self.prefix:
            groups.setdefault(v.domain.text, []).append(v.name)
        names = [v.name for v in self.prefix]
        if all(len(g) == 1 for g in groups.values()):
            return f"{names}" + "|".join(sorted(f"{'+' if p else '-'}{a}"
                                                for a, p in self.literals))
        best = None
        for perm in itertools.product(*(itertools.permutations(g) for g in groups.values())):
            order = [n for g in perm for n in g]
            src = [n for g in groups.values() for n in g]
            ren = dict(zip(src, order))
            lits = sorted(f"{'+' if pos else '-'}{_rename(a, ren)}" for a, pos in self.literals)
            key = "|".join(lits)
            if best is None or key < best:
                best = key
        return f"{[v.domain.text for v in self.prefix]}{best}" if names else best


def _rename(text: str, ren: dict[str, str]) -> str:
    if all(a == b for a, b in ren.items()):
        return text
    pat = _pattern(tuple(ren))
    return pat.sub(lambda m: ren[m.group(1)], text)


@lru_cache(maxsize=None)
def _pattern(names: tuple[str, ...]):
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")


def grammar_size(n_atoms: int, k: int) -> int:
    """How many clauses of 1..k literals over n atoms the grammar has."""
    return sum(comb(n_atoms, i) * 2 ** i for i in range(1, k + 1))


def clauses(prefix: list[Var], table: Table, k: int, budget: int) -> tuple[list[Clause], bool]:
    """(the minimal clauses of up to k literals that hold on every row, complete?):
    complete is False when more than `budget` clauses of size 3 or more would be tried."""
    full = table.full
    atoms = table.atoms
    texts = [a.text for a in atoms]
    every = frozenset(v.name for v in prefix)

    def useful(c) -> bool:
        """Mentions every variable, and is no tautology over an enum's values."""
        if frozenset().union(*(atoms[j].vars for j, _ in c)) != every:
            return False
        groups: dict = {}
        for j, pos in c:
            g = atoms[j].group
            if g:
                n_neg, n_pos = groups.get(g, (0, 0))
                groups[g] = (n_neg + (not pos), n_pos + pos)
        return not any(n_neg >= 2 or n_pos == atoms_size(g) for g, (n_neg, n_pos)
                       in groups.items())

    def atoms_size(g):
        return next(a.group_size for a in atoms if a.group == g)

    found: list[tuple] = []         # literal tuples, literal = (atom index, positive)
    kept: set = set()
    varying = []
    for j, b in enumerate(table.bits):
        if b == full:
            if useful(((j, True),)):
                found.append(((j, True),))
        elif b == 0:
            if useful(((j, False),)):
                found.append(((j, False),))
        else:
            varying.append(j)
    lits = [(j, pos) for j in varying for pos in (True, False)]

    def bits(lit):
        j, pos = lit
        return table.bits[j] if pos else full ^ table.bits[j]

    complete = True
    if k >= 2:
        for a, b in itertools.combinations(lits, 2):
            if a[0] != b[0] and bits(a) | bits(b) == full:
                kept.add((a, b))
                if useful((a, b)):
                    found.append((a, b))
    for size in range(3, k + 1):
        combos = comb(len(lits), size)
        if combos > budget:
            complete = False
            break
        for c in itertools.combinations(lits, size):
            if len({j for j, _ in c}) < size:
                continue
            if any(sub in kept for r in range(2, size)
                   for sub in itertools.combinations(c, r)):
                continue
            acc = 0
            for lit in c:
                acc |= bits(lit)
            if acc == full:
                kept.add(c)
                if useful(c):
                    found.append(c)
    out = [Clause(tuple(prefix), tuple((texts[j], pos) for j, pos in c), tuple(c), table)
           for c in found]
    return out, complete
