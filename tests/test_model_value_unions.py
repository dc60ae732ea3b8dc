"""Issue 13 item 3: unions and intersections of sets of model values of different
constants (`Readers | Writers`), typed by a union sort (lang/unions.py).

The explicit checker is cross-checked against the same spec written the old way (one
constant of every value, the parts declared as its subsets), for every size of the
two parts that check blocks can bind; BMC agrees with the explicit checker; symmetry
over a part whose values a variable of the union holds is refused.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.diagnostics import SpecError
from stateline.lang.fmt import format_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, prove_block

BODY = """
var last: {U} = {first}
var seen: set[{U}] = {{}}
var wrote: set[{W}] = {{}}

action read(c in Readers):
    last := c
    seen := seen | {{c}}

action write(c in Writers):
    require c not in wrote
    last := c
    wrote := wrote | {{c}}
    seen := seen | {{c}}

invariant Typed: last in Readers | Writers and seen <= Readers | Writers
invariant Apart: Readers & Writers == {{}} and len(Readers | Writers) == {total}
invariant SeenWrites: wrote <= seen and seen - Readers == wrote
invariant NotAllSeen: seen != Readers | Writers
invariant NoReaderLast: last not in Readers or len(wrote) < {nw}
"""


def union_spec(nr: int, nw: int) -> str:
    """Two constants of model values and their union."""
    readers = ", ".join(f"r{i}" for i in range(1, nr + 1))
    writers = ", ".join(f"w{i}" for i in range(1, nw + 1))
    return (f"spec Unions\nconst Readers = {{{readers}}}\nconst Writers = {{{writers}}}\n" +
            BODY.format(U="Readers | Writers", W="Writers", first="Readers.r1",
                        total=nr + nw, nw=nw))


def subset_spec(nr: int, nw: int) -> str:
    """The reference: one constant of every value, the parts declared as its subsets."""
    readers = [f"r{i}" for i in range(1, nr + 1)]
    writers = [f"w{i}" for i in range(1, nw + 1)]
    return (f"spec Subsets\nconst All = {{{', '.join(readers + writers)}}}\n"
            f"const Readers: set[All] = {{{', '.join(readers)}}}\n"
            f"const Writers: set[All] = {{{', '.join(writers)}}}\n" +
            BODY.format(U="All", W="All", first="r1", total=nr + nw, nw=nw))


def explicit(text: str):
    loaded = load_text(text, "u.sl")
    [block] = check_blocks(loaded)
    r = run_check(loaded, block, {})
    return (r.stats.states, r.stats.transitions,
            [(v.prop, v.status.value, len(v.trace) if v.trace else None) for v in r.verdicts])


def test_pinned_counts_and_verdicts():
    states, transitions, verdicts = explicit(union_spec(2, 2))
    assert (states, transitions) == (33, 93)
    assert verdicts == [("Typed", "holds", None), ("Apart", "holds", None),
                        ("SeenWrites", "holds", None), ("NotAllSeen", "violated", 4),
                        ("NoReaderLast", "violated", 3), ("DeadlockFreedom", "holds", None)]


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.integers(1, 3), st.integers(1, 3))
def test_a_union_is_the_set_of_all_values_split_into_subsets(nr, nw):
    assert explicit(union_spec(nr, nw)) == explicit(subset_spec(nr, nw))


REBIND = """spec Rebind
const Readers = {r1, r2}
const Writers = {w1}
var seen: set[Readers | Writers] = {}

action see(c in Readers | Writers):
    seen := seen | {c}

invariant Few: len(seen) <= 3

check base:
    expect Few holds
check small(Readers = {a, b, c}, Writers = {b}):
    expect Few violated
"""


def test_a_check_block_rebinds_the_parts_of_a_union():
    loaded = load_text(REBIND, "u.sl")
    got = []
    for block in check_blocks(loaded):
        r = run_check(loaded, block, {})
        v = r.verdicts[0]
        got.append((block.name, r.stats.states, v.status.value,
                    len(v.trace) if v.trace else None))
        if v.trace:         # Readers.b and Writers.b are two values, shown qualified
            assert "Writers.b" in str(v.trace.steps[-1]) or "Writers.b" in str(v.trace)
    assert got == [("base", 8, "holds", None), ("small", 16, "violated", 4)]


def test_bmc_agrees_with_the_explicit_checker():
    text = union_spec(2, 2)
    loaded = load_text(text, "u.sl")
    [block] = check_blocks(loaded)
    r = prove_block(loaded, block, {}, ProveOptions("bmc", 5, timeout=60))
    assert [(o.name, o.claim) for o in r.obligations] == [
        ("Typed", Claim.BOUNDED), ("Apart", Claim.BOUNDED), ("SeenWrites", Claim.BOUNDED),
        ("NotAllSeen", Claim.VIOLATED), ("NoReaderLast", Claim.VIOLATED),
        ("DeadlockFreedom", Claim.BOUNDED)]


def test_fmt_round_trips_a_union_type():
    text = union_spec(2, 1)
    assert format_text(text) == text
    assert format_text(text.replace("set[Readers | Writers]", "set[Readers|Writers]")) == text


@pytest.mark.parametrize("extra, code, message", [
    ("const Both = Readers | Writers symmetric\n", "SL303",
     "only a set of model values can be symmetric; 'Both' is not one (its elements are not "
     "fresh names)"),
    ("enum L = {x, y}\nvar bad: Readers | L = Readers.r1\n", "SL105",
     "a union type joins sets of model values; L is not one"),
    ("var narrow: Readers = Readers.r1\naction n(c in Readers | Writers):\n    narrow := c\n",
     "SL303", "assignment to 'narrow' expects Readers, got Readers | Writers"),
])
def test_refusals(extra, code, message):
    text = union_spec(2, 2) + extra
    with pytest.raises(SpecError) as exc:
        load_text(text, "u.sl")
    d = exc.value.diagnostics[0]
    assert (d.code, d.message) == (code, message)


def test_symmetry_over_a_part_held_in_a_union_is_refused():
    text = union_spec(2, 2).replace("const Readers = {r1, r2}",
                                     "const Readers = {r1, r2} symmetric")
    loaded = load_text(text, "u.sl")
    [block] = check_blocks(loaded)
    with pytest.raises(SpecError) as exc:
        run_check(loaded, block, {})
    d = exc.value.diagnostics[0]
    assert d.code == "SL303" and (d.span.line, d.span.col) == (2, 7)
    assert "variable 'last' holds values of the union Readers | Writers" in d.message


UNION_MAP = """spec UnionMap
const Readers = {r1, r2}
const Writers = {w1}
var m: map[Readers | Writers, bool] = {c: false for c in Readers | Writers}
var pick: (Readers | Writers)? = none

action mark(r in Readers):
    m[r] := true
    pick := r

action markw(w in Writers):
    m[w] := true

invariant OnlyMarked: forall c in Readers | Writers: m[c] or c != pick
invariant SomeWriter: exists c in Readers | Writers: c in Writers or not m[c]
invariant NoneYet: pick == none or pick in Readers
invariant NeverW1: not m[Writers.w1]
"""


def test_maps_options_and_quantifiers_over_a_union():
    assert explicit(UNION_MAP) == (10, 31, [
        ("OnlyMarked", "holds", None), ("SomeWriter", "holds", None),
        ("NoneYet", "holds", None), ("NeverW1", "violated", 1),
        ("DeadlockFreedom", "holds", None)])
    loaded = load_text(UNION_MAP, "u.sl")
    [block] = check_blocks(loaded)
    r = prove_block(loaded, block, {}, ProveOptions("bmc", 4, timeout=60))
    assert [o.claim for o in r.obligations] == [Claim.BOUNDED, Claim.BOUNDED, Claim.BOUNDED,
                                                Claim.VIOLATED, Claim.BOUNDED]
    assert format_text(UNION_MAP) == UNION_MAP
    with pytest.raises(SpecError) as exc:
        load_text(UNION_MAP.replace("pick := r", "pick := r\n    m[Writers.w1] := pick"),
                  "u.sl")
    assert exc.value.diagnostics[0].message == \
        "assignment to 'm' expects bool, got (Readers | Writers)?"


LITERALS = """spec Literals
const Readers = {r1, r2}
const Writers = {w1}
var x: Readers | Writers in Writers
var q: seq[Readers | Writers, 3] = [Readers.r2, Writers.w1]

action push if len(q) < 3:
    q := q + [Writers.w1]

invariant Mixed: x in {Readers.r1, Writers.w1} and {Writers.w1, Readers.r1} == {Readers.r1} | Writers
invariant Ordered: q[1] == Writers.w1 and q[0] == Readers.r2
invariant Distinct: len({Readers.r2, Writers.w1, Readers.r2}) == 2
invariant NotReader: x not in {Readers.r1, Readers.r2}
invariant Short: Writers.w1 not in {q[i] for i in 2..len(q) - 1}
"""


def test_literals_mixing_two_constants_are_of_their_union():
    assert explicit(LITERALS) == (2, 2, [
        ("Mixed", "holds", None), ("Ordered", "holds", None), ("Distinct", "holds", None),
        ("NotReader", "holds", None), ("Short", "violated", 1),
        ("DeadlockFreedom", "violated", 1)])
    loaded = load_text(LITERALS, "u.sl")
    [block] = check_blocks(loaded)
    r = prove_block(loaded, block, {}, ProveOptions("bmc", 2, timeout=60))
    assert [o.claim for o in r.obligations] == [Claim.BOUNDED] * 4 + [Claim.VIOLATED] * 2
