"""Deeply nested specs: refused with SL108 at the first construct beyond the limit,
or compiled; never a RecursionError, a lark VisitError or a SyntaxError in the
generated Python.

For each kind of nesting, the deepest spec the parser accepts is checked (and
formatted) like any other, and one level more is refused at a pinned location.
Nesting counts the levels of the parse tree (lang.nesting): `len({{...{x}...}})` in
an invariant puts the comparison at level 1, `len(...)` at 2, the k-th brace at
2 + k and the innermost `x` at 3 + k, so 47 braces are the most (x at 50) and with
48 the `x` (column 18 + 48) is the first construct at level 51.
"""

from __future__ import annotations

import contextlib
import io

import pytest

from stateline.cli import main
from stateline.lang import nesting
from stateline.diagnostics import SHOWN_LINE

HEAD = "spec Deep\nconst N = 1\nvar x: 0..1 = 0\nvar s: set[0..3] = {}\naction a: x := 1\n" \
       "allow deadlock\n"
MESSAGE = "error[SL108]: this is nested more than 50 levels deep (constructs inside one " \
          "another); split it, e.g. with definitions"


def nest(template: str, d: int, inner: str = "x") -> str:
    e = inner
    for i in range(d):
        e = template.format(e=e, i=i)
    return e


def invariant(e: str) -> str:
    return HEAD + f"invariant I: {e}\n"


# name: (spec of depth d, deepest accepted d, (line, column) refused at d + 1)
CASES = {
    "set braces": (lambda d: invariant(f"len({nest('{{{e}}}', d)}) == 1"), 47, (7, 66)),
    "unary minus": (lambda d: invariant(f"x == {nest('- {e}', d)} or true"), 47, (7, 115)),
    "not": (lambda d: invariant(nest("not {e}", d, "x == 0") + " or true"), 47, (7, 206)),
    "tuples": (lambda d: invariant(f"{nest('({e},)', d)} != {nest('({e},)', d, '2')}"), 48,
               (7, 63)),
    "if expressions": (lambda d: invariant(nest("({e} if x == 0 else 0)", d) + " >= 0"), 47,
                       (7, 67)),
    "calls": (lambda d: invariant(nest("max(1, {e})", d) + " >= 0"), 48, (7, 350)),
    "let": (lambda d: invariant(nest("(let a{i} = x in a{i} + {e})", d) + " >= 0"), 24,
            (7, 534)),
    "parenthesised sums": (lambda d: invariant(nest("(x + {e})", d) + " >= 0"), 48, (7, 255)),
    "sequences": (lambda d: invariant(f"len({nest('[{e}]', d)}) == 1"), 47, (7, 66)),
    "set comprehensions": (lambda d: invariant(
        f"len({nest('{{a{i} for a{i} in {e}}}', d, 's')}) >= 0"), 47, (7, 753)),
    "if statements": (lambda d: HEAD + "action b:\n" + "".join(
        "    " * (k + 1) + "if x == 0:\n" for k in range(d)) + "    " * (d + 1) + "x := 1\n",
        48, (56, 200)),
    "elif": (lambda d: HEAD + "action b:\n    if x == 5:\n        x := 1\n" + "".join(
        f"    elif x == {k + 6}:\n        x := 1\n" for k in range(d)) +
        "    else:\n        x := 0\n", 47, (104, 10)),
}


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", CASES)
def test_deepest_accepted_spec_is_checked_and_formatted(name, tmp_path):
    make, deepest, _ = CASES[name]
    spec = tmp_path / "deep.sl"
    spec.write_text(make(deepest))
    code, _, err = cli("check", str(spec), "--no-progress")
    assert code == 0, err
    code, out, err = cli("fmt", str(spec))
    assert code == 0 and out, err
    reformatted = tmp_path / "again.sl"
    reformatted.write_text(out)
    assert cli("check", str(reformatted), "--no-progress")[0] == 0


@pytest.mark.parametrize("name", CASES)
def test_one_level_more_is_refused_where_it_gets_too_deep(name, tmp_path):
    make, deepest, (line, col) = CASES[name]
    spec = tmp_path / "deep.sl"
    spec.write_text(make(deepest + 1))
    code, _, err = cli("check", str(spec), "--no-progress")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == f"{spec}:{line}:{col}: {MESSAGE}"
    assert lines[1].startswith(f"{line:>5} | ")
    source = spec.read_text().splitlines()[line - 1]
    caret = lines[2].index("^")
    if len(source) <= SHOWN_LINE:
        assert caret == 8 + col - 1
    else:       # a long line is shown in a window around the column
        assert len(lines[1]) <= 8 + SHOWN_LINE + 6 and lines[1][caret] == source[col - 1]


def test_the_issue_examples_are_refused_or_compiled(tmp_path):
    examples = {
        "braces99": invariant(f"len({nest('{{{e}}}', 99)}) == 1"),
        "minus200": invariant(f"x == {nest('- {e}', 200)}"),
        "tuples200": invariant(f"{nest('({e},)', 200)} != {nest('({e},)', 200, '2')}"),
        "ifexp200": invariant(nest("({e} if x == 0 else 0)", 200) + " >= 0"),
        "let200": invariant(nest("(let a{i} = x in a{i} + {e})", 200) + " >= 0"),
        "max250": invariant(nest("max(1, {e})", 250) + " >= 0"),
        "if99": CASES["if statements"][0](99),
    }
    for name, text in examples.items():
        spec = tmp_path / f"{name}.sl"
        spec.write_text(text)
        code, _, err = cli("check", str(spec), "--no-progress")
        assert code == 2 and "error[SL108]" in err.splitlines()[0], (name, err)
    # a 300-term sum is one flat run: it compiles to flat Python and is checked
    spec = tmp_path / "sum300.sl"
    spec.write_text(invariant("x + " + " + ".join(str(i % 3) for i in range(300)) + " >= 0"))
    assert cli("check", str(spec), "--no-progress")[0] == 0


@pytest.mark.parametrize("op, term", [("+", "x"), ("-", "x"), ("and", "x <= 1"),
                                      ("or", "x == 0"), ("*", "1"), ("|", "{x}")])
def test_long_runs_of_one_operator_are_flat_up_to_the_tree_limit(op, term, tmp_path):
    def spec(n):
        run = f" {op} ".join([term] * n)
        return invariant(f"len({run}) >= 0" if op == "|" else f"{run} or true"
                         if op in ("and", "or") else f"{run} < 1000")
    # the longest run the tree limit allows (the run's nodes start at level 3 or 4):
    # checked, formatted and encoded for Z3 without exhausting Python's recursion limit
    ok = tmp_path / "ok.sl"
    ok.write_text(spec(nesting.MAX_DEPTH - 5))
    for args in (("check", str(ok), "--no-progress"), ("fmt", str(ok)),
                 ("prove", str(ok), "--bmc", "1")):
        code, out, err = cli(*args)
        assert code == 0, (args, err)
    long = tmp_path / "long.sl"
    long.write_text(spec(nesting.MAX_DEPTH + 10))
    code, _, err = cli("check", str(long), "--no-progress")
    assert code == 2
    assert "error[SL108]: this expression is too long or too deeply nested to compile (its " \
           f"syntax tree is more than {nesting.MAX_DEPTH} levels deep)" in err.splitlines()[0]


def test_nested_for_statements_beyond_pythons_block_limit_point_at_the_action(tmp_path):
    spec = tmp_path / "for.sl"
    spec.write_text(HEAD + "action b:\n" + "".join(
        "    " * (k + 1) + f"for i{k} in s:\n" for k in range(25)) + "    " * 26 + "x := 1\n")
    code, _, err = cli("check", str(spec), "--no-progress")
    assert code == 2
    assert err.splitlines()[0] == (
        f"{spec}:7:8: error[SL108]: action 'b' compiles to Python nested too deeply for the "
        "interpreter (too many statically nested blocks)")


def test_a_deeply_nested_proof_lemma_is_refused_in_the_proof_file(tmp_path):
    spec = tmp_path / "s.sl"
    spec.write_text("spec S\nvar x: 0..1 = 0\naction a: x := 1 - x\n"
                    "invariant Small: x <= 1\n")
    proof = tmp_path / "p.sl"
    proof.write_text("proof S\nlemma Deep: " + nest("max(1, {e})", 250) + " >= 0\n")
    code, _, err = cli("prove", str(spec), "--induction", "--proof", str(proof))
    assert code == 2
    # a lemma's expression starts at level 0 (a spec's invariant at 1): the 50th call
    assert err.splitlines()[0] == f"{proof}:2:356: {MESSAGE}"
    proof.write_text("proof S\nlemma Deep: " + nest("max(1, {e})", 40) + " >= 0\n")
    code, out, err = cli("prove", str(spec), "--induction", "--proof", str(proof))
    assert code == 0, err + out
