"""Initial values that read the variables declared before them (issue 13 item 1).

The initial states are every combination in declaration order, as TLC's Init with
the conjuncts `x \\in S /\\ y \\in F(x)`: a hypothesis test compares the explicit
checker's initial states with a brute-force enumeration, and the Z3 engines
(BMC, induction, PDR) with the explicit checker.  Reading a later variable is
SL210; an any-size proof refuses such a spec (SL801)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings, strategies as st

from stateline import Model, SpecError, load_text, lower
from stateline.cli import main

R = 3   # every generated variable has type 0..R


def _init(kind: int, j: int | None, c: int) -> tuple[str, object]:
    """(Stateline initial-value text, fn(earlier values) -> list of values)."""
    if j is None:
        return f"in {min(c, R)}..{R}", lambda vals: list(range(min(c, R), R + 1))
    x = f"x{j}"
    if kind == 0:
        return f"in 0..{x}", lambda vals: list(range(0, vals[j] + 1))
    if kind == 1:
        return f"= ({x} + {c}) % {R + 1}", lambda vals: [(vals[j] + c) % (R + 1)]
    if kind == 2:
        return f"in (0..{R}) - {{{x}}}", lambda vals: [v for v in range(R + 1) if v != vals[j]]
    return f"in {x}..{min(c, R)}", lambda vals: list(range(vals[j], min(c, R) + 1))


@st.composite
def chains(draw):
    n = draw(st.integers(1, 4))
    decls = []
    for i in range(n):
        j = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        decls.append((draw(st.integers(0, 3)), j, draw(st.integers(0, R))))
    return decls


def brute_force(decls) -> list[tuple]:
    fns = [_init(k, j, c)[1] for k, j, c in decls]
    out = []
    for vals in itertools.product(range(R + 1), repeat=len(decls)):
        if all(vals[i] in fn(vals) for i, fn in enumerate(fns)):
            out.append(vals)
    return out


def spec_text(decls) -> str:
    lines = ["spec Chain"]
    for i, (k, j, c) in enumerate(decls):
        lines.append(f"var x{i}: 0..{R} {_init(k, j, c)[0]}")
    lines.append("allow deadlock")
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None)
@given(chains())
def test_initial_states_match_brute_force(decls):
    text = spec_text(decls)
    expected = brute_force(decls)
    try:
        model = Model(lower(load_text(text, "chain.sl").typed))
    except SpecError as exc:
        assert not expected, (text, exc)
        assert [d.code for d in exc.diagnostics] == ["SL404"]
        return
    got = model.initial_states()
    assert sorted(got) == expected, text
    assert len(set(got)) == len(got)


DEPENDENT = """\
spec Dependent
const N = 3
var x: 0..N in 0..N
var y: 0..N in 0..x
var z: 0..N = y

action inc:
    require y < x
    y := y + 1
    z := y

action dec:
    require y > 0
    y := y - 1
    z := y

invariant Ordered: y <= x
invariant ZSmall: z <= 2
allow deadlock
"""


def test_checker_counts_and_counterexample(tmp_path, capsys):
    path = tmp_path / "dep.sl"
    path.write_text(DEPENDENT)
    model = Model(lower(load_text(DEPENDENT, str(path)).typed))
    assert len(model.initial_states()) == 10          # 1 + 2 + 3 + 4
    assert main(["check", str(path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[1]: line.split()[2:] for line in out.splitlines()
            if line.startswith("default ")}
    assert rows["ZSmall"][:4] == ["holds", "violated", "(0", "steps)"]
    assert rows["Ordered"][:2] == ["holds", "holds"]
    assert rows["Ordered"][3] == "10"                  # every state is initial
    assert "x = 3\n      y = 3\n      z = 3" in out


@pytest.mark.parametrize("engine, ordered, zsmall", [
    (["--bmc", "4"], "holds up to the bound: no violation in 4 steps",
     "violated: a counterexample of 0 steps"),
    (["--induction"], "proved: inductive", "violated: false in an initial state"),
    (["--auto"], "proved: for all reachable states", "violated: violated after 0 steps"),
])
def test_z3_engines_encode_dependent_initial_states(tmp_path, capsys, engine, ordered, zsmall):
    path = tmp_path / "dep.sl"
    path.write_text(DEPENDENT)
    assert main(["prove", *engine, str(path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()[:1]}
    assert ordered in rows["Ordered"]
    assert zsmall in rows["ZSmall"]


def test_later_variable_is_sl210(tmp_path, capsys):
    path = tmp_path / "late.sl"
    path.write_text("spec Late\nvar y: 0..3 in 0..x\nvar x: 0..3 in 0..3\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:19: error[SL210]: initial value of 'y' reads 'x', which is declared " \
           f"after it" in err


def test_self_reference_is_sl210(tmp_path, capsys):
    path = tmp_path / "self.sl"
    path.write_text("spec Self\nvar x: 0..3 = x + 1\n")
    assert main(["check", str(path)]) == 2
    assert f"{path}:2:15: error[SL210]: initial value of 'x' reads itself" \
        in capsys.readouterr().err


def test_global_cannot_read_process_variable(tmp_path, capsys):
    path = tmp_path / "proc.sl"
    path.write_text("spec Proc\nvar g: 0..3 = P[1].a\n\nprocess P(self in 1..2):\n"
                    "    var a: 0..3 = self\n")
    assert main(["check", str(path)]) == 2
    assert "error[SL210]: initial value of 'g' reads 'a', which is declared after it" \
        in capsys.readouterr().err


PROCESS = """\
spec Proc
var g: 0..1 in 0..1

process P(self in 1..2):
    var a: 0..3 in 0..g + self
    var b: 0..3 = a

invariant Same: forall i in 1..2: P[i].a == P[i].b
allow deadlock
"""


def test_process_variables_read_earlier_ones():
    model = Model(lower(load_text(PROCESS, "proc.sl").typed))
    # g = 0: a[1] in 0..1, a[2] in 0..2 (2 * 3); g = 1: 3 * 4
    assert len(model.initial_states()) == 6 + 12
    for s in model.initial_states():
        shown = dict(model.describe(s))
        for i in (1, 2):
            assert shown[f"P[{i}].a"] == shown[f"P[{i}].b"]
            assert int(shown[f"P[{i}].a"]) <= int(shown["g"]) + i


def test_any_size_refuses(tmp_path, capsys):
    path = tmp_path / "dep.sl"
    path.write_text("spec Any\nvar x: 0..3 = 1\nvar y: 0..3 = x\ninvariant I: y >= 0\n"
                    "allow deadlock\n")
    assert main(["prove", "--induction", "--any-size", str(path)]) == 2
    assert "error[SL801]: the Z3 engines cannot encode the initial value of 'y', which " \
           "reads another variable, in an any-size proof" in capsys.readouterr().err


def test_bool_is_a_set(tmp_path):
    text = ("spec Bools\nconst Node = {n1, n2, n3}\nvar b in bool\nvar f in [Node -> bool]\n"
            "var g: bool = b and f[n1]\nallow deadlock\n")
    model = Model(lower(load_text(text, "b.sl").typed))
    assert len(model.initial_states()) == 2 * 8


def test_explorer_lists_the_dependent_initial_states(tmp_path):
    from stateline.explore.session import Session
    path = tmp_path / "proc.sl"
    path.write_text(PROCESS)
    session = Session.open(str(path))
    assert len(session.initials) == 18
    shown = [dict(session.model.describe(s)) for s in session.initials]
    assert all(int(d["P[2].a"]) <= int(d["g"]) + 2 for d in shown)
    assert shown[0] == {"g": "0", "P[1].a": "0", "P[2].a": "0", "P[1].b": "0", "P[2].b": "0"}
    session.choose_initial(17)
    assert dict(session.model.describe(session.current)) == \
        {"g": "1", "P[1].a": "2", "P[2].a": "3", "P[1].b": "2", "P[2].b": "3"}


def test_recovery_reinitialises_in_declaration_order(tmp_path, capsys):
    """A recovery re-evaluates `b = a` from the kept (persistent) `a`; reading a
    variable the recovery re-initialises too is refused (SL210)."""
    ok = ("spec Keep\nprocess P(self in 1..2):\n    crash recover max 1\n"
          "    persistent var a: 0..1 in 0..1\n    var b: 0..1 = a\n\n    action flip:\n"
          "        a := 1 - a\n        b := a\n\n"
          "invariant Same: forall i in 1..2: P[i].a == P[i].b\n")
    path = tmp_path / "keep.sl"
    path.write_text(ok)
    assert main(["check", str(path), "--no-progress"]) == 0
    assert " 16 " in capsys.readouterr().out
    path.write_text(ok.replace("persistent var a", "var a"))
    assert main(["check", str(path)]) == 2
    assert f"{path}:5:19: error[SL210]: initial value of 'b' reads 'a', which a recovery " \
           f"re-initialises too" in capsys.readouterr().err


def z3_initial_count(model) -> int:
    """Solutions of the Z3 encoding's Init over the state's leaves (distinct states)."""
    import z3

    from stateline.prover.run import encode
    enc = encode(model)
    solver = z3.Solver()
    solver.add(*enc.pre.facts, enc.init(enc.pre))
    leaves = list(enc.pre.leaves)
    count = 0
    while solver.check() == z3.sat and count <= 4 ** 4:
        m = solver.model()
        count += 1
        solver.add(z3.Or(*(leaf != m.eval(leaf, model_completion=True) for leaf in leaves)))
    return count


@settings(max_examples=30, deadline=None)
@given(chains())
def test_z3_initial_states_match_brute_force(decls):
    expected = brute_force(decls)
    if not expected:
        return
    model = Model(lower(load_text(spec_text(decls), "chain.sl").typed))
    assert z3_initial_count(model) == len(expected), spec_text(decls)
