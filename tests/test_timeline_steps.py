"""`stateline trace timeline` draws a counterexample with the HTML report's renderer.

Every counterexample of the library (labs among them) is exported to OTLP in each
format, read back, and drawn: the picture must be the very bytes `sequence_svg`
draws from the trace the checker produced (lanes for nodes that never act,
crashes, partitions, lost messages, history bars, lassos).  A file that is not one
Stateline counterexample is drawn on a time axis, and `--layout steps` says why not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stateline.cli import main
from stateline.otlp import formats
from stateline.otlp.importer import read
from stateline.otlp.mapping import counterexamples, to_otlp
from stateline.otlp.steps import NotACounterexample, counterexample
from stateline.cli.trace import picture_of as svg
from stateline.render import json_out
from stateline.render.sequence import sequence_svg

ROOT = Path(__file__).resolve().parent.parent


def library_specs() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "specs").rglob("*.sl"))


@pytest.fixture(scope="module")
def exported(library):
    """(checker's trace, kind, OTLP request) of every counterexample in the library."""
    out = []
    for path in library_specs():
        results = list(library(path).values())
        traces = []
        for r in results:
            traces += [(v.trace, v.kind) for v in r.verdicts
                       if v.trace is not None and v.status.value == "violated"]
            if r.failure is not None and r.failure.trace is not None:
                traces.append((r.failure.trace, "error"))
        doc = json.loads(json_out.dumps(results, 0))
        cxs = counterexamples(doc)
        assert len(cxs) == len(traces), path
        out += [(trace, kind, to_otlp(cx)) for (trace, kind), cx in zip(traces, cxs)]
    return out


def test_every_library_counterexample_is_drawn_as_the_report_draws_it(exported, tmp_path):
    assert len(exported) >= 28
    kinds = {kind for _, kind, _ in exported}
    assert {"invariant", "temporal", "deadlock"} <= kinds
    never_acting = crashed = cut = 0
    for k, (trace, kind, request) in enumerate(exported):
        fmt = ("json", "jsonl", "protobuf")[k % 3]
        path = tmp_path / f"t{k}.otlp.{ {'protobuf': 'pb'}.get(fmt, fmt) }"
        path.write_bytes(formats.dumps(request, fmt))
        spans = read(str(path)).spans
        cx = counterexample(spans)
        assert cx.kind == kind
        assert cx.trace.nodes == trace.nodes and cx.trace.loop_start == trace.loop_start
        assert [(s.number, s.node, s.title(), s.received and s.received.shown,
                 [m.shown for m in s.sent]) for s in cx.trace.steps] == \
            [(s.number, s.node, s.title(), s.received and s.received.shown,
              [m.shown for m in s.sent]) for s in trace.steps]
        assert [set(s.changes) for s in cx.trace.steps] == [set(s.changes) for s in trace.steps]
        want = sequence_svg(trace, kind, cx.caption, "timeline") + "\n"
        assert svg(spans) == want, (k, cx.caption)
        acting = {s.node for s in trace.steps}
        never_acting += any(n not in acting for n in trace.nodes)
        crashed += any(s.action == "crash" for s in trace.steps)
        cut += any(s.action == "partition" for s in trace.steps)
    assert never_acting and crashed and cut          # the features are exercised


def test_history_operations_survive_the_trace_file(exported):
    histories = [(t, r) for t, _, r in exported
                 if any(c.appended for s in t.steps for c in s.changes)]
    assert histories
    for trace, request in histories:
        spans = _spans(request)
        got = counterexample(spans).trace.steps
        assert [{c for c in s.changes if c.appended} for s in got] == \
            [{c for c in s.changes if c.appended} for s in trace.steps]
        assert 'class="interval' in svg(spans)


def _spans(request: dict):
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.otlp.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(formats.dumps_json(request))
        return read(path).spans


def test_a_foreign_trace_is_drawn_on_a_time_axis_and_steps_says_why(tmp_path, capsys):
    doc = {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "api"}}]},
        "scopeSpans": [{"spans": [{"traceId": "ab" * 16, "spanId": "cd" * 8, "name": "GET /",
                                   "startTimeUnixNano": "1000", "endTimeUnixNano": "2000"}]}]}]}
    path = tmp_path / "svc.otlp.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "t.svg"
    assert main(["trace", "timeline", str(path), "-o", str(out)]) == 0
    assert 'class="msc"' not in out.read_text() and ">api</text>" in out.read_text()
    capsys.readouterr()
    assert main(["trace", "timeline", str(path), "-o", str(out), "--layout", "steps"]) == 2
    err = capsys.readouterr().err
    assert f"error[SL701]: {path}: --layout steps: no span of service 'stateline' names a " \
           "check" in err and "Traceback" not in err


def test_a_tampered_step_falls_back_to_the_time_axis(exported, tmp_path, capsys):
    _, _, request = exported[0]
    doc = json.loads(formats.dumps_json(request))
    step = next(s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]
                if any(a["key"] == "stateline.step" for a in s["attributes"]))
    for a in step["attributes"]:
        if a["key"] == "stateline.step":
            a["value"] = {"stringValue": "three"}
    path = tmp_path / "t.otlp.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(NotACounterexample, match="no stateline.step count"):
        counterexample(read(str(path)).spans)
    out = tmp_path / "t.svg"
    assert main(["trace", "timeline", str(path), "-o", str(out)]) == 0
    assert 'class="msc"' not in out.read_text()
