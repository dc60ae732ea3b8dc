"""`stateline prove`: each engine's verdicts, counterexample lengths and output, pinned.

BMC (counterexamples printed exactly as `check` prints them, depth and time per
depth, run-time errors, fair lassos), induction with counterexamples to induction,
k-induction, Spacer (proofs, real counterexamples, unknown after --timeout),
ranking functions that fail, and constructs the encoding refuses (file:line:col,
exit 2).  The worked examples of docs/proofs.md are run by tests/test_prove_docs.py,
the proofs in proofs/ by tests/test_prove_proofs.py, and random specs by
tests/test_prove_agreement.py.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.cli import main
from stateline.prover.proofs import load_proof_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

COUNTER = """\
spec Counter
var x: 0..5 = 0
var y: bool = false

action inc:
    require x < 5
    x := x + 1

action flip:
    y := not y

invariant Small: x < 3

check c:
    expect Small violated
"""

OVERFLOW = """\
spec Overflow
var x: 0..2 = 0

action inc:
    x := x + 1
"""

RELAY = """\
spec Relay
var a: 0..2 = 0
var b: 0..2 = 0

action tick:
    a := b
    b := (b + 1) % 2

invariant Small: a <= 1
"""


def run(loaded, check, engine, bound=0, timeout=None, proof=None):
    [block] = [b for b in check_blocks(loaded) if b.name == check]
    return prove_block(loaded, block, {}, ProveOptions(engine, bound, timeout, proof))


def by_name(result):
    return {o.name: o for o in result.obligations}


def explicit(loaded, check):
    [block] = [b for b in check_blocks(loaded) if b.name == check]
    return {v.prop: v for v in run_check(loaded, block, {}).verdicts}


def cli(capsys, *argv):
    code = main(["prove", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def counterexample_block(out: str) -> str:
    m = re.search(r"^Counterexample:.*?(?=^\n|\Z)", out, re.S | re.M)
    assert m, out
    return m.group(0)


# ---- bounded model checking ------------------------------------------------------------------


def test_bmc_prints_the_counterexample_check_prints(tmp_path, capsys):
    spec = tmp_path / "counter.sl"
    spec.write_text(COUNTER)
    code, out, _ = cli(capsys, spec, "--bmc", 5)
    assert code == 0
    assert main(["check", str(spec), "--no-progress"]) == 0
    checked = capsys.readouterr().out
    assert counterexample_block(out) == counterexample_block(checked)
    assert "Small            invariant  violated    violated: a counterexample of 3 steps" in out
    # deadlock freedom keeps the search going to the bound, with the time of each depth
    assert "DeadlockFreedom  deadlock   holds       holds up to the bound: no violation in 5 " \
           "steps (depth 5)" in out
    assert "depth reached 5 in " in out
    assert re.search(r"^depth +0 +1 +2 +3 +4 +5$", out, re.M), out
    assert re.search(r"^seconds( +\d+\.\d\d){6}$", out, re.M), out


def test_bmc_counterexample_is_as_short_as_the_checkers():
    loaded = load_spec(str(ROOT / "specs/labs/paxos_no_quorum.sl"))
    r = run(loaded, "small", "bmc", 8)
    o = by_name(r)
    assert o["Agreement"].claim is Claim.VIOLATED and len(o["Agreement"].trace) == 8
    assert len(explicit(loaded, "small")["Agreement"].trace) == 8
    assert o["DeadlockFreedom"].claim is Claim.BOUNDED
    assert o["DeadlockFreedom"].detail == "no violation in 8 steps (depth 8)"
    assert [d for d, _ in r.depths] == list(range(9))


def test_bmc_reports_a_run_time_error_as_check_does(tmp_path, capsys):
    spec = tmp_path / "overflow.sl"
    spec.write_text(OVERFLOW)
    code, out, err = cli(capsys, spec, "--bmc", 5)
    assert code == 2
    assert "unknown: not decided: a run-time error at depth 2 ended the search" in out
    assert main(["check", str(spec), "--no-progress"]) == 2
    checked_err = capsys.readouterr().err
    assert err.startswith(f"{spec}:5:10: error[SL601]: 'x': 3 is outside 0..2")
    assert err == checked_err


def test_bmc_bound_and_lassos_on_two_phase_commit():
    loaded = load_spec(str(ROOT / "specs/two_phase_commit.sl"))
    o = by_name(run(loaded, "n3", "bmc", 3))
    assert o["Consistent"].claim is Claim.BOUNDED
    assert o["Consistent"].detail == "no violation in 3 steps (depth 3)"
    # nothing is fair in n3: stuttering in the initial state is a violating lasso
    assert o["AllDecide"].claim is Claim.VIOLATED and len(o["AllDecide"].trace) == 0
    assert o["AllDecide"].detail == "a fair lasso: 0 steps, then stuttering forever"
    # with fairness for every process, no fair lasso of at most 6 steps violates it
    o = by_name(run(loaded, "fairN3", "bmc", 6))
    assert o["AllDecide"].claim is Claim.BOUNDED, o["AllDecide"]
    # fair handlers only: the manager may never decide (the explicit checker agrees)
    o = by_name(run(loaded, "fairHandlersOnly", "bmc", 4))
    assert o["AllDecide"].claim is Claim.VIOLATED and o["AllDecide"].met is True
    assert explicit(loaded, "fairHandlersOnly")["AllDecide"].status.value == "violated"


def test_a_fair_lasso_is_printed_as_check_prints_it(capsys):
    spec = ROOT / "specs/labs/mutex_no_turn.sl"
    code, out, _ = cli(capsys, spec, "--bmc", 4)
    assert code == 0
    assert main(["check", str(spec), "--no-progress"]) == 0
    checked = capsys.readouterr().out

    def lasso(text):
        start = text.index(f"Counterexample: {spec}, check two: StarvationFree violated "
                           f"(2 steps, then stuttering")
        return text[start:text.index("\n\n", start)]
    # (which process requests first may differ: both orders are shortest lassos)
    mine, theirs = lasso(out).splitlines(), lasso(checked).splitlines()
    assert len(mine) == len(theirs) == 14
    assert mine[:6] == theirs[:6] and mine[-2:] == theirs[-2:]
    assert mine[-2:] == ["  ---- from here the behaviour stutters forever (no fair action "
                         "forces a step) ----",
                         "  x StarvationFree fails on this infinite behaviour"]


# ---- induction and k-induction ---------------------------------------------------------------


def test_induction_prints_a_counterexample_to_induction():
    loaded = load_spec(str(ROOT / "specs/two_phase_commit.sl"))
    r = run(loaded, "n3", "induction")
    o = by_name(r)
    c = o["Consistent"]
    assert c.claim is Claim.NOT_PROVED and c.met is False
    assert c.detail == "not preserved by RM.decideAbort"
    cti = c.cti
    assert (cti.action, cti.breaks) == ("RM.decideAbort", "Consistent")
    assert cti.assumed == ("Consistent", "CommitNeedsAllPrepared")
    # the CTI's first state satisfies Consistent, its successor does not
    [block] = [b for b in check_blocks(loaded) if b.name == "n3"]
    model = instance(loaded, block, {})
    [holds] = [f for p, f in model.invariants if p.name == "Consistent"]
    assert len(cti.trace) == 1
    assert holds(cti.trace.states[0]) and not holds(cti.trace.states[1])


def test_k_induction_proves_what_induction_cannot():
    loaded = load_text(RELAY, "relay.sl")
    o = by_name(run(loaded, "default", "induction"))["Small"]
    assert o.claim is Claim.NOT_PROVED and o.cti.action == "tick"
    o = by_name(run(loaded, "default", "k-induction", 1))["Small"]
    assert o.claim is Claim.NOT_PROVED
    assert o.detail == "not 1-inductive: Small breaks after a path of 1 steps"
    r = run(loaded, "default", "k-induction", 3)
    o = by_name(r)["Small"]
    assert (o.claim, o.detail, o.depth) == (Claim.PROVED, "2-inductive", 2)
    assert r.notes[0].startswith("2-inductive: no path of 2 distinct states")


def test_k_induction_finds_real_violations_in_the_base_case():
    loaded = load_text(COUNTER, "counter.sl")
    o = by_name(run(loaded, "c", "k-induction", 5))["Small"]
    assert o.claim is Claim.VIOLATED and len(o.trace) == 3 and o.met is True


# ---- Spacer ----------------------------------------------------------------------------------


def test_auto_proves_and_refutes():
    loaded = load_spec(str(ROOT / "specs/labs/mutex_no_turn.sl"))
    r = run(loaded, "two", "auto")
    o = by_name(r)
    assert o["MutualExclusion"].claim is Claim.PROVED
    d = o["DeadlockFreedom"]
    assert d.claim is Claim.VIOLATED and d.detail == "violated after 2 steps"
    assert len(d.trace) == len(explicit(loaded, "two")["DeadlockFreedom"].trace) == 2
    assert any("StarvationFree: not checked by --auto" in n for n in r.notes)


def test_auto_counterexample_for_an_invariant():
    loaded = load_text(COUNTER, "counter.sl")
    o = by_name(run(loaded, "c", "auto"))
    assert o["Small"].claim is Claim.VIOLATED and len(o["Small"].trace) == 3
    assert o["DeadlockFreedom"].claim is Claim.PROVED        # flip is always enabled


def test_auto_is_unknown_after_the_timeout(capsys):
    code, out, _ = cli(capsys, ROOT / "specs/paxos.sl", "--auto", "--timeout", 1,
                       "--check", "ballots01")
    assert code == 3
    assert "Agreement          invariant  holds       unknown: the --timeout of 1 s ran out" in out
    assert out.rstrip().endswith("1 check, 4 obligations: 4 without a verdict.")


# ---- liveness: a ranking function that does not work ------------------------------------------


def test_a_wrong_ranking_function_gets_a_counterexample(tmp_path, capsys):
    proof = tmp_path / "bad.sl"
    good = (ROOT / "proofs/peterson.sl").read_text()
    bad = good[:good.index("rank StarvationFree:")] + \
        "rank StarvationFree: 0\n    helps P.enter\n"
    proof.write_text(bad)
    code, out, _ = cli(capsys, ROOT / "specs/peterson.sl", "--induction", "--proof", proof)
    assert code == 1
    assert "StarvationFree     temporal   holds       not proved" in out
    assert "Counterexample to the ranking argument: " in out
    loaded = load_spec(str(ROOT / "specs/peterson.sl"))
    p = load_proof_text(bad, str(proof), loaded)
    o = by_name(run(loaded, "two", "induction", proof=p))["StarvationFree"]
    assert o.claim is Claim.NOT_PROVED and o.cti is not None and o.cti.why


# ---- refusals --------------------------------------------------------------------------------


def _doc_spec(doc: str, first_line: str) -> str:
    text = (DOCS / doc).read_text()
    start = text.index(first_line)
    return text[start:text.index("```", start)]


REFUSED = [
    ("fifo", lambda: _doc_spec("language.md", "spec FifoNetwork"), "2:9",
     "a fifo network"),
    ("history", lambda: _doc_spec("language.md", "spec StaleRead"), "29:16",
     "the history check linearizable()"),
]


@pytest.mark.parametrize("name,text,where,what", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_constructs_are_diagnosed(name, text, where, what, tmp_path, capsys):
    spec = tmp_path / f"{name}.sl"
    spec.write_text(text())
    for engine in (["--bmc", "2"], ["--induction"], ["--auto"]):
        code, _, err = cli(capsys, spec, *engine)
        assert code == 2, err
        assert err.startswith(f"{spec}:{where}: error[SL801]: the Z3 engines cannot encode "
                              f"{what}\n"), err
        assert "Traceback" not in err


@pytest.mark.parametrize("lemma,code,where", [
    ("lemma Bad: x + 1", "SL307", "2:12"),
    ("lemma Bad: z < 1", "SL201", "2:12"),
])
def test_proof_file_errors_have_locations(lemma, code, where, tmp_path, capsys):
    spec = tmp_path / "counter.sl"
    spec.write_text(COUNTER)
    proof = tmp_path / "p.sl"
    proof.write_text(textwrap.dedent(f"""\
        proof Counter
        {lemma}
        """))
    rc, _, err = cli(capsys, spec, "--induction", "--proof", proof)
    assert rc == 2
    assert err.startswith(f"{proof}:{where}: error[{code}]"), err
