"""The search for a behaviour of the spec that matches a trace's events.

A sibling of the breadth-first checker (`checker.search`): it explores the
compiled model's labelled successors, but only those the trace allows.  A
configuration is (spec state, consistent cut of consumed events), the cut
being one count per chain (`order`).  From a configuration the moves are

* consume an event: the event is the next of its chain, every event it
  requires is consumed, and a step of the spec from this state matches it
  (`matches`: the same action and process instance, every observed parameter,
  the received message and the messages sent as far as observed, and every
  observation of a variable before and after the step);
* an unobserved step of an action declared internal (the cut stays).

The trace conforms when a configuration with every event consumed is
reachable from an initial state that agrees with the trace's observation of
the initial state.  Configurations are memoised, so each (state, cut) is
expanded once: the work is bounded by the number of consistent cuts (at most
(events/width + 1)^width for a trace whose concurrency is bounded by width
chains) times the states per cut.  The search is best-first: the configuration
with the most events consumed, then the fewest unseen steps, then the newest
(depth-first), trying the earliest event first (by timestamps, or file order);
so a conforming trace is usually matched in one pass, with as few unseen steps
as the order allows.  A trace that does not conform is explored to the end, and
the longest matched prefix is reported: the configuration with the most events
consumed that was reached first.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

from ..models.domains import sort_key
from ..models.model import Model
from ..models.runtime import ModelError
from .events import Event, TraceInput

CONFORMS, NOT_CONFORMS, UNKNOWN = "conforms", "does not conform", "unknown"
CHECK_EVERY = 1024
CACHE_LIMIT = 8192          # successor lists kept (a state seen again at another cut)


@dataclass(frozen=True)
class SearchOptions:
    internal: frozenset = frozenset()        # action indices (model.labels) that may go unseen
    eligible: list[bool] | None = None       # events that may go first (independence.py)
    max_configs: int | None = None
    max_seconds: float | None = None


@dataclass
class Outcome:
    verdict: str
    stop: str                          # complete | max-states | max-seconds | interrupted
    events: list[Event]
    states: list[tuple]                # the matched behaviour, or the longest matched prefix
    choices: list[int]                 # each step's position among successors_labeled
    labels: list[tuple]                # each step's label
    consumed: list[int | None]         # each step's event (index), None for internal steps
    configs: int
    seconds: float
    frontier: list[Event] = field(default_factory=list)       # events that could come next
    frontier_states: list[tuple] = field(default_factory=list)  # states after the prefix
    initial_states: int = 0            # initial states that agree with the trace
    errors: list[tuple[ModelError, tuple]] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum(1 for c in self.consumed if c is not None)


def matches(e: Event, label: tuple, s: tuple, t: tuple) -> bool:
    """Is the labelled step s -> t (of e's action) the step event e observed?"""
    if label[1] != e.inst:
        return False
    if e.params:
        p = label[2]
        for i, v in e.params:
            if p[i] != v:
                return False
    if e.msg_tag is not None:
        m = label[3]
        if m is None or m[0] != e.msg_tag:
            return False
        for i, v in e.msg_fields:
            if m[i + 1] != v:
                return False
    if e.sent is not None and sent_of(label) != e.sent:
        return False
    for target, v in e.pre:
        if target.get(s) != v:
            return False
    for target, v in e.post:
        if target.get(t) != v:
            return False
    return True


def sent_of(label: tuple) -> tuple:
    return tuple(sorted((m for m, _ in label[4]), key=sort_key))


def _steps(e: Event, s: tuple, cut: tuple, d: int, succ: list) -> list[tuple]:
    """The moves that consume e from (s, cut): (state, cut, consumed, event, choice, label),
    last first (the search pops the first)."""
    c = e.chain
    ncut = cut[:c] + (cut[c] + 1,) + cut[c + 1:]
    k = e.k
    found = [(t, ncut, d + 1, e.index, j, label) for j, (label, t) in enumerate(succ)
             if label[0] == k and matches(e, label, s, t)]
    found.reverse()
    return found


def initial_states(model: Model, trace: TraceInput) -> list[tuple]:
    """The initial states within the constraint that agree with the trace's observations."""
    out = []
    for s in model.initial_states():
        if model.constraint is not None and not model.constraint(s):
            continue
        if all(target.get(s) == v for target, v in trace.initial):
            out.append(s)
    return out


def search(model: Model, trace: TraceInput, chains: list[list[Event]],
           options: SearchOptions = SearchOptions()) -> Outcome:
    started = time.perf_counter()
    labeled = model.successors_labeled
    constraint = model.constraint
    internal = options.internal
    eligible = options.eligible
    n = len(trace.events)
    nchains = len(chains)
    lengths = [len(c) for c in chains]
    states: list[tuple] = []
    cuts: list[tuple] = []
    done: list[int] = []
    parent: list[int] = []
    moves: list[tuple] = []                  # (event index or -1, choice, label)
    seen: dict = {}
    cache: dict = {}
    errors: list = []
    starts = initial_states(model, trace)
    zero = (0,) * nchains
    for s in starts:
        if (s, zero) not in seen:
            seen[(s, zero)] = len(states)
            states.append(s)
            cuts.append(zero)
            done.append(0)
            parent.append(-1)
            moves.append((-1, -1, None))
    # Best first: the configuration with the most events consumed, then the fewest unseen
    # steps taken, then the one pushed last (so among equals the search is depth-first and
    # tries the earliest event first).
    unseen: list[int] = [0] * len(states)
    heap = [(0, 0, -x, x) for x in range(len(states))]
    heapq.heapify(heap)
    pushes = len(states)
    best = 0 if states else -1
    goal = -1
    stop = "complete"
    pops = 0
    limit = options.max_configs
    try:
        while heap:
            i = heapq.heappop(heap)[3]
            pops += 1
            if pops % CHECK_EVERY == 0:
                if options.max_seconds is not None and \
                        time.perf_counter() - started > options.max_seconds:
                    stop = "max-seconds"
                    break
            s, cut, d = states[i], cuts[i], done[i]
            if d == n:
                goal = i
                break
            succ = cache.get(s)
            if succ is None:
                try:
                    succ = labeled(s)
                except ModelError as exc:
                    if len(errors) < 8:
                        errors.append((exc, s))
                    continue
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[s] = succ
            candidates = []
            for c in range(nchains):
                pos = cut[c]
                if pos < lengths[c]:
                    e = chains[c][pos]
                    for cc, k in e.requires:
                        if cut[cc] < k:
                            break
                    else:
                        candidates.append(e)
            candidates.sort(key=lambda ev: ev.rank)
            pushed = []
            if eligible is not None:
                for e in candidates:
                    if eligible[e.index]:
                        pushed = _steps(e, s, cut, d, succ)
                        if pushed:          # e alone: see independence.py
                            break
            if not pushed:
                if internal:            # explored after the events, in successor order
                    for j in range(len(succ) - 1, -1, -1):
                        label, t = succ[j]
                        if label[0] in internal:
                            pushed.append((t, cut, d, -1, j, label))
                for e in reversed(candidates):
                    pushed.extend(_steps(e, s, cut, d, succ))
            if limit is not None and len(states) + len(pushed) > limit:
                stop = "max-states"
                break
            for t, ncut, nd, ev, j, label in pushed:
                key = (t, ncut)
                if key in seen or (constraint is not None and not constraint(t)):
                    continue
                x = seen[key] = len(states)
                states.append(t)
                cuts.append(ncut)
                done.append(nd)
                parent.append(i)
                moves.append((ev, j, label))
                unseen.append(unseen[i] + (ev < 0))
                pushes += 1
                heapq.heappush(heap, (-nd, unseen[x], -pushes, x))
                if nd > done[best]:
                    best = x
    except KeyboardInterrupt:
        stop = "interrupted"
    end = goal if goal >= 0 else best
    path, choices, labels, consumed = [], [], [], []
    x = end
    while x >= 0:
        path.append(states[x])
        ev, j, label = moves[x]
        if parent[x] >= 0:
            choices.append(j)
            labels.append(label)
            consumed.append(ev if ev >= 0 else None)
        x = parent[x]
    for part in (path, choices, labels, consumed):
        part.reverse()
    if goal >= 0:
        verdict = CONFORMS
    elif stop == "complete":
        verdict = NOT_CONFORMS
    else:
        verdict = UNKNOWN
    out = Outcome(verdict, stop, trace.events, path, choices, labels, consumed, len(states),
                  0.0, initial_states=len(starts), errors=errors)
    if verdict != CONFORMS and end >= 0:
        bcut = cuts[end]
        out.frontier_states = [states[x] for x in range(len(states)) if cuts[x] == bcut]
        for c in range(nchains):
            if bcut[c] < lengths[c]:
                e = chains[c][bcut[c]]
                if all(bcut[cc] >= k for cc, k in e.requires):
                    out.frontier.append(e)
        out.frontier.sort(key=lambda ev: ev.rank)
    elif verdict != CONFORMS:
        out.frontier = sorted((ch[0] for ch in chains if ch and not ch[0].requires),
                              key=lambda ev: ev.rank)
    out.seconds = time.perf_counter() - started
    return out
