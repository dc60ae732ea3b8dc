"""Issue 13's precise errors: mistyped command lines, `always` properties, empty
blocks, and several guarded handlers for one message (allowed: alternatives)."""

from __future__ import annotations

import contextlib
import io
import textwrap

import pytest

from stateline import check_blocks, load_text, run_check
from stateline.cli import main
from stateline.models.verdict import Status


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


SPEC = """\
spec P
var x: 0..3 = 0
action inc:
    require x < 3
    x := x + 1
invariant Small: x <= 3
allow deadlock
"""


@pytest.fixture
def spec(tmp_path):
    path = tmp_path / "p.sl"
    path.write_text(SPEC, encoding="utf-8")
    return str(path)


def test_mistyped_option_suggests_the_close_one_with_the_subcommand_usage(spec):
    code, out, err = cli("check", spec, "--invarant", "Small", "--no-progress")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("usage: stateline check [-h]")
    assert lines[-1] == ("stateline check: error: unrecognized arguments: '--invarant' "
                         "(did you mean '--invariant'?), 'Small'")


def test_mistyped_option_with_a_value_of_another_command(spec):
    code, _, err = cli("prove", spec, "--invarant=Small")
    assert code == 2
    assert err.splitlines()[0].startswith("usage: stateline prove [-h]")
    assert err.splitlines()[-1] == ("stateline prove: error: unrecognized arguments: "
                                    "'--invarant=Small' (did you mean '--invariant'?)")


def test_unknown_option_without_a_close_one(spec):
    code, _, err = cli("check", spec, "--frobnicate")
    assert code == 2
    assert err.splitlines()[-1] == "stateline check: error: unrecognized arguments: '--frobnicate'"


def test_mistyped_command():
    code, _, err = cli("chek", "p.sl")
    assert code == 2
    assert err.splitlines() == ["usage: stateline [-h] [--version] COMMAND ...",
                                "stateline: error: unknown command 'chek'; did you mean 'check'?"]
    code, _, err = cli("xyzzy")
    assert code == 2
    assert err.splitlines()[-1] == (
        "stateline: error: unknown command 'xyzzy' (commands: check, simulate, parse, export, "
        "trace, prove, report, fmt, history, lsp, explore, repl)")


def test_correct_command_line_still_runs(spec):
    code, out, _ = cli("check", spec, "--invariant", "Small", "--no-progress")
    assert code == 0 and "Small" in out


@pytest.mark.parametrize("text, where, message", [
    ("spec P\nvar x: 0..1 = 0\naction a:\naction b:\n    x := 1\n", "3:1",
     "error[SL109]: the block of 'action a' is empty"),
    ("spec P\nvar x: 0..1 = 0\naction a(v in 0..1):\n", "3:1",
     "error[SL109]: the block of 'action a' is empty"),
    ("spec P\nvar x: 0..1 = 0\ndef f =\nallow deadlock\n", "3:1",
     "error[SL109]: the block of 'def f' is empty"),
    ("spec P\nvar x: 0..1 = 0\nprocess A:\n    action a if x == 0:\n\n    action b:\n"
     "        x := 1\n", "4:5", "error[SL109]: the block of 'action a' is empty"),
    ("spec P\nvar x: 0..3 = 0\naction a:\n    x := 1\nproperty Q: always x <= 3\n", "5:13",
     "error[SL106]: an 'always' property is an invariant: write 'invariant Q: ...'"),
    ("spec P\nvar x: 0..3 = 0\naction a:\n    if x == 0:\n    x := 1\n", "4:5",
     "error[SL109]: the block of 'if x == 0' is empty"),
])
def test_precise_errors(tmp_path, text, where, message):
    path = tmp_path / "e.sl"
    path.write_text(text, encoding="utf-8")
    code, _, err = cli("check", str(path), "--no-progress")
    assert code == 2
    assert err.splitlines()[0] == f"{path}:{where}: {message}"


def test_always_under_eventually_is_still_a_property():
    # Only a bare `always P` is refused: `eventually always P` is a temporal form.
    loaded = load_text(SPEC + "property Settles: eventually always x == 3\n", "t.sl")
    result = run_check(loaded, check_blocks(loaded)[0], {})
    v = next(v for v in result.verdicts if v.prop == "Settles")
    assert v.status is Status.VIOLATED      # no fairness: stuttering at x == 0


def test_second_guarded_handler_for_one_message_is_an_alternative():
    loaded = load_text(textwrap.dedent("""\
        spec Alternatives
        network bag
        message Data(n: 1..2)
        process Sender:
            var next: 1..3 = 1
            action transmit if next <= 2:
                send Data(next)
                next := next + 1
        process Receiver:
            var got: set[1..2] = {}
            var lost: set[1..2] = {}
            on Data(m) if m.n not in lost:
                got := got | {m.n}
            on Data(m) if m.n not in got:
                lost := lost | {m.n}
        invariant Disjoint: Receiver.got & Receiver.lost == {}
        invariant NoneLost: Receiver.lost == {}
        allow deadlock
    """), "t.sl")
    result = run_check(loaded, check_blocks(loaded)[0], {})
    assert (result.stats.states, result.stats.transitions) == (13, 19)
    verdicts = {v.prop: v for v in result.verdicts}
    assert verdicts["Disjoint"].status is Status.HOLDS
    lost = verdicts["NoneLost"]
    assert lost.status is Status.VIOLATED and len(lost.trace.steps) == 2
