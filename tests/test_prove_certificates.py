"""`stateline prove --induction --emit-smt DIR`: every obligation as an SMT-LIB 2 file.

The files are re-checked by another solver, cvc5 (from PyPI): the finite Paxos proof's
obligations are all unsatisfiable for it, and two-phase commit's for every size too
(with cvc5's enumerative instantiation for the quantifiers).  The files are faithful,
not merely unsatisfiable: with a lemma dropped, the obligations of the broken conjunct
become satisfiable for both solvers, and the two solvers agree on every file.  Each
file names the obligation, the lemma or property and the action, with source lines.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import z3

from stateline.cli import main

cvc5 = pytest.importorskip("cvc5")

ROOT = Path(__file__).resolve().parent.parent
PAXOS = ["specs/paxos.sl", "--induction", "--proof", "proofs/paxos.sl", "--check", "ballots01"]
TWO_PC = ["specs/two_phase_commit.sl", "--induction", "--proof", "proofs/two_phase_commit.sl",
          "--check", "n3"]


def cvc5_answer(path: Path, quantifiers: bool = False) -> str:
    """cvc5's answer to one SMT-LIB file (sat, unsat or unknown)."""
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("fresh-binders", "true")
    if quantifiers:
        solver.setOption("enum-inst", "true")
    parser = cvc5.InputParser(solver)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, str(path))
    symbols = parser.getSymbolManager()
    answer = None
    while True:
        command = parser.nextCommand()
        if command.isNull():
            break
        out = command.invoke(solver, symbols).strip()
        if out:
            answer = out.split()[0].strip("()")
    return answer


def z3_answer(path: Path) -> str:
    s = z3.Solver()
    s.set("timeout", 60_000)
    s.from_file(str(path))
    return str(s.check())


def emit(tmp_path, monkeypatch, *argv) -> tuple[int, Path, dict]:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "smt"
    code = main(["prove", *argv, "--emit-smt", str(out), "--quiet"])
    [block] = [p for p in out.iterdir()]
    return code, block, json.loads((block / "index.json").read_text())


def test_finite_paxos_obligations_are_rechecked_by_cvc5(tmp_path, monkeypatch, capsys):
    code, block, index = emit(tmp_path, monkeypatch, *PAXOS)
    assert code == 0
    obligations = index["obligations"]
    files = sorted(p.name for p in block.glob("*.smt2"))
    assert files == [o["file"] for o in obligations]
    kinds = [o["kind"] for o in obligations]
    # 8 state conjuncts (Agreement and 7 lemmas) x (initial states + 5 action schemas),
    # the run-time errors, the implied invariant VotesWereProposed and deadlock freedom
    assert (kinds.count("init"), kinds.count("step"), kinds.count("errors"),
            kinds.count("implied"), kinds.count("deadlock")) == (8, 40, 1, 1, 1)
    assert {o["status"] for o in obligations} == {"unsat"}
    assert f"certificates: 51 obligations in {block}/" in capsys.readouterr().out
    for o in obligations:
        assert cvc5_answer(block / o["file"]) == "unsat", o["file"]


def test_a_file_names_its_obligation_with_source_lines(tmp_path, monkeypatch):
    _, block, index = emit(tmp_path, monkeypatch, *PAXOS)
    [o] = [o for o in index["obligations"] if o["kind"] == "step" and
           o["supports"] == "OneValuePerBallot" and o["action"] == "Acceptor.on Accept"]
    text = (block / o["file"]).read_text()
    head = text.split("(set-logic ALL)")[0]
    lemma_line = next(n for n, line in enumerate(
        (ROOT / "proofs/paxos.sl").read_text().splitlines(), 1)
        if line.startswith("lemma OneValuePerBallot"))
    assert f"; lemma OneValuePerBallot: proofs/paxos.sl:{lemma_line}\n" in head
    assert re.search(r"; action Acceptor\.on Accept: specs/paxos\.sl:\d+\n", head)
    assert "spec specs/paxos.sl, check ballots01 (Acceptors={a1, a2, a3}" in head
    assert "(set-info :status unsat)" in text and text.rstrip().endswith("(check-sat)")


def test_a_dropped_lemma_makes_its_obligations_satisfiable(tmp_path, monkeypatch):
    """The files say what was asked: without SafeProposals, some step obligation of the
    proof is satisfiable for both solvers, and no file says it was proved."""
    code, block, index = emit(tmp_path, monkeypatch, *PAXOS, "--drop", "SafeProposals")
    assert code == 1
    answers = {}
    for o in index["obligations"]:
        assert o["status"] == "unknown"
        a, b = cvc5_answer(block / o["file"]), z3_answer(block / o["file"])
        assert a == b, (o["file"], a, b)
        answers[o["file"]] = a
    sat = sorted(f for f, a in answers.items() if a == "sat")
    assert sat and all("-step-" in f for f in sat), sat


def test_any_size_obligations_are_rechecked_by_cvc5(tmp_path, monkeypatch):
    code, block, index = emit(tmp_path, monkeypatch, *TWO_PC, "--any-size")
    assert code == 0
    assert index["constants"] == "every size of RMs"
    obligations = index["obligations"]
    assert len(obligations) > 10 and {o["status"] for o in obligations} == {"unsat"}
    text = (block / obligations[0]["file"]).read_text()
    assert "(declare-sort" in text          # the resource managers: an uninterpreted sort
    for o in obligations:
        assert cvc5_answer(block / o["file"], quantifiers=True) == "unsat", o["file"]


def test_the_files_are_the_same_on_every_run(tmp_path, monkeypatch):
    _, first, _ = emit(tmp_path / "a", monkeypatch, *TWO_PC)
    _, second, _ = emit(tmp_path / "b", monkeypatch, *TWO_PC)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize("argv,message", [
    (["specs/paxos.sl", "--bmc", "3"], "--emit-smt writes the obligations of --induction"),
    (["specs/paxos.sl", "--auto"], "--emit-smt writes the obligations of --induction"),
])
def test_emit_smt_needs_induction(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["prove", *argv, "--emit-smt", str(tmp_path / "x")]) == 2
    assert f"error[SL504]: {message}" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_emit_smt_into_a_file_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    target = tmp_path / "file"
    target.write_text("keep me")
    assert main(["prove", *TWO_PC, "--emit-smt", str(target)]) == 2
    assert f"--emit-smt {target}: is not a directory" in capsys.readouterr().err
    assert target.read_text() == "keep me"
