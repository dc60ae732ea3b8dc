"""`stateline trace analyze`: causal graph, happens-before, anomalies, root causes, bad input."""

from __future__ import annotations

import json
import pathlib

import pytest

from stateline.cli import main
from stateline.otlp.clocks import compare

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAXOS_LAB = ROOT / "specs" / "labs" / "paxos_no_quorum.sl"
TID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture(scope="module")
def paxos_trace(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("otlp")
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--otlp", str(out)]) == 0
    return out / "paxos_no_quorum.small.Agreement.otlp.json"


def analyze(capsys, path, *extra) -> dict:
    capsys.readouterr()
    assert main(["trace", "analyze", str(path), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_step_that_breaks_agreement_is_the_root_cause_candidate(paxos_trace, capsys):
    report = analyze(capsys, paxos_trace)
    (rc,) = report["root_causes"]
    assert rc["error"]["label"] == "step 8 acceptor-a1: on Accept"
    assert rc["error"]["status_message"] == "invariant Agreement violated"
    assert [c["label"] for c in rc["candidates"]] == ["step 8 acceptor-a1: on Accept"]
    assert rc["candidates"][0]["patterns"] == ["error_status"]
    # Steps 5 and 6 (leader 0's value reaching a2) are concurrent with the error step.
    assert [p["label"].split(":")[0] for p in rc["causal_past"]] == [
        "step 1 leader-0", "step 2 acceptor-a1", "step 3 leader-1", "step 4 acceptor-a1",
        "step 7 leader-1"]


def test_concurrent_pairs_are_exactly_the_incomparable_vector_clocks(paxos_trace, capsys):
    report = analyze(capsys, paxos_trace)
    steps = {s["span_id"]: s for s in report["spans"] if s["vector_clock"]}
    assert len(steps) == 8
    want = {frozenset((a, b)) for a in steps for b in steps
            if a < b and compare(steps[a]["vector_clock"], steps[b]["vector_clock"]) ==
            "concurrent"}
    got = {frozenset((p["a"]["span_id"], p["b"]["span_id"])) for p in
           report["concurrent"]["pairs"]}
    assert got == want and report["concurrent"]["count"] == len(want) == 15
    assert all(p["by"] == "vector clock" for p in report["concurrent"]["pairs"])
    labels = {(p["a"]["label"], p["b"]["label"]) for p in report["concurrent"]["pairs"]}
    assert ("step 1 leader-0: prepare", "step 3 leader-1: prepare") in labels


def test_the_table_names_the_candidate_and_the_concurrency(paxos_trace, capsys):
    capsys.readouterr()
    assert main(["trace", "analyze", str(paxos_trace), "--max-pairs", "2"]) == 0
    out = capsys.readouterr().out
    assert "candidate: step 8 acceptor-a1: on Accept [error_status]" in out
    assert "concurrent span pairs: 15 (15 by vector clocks, 0 by the graph)" in out
    assert "step 1 leader-0: prepare  ||  step 3 leader-1: prepare" in out
    assert "... 13 more (--max-pairs)" in out


def span(sid, name, service, start_ms, end_ms, parent=None, error=False, attrs=None,
         links=()):
    s = {"traceId": TID, "spanId": sid, "name": name, "kind": 2,
         "startTimeUnixNano": str(1_700_000_000_000_000_000 + int(start_ms * 1e6)),
         "endTimeUnixNano": str(1_700_000_000_000_000_000 + int(end_ms * 1e6)),
         "attributes": [{"key": k, "value": {"intValue": str(v)}}
                        for k, v in (attrs or {}).items()]}
    if parent:
        s["parentSpanId"] = parent
    if error:
        s["status"] = {"code": 2, "message": f"{name} failed"}
    if links:
        s["links"] = [{"traceId": TID, "spanId": target} for target in links]
    return service, s


def document(*spans) -> dict:
    by_service: dict = {}
    for service, s in spans:
        by_service.setdefault(service, []).append(s)
    return {"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": svc}}]},
         "scopeSpans": [{"spans": items}]} for svc, items in by_service.items()]}


def write(tmp_path, doc, name="t.otlp.json") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_rpc_errors_lead_back_to_the_deepest_failing_call_not_to_the_root(tmp_path, capsys):
    # frontend -> checkout -> payment: payment fails, and the failure propagates up.
    doc = document(
        span("00000000000000a1", "GET /buy", "frontend", 0, 100, error=True),
        span("00000000000000b1", "checkout", "checkout", 5, 90, "00000000000000a1", True),
        span("00000000000000c0", "reserve", "inventory", 6, 20, "00000000000000b1"),
        span("00000000000000c1", "charge", "payment", 30, 80, "00000000000000b1", True),
    )
    report = analyze(capsys, write(tmp_path, doc))
    causes = {rc["error"]["span_id"]: [c["span_id"] for c in rc["candidates"]]
              for rc in report["root_causes"]}
    assert causes == {"00000000000000a1": ["00000000000000c1"],
                      "00000000000000b1": ["00000000000000c1"],
                      "00000000000000c1": ["00000000000000c1"]}
    path = report["root_causes"][0]["candidates"][0]["path"]
    assert path == ["payment: charge", "checkout: checkout", "frontend: GET /buy"]


def test_an_earlier_anomaly_in_the_causal_past_is_the_candidate(tmp_path, capsys):
    # A retry storm upstream, then a message handled later fails.
    doc = document(
        span("00000000000000a1", "send", "producer", 0, 5, attrs={"retry.count": 7}),
        span("00000000000000a2", "relay", "relay", 6, 7, "00000000000000a1"),
        span("00000000000000a3", "handle", "consumer", 8, 9, "00000000000000a2", True),
        span("00000000000000a4", "unrelated", "other", 0, 9, error=False),
    )
    report = analyze(capsys, write(tmp_path, doc))
    (rc,) = report["root_causes"]
    assert [c["span_id"] for c in rc["candidates"]] == ["00000000000000a1"]
    assert rc["candidates"][0]["patterns"] == ["retry_storm"]
    assert rc["candidates"][0]["path"] == ["producer: send", "relay: relay", "consumer: handle"]


def test_anomaly_patterns_and_thresholds(tmp_path, capsys):
    doc = document(
        span("00000000000000a1", "slow", "s", 0, 1500, attrs={"retry.count": 3}),
        span("00000000000000a2", "early child", "s", -5, 10, "00000000000000a1"),
        span("00000000000000a3", "orphan", "s", 0, 1, "00000000000000ff"),
        span("00000000000000a4", "storm", "s", 0, 1, attrs={"http.request.resend_count": 9}),
    )
    path = write(tmp_path, doc)
    found = {(a["span_id"], a["pattern"]) for a in analyze(capsys, path)["anomalies"]}
    assert found == {("00000000000000a1", "high_latency"), ("00000000000000a2", "clock_anomaly"),
                     ("00000000000000a3", "orphan"), ("00000000000000a4", "retry_storm")}
    found = {(a["span_id"], a["pattern"]) for a in analyze(
        capsys, path, "--latency-threshold", "2000", "--retry-threshold", "2")["anomalies"]}
    assert ("00000000000000a1", "high_latency") not in found
    assert ("00000000000000a1", "retry_storm") in found


def test_happens_before_from_the_graph_when_spans_carry_no_clocks(tmp_path, capsys):
    doc = document(
        span("00000000000000a1", "root", "a", 0, 10),
        span("00000000000000a2", "left", "b", 1, 2, "00000000000000a1"),
        span("00000000000000a3", "right", "c", 1, 2, "00000000000000a1"),
        span("00000000000000a4", "join", "d", 3, 4, "00000000000000a2",
             links=["00000000000000a3"]),
    )
    report = analyze(capsys, write(tmp_path, doc))
    pairs = {frozenset((p["a"]["span_id"], p["b"]["span_id"])) for p in
             report["concurrent"]["pairs"]}
    assert pairs == {frozenset(("00000000000000a2", "00000000000000a3"))}
    assert {(e["from"]["span_id"], e["to"]["span_id"], e["relation"]) for e in report["edges"]} \
        == {("00000000000000a1", "00000000000000a2", "parent"),
            ("00000000000000a1", "00000000000000a3", "parent"),
            ("00000000000000a2", "00000000000000a4", "parent"),
            ("00000000000000a3", "00000000000000a4", "follows_from")}


def bad_inputs(tmp_path):
    good = document(span("00000000000000a1", "x", "s", 0, 1))
    base64 = json.loads(json.dumps(good))
    base64["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] = \
        "S/kvNXezTaajzpKdDg5HNg=="
    cyclic = document(span("00000000000000a1", "x", "s", 0, 1, "00000000000000a2"),
                      span("00000000000000a2", "y", "s", 0, 1, "00000000000000a1"))
    text = json.dumps(good, indent=2)
    big = tmp_path / "big.otlp.json"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)                   # sparse: 200 MB, no disk used
    cases = {
        "truncated": (text[: len(text) // 2], ":", "invalid JSON"),
        "base64 ids": (base64, ": $.resourceSpans[0].scopeSpans[0].spans[0].traceId",
                       "this looks like base64; OTLP/JSON ids are hex"),
        "cyclic parents": (cyclic, "", "cyclic parents in trace"),
        "empty": ("", "", "the file is empty"),
        "binary": ("\x00\x01garbage", "", "neither OTLP/JSON"),
        "array": ("[1, 2]", "", "not an OTLP ExportTraceServiceRequest"),
        "tempo": ('{"batches": []}', "", "Tempo's API shape"),
        "zero id": (json.dumps(good).replace(TID, "0" * 32), "", "all-zero id is invalid"),
        "bad jsonl": (json.dumps(good) + "\n{oops\n", ":2:", "JSON Lines"),
    }
    out = {case: (write(tmp_path, doc, case.replace(" ", "_") + ".json"), where, message)
           for case, (doc, where, message) in cases.items()}
    out["200 MB"] = (big, "", "more than the limit of")
    out["missing"] = (tmp_path / "absent.json", "", "cannot read")
    return out


@pytest.mark.parametrize("case", ["truncated", "base64 ids", "cyclic parents", "200 MB",
                                  "empty", "binary", "array", "tempo", "zero id", "bad jsonl",
                                  "missing"])
def test_bad_input_is_a_clear_error_never_a_traceback(tmp_path, capsys, case):
    path, where, message = bad_inputs(tmp_path)[case]
    capsys.readouterr()
    assert main(["trace", "analyze", str(path)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"stateline: error[SL701]: {path}{where}"), err
    assert message in err and "Traceback" not in err and out == ""


def test_unknown_fields_are_ignored_with_a_warning(tmp_path, capsys):
    doc = document(span("00000000000000a1", "x", "s", 0, 1))
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["futureField"] = {"a": 1}
    report = analyze(capsys, write(tmp_path, doc))
    assert len(report["spans"]) == 1
    assert "unknown fields ignored" in report["warnings"][0]
    assert "futureField" in report["warnings"][0]


def test_timeline_draws_one_lane_per_service(paxos_trace, tmp_path, capsys):
    out = tmp_path / "t.svg"
    assert main(["trace", "timeline", str(paxos_trace), "-o", str(out), "--layout", "time"]) == 0
    svg = out.read_text()
    for svc in ("stateline", "leader-0", "leader-1", "acceptor-a1", "acceptor-a2"):
        assert f'font-weight="bold">{svc}</text>' in svg
    assert svg.count("<rect x=") == 9 and svg.count('fill="#f8d7da"') == 1


def _mutants(doc, rnd, count):
    """`count` copies of a JSON document with 1-3 values replaced or deleted."""
    import copy

    def paths(o, p=()):
        yield p
        items = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else ()
        for k, v in items:
            yield from paths(v, p + (k,))

    every = [p for p in paths(doc) if p]
    for _ in range(count):
        m = copy.deepcopy(doc)
        for _ in range(rnd.randint(1, 3)):
            p = rnd.choice(every)
            try:                          # an earlier mutation may have removed the path
                parent = m
                for k in p[:-1]:
                    parent = parent[k]
                if isinstance(parent, dict) and rnd.random() < 0.3:
                    del parent[p[-1]]
                else:
                    parent[p[-1]] = rnd.choice([None, 1, "x", [], {}, -5, True, "0" * 16,
                                                2 ** 70, "00f067aa0ba902b7"])
            except (KeyError, IndexError, TypeError):
                pass
        yield m


def test_mutated_traces_and_documents_never_crash(paxos_trace, tmp_path, capsys):
    import random
    rnd = random.Random(20240101)
    saved = tmp_path / "result.json"
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--json",
                 str(saved)]) == 0
    cases = [(["trace", "analyze"], m) for m in
             _mutants(json.loads(paxos_trace.read_text()), rnd, 80)]
    cases += [(["export", "-o", str(tmp_path / "out")], m) for m in
              _mutants(json.loads(saved.read_text()), rnd, 80)]
    codes = set()
    for command, doc in cases:
        path = tmp_path / "mutant.json"
        path.write_text(json.dumps(doc))
        code = main([*command, str(path)])
        err = capsys.readouterr().err
        assert code in (0, 2) and "internal error" not in err, (command, err)
        codes.add(code)
    assert codes == {0, 2}
    pb = tmp_path / "trace.otlp.pb"
    from stateline.otlp import formats
    body = bytearray(formats.dumps_protobuf(json.loads(paxos_trace.read_text())))
    for _ in range(60):
        flipped = bytearray(body)
        for _ in range(rnd.randint(1, 4)):
            flipped[rnd.randrange(len(flipped))] = rnd.randrange(256)
        pb.write_bytes(bytes(flipped))
        code = main(["trace", "analyze", str(pb)])
        err = capsys.readouterr().err
        assert code in (0, 2) and "internal error" not in err, err
