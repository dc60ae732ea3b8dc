"""Teaching-grade sequence diagrams: every instance has a lane, a crash ends a lane until
its recovery, a partition is a cut between the two sides until the heal, and dropped,
duplicated and never-received messages are drawn differently; on the labs, no label
overlaps another in Chromium.  The paths are taken through an exploration session, so
each diagram is of a real trace of the compiled model."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stateline.cli import main
from stateline.explore.session import Session
from stateline.render import sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import Chromium  # noqa: E402
from test_html_report import LAYOUT, needs_chromium, overlaps  # noqa: E402

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


LABS = [("specs/labs/primary_backup_crash.sl", 1), ("specs/cap.sl", 2),
        ("specs/labs/quorum_sloppy.sl", 2), ("specs/labs/paxos_no_quorum.sl", 1)]


@needs_chromium
@pytest.mark.parametrize("spec, diagrams", LABS)
def test_no_label_overlaps_another_on_the_labs(tmp_path, spec, diagrams):
    out = tmp_path / "r.html"
    assert main(["check", str(ROOT / spec), "--no-progress", "--quiet", "--html",
                 str(out)]) == 0
    with Chromium() as browser:
        browser.open(out, width=1400, height=1000)
        n = browser.evaluate("document.querySelectorAll('svg.msc').length")
        assert n == diagrams
        for k in range(n):
            layout = browser.evaluate(LAYOUT.replace("document.querySelector('svg.msc')",
                                                     f"document.querySelectorAll('svg.msc')[{k}]"))
            texts = layout["texts"]
            clashes = [(a["text"], b["text"]) for i, a in enumerate(texts)
                       for b in texts[i + 1:] if overlaps(a["box"], b["box"])]
            assert not clashes, (k, clashes[:5])
            heads = layout["lanes"]
            assert all(not overlaps(a, b) for a, b in zip(heads, heads[1:]))
