"""Counterexamples as OTLP traces: validity, mapping, determinism, round trips, pushes.

Every lab spec's counterexample is exported in each format, checked by
tests/tools/otlp_validate.py, read back, and its causal graph compared
with the Trace the checker produced (not with the exporter's own view).
"""

from __future__ import annotations

import http.server
import json
import pathlib
import subprocess
import sys
import threading
import time

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from stateline import check_blocks, load_spec, run_check
from stateline.cli import main
from stateline.otlp import formats, ids, mapping
from stateline.otlp.causal import HappensBefore, build
from stateline.otlp.importer import read
from stateline.render import json_out

ROOT = pathlib.Path(__file__).resolve().parent.parent
LABS = sorted((ROOT / "specs" / "labs").glob("*.sl"))
# The OTLP schema validator (checks OTLP JSON against the real protobuf schema), kept in
# the repository so CI runs it wherever the clone lives.
VALIDATOR = ROOT / "tests" / "tools" / "otlp_validate.py"
PAXOS_LAB = ROOT / "specs" / "labs" / "paxos_no_quorum.sl"


def check(path) -> list:
    loaded = load_spec(str(path))
    return [run_check(loaded, c, {}) for c in check_blocks(loaded)]


def validate(*files) -> str:
    done = subprocess.run([sys.executable, str(VALIDATOR), "--werror", *map(str, files)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def spans_by_step(request: dict) -> tuple[dict, dict, dict]:
    """step number -> span, span id -> service, and the root span."""
    steps, service_of, root = {}, {}, None
    for rs in request["resourceSpans"]:
        svc = next(a["value"]["stringValue"] for a in rs["resource"]["attributes"]
                   if a["key"] == "service.name")
        for span in rs["scopeSpans"][0]["spans"]:
            service_of[span["spanId"]] = svc
            attrs = {a["key"]: a["value"] for a in span["attributes"]}
            if "stateline.step" in attrs:
                steps[int(attrs["stateline.step"]["intValue"])] = span
            else:
                root = span
    return steps, service_of, root


def expected_parent(trace, i: int) -> int | None:
    """The step (1-based) that sent what step i received: the latest earlier equal message."""
    received = trace.steps[i - 1].received
    if received is None:
        return None
    senders = [s.number for s in trace.steps[:i - 1] if received in s.sent]
    return senders[-1] if senders else None


@pytest.mark.parametrize("spec", LABS, ids=lambda p: p.stem)
def test_every_lab_counterexample_exports_validates_and_follows_the_trace(spec, tmp_path):
    results = check(spec)
    document = json_out.document(results, 0)
    traces = {(r.check, v.prop): v.trace for r in results for v in r.verdicts if v.trace}
    cxs = mapping.counterexamples(document)
    assert cxs and len(cxs) == len(traces)
    for cx in cxs:
        trace = traces[(cx.result["check"], cx.label)]
        request = mapping.to_otlp(cx)
        steps, service_of, root = spans_by_step(request)
        assert sorted(steps) == [s.number for s in trace.steps]
        nodes = {s.node for s in trace.steps}
        assert len({service_of[sp["spanId"]] for sp in steps.values()}) == len(nodes)
        last_of_node: dict[str, int] = {}
        for step in trace.steps:
            span = steps[step.number]
            sender = expected_parent(trace, step.number)
            want = steps[sender]["spanId"] if sender else root["spanId"]
            assert span["parentSpanId"] == want, f"step {step.number}"
            prev = last_of_node.get(step.node)
            links = [ln["spanId"] for ln in span.get("links", [])]
            assert links == ([steps[prev]["spanId"]] if prev else [])
            last_of_node[step.node] = step.number
            same_node = [steps[n] for n in steps if trace.steps[n - 1].node == step.node]
            assert {service_of[s["spanId"]] for s in same_node} == {service_of[span["spanId"]]}
        errors = [s for s in [root, *steps.values()] if s.get("status", {}).get("code") == 2]
        assert errors == [steps[len(trace.steps)] if trace.steps else root]
        assert cx.label in errors[0]["status"]["message"]
        files = []
        for fmt, ext in formats.FORMATS.items():
            path = tmp_path / f"{cx.name}{ext}"
            path.write_bytes(formats.dumps(request, fmt))
            files.append(path)
        validate(*[f for f in files if not f.name.endswith(".pb")])
        want_edges = {(p["parentSpanId"], p["spanId"], "parent") for p in [*steps.values()]} | {
            (ln["spanId"], p["spanId"], "follows_from")
            for p in steps.values() for ln in p.get("links", [])}
        for path in files:
            cg = build(read(str(path)).spans)
            assert {(a[1], b[1], rel) for a, b, rel in cg.edges()} == want_edges, path.name
            hb = HappensBefore(cg)
            keys = [k for k in cg.spans if k[1] != root["spanId"]]
            for a in keys:                  # vector clocks order the steps as the graph does
                for b in keys:
                    by_clock = hb.relation(a, b)[0]
                    hb.clocks, saved = {}, hb.clocks
                    assert hb.relation(a, b)[0] == by_clock, (a, b)
                    hb.clocks = saved


def test_check_otlp_writes_a_valid_trace_with_one_service_per_node(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--otlp", str(out)]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["paxos_no_quorum.small.Agreement.otlp.json"]
    report = validate(files[0])
    assert "9 span(s), 5 service(s), 0 error(s), 0 warning(s)" in report
    doc = json.loads(files[0].read_text())
    services = [next(a["value"]["stringValue"] for a in rs["resource"]["attributes"]
                     if a["key"] == "service.name") for rs in doc["resourceSpans"]]
    assert services == ["stateline", "acceptor-a1", "acceptor-a2", "leader-0", "leader-1"]
    for rs in doc["resourceSpans"][1:]:
        attrs = {a["key"]: a["value"].get("stringValue") for a in rs["resource"]["attributes"]}
        assert attrs["service.namespace"] == "PaxosNoQuorum"
        assert attrs["stateline.check"] == "small"
        assert attrs["stateline.constant.Acceptors"] == "{a1, a2, a3}"
        nodes = {a["value"]["stringValue"] for s in rs["scopeSpans"][0]["spans"]
                 for a in s["attributes"] if a["key"] == "stateline.node"}
        assert nodes == {attrs["stateline.node"]}
    assert "trace: " in capsys.readouterr().out


def test_the_violation_event_carries_the_predicate_and_the_clocks_are_attributes(tmp_path):
    doc = json_out.document(check(PAXOS_LAB), 0)
    (cx,) = mapping.counterexamples(doc)
    from stateline.cli.otlp_writer import predicates
    request = mapping.to_otlp(cx, predicates=predicates(str(PAXOS_LAB)))
    steps, _, _ = spans_by_step(request)
    last = steps[8]
    (event,) = [e for e in last["events"] if e["name"] == "property.violated"]
    attrs = {a["key"]: list(a["value"].values())[0] for a in event["attributes"]}
    assert attrs["property.name"] == "Agreement"
    assert attrs["property.predicate"] == \
        "forall v, w in Values: chosen(v) and chosen(w) implies v == w"
    assert attrs["code.line.number"] == "57"
    span_attrs = {a["key"]: a["value"] for a in last["attributes"]}
    assert span_attrs["lamport.clock"] == {"intValue": "4"}
    vc = {kv["key"]: kv["value"]["intValue"]
          for kv in span_attrs["vector_clock"]["kvlistValue"]["values"]}
    assert vc == {"acceptor-a1": "3", "acceptor-a2": "0", "leader-0": "1", "leader-1": "2"}
    assert all(span_attrs[f"vc.{k}"] == {"intValue": v} for k, v in vc.items())
    assert span_attrs["stateline.changes"]["kvlistValue"]["values"][0] == {
        "key": "Acceptor[a1].maxVBal", "value": {"stringValue": "-1 -> 1"}}
    tp = span_attrs["traceparent"]["stringValue"]
    assert tp == f"00-{last['traceId']}-{last['spanId']}-01"
    keys = [a["key"] for a in last["attributes"]]
    assert keys == sorted(keys)


def test_same_input_same_bytes_and_the_base_time_moves_only_times(tmp_path):
    doc = json_out.document(check(PAXOS_LAB), 0)
    (cx,) = mapping.counterexamples(doc)
    once = formats.dumps(mapping.to_otlp(cx), "protobuf")
    again = formats.dumps(mapping.to_otlp(mapping.counterexamples(
        json.loads(json.dumps(doc)))[0]), "protobuf")
    assert once == again
    a, b = mapping.to_otlp(cx), mapping.to_otlp(cx, base_time_ns=10 ** 18)
    steps_a, _, root_a = spans_by_step(a)
    steps_b, _, root_b = spans_by_step(b)
    assert root_a["traceId"] == root_b["traceId"] and root_a["spanId"] == root_b["spanId"]
    assert int(root_b["startTimeUnixNano"]) == 10 ** 18
    assert int(steps_b[3]["startTimeUnixNano"]) == 10 ** 18 + 3_000_000
    assert int(steps_a[3]["endTimeUnixNano"]) - int(steps_a[3]["startTimeUnixNano"]) == 1_000_000


def test_export_of_a_saved_result_gives_the_same_bytes_as_check(tmp_path):
    saved, live, exported = tmp_path / "r.json", tmp_path / "live", tmp_path / "exported"
    for fmt in formats.FORMATS:
        assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--json", str(saved),
                     "--otlp", str(live), "--otlp-format", fmt,
                     "--otlp-base-time", "2025-06-01T12:00:00Z"]) == 0
        assert main(["export", str(saved), "-o", str(exported), "--otlp-format", fmt,
                     "--otlp-base-time", "1748779200000000000"]) == 0
    names = sorted(p.name for p in live.iterdir())
    assert len(names) == 3 and names == sorted(p.name for p in exported.iterdir())
    for name in names:
        assert (live / name).read_bytes() == (exported / name).read_bytes(), name
    (pb_name,) = [n for n in names if n.endswith(".pb")]
    pb = ExportTraceServiceRequest.FromString((live / pb_name).read_bytes())
    assert pb.resource_spans[0].scope_spans[0].spans[0].start_time_unix_nano == \
        1748779200000000000


LASSO = """\
spec Blink
var x: 0..2 = 0
fair weak action up:
    require x < 2
    x := x + 1
fair weak action down:
    require x == 2
    x := 1
property SettlesAtTwo: eventually always x == 2
check c:
    expect SettlesAtTwo violated
"""

OVERFLOW = """\
spec Overflow
var x: 0..2 = 0
action inc:
    x := x + 1
check c:
    expect DeadlockFreedom holds
"""


def test_a_lasso_marks_its_loop_start_and_its_loop_closing_step(tmp_path):
    spec = tmp_path / "blink.sl"
    spec.write_text(LASSO)
    doc = json_out.document(check(spec), 0)
    (cx,) = mapping.counterexamples(doc)
    assert cx.trace["loop_start"] == 1
    request = mapping.to_otlp(cx)
    steps, _, root = spans_by_step(request)
    assert [e["name"] for e in steps[2].get("events", [])] == ["lasso.loop_start"]
    assert steps[3]["status"]["code"] == 2
    assert "property.violated" in [e["name"] for e in steps[3]["events"]]
    path = tmp_path / "blink.otlp.json"
    path.write_bytes(formats.dumps(request, "json"))
    validate(path)


def test_a_run_time_error_trace_is_exported_with_its_diagnostic(tmp_path, capsys):
    spec = tmp_path / "overflow.sl"
    spec.write_text(OVERFLOW)
    out = tmp_path / "out"
    assert main(["check", str(spec), "--no-progress", "--otlp", str(out)]) == 2
    (path,) = out.iterdir()
    assert path.name == "overflow.c.error.otlp.json"
    validate(path)
    steps, _, _ = spans_by_step(json.loads(path.read_text()))
    last = steps[max(steps)]
    assert last["status"]["message"].startswith("error[SL601]")
    assert last["events"][-1]["name"] == "model.error"


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    ("{", "invalid JSON"),
    ('{"schema": "other"}', "$.schema"),
    ('{"schema": "stateline.check", "version": 1, "results": [{"spec": "S", "check": "c", '
     '"constants": {}, "properties": [{"name": "P", "kind": "invariant", "expected": "holds", '
     '"result": "violated", "trace": {"initial": {}, "steps": [{"number": 2}]}}]}]}',
     "$.stateline: missing"),
])
def test_export_rejects_bad_documents_clearly(tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    assert main(["export", str(path), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "error[SL701]" in err and "Traceback" not in err


class Receiver(http.server.BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that answers each POST with the next code of `codes`."""

    def do_POST(self):                                 # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        server.requests.append((self.path, self.headers["Content-Type"], body))
        code = server.codes.pop(0) if server.codes else 200
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests, server.codes = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_otlp_endpoint_posts_protobuf_and_retries_a_busy_receiver(receiver, tmp_path,
                                                                    monkeypatch, capsys):
    monkeypatch.setattr("urllib3.util.retry.time.sleep", lambda s: None)
    receiver.codes = [503]
    url = f"http://127.0.0.1:{receiver.server_address[1]}"
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--otlp-endpoint",
                 url, "--otlp", str(tmp_path), "--otlp-base-time", "2024-01-01T00:00:00Z"]) == 0
    assert len(receiver.requests) == 2                 # the 503, then the retry
    path, ctype, body = receiver.requests[-1]
    assert path == "/v1/traces" and ctype == "application/x-protobuf"
    local = json.loads((tmp_path / "paxos_no_quorum.small.Agreement.otlp.json").read_text())
    assert body == formats.dumps_protobuf(local)
    tid = local["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    assert f"sent to {url}/v1/traces (trace id {tid})" in capsys.readouterr().out


def test_pushed_traces_start_now_and_files_stay_fixed(receiver, tmp_path, capsys):
    url = f"http://127.0.0.1:{receiver.server_address[1]}"
    before = time.time_ns()
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--otlp-endpoint",
                 url, "--otlp", str(tmp_path), "--jaeger-ui", "http://localhost:16686/"]) == 0
    after = time.time_ns()
    local = json.loads((tmp_path / "paxos_no_quorum.small.Agreement.otlp.json").read_text())
    starts = [int(s["startTimeUnixNano"]) for s in
              local["resourceSpans"][0]["scopeSpans"][0]["spans"]]
    assert min(starts) == ids.DEFAULT_BASE_TIME_NS     # the file: the fixed base time
    pushed = ExportTraceServiceRequest.FromString(receiver.requests[-1][2])
    spans = [s for rs in pushed.resource_spans for ss in rs.scope_spans for s in ss.spans]
    assert before <= min(s.start_time_unix_nano for s in spans) <= after   # the push: now
    tid = spans[0].trace_id.hex()
    out = capsys.readouterr().out
    assert f"(trace id {tid})" in out
    assert f"  open: http://localhost:16686/trace/{tid}" in out


def test_an_unreachable_endpoint_is_a_clear_error(receiver, monkeypatch, capsys):
    monkeypatch.setattr("urllib3.util.retry.time.sleep", lambda s: None)
    port = receiver.server_address[1]
    receiver.shutdown()
    receiver.server_close()
    code = main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--otlp-endpoint",
                 f"http://127.0.0.1:{port}/custom/path"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"error[SL702]: cannot reach the OTLP receiver at http://127.0.0.1:{port}/custom/path " \
           "after 4 attempt(s)" in err
    assert "Traceback" not in err


def test_a_refused_trace_is_not_retried(receiver, capsys):
    receiver.codes = [400]
    code = main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--otlp-endpoint",
                 f"http://127.0.0.1:{receiver.server_address[1]}"])
    assert code == 2 and len(receiver.requests) == 1
    assert "refused the trace: HTTP 400" in capsys.readouterr().err


def test_bad_base_time_is_a_usage_error(capsys):
    assert main(["check", str(PAXOS_LAB), "--otlp-base-time", "yesterday"]) == 2
    assert "RFC 3339" in capsys.readouterr().err


def test_base_time_forms_and_property_selection(tmp_path, capsys):
    from stateline.otlp.ids import parse_base_time
    assert parse_base_time("now", now_ns=123) == 123
    assert parse_base_time("1970-01-01T00:00:01Z") == 10 ** 9
    assert parse_base_time("1000") == 1000
    saved = tmp_path / "r.json"
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--json", str(saved)]) == 0
    assert main(["export", str(saved), "-o", str(tmp_path / "a"), "--property", "Agreement",
                 "--otlp-base-time", "now"]) == 0
    (path,) = (tmp_path / "a").iterdir()
    assert int(json.loads(path.read_text())["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
               ["startTimeUnixNano"]) > 1_704_067_200 * 10 ** 9
    capsys.readouterr()
    assert main(["export", str(saved), "-o", str(tmp_path / "b"), "--property", "Nope"]) == 2
    assert "no counterexample of Nope" in capsys.readouterr().err


def test_a_shared_memory_read_links_to_the_write_and_the_crash_is_a_cause(tmp_path, capsys):
    """The backup takes over after reading `Primary.up`: its span links to the crash that
    wrote it, the crash happens before the takeover, and `trace analyze` finds the crash in
    the causal past of the violation."""
    spec = ROOT / "specs/labs/primary_backup_crash.sl"
    assert main(["check", str(spec), "--no-progress", "--quiet", "--otlp", str(tmp_path)]) == 0
    (path,) = tmp_path.glob("*.otlp.json")
    doc = json.loads(path.read_text())
    spans = {s["name"]: s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"]
             for s in ss["spans"]}
    takeover, crash = spans["takeOver"], spans["crash"]
    reads = [link for link in takeover.get("links", [])
             if {"key": "stateline.link", "value": {"stringValue": "read"}} in link["attributes"]]
    assert [link["spanId"] for link in reads] == [crash["spanId"]]
    assert {"key": "stateline.read", "value": {"stringValue": "Primary.up"}} in \
        reads[0]["attributes"]
    capsys.readouterr()
    assert main(["trace", "analyze", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (cause,) = report["root_causes"]
    assert cause["error"]["label"] == "step 5 backup: takeOver"
    assert [s["label"] for s in cause["causal_past"]] == [
        "step 1 client: write", "step 2 primary: on Write", "step 4 primary: crash"]
    # the read merges the crash's vector clock: crash -> takeOver, no longer concurrent
    pairs = [(p["a"]["label"], p["b"]["label"]) for p in report["concurrent"]["pairs"]]
    assert pairs == [("step 3 client: on Ack", "step 4 primary: crash"),
                     ("step 3 client: on Ack", "step 5 backup: takeOver")]
