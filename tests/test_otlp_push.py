"""The OTLP/HTTP push (urllib3's pooled connections and Retry) against local receivers.

Every receiver here listens on 127.0.0.1 and answers a scripted list of statuses
(and Retry-After headers); the waits urllib3 would make are recorded instead of
slept.
"""

from __future__ import annotations

import email.utils
import http.server
import threading
import time

import pytest

from stateline.otlp.push import PushFailure, push
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse


class Scripted(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"           # keep-alive, as real receivers do

    def do_POST(self):                       # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        server.requests.append((self.path, body, self.client_address[1]))
        code, headers, payload = server.script.pop(0) if server.script else (200, {}, b"")
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.requests, server.script = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def waits(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", slept.append)
    return slept


def test_retryable_statuses_back_off_then_land(receiver, waits):
    receiver.script = [(503, {}, b""), (429, {}, b""), (502, {}, b"")]
    done = push(b"spans", receiver.url)
    assert done.attempts == 4 and done.url == receiver.url + "/v1/traces"
    assert [r[1] for r in receiver.requests] == [b"spans"] * 4
    assert waits == [0.5, 1.0, 2.0]          # exponential backoff from the first retry


def test_retry_after_in_seconds_and_as_a_date_is_honoured_up_to_the_cap(receiver, waits):
    later = email.utils.formatdate(time.time() + 3, usegmt=True)
    receiver.script = [(503, {"Retry-After": "2"}, b""), (429, {"Retry-After": later}, b""),
                       (503, {"Retry-After": "3600"}, b"")]
    assert push(b"x", receiver.url).attempts == 4
    assert waits[0] == 2.0
    assert 1.0 <= waits[1] <= 3.0            # the HTTP date, a few seconds from now
    assert waits[2] == 8.0                   # an hour asked for, the cap (0.5 * 2**4) given


def test_every_attempt_busy_is_a_failure_naming_the_last_status(receiver, waits):
    receiver.script = [(503, {}, b"")] * 4
    with pytest.raises(PushFailure) as exc:
        push(b"x", receiver.url + "/custom")
    assert str(exc.value) == (f"cannot reach the OTLP receiver at {receiver.url}/custom after "
                              "4 attempt(s): HTTP 503 Service Unavailable")
    assert len(receiver.requests) == 4 and receiver.requests[0][0] == "/custom"


def test_a_final_status_is_not_retried(receiver, waits):
    receiver.script = [(400, {}, b"")]
    with pytest.raises(PushFailure, match="refused the trace: HTTP 400 Bad Request"):
        push(b"x", receiver.url)
    assert len(receiver.requests) == 1 and waits == []


def test_partial_success_is_reported(receiver, waits):
    reply = ExportTraceServiceResponse()
    reply.partial_success.rejected_spans = 2
    reply.partial_success.error_message = "too old"
    receiver.script = [(200, {"Content-Type": "application/x-protobuf"},
                        reply.SerializeToString())]
    done = push(b"x", receiver.url)
    assert (done.attempts, done.rejected_spans, done.message) == (1, 2, "too old")


def test_the_traces_of_a_run_share_one_connection(receiver, waits):
    for _ in range(5):
        push(b"x", receiver.url)
    assert len({port for _, _, port in receiver.requests}) == 1


def test_a_url_that_is_not_http_is_refused():
    with pytest.raises(PushFailure, match="is not an http:// or https:// URL"):
        push(b"x", "ftp://example/x")
