"""`stateline trace analyze` on large traces: linear memory, exact counts, bounded lists.

The concurrent pairs are counted with bit sets a block of spans at a time, and
root causes with one backward search per ERROR span; both are cross-checked
here against the naive definitions (every pair's happens-before relation; a
causal-past search per anomalous span) on generated traces, with blocks of a
few spans so that every block boundary is exercised.  A 100,000-span trace
(the shape that used 3.9 GB at 12,000 spans: one trace of spans that are all
concurrent) is analysed in a subprocess whose peak memory is measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import deque
from pathlib import Path
from unittest import mock

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from stateline.otlp import concurrency as conc_module
from stateline.otlp.analysis import LISTED, PATH_ENDS, analyze
from stateline.otlp.anomalies import SEVERITY_ORDER, detect
from stateline.otlp.causal import HappensBefore, build
from stateline.otlp.importer import read
from stateline.otlp.rootcause import END, START, EventGraph

ROOT = Path(__file__).resolve().parent.parent
TRACES = ["4bf92f3577b34da6a3ce929d0e0e4736", "0af7651916cd43dd8448eb211c80319c"]
BASE = 1_700_000_000_000_000_000
MEMORY_BUDGET_MB = 600     # peak RSS of `trace analyze --json` on 100,000 spans (measured 483)
# (this process's own VmHWM: ru_maxrss counts the pytest process it was started from)


def sid(n: int) -> str:
    return f"{n + 1:016x}"


@st.composite
def traces(draw):
    """An OTLP document: 1-2 traces, random parents, links (some dangling or
    cross-trace), vector clocks on some spans, zero and negative durations, errors."""
    n = draw(st.integers(1, 40))
    spans = []
    for i in range(n):
        trace = draw(st.sampled_from(TRACES[:draw(st.integers(1, 2))]))
        same = [j for j in range(i) if spans[j]["traceId"] == trace]
        start = draw(st.integers(0, 20))
        span = {"traceId": trace, "spanId": sid(i), "name": f"op{i}",
                "startTimeUnixNano": str(BASE + start),
                "endTimeUnixNano": str(BASE + start + draw(st.integers(-2, 10)))}
        if same and draw(st.booleans()):
            span["parentSpanId"] = spans[draw(st.sampled_from(same))]["spanId"]
        links = draw(st.lists(st.integers(0, n + 2), max_size=2))
        if links:
            span["links"] = [{"traceId": draw(st.sampled_from(TRACES)), "spanId": sid(k)}
                             for k in links]
        attrs = []
        if draw(st.integers(0, 2)) == 0:
            attrs += [{"key": f"vc.{node}", "value": {"intValue": str(draw(st.integers(0, 3)))}}
                      for node in draw(st.sets(st.sampled_from("abc"), min_size=1))]
        if draw(st.integers(0, 4)) == 0:
            attrs.append({"key": "retry.count", "value": {"intValue": "9"}})
        span["attributes"] = attrs
        if draw(st.integers(0, 2)) == 0:
            span["status"] = {"code": 2, "message": "boom"}
        spans.append(span)
    return {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "svc"}}]},
        "scopeSpans": [{"spans": spans}]}]}


def imported(tmp_path, doc):
    path = tmp_path / "t.otlp.json"
    path.write_text(json.dumps(doc))
    return read(str(path))


def naive_pairs(cg, keys):
    """Every concurrent pair, pair by pair (the definition)."""
    hb = HappensBefore(cg)
    out = []
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if a[0] == b[0]:
                rel, source = hb.relation(a, b)
                if rel == "concurrent":
                    out.append((a, b, source))
    return out


def naive_events(cg) -> nx.DiGraph:
    g = nx.DiGraph()
    for k in cg.spans:
        g.add_edge((k, START), (k, END))
    for a, b, data in cg.graph.edges(data=True):
        if (a, b) in cg.cyclic_links:
            continue
        p, c = cg.spans[a], cg.spans[b]
        after = p.end <= c.start
        g.add_edge((a, END if after else START), (b, START))
        if data["relation"] == "parent" and not after and c.end <= p.end:
            g.add_edge((b, END), (a, END))
    return g


def naive_past(g, event) -> set:
    seen, todo = {event}, deque([event])
    while todo:
        for p in g.predecessors(todo.popleft()):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def naive_root_causes(cg, g, error, anomalous):
    """The candidates by the definition: the anomalies in the error's causal past
    that no other of them precedes (a search per suspect)."""
    past = naive_past(g, (error, END))
    suspects = [k for k in anomalous if (k, END) in past]
    candidates = [k for k in suspects
                  if not any(o != k and (o, END) in naive_past(g, (k, END)) for o in suspects)]
    if not candidates:
        candidates = [min(suspects, key=lambda k: (cg.spans[k].start, k))]
    candidates.sort(key=lambda k: (anomalous[k], cg.spans[k].start, k))
    causal = sorted((k for k, e in past if e == END and k != error),
                    key=lambda k: (cg.spans[k].start, k))
    return candidates, causal


@settings(max_examples=150, deadline=None, derandomize=True)
@given(doc=traces(), max_pairs=st.integers(1, 30))
def test_concurrent_pairs_and_root_causes_match_their_definitions(doc, max_pairs, tmp_path_factory):
    data = imported(tmp_path_factory.mktemp("t"), doc)
    try:
        cg = build(data.spans)
    except Exception as exc:               # cyclic parents: reported, not analysed
        assert "cyclic parents" in str(exc)
        return
    keys = [s.key for s in sorted(cg.spans.values(),
                                  key=lambda s: (s.trace_id, s.start, s.span_id))]
    want = naive_pairs(cg, keys)
    for budget, smallest in ((conc_module.BUDGET_BITS, conc_module.MIN_BLOCK), (40, 2)):
        with mock.patch.object(conc_module, "BUDGET_BITS", budget), \
                mock.patch.object(conc_module, "MIN_BLOCK", smallest):
            got = conc_module.concurrency(cg, keys, max_pairs)
        assert got.count == len(want)
        assert got.by_vector_clock == sum(1 for *_, src in want if src == "vector clock")
        assert got.pairs == want[:max_pairs]
    rank = {}
    for a in detect(cg):
        rank[a.span] = min(rank.get(a.span, 9), SEVERITY_ORDER[a.severity])
    events, g = EventGraph(cg, rank), naive_events(cg)
    for k in keys:
        if cg.spans[k].status != 2:
            continue
        found = events.root_causes(k, 3)
        candidates, causal = naive_root_causes(cg, g, k, rank)
        assert [c for c, _ in found.candidates] == candidates[:3]
        assert found.candidate_count == len(candidates)
        assert found.causal_past == causal[:3] and found.causal_past_count == len(causal)
        for c, path in found.candidates:      # a shortest causal path from c to the error
            assert path[0] == c and path[-1] == k
            events_path = nx.shortest_path(g, (c, END), (k, END))
            assert len(path) <= len(events_path)
            for a, b in zip(path, path[1:]):
                assert cg.graph.has_edge(a, b) or cg.graph.has_edge(b, a)


def star(n: int) -> dict:
    """One trace: an ERROR root and n - 1 children, every 1000th an ERROR; children are
    pairwise concurrent (the shape of the 12,000-span file that needed 3.9 GB)."""
    root = {"traceId": TRACES[0], "spanId": sid(0), "name": "root",
            "startTimeUnixNano": str(BASE), "endTimeUnixNano": str(BASE + 10 * n),
            "status": {"code": 2, "message": "root failed"}}
    spans = [root]
    for i in range(1, n):
        span = {"traceId": TRACES[0], "spanId": sid(i), "parentSpanId": sid(0),
                "name": f"op{i % 7}", "startTimeUnixNano": str(BASE + 5 * i),
                "endTimeUnixNano": str(BASE + 5 * i + 3)}
        if i % 1000 == 0:
            span["status"] = {"code": 2, "message": "child failed"}
        spans.append(span)
    return {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "svc"}}]},
        "scopeSpans": [{"spans": spans}]}]}


def test_bounded_lists_on_a_star_of_errors(tmp_path):
    report = analyze(imported(tmp_path, star(3001)), max_pairs=5, max_errors=2)
    c = report["concurrent"]
    assert c["count"] == 3000 * 2999 // 2 and c["by_vector_clock"] == 0 and c["truncated"]
    assert [(p["a"]["span_id"], p["b"]["span_id"]) for p in c["pairs"]] == [
        (sid(1), sid(j)) for j in range(2, 7)]
    assert report["error_spans"] == 4 and len(report["root_causes"]) == 2
    root, first_child = report["root_causes"]
    assert root["error"]["span_id"] == sid(0)
    assert root["candidate_count"] == 3 and root["causal_past_count"] == 3000
    assert [x["span_id"] for x in root["candidates"]] == [sid(1000), sid(2000), sid(3000)]
    assert root["candidates"][0]["path"] == ["svc: op6", "svc: root"]
    assert len(root["causal_past"]) == LISTED
    assert first_child["candidate_count"] == 1 and first_child["causal_past_count"] == 0


def test_a_long_causal_path_keeps_its_two_ends(tmp_path):
    n = 60
    spans = [{"traceId": TRACES[0], "spanId": sid(i), "name": f"hop{i}",
              "startTimeUnixNano": str(BASE + 10 * i), "endTimeUnixNano": str(BASE + 10 * i + 5),
              **({"parentSpanId": sid(i - 1)} if i else {}),
              **({"status": {"code": 2, "message": "x"}} if i in (0, n - 1) else {})}
             for i in range(n)]
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}
    (rc,) = [r for r in analyze(imported(tmp_path, doc))["root_causes"]
             if r["error"]["span_id"] == sid(n - 1)]
    path = rc["candidates"][0]["path"]
    assert len(path) == 2 * PATH_ENDS + 1
    assert path[0] == "unknown_service: hop0" and path[-1] == f"unknown_service: hop{n - 1}"
    assert path[PATH_ENDS] == f"... {n - 2 * PATH_ENDS} more span(s)"


MEASURE = """
import contextlib, json, sys
from stateline.checker.memory import peak_rss_mib
from stateline.cli import main
with open(sys.argv[2], "w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
    code = main(["trace", "analyze", sys.argv[1], "--json"])
peak = round(peak_rss_mib())
print(json.dumps({"code": code, "peak_mb": peak}))
"""


def test_100000_spans_are_analysed_in_linear_memory(tmp_path):
    n = 100_000
    path, out = tmp_path / "star.otlp.json", tmp_path / "report.json"
    path.write_text(json.dumps(star(n)))
    run = subprocess.run([sys.executable, "-c", MEASURE, str(path), str(out)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["code"] == 0, run.stderr
    report = json.loads(out.read_text())
    assert len(report["spans"]) == n
    assert report["concurrent"]["count"] == (n - 1) * (n - 2) // 2
    assert len(report["concurrent"]["pairs"]) == 100 and report["concurrent"]["truncated"]
    assert report["error_spans"] == 100 and len(report["root_causes"]) == 100
    root = report["root_causes"][0]
    assert root["causal_past_count"] == n - 1 and root["candidate_count"] == 99
    assert got["peak_mb"] < MEMORY_BUDGET_MB, got


def test_anomalies_that_precede_each_other_in_an_event_cycle(tmp_path):
    # a ends before b starts (b links a), b returns into q, c starts after q ends, and a
    # is c's child that started first: a.end -> b -> q.end -> c.start -> a.start -> a.end.
    def span(n, start, end, parent=None, error=False, link=None):
        s = {"traceId": TRACES[0], "spanId": sid(n), "name": f"s{n}",
             "startTimeUnixNano": str(BASE + start), "endTimeUnixNano": str(BASE + end)}
        if parent is not None:
            s["parentSpanId"] = sid(parent)
        if error:
            s["status"] = {"code": 2, "message": "x"}
        if link is not None:
            s["links"] = [{"traceId": TRACES[0], "spanId": sid(link)}]
        return s
    q, b, c, a = 0, 1, 2, 3
    spans = [span(q, 0, 10), span(b, 5, 8, q, True, link=a), span(c, 10, 20, q),
             span(a, 3, 4, c, True)]
    cg = build(imported(tmp_path, {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
               .spans)
    rank = {}
    for x in detect(cg):
        rank[x.span] = min(rank.get(x.span, 9), SEVERITY_ORDER[x.severity])
    events = EventGraph(cg, rank)
    key = lambda n: (TRACES[0], sid(n))        # noqa: E731
    assert events.first == set()               # a and b precede each other
    found = events.root_causes(key(b), 10)
    assert [k for k, _ in found.candidates] == [key(a)]     # the earlier of the two
    assert found.candidate_count == 1 and found.causal_past == [key(q), key(a)]
    assert naive_root_causes(cg, naive_events(cg), key(b), rank) == ([key(a)], [key(q), key(a)])


@settings(max_examples=100, deadline=None, derandomize=True)
@given(spans=st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 30), st.integers(-3, 30)),
                      min_size=1, max_size=40))
def test_timeline_lanes_stack_spans_first_fit(spans):
    from stateline.otlp.importer import Span
    from stateline.otlp.timeline import _levels
    order = sorted((Span(TRACES[0], sid(i), None, "x", svc, 1, start, start + length, 0, "",
                         {}) for i, (svc, start, length) in enumerate(spans)),
                   key=lambda s: (s.start, s.trace_id, s.span_id))
    want, ends = {}, {}
    for s in order:                       # the definition: the lowest depth free by now
        lane = ends.setdefault(s.service, [])
        depth = next((i for i, e in enumerate(lane) if e <= s.start), len(lane))
        lane[depth:depth + 1] = [s.end]
        want[s.key] = depth
    assert _levels(order) == want
