"""`stateline repl`: a scripted dialogue through a pseudo-terminal (pexpect), and the
same commands from a pipe and through `Repl.handle`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from stateline.explore.repl import Repl
from stateline.explore.session import Session

ROOT = Path(__file__).resolve().parent.parent
PAXOS = "specs/labs/paxos_no_quorum.sl"


def _spawn(tmp_path, *args):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"),
           "TERM": "xterm", "PYTHONUNBUFFERED": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(sys.executable, ["-m", "stateline", "repl", *args], cwd=str(ROOT),
                         env=env, encoding="utf-8", timeout=30, dimensions=(40, 160))


def _say(child, line: str, *answers: str, depth: int) -> None:
    """Type a line; expect each answer, in order, then the prompt at `depth` steps.
    (prompt_toolkit redraws the typed line with the old prompt before answering, so the
    answers come first.)"""
    child.sendline(line)
    for a in answers:
        child.expect_exact(a)
    child.expect_exact(f"PaxosNoQuorum[{depth}]>")


def test_dialogue_in_a_terminal(tmp_path):
    child = _spawn(tmp_path, PAXOS)
    try:
        child.expect_exact("PaxosNoQuorum[0]>")
        _say(child, ":steps", " 1  Leader[0].prepare", " 2  Leader[1].prepare", depth=0)
        _say(child, ":step Leader[0].prepare", "step 1: Leader[0].prepare",
             "sent      Prepare(bal=0)", depth=1)
        _say(child, ":step Acceptor[a1].on Prepare <- Prepare(bal=0)",
             "Acceptor[a1].maxBal  -1 -> 0", depth=2)
        _say(child, "40 + Acceptor[a1].maxBal + 2", "42\r\n", depth=2)   # (not an echo)
        _say(child, "Acceptor[a1].nope", "error[SL203]", depth=2)
        _say(child, ":back", "at step 1: Leader[0].prepare", depth=1)
        _say(child, ":jump Agreement", "the shortest counterexample, 8 steps",
             "Agreement                invariant   VIOLATED", depth=8)
        # completion: Tab completes a command and a constant's name
        child.send(":tr\t")
        child.expect_exact(":trace")
        _say(child, "", "8  Acceptor[a1].on Accept", "(8 steps)", depth=8)
        child.send("MaxB\t")
        child.expect_exact("MaxBallot")
        _say(child, " * 7 + 30", "37\r\n", depth=8)
        # history: the up arrow brings back the last line
        child.send("\x1b[A")
        child.expect_exact("MaxBallot * 7 + 30")
        _say(child, "", "37\r\n", depth=8)
        child.sendline(":quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    history = (tmp_path / "state/stateline/repl_history").read_text()
    assert "+:jump Agreement" in history


def test_ctrl_d_ends_the_dialogue(tmp_path):
    child = _spawn(tmp_path, PAXOS)
    try:
        child.expect_exact("PaxosNoQuorum[0]>")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_commands_from_a_pipe():
    script = ":step 2\n:step on Prepare\n:step Acceptor[a3].on Prepare\n:state\n:props\n:quit\n"
    out = subprocess.run([sys.executable, "-m", "stateline", "repl", PAXOS], input=script,
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:6] == [
        "step 1: Leader[1].prepare",
        "  sent      Prepare(bal=1)",
        "error: several enabled steps fit; say which:",
        "  Acceptor[a1].on Prepare <- Prepare(bal=1)",
        "  Acceptor[a2].on Prepare <- Prepare(bal=1)",
        "  Acceptor[a3].on Prepare <- Prepare(bal=1)",
    ]
    assert "  Acceptor[a3].maxBal = 1" in out.stdout
    assert "  Agreement                invariant   holds" in out.stdout


@pytest.mark.parametrize("line, answer", [
    (":step 3", "error: no step 3: 2 step(s) are enabled (:steps)"),
    (":step propose", "error: no enabled step is propose (:steps lists them)"),
    (":jump DeadlockFreedom", "error: DeadlockFreedom is not violated in check small (holds): "
                              "there is no counterexample"),
    (":jump", "properties with a counterexample: Agreement (8 steps)"),
    (":back", "at the initial state"),
    (":forward", "no step to redo"),
    (":nope", "error: unknown command :nope (:help lists them)"),
    ("Quorums", "{{a1}, {a2}, {a3}}"),
    ("", ""),
])
def test_answers(line, answer):
    assert Repl(Session.open(str(ROOT / PAXOS))).handle(line) == answer


def test_the_dialogue_in_docs_explore_md_is_what_the_repl_answers():
    doc = (ROOT / "docs/explore.md").read_text()
    block = doc.split("$ stateline repl specs/labs/paxos_no_quorum.sl\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()[1:]                      # after the greeting
    repl = Repl(Session.open(str(ROOT / PAXOS)))
    asked = 0
    i = 0
    while i < len(lines):
        prompt = repl.prompt
        assert lines[i].startswith(prompt), (lines[i], prompt)
        command = lines[i][len(prompt):]
        j = i + 1
        while j < len(lines) and not lines[j].startswith("PaxosNoQuorum["):
            j += 1
        assert repl.handle(command) == "\n".join(lines[i + 1:j]), command
        asked += 1
        i = j
    assert asked == 7
