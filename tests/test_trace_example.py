"""The example service, run for real, and its traces validated against its spec.

examples/twophase/service.py is a two-phase-commit service over TCP on localhost
(asyncio; one OS process per node, or all in one with --in-process), traced with
the official OpenTelemetry SDK: the OTLP files and the OTLP/HTTP bodies are the
SDK's, not Stateline's.  Every message is delayed at random, so each run
interleaves differently; votes, delays and the injected bug are seeded, so the
verdicts are not left to timing:

* the correct service's traces always conform;
* with --bug eager-commit (an RM sometimes commits as soon as it votes yes) a trace
  is rejected exactly when the bug fired, at the RM's commit, because no Commit
  message is in flight;
* with --bug majority-commit (the TM commits on a majority of yes votes) the
  TM's commit is rejected on its guard `yes == RMs`;
* with the RMs' vote spans removed, the trace conforms only when `vote` is
  declared internal.

TRACE_EXAMPLE_RUNS=N runs N seeds of each (default 3).  Every run is bounded in time
(IN_PROCESS_SECONDS for an in-process run, in a thread of its own): a lost message
would otherwise leave the TM waiting forever, and the suite with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import importlib.util
import io
import json
import pathlib
import subprocess
import sys
import threading
import time

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from stateline.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "twophase"
SPEC = str(EXAMPLE / "twophase.sl")
MAPPING = str(EXAMPLE / "mapping.toml")
RUNS = int(__import__("os").environ.get("TRACE_EXAMPLE_RUNS", "3"))
TX = 4
IN_PROCESS_SECONDS = 60      # a run takes well under a second; the bound is for a hang


def load_service():
    spec = importlib.util.spec_from_file_location("twophase_service", EXAMPLE / "service.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


service = load_service()


def run_in_process(out: pathlib.Path, seed: int, *extra: str,
                   seconds: float = IN_PROCESS_SECONDS) -> dict:
    """The service's summary of an in-process run; the test fails if the run does not
    finish within `seconds` (its thread, a daemon, is left waiting)."""
    buf, failed = io.StringIO(), []

    def run() -> None:
        try:
            service.main(["--in-process", "--out", str(out), "--transactions", str(TX),
                          "--seed", str(seed), "--max-delay", "2", *extra])
        except BaseException as exc:        # re-raised in the test's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name=f"twophase seed {seed}", daemon=True)
    with contextlib.redirect_stdout(buf):
        thread.start()
        thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"the in-process run (seed {seed}) did not finish in {seconds:g} s: "
                    "a message lost, or a node waiting for one that never comes")
    if failed:
        raise failed[0]
    return json.loads(buf.getvalue().splitlines()[-1])


def validate(capsys, files, *extra) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["trace", "validate", SPEC, *map(str, files), "--mapping", MAPPING,
                 "-D", f"MaxTx={TX}", "--json", "-", *extra])
    return code, json.loads(capsys.readouterr().out)


class Collector(http.server.BaseHTTPRequestHandler):
    def do_POST(self):                                  # noqa: N802 (http.server's name)
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def collector():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    server.bodies = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def events_per_run(summary: dict, rms: int = 3) -> int:
    """begin, per RM on Prepare, vote, TM's on Vote, decision delivery, TM's on Ack; and a
    commit step per committed transaction, an eager commit per time the bug fired."""
    return summary["transactions"] * (1 + 5 * rms) + summary["committed"] + \
        summary.get("eager_commits", 0)


def test_one_process_per_node_exporting_to_files_and_to_a_receiver(collector, tmp_path,
                                                                   capsys):
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}/v1/traces"
    done = subprocess.run([sys.executable, str(EXAMPLE / "service.py"), "--out",
                           str(tmp_path / "files"), "--endpoint", endpoint,
                           "--transactions", str(TX), "--seed", "11", "--max-delay", "2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["committed"] + summary["aborted"] == TX
    files = sorted((tmp_path / "files").glob("*.otlp.pb"))
    assert [f.name for f in files] == ["rm-1.otlp.pb", "rm-2.otlp.pb", "rm-3.otlp.pb",
                                       "tm.otlp.pb"]
    code, doc = validate(capsys, files)
    assert code == 0
    [r] = doc["traces"]
    assert r["verdict"] == "conforms" and r["unmapped"] == 1
    assert r["events"] == r["matched"] == events_per_run(summary)
    # what reached the receiver is the same trace
    merged = ExportTraceServiceRequest()
    for body in collector.bodies:
        merged.MergeFromString(body)
    received = tmp_path / "received.otlp.pb"
    received.write_bytes(merged.SerializeToString())
    code, doc2 = validate(capsys, [received])
    assert code == 0
    [r2] = doc2["traces"]
    assert (r2["trace_id"], r2["events"], r2["verdict"]) == (r["trace_id"], r["events"],
                                                            "conforms")


@pytest.mark.parametrize("seed", range(RUNS))
def test_the_correct_service_always_conforms(seed, tmp_path, capsys):
    summary = run_in_process(tmp_path, seed)
    code, doc = validate(capsys, sorted(tmp_path.glob("*.otlp.pb")))
    assert code == 0
    [r] = doc["traces"]
    assert r["verdict"] == "conforms"
    assert r["matched"] == events_per_run(summary)
    assert r["violations"] == []


EAGER_COMMITS = [0, 1, 3]        # how often the bug fires with seeds 0, 1, 2 (seeded votes)


@pytest.mark.parametrize("seed", range(max(RUNS, len(EAGER_COMMITS))))
def test_an_eager_commit_is_rejected_exactly_when_it_happened(seed, tmp_path, capsys):
    summary = run_in_process(tmp_path, seed, "--bug", "eager-commit", "--eager-rate", "0.15")
    if seed < len(EAGER_COMMITS):
        assert summary["eager_commits"] == EAGER_COMMITS[seed]
    code, doc = validate(capsys, sorted(tmp_path.glob("*.otlp.pb")))
    [r] = doc["traces"]
    if summary["eager_commits"] == 0:
        assert code == 0 and r["verdict"] == "conforms"
        return
    assert code == 1 and r["verdict"] == "does not conform"
    # Either an eager commit itself (no Commit message ever comes: the TM aborted), or
    # -- since its span does not say which message it handled, the search lets it take
    # the TM's Commit when one comes -- the RM's real handler, whose message is then gone.
    assert r["unmatched"]
    for unmatched in r["unmatched"]:
        assert unmatched["event"]["name"] == "on Commit"
        [reason] = unmatched["reasons"]
        head = f"{unmatched['event']['step']} is not enabled: "
        assert reason["reason"].startswith(head + "no Commit message in flight passes its "
                                                  "guard") \
            or reason["reason"].startswith(head + "Commit(tx="), reason["reason"]


def test_a_majority_commit_is_rejected_on_the_guard(tmp_path, capsys):
    run_in_process(tmp_path, 5, "--bug", "majority-commit", "--abort-rate", "0")
    code, doc = validate(capsys, sorted(tmp_path.glob("*.otlp.pb")))
    assert code == 1
    [r] = doc["traces"]
    [unmatched] = r["unmatched"]
    assert unmatched["event"]["step"] == "TM.commit"
    [reason] = unmatched["reasons"]
    assert reason["reason"].startswith("TM.commit is not enabled: `yes == RMs` (")
    assert "is false; TM has tx = 1, phase = collecting, yes = " in reason["reason"]


def test_unlogged_votes_need_vote_declared_internal(tmp_path, capsys):
    summary = run_in_process(tmp_path, 2)
    for f in tmp_path.glob("rm-*.otlp.pb"):
        request = ExportTraceServiceRequest.FromString(f.read_bytes())
        for rs in request.resource_spans:
            for ss in rs.scope_spans:
                keep = [sp for sp in ss.spans if sp.name != "vote"]
                del ss.spans[:]
                ss.spans.extend(keep)
        f.write_bytes(request.SerializeToString())
    files = sorted(tmp_path.glob("*.otlp.pb"))
    code, doc = validate(capsys, files)
    assert code == 1
    assert doc["traces"][0]["unmatched"][0]["event"]["step"].startswith("TM.on Vote")
    code, doc = validate(capsys, files, "--internal", "RM.vote")
    assert code == 0
    [r] = doc["traces"]
    internal = [s for s in r["behaviour"]["steps"] if s["span_id"] is None]
    assert len(internal) == 3 * TX and {s["action"] for s in internal} == {"vote"}
    assert r["matched"] == events_per_run(summary) - 3 * TX


def test_a_run_that_loses_a_message_fails_in_bounded_time(tmp_path, monkeypatch):
    """One Ack lost: the TM waits for it forever, so the run never ends.  The test of such
    a run fails at its bound instead of hanging the suite; the Ack, delivered late, lets
    the run finish (no thread is left behind)."""
    held = []
    send = service.Net.send

    def lossy(net, to, mtype, fields, carrier):
        if mtype == "Ack" and not held:
            held.append((asyncio.get_running_loop(), net, to, mtype, fields, carrier))
            return
        send(net, to, mtype, fields, carrier)

    monkeypatch.setattr(service.Net, "send", lossy)
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"did not finish in 1 s: a message lost"):
        run_in_process(tmp_path, 0, seconds=1)
    assert time.monotonic() - started < 30 and held
    loop, *message = held[0]
    [runner] = [t for t in threading.enumerate() if t.name == "twophase seed 0"]
    loop.call_soon_threadsafe(send, *message)
    runner.join(IN_PROCESS_SECONDS)
    assert not runner.is_alive()
