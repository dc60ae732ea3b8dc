"""Symmetry on generated specs: the narrowed canonical form is the direct one.

`Symmetry.canonical` narrows the renamings slot by slot and remembers what it
narrowed; `canonical_reference` applies every renaming and keeps the least.  On
specs generated from a template with one or two symmetric sets of model values
(process instances moved, sets, maps keyed by the set, options and messages
renamed, set and bag networks), both must give the same state for every reachable
state, and a reduced search must find exactly one state per orbit.  Derandomized at
CI size; `SYMMETRY_EXAMPLES=N` runs more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stateline import check_blocks, load_text
from stateline.checker.run import prepare
from stateline.checker.search import SearchOptions, bfs
from stateline.checker.symmetry import Symmetry

EXAMPLES = int(os.environ.get("SYMMETRY_EXAMPLES", "25"))
SAMPLE = 4000          # states of the unreduced space compared (the first, in BFS order)


@st.composite
def symmetric_specs(draw) -> str:
    n = draw(st.integers(2, 3))
    values = draw(st.booleans())
    reset = draw(st.booleans())
    network = "set" if reset else draw(st.sampled_from(["set", "bag"]))
    seen, tally, last = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    pick = values and draw(st.booleans())
    lines = ["spec SymGen",
             "const S = {" + ", ".join(f"s{i}" for i in range(1, n + 1)) + "} symmetric"]
    if values:
        lines.append("const V = {v1, v2} symmetric")
    lines += ["enum St = {idle, busy, done}", f"network {network}",
              "message M(src: S, n: 0..1)"]
    if values:
        lines.append("message W(val: V)")
    lines += ["", "process Coord:"]
    handler = ["    on M(m):"]
    if seen:
        lines.append("    var seen: set[S] = {}")
        handler.append("        seen := seen | {m.src}")
    if tally:
        lines.append("    var tally: map[S, 0..2] = {s: 0 for s in S}")
        handler.append("        tally[m.src] := (tally[m.src] + 1) % 3")
    if last:
        lines.append("    var last: S? = none")
        handler.append("        last := m.src")
    if pick:
        lines.append("    var pick: V? = none")
    lines.append("    var count: 0..3 = 0")
    handler.append("        count := count + 1 if count < 3 else count")
    lines += [""] + handler
    if pick:
        lines += ["", "    on W(m) if pick == none:", "        pick := m.val"]
    lines += ["", "process P(self in S):", "    var st: St = idle", "    var got: 0..1 = 0", "",
              "    action start if st == idle:", "        st := busy",
              "        send M(self, got)"]
    if values:
        lines += ["", "    action propose(v in V) if st == busy:", "        st := done",
                  "        send W(v)"]
    else:
        lines += ["", "    action finish if st == busy:", "        st := done"]
    if reset:
        lines += ["", "    action reset if st == done:", "        st := idle",
                  "        got := 1 - got"]
    lines += ["", "invariant Fine: Coord.count <= 3", "allow deadlock", ""]
    return "\n".join(lines)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=symmetric_specs())
def test_the_narrowed_canonical_form_is_the_direct_one(text):
    loaded = load_text(text, "symgen.sl")
    model = prepare(loaded, check_blocks(loaded)[0], {})
    sym = Symmetry(model.system)
    full = bfs(model, SearchOptions(max_states=SAMPLE))
    for s in full.state_list:
        assert sym.canonical(s) == sym.canonical_reference(s), text
    if full.stop == "complete":
        orbits = {sym.canonical_reference(s) for s in full.state_list}
        fresh = Symmetry(model.system)          # cold caches: the search alone
        assert bfs(model, SearchOptions(canonical=fresh.canonical)).states == len(orbits)
