"""Search semantics that TLC users rely on, pinned on tiny specs."""

from __future__ import annotations

import textwrap

from stateline import check_blocks, load_text, run_check
from stateline.models.verdict import Status, StopReason


def check(text: str, **options):
    loaded = load_text(textwrap.dedent(text), "t.sl")
    return run_check(loaded, check_blocks(loaded)[0], {})


def verdict(result, name):
    return next(v for v in result.verdicts if v.prop == name)


def test_constraint_prunes_but_invariants_see_the_pruned_states():
    r = check("""\
        spec C
        var x: 0..9 = 0
        action inc:
            x := x + 1
        constraint Small: x <= 2
        invariant Below3: x < 3
        invariant Below4: x < 4
        allow deadlock
    """)
    assert (r.stats.states, r.stats.transitions, r.stats.depth) == (3, 4, 3)
    v = verdict(r, "Below3")
    assert v.status is Status.VIOLATED
    assert len(v.trace.steps) == 3 and v.trace.steps[-1].changes[0].new == "3"
    assert verdict(r, "Below4").status is Status.HOLDS


def test_a_state_whose_successors_are_all_pruned_is_not_a_deadlock():
    r = check("""\
        spec C
        var x: 0..9 = 0
        action inc:
            x := x + 1
        constraint Small: x <= 2
    """)
    assert verdict(r, "DeadlockFreedom").status is Status.HOLDS


def test_deadlock_trace_ends_in_the_stuck_state():
    r = check("""\
        spec D
        var x: 0..3 = 0
        action inc:
            require x < 2
            x := x + 1
    """)
    v = verdict(r, "DeadlockFreedom")
    assert v.status is Status.VIOLATED and len(v.trace.steps) == 2


def test_transition_invariant_counts_self_loops():
    r = check("""\
        spec T
        var x: 0..2 = 0
        action inc:
            require x < 2
            x := x + 1
        action stay:
            x := x
        transition Moves: x' != x
    """)
    v = verdict(r, "Moves")
    assert v.status is Status.VIOLATED and len(v.trace.steps) == 1
    assert v.trace.steps[0].action == "stay"


def test_every_successor_is_counted_even_when_equal():
    r = check("""\
        spec E
        var x: 0..1 = 0
        action a(p in 0..2):
            x := 1
    """)
    # 1 initial + 3 from x=0 + 3 from x=1
    assert (r.stats.states, r.stats.transitions) == (2, 7)
    assert r.stop is StopReason.COMPLETE


def test_nondeterministic_initial_states():
    r = check("""\
        spec I
        var x: 0..3 in 1..3
        var b in {true, false}
        action flip:
            b := not b
        invariant Positive: x > 0
    """)
    assert (r.stats.states, r.stats.depth) == (6, 1)
    assert r.stats.transitions == 6 + 6


def test_fair_handler_delivers_and_json_has_the_lasso(tmp_path, capsys):
    import json

    from stateline.cli import main

    spec = textwrap.dedent("""\
        spec Ping
        network set
        message Ping
        var got: bool = false
        action ping:
            send Ping
        fair weak on Ping(m):
            got := true
        property Delivered: eventually got
        check c:
            expect Delivered holds
        check unfairPing:
            expect Delivered violated
    """)
    # `ping` is not fair, so in check unfairPing nothing need be sent; but the handler
    # is fair, so once Ping is sent it must be received.
    path = tmp_path / "ping.sl"
    path.write_text(spec.replace("expect Delivered holds", "fair weak ping\n    expect Delivered holds"))
    out = tmp_path / "r.json"
    assert main(["check", str(path), "--no-progress", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    unfair = next(r for r in doc["results"] if r["check"] == "unfairPing")
    prop = next(p for p in unfair["properties"] if p["name"] == "Delivered")
    assert prop["kind"] == "temporal" and prop["result"] == "violated"
    assert prop["trace"]["loop_start"] == 0 and prop["trace"]["length"] == 0
    capsys.readouterr()
