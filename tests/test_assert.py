"""`assert COND, "message"`: a false assert is a run-time error (SL603) with the trace to
the state from which the step was attempted, in the explicit checker and in the Z3
engines (docs/language.md section 20)."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from stateline.cli import main
from stateline.lang.fmt import format_text

BOUND = """\
spec AssertBound
var x: 0..5 = 0

action inc if x < 5:
    x := x + 1
    assert x <= {k}, "x stays at most {k}"

allow deadlock
"""

HANDLER = """\
spec AssertHandler
const Nodes = {n1, n2}
message Ping(src: Nodes)
network set

process Node(self in Nodes):
    var got: 0..2 = 0

    proc note():
        got := got + 1
        assert got <= 1, "a node gets one ping"

    action ping if got == 0:
        for n in Nodes:
            assert n in Nodes, "n is a node"
        send Ping(self)

    on Ping(m) if m.src != self:
        note()

allow deadlock
"""


def write(tmp_path, text, name="s.sl"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def steps(err: str) -> int:
    return len(re.findall(r"^    \d+  ", err, re.M))


def test_failing_assert_is_sl603_with_trace(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=3))
    code, out, err = run(capsys, "check", p, "--no-progress")
    assert code == 2
    assert f"{p}:6:5: error[SL603]: assertion failed: x stays at most 3" in err
    assert "the error happened while computing a step from the last state shown" in err
    assert steps(err) == 3 and "x  2 -> 3" in err
    assert re.search(r"default\s+\(model error\)\s+-\s+error\s+FAIL\s+4\s+4", out)


def test_holding_assert_changes_nothing(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=5) + "invariant Low: x <= 5\n")
    code, out, err = run(capsys, "check", p, "--no-progress")
    assert code == 0, err
    assert re.search(r"default\s+Low\s+holds\s+holds\s+ok\s+6\s+6", out), out


def test_assert_in_procedure_handler_and_loop(tmp_path, capsys):
    p = write(tmp_path, HANDLER)
    code, out, err = run(capsys, "check", p, "--no-progress")
    assert code == 2
    assert f"{p}:11:9: error[SL603]: assertion failed: a node gets one ping" in err
    assert steps(err) == 2 and "Node[n2].on Ping" in err


def test_writers_report_the_assert(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=2))
    js, sarif, junit = tmp_path / "r.json", tmp_path / "r.sarif", tmp_path / "r.xml"
    html, itf = tmp_path / "r.html", tmp_path / "itf"
    code, _, err = run(capsys, "check", p, "--no-progress", "--json", js, "--sarif", sarif,
                       "--junit", junit, "--html", html, "--itf", itf)
    assert code == 2, err
    doc = json.loads(js.read_text())
    assert "SL603" in json.dumps(doc)
    assert "assertion failed: x stays at most 2" in json.dumps(doc)
    assert "SL603" in sarif.read_text()
    assert "assertion failed: x stays at most 2" in junit.read_text()
    assert "assertion failed: x stays at most 2" in html.read_text()


def test_bmc_finds_the_assert_at_its_depth(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=3))
    code, _, err = run(capsys, "prove", "--bmc", 2, p)
    assert code == 0, err
    code, _, err = run(capsys, "prove", "--bmc", 3, p)
    assert code == 2
    assert "error[SL603]: assertion failed: x stays at most 3" in err and steps(err) == 3


def test_induction_and_auto_do_not_prove_a_failing_assert(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=3))
    code, out, _ = run(capsys, "prove", "--induction", p)
    assert code != 0
    assert "not proved: possible in a state satisfying the invariant: assertion failed: " \
           "x stays at most 3" in out
    code, out, _ = run(capsys, "prove", "--auto", p)
    assert code != 0
    assert "violated: a run-time error is reachable in 3 steps" in out


def test_induction_proves_a_holding_assert(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=5))
    code, out, err = run(capsys, "prove", "--induction", p)
    assert code == 0, out + err


def test_fmt_round_trips_assert():
    src = HANDLER
    assert format_text(src) == src
    long = BOUND.format(k=3).replace("x <= 3", "x <= 3 and x >= 0 and x != 4 and x != 5 "
                                     "and x != 6 and x != 7")
    once = format_text(long)
    assert format_text(once) == once and 'assert ' in once


@settings(max_examples=12, deadline=None)
@given(k=st.integers(0, 4), start=st.integers(0, 2), step=st.integers(1, 2))
def test_explicit_and_bmc_agree_on_asserts(tmp_path_factory, k, start, step):
    """The explicit checker and BMC find a failing assert after the same number of steps
    (and both none when it never fails); the reference is arithmetic."""
    text = f"""\
spec Gen
var x: 0..9 = {start}

action inc if x + {step} <= 9:
    x := x + {step}
    assert x <= {k}, "bound"

allow deadlock
"""
    p = write(tmp_path_factory.mktemp("gen"), text)
    # brute force: the first step whose result exceeds k
    xs, x = [], start
    while x + step <= 9:
        x += step
        xs.append(x)
    fails = next((i for i, v in enumerate(xs) if v > k), None)
    code = main(["check", str(p), "--no-progress", "--quiet"])
    assert code == (0 if fails is None else 2)
    bmc = main(["prove", "--bmc", "9", str(p)])
    assert bmc == code
    if fails is not None:
        assert main(["prove", "--bmc", str(max(fails, 1)), str(p)]) == 2
        if fails > 1:
            assert main(["prove", "--bmc", str(fails - 1), str(p)]) == 0


def test_strings_outside_an_assert_message_stay_an_error(tmp_path, capsys):
    p = write(tmp_path, BOUND.format(k=3).replace('"x stays at most 3"', '"x # 3"'))
    code, _, err = run(capsys, "check", p, "--no-progress")
    assert code == 2
    assert f"{p}:6:20: error[SL101]: unexpected '\"': Stateline has no string literals" in err
    p = write(tmp_path, 'spec S\nconst Leader = "alice"\nvar x: 0..1 = 0\n', "c.sl")
    code, _, err = run(capsys, "check", p, "--no-progress")
    assert code == 2
    assert f"{p}:2:16: error[SL101]: unexpected '\"': Stateline has no string literals" in err
