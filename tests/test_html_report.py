"""The HTML report: self-contained, a message-sequence diagram per counterexample.

Most tests read the page as text and its SVG as XML.  The browser tests open
the report in headless Chromium (Debian's `chromium`, which `.ci/run`
installs), ask the DOM the browser built how many lanes and arrows there are
and where they were laid out, and check the screenshot's pixels where the
lanes and arrows should be.  They are skipped only when Chromium is absent, and
never in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stateline import cli
from stateline.models.trace import Change, Message, Step, Trace
from stateline.models.verdict import CheckResult, Stats, Status, StopReason, Verdict
from stateline.render import html, sequence

sys.path.insert(0, str(Path(__file__).parent))
from browser import Chromium, find_chromium, png_pixels  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "specs" / "labs" / "paxos_no_quorum.sl"
EDGE = ROOT / "tests" / "report_specs"
SVG_NS = "{http://www.w3.org/2000/svg}"

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)")


def report(tmp_path, *specs, name="report.html") -> tuple[int, Path]:
    out = tmp_path / name
    code = cli.main(["check", *map(str, specs), "--no-progress", "--quiet", "--html", str(out)])
    return code, out


def svgs(page: str) -> list[ET.Element]:
    """Every diagram of the page, parsed as XML (so each must be well-formed)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", page, re.S)]


def by_class(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in svg.iter() if cls in (e.get("class") or "").split()]


def raft_trace(n_servers: int = 5, n_steps: int = 40, loop_start: int | None = 30) -> Trace:
    """A Raft-shaped trace: servers time out and send RequestVote or AppendEntries to
    two peers over fifo channels; receivers answer; some messages are never received."""
    servers = [f"Server[s{i}]" for i in range(1, n_servers + 1)]
    steps: list[Step] = []
    inflight: list[Message] = []
    term = {s: 0 for s in servers}
    k = 0

    def msg(typ, fields, to):
        shown = f"{typ}(" + ", ".join(f"{a}={b}" for a, b in fields) + ")"
        return Message(shown, typ, tuple(fields), to, raw=(typ, tuple(fields), to))

    while len(steps) < n_steps:
        i = len(steps)
        if inflight and i % 3 != 0:
            m = inflight.pop(0)
            node, sender, t = m.to, m.fields[1][1], m.fields[0][1]
            reply = "Vote" if m.type == "RequestVote" else "AppendReply"
            sent = (msg(reply, [("term", t), ("from", node), ("ok", "true")], sender),)
            inflight.extend(sent)
            steps.append(Step(i + 1, f"on {m.type}", "Server", node, (),
                              Message(m.shown, m.type, m.fields, None, raw=m.raw), sent,
                              (Change(f"{node}.term", str(term[node]), t),)))
        else:
            node = servers[k % n_servers]
            k += 1
            term[node] += 1
            kind = "RequestVote" if k % 2 else "AppendEntries"
            fields = [("term", str(term[node])), ("src", node), ("lastLog", str(i))]
            sent = tuple(msg(kind, fields, peer) for peer in servers if peer != node)[:2]
            inflight.extend(sent)
            steps.append(Step(i + 1, "timeout" if k % 2 else "heartbeat", "Server", node, (),
                              None, sent,
                              (Change(f"{node}.term", str(term[node] - 1), str(term[node])),)))
    return Trace(tuple((f"{s}.term", "0") for s in servers), tuple(steps), (), loop_start)


def raft_result(trace: Trace, kind: str = "temporal") -> CheckResult:
    v = Verdict("LeaderElected", kind, "holds", Status.VIOLATED, trace)
    return CheckResult("Raft", "specs/raft.sl", "five", (("N", "5"),), (v,),
                       Stats(1000, 2000, 41, 1.5, 50.0), StopReason.COMPLETE)


# ---- the page as text -------------------------------------------------------------------

def test_page_is_self_contained(tmp_path):
    code, out = report(tmp_path, *sorted(EDGE.glob("*.sl")), LAB)
    assert code == 2
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    for banned in ("<script", "<link", "<img", "<iframe", "@import", " src=", "javascript:"):
        assert banned not in page.lower(), banned
    assert set(re.findall(r"https?://[^\s\"')]+", page)) == {"http://www.w3.org/2000/svg"}
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {f"#cx{k}-{m}" for k in range(1, 9)
                                                        for m in ("head", "open")}


def test_verdicts_and_one_section_per_counterexample(tmp_path):
    _, out = report(tmp_path, *sorted(EDGE.glob("*.sl")), LAB)
    page = out.read_text()
    rows = re.findall(r'<tr class="(ok|fail|unknown)">', page)
    assert rows.count("fail") == 5 and rows.count("unknown") == 2
    heads = re.findall(r"<h2>(.*?)</h2>", page)
    assert heads == ["Verdicts", "Counter · small · Small violated",
                     "Fifo · c · InOrder violated", "Lasso · c · SettlesAtTwo violated",
                     "Overflow · c · run-time error",
                     "PaxosNoQuorum · small · Agreement violated"]
    assert 'href="#cx5"' in page                       # the verdict table links the lab's trace
    assert "Acceptor[a1].maxVal</code>: none → v2" in page     # changed variables in the table
    assert "error[SL601]" in page


def test_diagram_of_the_paxos_lab(tmp_path):
    _, out = report(tmp_path, LAB)
    (svg,) = svgs(out.read_text())
    lanes = [g.get("data-node") for g in by_class(svg, "lane")]
    # every process instance gets a lane, a3 too, which never acts
    assert lanes == ["Leader[0]", "Leader[1]", "Acceptor[a1]", "Acceptor[a2]", "Acceptor[a3]"]
    arrows = [(g.get("data-from"), g.get("data-to")) for g in by_class(svg, "arrow")]
    assert arrows == [("1", "2"), ("3", "4"), ("5", "6"), ("7", "8")]
    stubs = {g.get("data-from"): "".join(g.itertext()) for g in by_class(svg, "stub")}
    assert set(stubs) == {"2", "4", "6", "8"}          # promises and votes nobody receives
    assert "Promise(acc=a1, bal=0" in stubs["2"]
    (violation,) = by_class(svg, "violation")
    assert violation.get("id") == "cx1-row-8"
    assert len(by_class(svg, "box")) == 8


def test_lasso_and_stutter_are_marked():
    trace = raft_trace(3, 12, loop_start=8)
    (svg,) = svgs(sequence.sequence_svg(trace, "temporal", ident="t"))
    assert len(by_class(svg, "loop")) == 1 and not by_class(svg, "violation")
    stutter = Trace(trace.initial, trace.steps, (), len(trace.steps))
    (svg,) = svgs(sequence.sequence_svg(stutter, "temporal", ident="t"))
    assert not by_class(svg, "loop")
    assert "stutters forever" in "".join(by_class(svg, "closing")[0].itertext())
    page = html.document([raft_result(stutter)], 1)
    assert "from here the behaviour stutters forever" in page


def test_closing_row_fits_in_the_diagram():
    short = Trace(raft_trace(2, 2).initial, raft_trace(2, 2).steps, (), None)
    for kind, loop in (("deadlock", None), ("temporal", 2)):
        trace = Trace(short.initial, short.steps, (), loop)
        (svg,) = svgs(sequence.sequence_svg(trace, kind, ident="t"))
        text = "".join(by_class(svg, "closing")[0].itertext())
        assert float(svg.get("width")) >= sequence.LEFT + len(text) * sequence.CHAR


def test_senders_are_the_latest_equal_send():
    t = raft_trace(3, 15, loop_start=None)
    d = sequence.diagram(t)
    for a in d.arrows:
        sender = t.steps[a.sender]
        assert any(m.raw == a.message.raw for m in sender.sent)
        later = [s for s in t.steps[a.sender + 1:a.receiver] if any(m.raw == a.message.raw
                                                                     for m in s.sent)]
        assert not later
    assert len(d.lanes) == 3


def test_page_is_deterministic_except_seconds(tmp_path):
    a = report(tmp_path, LAB, *sorted(EDGE.glob("*.sl")), name="a.html")[1].read_text()
    b = report(tmp_path, LAB, *sorted(EDGE.glob("*.sl")), name="b.html")[1].read_text()
    seconds = re.compile(r'<td class="num">\d+\.\d\d</td></tr>')
    assert seconds.sub("", a) == seconds.sub("", b)


# ---- the page in a browser --------------------------------------------------------------

LAYOUT = """(() => {
  const svg = document.querySelector('svg.msc');
  const box = e => { const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  return {
    svg: box(svg),
    lanes: [...svg.querySelectorAll('g.lane')].map(g =>
        box(g.querySelector('.lane-head rect'))),
    arrows: [...svg.querySelectorAll('g.arrow path')].map(p => {
        const n = p.getTotalLength(), m = p.getPointAtLength(n / 2);
        const s = svg.getBoundingClientRect();
        return {length: n, mid: [m.x + s.left, m.y + s.top]}; }),
    texts: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
        .map(t => ({text: t.textContent, box: box(t)})),
    boxes: [...svg.querySelectorAll('g.box')].map(g =>
        ({rect: box(g.querySelector('rect')), text: box(g.querySelector('text'))})),
  };
})()"""


# Every text of a diagram, with the lanes it belongs to (a message's sender and receiver,
# an operation's client; none for a step's box or a lane's header), and every lifeline.
LABELS = """(() => {
  const svg = document.querySelectorAll('svg.msc')[INDEX];
  const box = e => { const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  const lifelines = [];
  for (const g of svg.querySelectorAll('g.lane'))
    for (const l of g.querySelectorAll('line.lifeline, g.down rect'))
      lifelines.push({node: g.dataset.node, box: box(l)});
  return {
    lifelines,
    texts: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
        const g = t.closest('g[data-lanes]');
        return {text: t.textContent, lanes: g ? g.dataset.lanes.split('|') : null,
                box: box(t)}; }),
    boxes: [...svg.querySelectorAll('g.box rect, g.lane-head rect')].map(box),
  };
})()"""


def label_clashes(browser, index: int = 0) -> dict:
    """What the labels of the index-th diagram overlap: another label, a step's box or a
    lane's header, or the lifeline of a lane the label does not belong to."""
    layout = browser.evaluate(LABELS.replace("INDEX", str(index)))
    texts = layout["texts"]
    labels = [t for t in texts if t["lanes"]]
    assert all(len(t["text"]) > 2 for t in labels)
    return {
        "labels": len(labels),
        "label/label": [(a["text"], b["text"]) for i, a in enumerate(texts)
                        for b in texts[i + 1:] if overlaps(a["box"], b["box"])],
        "label/box": [t["text"] for t in labels for b in layout["boxes"]
                      if overlaps(t["box"], b)],
        "label/lane": [(t["text"], line["node"]) for t in labels
                       for line in layout["lifelines"] if line["node"] not in t["lanes"]
                       and overlaps(t["box"], line["box"], 0)],
    }


def overlaps(a, b, slack=0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and \
        b[1] < a[3] - slack


def near(rows, x, y, color, tolerance=60, radius=2) -> bool:
    """Is some pixel within `radius` of (x, y) close to `color`?"""
    for yy in range(int(y) - radius, int(y) + radius + 1):
        for xx in range(int(x) - radius, int(x) + radius + 1):
            if 0 <= yy < len(rows) and 0 <= xx < len(rows[0]) and \
                    sum(abs(p - q) for p, q in zip(rows[yy][xx], color)) <= tolerance:
                return True
    return False


@needs_chromium
def test_lab_report_lays_out_in_chromium(tmp_path):
    _, out = report(tmp_path, LAB)
    with Chromium() as browser:
        browser.open(out, width=1280, height=1000)
        layout = browser.evaluate(LAYOUT)
        png = browser.screenshot()
    (tmp_path / "lab.png").write_bytes(png)
    lanes, arrows = layout["lanes"], layout["arrows"]
    assert len(lanes) == 5 and len(arrows) == 4          # Acceptor[a3] never acts
    lefts = [r[0] for r in lanes]
    assert lefts == sorted(lefts) and all(not overlaps(a, b) for a, b in zip(lanes, lanes[1:]))
    assert all(a["length"] > 25 for a in arrows)
    svg = layout["svg"]
    assert svg[2] - svg[0] > 500 and svg[3] - svg[1] > 250 and svg[2] <= 1280
    assert all(svg[0] - 1 <= t["box"][0] and t["box"][2] <= svg[2] + 1 for t in layout["texts"])
    # the screenshot shows them: lane headers filled, arrows drawn in blue
    width, height, rows = png_pixels(png)
    assert (width, height) == (1280, 1000)
    for left, top, right, bottom in lanes:
        assert near(rows, (left + right) / 2 - 30, bottom - 4, (0xEE, 0xF2, 0xF8), 12)
    for a in arrows:
        assert near(rows, *a["mid"], (0x1F, 0x6F, 0xEB), 150), a
    violation = [b for b in layout["boxes"]][-1]["rect"]
    assert near(rows, violation[0] + 1, (violation[1] + violation[3]) / 2, (0xCF, 0x22, 0x2E), 90)


@needs_chromium
def test_forty_step_raft_trace_stays_readable(tmp_path):
    with Chromium() as browser:
        for servers in (3, 5):
            check_readable(browser, tmp_path, servers)


def check_readable(browser, tmp_path, servers: int) -> None:
    trace = raft_trace(servers, 40, loop_start=30)
    out = tmp_path / f"raft{servers}.html"
    out.write_text(html.document([raft_result(trace)], 1))
    expected = sequence.diagram(trace)
    browser.open(out, width=1400, height=1000)
    layout = browser.evaluate(LAYOUT)
    assert len(layout["lanes"]) == servers
    assert len(layout["arrows"]) == len(expected.arrows) > 20
    svg = layout["svg"]
    assert svg[2] - svg[0] <= 1500                     # fits a wide screen
    assert (svg[3] - svg[1]) / 40 <= 45                # about one line per step
    texts = layout["texts"]
    assert len(texts) > 100
    clashes = [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1:]
               if overlaps(a["box"], b["box"])]
    assert not clashes, clashes[:5]
    # no message label lies over another lane's lifeline, a box or a header
    clashes = label_clashes(browser)
    assert clashes["labels"] == len(expected.arrows) + len(expected.pending)
    assert clashes["label/lane"] == clashes["label/box"] == [], clashes
    for t in texts:                                    # nothing is cut off at the edges
        assert svg[0] - 1 <= t["box"][0] and t["box"][2] <= svg[2] + 1, t
    for b in layout["boxes"]:                          # action names fit in their boxes
        r, t = b["rect"], b["text"]
        assert r[0] - 0.5 <= t[0] and t[2] <= r[2] + 0.5


def test_a_recorded_history_shows_the_events_each_step_appends(tmp_path):
    code, path = report(tmp_path, ROOT / "specs" / "labs" / "seed_store.sl")
    assert code == 0
    page = path.read_text()
    assert "<code>H</code>: + n3 invoke read, n3 ok read(none)</div>" in page


def test_the_headline_separates_expected_violations_from_unexpected_results(tmp_path):
    _, out = report(tmp_path, LAB)
    (headline,) = re.findall(r'<ul class="headline">(.*?)</ul>', out.read_text())
    assert headline == (
        '<li class="demonstrated">Expected violations demonstrated (1): <a href="#cx1">'
        "Agreement (small)</a>. Each counterexample below is a behaviour the check was "
        'written to exhibit.</li><li class="unexpected">Unexpected results (0)</li>')
    _, out = report(tmp_path, *sorted(EDGE.glob("*.sl")), LAB, name="edge.html")
    page = out.read_text()
    (headline,) = re.findall(r'<ul class="headline">(.*?)</ul>', page)
    assert "Expected violations demonstrated (1)" in headline
    unexpected = re.findall(r'<li class="unexpected fail">Unexpected results \((\d+)\)', headline)
    assert unexpected == ["5"]       # the verdict table's 5 FAIL rows (4 expectations, 1 error)
    assert "unexpected results (5)" in page


def test_each_step_carries_the_whole_state_after_it():
    """The state after every step, rebuilt from the initial state and the changes, is the
    compiled model's (on every lab's counterexamples; the network as a multiset)."""
    from stateline.explore.session import Session
    for spec in sorted((ROOT / "specs" / "labs").glob("*.sl")) + [ROOT / "specs" / "cap.sl"]:
        s = Session.open(str(spec))
        for prop, *_ in s.violated():
            trace = s.jump(prop)
            for state, shown in zip(trace.states[1:], html.states(trace)):
                truth, mine = dict(s.model.describe(state)), dict(shown)
                assert truth.keys() == mine.keys()
                net = truth.pop("network", None)
                if net is not None:
                    assert sorted(html._items(net)) == sorted(html._items(mine.pop("network")))
                assert mine == truth, (spec.name, prop)


@needs_chromium
def test_clicking_a_step_shows_the_whole_state_at_that_step(tmp_path):
    _, out = report(tmp_path, LAB)
    with Chromium() as browser:
        browser.open(out, width=1280, height=1000)
        shown = "document.querySelector('#cx1-step-2 details.state table').checkVisibility()"
        assert browser.evaluate(shown) is False
        browser.evaluate("document.querySelector('#cx1-step-2 details.state summary').click()")
        assert browser.evaluate(shown) is True
        rows = browser.evaluate("""[...document.querySelectorAll('#cx1-step-2 table.state tr')]
            .map(r => [r.cells[0].innerText, r.cells[1].innerText, r.className])""")
    state = {k: (v, cls) for k, v, cls in rows}
    assert state["Acceptor[a1].maxBal"] == ("0", "changed")      # what step 2 changed
    assert state["Acceptor[a2].maxBal"] == ("-1", "")            # and what it did not
    assert state["network"][0] == "{Prepare(bal=0), Promise(acc=a1, bal=0, mbal=-1, mval=none)}"
