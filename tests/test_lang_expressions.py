"""Issue 13 items 3 and 4: sequence comprehensions, constants that are subsets of
model values, and recursive definitions (with a depth bound).

Every count is pinned against a brute-force enumeration written here in Python, and
the Z3 engines are run on the same specs: they compute what depends on constants only
and refuse (SL801) what they cannot encode, never a wrong verdict.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from stateline import SpecError, check_blocks, load_text, run_check
from stateline.lang.fmt import format_text
from stateline.models.verdict import Status

sys.path.insert(0, str(Path(__file__).parent))
import engine_agreement as E  # noqa: E402


def _check(text: str):
    loaded = load_text(text, "spec.sl")
    return run_check(loaded, check_blocks(loaded)[0], {})


def _verdicts(r):
    return {v.prop: v.status for v in r.verdicts}


# ---- sequence comprehensions --------------------------------------------------------

SEQS = """spec Seqs

const N = 4
const Cmds = {put, get}

var log: seq[Cmds, 3] = []

action append(x in Cmds) if len(log) < 3:
    log := log + [x]

def squares = [i * i for i in 0..N - 1]
def puts = [x for x in log if x == put]

invariant Squares: squares == [0, 1, 4, 9] and [i for i in squares if i % 2 == 1] == [1, 9]
invariant Pairs: [(i, j) for i in 0..1 for j in 0..1 if i != j] == [(0, 1), (1, 0)]
invariant Order: [c for c in Cmds] == [put, get] and [x for x in log] == log
invariant Filter: len(puts) + len([x for x in log if x != put]) == len(log)
invariant FewPuts: len(puts) <= 2
allow deadlock
"""


def test_sequence_comprehensions():
    r = _check(SEQS)
    assert r.stats.states == 1 + 2 + 4 + 8
    v = _verdicts(r)
    assert v == {"Squares": Status.HOLDS, "Pairs": Status.HOLDS, "Order": Status.HOLDS,
                 "Filter": Status.HOLDS, "FewPuts": Status.VIOLATED}
    [few] = [x for x in r.verdicts if x.prop == "FewPuts"]
    assert len(few.trace.steps) == 3                 # put, put, put


def test_sequence_comprehension_z3():
    # a comprehension over the state is refused (SL801) ...
    over_state = SEQS.replace("def puts = [x for x in log if x == put]",
                              "def puts = [x for x in log if x == put and false]")
    over_state = "\n".join(line for line in over_state.splitlines()
                           if not line.startswith(("invariant Order", "invariant Filter")))
    run = E.findings(SimpleNamespace(text=over_state + "\n"))
    assert run.refused == "the Z3 engines cannot encode a sequence comprehension that " \
                          "depends on the state"
    # ... and one over constants only is computed
    text = "\n".join(line for line in SEQS.splitlines()
                     if not line.startswith(("def puts", "invariant Order", "invariant Filter",
                                             "invariant FewPuts")))
    run = E.findings(SimpleNamespace(text=text + "\n"))
    assert run.refused is None and run.findings == [] and "bmc" in run.results


def test_sequence_comprehension_formats():
    assert format_text(SEQS, "s.sl") == SEQS


# ---- constants that are subsets of model values --------------------------------------

SUBSET = """spec Subsets

const Commands = {w1, w2, r1}
const Writes: set[Commands] = {w1, w2}
const Reads = {r1}

var last in Commands

action write(c in Writes):
    last := c

invariant Split: Writes | Reads == Commands and Writes & Reads == {}
invariant LastWrite: last in Writes
"""


def test_constant_subset_of_model_values():
    r = _check(SUBSET)
    assert r.stats.states == 3
    assert _verdicts(r) == {"Split": Status.HOLDS, "LastWrite": Status.VIOLATED,
                            "DeadlockFreedom": Status.HOLDS}
    run = E.findings(SimpleNamespace(text=SUBSET))
    assert run.refused is None and run.findings == []


def test_model_value_of_a_later_constant_is_a_value_of_its_own():
    # a1 is a model value of A and of B (scoped names, lang/qualified.py): written
    # alone it is ambiguous, an error at the use naming both declarations
    text = "spec S\nconst A = {a1}\nconst B = {a1, b1}\nvar x: B = {}\n"
    loaded = load_text(text.replace("{}", "B.a1"), "s.sl")
    assert [v.name for v in loaded.typed.variables] == ["x"]
    with pytest.raises(SpecError) as exc:
        load_text(text.replace("{}", "a1"), "s.sl")
    d = exc.value.diagnostics[0]
    assert d.code == "SL212" and (d.span.line, d.span.col) == (4, 12)
    assert d.message == ("'a1' is ambiguous: the model value 'a1' of 'A' and the model "
                         "value 'a1' of 'B'")


# ---- recursive definitions -----------------------------------------------------------

TREE = """spec Recursion
const Node = 0..4

var parent: map[Node, Node] = {n: (0 if n == 0 else n - 1) for n in Node}

action compress(n in Node) if parent[parent[n]] != parent[n]:
    parent[n] := parent[parent[n]]

def depth(n: int): int = 0 if parent[n] == n else 1 + depth(parent[n])
def ancestors(s: set[int]): set[int] =
    s if {parent[n] for n in s} <= s else ancestors(s | {parent[n] for n in s})
def largest(s: set[int]): int = min(s) if len(s) == 1 else largest(s - {min(s)})
def even(n: int): bool = true if n == 0 else odd(n - 1)
def odd(n: int): bool = false if n == 0 else even(n - 1)

invariant Shallow: forall n in Node: depth(n) <= n
invariant Rooted: forall n in Node: 0 in ancestors({n}) and n in ancestors({n})
invariant Largest: largest(Node) == 4 and even(largest(Node))
invariant Flat: forall n in Node: depth(n) <= 2
allow deadlock
"""


def _tree_brute_force():
    """(states, transitions, states where some depth is > 2) of TREE."""
    def depth(p, n):
        return 0 if p[n] == n else 1 + depth(p, p[n])
    init = (0, 0, 1, 2, 3)
    seen, todo, transitions = {init}, [init], 1
    while todo:
        p = todo.pop()
        for n in range(5):
            if p[p[n]] != p[n]:
                q = p[:n] + (p[p[n]],) + p[n + 1:]
                transitions += 1
                if q not in seen:
                    seen.add(q)
                    todo.append(q)
    deep = sum(1 for p in seen if any(depth(p, n) > 2 for n in range(5)))
    return len(seen), transitions, deep


def test_recursive_definitions():
    states, transitions, deep = _tree_brute_force()
    r = _check(TREE)
    assert (r.stats.states, r.stats.transitions) == (states, transitions) == (24, 47)
    assert deep > 0
    assert _verdicts(r) == {"Shallow": Status.HOLDS, "Rooted": Status.HOLDS,
                            "Largest": Status.HOLDS, "Flat": Status.VIOLATED}
    [flat] = [x for x in r.verdicts if x.prop == "Flat"]
    assert flat.trace is not None and len(flat.trace.steps) == 0    # the chain is 4 deep


def test_recursion_depth_bound_is_a_run_time_error():
    text = """spec Diverges
var x: 0..3 = 0
def loop(n: int): int = loop(n + 1)
action inc if x < 3:
    x := x + 1
invariant Loops: x < 2 or loop(x) > 0
allow deadlock
"""
    r = _check(text)
    assert r.failure is not None
    d = r.failure.diagnostic
    assert d.code == "SL602"
    assert d.message == "recursion of 'loop' deeper than 1,000 (does it terminate?)"
    assert (d.span.line, d.span.col) == (3, 25)
    assert len(r.failure.trace.steps) == 2            # x = 2 is the first state it runs in


def test_recursion_in_a_constant_and_the_provers():
    text = """spec Constant
def fact(n: int): int = 1 if n <= 0 else n * fact(n - 1)
const K = fact(4)
var x: 0..30 = K
action down if x > 0:
    x := x - 1
invariant Small: x <= fact(3) * 4 and fact(10) == 3628800
"""
    r = _check(text)
    assert r.stats.states == 25 and _verdicts(r)["Small"] is Status.HOLDS
    run = E.findings(SimpleNamespace(text=text))
    assert run.refused is None and run.findings == [] and "k-induction" in run.results
    # a call whose argument is the state: refused, not guessed
    run = E.run_engines(SimpleNamespace(text=text.replace("fact(3) * 4", "fact(x) + 24")))
    assert run.refused == "the Z3 engines cannot encode a call of recursive definition " \
                          "'fact' whose arguments or body depend on the state"


def test_recursion_needs_declared_types():
    with pytest.raises(SpecError) as exc:
        load_text("spec R\ndef f(n) = f(n)\ninvariant I: f(1) == 1\n", "r.sl")
    d = exc.value.diagnostics[0]
    assert d.code == "SL205" and (d.span.line, d.span.col) == (2, 5)
    assert "does not declare its parameter types and return type" in d.message
    with pytest.raises(SpecError) as exc:
        load_text("spec R\nconst A = {a1, a2}\ndef f(s: set[(A, A)]): int = f(s)\n"
                  "invariant I: f({}) == 1\n", "r.sl")
    d = exc.value.diagnostics[0]
    assert d.code == "SL303" and (d.span.line, d.span.col) == (3, 10)


def test_recursion_formats():
    assert format_text(TREE, "t.sl") == TREE
