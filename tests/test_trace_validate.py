"""`stateline trace validate`: Stateline's own traces conform, mutated ones are explained,
bad input is a clear error, the mapping file, the instrumentation helper, value decoding.

Every lab's counterexample, exported by Stateline's OTLP writer, must conform and be
matched by exactly the checker's trace; a mutated Paxos trace is rejected with the
message that is not in flight; each kind of bad input (trace file, span, mapping
file, command line) is exit code 2 with a located `error[SLnnn]` message.
"""

from __future__ import annotations

import json
import pathlib

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from stateline import check_blocks, load_spec
from stateline.checker.run import prepare
from stateline.cli import main
from stateline.instrument import Node, annotate, message_text, value
from stateline.otlp import formats, mapping
from stateline.otlp.attributes import key_values
from stateline.render import json_out
from stateline.validation import values

ROOT = pathlib.Path(__file__).resolve().parent.parent
LABS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "specs" / "labs").glob("*.sl"))
PAXOS = "specs/labs/paxos_no_quorum.sl"
TWOPHASE = "specs/two_phase_commit.sl"
EXAMPLE = str(ROOT / "examples" / "twophase" / "twophase.sl")


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def exported(library, spec: str) -> list[tuple[str, dict, dict]]:
    """(check, OTLP request, the trace as JSON) of every counterexample of a library spec."""
    out = []
    for name, result in library(spec).items():
        doc = json_out.document([result], 1)
        for cx in mapping.counterexamples(doc):
            out.append((name, mapping.to_otlp(cx), cx.trace))
    return out


def run_json(capsys, *args) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(["trace", "validate", *args, "--json", "-"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def write(tmp_path, request, name="trace.otlp.json", fmt="json") -> str:
    path = tmp_path / name
    path.write_bytes(formats.dumps(request, fmt))
    return str(path)


# ---- Stateline's own traces ---------------------------------------------------------------


@pytest.mark.parametrize("spec", LABS)
def test_every_lab_counterexample_conforms_as_exactly_the_checkers_trace(spec, library,
                                                                         tmp_path, capsys,
                                                                         at_root):
    cases = exported(library, spec)
    assert cases
    for check, request, trace in cases:
        path = write(tmp_path, request, f"{check}.otlp.json")
        # Without the reduction, the search follows the timestamps: the checker's order.
        code, doc, err = run_json(capsys, spec, path, "--check", check, "--no-reduction")
        assert code == 0, err
        [r] = doc["traces"]
        assert r["verdict"] == "conforms" and r["matched"] == r["events"] == len(trace["steps"])
        got = [{k: v for k, v in s.items() if k != "span_id"} for s in r["behaviour"]["steps"]]
        assert got == trace["steps"]
        assert r["behaviour"]["initial"] == trace["initial"]
        assert r["unmapped"] == 0 and r["unmatched"] == [] and r["next_events"] == []
        # With it, independent steps may come in another order: the same steps, and the
        # same spans in each node's order.
        code, doc, err = run_json(capsys, spec, path, "--check", check)
        assert code == 0, err
        [r2] = doc["traces"]
        assert r2["verdict"] == "conforms" and r2["configurations"] <= r["configurations"]

        def per_node(steps):
            out = {}
            for s in steps:
                out.setdefault(s["node"], []).append((s["action"], s["params"], s["changes"]))
            return out
        assert per_node(r2["behaviour"]["steps"]) == per_node(trace["steps"])


def test_the_three_file_formats_and_split_files_give_the_same_result(library, tmp_path,
                                                                     capsys, at_root):
    [(check, request, trace)] = exported(library, PAXOS)
    results = []
    for fmt in ("json", "jsonl", "protobuf"):
        path = write(tmp_path, request, f"t.{fmt}", fmt)
        code, doc, _ = run_json(capsys, PAXOS, path)
        assert code == 0
        results.append(doc["traces"])
    # one file per service, as a Collector writes them: merged by trace id
    files = []
    for i, rs in enumerate(request["resourceSpans"]):
        files.append(write(tmp_path, {"resourceSpans": [rs]}, f"part{i}.otlp.json"))
    code, doc, _ = run_json(capsys, PAXOS, *files)
    assert code == 0
    results.append(doc["traces"])
    for r in results:
        for x in r:
            x.pop("seconds")
    assert results[0] == results[1] == results[2] == results[3]
    assert results[0][0]["chains"] == 4 and results[0][0]["configurations"] == 10


def test_text_output_of_a_conforming_trace(library, tmp_path, capsys, at_root):
    [(_, request, _)] = exported(library, PAXOS)
    path = write(tmp_path, request)
    capsys.readouterr()
    assert main(["trace", "validate", PAXOS, path]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"{PAXOS}: spec PaxosNoQuorum, check small (Acceptors={{a1, a2, a3}}, "
                      "Values={v1, v2}, MaxBallot=1, Ballots=0..1) · trace validation of 1 "
                      "file, 1 trace")
    assert out[2].startswith("trace e1357e0a8b89421ea8cb46da643f295b: conforms: 8 events "
                             "matched by 8 steps of the spec (0 internal) · 4 chains · "
                             "10 configurations · ")
    assert out[3] == ("  invariant Agreement is violated by the matched behaviour at step 8 "
                      "(expected: violated)")
    assert out[-1] == "1 of 1 trace conforms to the spec"


def set_attribute(request, step: int, key: str, new) -> dict:
    request = json.loads(json.dumps(request))
    for rs in request["resourceSpans"]:
        for sp in rs["scopeSpans"][0]["spans"]:
            attrs = {kv["key"]: kv for kv in sp["attributes"]}
            if attrs.get("stateline.step", {}).get("value") == {"intValue": str(step)}:
                sp["attributes"] = [kv for kv in sp["attributes"] if kv["key"] != key]
                if new is not None:
                    sp["attributes"] += key_values({key: new})
    return request


def test_a_received_message_that_was_never_sent_is_explained(library, tmp_path, capsys,
                                                             at_root):
    [(_, request, _)] = exported(library, PAXOS)
    bad = set_attribute(request, 6, "stateline.received", "Accept(bal=0, val=v2)")
    code, doc, _ = run_json(capsys, PAXOS, write(tmp_path, bad))
    assert code == 1
    [r] = doc["traces"]
    assert (r["verdict"], r["matched"], r["events"], r["reachable_states"]) == \
        ("does not conform", 7, 8, 1)
    [unmatched] = r["unmatched"]
    assert unmatched["event"]["step"] == "Acceptor[a2].on Accept"
    assert unmatched["reasons"] == [{
        "reason": "the span received Accept(bal=0, val=v2), which is not in flight here (the "
                  "step could receive Accept(bal=0, val=v1), Accept(bal=1, val=v2))",
        "states": 1}]
    assert [s["number"] for s in r["behaviour"]["steps"]] == list(range(1, 8))
    assert r["violations"] == []


def test_a_changed_parameter_names_the_allowed_ones_and_an_observation_its_value(
        library, tmp_path, capsys, at_root):
    [(_, request, _)] = exported(library, PAXOS)
    bad = set_attribute(request, 5, "stateline.params", {"v": "v1", "q": "{a2}"})
    code, doc, _ = run_json(capsys, PAXOS, write(tmp_path, bad))
    assert code == 1
    [r] = doc["traces"]
    assert r["matched"] == 6 and len(r["unmatched"]) == 1     # steps 1-4, 7 and 8 match
    reasons = [x["reason"] for u in r["unmatched"] for x in u["reasons"]]
    assert reasons[0] == ("proposeAny is enabled, but not with (v=v1, q={a2}): the spec "
                          "allows (v=v1, q={a1}), (v=v2, q={a1})")
    bad = set_attribute(request, 2, "stateline.changes", {"Acceptor[a1].maxBal": "-1 -> 1"})
    code, doc, _ = run_json(capsys, PAXOS, write(tmp_path, bad))
    [r] = doc["traces"]
    assert code == 1 and r["matched"] == 2           # step 1, and leader 1's concurrent one
    assert r["unmatched"][0]["reasons"][0]["reason"] == (
        "after the step the span observed Acceptor[a1].maxBal = 1; the spec's step gives 0")


def test_a_false_guard_is_named_with_the_nodes_variables(tmp_path, capsys, at_root):
    """TM.commit before every RM prepared: the guard conjunct that fails is quoted."""
    spans = [span("1", "commit", "tm", {"stateline.action": "commit", "stateline.node": "TM"})]
    code, doc, _ = run_json(capsys, TWOPHASE, write(tmp_path, request(spans)), "--check", "n3")
    assert code == 1
    [r] = doc["traces"]
    assert r["unmatched"][0]["reasons"] == [{
        "reason": "TM.commit is not enabled: `tmPrepared == RMs` (specs/two_phase_commit.sl:"
                  "28:35) is false; TM has state = init, tmPrepared = {}", "states": 1}]


def test_exit_3_when_a_bound_stops_the_search(library, tmp_path, capsys, at_root):
    [(_, request, _)] = exported(library, "specs/labs/raft_double_vote.sl")
    path = write(tmp_path, request)
    code, doc, _ = run_json(capsys, "specs/labs/raft_double_vote.sl", path, "--max-states", "1")
    assert code == 3
    assert doc["traces"][0]["verdict"] == "unknown"
    assert doc["traces"][0]["stop_reason"] == "max-states"


def test_the_matched_behaviour_exports_as_a_trace(library, tmp_path, capsys, at_root):
    [(_, request, trace)] = exported(library, PAXOS)
    path = write(tmp_path, request)
    out = tmp_path / "out"
    assert main(["trace", "validate", PAXOS, path, "--otlp", str(out)]) == 0
    [written] = sorted(out.iterdir())
    assert written.name == "paxos_no_quorum.small.trace-e1357e0a8b89421ea8cb46da643f295b" \
                           ".otlp.json"
    again = json.loads(written.read_text())
    statuses = [sp.get("status") for rs in again["resourceSpans"]
                for sp in rs["scopeSpans"][0]["spans"]]
    assert statuses == [None] * 9         # a behaviour, not a counterexample: no ERROR
    capsys.readouterr()
    code, doc, _ = run_json(capsys, PAXOS, str(written))     # and it validates in turn
    assert code == 0 and doc["traces"][0]["matched"] == 8
    assert main(["trace", "validate", PAXOS, path, "--otlp", str(out), "--otlp-format",
                 "itf"]) == 0
    itf = json.loads((out / (written.name.split(".otlp")[0] + ".itf.json")).read_text())
    assert len(itf["states"]) == 9 and itf["states"][0]["#meta"]["index"] == 0


# ---- bad input ----------------------------------------------------------------------------


def span(sid: str, name: str, service: str, attrs: dict, parent: str | None = None,
         links=(), start: int = 0) -> tuple:
    return (sid, name, service, attrs, parent, tuple(links), start)


def request(spans, trace="0af7651916cd43dd8448eb211c80319c") -> dict:
    by_service: dict = {}
    for k, (sid, name, service, attrs, parent, links, start) in enumerate(spans):
        sp = {"traceId": trace, "spanId": sid.rjust(16, "0"), "name": name, "kind": 1,
              "startTimeUnixNano": str(start or 1000 * (k + 1)),
              "endTimeUnixNano": str((start or 1000 * (k + 1)) + 500),
              "attributes": key_values(attrs)}
        if parent:
            sp["parentSpanId"] = parent.rjust(16, "0")
        if links:
            sp["links"] = [{"traceId": trace, "spanId": x.rjust(16, "0")} for x in links]
        by_service.setdefault(service, []).append(sp)
    return {"resourceSpans": [
        {"resource": {"attributes": key_values({"service.name": svc})},
         "scopeSpans": [{"scope": {"name": "t"}, "spans": sps}]}
        for svc, sps in by_service.items()]}


PREPARE = {"stateline.action": "prepare", "stateline.node": "RM[1]"}


@pytest.mark.parametrize("spans, message", [
    ([span("1", "fly", "rm-1", {"stateline.action": "fly", "stateline.node": "RM[1]"})],
     "trace.otlp.json: span 0000000000000001 'fly' (service rm-1): the spec has no action "
     "'fly'"),
    ([span("1", "prepare", "somewhere", {"stateline.action": "prepare"})],
     "span 0000000000000001 'prepare' (service somewhere): which RM instance took this step? "
     "got 'somewhere' (expected one of RM[1], RM[2], RM[3]; set stateline.node, or map it in "
     "[nodes])"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.param.x": 1})],
     "stateline.param.x: prepare has no parameter 'x'"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.var.state": "maybe"})],
     "RM[1].state: maybe is not a value of RMState"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.var.colour": "red"})],
     "the spec has no variable 'colour' (at RM[1])"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.var.state": "{working"})],
     "RM[1].state: expected ',', got the end"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.var.state": "[" * 5000})],
     "span 0000000000000001 'prepare' (service rm-1): RM[1].state: the value is nested too "
     "deeply to read"),
    ([span("1", "on Commit", "rm-1", {"stateline.action": "on Commit", "stateline.node": "RM[1]",
                                      "stateline.received": "Abort"})],
     "stateline.received: the span received Abort but on Commit receives Commit messages"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.received": "Commit"})],
     "stateline.received: the action prepare receives no message"),
    ([span("1", "prepare", "rm-1", {**PREPARE, "stateline.var.network": "{}"})],
     "the network is not a variable"),
    ([span("1", "x", "rm-1", {"other": 1})],
     "no span maps to a step of the spec (span names: x); instrument with stateline.instrument "
     "or give a --mapping file"),
    ([span("1", "prepare", "rm-1", PREPARE, parent="2"),
      span("2", "prepare", "rm-2", {**PREPARE, "stateline.node": "RM[2]"}, parent="1")],
     "the causal order has a cycle"),
])
def test_spans_that_do_not_map_are_clear_errors(spans, message, tmp_path, capsys, at_root):
    path = write(tmp_path, request(spans))
    capsys.readouterr()
    assert main(["trace", "validate", TWOPHASE, path, "--check", "n3"]) == 2
    err = capsys.readouterr().err
    assert "error[SL701]" in err and message in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"{\"resourceSpans\": [", "invalid JSON"),
    (b"\x0a\xff\xff", "neither OTLP/JSON, JSON Lines nor an OTLP protobuf"),
])
def test_unreadable_trace_files_are_clear_errors(content, message, tmp_path, capsys, at_root):
    path = tmp_path / "bad.otlp"
    path.write_bytes(content)
    capsys.readouterr()
    assert main(["trace", "validate", TWOPHASE, str(path), "--check", "n3"]) == 2
    err = capsys.readouterr().err
    assert "error[SL701]" in err and str(path) in err and message in err, err


@pytest.mark.parametrize("toml, message", [
    ("node = [", "invalid TOML"),
    ("colour = 1", "unknown key 'colour'"),
    ("[[span]]\nname = 'x'", "[[span]] #1: action: the spec action or handler"),
    ("[[span]]\naction = 'prepare'", "[[span]] #1: name or name_regex"),
    ("[[span]]\naction = 'prepare'\nname_regex = '('", "name_regex: not a regular expression"),
    ("unmapped = 'sometimes'", "unmapped: expected one of ignore, report, error"),
    ("[nodes]\nrm-1 = 'RM[7]'", "[nodes]: 'rm-1' = 'RM[7]': the spec has no node 'RM[7]'"),
    ("internal = ['dance']", "internal actions: the spec has no action 'dance'"),
])
def test_bad_mapping_files_are_clear_errors(toml, message, tmp_path, capsys, at_root):
    trace = write(tmp_path, request([span("1", "prepare", "rm-1", PREPARE)]))
    mapfile = tmp_path / "map.toml"
    mapfile.write_text(toml)
    capsys.readouterr()
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3",
                 "--mapping", str(mapfile)]) == 2
    err = capsys.readouterr().err
    assert "error[SL701]" in err and message in err, err


def test_command_line_errors(tmp_path, capsys, at_root):
    trace = write(tmp_path, request([span("1", "prepare", "rm-1", PREPARE)]))
    capsys.readouterr()
    assert main(["trace", "validate", TWOPHASE, trace]) == 2
    assert "error[SL505]: specs/two_phase_commit.sl has 5 check blocks (n3, n4, n5, fairN3, " \
           "fairHandlersOnly): say which instance the traces are of with --check NAME" in \
           capsys.readouterr().err
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n9"]) == 2
    assert "error[SL505]: no check block is named 'n9'" in capsys.readouterr().err
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3", "-D", "M=1"]) == 2
    assert "error[SL502]" in capsys.readouterr().err
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3",
                 "--unmapped", "error"]) == 0
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3",
                 "--trace-id", "ab" * 16]) == 2
    assert f"no trace {'ab' * 16} in the files" in capsys.readouterr().err


def test_unmapped_spans_ignored_reported_or_refused(tmp_path, capsys, at_root):
    trace = write(tmp_path, request([span("1", "prepare", "rm-1", PREPARE),
                                     span("2", "GET /health", "rm-1", {})]))
    capsys.readouterr()
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3"]) == 0
    assert "  1 unmapped span ignored: GET /health" in capsys.readouterr().out
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3",
                 "--unmapped", "report"]) == 0
    assert f"    {trace}: span 0000000000000002 'GET /health' (service rm-1)" in \
        capsys.readouterr().out
    assert main(["trace", "validate", TWOPHASE, trace, "--check", "n3",
                 "--unmapped", "error"]) == 2
    assert "span 0000000000000002 'GET /health' (service rm-1): the span maps to no action" in \
        capsys.readouterr().err


def put_attribute(request, step: int | None, key: str, new) -> tuple[dict, str]:
    """`request` with attribute `key` of the span of `step` (None: the root span, which
    holds stateline.initial) set to `new`; and how the errors name that span."""
    request = json.loads(json.dumps(request))
    for rs in request["resourceSpans"]:
        for sp in rs["scopeSpans"][0]["spans"]:
            attrs = {kv["key"]: kv["value"] for kv in sp["attributes"]}
            if (step is None and "parentSpanId" not in sp) or \
                    attrs.get("stateline.step") == {"intValue": str(step)}:
                sp["attributes"] = [kv for kv in sp["attributes"] if kv["key"] != key] + \
                    key_values({key: new})
                return request, f"span {sp['spanId']} '{sp['name']}'"
    raise AssertionError(f"no span of step {step}")


# Reserved attributes of the wrong kind, on the Paxos counterexample's spans: (step, key,
# value, the message).  Each was once passed over (the trace then conformed, or the span
# counted as unmapped); each is bad input now, located at the span and the attribute.
WRONG_KINDS = [
    (2, "stateline.changes", "Acceptor[a1].maxBal: -1 -> 7",
     "stateline.changes: expected a kvlist (variable -> 'old -> new'), got the string "
     "'Acceptor[a1].maxBal: -1 -> 7'"),
    (5, "stateline.params", "v=v1, q={a2}",
     "stateline.params: expected a kvlist (parameter -> value), got the string "
     "'v=v1, q={a2}'"),
    (None, "stateline.initial", "Acceptor[a1].maxBal = 7",
     "stateline.initial: expected a kvlist (variable -> value), got the string"),
    (2, "stateline.action", ["on Prepare"],
     "stateline.action: expected a string (the action or handler), got an array"),
    (2, "stateline.aborted", "yes", "stateline.aborted: expected a boolean, got the string "
                                    "'yes'"),
    (2, "stateline.node", ["Acceptor[a1]"],
     "stateline.node: expected a string or an integer (the process instance), got an array"),
    (2, "lamport.clock", "seven",
     "lamport.clock: expected a count (a non-negative integer), got the string 'seven'"),
    (2, "lamport.clock", -1, "lamport.clock: expected a count (a non-negative integer), got "
                             "the integer -1"),
    (2, "lamport.clock", 2.5, "lamport.clock: expected a count (a non-negative integer), got "
                              "the double 2.5"),
    (2, "vc.acceptor-a1", "one", "vc.acceptor-a1: expected a count (a non-negative integer), "
                                 "got the string 'one'"),
    (2, "vector_clock", {"acceptor-a1": -1, "leader-0": 1},
     "vector_clock: acceptor-a1: expected a count (a non-negative integer), got the "
     "integer -1"),
    (2, "vector_clock", {"acceptor-a1": "1", "leader-0": "x"},
     "vector_clock: leader-0: expected a count (a non-negative integer), got the string 'x'"),
    (2, "vector_clock", "acceptor-a1=1", "vector_clock: expected a kvlist of counts"),
]


@pytest.mark.parametrize("step, key, new, message", WRONG_KINDS,
                         ids=[f"{k}={v!r}" for _, k, v, _ in WRONG_KINDS])
def test_reserved_attributes_of_the_wrong_kind_are_errors(step, key, new, message, library,
                                                         tmp_path, capsys, at_root):
    [(_, request, _)] = exported(library, PAXOS)
    bad, where = put_attribute(request, step, key, new)
    path = write(tmp_path, bad)
    capsys.readouterr()
    assert main(["trace", "validate", PAXOS, path]) == 2
    err = capsys.readouterr().err
    assert f"error[SL701]: {path}: {where} (service " in err, err
    assert f"): {message}" in err, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    if key in ("lamport.clock", "vc.acceptor-a1", "vector_clock"):
        # the clocks are read by `trace analyze` too: the same error there
        assert main(["trace", "analyze", path]) == 2
        err = capsys.readouterr().err
        assert f"error[SL701]: {path}: {where} (service " in err and message in err, err
        assert "Traceback" not in err


@pytest.mark.parametrize("step, key, kvlist, text", [
    (2, "stateline.changes", {"Acceptor[a1].maxBal": "-1 -> 7"}, "Acceptor[a1].maxBal: -1 -> 7"),
    (5, "stateline.params", {"v": "v1", "q": "{a2}"}, "v=v1, q={a2}"),
    (None, "stateline.initial", {"Acceptor[a1].maxBal": "7"}, "Acceptor[a1].maxBal = 7"),
])
def test_an_observation_that_contradicts_the_spec_fails_as_a_kvlist_and_is_bad_input_as_text(
        step, key, kvlist, text, library, tmp_path, capsys, at_root):
    [(_, request, _)] = exported(library, PAXOS)
    code, doc, err = run_json(capsys, PAXOS, write(tmp_path, put_attribute(request, step, key,
                                                                             kvlist)[0]))
    assert code == 1 and doc["traces"][0]["verdict"] == "does not conform", err
    code, _, err = run_json(capsys, PAXOS, write(tmp_path, put_attribute(request, step, key,
                                                                          text)[0]))
    assert code == 2 and f"{key}: expected a kvlist" in err and "Traceback" not in err


def test_clocks_written_as_decimal_text_still_count(library, tmp_path, capsys, at_root):
    """A count as its decimal digits (as some SDKs write every attribute) is a count."""
    [(_, request, _)] = exported(library, PAXOS)
    bad, _ = put_attribute(request, 2, "lamport.clock", "2")
    bad, _ = put_attribute(bad, 2, "vector_clock", {"acceptor-a1": "1", "acceptor-a2": "0",
                                                    "leader-0": "1", "leader-1": "0"})
    code, doc, err = run_json(capsys, PAXOS, write(tmp_path, bad))
    assert code == 0 and doc["traces"][0]["verdict"] == "conforms", err


# ---- partial observations and internal actions ---------------------------------------------


def test_unobserved_steps_of_internal_actions_are_inferred(tmp_path, capsys, at_root):
    """Only the commit decisions of RM[1..3] are traced: with prepare and the TM's handler
    internal, the search finds the steps in between."""
    spans = [span("1", "commit", "tm", {"stateline.action": "commit"}),
             *[span(str(i + 1), "on Commit", f"rm-{i}", {"stateline.action": "on Commit"},
                    parent="1") for i in (1, 2, 3)]]
    path = write(tmp_path, request(spans))
    code, doc, _ = run_json(capsys, TWOPHASE, path, "--check", "n3")
    assert code == 1
    assert doc["traces"][0]["matched"] == 0
    code, doc, _ = run_json(capsys, TWOPHASE, path, "--check", "n3", "--internal", "RM.prepare",
                            "--internal", "on Prepared")
    assert code == 0
    [r] = doc["traces"]
    assert r["internal_actions"] == ["RM.prepare", "TM.on Prepared"]
    steps = [s["action"] for s in r["behaviour"]["steps"]]
    assert steps.count("prepare") == 3 and steps.count("on Prepared") == 3
    assert steps[6:] == ["commit", "on Commit", "on Commit", "on Commit"]
    assert [s["span_id"] is None for s in r["behaviour"]["steps"]] == [True] * 6 + [False] * 4


def test_concurrent_events_are_interleaved_as_the_spec_needs(tmp_path, capsys, at_root):
    """The RMs' prepares carry no clocks, parents or links: any order is tried, and the
    timestamps (which put RM[2] first) do not decide; with --no-timestamps neither do
    they order a node's own steps."""
    spans = [span("1", "prepare", "rm-2", {**PREPARE, "stateline.node": "RM[2]"}, start=1),
             span("2", "prepare", "rm-1", PREPARE, start=2),
             span("3", "prepare", "rm-3", {**PREPARE, "stateline.node": "RM[3]",
                                           "stateline.var.state": "prepared"}, start=3),
             span("4", "commit", "tm", {"stateline.action": "commit"}, start=4),
             *[span(str(i + 4), "on Prepared", "tm",
                    {"stateline.action": "on Prepared", "stateline.msg.rm": i}, start=10 + i)
               for i in (3, 1, 2)]]
    path = write(tmp_path, request(spans))
    code, doc, _ = run_json(capsys, TWOPHASE, path, "--check", "n3")
    assert code == 1       # by start time, TM commits before it handled any Prepared
    assert doc["traces"][0]["unmatched"][0]["event"]["step"] == "TM.commit"
    code, doc, _ = run_json(capsys, TWOPHASE, path, "--check", "n3", "--no-timestamps")
    assert code == 0
    order = [(s["action"], s["node"]) for s in doc["traces"][0]["behaviour"]["steps"]]
    assert order[-1] == ("commit", "TM")
    assert doc["traces"][0]["chains"] == 7    # the TM's four steps are unordered too


# ---- the mapping file ---------------------------------------------------------------------


def sdk_trace(tmp_path) -> str:
    """Two-phase commit played with the official SDK, spans named as a service might name
    them, with its own attribute names; no stateline.* attribute at all."""
    memory = InMemorySpanExporter()
    tracers = {}
    for svc in ("coordinator", "db-1", "db-2", "db-3"):
        provider = TracerProvider(resource=Resource.create({"service.name": svc}))
        provider.add_span_processor(SimpleSpanProcessor(memory))
        tracers[svc] = provider.get_tracer("plain")
    dbs = ("db-1", "db-2", "db-3")
    with tracers["coordinator"].start_as_current_span("txn 42"):
        for i, db in enumerate(dbs, 1):
            with tracers[db].start_as_current_span("PREPARE") as s:
                s.set_attribute("db.state", "prepared")
            with tracers["coordinator"].start_as_current_span(f"vote from {i}") as s:
                s.set_attribute("txn.outcome", "pending")
        with tracers["coordinator"].start_as_current_span("decide") as s:
            s.set_attribute("txn.outcome", "commit")
            for db in dbs:
                with tracers[db].start_as_current_span("COMMIT") as c:
                    c.set_attribute("db.state", "committed")
    path = tmp_path / "plain.otlp.pb"
    path.write_bytes(encode_spans(memory.get_finished_spans()).SerializeToString())
    return str(path)


MAPPING = """
node = "service.name"
[nodes]
coordinator = "TM"
"db-1" = "RM[1]"
"db-2" = "RM[2]"
"db-3" = "RM[3]"

[[span]]
name = "PREPARE"
action = "RM.prepare"
observe = { state = "db.state" }

[[span]]
name_regex = "vote from (?P<rm>[0-9]+)"
action = "TM.on Prepared"
message = { rm = "vote.rm" }

[[span]]
name = "decide"
where = { "txn.outcome" = "commit" }
action = "TM.commit"

[[span]]
name = "COMMIT"
action = "on Commit"
observe = { state = "db.state" }
"""


def test_a_mapping_file_maps_plain_sdk_spans(tmp_path, capsys, at_root):
    trace = sdk_trace(tmp_path)
    mapfile = tmp_path / "map.toml"
    mapfile.write_text(MAPPING.replace('message = { rm = "vote.rm" }', ""))
    code, doc, err = run_json(capsys, TWOPHASE, trace, "--check", "n3", "--mapping",
                              str(mapfile))
    # the votes' rm comes from the span name, as a parameter; but on Prepared has none
    assert code == 2 and "on Prepared has no parameter 'rm'" in err
    mapfile.write_text(MAPPING.replace("(?P<rm>", "(?:"))
    code, doc, err = run_json(capsys, TWOPHASE, trace, "--check", "n3", "--mapping",
                              str(mapfile))
    assert code == 0, err
    [r] = doc["traces"]
    assert (r["events"], r["unmapped"], r["matched"]) == (10, 1, 10)
    assert [s["action"] for s in r["behaviour"]["steps"]] == \
        ["prepare", "on Prepared"] * 3 + ["commit"] + ["on Commit"] * 3
    # the same spans where a database reports aborted: the observation fails
    mapfile.write_text(MAPPING.replace("(?P<rm>", "(?:").replace(
        'name = "COMMIT"\naction = "on Commit"\nobserve = { state = "db.state" }',
        'name = "COMMIT"\naction = "on Commit"\nobserve = { state = "txn.none" }'))
    code, doc, err = run_json(capsys, TWOPHASE, trace, "--check", "n3", "--mapping",
                              str(mapfile))
    assert code == 0      # an attribute the span does not have observes nothing


# ---- the instrumentation helper -------------------------------------------------------------


def test_instrument_values_and_messages_are_spec_syntax():
    assert [value(v) for v in (True, 3, "a1", None, {2, 1, 10}, [1, 2], (1,), {"a": 1}, 2.0)] \
        == [True, 3, "a1", "none", "{1, 2, 10}", "[1, 2]", "(1,)", "{a: 1}", 2]
    assert message_text("Vote", {"tx": 3, "yes": True}) == "Vote(tx=3, yes=true)"
    assert message_text("Commit") == "Commit"
    with pytest.raises(TypeError):
        value(object())


def test_instrument_node_steps_link_continue_and_abort():
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    node = Node("RM[1]", provider.get_tracer("t"))
    with node.step("on Prepare", received=("Prepare", {"tx": 1, "rm": 1})) as step:
        step.observe(state="working", tx=1)
    with node.step("vote", yes=True) as step:
        carrier = step.send("Vote", tx=1, rm=1, yes=True)
    with pytest.raises(RuntimeError):
        with node.step("vote", yes=False):
            raise RuntimeError("disk full")
    with provider.get_tracer("t").start_as_current_span("handler"):
        annotate("on Commit", node="RM[1]", received="Commit(tx=1, rm=1)")
    first, second, third, handler = memory.get_finished_spans()
    assert dict(first.attributes) == {
        "stateline.action": "on Prepare", "stateline.node": "RM[1]",
        "stateline.received": "Prepare(tx=1, rm=1)", "stateline.var.state": "working",
        "stateline.var.tx": 1}
    assert dict(second.attributes) == {
        "stateline.action": "vote", "stateline.node": "RM[1]", "stateline.param.yes": True,
        "stateline.sent": ("Vote(tx=1, rm=1, yes=true)",)}
    # the second step continues the node's trace and links to the first
    assert second.parent.span_id == first.context.span_id
    assert second.context.trace_id == first.context.trace_id
    assert [ln.context.span_id for ln in second.links] == [first.context.span_id]
    assert carrier["traceparent"].startswith(
        f"00-{second.context.trace_id:032x}-{second.context.span_id:016x}-")
    assert third.attributes["stateline.aborted"] is True
    assert third.status.status_code.name == "ERROR"
    assert handler.attributes["stateline.action"] == "on Commit"
    assert handler.attributes["stateline.received"] == "Commit(tx=1, rm=1)"


# ---- values -------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["specs/paxos.sl", "specs/raft.sl", "specs/quorum_register.sl",
                                  "specs/vector_clock.sl", "specs/eventual_lww.sl"])
def test_every_value_shown_by_the_spec_decodes_back(spec, at_root):
    """dom.show and values.parse/decode are inverse on every variable of the states within
    two steps of the initial ones (sets, maps, records, options, sequences, messages)."""
    loaded = load_spec(spec)
    model = prepare(loaded, check_blocks(loaded)[0], {})
    frontier = model.initial_states()
    seen = set(frontier)
    for _ in range(2):
        frontier = [t for s in frontier for t in model.successors(s) if t not in seen]
        seen.update(frontier)
    checked = 0
    for s in sorted(seen, key=repr)[:300]:
        for slot in model.system.slots:
            if slot.var is None or slot.var.name in model.system.histories:
                continue
            shown = slot.dom.show(s[slot.index])
            assert values.decode(slot.dom, values.parse(shown)) == s[slot.index], shown
            checked += 1
    assert checked >= 90


@pytest.mark.parametrize("text, message", [
    ("{1, 2", "expected ',', got the end"), ("1..x", "a range needs integer bounds"),
    ("a b", "unexpected 'b' after a value"), ("", "no value"), ("#", "unexpected character"),
])
def test_value_text_errors(text, message):
    with pytest.raises(ValueError, match=message):
        values.parse(text)



# ---- the JSON document ----------------------------------------------------------------------


def test_json_documents_follow_the_schema_and_the_schema_is_generated(library, tmp_path,
                                                                      capsys, at_root):
    import importlib.util

    import jsonschema
    maker = importlib.util.spec_from_file_location(
        "make_validation_schema", ROOT / "schemas" / "make_validation_schema.py")
    module = importlib.util.module_from_spec(maker)
    maker.loader.exec_module(module)
    path = ROOT / "schemas" / "stateline.trace-validation.v1.schema.json"
    assert path.read_text() == module.text(), "run python schemas/make_validation_schema.py"
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    [(_, good, _)] = exported(library, PAXOS)
    bad = set_attribute(good, 6, "stateline.received", "Accept(bal=0, val=v2)")
    docs = []
    for args in ([PAXOS, write(tmp_path, good, "good.json")],
                 [PAXOS, write(tmp_path, bad, "bad.json")],
                 [PAXOS, write(tmp_path, good, "g2.json"), "--max-states", "2"],
                 [TWOPHASE, write(tmp_path, request([span("1", "commit", "tm", {
                     "stateline.action": "commit", "stateline.initial": {"TM.state": "done"}})]),
                     "init.json"), "--check", "n3"]):
        code, doc, _ = run_json(capsys, *args)
        docs.append((code, doc))
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, errors[0]
    assert [(c, d["traces"][0]["verdict"]) for c, d in docs] == [
        (0, "conforms"), (1, "does not conform"), (3, "unknown"), (1, "does not conform")]
    last = docs[3][1]["traces"][0]
    assert last["behaviour"] is None
    assert last["initial_state_mismatch"] == [
        "the trace starts with TM.state = done; the spec starts with init"]
