"""Trace-validation benchmark: traces of the example service, by length and by concurrency.

Each trace is produced by examples/twophase/service.py itself (all nodes in this
process, still over TCP, messages delayed by up to 0.2 ms, seed 1), exported by
the official OpenTelemetry SDK as OTLP protobuf files, then validated against
examples/twophase/twophase.sl with `stateline.validation` (`-D MaxTx=<transactions>`,
`-D N=<resource managers>`).  Every trace is validated as it is (it conforms) and
with its last event broken (the TM's last `on Ack` observes `phase = collecting`):
a trace that does not conform at its very end, so the search must exhaust every
configuration before it, the worst place for a violation.  Cases run with the
partial-order reduction (the default) and, up to `--full-limit` events, without it
(`--no-reduction`), stopped after 120 s (verdict unknown).

    python bench/trace_validation_bench.py [--runs K] [--markdown] [--quick]
                                           [--series length|nodes] [--full-limit EVENTS]

Times are CPU seconds (the machine is shared), the median of K runs (3 by default) of
reading the files, mapping the spans,
ordering the events, the search and (for a violation) its explanation; "configs" is
the number of (state, cut) configurations the search stored.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import statistics
import sys
import tempfile
import time

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from tabulate import tabulate

from stateline import check_blocks, load_spec, parse_override
from stateline.checker.run import prepare
from stateline.otlp import importer
from stateline.validation.events import EventReader
from stateline.validation.rules import Mapping
from stateline.validation.run import ValidateOptions, validate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from run_bench import machine  # noqa: E402  (bench/ is not a package)

SPEC = os.path.join(ROOT, "examples", "twophase", "twophase.sl")
# (transactions, resource managers): about 16.5 events per transaction with 3 RMs
LENGTHS = [(6, 3), (60, 3), (600, 3), (6000, 3)]
NODES = [(200, 1), (100, 2), (60, 4), (40, 6), (20, 9)]
MAX_SECONDS = 120         # a search still running then is reported unknown


def service():
    spec = importlib.util.spec_from_file_location(
        "twophase_service", os.path.join(ROOT, "examples", "twophase", "service.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(svc, directory: str, transactions: int, rms: int) -> list[str]:
    out = os.path.join(directory, f"t{transactions}-n{rms}")
    if not os.path.isdir(out):
        with contextlib.redirect_stdout(io.StringIO()):
            svc.main(["--in-process", "--out", out, "--transactions", str(transactions),
                      "--rms", str(rms), "--seed", "1", "--max-delay", "0.2"])
    return sorted(os.path.join(out, f) for f in os.listdir(out) if f.endswith(".otlp.pb"))


def broken(files: list[str], directory: str) -> list[str]:
    """The same files with the TM's last `on Ack` observing phase = collecting."""
    tm = next(f for f in files if os.path.basename(f) == "tm.otlp.pb")
    request = ExportTraceServiceRequest.FromString(open(tm, "rb").read())
    last = max((sp for rs in request.resource_spans for ss in rs.scope_spans for sp in ss.spans
                if sp.name == "on Ack"), key=lambda sp: sp.start_time_unix_nano)
    for kv in last.attributes:
        if kv.key == "stateline.var.phase":
            kv.value.string_value = "collecting"
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, "tm.otlp.pb")
    with open(target, "wb") as f:
        f.write(request.SerializeToString())
    return [target if f == tm else f for f in files]


def model_for(transactions: int, rms: int):
    loaded = load_spec(SPEC)
    overrides = dict(parse_override(loaded, d) for d in (f"MaxTx={transactions}", f"N={rms}"))
    return prepare(loaded, check_blocks(loaded)[0], overrides)


def run_once(model, files: list[str], reduction: bool):
    t0 = time.process_time()
    reader = EventReader(model, Mapping())
    traces = reader.read([importer.read(f) for f in files])
    [result] = validate(model, reader, [t for t in traces if t.events],
                        ValidateOptions(reduction=reduction, max_seconds=MAX_SECONDS))
    return time.process_time() - t0, result


def measure(model, files, reduction: bool, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        seconds, result = run_once(model, files, reduction)
        times.append(seconds)
    return statistics.median(times), result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--quick", action="store_true", help="only the smaller cases")
    p.add_argument("--series", choices=["length", "nodes"], help="only this series")
    p.add_argument("--full-limit", type=int, default=1000, metavar="EVENTS",
                   help="run --no-reduction only on traces up to this many events")
    args = p.parse_args()
    svc = service()
    cases = [("length", t, n) for t, n in LENGTHS] + [("nodes", t, n) for t, n in NODES]
    if args.quick:
        cases = [c for c in cases if c[1] * (1 + 5 * c[2]) <= 2000]
    if args.series:
        cases = [c for c in cases if c[0] == args.series]
    rows = []
    print(machine(), file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        for kind, transactions, rms in cases:
            files = generate(svc, tmp, transactions, rms)
            bad = broken(files, os.path.join(tmp, f"bad-{transactions}-{rms}"))
            model = model_for(transactions, rms)
            for label, trace_files in (("conforms", files), ("broken at the end", bad)):
                for reduction in (True, False):
                    if not reduction and transactions * (1 + 5 * rms) > args.full_limit:
                        continue
                    seconds, r = measure(model, trace_files, reduction, args.runs)
                    events = len(r.trace.events)
                    rows.append([kind, rms + 1, f"{events:,}", label,
                                 "on" if reduction else "off", r.verdict,
                                 f"{r.outcome.configs:,}", f"{seconds:.2f}"])
                    print("  ".join(map(str, rows[-1])), file=sys.stderr)
    heads = ["series", "nodes", "events", "trace", "reduction", "verdict", "configs", "seconds"]
    print(tabulate(rows, heads, tablefmt="github" if args.markdown else "simple",
                   disable_numparse=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
