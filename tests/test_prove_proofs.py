"""The proofs in proofs/ pass, and each lemma of proofs/paxos.sl is needed.

Dropping any one lemma of the Paxos proof makes `--induction` fail with
counterexamples to induction, and the first state of every one of them violates
the dropped lemma (`Cti.violates`, printed by `stateline prove --drop`).  This
must be so whenever the full proof succeeds: a state satisfying every conjunct
only has successors that do, so a CTI of the weaker invariant starts outside it.
(docs/proofs.md runs the Paxos, two-phase commit and Peterson proofs through
`stateline prove` as well; tests/test_prove_docs.py.)
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from stateline import check_blocks, load_spec
from stateline.cli import main
from stateline.lang.load import parse_override
from stateline.prover.proofs import load_proof
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, encode, instance, prove_block
from stateline.prover.terms import fresh_context


@lru_cache(maxsize=None)
def _loaded(spec: str, proof: str):
    loaded = load_spec(spec)
    return loaded, load_proof(proof, loaded)


@lru_cache(maxsize=None)
def _encoded(spec: str, proof: str, check: str, defines: tuple[str, ...]):
    loaded, _ = _loaded(spec, proof)
    [block] = [b for b in check_blocks(loaded) if b.name == check]
    overrides = dict(parse_override(loaded, d) for d in defines)
    model = instance(loaded, block, overrides)
    return block, overrides, model, encode(model)


def prove(spec, proof_path, check, defines=(), drop=(), engine="induction"):
    """Run one engine; runs on the same instance share its model and encoding."""
    loaded, proof = _loaded(spec, proof_path)
    block, overrides, model, enc = _encoded(spec, proof_path, check, tuple(defines))
    dropped = tuple(x for x in proof.lemmas if x.name in drop)
    for name in drop:
        proof = proof.without(name)
    return prove_block(loaded, block, overrides, ProveOptions(engine, 3, None, proof, dropped),
                       model=model, enc=enc)


def claims(result) -> dict[str, str]:
    return {o.name: o.claim.value for o in result.obligations}


def test_two_phase_commit_is_proved_for_n3_and_n4():
    for check in ("n3", "n4"):
        r = prove("specs/two_phase_commit.sl", "proofs/two_phase_commit.sl", check)
        c = claims(r)
        assert c.pop("AllDecide", None) is None      # temporal, no rank: listed in a note
        assert set(c.values()) == {"proved"}, c
        assert list(c)[:2] == ["Consistent", "CommitNeedsAllPrepared"]
        assert len(c) == 2 + 8 + 2          # targets, lemmas, run-time errors, deadlock
        assert c["DeadlockFreedom"] == "proved"
        assert any("AllDecide: no ranking function" in n for n in r.notes)


def test_lamport_clock_condition_is_proved():
    r = prove("specs/lamport_clock.sl", "proofs/lamport_clock.sl", "two", ["MaxEvents=2"])
    c = claims(r)
    assert set(c.values()) == {"proved"} and len(c) == 4 + 7 + 1, c
    assert c["ClockCondition"] == "proved"
    assert r.notes[-1] == "the conjunction of 11 properties is inductive: it holds in every " \
                          "reachable state of this instance"


def test_peterson_mutual_exclusion_and_starvation_freedom():
    r = prove("specs/peterson.sl", "proofs/peterson.sl", "two")
    assert claims(r) == {"MutualExclusion": "proved", "FlagsFollowPc": "proved",
                         "CriticalHoldsTurn": "proved", "(run-time errors)": "proved",
                         "DeadlockFreedom": "proved", "StarvationFree": "proved"}
    [rank] = [o for o in r.obligations if o.name == "StarvationFree"]
    assert rank.detail == "by the ranking function StarvationFree (helpful: P.enter, " \
                          "P.yieldTurn, P.leave, P.request)"


def test_an_encoding_is_proved_on_after_a_fresh_context():
    """The encodings above are cached across tests, and any proof in between makes a
    fresh Z3 context: prove_block goes back to the encoding's context (it failed with a
    Z3 sort mismatch when the suite ran another proof first)."""
    first = claims(prove("specs/peterson.sl", "proofs/peterson.sl", "two"))
    fresh_context()
    assert claims(prove("specs/peterson.sl", "proofs/peterson.sl", "two")) == first
    fresh_context()
    assert claims(prove("specs/peterson.sl", "proofs/peterson.sl", "two",
                        engine="bmc")) == {"MutualExclusion": "holds up to the bound",
                                           "DeadlockFreedom": "holds up to the bound",
                                           "StarvationFree": "holds up to the bound"}


PAXOS_LEMMAS = [x.name for x in _loaded("specs/paxos.sl", "proofs/paxos.sl")[1].lemmas]


def test_the_paxos_proof_has_the_classic_lemmas():
    assert PAXOS_LEMMAS == ["VotesProposed", "OneValuePerBallot", "SafeProposals",
                            "PromiseKept", "PromiseReportsLastVote", "VotesBelowMaxBal",
                            "LastVoteRecorded"]


def test_paxos_agreement_is_proved():
    c = claims(prove("specs/paxos.sl", "proofs/paxos.sl", "ballots01"))
    assert c.pop("VotesWereProposed") == "proved"
    assert set(c.values()) == {"proved"} and len(c) == 1 + 7 + 2, c  # + errors, deadlock
    assert list(c)[0] == "Agreement"


# What breaks first without each lemma (the conjunct the CTI's step falsifies).
BREAKS = {
    "VotesProposed": "Agreement",
    "OneValuePerBallot": "Agreement",
    "SafeProposals": "Agreement",
    "PromiseKept": "PromiseReportsLastVote",
    "PromiseReportsLastVote": "(run-time errors)",
    "VotesBelowMaxBal": "PromiseReportsLastVote",
    "LastVoteRecorded": "PromiseReportsLastVote",
}


@pytest.mark.parametrize("lemma", PAXOS_LEMMAS)
def test_each_paxos_lemma_is_needed(lemma):
    r = prove("specs/paxos.sl", "proofs/paxos.sl", "ballots01", drop=[lemma])
    ctis = [o.cti for o in r.obligations if o.cti is not None]
    assert ctis, claims(r)
    for cti in ctis:
        assert cti.violates == (lemma,), (cti.breaks, cti.action, cti.violates)
        assert lemma not in cti.assumed
    assert ctis[0].breaks == BREAKS[lemma]
    [agreement] = [o for o in r.obligations if o.name == "Agreement"]
    assert agreement.claim is Claim.NOT_PROVED and agreement.met is False


# `stateline prove --drop` is run by docs/proofs.md (tests/test_prove_docs.py).


@pytest.mark.parametrize("argv,message", [
    (["--drop", "Nope"], "proofs/paxos.sl has no lemma named 'Nope'"),
    (["--bmc", "2"], "--proof is used by --induction and --k-induction"),
])
def test_bad_drop_and_proof_arguments(argv, message, capsys):
    code = main(["prove", "specs/paxos.sl", "--proof", "proofs/paxos.sl",
                 "--check", "ballots01"] + (["--induction"] if "--bmc" not in argv else []) +
                argv)
    err = capsys.readouterr().err
    assert code == 2 and f"error[SL504]: {message}" in err, err


def test_drop_needs_a_proof(capsys):
    code = main(["prove", "specs/paxos.sl", "--induction", "--drop", "VotesProposed"])
    assert code == 2
    assert "error[SL504]: --drop removes a lemma of the --proof file" in capsys.readouterr().err
