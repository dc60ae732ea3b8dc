"""`stateline fmt`: canonical layout that never changes a spec's meaning and keeps comments.

For every spec of the library, the docs and the tests, and for mutated copies
of them (hypothesis: comments and blank lines inserted anywhere, spacing,
indentation width and tokens changed; the mutants that still parse are kept):

* formatting never changes the parsed syntax tree;
* formatting is idempotent: format(format(s)) == format(s);
* every comment survives (in order, except that a comment inside a construct
  moves above it).

Random expression trees check the parenthesisation against the parser.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stateline import cli
from stateline.diagnostics import SpecError
from stateline.lang import ast as A
from stateline.lang.comments import Layout
from stateline.lang.fmt import expr, format_text, lay
from stateline.lang.parse import parse, parse_expr

ROOT = Path(__file__).resolve().parent.parent


def _doc_examples() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "language.md").read_text()
    out = []
    for m in re.finditer(r"^```sl[^\n]*\n(.*?)^```", text, re.S | re.M):
        line = text[:m.start()].count("\n") + 1
        out.append((f"docs/language.md:{line}", m.group(1)))
    return out


def _sources() -> list[tuple[str, str]]:
    files = sorted((ROOT / "specs").rglob("*.sl")) + \
        sorted((ROOT / "tests" / "specs").glob("*.sl")) + \
        sorted((ROOT / "tests" / "report_specs").glob("*.sl")) + \
        sorted((ROOT / "tests" / "textbook").glob("*.sl"))
    out = [(p.relative_to(ROOT).as_posix(), p.read_text()) for p in files] + _doc_examples()
    parsed = []
    for name, text in out:
        try:
            parse(text, name)
        except SpecError:
            continue                    # the docs' examples of syntax errors
        parsed.append((name, text))
    return parsed


SOURCES = _sources()


def comments(text: str) -> list[str]:
    lay = Layout(text)
    return [c for c in lay.comment if c is not None]


def check_formatting(text: str, name: str = "<spec>") -> str:
    tree = parse(text, name)
    once = format_text(text, name)
    assert parse(once, name) == tree, "formatting changed the syntax tree"
    assert format_text(once, name) == once, "formatting is not idempotent"
    assert Counter(comments(once)) == Counter(comments(text)), "a comment was lost"
    assert all(len(line) <= 100 or "#" in line or not line.startswith(" " * 4 * 6)
               for line in once.splitlines())
    return once


@pytest.mark.parametrize("name,text", SOURCES, ids=[n for n, _ in SOURCES])
def test_library_docs_and_tests_format_canonically(name, text):
    check_formatting(text, name)


def test_sources_include_the_library_and_the_docs():
    names = [n for n, _ in SOURCES]
    assert "tests/textbook/chang_roberts.sl" in names
    assert "specs/paxos.sl" in names and sum(n.startswith("docs/") for n in names) > 20


# ---- mutated specs ----------------------------------------------------------------------

TOKEN = re.compile(r"[A-Za-z0-9_]+|:=|==|!=|<=|>=|\.\.|//|\S")
WORDS = ["and", "or", "not", "implies", "(", ")", "x", "1", "+", "-", "==", ",", "in",
         "forall", "exists", ":", "{", "}", "[", "]", "if", "else", "'", "?", "."]


@st.composite
def mutated(draw):
    name, text = draw(st.sampled_from(SOURCES))
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["comment line", "trailing comment", "blank", "unblank",
                                     "spacing", "indent width", "token", "token"]))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if kind == "comment line":
            pad = " " * draw(st.integers(0, 12))
            lines.insert(i, pad + "# " + draw(st.text("abc =:#()", max_size=8)))
        elif kind == "trailing comment":
            if lines[i].strip() and not lines[i].rstrip().endswith("\\"):
                lines[i] += " " * draw(st.integers(0, 3)) + "#t" + str(i)
        elif kind == "blank":
            lines.insert(i, " " * draw(st.integers(0, 3)))
        elif kind == "unblank":
            if not lines[i].strip():
                del lines[i]
        elif kind == "spacing":
            line = lines[i]
            lines[i] = re.sub(r" ?(==|:=|,|\+|\band\b|:) ?",
                              draw(st.sampled_from([r"\1", r" \1 ", r"\1  "])), line)
        elif kind == "indent width":
            width = draw(st.sampled_from([1, 2, 3, 8]))
            lines = [" " * ((len(ln) - len(ln.lstrip(" "))) // 4 * width) + ln.lstrip(" ")
                     if (len(ln) - len(ln.lstrip(" "))) % 4 == 0 else ln for ln in lines]
        else:
            spans = [m.span() for m in TOKEN.finditer(lines[i])]
            if spans:
                a, b = spans[draw(st.integers(0, len(spans) - 1))]
                edit = draw(st.sampled_from(["delete", "duplicate", "replace"]))
                new = {"delete": "", "duplicate": lines[i][a:b] * 2,
                       "replace": draw(st.sampled_from(WORDS))}[edit]
                lines[i] = lines[i][:a] + new + lines[i][b:]
    return name, "\n".join(lines)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(mutated())
def test_mutated_specs_format_canonically(case):
    name, text = case
    try:
        parse(text, name)
    except SpecError:
        assume(False)
    check_formatting(text, name)


# ---- expressions: parentheses exactly where the parser needs them --------------------------

NAMES = st.sampled_from(["a", "b", "x", "S", "f", "m"])
QUOTED = st.sampled_from(["none", "true", "forall"])    # names written `none` (quoted)
BIN_OPS = ["implies", "or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "..", "|",
           "^", "&", "+", "-", "*", "//", "%", "/"]


def _binder(e):
    return st.builds(A.Binder, st.lists(NAMES, min_size=1, max_size=2).map(tuple), e)


def _extend(e):
    items = st.lists(e, min_size=1, max_size=3).map(tuple)
    comp = st.lists(st.builds(A.CompFor, st.lists(NAMES, min_size=1, max_size=2).map(tuple), e,
                              st.none() | e), min_size=1, max_size=2).map(tuple)
    index = e | st.builds(A.Slice, st.none() | e, st.none() | e)
    not_int = e.filter(lambda x: not isinstance(x, A.IntLit))
    return st.one_of(
        st.builds(A.Binary, st.sampled_from(BIN_OPS), e, e),
        st.builds(A.Unary, st.just("not"), e),
        st.builds(A.Unary, st.just("neg"), not_int),
        st.builds(A.IfExp, e, e, e),
        st.builds(A.Quant, st.sampled_from(["forall", "exists"]),
                  st.lists(_binder(e), min_size=1, max_size=2).map(tuple), e),
        st.builds(A.Choose, NAMES, e, e),
        st.builds(A.Let, NAMES, e, e),
        st.builds(A.Call, e, st.lists(e, max_size=2).map(tuple),
                  st.lists(st.builds(A.KwArg, NAMES, e), max_size=1).map(tuple)),
        st.builds(A.Subscript, e, st.lists(index, min_size=1, max_size=2).map(tuple)),
        st.builds(A.Attr, e, NAMES),
        st.builds(A.Prime, e),
        st.builds(A.OptionType, e),
        st.builds(A.TupleLit, items),
        st.builds(A.SeqLit, st.lists(e, max_size=2).map(tuple)),
        st.builds(A.SetLit, st.lists(e, max_size=2).map(tuple)),
        st.builds(A.MapLit, st.lists(st.tuples(e, e), min_size=1, max_size=2).map(tuple)),
        st.builds(A.SetComp, e, comp),
        st.builds(A.MapComp, e, e, comp),
    )


EXPRS = st.recursive(
    st.one_of(st.builds(A.Name, NAMES | QUOTED), st.builds(A.IntLit, st.integers(-3, 20)),
              st.builds(A.BoolLit, st.booleans()), st.just(A.NoneLit())),
    _extend, max_leaves=12)


@settings(max_examples=250, deadline=None)
@given(EXPRS)
def test_expressions_print_back_to_the_same_tree(e):
    text = expr(e)
    assert parse_expr(text, "<expr>") == e, text


@settings(max_examples=150, deadline=None)
@given(EXPRS, st.integers(8, 40))
def test_broken_expressions_parse_back_to_the_same_tree(e, width):
    """Broken into lines as narrow as `width`: the lines still say `e`."""
    lines, closed = lay(e, width, width)
    if len(lines) > 1 and not closed:
        lines = [(d, ("(" if k == 0 else "") + t + (")" if k == len(lines) - 1 else ""))
                 for k, (d, t) in enumerate(lines)]
    body = "\n".join("    " * (1 + d) + t for d, t in lines)
    tree = parse(f"spec C\ninvariant I:\n{body}\n", "<spec>")
    assert tree.decls[0].expr == e, body


# ---- comments: where they go ------------------------------------------------------------

def test_comments_stay_with_what_they_describe():
    source = (
        "# header comment\n"
        "spec C   # after the header\n"
        "\n\n\n"
        "# about x\n"
        "var x: 0..3 = 0\n"
        "var s: set[0..3] = {0,   # on the first line\n"
        "   # inside the braces\n"
        "   1}  # on the last line\n"
        "\n"
        "action inc:   # on the header\n"
        "  # before the statement\n"
        "  require x < 3\n"
        "  x := x+1 # after\n"
        "  # end of the block\n"
        "action reset if x == 3: x := 0  # one-line block\n"
        "invariant Small:\n"
        "    x <= 3    # on the expression line\n"
        "# the end\n")
    out = check_formatting(source)
    assert out == (
        "# header comment\n"
        "spec C  # after the header\n"
        "\n"
        "# about x\n"
        "var x: 0..3 = 0\n"
        "# inside the braces\n"
        "# on the last line\n"
        "var s: set[0..3] = {0, 1}  # on the first line\n"
        "\n"
        "action inc:  # on the header\n"
        "    # before the statement\n"
        "    require x < 3\n"
        "    x := x + 1  # after\n"
        "# end of the block\n"
        "action reset if x == 3:\n"
        "    x := 0  # one-line block\n"
        "# on the expression line\n"
        "invariant Small: x <= 3\n"
        "# the end\n")


def test_trailing_comments_of_consecutive_lines_align():
    out = check_formatting("spec C\nconst A = 1 # one\nconst Bbbbbb = 2     # two\n\n"
                           "const C = 3   # alone\n")
    assert "const A = 1       # one\nconst Bbbbbb = 2  # two\n\nconst C = 3  # alone\n" in out


def test_elif_and_else_keep_their_comments():
    source = ("spec C\nvar x: 0..3 = 0\naction a:\n    if x == 0:\n        x := 1\n"
              "    # before elif\n    elif x == 1:  # on elif\n        x := 2\n"
              "    # before else\n    else:\n        pass  # nothing\n")
    out = check_formatting(source)
    assert "    # before elif\n    elif x == 1:  # on elif\n" in out
    assert "    # before else\n    else:\n        pass  # nothing\n" in out


def test_long_expressions_break_inside_brackets():
    cond = " and ".join(f"x{i} == {i}" for i in range(12))
    source = "spec C\n" + "".join(f"var x{i}: 0..20 = 0\n" for i in range(12)) + \
        f"invariant Long: forall k in 0..3: {cond}\n"
    out = check_formatting(source)
    lines = out.splitlines()
    at = lines.index("invariant Long:")
    assert lines[at + 1] == "    (forall k in 0..3:"
    assert lines[at + 2] == "        x0 == 0"
    assert lines[at + 3] == "            and x1 == 1"
    assert lines[-1] == "            and x11 == 11)"
    assert all(len(line) <= 100 for line in lines)


def test_long_statements_break_inside_brackets():
    args = ", ".join(f"argument{i}" for i in range(14))
    fields = ", ".join(f"field{i}: 0..1" for i in range(10))
    source = (f"spec C\nmessage M({fields})\nvar x: 0..1 = 0\naction a:\n"
              f"    let m = f({args})\n"
              f"    if x == 0 and x == 1 and x == 0 and x == 1 and x == 0 and x == 1 and "
              f"x == 0 and x == 1 and x == 0:\n"
              f"        x := 1\n")
    out = check_formatting(source)
    assert out == (
        "spec C\n"
        "message M(\n"
        "    field0: 0..1, field1: 0..1, field2: 0..1, field3: 0..1, field4: 0..1, field5: 0..1,\n"
        "    field6: 0..1, field7: 0..1, field8: 0..1, field9: 0..1)\n"
        "var x: 0..1 = 0\n"
        "action a:\n"
        "    let m = f(\n"
        "        argument0, argument1, argument2, argument3, argument4, argument5, argument6, "
        "argument7,\n"
        "        argument8, argument9, argument10, argument11, argument12, argument13)\n"
        "    if (x == 0\n"
        "            and x == 1\n"
        "            and x == 0\n"
        "            and x == 1\n"
        "            and x == 0\n"
        "            and x == 1\n"
        "            and x == 0\n"
        "            and x == 1\n"
        "            and x == 0):\n"
        "        x := 1\n")


@pytest.mark.parametrize("source,canonical", [
    ("a or b and c", "a or (b and c)"),                 # an `and` inside an `or`
    ("(a in S) == (b in S)", "(a in S) == (b in S)"),     # a comparison in a comparison
    ("not exists x in S: p", "not (exists x in S: p)"),   # a quantifier as an operand
    ("a implies forall x in S: p", "a implies (forall x in S: p)"),
    ("((a + b)) * -(c)", "(a + b) * -c"),                # otherwise only what precedence needs
    ("a and b or c", "(a and b) or c"),
    ("a or b or not c", "a or b or not c"),
])
def test_parentheses_for_the_reader(source, canonical):
    e = parse_expr(source, "<expr>")
    assert expr(e) == canonical
    assert parse_expr(canonical, "<expr>") == e


def test_aligned_comments_stay_inside_the_margin():
    long = "const Long = {" + ", ".join(f"n{i}" for i in range(12)) + "}"
    out = check_formatting(f"spec C\nconst A = 1  # one\n{long}  # a long comment that "
                           f"does not fit here\nconst B = 2  # two\n")
    assert out == f"spec C\nconst A = 1  # one\n{long}  # a long comment that does not fit " \
        "here\nconst B = 2  # two\n"


# ---- the command ------------------------------------------------------------------------

def test_fmt_command(tmp_path, capsys):
    path = tmp_path / "c.sl"
    path.write_text("spec C\nvar x : 0..3=0 # x\naction inc:\n  x := x+1\n")
    assert cli.main(["fmt", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == "spec C\nvar x: 0..3 = 0  # x\naction inc:\n    x := x + 1\n"
    assert cli.main(["fmt", "--check", str(path)]) == 1
    assert "not formatted" in capsys.readouterr().out
    assert cli.main(["fmt", "--diff", str(path)]) == 0
    assert "+    x := x + 1" in capsys.readouterr().out
    assert cli.main(["fmt", "--write", str(path)]) == 0
    assert path.read_text() == out
    assert cli.main(["fmt", "--check", str(path)]) == 0
    path.write_text("spec C\nvar x = \n")
    assert cli.main(["fmt", "--write", str(path)]) == 2
    assert "error[SL102]" in capsys.readouterr().err
    assert path.read_text() == "spec C\nvar x = \n"       # a broken spec is left alone
