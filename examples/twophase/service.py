"""A two-phase-commit service over TCP on localhost, traced with OpenTelemetry.

One transaction manager (TM) and N resource managers (RM[1]..RM[N]), each an
asyncio TCP server on 127.0.0.1 in its own OS process (or, with --in-process,
all in one process, still talking TCP).  The TM runs transactions one after
another: it sends Prepare to every RM, each RM votes (yes, or no with
probability --abort-rate), the TM commits when all voted yes and aborts at the
first no, and waits for every RM's Ack before the next transaction.  Every
message is delayed by a random time up to --max-delay, so messages overtake
each other.  The spec is examples/twophase/twophase.sl.

Each node is instrumented with the official OpenTelemetry SDK: its own
TracerProvider (resource `service.name` = `tm`, `rm-1`, ...), a
BatchSpanProcessor, and exporters that write OTLP protobuf to OUT/<service>.otlp.pb
(the SDK's own OTLP encoder; each batch is appended, which protobuf reads as
one message) and/or POST to an OTLP/HTTP receiver (--endpoint).  Steps are
marked with `stateline.instrument`; the trace context travels in every message.

--bug injects a real bug:
  eager-commit     an RM that votes yes sometimes commits at once, before the decision
  majority-commit  the TM commits once a majority (not all) voted yes

    python examples/twophase/service.py --out traces/ --transactions 20 --seed 7
    stateline trace validate examples/twophase/twophase.sl traces/*.otlp.pb \\
        --mapping examples/twophase/mapping.toml -D MaxTx=20

The last line of output is a JSON summary (transactions committed and aborted,
how often the bug fired, the files written).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from stateline.instrument import Node  # noqa: E402  (only opentelemetry-api inside)

BUGS = ("eager-commit", "majority-commit")
# A full queue makes the SDK drop spans, and a dropped span is a step that seemingly never
# happened: keep every span of a long run.
QUEUE = {"max_queue_size": 1 << 20, "max_export_batch_size": 4096}


class OtlpFileExporter(SpanExporter):
    """Appends each batch as an OTLP ExportTraceServiceRequest (protobuf) to a file."""

    def __init__(self, path: str):
        self.path = path
        open(path, "wb").close()

    def export(self, spans) -> SpanExportResult:
        with open(self.path, "ab") as f:
            f.write(encode_spans(spans).SerializeToString())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def service_name(node: str) -> str:
    return node.lower().replace("[", "-").replace("]", "")


def tracer_provider(node: str, args) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({
        "service.name": service_name(node), "stateline.node": node,
        "service.namespace": "twophase"}))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, service_name(node) + ".otlp.pb")
        provider.add_span_processor(BatchSpanProcessor(OtlpFileExporter(path), **QUEUE))
    if args.endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=args.endpoint,
                                                                        timeout=10), **QUEUE))
    return provider


class Net:
    """Messages as JSON lines over TCP, each delayed by a random time."""

    def __init__(self, me: str, rng: random.Random, max_delay: float):
        self.me, self.rng, self.max_delay = me, rng, max_delay
        self.peers: dict[str, int] = {}
        self.writers: dict[str, asyncio.StreamWriter] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.handler = None
        self.pending: set[asyncio.Task] = set()
        self.incoming: set[asyncio.Task] = set()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.incoming.add(asyncio.current_task())
        while line := await reader.readline():
            self.handler(json.loads(line))
        writer.close()

    def send(self, to: str, mtype: str, fields: dict, carrier: dict | None) -> None:
        msg = {"type": mtype, "fields": fields, "trace": carrier or {}, "from": self.me}
        task = asyncio.get_running_loop().create_task(
            self._deliver(to, msg, self.rng.uniform(0, self.max_delay)))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _deliver(self, to: str, msg: dict, delay: float) -> None:
        await asyncio.sleep(delay)
        lock = self.locks.setdefault(to, asyncio.Lock())
        async with lock:
            if to not in self.writers:
                _, self.writers[to] = await asyncio.open_connection("127.0.0.1", self.peers[to])
        self.writers[to].write((json.dumps(msg) + "\n").encode())
        await self.writers[to].drain()

    async def close(self) -> None:
        if self.pending:
            await asyncio.gather(*list(self.pending))
        for w in self.writers.values():
            w.close()

    async def drained(self) -> None:
        """Wait until every peer has closed its connection to this node."""
        if self.incoming:
            await asyncio.wait_for(asyncio.gather(*list(self.incoming)), timeout=30)


class TM:
    def __init__(self, args, tracer, net: Net):
        self.args, self.net = args, net
        self.node = Node("TM", tracer)
        self.rms = [f"RM[{i}]" for i in range(1, args.rms + 1)]
        self.tx, self.phase, self.yes, self.acks = 0, "idle", set(), set()
        self.idle = asyncio.Event()
        self.outcomes = {"committed": 0, "aborted": 0, "majority_commits": 0}
        net.handler = self.handle

    def _broadcast(self, step, mtype: str) -> None:
        for i, rm in enumerate(self.rms, 1):
            carrier = step.send(mtype, tx=self.tx, rm=i)
            self.net.send(rm, mtype, {"tx": self.tx, "rm": i}, carrier)

    def _observe(self, step) -> None:
        step.observe(tx=self.tx, phase=self.phase, yes=set(self.yes), acks=set(self.acks))

    async def run(self) -> None:
        with self.node.tracer.start_as_current_span("twophase run"):
            for _ in range(self.args.transactions):
                self.idle.clear()
                with self.node.step("begin") as step:
                    self.tx += 1
                    self.phase, self.yes, self.acks = "collecting", set(), set()
                    self._broadcast(step, "Prepare")
                    self._observe(step)
                await self.idle.wait()
        for rm in self.rms:
            self.net.send(rm, "Stop", {}, None)

    def handle(self, msg: dict) -> None:
        f = msg["fields"]
        if msg["type"] == "Vote":
            with self.node.step("on Vote", parent=msg["trace"],
                                received=("Vote", f)) as step:
                if f["tx"] == self.tx and self.phase == "collecting":
                    if f["yes"]:
                        self.yes.add(f["rm"])
                    else:
                        self.phase = "aborting"
                        self.outcomes["aborted"] += 1
                        self._broadcast(step, "Abort")
                self._observe(step)
            everyone = len(self.yes) == len(self.rms)
            majority = self.args.bug == "majority-commit" and 2 * len(self.yes) > len(self.rms)
            if self.phase == "collecting" and (everyone or majority):
                with self.node.step("commit") as step:
                    self.phase = "committing"
                    self.outcomes["committed"] += 1
                    self.outcomes["majority_commits"] += 0 if everyone else 1
                    self._broadcast(step, "Commit")
                    self._observe(step)
        elif msg["type"] == "Ack":
            with self.node.step("on Ack", parent=msg["trace"], received=("Ack", f)) as step:
                if f["tx"] == self.tx and self.phase in ("committing", "aborting"):
                    self.acks.add(f["rm"])
                    if len(self.acks) == len(self.rms):
                        self.phase = "idle"
                        self.idle.set()
                self._observe(step)


class RM:
    def __init__(self, name: str, args, tracer, net: Net):
        self.name, self.args, self.net = name, args, net
        self.me = int(name[3:-1])
        self.node = Node(name, tracer)
        self.rng = random.Random(f"{args.seed}:{name}:decide")
        self.tx, self.state = 0, "done"
        self.stopped = asyncio.Event()
        self.eager_commits = 0
        net.handler = self.handle

    def handle(self, msg: dict) -> None:
        f, mtype = msg["fields"], msg["type"]
        if mtype == "Stop":
            self.stopped.set()
            return
        if mtype == "Prepare":
            with self.node.step("on Prepare", parent=msg["trace"],
                                received=("Prepare", f)) as step:
                self.tx, self.state = f["tx"], "working"
                step.observe(tx=self.tx, state=self.state)
            yes = self.rng.random() >= self.args.abort_rate
            eager = self.rng.random() < self.args.eager_rate
            with self.node.step("vote", yes=yes) as step:
                self.state = "prepared" if yes else "aborted"
                vote = {"tx": self.tx, "rm": self.me, "yes": yes}
                self.net.send("TM", "Vote", vote, step.send("Vote", **vote))
                step.observe(state=self.state)
            if yes and eager and self.args.bug == "eager-commit":
                # The bug: commit right away, before the TM has decided.
                self.eager_commits += 1
                with self.node.step("on Commit") as step:
                    self.state = "committed"
                    step.observe(state=self.state)
        elif mtype in ("Commit", "Abort") and f["tx"] == self.tx:
            with self.node.step(f"on {mtype}", parent=msg["trace"],
                                received=(mtype, f)) as step:
                self.state = "committed" if mtype == "Commit" else "aborted"
                ack = {"tx": self.tx, "rm": self.me}
                self.net.send("TM", "Ack", ack, step.send("Ack", **ack))
                step.observe(state=self.state)


def make(name: str, args, provider):
    tracer = provider.get_tracer("twophase")
    net = Net(name, random.Random(f"{args.seed}:{name}:delay"), args.max_delay / 1000)
    return (TM(args, tracer, net) if name == "TM" else RM(name, args, tracer, net)), net


async def run_nodes(names: list[str], args, peers_source) -> dict:
    """Start the named nodes in this process, learn every node's port from
    `peers_source(own ports)`, run until the TM is done, and flush the traces."""
    providers, nodes, servers, ports = {}, {}, [], {}
    for name in names:
        providers[name] = tracer_provider(name, args)
        nodes[name] = make(name, args, providers[name])
        server = await asyncio.start_server(nodes[name][1].serve, "127.0.0.1", 0)
        servers.append(server)
        ports[name] = server.sockets[0].getsockname()[1]
    peers = await peers_source(ports)
    for node, net in nodes.values():
        net.peers = peers
    for node, net in nodes.values():
        if isinstance(node, TM):
            await node.run()
        else:
            await node.stopped.wait()
    for node, net in nodes.values():
        await net.close()
    for node, net in nodes.values():
        await net.drained()
    for server in servers:
        server.close()
    summary = {}
    for name, (node, _) in nodes.items():
        providers[name].shutdown()
        if isinstance(node, TM):
            summary.update(node.outcomes)
        else:
            summary["eager_commits"] = summary.get("eager_commits", 0) + node.eager_commits
    return summary


def node_process(args) -> None:
    """One node of a multi-process run: print the port, read every node's port."""
    async def peers_from_stdin(ports):
        print(json.dumps(ports), flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        return json.loads(line)
    summary = asyncio.run(run_nodes([args.node], args, peers_from_stdin))
    print(json.dumps(summary), flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rms", type=int, default=3, help="resource managers (default 3)")
    p.add_argument("--transactions", type=int, default=10)
    p.add_argument("--seed", type=int, default=0, help="seeds votes, bug and delays")
    p.add_argument("--max-delay", type=float, default=5.0, metavar="MS",
                   help="each message is delayed by up to this many ms (default 5)")
    p.add_argument("--abort-rate", type=float, default=0.2,
                   help="probability that an RM votes no (default 0.2)")
    p.add_argument("--bug", choices=BUGS)
    p.add_argument("--eager-rate", type=float, default=0.3,
                   help="eager-commit: probability that a yes vote commits at once")
    p.add_argument("--out", metavar="DIR", help="write OUT/<service>.otlp.pb")
    p.add_argument("--endpoint", metavar="URL", help="also POST spans to this OTLP/HTTP URL")
    p.add_argument("--in-process", action="store_true",
                   help="run every node in this process (still over TCP)")
    p.add_argument("--node", help=argparse.SUPPRESS)      # a child of a multi-process run
    args = p.parse_args(argv)
    if args.node:
        node_process(args)
        return 0
    names = ["TM"] + [f"RM[{i}]" for i in range(1, args.rms + 1)]
    if args.in_process:
        async def same(ports):
            return ports
        summary = asyncio.run(run_nodes(names, args, same))
    else:
        summary = launch(names, args, argv if argv is not None else sys.argv[1:])
    files = sorted(os.path.join(args.out, service_name(n) + ".otlp.pb") for n in names) \
        if args.out else []
    print(json.dumps({**summary, "transactions": args.transactions, "files": files}))
    return 0


def launch(names: list[str], args, argv: list[str]) -> dict:
    """One OS process per node; the ports each one listens on are passed to all."""
    procs = {n: subprocess.Popen([sys.executable, os.path.abspath(__file__), *argv, "--node", n],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for n in names}
    ports = {}
    for proc in procs.values():
        ports.update(json.loads(proc.stdout.readline()))
    for proc in procs.values():
        proc.stdin.write(json.dumps(ports) + "\n")
        proc.stdin.flush()
    summary: dict = {}
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise SystemExit(f"node {name} failed with exit code {proc.returncode}")
        part = json.loads(out.strip().splitlines()[-1])
        for key, v in part.items():
            summary[key] = summary.get(key, 0) + v
    return summary


if __name__ == "__main__":
    sys.exit(main())
