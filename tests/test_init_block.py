"""The `init:` block: joint initial conditions (issue 13 item 1).

A hypothesis test compares the initial states of generated blocks (assignments,
`if`, `either`, `choose`, `require`, over declared and type-only variables) with
a small interpreter that follows every way through the block; the textbook specs
(tests/textbook/ewd840_init.sl, chang_roberts_init.sl) pin TLC's counts in
test_textbook.py.  A type-only variable the block does not assign on every path,
or reads first, is SL211; BMC agrees with the explicit checker."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from stateline import Model, SpecError, load_text, lower
from stateline.cli import main

R = 3   # every generated variable has type 0..R
TEXTBOOK = Path(__file__).parent / "textbook"

# ---- generated blocks and their brute-force meaning ---------------------------------------

# statements: ("set", i, j, c)  x_i := (x_j + c) % (R + 1)   (j None: x_i := c)
#             ("req", j, c)     require x_j != c
#             ("if", j, c, A, B)  if x_j < c: A else: B
#             ("either", A, B)


def _stmts(n: int, depth: int):
    leaf = st.one_of(
        st.tuples(st.just("set"), st.integers(0, n - 1), st.one_of(st.none(),
                  st.integers(0, n - 1)), st.integers(0, R)),
        st.tuples(st.just("req"), st.integers(0, n - 1), st.integers(0, R)))
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=3)
    inner = _stmts(n, depth - 1)
    compound = st.one_of(
        st.tuples(st.just("if"), st.integers(0, n - 1), st.integers(0, R + 1), inner, inner),
        st.tuples(st.just("either"), inner, inner))
    return st.lists(st.one_of(leaf, compound), min_size=1, max_size=3)


@st.composite
def blocks(draw):
    n = draw(st.integers(1, 3))
    # per variable: None (type only), ("=", c) or ("in", lo)
    decls = [draw(st.one_of(st.none(), st.tuples(st.just("="), st.integers(0, R)),
                            st.tuples(st.just("in"), st.integers(0, R)))) for _ in range(n)]
    choose = draw(st.one_of(st.none(), st.integers(0, R)))     # choose v in lo..R
    body = draw(_stmts(n, 2))
    return decls, choose, body


def _text(stmts, depth: int) -> list[str]:
    pad = "    " * depth
    out = []
    for s in stmts:
        if s[0] == "set":
            _, i, j, c = s
            value = str(c) if j is None else f"(x{j} + {c}) % {R + 1}"
            out.append(f"{pad}x{i} := {value}")
        elif s[0] == "req":
            out.append(f"{pad}require x{s[1]} != {s[2]}")
        elif s[0] == "if":
            out += [f"{pad}if x{s[1]} < {s[2]}:", *_text(s[3], depth + 1), f"{pad}else:",
                    *_text(s[4], depth + 1)]
        else:
            out += [f"{pad}either:", *_text(s[1], depth + 1), f"{pad}or:",
                    *_text(s[2], depth + 1)]
    return out


def spec_text(decls, choose, body) -> str:
    lines = ["spec Block"]
    for i, d in enumerate(decls):
        init = "" if d is None else (f" = {d[1]}" if d[0] == "=" else f" in {d[1]}..{R}")
        lines.append(f"var x{i}: 0..{R}{init}")
    lines.append("init:")
    depth = 1
    if choose is not None:
        lines.append(f"    choose v in {choose}..{R}:")
        depth = 2
    pad = "    " * depth
    # the type-only variables first (from v when there is a choice), then the body
    for i, d in enumerate(decls):
        if d is None:
            lines.append(f"{pad}x{i} := {'v' if choose is not None else i % (R + 1)}")
    lines += _text(body, depth)
    lines.append("allow deadlock")
    return "\n".join(lines) + "\n"


def _run(stmts, state: tuple) -> list[tuple]:
    """Every state one way through `stmts` ends in (a failed require: none)."""
    states = [state]
    for s in stmts:
        nxt = []
        for cur in states:
            if s[0] == "set":
                _, i, j, c = s
                value = c if j is None else (cur[j] + c) % (R + 1)
                nxt.append(cur[:i] + (value,) + cur[i + 1:])
            elif s[0] == "req":
                if cur[s[1]] != s[2]:
                    nxt.append(cur)
            elif s[0] == "if":
                nxt += _run(s[3] if cur[s[1]] < s[2] else s[4], cur)
            else:
                nxt += _run(s[1], cur) + _run(s[2], cur)
        states = nxt
    return states


def brute_force(decls, choose, body) -> set[tuple]:
    seeds = itertools.product(*[[0] if d is None else [d[1]] if d[0] == "=" else
                                range(d[1], R + 1) for d in decls])
    out = set()
    for seed in seeds:
        for v in ([None] if choose is None else range(choose, R + 1)):
            start = tuple((v if choose is not None else i % (R + 1)) if d is None else x
                          for i, (d, x) in enumerate(zip(decls, seed)))
            out.update(_run(body, start))
    return out


@settings(max_examples=150, deadline=None)
@given(blocks())
def test_initial_states_match_brute_force(block):
    decls, choose, body = block
    text = spec_text(decls, choose, body)
    expected = brute_force(decls, choose, body)
    try:
        model = Model(lower(load_text(text, "block.sl").typed))
    except SpecError as exc:
        assert not expected, (text, exc)
        assert [d.code for d in exc.diagnostics] == ["SL404"], text
        assert "the init: block yields no initial state" in exc.diagnostics[0].message
        return
    got = model.initial_states()
    assert set(got) == expected, text
    assert len(set(got)) == len(got)


# ---- semantics -----------------------------------------------------------------------------

def _initial(text: str) -> list[tuple]:
    return Model(lower(load_text(text, "s.sl").typed)).initial_states()


def test_statements_run_in_order_from_the_declared_values():
    text = ("spec S\nvar x: 0..3 = 1\nvar y: 0..3\ninit:\n    y := x\n    x := 3\n"
            "    if y == 1:\n        y := y + 1\nallow deadlock\n")
    assert _initial(text) == [(3, 2)]


def test_every_way_through_the_block_is_an_initial_state():
    text = ("spec S\nvar x: 0..3 in 0..1\nvar y: 0..3\ninit:\n    either:\n        y := x\n"
            "    or:\n        require x == 1\n        y := 3\nallow deadlock\n")
    assert sorted(_initial(text)) == [(0, 0), (1, 1), (1, 3)]


def test_ewd840_init_block_has_the_tla_initial_states():
    """The joint Init of EWD840: the same 192 initial states as the declared choices."""
    block = Model(lower(load_text((TEXTBOOK / "ewd840_init.sl").read_text(),
                                  "ewd840_init.sl").typed))
    plain = Model(lower(load_text((TEXTBOOK / "ewd840.sl").read_text(), "ewd840.sl").typed))
    assert len(block.initial_states()) == 192
    assert set(block.initial_states()) == set(plain.initial_states())


def test_init_stays_a_name_outside_top_level_declarations():
    text = ("spec S\nenum Phase = {init, done}\nvar p: Phase = init\ninit:\n"
            "    require p == init\naction finish:\n    require p == init\n    p := done\n"
            "allow deadlock\n")
    model = Model(lower(load_text(text, "s.sl").typed))
    assert [dict(model.describe(s)) for s in model.initial_states()] == [{"p": "init"}]


# ---- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, where, message", [
    ("spec S\nvar x: 0..3\nvar y: 0..3 = 0\ninit:\n    if y == 0:\n        x := 1\n",
     "2:5", "variable 'x' has only a type, and the init: block at line 4 does not assign it "
            "on every path"),
    ("spec S\nvar x: 0..3\ninit:\n    x := x + 1\n",
     "4:10", "'x' has only a type and is read in the init: block before it is assigned"),
    ("spec S\nvar x: map[1..2, 0..3]\ninit:\n    x[1] := 0\n",
     "4:5", "'x' has only a type and is read in the init: block before it is assigned"),
    ("spec S\nvar x: 0..3\ninit:\n    for i in 0..2:\n        x := i\n",
     "2:5", "variable 'x' has only a type, and the init: block at line 3 does not assign it "
            "on every path"),
    ("spec S\nvar x: 0..3\n",
     "2:5", "variable 'x' has only a type, and the spec has no init: block to assign it"),
    ("spec S\nvar x: 0..3\nvar y: 0..3 = x\ninit:\n    x := 1\n",
     "3:15", "the initial value of 'y' reads 'x', which has only a type (the init: block "
             "assigns it after the declared initial values)"),
    ("spec S\nprocess P(self in 1..2):\n    var a: 0..3\ninit:\n    pass\n",
     "3:9", "variable 'a' of process 'P' has only a type; the init: block assigns global "
            "variables only, so give it an initial value"),
])
def test_sl211(tmp_path, capsys, text, where, message):
    path = tmp_path / "bad.sl"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    assert f"{path}:{where}: error[SL211]: {message}" in capsys.readouterr().err


@pytest.mark.parametrize("text, where, code, message", [
    ("spec S\nvar g: 0..3 = 0\nprocess P(self in 1..2):\n    var a: 0..3 = 0\ninit:\n"
     "    a := 1\n", "6:5", "SL106",
     "the init: block assigns global variables only; 'a' is a variable of process 'P'"),
    ("spec S\nmessage M\nnetwork bag\nvar g: 0..3 = 0\ninit:\n    send M\n", "6:5", "SL106",
     "'send' is not allowed in the init: block (the network and the histories start empty)"),
    ("spec S\nvar g: 0..3 = 0\ninit:\n    g := 1\ninit:\n    g := 2\n", "5:1", "SL202",
     "the spec has more than one init: block"),
    ("spec S\nvar x: 0..3\ninit:\n    x := 5\n", "4:10", "SL601", "'x': 5 is outside 0..3"),
    ("spec S\nvar x: 0..3\ninit:\n    x := 1\n    assert x == 2, \"not two\"\n", "5:5", "SL603",
     "assertion failed: not two"),
    ("spec S\nvar g: 0..3 = 0\ninit:\n    require g == 1\n", "3:1", "SL404",
     "the init: block yields no initial state (every way through it fails a 'require')"),
])
def test_other_errors(tmp_path, capsys, text, where, code, message):
    path = tmp_path / "bad.sl"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    assert f"{path}:{where}: error[{code}]: {message}" in capsys.readouterr().err


# ---- the Z3 engines and the formatter ------------------------------------------------------

BLOCK = """\
spec Block
const N = 3
var x: 0..N
var y: 0..N = 0

init:
    choose v in 0..N:
        require v != 2
        x := v
        either:
            y := v
        or:
            y := 0

action up:
    require y < x
    y := y + 1

invariant Below: y <= x
invariant NotTwo: y != 2
allow deadlock
"""


def test_bmc_agrees_with_check(tmp_path, capsys):
    path = tmp_path / "block.sl"
    path.write_text(BLOCK)
    model = Model(lower(load_text(BLOCK, str(path)).typed))
    assert sorted(model.initial_states()) == [(0, 0), (1, 0), (1, 1), (3, 0), (3, 3)]
    assert main(["check", str(path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[1]: line for line in out.splitlines() if line.startswith("default ")}
    assert "holds       holds" in rows["Below"]
    assert "violated (2 steps)" in rows["NotTwo"]
    assert main(["prove", "--bmc", "4", str(path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()[:1]}
    assert "holds up to the bound: no violation in 4 steps" in rows["Below"]
    assert "violated: a counterexample of 2 steps" in rows["NotTwo"]


def test_any_size_refuses(tmp_path, capsys):
    path = tmp_path / "block.sl"
    path.write_text(BLOCK)
    assert main(["prove", "--induction", "--any-size", str(path)]) == 2
    assert "error[SL801]: the Z3 engines cannot encode the init: block (joint initial " \
           "conditions) in an any-size proof" in capsys.readouterr().err


def test_fmt_round_trips_the_init_block(tmp_path, capsys):
    messy = BLOCK.replace("var x: 0..N\n", "var   x :0..N\n").replace(
        "        x := v\n", "        x:=v\n").replace("init:\n", "init :\n")
    path = tmp_path / "block.sl"
    path.write_text(messy)
    assert main(["fmt", str(path)]) == 0
    assert capsys.readouterr().out == BLOCK
    path.write_text(BLOCK)
    assert main(["fmt", "--check", str(path)]) == 0
