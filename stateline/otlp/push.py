"""POST a trace to an OTLP/HTTP receiver (the Collector, Jaeger, Tempo, ...).

The body is the protobuf ExportTraceServiceRequest with
`Content-Type: application/x-protobuf`, as the OTLP/HTTP specification says.
A URL without a path gets the signal path `/v1/traces` (as
OTEL_EXPORTER_OTLP_ENDPOINT does); a URL with a path is used as it is (as
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is).

Retries follow the OTLP/HTTP rules: a connection failure, 429, 502, 503 and
504 are retried with exponential backoff (honouring Retry-After up to the
backoff's cap); any other status is final.  A receiver that cannot be reached
after every attempt is a `PushFailure` whose message names the URL and the last
reason.  The standard library's urllib is enough here: one POST per trace, no
connection reuse needed.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

RETRYABLE = {429, 502, 503, 504}


class PushFailure(Exception):
    """The receiver could not be reached, or refused the trace."""


@dataclass(frozen=True)
class Delivery:
    url: str
    attempts: int
    rejected_spans: int      # from the receiver's partial_success, 0 when all were accepted
    message: str             # the receiver's partial_success message, if any


def traces_url(endpoint: str) -> str:
    """The URL to POST to, or PushFailure for something that is not an http(s) URL."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushFailure(f"'{endpoint}' is not an http:// or https:// URL")
    if parts.path in ("", "/"):
        parts = parts._replace(path="/v1/traces")
    return urllib.parse.urlunsplit(parts)


def push(body: bytes, endpoint: str, attempts: int = 4, timeout: float = 10.0,
         backoff: float = 0.5, sleep=None) -> Delivery:
    """Send one protobuf ExportTraceServiceRequest; raise PushFailure if it does not land."""
    url = traces_url(endpoint)
    sleep = sleep or time.sleep
    reason = "no attempt made"
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-protobuf", "User-Agent": "stateline-otlp"})
        delay = backoff * 2 ** (attempt - 1)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                payload = response.read()
            return _delivered(url, attempt, payload)
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code} {exc.reason}"
            if exc.code not in RETRYABLE:
                raise PushFailure(f"the OTLP receiver at {url} refused the trace: {reason}") \
                    from None
            after = exc.headers.get("Retry-After", "") if exc.headers else ""
            if after.isdigit():
                delay = min(float(after), backoff * 2 ** attempts)
        except (urllib.error.URLError, OSError) as exc:
            reason = str(getattr(exc, "reason", exc))
        if attempt < attempts:
            sleep(delay)
    raise PushFailure(f"cannot reach the OTLP receiver at {url} after {attempts} attempt(s): "
                      f"{reason}")


def _delivered(url: str, attempt: int, payload: bytes) -> Delivery:
    try:
        reply = ExportTraceServiceResponse.FromString(payload)
        rejected = reply.partial_success.rejected_spans
        message = reply.partial_success.error_message
    except DecodeError:      # a receiver may answer with JSON or nothing: it still landed
        rejected, message = 0, ""
    return Delivery(url, attempt, rejected, message)
