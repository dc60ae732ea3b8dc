"""Invariant inference: `stateline prove SPEC --infer`.

Two-phase commit and Lamport clocks get an inductive invariant with no hand-written
lemma, and the proof file written with --write-proof is re-checked by
`--induction --proof` (and for every size, with --any-size).  On generated specs,
every candidate the reachable-state filter keeps holds in every reachable state that
`stateline check` explores, and whatever inference reports as found is, with the
spec's invariants, true in every reachable state too (each lemma is checked as an
invariant of the spec by the explicit checker).  INFER_EXAMPLES sets the number of
generated specs (default 12); INFER_SLOW=1 also infers for every size of RMs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.cli import main
from stateline.models.runtime import ModelError
from stateline.prover.infer.clauses import clauses
from stateline.prover.infer.grammar import Grammar
from stateline.prover.infer.run import InferOptions, infer_block
from stateline.prover.infer.samples import Table, reachable
from stateline.prover.run import instance
from test_prove_any_size import symmetric_specs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("INFER_EXAMPLES", "12"))
SLOW = os.environ.get("INFER_SLOW") == "1"


def run(args, capsys):
    code = main(args)
    return code, capsys.readouterr().out


def test_two_phase_commit_inferred_and_rechecked(tmp_path, capsys):
    out_file = tmp_path / "2pc.sl"
    code, out = run(["prove", str(ROOT / "specs/two_phase_commit.sl"), "--infer", "--check",
                     "n3", "--write-proof", str(out_file)], capsys)
    assert code == 0, out
    assert "reachable states: 288" in out
    assert "candidates: 29,720 in the grammar, 189 hold in every reachable state, 16 chosen " \
           "against counterexamples to induction, 9 kept" in out
    assert "lemmas found (9); --induction with them: proved" in out
    text = out_file.read_text()
    assert len(re.findall(r"^lemma ", text, re.M)) == 9
    # the file re-checks on every check block of the spec (N = 3, 4, 5)
    code, out = run(["prove", str(ROOT / "specs/two_phase_commit.sl"), "--induction",
                     "--proof", str(out_file)], capsys)
    assert code == 0, out
    assert "5 checks, 65 obligations: every expectation met." in out


def test_same_lemmas_on_every_run():
    """Fresh processes with different hash seeds print the same lemmas."""
    outs = []
    for seed in ("0", "1"):
        p = subprocess.run([sys.executable, "-m", "stateline", "prove",
                            str(ROOT / "specs/two_phase_commit.sl"), "--infer", "--check",
                            "n3", "--max-literals", "2"], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)})
        outs.append([x for x in p.stdout.splitlines() if not x.startswith("inferred in")])
    assert outs[0] == outs[1]
    # two enumerated literals are not enough for 2PC's deadlock freedom (a done manager
    # has decided one way or the other): that lemma is built for its counterexample
    out = "\n".join(outs[0])
    assert p.returncode == 0, out
    assert "note: 1 of the lemmas chosen were built for a counterexample to induction " \
           "(up to 3 literals), not enumerated" in out
    assert "  2. TM.state == init or len(sent(Commit)) > 0 or len(sent(Abort)) > 0" in out


def test_lamport_clock_inferred_and_rechecked(tmp_path, capsys):
    out_file = tmp_path / "lamport.sl"
    code, out = run(["prove", str(ROOT / "specs/lamport_clock.sl"), "--infer", "--check",
                     "two", "-D", "MaxEvents=1", "--max-literals", "2",
                     "--write-proof", str(out_file)], capsys)
    assert code == 0, out
    assert "reachable states: 11" in out
    assert "lemmas found (9); --induction with them: proved" in out
    code, out = run(["prove", str(ROOT / "specs/lamport_clock.sl"), "--induction", "--proof",
                     str(out_file), "--check", "two", "-D", "MaxEvents=1"], capsys)
    assert code == 0, out


@pytest.mark.skipif(not SLOW, reason="INFER_SLOW=1: inference for every size")
def test_two_phase_commit_for_every_size(tmp_path, capsys):
    out_file = tmp_path / "2pc_any.sl"
    code, out = run(["prove", str(ROOT / "specs/two_phase_commit.sl"), "--infer",
                     "--any-size", "--check", "n3", "--write-proof", str(out_file)], capsys)
    assert code == 0, out
    assert "any size RMs" in out_file.read_text()
    code, out = run(["prove", str(ROOT / "specs/two_phase_commit.sl"), "--induction",
                     "--proof", str(out_file), "--check", "n3"], capsys)
    assert code == 0 and "for every size" in out, out


def test_write_proof_refuses_an_input_and_several_blocks(tmp_path, capsys):
    spec = str(ROOT / "specs/two_phase_commit.sl")
    code, out = run(["prove", spec, "--infer", "--write-proof", spec], capsys)
    assert code == 2
    code, _ = run(["prove", spec, "--infer", "--write-proof", str(tmp_path / "p.sl")], capsys)
    assert code == 2 and not (tmp_path / "p.sl").exists()
    code, _ = run(["prove", spec, "--induction", "--write-proof", str(tmp_path / "p.sl")],
                  capsys)
    assert code == 2


def test_timeout_is_no_verdict(capsys):
    code, out = run(["prove", str(ROOT / "specs/paxos.sl"), "--infer", "--check", "ballots01",
                     "--timeout", "1"], capsys)
    assert code == 3 and "not found: the --timeout of 1 s ran out" in out, out


@pytest.mark.slow
def test_paxos_with_its_hardest_lemma_given(tmp_path, capsys):
    """Paxos with SafeProposals given (bench/README.md): the other lemmas are found,
    among them an acceptor's last vote as a message whose arguments are its state
    (an option, guarded), and the proof file re-checks with --induction."""
    out_file = tmp_path / "paxos.sl"
    code, out = run(["prove", str(ROOT / "specs/paxos.sl"), "--infer", "--check", "ballots01",
                     "--max-literals", "2", "--proof", str(ROOT / "bench/infer_paxos_given.sl"),
                     "--write-proof", str(out_file)], capsys)
    assert code == 0, out
    assert "reachable states: 3,921" in out
    assert "lemmas found (10); --induction with them: proved" in out
    assert "forall a in Acceptors: Acceptor[a].maxVBal == -1 or (Acceptor[a].maxVBal in " \
           "Ballots and Acceptor[a].maxVal != none and Accepted(a, Acceptor[a].maxVBal, " \
           "Acceptor[a].maxVal) in sent(Accepted))" in out
    text = out_file.read_text()
    assert "lemma SafeProposals:" in text and len(re.findall(r"^lemma ", text, re.M)) == 11
    code, out = run(["prove", str(ROOT / "specs/paxos.sl"), "--induction", "--proof",
                     str(out_file), "--check", "ballots01"], capsys)
    assert code == 0, out


# ---- generated specs --------------------------------------------------------------------


def _with_invariants(text: str, lemmas: list[str]) -> str:
    extra = "".join(f"invariant Lemma{k}: {x}\n" for k, x in enumerate(lemmas))
    return text.replace("allow deadlock\n", extra + "allow deadlock\n")


def _filtered_clauses_hold(text: str, only: str = ""):
    """Check that a sample of the filter's clauses of at most two literals over one
    variable (those whose text contains `only`) hold in every reachable state of the
    spec `text`: (its loaded spec, its check block).  A spec with a reachable run-time
    error has no invariants to infer (check reports the error): it is not an example."""
    loaded = load_text(text, "gen.sl")
    [block] = check_blocks(loaded)
    model = instance(loaded, block, {})
    try:
        states = reachable(model, 100_000)
    except ModelError:
        reject()
    grammar = Grammar(loaded)
    kept = []
    for prefix in grammar.prefixes(1):
        atoms = grammar.atoms(prefix)
        if atoms:
            got, _ = clauses(prefix, Table.of([(model, states)], loaded, prefix, atoms), 2,
                             10_000)
            kept += [c.text() for c in got if only in c.text()]
    sample = kept[::max(1, len(kept) // 12)]
    checked = load_text(_with_invariants(text, sample), "gen.sl")
    result = run_check(checked, check_blocks(checked)[0], {})
    bad = [v.prop for v in result.verdicts if v.status.value != "holds"
           and v.prop.startswith("Lemma")]
    assert not bad, (bad, sample, text)
    return loaded, block


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(symmetric_specs())
def test_filter_and_inference_are_sound(case):
    text, _ = case
    loaded, block = _filtered_clauses_hold(text)
    r = infer_block(loaded, block, {}, InferOptions(max_literals=2, max_vars=1, timeout=60))
    if r.found:
        checked = load_text(_with_invariants(text, r.lemmas), "gen.sl")
        result = run_check(checked, check_blocks(checked)[0], {})
        bad = [v.prop for v in result.verdicts if v.status.value != "holds"]
        assert not bad, (bad, r.lemmas, text)


def option_spec(guard: str, update: str, send: str, handler: str, inv: str) -> str:
    """A process whose variables are an option and an integer of a wider range than
    its messages' field: the atoms `(t != none and K(...) in sent(K))` and
    `(t in S and K(...) in sent(K))`."""
    return f"""\
spec GenOpt
const Nodes = {{n1, n2}}
const Vals = 0..1
network set
message Note(src: Nodes, v: Vals)
process Node(self in Nodes):
    var x: -1..1 = -1
    var last: Vals? = none
    action act(w in Vals):
        require {guard}
        {update}
        {send}
    on Note(m) if m.src != self:
        {handler}
invariant Inv: {inv}
allow deadlock
"""


@st.composite
def option_specs(draw):
    return option_spec(
        draw(st.sampled_from(["x < 1", "last == none", "x == -1", "last != none"])),
        draw(st.sampled_from(["x := w", "last := w", "x := w\n        last := w",
                              "x := min(x + 1, 1)"])),
        draw(st.sampled_from(["send Note(self, w)",
                              "if last != none:\n            send Note(self, w)", "x := x"])),
        draw(st.sampled_from(["last := m.v", "x := m.v", "x := x"])),
        draw(st.sampled_from([
            "forall m in sent(Note): Node[m.src].x >= m.v",
            "forall n in Nodes: Node[n].x == -1 or Node[n].last != none",
            "forall m in sent(Note): Node[m.src].last != none",
            "forall n in Nodes: Node[n].last == none or Note(n, Node[n].last) in sent(Note)"])))


def test_grammar_has_guarded_message_atoms():
    loaded = load_text(option_spec("x < 1", "last := w", "send Note(self, w)", "x := m.v",
                                   "forall n in Nodes: Node[n].x <= 1"), "gen.sl")
    grammar = Grammar(loaded)
    [prefix] = [p for p in grammar.prefixes(1) if [v.domain.text for v in p] == ["Nodes"]]
    texts = {a.text for a in grammar.atoms(prefix)}
    n = prefix[0].name
    assert f"(Node[{n}].last != none and Note({n}, Node[{n}].last) in sent(Note))" in texts
    assert f"(Node[{n}].x in Vals and Note({n}, Node[{n}].x) in sent(Note))" in texts


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(option_specs())
def test_guarded_atoms_and_guided_clauses_are_sound(text):
    """The filter's clauses over the guarded atoms hold in every reachable state, and so
    does every lemma chosen with one enumerated literal (larger ones are built by
    guided.py), found or not."""
    loaded, block = _filtered_clauses_hold(text, only="sent(Note))")
    r = infer_block(loaded, block, {}, InferOptions(max_literals=1, max_vars=1, timeout=60))
    checked = load_text(_with_invariants(text, r.chosen), "gen.sl")
    result = run_check(checked, check_blocks(checked)[0], {})
    bad = [v.prop for v in result.verdicts if v.status.value != "holds"
           and v.prop.startswith("Lemma")]
    assert not bad, (bad, r.chosen, text)
