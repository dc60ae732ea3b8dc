"""`enabled(A)` (issue 13 item 9): TLA+'s ENABLED A in invariants, transition invariants
and temporal properties, in the explicit checker and the Z3 engines.

Known verdicts and state counts are pinned on small specs; a hypothesis cross-check
draws the engine-agreement specs (tests/spec_shapes.py) with invariants and temporal
properties over `enabled(...)` added, and compares the checker with the reference
interpreter (tests/reference.py evaluates enabled(A) by enumerating A's successors)
and every Z3 engine with the checker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import reference as R  # noqa: E402
import test_crosscheck as C  # noqa: E402
import engine_agreement as E  # noqa: E402
from known_unsound import known  # noqa: E402
from spec_shapes import ShapeGen  # noqa: E402
from stateline.diagnostics import SpecError  # noqa: E402
from stateline import check_blocks, load_text, run_check  # noqa: E402
from stateline.checker.run import CheckOptions  # noqa: E402

# ENABLED_EXAMPLES=N: specs per cross-check (default 40 and 25; more to hunt)
EXAMPLES = int(os.environ.get("ENABLED_EXAMPLES", "40"))

LOCK = """spec Lock
const Clients = {c1, c2}
var free = true

process Client(self in Clients):
    var has = false

    action acquire:
        require free
        free := false
        has := true

    action release:
        require has
        has := false
        free := true

def CanMove = enabled(Client.acquire) or enabled(Client.release)

invariant NoDeadEnd: CanMove
invariant OnlyHolderReleases: forall c in Clients: enabled(Client[c].release) == Client[c].has
invariant NeverBoth: not (enabled(Client[c1].acquire) and enabled(Client[c2].release))
transition FreeingEnables: free' and not free implies enabled(Client.acquire)'
property AcquireRecurs: always eventually enabled(Client[c1].acquire)
property Served: forall c in Clients: enabled(Client[c].acquire) leads_to Client[c].has

check weak:
    fair weak Client
    expect Served violated

check strong:
    fair strong Client.acquire
    fair weak Client.release
    expect Served holds
"""


def _run(text: str, **options):
    loaded = load_text(text, "t.sl")
    return [run_check(loaded, c, {}, CheckOptions(**options)) for c in check_blocks(loaded)]


def _verdicts(result):
    return {v.prop: (v.status.value, len(v.trace.steps) if v.trace else None)
            for v in result.verdicts}


def test_lock_verdicts_and_counts():
    weak, strong = _run(LOCK)
    assert (weak.stats.states, weak.stats.transitions, weak.stats.depth) == (3, 5, 2)
    assert _verdicts(weak) == {
        "NoDeadEnd": ("holds", None), "OnlyHolderReleases": ("holds", None),
        "NeverBoth": ("holds", None), "FreeingEnables": ("holds", None),
        "DeadlockFreedom": ("holds", None), "AcquireRecurs": ("holds", None),
        "Served": ("violated", 2)}
    assert _verdicts(strong)["Served"] == ("holds", None)


COUNTER = """spec Counter
var x: 0..3 = 0
var y: 0..2 = 0

action inc:
    require x < 3
    x := x + 1

action pick(v in 0..2):
    require v > y
    either:
        require v == 2
        y := v
    or:
        require x == 3
        y := v

constraint Small: x <= 2
invariant IncUntilThree: enabled(inc) == (x < 3)
invariant PickWhenRoom: enabled(pick) == (y < 2 and (x == 3 or y < 2))
invariant Stuck: enabled(inc) or enabled(pick)
transition Prime: enabled(inc)' == (x' < 3)

check c:
    expect IncUntilThree holds
    expect PickWhenRoom holds
    expect Stuck violated
    expect Prime holds
    allow deadlock
"""


def test_constraints_do_not_count_and_branches_do():
    """Beyond the constraint (x == 3) inc is not enabled, and the states there are
    generated but not explored; `pick` is enabled through its first `either` branch
    while y < 2."""
    [r] = _run(COUNTER)
    assert (r.stats.states, r.stats.transitions) == (6, 10)
    # Stuck fails one step beyond the constraint (x == 3, y == 2: neither inc nor
    # pick has a successor), in a state that is checked but not explored
    assert _verdicts(r) == {"IncUntilThree": ("holds", None), "PickWhenRoom": ("holds", None),
                            "Stuck": ("violated", 4), "Prime": ("holds", None)}


def test_a_violation_has_the_shortest_counterexample_in_every_engine():
    from stateline.prover.run import ProveOptions, prove_block
    text = LOCK.replace("invariant NeverBoth", "invariant Free: enabled(Client.acquire)\n"
                                               "invariant NeverBoth")
    weak, _ = _run(text)
    assert _verdicts(weak)["Free"] == ("violated", 1)
    loaded = load_text(text, "t.sl")
    check = check_blocks(loaded)[0]
    claims = {}
    for engine in ("bmc", "induction", "k-induction", "auto"):
        res = prove_block(loaded, check, {}, ProveOptions(engine=engine, bound=3))
        got = {o.name: o for o in res.obligations}
        claims[engine] = (got["Free"].claim.value, got["NoDeadEnd"].claim.value)
        if got["Free"].trace is not None:
            assert len(got["Free"].trace.steps) == 1, engine
    assert claims == {"bmc": ("violated", "holds up to the bound"),
                      "induction": ("not proved", "not proved"),
                      "k-induction": ("violated", "proved"),
                      "auto": ("violated", "proved")}


def test_spacer_is_unknown_on_a_quantified_enabled_and_any_size_refuses_it():
    from stateline.prover.run import ProveOptions, prove_block
    text = ("spec Jump\nvar x: 0..300 = 0\n\naction jump(v in 0..300):\n"
            "    require v > x and v % 7 == 3\n    x := v\n\n"
            "invariant CanJump: enabled(jump) == (x < 297)\n\ncheck c:\n"
            "    expect CanJump holds\n    allow deadlock\n")
    [r] = _run(text)
    assert (r.stats.states, _verdicts(r)["CanJump"]) == (44, ("holds", None))
    loaded = load_text(text, "t.sl")
    check = check_blocks(loaded)[0]
    got = {o.name: o for o in prove_block(loaded, check, {}, ProveOptions(
        engine="auto")).obligations}
    assert got["CanJump"].claim.value == "unknown"
    assert "enabled() of an action with symbolic choices" in got["CanJump"].detail
    got = {o.name: o for o in prove_block(loaded, check, {}, ProveOptions(
        engine="induction")).obligations}
    assert got["CanJump"].claim.value == "proved"


def test_any_size_refuses_enabled_by_name(tmp_path, capsys):
    from stateline.cli import main
    path = tmp_path / "lock.sl"
    path.write_text(LOCK, encoding="utf-8")
    code = main(["prove", str(path), "--induction", "--any-size", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{path}:18:15: error[SL801]: the Z3 engines cannot encode " \
           "enabled(Client.acquire) in an any-size proof" in err, err


def test_symmetry_warns_when_an_instance_is_singled_out():
    text = LOCK.replace("const Clients = {c1, c2}", "const Clients = {c1, c2} symmetric")
    text = text[:text.index("property AcquireRecurs")] + "check s:\n    allow deadlock\n"
    [r] = _run(text)
    assert any("singles out its value 'c1'" in w for w in r.warnings), r.warnings
    assert _verdicts(r)["NeverBoth"] == ("holds", None)


@pytest.mark.parametrize("snippet, code", [
    ("invariant I: enabled(Client.grab)", "SL201"),
    ("invariant I: enabled(Client[c3].acquire)", "SL201"),
    ("invariant I: enabled(free)", "SL201"),
    ("invariant I: enabled(Client.acquire, Client.release)", "SL302"),
    ("var v: bool = enabled(Client.acquire)", "SL106"),
])
def test_misuse_is_a_located_error(snippet, code):
    text = LOCK[:LOCK.index("def CanMove")] + snippet + "\n"
    with pytest.raises(SpecError) as exc:
        load_text(text, "t.sl")
    assert f"error[{code}]" in str(exc.value) and "t.sl:" in str(exc.value), str(exc.value)


FORMS = """spec EnabledForms
var x: 0..3 = 0
var done = false

action inc:
    require x < 3
    x := x + 1

action finish:
    require x == 3 and not done
    done := true

property StaysDisabled: always (not enabled(inc) implies always not enabled(inc))
property FinishStable: always (enabled(finish) implies always enabled(finish))
property Start: initially enabled(inc) implies eventually enabled(finish)
property Recurs: always eventually (enabled(inc) or enabled(finish))

check c:
    fair weak inc, finish
    expect StaysDisabled holds
    expect FinishStable violated
    expect Start holds
    expect Recurs violated
    allow deadlock
"""


def test_every_temporal_form_over_enabled_in_check_and_bmc():
    from stateline.prover.run import ProveOptions, prove_block
    [r] = _run(FORMS)
    assert (r.stats.states, r.stats.transitions) == (5, 5)
    assert _verdicts(r) == {"StaysDisabled": ("holds", None), "FinishStable": ("violated", 4),
                            "Start": ("holds", None), "Recurs": ("violated", 4)}
    loaded = load_text(FORMS, "t.sl")
    res = prove_block(loaded, check_blocks(loaded)[0], {}, ProveOptions(engine="bmc", bound=6))
    got = {o.name: (o.claim.value, len(o.trace.steps) if o.trace else None)
           for o in res.obligations}
    assert got == {"StaysDisabled": ("holds up to the bound", None),
                   "FinishStable": ("violated", 4), "Start": ("holds up to the bound", None),
                   "Recurs": ("violated", 4)}


BAD_INSTANCE = """spec EnabledBadInstance
process P(self in 0..2):
    var c: 0..1 = 0
    action a:
        require c == 0
        c := 1

invariant I: exists k in 0..3: enabled(P[k].a) or k == 3
invariant J: enabled(P[5].a) or P[0].c == 0

check c:
    expect I holds
    allow deadlock
"""


def test_an_instance_that_is_not_one_is_the_same_run_time_error_in_both_engines():
    from stateline.prover.run import ProveOptions, prove_block
    [r] = _run(BAD_INSTANCE)
    assert r.stop.value == "model-error"
    d = r.failure.diagnostic
    assert (d.code, d.span.line, d.span.col, d.message) == \
        ("SL602", 9, 24, "instance of P: 5 is not an instance")
    assert len(r.failure.trace.steps) == 0
    loaded = load_text(BAD_INSTANCE, "t.sl")
    res = prove_block(loaded, check_blocks(loaded)[0], {}, ProveOptions(engine="bmc", bound=3))
    d = res.failure.diagnostic
    assert (d.code, d.span.line, d.span.col, d.message) == \
        ("SL602", 9, 24, "instance of P: 5 is not an instance")


ERROR_BEYOND = """spec EnabledErrorBeyond
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1
    assert x <= 2, "small"

constraint C: x <= 1
invariant I: enabled(inc) or x == 3

check c:
    expect I holds
    allow deadlock
"""


def test_a_step_error_while_enabled_is_evaluated_beyond_the_constraint():
    """x == 2 is generated and checked but not explored: evaluating enabled(inc) there
    takes the step to x == 3 and fails its assert, in check and in the Z3 engines (which
    must not prove I)."""
    from stateline.prover.run import ProveOptions, prove_block
    [r] = _run(ERROR_BEYOND)
    d = r.failure.diagnostic
    assert (d.code, d.span.line, d.message, len(r.failure.trace.steps)) == \
        ("SL603", 7, "assertion failed: small", 1)
    loaded = load_text(ERROR_BEYOND, "t.sl")
    check = check_blocks(loaded)[0]
    claims = {}
    for engine in ("bmc", "induction", "k-induction", "auto"):
        res = prove_block(loaded, check, {}, ProveOptions(engine=engine, bound=4))
        claims[engine] = {o.name: o.claim.value for o in res.obligations}["I"]
        if res.failure is not None:
            assert (res.failure.diagnostic.code, res.failure.diagnostic.span.line) == \
                ("SL603", 7), engine
    assert claims == {"bmc": "unknown", "induction": "not proved",
                      "k-induction": "unknown", "auto": "unknown"}


WIDE = """spec EnabledWide
const N = 6
var x: 0..6 = 0
var y: 0..6 = 0

action incx:
    require x < N
    x := x + 1

action incy(d in 1..2):
    require y + d <= N
    y := y + d

invariant CanY: enabled(incy) == (y < N)
invariant Some: enabled(incx) or enabled(incy) or (x == N and y == N)
invariant NotBoth: not (enabled(incx) and x == N)

check c:
    allow deadlock
"""


@pytest.mark.parametrize("options", [{}, {"workers": 2}, {"fingerprints": True}])
def test_workers_and_fingerprints_decide_enabled_alike(options):
    [r] = _run(WIDE, **options)
    assert (r.stats.states, r.stats.transitions) == (49, 120)   # 1 + 42 + 42 + 35
    assert _verdicts(r) == {"CanY": ("holds", None), "Some": ("holds", None),
                            "NotBoth": ("holds", None)}


MSGS = """spec EnabledMsgs
const Nodes = {n1, n2}
network set
message Ping(to: Nodes)
var sent_any = false

action kick(n in Nodes):
    require not sent_any
    send Ping(n)
    sent_any := true

process Node(self in Nodes):
    var got: bool = false
    on Ping(m) if m.to == self:
        require not got
        either:
            require false
            got := true
        or:
            got := true

invariant H: forall n in Nodes: enabled(Node[n].Ping) == (Ping(n) in sent(Ping) and not Node[n].got)
invariant W: enabled(Node) == (exists n in Nodes: Ping(n) in sent(Ping) and not Node[n].got)
property Q: enabled(kick) leads_to not enabled(kick)
property R: forall n in Nodes: enabled(Node[n].Ping) leads_to Node[n].got

check c:
    expect H holds
    expect W holds
    expect Q violated
    expect R violated
    allow deadlock
check f:
    fair weak Node
    expect Q violated
    expect R holds
    allow deadlock
"""


def test_handlers_and_whole_processes():
    """enabled(Node[n].Ping): a Ping to n is in the network and n has not got one (the
    first `either` branch never completes, the second does); enabled(Node): some node
    can receive; under `fair weak Node` every node that can receive does."""
    from stateline.prover.run import ProveOptions, prove_block
    c, f = _run(MSGS)
    assert (c.stats.states, c.stats.transitions) == (f.stats.states, f.stats.transitions)
    assert _verdicts(c) == {"H": ("holds", None), "W": ("holds", None),
                            "Q": ("violated", None), "R": ("violated", 1)}
    assert _verdicts(f) == {"H": ("holds", None), "W": ("holds", None),
                            "Q": ("violated", None), "R": ("holds", None)}
    loaded = load_text(MSGS, "t.sl")
    for check in check_blocks(loaded):
        res = prove_block(loaded, check, {}, ProveOptions(engine="bmc", bound=4))
        assert {o.name: o.claim.value for o in res.obligations} == {
            "H": "holds up to the bound", "W": "holds up to the bound", "Q": "violated",
            "R": "violated" if check.name == "c" else "holds up to the bound"}, check.name
    got = {o.name: o.claim.value for o in prove_block(
        loaded, check_blocks(loaded)[0], {}, ProveOptions(engine="induction")).obligations}
    assert (got["H"], got["W"]) == ("proved", "proved")


def test_fmt_keeps_enabled_and_is_idempotent():
    from stateline.lang.fmt import format_text
    once = format_text(LOCK, "t.sl")
    assert once == LOCK
    assert "transition FreeingEnables: free' and not free implies enabled(Client.acquire)'" \
        in once
    primed = LOCK.replace("enabled(Client.acquire)'", "(enabled(Client.acquire))'")
    assert format_text(primed, "t.sl") == LOCK


def test_the_language_server_knows_the_action_named_in_enabled(tmp_path):
    from lsp_client import LspClient
    path = tmp_path / "lock.sl"
    path.write_text(LOCK, encoding="utf-8")
    uri = path.as_uri()
    lines = LOCK.splitlines()
    line = next(i for i, x in enumerate(lines) if "invariant OnlyHolderReleases" in x)
    col = lines[line].index("release")
    with LspClient() as client:
        assert client.open(uri, LOCK)["diagnostics"] == []
        hover = client.at("textDocument/hover", uri, line, col + 2)
        assert hover["contents"]["value"].startswith("**action** `Client.release` — "
                                                     "declared at line 13")
        target = client.at("textDocument/definition", uri, line, col + 2)
        assert target["range"]["start"] == {"line": 12, "character": 11}
        labels = [i["label"] for i in client.at("textDocument/completion", uri, line,
                                                col)["items"]]
        assert "enabled" in labels


# ---- the cross-check: reference interpreter and engine agreement ------------------------


class EnabledGen(ShapeGen):
    """The engine-agreement specs, with invariants and temporal properties over
    enabled(A) of their actions (not of handlers: the reference does not interpret
    networks)."""

    def spec(self):
        spec = super().spec()
        targets = [a for a in spec.actions if not a.on]
        if not targets:
            return spec
        for k in range(1 + self.pick(2)):
            e = self.enabled(spec, self.choose(targets))
            shape = self.pick(3)
            if shape == 1:
                e = ("or", e, self.bool_expr({}, 1))
            elif shape == 2:
                e = ("not", e)
            spec.invariants.append((f"En{k}", e))
        if self.coin(1, 3):
            e = self.enabled(spec, self.choose(targets))
            form = self.choose(("always eventually", "eventually always", "leads_to"))
            spec.temporal.append(("LEn", form, e,
                                  self.bool_expr({}, 1) if form == "leads_to" else None))
        spec.proof = None
        R.to_text(spec)
        return spec

    def enabled(self, spec, a):
        if a.proc is None:
            return ("enabled", a.name, None)
        name = f"{a.proc}.{a.name}"
        p = spec.proc
        k = self.pick(3)
        if k == 0:
            return ("enabled", name, None)
        if k == 1:
            return ("enabled", name, ("lit", p.lo + self.pick(p.hi - p.lo + 1)))
        return ("quant", self.choose(("forall", "exists")), "q", p.lo, p.hi,
                ("enabled", name, ("local", "q")))


@st.composite
def enabled_specs(draw):
    return EnabledGen(draw, False).spec()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(enabled_specs())
def test_check_agrees_with_the_reference_on_enabled(spec):
    if not R.interpreted(spec):
        return
    C.crosscheck(spec)


@settings(max_examples=max(1, EXAMPLES * 5 // 8), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(enabled_specs())
def test_every_engine_agrees_with_check_on_enabled(spec):
    run = E.findings(spec)
    unexplained = [f for f in run.findings if known(f, run) is None]
    assert not unexplained, "the engines disagree with check:\n" + run.report()
