"""Who sent each received message, and the Lamport and vector clock of every step.

The clocks are computed by replaying the trace's send and receive events, one
event per step (Lamport 1978; Fidge and Mattern 1988):

* a step of node n first merges the clock the received message carried (if
  any) into n's clock, then ticks n's own entry;
* every message the step sends carries the clock after that tick.

The sender of a received message is the latest earlier step that sent an
equal message: same shown text and type, and (on a fifo network, where a sent
message names its destination) addressed to the receiving node.  A `drop` of a
lossy network (node "network") matches any destination.  A message no earlier
step sent (one in the initial network) has no sender.

Steps are the `stateline.check` JSON form (`render.json_out.trace_json`), so a
live result and a saved one give the same clocks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepClock:
    sender: int | None        # 0-based index of the step that sent the received message
    previous: int | None      # 0-based index of the previous step of the same node
    lamport: int
    vector: tuple[tuple[str, int], ...]   # (node, count) for every node, sorted by node


def _matches(sent: dict, received: dict, receiver: str) -> bool:
    if sent["shown"] != received["shown"] or sent["type"] != received["type"]:
        return False
    to = sent.get("to")
    return to is None or to == receiver or receiver == "network"


def find_sender(steps: list[dict], i: int) -> int | None:
    """Index of the latest step before `i` that sent the message step `i` received."""
    received = steps[i].get("received")
    if not received:
        return None
    node = steps[i]["node"]
    for j in range(i - 1, -1, -1):
        if any(_matches(m, received, node) for m in steps[j].get("sent", ())):
            return j
    return None


def replay(steps: list[dict], reads: dict[int, list[int]] | None = None) -> list[StepClock]:
    """The sender, previous same-node step and clocks of every step, in order.  `reads`
    maps a step to the earlier steps whose writes it reads (shared memory): their clocks
    are merged as a received message's are."""
    nodes = sorted({s["node"] for s in steps})
    vc: dict[str, dict[str, int]] = {}
    lamport: dict[str, int] = {}
    last: dict[str, int] = {}
    out: list[StepClock] = []
    for i, step in enumerate(steps):
        node = step["node"]
        sender = find_sender(steps, i)
        clock = dict(vc.get(node) or {n: 0 for n in nodes})
        time = lamport.get(node, 0)
        for j in ([sender] if sender is not None else []) + (reads or {}).get(i, []):
            carried = dict(out[j].vector)
            clock = {n: max(clock[n], carried[n]) for n in nodes}
            time = max(time, out[j].lamport)
        clock[node] += 1
        vc[node], lamport[node] = clock, time + 1
        out.append(StepClock(sender, last.get(node), time + 1,
                             tuple((n, clock[n]) for n in nodes)))
        last[node] = i
    return out


def compare(a: dict[str, int], b: dict[str, int]) -> str:
    """"before", "after", "equal" or "concurrent" (missing entries count as 0)."""
    less = greater = False
    for key in a.keys() | b.keys():
        x, y = a.get(key, 0), b.get(key, 0)
        less, greater = less or x < y, greater or x > y
    if less and greater:
        return "concurrent"
    return "before" if less else "after" if greater else "equal"
