"""Proofs for every instance size (`--induction` with `any size` sorts).

The shipped any-size proofs hold; dropping any lemma breaks them with a
counterexample to induction that names it, found in a concrete instance whose
step the compiled model of that instance takes (and whose states the finite
encoding of that instance re-evaluates: `cti.decode_cti` checks both).  What the
encoding cannot state for every size is refused with its location.  And on
generated specs over a symmetric sort, whatever the any-size engine proves holds
in every instance of one, two and three elements that `stateline check` explores.
Paxos's dropped lemmas take a few CPU seconds each: Z3's first try of each step
query is capped, and the CTI comes from the small instances (anysize/small.py).
ANY_SIZE_EXAMPLES sets the number of generated specs (default 40);
ANY_SIZE_RAFT_REACHABLE=1 checks the Raft lemmas in larger instances.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.cli import main
from stateline.lang.load import parse_override
from stateline.models.runtime import ModelError
from stateline.prover.proofs import load_proof, load_proof_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("ANY_SIZE_EXAMPLES", "40"))


@lru_cache(maxsize=None)
def _loaded(spec: str, proof: str):
    loaded = load_spec(str(ROOT / spec))
    return loaded, load_proof(str(ROOT / proof), loaded)


def prove(spec, proof_path, check, drop=(), any_size=False):
    loaded, proof = _loaded(spec, proof_path)
    [block] = [b for b in check_blocks(loaded) if b.name == check]
    dropped = tuple(x for x in proof.lemmas if x.name in drop)
    for name in drop:
        proof = proof.without(name)
    return loaded, block, prove_block(loaded, block, {}, ProveOptions(
        "induction", 0, 300.0, proof, dropped, any_size))


def assert_needed(files, check: str, lemma: str, instance: str = ".*",
                  any_size: bool = False):
    """Dropping `lemma` from the proof `files` (spec, proof) of block `check` gives at
    least one CTI; each violates the dropped lemma, is shown in an instance matching the
    regular expression `instance`, and reproduces in `check`.  The proof's result."""
    loaded, block, r = prove(*files, check, drop=(lemma,), any_size=any_size)
    ctis = [o.cti for o in r.obligations if o.cti is not None]
    assert ctis, [(o.name, o.claim.value, o.detail) for o in r.obligations]
    for cti in ctis:
        assert lemma in cti.violates, (lemma, cti.breaks, cti.instance)
        assert re.fullmatch(instance, cti.instance), cti.instance
        assert_reproduces(loaded, block, cti)
    return r


def claims(r) -> dict[str, str]:
    return {o.name: o.claim.value for o in r.obligations}


def assert_reproduces(loaded, block, cti):
    """The CTI's instance is a real instance of the spec, and its step is a step of that
    instance's compiled model (for a run-time error: a step from its state raises one)."""
    overrides = dict(parse_override(loaded, part) for part in _split(cti.instance))
    model = instance(loaded, block, overrides)
    states = cti.trace.states
    if len(states) == 2:
        assert states[1] in [t for _, t in model.successors_labeled(states[0])]
    if cti.breaks == "(run-time errors)":
        with pytest.raises(ModelError):
            model.successors_labeled(states[0])
    assert model.describe(states[0]) == cti.trace.initial


def _split(shown: str) -> list[str]:
    """'N=2' or 'Acceptors={a1, a2}, Values={v1}' -> the -D texts."""
    out, depth, cur = [], 0, ""
    for ch in shown:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return out + ([cur.strip()] if cur.strip() else [])


TWO_PC = ("specs/two_phase_commit.sl", "proofs/two_phase_commit.sl")
LAMPORT = ("specs/lamport_clock.sl", "proofs/lamport_clock_any_size.sl")
PAXOS = ("specs/paxos.sl", "proofs/paxos_any_size.sl")
RAFT = ("specs/raft_election.sl", "proofs/raft_election_any_size.sl")


def test_two_phase_commit_for_every_number_of_resource_managers():
    _, _, r = prove(*TWO_PC, "n3", any_size=True)
    c = claims(r)
    assert set(c.values()) == {"proved"} and len(c) == 2 + 8 + 2, c
    assert r.constants == (("RMs", "any size"),)
    assert r.notes[0] == "for every size of RMs"


@pytest.mark.parametrize("lemma", [x.name for x in _loaded(*TWO_PC)[1].lemmas])
def test_two_phase_commit_needs_every_lemma(lemma):
    assert_needed(TWO_PC, "n3", lemma, r"N=.*", any_size=True)


def test_lamport_clock_condition_for_every_number_of_processes():
    _, _, r = prove(*LAMPORT, "three")
    c = claims(r)
    assert set(c.values()) == {"proved"} and c["ClockCondition"] == "proved", c
    assert any("MaxClock" in n and "not checked" in n for n in r.notes)


@pytest.mark.parametrize("lemma", [x.name for x in _loaded(*LAMPORT)[1].lemmas])
def test_lamport_needs_every_lemma(lemma):
    assert_needed(LAMPORT, "three", lemma)


@pytest.mark.slow
def test_paxos_agreement_for_every_number_of_acceptors_and_values():
    _, _, r = prove(*PAXOS, "ballots01")
    c = claims(r)
    assert set(c.values()) == {"proved"}, c
    assert "majority quorums of Acceptors" in r.notes[0]
    assert any("outside EPR" in n for n in r.notes)


@pytest.mark.parametrize("lemma", [x.name for x in _loaded(*PAXOS)[1].lemmas])
def test_paxos_needs_its_lemmas(lemma):
    # Without a lemma the step queries leave EPR's comfort: Z3 searches for minutes before
    # it builds a model.  Each is first asked under a resource limit; the CTI then comes
    # from the instances with at most three acceptors and values (anysize/small.py).
    r = assert_needed(PAXOS, "ballots01", lemma,
                      r"Acceptors=\{a1(, a2(, a3)?)?\}, Values=\{v1(, v2(, v3)?)?\}")
    assert not any(o.claim is Claim.PROVED for o in r.obligations), claims(r)


@pytest.mark.parametrize("small_rlimit", [None, 1])
def test_a_capped_query_is_never_proved(monkeypatch, small_rlimit):
    # Every first try runs out of its resource limit: the two-phase commit proof still
    # holds (each query asked again in full), and without a lemma the CTI comes from the
    # small instances, or (with those capped too) from the full query.
    from stateline.prover.anysize import induction, small
    monkeypatch.setattr(small, "RLIMIT", 1)
    monkeypatch.setattr(small, "FAILED_RLIMIT", 1)
    if small_rlimit is not None:
        monkeypatch.setattr(small, "SMALL_RLIMIT", small_rlimit)
    tries, searched = [], []

    def spy(fn, log):
        def wrapped(*args, **kwargs):
            log.append(fn(*args, **kwargs))
            return log[-1]
        return wrapped
    monkeypatch.setattr(induction, "first_try", spy(small.first_try, tries))
    monkeypatch.setattr(induction, "small_cti", spy(small.small_cti, searched))
    _, _, r = prove(*TWO_PC, "n3", any_size=True)
    assert set(claims(r).values()) == {"proved"}, claims(r)
    assert sum(1 for a in tries if not a.sat and not a.unsat) >= 20, len(tries)
    assert searched and not any(searched)
    tries.clear()
    searched.clear()
    loaded, block, r = prove(*TWO_PC, "n3", drop=("CountedPrepared",), any_size=True)
    ctis = [o.cti for o in r.obligations if o.cti is not None]
    assert ctis and all("CountedPrepared" in c.violates for c in ctis), claims(r)
    assert any(searched) is (small_rlimit is None)
    # the report says how each CTI was found
    from stateline.cli.prove import cti_text
    assert any(c.searched for c in ctis) is (small_rlimit is None)
    for cti in ctis:
        assert_reproduces(loaded, block, cti)
        how = (f"(found in the instance {cti.instance}, one of every size, by searching the "
               f"small instances)" if cti.searched else
               f"(found for every size; shown in the instance {cti.instance})")
        assert cti_text(r, cti).split("\n")[1].strip() == how


def test_raft_election_safety_for_every_number_of_servers():
    _, _, r = prove(*RAFT, "three")
    c = claims(r)
    assert set(c.values()) == {"proved"} and len(c) == 1 + 5 + 1, c
    assert r.constants == (("Servers", "any size"),)
    assert r.notes[0] == "for every size of Servers (majority quorums of Servers)"


SERVERS = r"Servers=\{s1(, s2(, s3)?)?\}"      # the instances a Raft CTI is shown in


@pytest.mark.parametrize("lemma", [x.name for x in _loaded(*RAFT)[1].lemmas])
def test_raft_needs_every_lemma(lemma):
    assert_needed(RAFT, "three", lemma, SERVERS)


def _with_lemmas_as_invariants(spec: str, proof: str) -> str:
    """The spec with the proof's lemmas appended as invariants (and checked)."""
    lemmas: list[list[str]] = []      # [name, expression lines...]
    for line in (ROOT / proof).read_text().splitlines():
        if line.startswith("lemma "):
            name, _, rest = line[len("lemma "):].partition(":")
            lemmas.append([name, rest])
        elif lemmas and line.startswith(" ") and len(lemmas[-1]) > 0:
            lemmas[-1].append(line)
        elif lemmas and lemmas[-1][-1] is not None:
            lemmas[-1].append(None)         # the lemma ended
    invariants = "".join(f"invariant {name}: (\n" + "\n".join(x for x in body if x) + ")\n"
                         for name, *body in lemmas)
    text = (ROOT / spec).read_text()
    head, _, checks = text.partition("\ncheck ")
    expects = "".join(f"\n    expect {name} holds" for name, *_ in lemmas)
    checks = ("\ncheck " + checks).replace(":\n    expect ElectionSafety holds",
                                           ":\n    expect ElectionSafety holds" + expects)
    return head + "\n" + invariants + checks


# (-D overrides of the block `three`, distinct states): the lemmas are invariants of the
# reachable states (a lemma that is not cannot be inductive).  ANY_SIZE_RAFT_REACHABLE=1
# adds five servers (25 s of CPU), and three with terms 0..2 (about a minute).
RAFT_REACHABLE = [((), 646)] + (
    [(("Servers={s1, s2, s3, s4, s5}", "MaxCrashes=0"), 43_572),
     (("MaxTerm=2", "MaxCrashes=0"), 198_412)]
    if os.environ.get("ANY_SIZE_RAFT_REACHABLE") else [])


@pytest.mark.parametrize("overrides,states", RAFT_REACHABLE)
def test_raft_lemmas_hold_in_reachable_states(overrides, states):
    loaded = load_text(_with_lemmas_as_invariants(*RAFT), str(ROOT / RAFT[0]))
    [block] = [b for b in check_blocks(loaded) if b.name == "three"]
    result = run_check(loaded, block, dict(parse_override(loaded, x) for x in overrides))
    lemmas = {x.name for x in _loaded(*RAFT)[1].lemmas}
    verdicts = {v.prop: v.status.value for v in result.verdicts}
    assert set(verdicts) == lemmas | {"ElectionSafety"}, verdicts
    assert set(verdicts.values()) == {"holds"}, verdicts
    assert result.stats.states == states


# ---- refusals ------------------------------------------------------------------------------

BASE = """\
spec Refuse
const Nodes = {n1, n2} symmetric
process Node(self in Nodes):
    var x: 0..2 = 0
    action inc:
        require x < 2
        x := x + 1
allow deadlock
"""
INT_BASE = BASE.replace("const Nodes = {n1, n2} symmetric", "const N = 2\nconst Nodes = 1..N")

REFUSALS = [
    ("arithmetic", INT_BASE, "invariant I: forall n in Nodes: Node[n].x + n > 0", "10:",
     "arithmetic or order on an element of Nodes"),
    ("model value", BASE, "invariant I: Node[n1].x >= 0", "9:",
     "the model value 'n1' of Nodes"),
    ("minority", BASE, "invariant I: forall q in {q for q in subsets(Nodes) if len(q) >= 1}: "
                       "len(q) > 0", "9:", "subsets of Nodes other than majority quorums"),
]


@pytest.mark.parametrize("name,base,line,where,what", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_with_a_location(name, base, line, where, what, tmp_path, capsys):
    spec = tmp_path / "refuse.sl"
    spec.write_text(base + line + "\n")
    assert main(["prove", str(spec), "--induction", "--any-size"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:{where}" in err and "error[SL801]" in err and what in err, err
    assert "Traceback" not in err


def test_any_size_needs_induction(tmp_path, capsys):
    spec = tmp_path / "refuse.sl"
    spec.write_text(BASE)
    assert main(["prove", str(spec), "--bmc", "2", "--any-size"]) == 2
    assert "--any-size is a form of --induction" in capsys.readouterr().err


def test_proof_file_any_size_line_is_checked(tmp_path):
    loaded = load_text(BASE, "refuse.sl")
    with pytest.raises(Exception) as info:
        load_proof_text("proof Refuse\nany size Nodez\n", "p.sl", loaded)
    assert "SL201" in str(info.value.diagnostics[0].code)


# ---- generated specs: what is proved for every size holds in small instances --------------


@st.composite
def symmetric_specs(draw):
    guard = draw(st.sampled_from(["x < 2", "x == 0", "flag", "not flag"]))
    update = draw(st.sampled_from(["x := x + 1", "x := 2", "flag := true", "flag := not flag"]))
    handler = draw(st.sampled_from(["x := min(x + 1, 2)", "flag := true", "x := m.v"]))
    send = draw(st.sampled_from(["send Note(self, x % 2)", "send Note(self, 1)", ""]))
    inv = draw(st.sampled_from([
        "forall n in Nodes: Node[n].x <= 2",
        "forall n in Nodes: Node[n].flag implies Node[n].x >= 1",
        "forall m in sent(Note): Node[m.src].x >= m.v",
        "forall a, b in Nodes: Node[a].x == 2 and Node[b].x == 2 implies a == b",
        "forall n in Nodes: Node[n].x <= 1 or Node[n].flag",
        "forall m in sent(Note): m.v == 0 or Node[m.src].x >= 1",
    ]))
    extra = draw(st.sampled_from(["", "lemma L: forall n in Nodes: Node[n].x >= 0",
                                  "lemma L: forall m in sent(Note): Node[m.src].x >= m.v"]))
    text = f"""\
spec Gen
const Nodes = {{n1, n2, n3}} symmetric
network set
message Note(src: Nodes, v: 0..2)
process Node(self in Nodes):
    var x: 0..2 = 0
    var flag: bool = false
    action act:
        require {guard}
        {update}
        {send or "x := x"}
    on Note(m) if m.src != self:
        {handler}
invariant Inv: {inv}
allow deadlock
"""
    return text, extra


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(symmetric_specs())
def test_proved_for_every_size_holds_in_small_instances(case):
    assert_agrees_with_check(*case)


def assert_agrees_with_check(text: str, extra: str) -> None:
    """Prove the generated spec `text` (its sort Nodes) for every size, with the proof
    line `extra`: whatever is proved holds in the instances of 1, 2 and 3 nodes (`check`;
    where check meets a run-time error, "(run-time errors)" is not proved), and every
    CTI reproduces in the compiled model of its instance."""
    loaded = load_text(text, "gen.sl")
    [block] = check_blocks(loaded)
    proof = load_proof_text(f"proof {loaded.typed.name}\n{extra}\n", "gen.proof.sl", loaded)
    r = prove_block(loaded, block, {}, ProveOptions("induction", 0, 60.0, proof, (), True))
    proved = {o.name for o in r.obligations if o.claim is Claim.PROVED}
    for names in ("{n1}", "{n1, n2}", "{n1, n2, n3}"):
        overrides = dict([parse_override(loaded, f"Nodes={names}")])
        result = run_check(loaded, block, overrides)
        if result.failure is not None:
            assert "(run-time errors)" not in proved, f"{result.failure}\n{text}{extra}"
            continue
        for v in result.verdicts:
            if v.status.value == "violated":
                assert v.prop not in proved, f"{v.prop} proved, violated with Nodes={names}" \
                                             f"\n{text}{extra}"
    for cti in [o.cti for o in r.obligations if o.cti is not None]:
        assert_reproduces(loaded, block, cti)


# ---- regression: a CTI's instance is compiled from its own spec ----------------------------

GEN_FLAG = """\
spec Gen
const Nodes = {n1, n2, n3} symmetric
network set
message Note(src: Nodes, v: 0..2)
process Node(self in Nodes):
    var x: 0..2 = 0
    var flag: bool = false
    action act:
        require x < 2
        x := x + 1
        send Note(self, 1)
    on Note(m) if m.src != self:
        flag := true
invariant Inv: forall n in Nodes: Node[n].flag implies Node[n].x >= 1
allow deadlock
"""
GEN_LEMMA = "proof Gen\nlemma L: forall m in sent(Note): Node[m.src].x >= m.v\n"


def _gen_ctis(loaded):
    [block] = check_blocks(loaded)
    proof = load_proof_text(GEN_LEMMA, "gen.proof.sl", loaded)
    r = prove_block(loaded, block, {}, ProveOptions("induction", 0, 60.0, proof, (), True))
    return block, [o.cti for o in r.obligations if o.cti is not None]


def test_cti_instance_is_compiled_from_its_own_spec():
    # Seen once under load in the full suite: the generated-spec test raised "the any-size
    # encoding found a step the compiled model of Nodes={n1, n2} does not take" for the CTI
    # of Inv through Node.on Note.  The compiled instances were cached by the spec's path
    # and id(); a spec freed by an earlier example left its id to the next one, loaded from
    # the same path, which then got the earlier spec's model.  Here the reuse is forced.
    from stateline.prover.anysize import cti as cti_mod
    earlier = load_text(GEN_FLAG.replace("        flag := true\n", "        x := m.v\n"),
                        "gen.sl")
    _gen_ctis(earlier)
    loaded = load_text(GEN_FLAG, "gen.sl")
    for key, entry in list(cti_mod._CACHE.items()):
        if key[1] == id(earlier):          # as if `loaded` had taken over earlier's address
            cti_mod._CACHE[(key[0], id(loaded)) + key[2:]] = entry
    block, ctis = _gen_ctis(loaded)
    assert [(c.breaks, c.action, c.instance) for c in ctis] == [
        ("Inv", "Node.on Note", "Nodes={n1, n2}")]
    for cti in ctis:
        assert_reproduces(loaded, block, cti)
