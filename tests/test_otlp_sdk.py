"""`trace analyze` on a trace Stateline did not write.

A small shop, instrumented with the official opentelemetry-sdk, makes
cross-service calls with W3C trace-context propagation: the frontend asks the
inventory (which is busy four times, so the call is retried: `retry.count` 4)
and then checkout, which calls payment, which fails; the failure propagates
back up.  An audit span in a new trace links to the request.  Every span goes
through the SDK's own OTLP/HTTP exporter (protobuf) to a receiver this test
starts; the bodies received are the file analysed.  The causal graph must be
exactly the SDK's parent/child and link structure, the error and the retries
must be flagged, and the failing payment must be the root-cause candidate.
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from opentelemetry import context as otel_context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from stateline.cli import main
from stateline.otlp.traceparent import decode


class Collector(http.server.BaseHTTPRequestHandler):
    def do_POST(self):                                  # noqa: N802 (http.server's name)
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class PaymentDeclined(Exception):
    pass


def run_shop(endpoint: str, memory: InMemorySpanExporter) -> list:
    """The instrumented program; returns (traceparent header, client span) pairs."""
    providers = {}
    for svc in ("frontend", "inventory", "checkout", "payment"):
        provider = TracerProvider(resource=Resource.create({"service.name": svc}))
        provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint,
                                                                         timeout=10)))
        provider.add_span_processor(SimpleSpanProcessor(memory))
        providers[svc] = provider
    tracer = {svc: p.get_tracer("shop") for svc, p in providers.items()}
    propagator = TraceContextTextMapPropagator()
    headers_seen = []

    def serve(svc, operation, headers, handler):
        ctx = propagator.extract(headers)
        with tracer[svc].start_as_current_span(operation, context=ctx, kind=SpanKind.SERVER) \
                as span:
            return handler(span)

    def call(caller, callee, operation, handler, attempts=1):
        with tracer[caller].start_as_current_span(f"call {callee}", kind=SpanKind.CLIENT) \
                as span:
            for attempt in range(attempts):
                headers = {}
                propagator.inject(headers)
                headers_seen.append((headers["traceparent"], span))
                if serve(callee, operation, headers, handler) == "ok":
                    span.set_attribute("retry.count", attempt)
                    return "ok"
            return "gave up"

    busy = iter(["busy"] * 4 + ["ok"])

    def inventory(span):
        answer = next(busy)
        span.set_attribute("http.response.status_code", 503 if answer == "busy" else 200)
        return answer

    def payment(span):
        raise PaymentDeclined("card declined")

    def checkout(span):
        return call("checkout", "payment", "charge", payment)

    root = None
    try:
        with tracer["frontend"].start_as_current_span("GET /buy", kind=SpanKind.SERVER) as root:
            call("frontend", "inventory", "reserve", inventory, attempts=5)
            call("frontend", "checkout", "POST /checkout", checkout)
    except PaymentDeclined:
        pass
    audit = tracer["frontend"].start_span("audit", context=otel_context.Context(),
                                          links=[Link(root.get_span_context())])
    audit.end()
    for p in providers.values():
        p.shutdown()
    return headers_seen


@pytest.fixture
def collector():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    server.bodies = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_analyze_rebuilds_an_sdk_trace_and_flags_the_error_and_the_retries(collector, tmp_path,
                                                                            capsys):
    memory = InMemorySpanExporter()
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}/v1/traces"
    headers = run_shop(endpoint, memory)
    spans = memory.get_finished_spans()
    assert len(spans) == 12 and len(collector.bodies) == 12   # one POST per span

    for header, span in headers:            # the SDK's propagation, read by our decoder
        ctx = decode(header)
        assert ctx.trace_id == f"{span.context.trace_id:032x}"
        assert ctx.parent_id == f"{span.context.span_id:016x}" and ctx.sampled

    merged = ExportTraceServiceRequest()
    for body in collector.bodies:
        merged.MergeFromString(body)
    path = tmp_path / "shop.otlp.pb"
    path.write_bytes(merged.SerializeToString())
    capsys.readouterr()
    assert main(["trace", "analyze", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    key = lambda ctx: (f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}")   # noqa: E731
    want_nodes = {key(s.context) for s in spans}
    want_edges = {(key(s.parent), key(s.context), "parent") for s in spans if s.parent}
    want_edges |= {(key(ln.context), key(s.context),
                    "cross_trace" if ln.context.trace_id != s.context.trace_id
                    else "follows_from") for s in spans for ln in s.links}
    got_nodes = {(s["trace_id"], s["span_id"]) for s in report["spans"]}
    got_edges = {((e["from"]["trace_id"], e["from"]["span_id"]),
                  (e["to"]["trace_id"], e["to"]["span_id"]), e["relation"])
                 for e in report["edges"]}
    assert got_nodes == want_nodes
    assert got_edges == want_edges
    assert len(want_edges) == 11 and sum(r == "cross_trace" for *_, r in want_edges) == 1
    assert len(report["traces"]) == 2

    by_name = {s.name: key(s.context) for s in spans}
    flagged = {(a["span_id"], a["pattern"]) for a in report["anomalies"]}
    assert (by_name["charge"][1], "error_status") in flagged
    assert (by_name["call inventory"][1], "retry_storm") in flagged
    errors = {s.name for s in spans if not s.status.is_ok}
    assert errors == {"charge", "call payment", "POST /checkout", "call checkout", "GET /buy"}

    causes = {rc["error"]["label"]: [c["span_id"] for c in rc["candidates"]]
              for rc in report["root_causes"]}
    charge = by_name["charge"][1]
    for label in ("checkout: call payment", "checkout: POST /checkout",
                  "frontend: call checkout"):
        assert causes[label] == [charge], label
    # The request's own failure: payment first (an error), then the retry storm before it.
    assert causes["frontend: GET /buy"] == [charge, by_name["call inventory"][1]]
