"""POST a trace to an OTLP/HTTP receiver (the Collector, Jaeger, Tempo, ...).

The body is the protobuf ExportTraceServiceRequest with
`Content-Type: application/x-protobuf`, as the OTLP/HTTP specification says.
A URL without a path gets the signal path `/v1/traces` (as
OTEL_EXPORTER_OTLP_ENDPOINT does); a URL with a path is used as it is (as
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is).

Retries follow the OTLP/HTTP rules, with urllib3's `Retry`: a connection
failure, 429, 502, 503 and 504 are retried with exponential backoff (honouring
Retry-After, in seconds or as an HTTP date, up to the backoff's cap); any other
status is final.  One connection pool serves every trace of a run, so the
traces of one run share a kept-alive connection.  A receiver that cannot be
reached after every attempt is a `PushFailure` whose message names the URL and
the last reason.
"""

from __future__ import annotations

import functools
import urllib.parse
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


@functools.cache
def _client():
    """urllib3 (imported on the first push: the other commands need not load it), one
    pool for every trace of a run, and its Retry with two choices of our own."""
    import urllib3
    from urllib3.util.retry import Retry

    class _Retry(Retry):
        # The first retry waits too (urllib3 retries once at once; OTLP asks to back off
        # from a busy receiver), and Retry-After is capped at the backoff's cap (a
        # receiver that asks for an hour does not hang a CI job).
        def get_backoff_time(self) -> float:
            n = len(self.history)
            return 0.0 if n == 0 else min(self.backoff_max, self.backoff_factor * 2 ** (n - 1))

        def get_retry_after(self, response):
            after = super().get_retry_after(response)
            return None if after is None else min(after, self.backoff_max)

    return urllib3, urllib3.PoolManager(headers={"User-Agent": "stateline-otlp"}), _Retry


def traces_url(endpoint: str) -> str:
    """The URL to POST to, or PushFailure for something that is not an http(s) URL."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushFailure(f"'{endpoint}' is not an http:// or https:// URL")
    if parts.path in ("", "/"):
        parts = parts._replace(path="/v1/traces")
    return urllib.parse.urlunsplit(parts)


def push(body: bytes, endpoint: str, attempts: int = 4, timeout: float = 10.0,
         backoff: float = 0.5) -> Delivery:
    """Send one protobuf ExportTraceServiceRequest; raise PushFailure if it does not land."""
    url = traces_url(endpoint)
    urllib3, pool, _Retry = _client()
    retry = _Retry(total=attempts - 1, redirect=0, status_forcelist=RETRYABLE,
                   allowed_methods={"POST"}, backoff_factor=backoff,
                   backoff_max=backoff * 2 ** attempts, raise_on_status=False,
                   raise_on_redirect=False)
    try:
        response = pool.request("POST", url, body=body, retries=retry, timeout=timeout,
                                   headers={"Content-Type": "application/x-protobuf"})
    except urllib3.exceptions.MaxRetryError as exc:
        raise PushFailure(f"cannot reach the OTLP receiver at {url} after {attempts} "
                          f"attempt(s): {_reason(exc.reason)}") from None
    except urllib3.exceptions.HTTPError as exc:
        raise PushFailure(f"cannot reach the OTLP receiver at {url}: {_reason(exc)}") from None
    used = 1 + len(response.retries.history) if response.retries else 1
    reason = f"HTTP {response.status} {response.reason or ''}".rstrip()
    if response.status in RETRYABLE:
        raise PushFailure(f"cannot reach the OTLP receiver at {url} after {used} attempt(s): "
                          f"{reason}")
    if not 200 <= response.status < 300:
        raise PushFailure(f"the OTLP receiver at {url} refused the trace: {reason}")
    return _delivered(url, used, response.data)


def _reason(exc) -> str:
    """The innermost reason of a urllib3 error, without its object addresses."""
    text = str(exc)
    if ": " in text and text.startswith("<"):
        text = text.split(": ", 1)[1]
    return text


def _delivered(url: str, attempt: int, payload: bytes) -> Delivery:
    try:
        reply = ExportTraceServiceResponse.FromString(payload)
        rejected = reply.partial_success.rejected_spans
        message = reply.partial_success.error_message
    except DecodeError:      # a receiver may answer with JSON or nothing: it still landed
        rejected, message = 0, ""
    return Delivery(url, attempt, rejected, message)
