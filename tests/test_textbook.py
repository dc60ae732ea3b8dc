"""Textbook specs (tests/textbook/) pinned to the distinct-state counts TLC reports
for the TLA+ originals (issue 13): Chang-Roberts N = 3 (MCChangRoberts: 137),
EWD840 N = 3 (302) and Dijkstra's self-stabilizing token ring with 6 nodes and
M = 6 (6^6 = 46,656).  Chang-Roberts and EWD840 choose initial values that depend
on other initial choices (`var state = cand if initiator else lost`, or a map
of states computed from `var initiator in [1..N -> bool]`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stateline import Model, load_spec, lower
from stateline.cli import main

HERE = Path(__file__).parent / "textbook"

# spec file -> (distinct states, transitions, depth, initial states)
PINNED = {
    "chang_roberts.sl": (137, 227, 10, 8),
    "chang_roberts_maps.sl": (137, 227, 10, 8),
    "chang_roberts_init.sl": (137, 227, 10, 8),
    "ewd840.sl": (302, 1817, 9, 192),
    "ewd840_init.sl": (302, 1817, 9, 192),
    "token_ring.sl": (46_656, 248_832, 1, 46_656),
}


def run_json(path: Path, capsys, *extra: str) -> dict:
    code = main(["check", str(path), "--no-progress", "--json", "-", *extra])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_tlc_state_counts(name, capsys):
    states, transitions, depth, initial = PINNED[name]
    report = run_json(HERE / name, capsys)
    (result,) = report["results"]
    assert result["stats"]["states"] == states
    assert result["stats"]["transitions"] == transitions
    assert result["stats"]["depth"] == depth
    assert [p["result"] for p in result["properties"]] == ["holds"] * len(result["properties"])
    assert result["properties"] and all(p["met"] for p in result["properties"])
    model = Model(lower(load_spec(str(HERE / name)).typed))
    assert len(model.initial_states()) == initial
    assert len(set(model.initial_states())) == initial


def test_chang_roberts_initial_state_follows_initiator():
    """`state` is `cand` exactly for the initiators: 8 initial states, not 8 * 3."""
    model = Model(lower(load_spec(str(HERE / "chang_roberts.sl")).typed))
    seen = set()
    for s in model.initial_states():
        shown = dict(model.describe(s))
        for n in (1, 2, 3):
            initiator = shown[f"Node[{n}].initiator"]
            state = shown[f"Node[{n}].state"]
            assert state == ("cand" if initiator == "true" else "lost"), shown
        seen.add(tuple(shown[f"Node[{n}].initiator"] for n in (1, 2, 3)))
    assert len(seen) == 8


def test_chang_roberts_bmc_agrees(capsys):
    """BMC encodes the dependent initial states: Correctness holds to depth 10."""
    code = main(["prove", "--bmc", "10", str(HERE / "chang_roberts.sl"), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "holds up to the bound: no violation in 10 steps" in out


def test_textbook_specs_are_formatted(capsys):
    assert main(["fmt", "--check", str(HERE)]) == 0, capsys.readouterr()
