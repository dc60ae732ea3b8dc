"""Network options switched by a constant (issue 13, item 7): `network bag lossy(Lossy)`.

A switched option is the literal option where the constant is true and no option where
it is false: the same states, transitions and verdicts, in the explicit checker and in
the bounded Z3 engines, whether a check block or `-D` gives the constant.  Also the
precise errors of value names that clash (item 10), at the second declaration.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.cli import main
from stateline.diagnostics import SpecError
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, prove_block

BODY = """\
message Ping(n: 0..1)

process Client:
    var pings: 0..2 = 0
    action ping if pings < 2:
        send Ping(pings % 2){to}
        pings := pings + 1

process Server:
    var got: 0..2 = 0
    on Ping(m) if got < 2:
        got := got + 1

invariant NoMoreThanSent: Server.got <= Client.pings
invariant AllArrive: Client.pings < 2 or len(sent(Ping)) > 0 or Server.got == 2
allow deadlock
"""


def literal(kind: str, options: str) -> str:
    to = " to Server" if kind == "fifo" else ""
    return f"spec Literal\nnetwork {kind} {options}\n" + BODY.format(to=to) + \
        "check c:\n    expect NoMoreThanSent holds\n"


def switched(kind: str, lossy: bool, dup: bool) -> str:
    to = " to Server" if kind == "fifo" else ""
    return ("spec Switched\nconst Lossy = false\nconst Dup = false\n"
            f"network {kind} lossy(Lossy) duplicating(Dup)\n" + BODY.format(to=to) +
            f"check c(Lossy = {str(lossy).lower()}, Dup = {str(dup).lower()}):\n"
            "    expect NoMoreThanSent holds\n")


def explicit(text: str):
    loaded = load_text(text, "net.sl")
    [block] = check_blocks(loaded)
    r = run_check(loaded, block, {})
    return (r.stats.states, r.stats.transitions,
            [(v.prop, v.status.value) for v in r.verdicts])


def literal_options(lossy: bool, dup: bool) -> str:
    return " ".join(o for o, on in (("lossy", lossy), ("duplicating", dup)) if on)


@pytest.mark.parametrize("kind", ["bag", "fifo"])
@pytest.mark.parametrize("lossy", [False, True])
@pytest.mark.parametrize("dup", [False, True])
def test_a_switched_option_is_the_literal_option(kind, lossy, dup):
    assert explicit(switched(kind, lossy, dup)) == explicit(literal(kind, literal_options(lossy, dup)))


def test_pinned_state_counts():
    counts = {(lossy, dup): explicit(switched("bag", lossy, dup))[:2]
              for lossy in (False, True) for dup in (False, True)}
    assert counts == {(False, False): (7, 9), (True, False): (12, 19),
                      (False, True): (14, 23), (True, True): (16, 21)}
    verdicts = {(lossy, dup): explicit(switched("bag", lossy, dup))[2]
                for lossy in (False, True) for dup in (False, True)}
    assert verdicts[(False, False)] == [("NoMoreThanSent", "holds"), ("AllArrive", "holds")]
    assert verdicts[(True, False)] == [("NoMoreThanSent", "holds"), ("AllArrive", "violated")]
    assert verdicts[(False, True)][0] == ("NoMoreThanSent", "violated")


@settings(max_examples=4, deadline=None)
@given(st.booleans(), st.booleans())
def test_bmc_agrees_with_the_literal_option(lossy, dup):
    kind = "bag"                # the Z3 engines refuse a fifo network (SL801)

    def claims(text):
        loaded = load_text(text, "net.sl")
        [block] = check_blocks(loaded)
        r = prove_block(loaded, block, {}, ProveOptions("bmc", 6, timeout=60))
        return [(o.name, o.claim) for o in r.obligations]
    got = claims(switched(kind, lossy, dup))
    assert got == claims(literal(kind, literal_options(lossy, dup)))
    assert (("NoMoreThanSent", Claim.VIOLATED) in got) == dup


def test_the_z3_engines_refuse_a_switched_fifo_network_as_a_literal_one():
    for text in (switched("fifo", True, False), literal("fifo", "lossy")):
        loaded = load_text(text, "net.sl")
        [block] = check_blocks(loaded)
        with pytest.raises(SpecError, match="cannot encode a fifo network"):
            prove_block(loaded, block, {}, ProveOptions("bmc", 4, timeout=60))


def test_minus_d_switches_the_option(tmp_path, capsys):
    path = tmp_path / "net.sl"
    path.write_text(switched("bag", False, False).replace("c(Lossy = false, Dup = false)", "c"))
    assert main(["check", str(path), "--no-progress", "-D", "Dup=true"]) == 1
    out = capsys.readouterr().out
    assert "NoMoreThanSent  holds       violated" in out
    assert main(["check", str(path), "--no-progress", "-D", "Dup=false"]) == 0


@pytest.mark.parametrize("option, message", [
    ("lossy(1)", "lossy(C)"),
    ("lossy(Client.pings > 0)", "the switch of network option 'lossy'"),
    ("partitions", "write partitions(N)"),
])
def test_a_bad_switch_is_refused(tmp_path, capsys, option, message):
    path = tmp_path / "bad.sl"
    path.write_text(literal("bag", option))
    assert main(["check", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:2:") and message in err and "Traceback" not in err


def test_fmt_round_trips_a_switched_network():
    from stateline.lang.fmt import format_text
    messy = switched("bag", True, False).replace(
        "lossy(Lossy) duplicating(Dup)", "lossy( Lossy )   duplicating(Dup or  Lossy)")
    once = format_text(messy)
    assert "network bag lossy(Lossy) duplicating(Dup or Lossy)\n" in once
    assert format_text(once) == once
    assert explicit(once) == explicit(literal("bag", "lossy duplicating"))
