"""Teaching-grade sequence diagrams: every instance has a lane, a crash ends a lane until
its recovery, a partition is a cut between the two sides until the heal, and dropped,
duplicated and never-received messages are drawn differently; on the labs, no label
overlaps another in Chromium.  The paths are taken through an exploration session, so
each diagram is of a real trace of the compiled model."""

from __future__ import annotations

import random
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stateline.cli import main
from stateline.explore.session import Session
from stateline.models.trace import Change, Step, Trace
from stateline.render import intervals, sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import Chromium  # noqa: E402
from test_html_report import LAYOUT, label_clashes, needs_chromium, overlaps  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


def walk(tmp_path, text: str, steps: list[str], name: str = "s.sl") -> Session:
    spec = tmp_path / name
    spec.write_text(text)
    s = Session.open(str(spec))
    for title in steps:
        match = [o for o in s.enabled() if o.step.title() + (
            f" <- {o.step.received.shown}" if o.step.received else "") == title]
        assert match, (title, [o.step.title() for o in s.enabled()])
        s.take(match[0].index)
    return s


def svg_of(session: Session, kind: str = "path") -> ET.Element:
    return ET.fromstring(sequence.sequence_svg(session.trace(), kind, "", "t"))


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


CRASH = """spec Crash
const Servers = {s1, s2, s3}
network bag
message Ping(to: Servers)
process Server(self in Servers):
    crash recover max 1
    var got: 0..2 = 0
    action ping:
        require self == s1 and got == 0
        got := 1
        send Ping(s2)
    on Ping(m) if m.to == self:
        got := 2
allow deadlock
"""


def test_every_instance_has_a_lane_and_a_crash_ends_it_until_recovery(tmp_path):
    s = walk(tmp_path, CRASH, ["Server[s1].ping", "Server[s2].crash", "Server[s2].recover",
                               "Server[s2].on Ping <- Ping(to=s2)"])
    svg = svg_of(s)
    assert [g.get("data-node") for g in groups(svg, "lane")] == \
        ["Server[s1]", "Server[s2]", "Server[s3]"]          # s3 never acts
    (down,) = groups(svg, "down")
    assert (down.get("data-from"), down.get("data-to")) == ("2", "3")
    assert "".join(down.itertext()) == "Server[s2] is down from step 2 to step 3"
    # the lifeline is cut where the lane is down: two pieces on s2, one on s1 and s3
    lifelines = {g.get("data-node"): len([e for e in g if e.get("class") == "lifeline"])
                 for g in groups(svg, "lane")}
    assert lifelines == {"Server[s1]": 1, "Server[s2]": 2, "Server[s3]": 1}
    # the message waited for the recovery: an arrow from step 1 to step 4
    assert [(a.get("data-from"), a.get("data-to")) for a in groups(svg, "arrow")] == \
        [("1", "4")]


def test_a_crash_without_recovery_greys_the_lane_to_the_end(tmp_path):
    s = walk(tmp_path, CRASH, ["Server[s1].ping", "Server[s2].crash"])
    (down,) = groups(svg_of(s), "down")
    assert (down.get("data-from"), down.get("data-to")) == ("2", "")


PARTITION = """spec Part
const Replicas = {r1, r2, r3}
network bag partitions(1)
message Update(dst: Replicas)
process Replica(self in Replicas):
    var value: 0..1 = 0
    var got: 0..2 = 0
    action write:
        require self == r1 and value == 0
        value := 1
        send Update(r3)
    on Update(m) if m.dst == self and got < 2:
        got := got + 1
allow deadlock
"""


def test_a_partition_is_a_cut_between_the_sides_until_the_heal(tmp_path):
    s = walk(tmp_path, PARTITION, ["Replica[r1].write", "network.partition(side={Replica[r1], "
                                   "Replica[r2]})", "network.heal",
                                   "Replica[r3].on Update <- Update(dst=r3)"])
    svg = svg_of(s)
    assert [g.get("data-node") for g in groups(svg, "lane")] == \
        ["Replica[r1]", "Replica[r2]", "Replica[r3]"]        # no network lane
    (cut,) = groups(svg, "cut")                              # one boundary: r2 | r3
    assert (cut.get("data-from"), cut.get("data-to")) == ("2", "3")
    assert "Replica[r2] and Replica[r3] cannot reach each other" in "".join(cut.itertext())
    labels = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")
              if t.get("class") == "cut-label"]
    assert labels == ["partition: Replica[r1], Replica[r2] | Replica[r3]",
                      "heal: the network is whole again"]
    assert len(groups(svg, "box")) == 2                      # the cut steps have no box


def test_dropped_duplicated_and_never_received_messages_differ(tmp_path):
    lossy = PARTITION.replace("partitions(1)", "lossy")
    s = walk(tmp_path, lossy, ["Replica[r1].write", "network.drop <- Update(dst=r3)"])
    svg = svg_of(s)
    (arrow,) = groups(svg, "arrow")
    assert arrow.get("class") == "arrow dropped"
    assert "".join(arrow.itertext()).endswith("(lost)")
    dup = PARTITION.replace("partitions(1)", "duplicating")
    s = walk(tmp_path, dup, ["Replica[r1].write"], "d.sl")
    net = s.system.network.slot
    kept = [o for o in s.enabled() if o.state[net]]      # the receive that leaves a copy
    assert [o.step.title() for o in kept] == ["Replica[r3].on Update"]
    s.take(kept[0].index)
    (again,) = [o for o in s.enabled() if not o.state[net]]
    s.take(again.index)
    arrows = groups(svg_of(s), "arrow")
    assert [a.get("class") for a in arrows] == ["arrow", "arrow again"]
    assert "".join(arrows[1].itertext()).endswith("(again)")
    s = walk(tmp_path, PARTITION, ["Replica[r1].write"], "n.sl")
    svg = svg_of(s)
    assert groups(svg, "arrow") == [] and len(groups(svg, "stub")) == 1


LABS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs" / "labs").glob("*.sl")) + \
    ["specs/cap.sl"]


def assert_readable(browser, index: int) -> int:
    """No label of the index-th diagram overlaps another label, a box, a lane header or
    the lifeline of a lane other than its own (sender and receiver; an operation's client);
    the number of labels."""
    clashes = label_clashes(browser, index)
    assert clashes["label/label"] == clashes["label/box"] == clashes["label/lane"] == [], \
        (index, clashes)
    return clashes["labels"]


@needs_chromium
@pytest.mark.parametrize("spec", LABS)
def test_no_label_overlaps_another_on_the_labs(tmp_path, spec):
    out = tmp_path / "r.html"
    assert main(["check", str(ROOT / spec), "--no-progress", "--quiet", "--html",
                 str(out)]) == 0
    with Chromium() as browser:
        browser.open(out, width=1400, height=1000)
        n = browser.evaluate("document.querySelectorAll('svg.msc').length")
        assert n >= 1
        for k in range(n):
            assert_readable(browser, k)
        heads = browser.evaluate(LAYOUT)["lanes"]
        assert all(not overlaps(a, b) for a, b in zip(heads, heads[1:]))


FAULTS5 = """spec Faults5
const Nodes = {n1, n2, n3, n4, n5}
network bag lossy duplicating partitions(2)
message Ping(src: Nodes, dst: Nodes, k: 0..4)
message Pong(src: Nodes, dst: Nodes, k: 0..4)
process Node(self in Nodes):
    crash recover max 2
    var sent: 0..4 = 0
    var got: 0..9 = 0
    action ping(to in Nodes):
        require to != self and sent < 4
        sent := sent + 1
        send Ping(self, to, sent)
    on Ping(m) if m.dst == self and got < 9:
        got := got + 1
        send Pong(self, m.src, m.k)
    on Pong(m) if m.dst == self and got < 9:
        got := got + 1
allow deadlock
"""
FAULTS = ("crash", "recover", "partition", "heal", "drop")


def fault_walks(tmp_path, count: int, steps: int = 40) -> list:
    """`count` seeded random walks of `steps` steps of a 5-node spec, each with a crash, a
    partition, a dropped and a duplicated message (the first seeds that give them)."""
    spec = tmp_path / "faults5.sl"
    spec.write_text(FAULTS5)
    walks, seed = [], 0
    while len(walks) < count:
        rnd = random.Random(seed)
        seed += 1
        s = Session.open(str(spec))
        while s.depth < steps and s.enabled():
            options = s.enabled()
            faults = [o for o in options if o.step.action in FAULTS]
            pick = rnd.choice(faults) if faults and rnd.random() < 0.3 else rnd.choice(options)
            s.take(pick.index)
        trace = s.trace()
        actions = {step.action for step in trace.steps}
        d = sequence.diagram(trace)
        if len(trace) == steps and {"crash", "partition", "drop"} <= actions and \
                any(a.again for a in d.arrows):
            walks.append(trace)
    return walks


@needs_chromium
def test_no_label_overlaps_another_on_five_node_forty_step_walks_with_faults(tmp_path):
    walks = fault_walks(tmp_path, 3)
    page = "".join(sequence.sequence_svg(t, "path", "", f"w{k}") for k, t in enumerate(walks))
    assert page == "".join(sequence.sequence_svg(t, "path", "", f"w{k}")
                           for k, t in enumerate(walks))          # deterministic
    out = tmp_path / "walks.html"
    out.write_text(f"<!DOCTYPE html><html><body>{page}</body></html>")
    with Chromium() as browser:
        browser.open(out, width=1600, height=1200)
        for k, trace in enumerate(walks):
            svg = ET.fromstring(sequence.sequence_svg(trace, "path", "", "w"))
            assert [g.get("data-node") for g in groups(svg, "lane")] == \
                [f"Node[n{i}]" for i in range(1, 6)] + ["network"]
            assert groups(svg, "down") and groups(svg, "cut")
            assert {"arrow dropped", "arrow again"} <= {g.get("class")
                                                       for g in groups(svg, "arrow")}
            d = sequence.diagram(trace)
            assert assert_readable(browser, k) == len(d.arrows) + len(d.pending) > 20


# ---- recorded history operations -------------------------------------------------------

def history_step(number: int, node: str, appended: str) -> Step:
    return Step(number, "act", node.split("[")[0], node, (), None, (),
                (Change("H", "[]", "[...]", appended),))


def test_history_operations_are_intervals_from_invoke_to_completion():
    steps = [history_step(1, "Client[c1]", "c1 invoke write(1)"),
             history_step(2, "Client[c2]", "c2 invoke read"),
             history_step(3, "Client[c1]", "c1 ok write"),
             history_step(4, "Client[c2]", "c2 ok read(none), c1 invoke write(2)"),
             history_step(5, "Client[c1]", "c1 fail write"),
             history_step(6, "Client[c3]", "c3 invoke cas((1, 2))"),
             history_step(7, "Client[c3]", "c3 info cas"),
             history_step(8, "Client[c2]", "c2 invoke read")]
    trace = Trace((("H", "[]"),), tuple(steps), nodes=("Client[c1]", "Client[c2]", "Client[c3]"))
    note = ("H is not linearizable: op 1 (process c2: read -> none, events 1-3) cannot take "
            "effect between its invoke and its return: ...")
    ops = intervals.intervals(trace, note)
    assert [(o.index, o.process, o.status, o.start, o.end, o.stuck, o.label()) for o in ops] == [
        (0, "c1", "ok", 0, 2, False, "write(1): ok"),
        (1, "c2", "ok", 1, 3, True, "read: ok → none"),
        (2, "c1", "fail", 3, 4, False, "write(2): fail"),
        (3, "c3", "info", 5, 6, False, "cas((1, 2)): info"),
        (4, "c2", "open", 7, None, False, "read: open")]
    assert intervals.lane_of("c2", ("Replica[r1]", "Client[c2]")) == "Client[c2]"
    assert intervals.lane_of("c9", ("Client[c2]",)) is None
    svg = ET.fromstring(sequence.sequence_svg(trace, "invariant", "", "h", note=note))
    bars = groups(svg, "interval")
    assert [(g.get("class"), g.get("data-lanes"), g.get("data-from"), g.get("data-to"))
            for g in bars] == [
        ("interval ok", "Client[c1]", "1", "3"), ("interval ok stuck", "Client[c2]", "2", "4"),
        ("interval fail", "Client[c1]", "4", "5"), ("interval info", "Client[c3]", "6", "7"),
        ("interval open", "Client[c2]", "8", "")]
    label = [t for t in bars[1].iter(f"{SVG}text")][0]
    assert "".join(label.itertext()) == "✗ read: ok → none"


@needs_chromium
@pytest.mark.parametrize("spec, check", [("specs/cap.sl", "ap"),
                                         ("specs/labs/quorum_sloppy.sl", None)])
def test_history_intervals_and_the_operation_that_cannot_be_placed(tmp_path, spec, check):
    out = tmp_path / "r.html"
    main(["check", str(ROOT / spec), "--no-progress", "--quiet", "--html", str(out)]
         + (["--check", check] if check else []))
    page = out.read_text()
    sections = re.findall(r'<section class="counterexample".*?</section>', page, re.S)
    assert sections
    with Chromium() as browser:
        browser.open(out, width=1400, height=1000)
        for k, section in enumerate(sections):
            appended = re.findall(r"<div><code>H</code>: \+ (.*?)</div>", section)
            invokes = sum(len(re.findall(r"\bc\d invoke ", a)) for a in appended)
            bars = browser.evaluate(f"""[...document.querySelectorAll('svg.msc')[{k}]
                .querySelectorAll('g.interval')].map(g => ({{cls: g.getAttribute('class'),
                op: g.dataset.op, label: g.querySelector('text').textContent,
                height: g.querySelector('rect').getBoundingClientRect().height}}))""")
            assert len(bars) == invokes > 0
            assert all(b["height"] > 20 for b in bars)        # drawn over the steps between
            named = re.search(r"H is not linearizable: op (\d+) \(", section)
            stuck = [b for b in bars if "stuck" in b["cls"].split()]
            assert named and [b["op"] for b in stuck] == [named[1]]
            assert stuck[0]["label"].startswith("✗ ")
            assert_readable(browser, k)
