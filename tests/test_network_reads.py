"""Issue 13 item 7 (rest): the network read in expressions, `network.partitions`,
`network.partitioned` and `copies(m)` (lang/netreads.py).

Pinned counts and verdicts; BMC agreeing with the explicit checker; and a generated
cross-check over network kinds and options of the identity `copies` must satisfy
(the copies in flight are those sent and not yet received, fewer when lost).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.diagnostics import SpecError
from stateline.lang.fmt import format_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, prove_block

PARTITIONED = """spec Partitioned
const Replicas = {r1, r2}
const Splits = 2

network bag partitions(Splits) duplicating

message Update(dst: Replicas, v: 0..1)

def other(r) = choose q in Replicas: q != r

process Replica(self in Replicas):
    var value: 0..1 = 0

    action write:
        require self == r1 and value == 0
        value := 1
        send Update(other(self), 1)

    on Update(m) if m.dst == self:
        value := m.v

invariant Bounded: network.partitions <= Splits
invariant NoSecondSplit: network.partitions < 2
invariant SplitNow: not network.partitioned or network.partitions >= 1
invariant OneCopy: copies(Update(r2, 1)) <= 1
transition Counts: network.partitions' >= network.partitions
allow deadlock
"""


def pings(kind: str, options: str, most: int, relation: str) -> str:
    """A client sends Ping(0) or Ping(1) up to `most` times; a server counts receipts."""
    to = " to Server" if kind == "fifo" else ""
    return f"""spec Copies
network {kind} {options}
message Ping(n: 0..1)

process Client:
    var pings: 0..{most} = 0
    action ping(n in 0..1) if pings < {most}:
        pings := pings + 1
        send Ping(n){to}

process Server:
    var got: 0..{most} = 0
    on Ping(m) if got < {most}:
        got := got + 1

invariant InFlight: copies(Ping(0)) + copies(Ping(1)) {relation} Client.pings - Server.got
invariant AtMostOne: copies(Ping(0)) <= 1
allow deadlock
"""


def explicit(text: str):
    loaded = load_text(text, "net.sl")
    [block] = check_blocks(loaded)
    r = run_check(loaded, block, {})
    return (r.stats.states, r.stats.transitions,
            [(v.prop, v.status.value, len(v.trace) if v.trace else None) for v in r.verdicts])


def bmc(text: str, depth: int):
    loaded = load_text(text, "net.sl")
    [block] = check_blocks(loaded)
    r = prove_block(loaded, block, {}, ProveOptions("bmc", depth, timeout=60))
    return [(o.name, o.claim) for o in r.obligations]


def test_partitions_pinned_and_bmc_agrees():
    assert explicit(PARTITIONED) == (20, 34, [
        ("Bounded", "holds", None), ("NoSecondSplit", "violated", 3),
        ("SplitNow", "holds", None), ("OneCopy", "holds", None), ("Counts", "holds", None)])
    assert bmc(PARTITIONED, 6) == [
        ("Bounded", Claim.BOUNDED), ("NoSecondSplit", Claim.VIOLATED),
        ("SplitNow", Claim.BOUNDED), ("OneCopy", Claim.BOUNDED), ("Counts", Claim.BOUNDED)]


def test_copies_pinned_and_bmc_agrees():
    text = pings("bag", "", 3, "==")
    assert explicit(text) == (20, 41, [("InFlight", "holds", None),
                                       ("AtMostOne", "violated", 2)])
    assert bmc(text, 4) == [("InFlight", Claim.BOUNDED), ("AtMostOne", Claim.VIOLATED)]


@settings(max_examples=18, deadline=None, derandomize=True)
@given(st.sampled_from(["bag", "fifo"]), st.sampled_from(["", "lossy", "partitions(1)"]),
       st.integers(1, 3))
def test_copies_are_the_messages_sent_and_not_received(kind, options, most):
    relation = "<=" if options == "lossy" else "=="
    text = pings(kind, options, most, relation)
    states, _, verdicts = explicit(text)
    assert verdicts[0] == ("InFlight", "holds", None), text
    # two pings of Ping(0) are two copies, unless at most one is ever sent
    assert verdicts[1][1] == ("violated" if most >= 2 else "holds")


def test_copies_in_a_set_network_is_membership():
    text = pings("set", "", 2, "==").replace(
        "invariant InFlight: copies(Ping(0)) + copies(Ping(1)) == Client.pings - Server.got",
        "invariant InFlight: copies(Ping(0)) == (1 if Ping(0) in sent(Ping) else 0)")
    states, transitions, verdicts = explicit(text)
    assert verdicts == [("InFlight", "holds", None), ("AtMostOne", "holds", None)]


def test_fmt_round_trips_network_reads():
    assert format_text(PARTITIONED) == PARTITIONED
    messy = PARTITIONED.replace("copies(Update(r2, 1)) <= 1", "copies( Update(r2,1) )<=1")
    assert format_text(messy) == PARTITIONED


@pytest.mark.parametrize("text, code, message", [
    ("spec S\nnetwork bag\nmessage M\ninvariant I: network.partitions == 0\n", "SL201",
     "'network.partitions' needs a network with partitions(N)"),
    ("spec S\nnetwork bag partitions(1)\nmessage M\ninvariant I: network.splits == 0\n",
     "SL203", "the network has no attribute 'splits'"),
    ("spec S\nnetwork bag\nmessage M\ninvariant I: copies(1) == 0\n", "SL303",
     "copies() takes a message, got int"),
    ("spec S\nrecord M(x: 0..1)\ninvariant I: copies(M(0)) == 0\n", "SL303",
     "copies() takes a message, got M"),
    ("spec S\nmessage M\nvar x: 0..1 = 0\ninvariant I: copies(M) == 0\n", "SL208",
     "message 'M' is declared but the spec has no network"),
    ("spec S\nnetwork bag partitions(1)\nmessage M\nconst C = network.partitions\n", "SL303",
     "the value of constant 'C' cannot depend on the network"),
])
def test_refusals(text, code, message):
    with pytest.raises(SpecError) as exc:
        load_text(text, "s.sl")
    d = exc.value.diagnostics[0]
    assert (d.code, d.message) == (code, message)
