"""Fairness as TLA+ reads it: the regression specs of tests/specs/fairness/, each run by
every engine that decides it (`check`, the lasso search of `prove --bmc K`, and
`prove --induction` with a ranking function where one applies), verdicts and lasso
lengths pinned.

* rereceive: a step that changes nothing neither takes nor enables a fair unit;
* per_param, per_message, per_instance: `per p`, `per message`, `per instance`;
* crash_fair: process-wide fairness never makes `crash` fair; `P.recover` may be;
* vacuous: liveness that holds only through steps leaving the constraint warns;
* predicate_error: a temporal predicate that raises is SL602 (exit 2), and BMC's lasso
  search does not report a lasso through the error state.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.cli import main
from stateline.diagnostics import SpecError
from stateline.lang.load import LoadError
from stateline.prover.proofs import load_proof_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

HERE = Path(__file__).resolve().parent / "specs" / "fairness"

# (spec, check) -> {property: (explicit verdict, lasso (steps, loop start) or None,
#                             BMC claim at depth 6, BMC lasso depth or None)}
PINNED = {
    ("rereceive", "unfair"): {"Got1": ("violated", (1, 1), "violated", 1)},
    ("rereceive", "fair"): {"Got1": ("holds", None, "bounded", None)},
    ("per_param", "whole"): {"Served2": ("violated", (2, 0), "violated", 2)},
    ("per_param", "each"): {"Served2": ("holds", None, "bounded", None)},
    ("per_message", "perHandler"): {"Got1": ("violated", (3, 1), "violated", 3)},
    ("per_message", "perMessage"): {"Got1": ("holds", None, "bounded", None)},
    ("per_message", "perMessageStrong"): {"Got1": ("holds", None, "bounded", None)},
    ("per_instance", "eachAction"): {"Done": ("holds", None, "bounded", None)},
    ("per_instance", "wholeProcess"): {"Done": ("violated", (2, 0), "violated", 2)},
    ("crash_fair", "processWide"): {"Down": ("violated", (1, 1), "violated", 1),
                                    "Worked": ("violated", (1, 1), "violated", 1)},
    ("crash_fair", "withRecover"): {"Down": ("violated", (1, 1), "violated", 1),
                                    "Worked": ("holds", None, "bounded", None)},
    ("vacuous", "c"): {"Done": ("holds", None, "bounded", None)},
}

# (spec, check, proof file) -> (claim of the temporal property, detail)
RANKED = {
    ("rereceive", "fair", "rereceive_proof"):
        ("Got1", Claim.PROVED, "by the ranking function Got1 (helpful: write, Reader.Note)"),
    ("rereceive", "unfair", "rereceive_proof"):
        ("Got1", Claim.NOT_PROVED, "the helpful action Reader.on Note is not fair in this check"),
    ("per_param", "each", "per_param_proof"):
        ("Served2", Claim.PROVED, "by the ranking function Served2 (helpful: serve)"),
    ("per_param", "whole", "per_param_proof"):
        ("Served2", Claim.NOT_PROVED, "no helpful action is enabled and sure to decrease the "
                                      "rank in this state waiting for the goal"),
    ("per_message", "perMessage", "per_message_proof"):
        ("Got1", Claim.PROVED, "by the ranking function Got1 (helpful: start, Server.Req)"),
    ("per_message", "perMessageStrong", "per_message_proof"):
        ("Got1", Claim.PROVED, "by the ranking function Got1 (helpful: start, Server.Req)"),
    ("per_message", "perHandler", "per_message_proof"):
        ("Got1", Claim.NOT_PROVED, "no helpful action is enabled and sure to decrease the rank "
                                   "in this state waiting for the goal"),
    ("per_instance", "eachAction", "per_instance_proof"):
        ("Done", Claim.PROVED, "by the ranking function Done (helpful: P.finish)"),
    ("per_instance", "wholeProcess", "per_instance_proof"):
        ("Done", Claim.NOT_PROVED, "no helpful action is enabled and sure to decrease the rank "
                                   "in this state waiting for the goal"),
    ("per_instance", "eachAction", "per_instance_proof_whole"):
        ("Done", Claim.PROVED, "by the ranking function Done (helpful: P)"),
    ("crash_fair", "processWide", "crash_fair_proof"):
        ("Down", Claim.NOT_PROVED, "the helpful action Server.crash is not fair in this check"),
}


def block(loaded, name):
    [b] = [c for c in check_blocks(loaded) if c.name == name]
    return b


@pytest.mark.parametrize("key", sorted(PINNED), ids=lambda k: f"{k[0]}:{k[1]}")
def test_check_and_bmc_lassos(key):
    spec, check = key
    loaded = load_spec(str(HERE / f"{spec}.sl"))
    r = run_check(loaded, block(loaded, check), {})
    assert r.failure is None
    explicit = {v.prop: v for v in r.verdicts if v.kind == "temporal"}
    bmc = {o.name: o for o in prove_block(loaded, block(loaded, check), {},
                                          ProveOptions("bmc", 6)).obligations
           if o.kind == "temporal"}
    assert set(explicit) == set(bmc) == set(PINNED[key])
    for prop, (verdict, lasso, claim, depth) in PINNED[key].items():
        v, o = explicit[prop], bmc[prop]
        assert v.status.value == verdict and v.met is True, (prop, v.status)
        if lasso is None:
            assert v.trace is None
        else:
            assert (len(v.trace.steps), v.trace.loop_start) == lasso
        assert o.claim.name.lower() == claim, (prop, o.claim, o.detail)
        if depth is not None:
            assert o.depth == depth and len(o.trace.steps) == depth
            # BMC's lasso is a shortest one; the explicit lasso is no shorter
            assert depth <= lasso[0]


@pytest.mark.parametrize("key", sorted(RANKED), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_ranking_functions(key):
    spec, check, proof = key
    prop, claim, detail = RANKED[key]
    loaded = load_spec(str(HERE / f"{spec}.sl"))
    path = HERE / f"{proof}.sl"
    p = load_proof_text(path.read_text(), str(path), loaded)
    result = prove_block(loaded, block(loaded, check), {}, ProveOptions("induction", 0, None, p))
    o = next(o for o in result.obligations if o.name == prop)
    assert (o.claim, o.detail) == (claim, detail)


def test_a_temporal_predicate_error_is_a_run_time_error(capsys):
    spec = HERE / "predicate_error.sl"
    assert main(["check", str(spec), "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"{spec}:12:24: error[SL602]: division by zero")
    assert "x the error occurs in this state" in err
    assert "unknown (model-error)" in out
    # BMC reports the same run-time error (the predicate raises in x = 2) and decides
    # no temporal verdict; its lasso search never goes through the error state.
    loaded = load_spec(str(spec))
    r = prove_block(loaded, block(loaded, "c"), {}, ProveOptions("bmc", 6))
    assert r.failure is not None and r.failure.diagnostic.code == "SL602"
    assert r.failure.diagnostic.message == "division by zero"
    [o] = [o for o in r.obligations if o.kind == "temporal"]
    assert o.claim is Claim.UNKNOWN
    from stateline.prover.lasso import lasso_search
    from stateline.prover.run import encode
    from stateline.prover.scopes import Deadline
    model = instance(loaded, block(loaded, "c"), {})
    [o] = lasso_search(encode(model), model, 6, {}, Deadline(None))
    assert o.claim is Claim.BOUNDED


def test_an_invariant_error_is_reported_the_same_way(capsys):
    spec = load_text(textwrap.dedent("""\
        spec InvariantError
        var x: 0..2 = 0

        fair weak action step:
            require x < 2
            x := x + 1

        invariant P: 10 // (2 - x) >= 1

        allow deadlock
        """), "inv.sl")
    r = run_check(spec, block(spec, "default"), {})
    assert r.failure.diagnostic.code == "SL602"
    assert len(r.failure.trace.steps) == 2


def test_vacuous_liveness_under_a_constraint_warns(capsys):
    spec = HERE / "vacuous.sl"
    assert main(["check", str(spec), "--no-progress"]) == 0
    _, err = capsys.readouterr()
    assert err == (f"{spec}:17:10: warning: temporal property Done holds only because fair "
                   "actions are enabled by steps that leave the constraint (Small): no fair "
                   "behaviour that would violate it stays inside the constraint, so the "
                   "verdict says nothing about the unconstrained spec\n")
    # without the constraint's help (a property that holds anyway) there is no warning
    assert main(["check", str(HERE / "per_param.sl"), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


def test_the_header_says_symmetry_is_off_for_temporal_properties(tmp_path, capsys):
    spec = tmp_path / "sym.sl"
    spec.write_text(textwrap.dedent("""\
        spec Sym
        const Procs = {p1, p2} symmetric

        fair weak process P(self in Procs):
            var on: bool = false

            action flip:
                require not on
                on := true

        property AllOn: eventually forall p in Procs: P[p].on

        allow deadlock
        """))
    assert main(["check", str(spec), "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].endswith("· symmetry off (temporal properties)")
    assert "symmetry reduction is off for this check" in err


BAD = """\
spec Bad
const Servers = {s1}
network set
message Note(v: 0..1)

process Server(self in Servers):
    crash recover
    var n: 0..1 = 0

    action work(k in 0..1):
        n := k

    on Note(m):
        n := m.v

property Worked: eventually Server[s1].n == 1

check c:
    fair weak {target}
"""


@pytest.mark.parametrize("target, message", [
    ("Server.crash", "5:14: 'Server.crash' cannot be fair: a crash that must happen is no "
                     "fault"),
    ("network.drop", "'network.drop' cannot be fair"),
    ("Server.work per j", "'Server.work' has no parameter 'j'"),
    ("Server.work per message", "'per message' applies to a message handler; 'Server.work' "
                                "is an action"),
    ("Server per message", "'per message' applies to one action or handler, not to a whole "
                           "process"),
    ("Server.Note per instance", "'per instance' applies to a process"),
])
def test_fairness_that_cannot_be(target, message):
    with pytest.raises((LoadError, SpecError)) as info:
        load_text(BAD.replace("{target}", target), "bad.sl")
    text = str(info.value) + " ".join(str(d) for d in getattr(info.value, "diagnostics", ()))
    assert message.split(": ", 1)[-1] in text or message in text, text


def test_fairness_that_can_be():
    for target in ("Server", "Server.recover", "Server.work per k", "Server.Note per message",
                   "Server per instance"):
        load_text(BAD.replace("{target}", target), "ok.sl")
