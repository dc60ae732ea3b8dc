"""Validating the traces of a running system against a spec: the whole pipeline.

    reader = EventReader(model, mapping)
    traces = reader.read([importer.read(path) for path in files])
    results = validate(model, reader, traces, ValidateOptions(...), expected)

Each trace (spans merged from every file by trace id) is ordered (`order`),
searched (`search`) and, when it does not conform, explained (`explain`).
The matched behaviour -- or the longest matched prefix -- is replayed into a
`Trace` like every engine's, and checked against the spec's invariants and
transition invariants, so a conforming trace that the spec itself would flag
is reported too.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

from ..models.guards import Guards
from ..models.model import Model
from ..models.runtime import ModelError
from ..models.trace import Trace
from .events import Event, EventError, EventReader, TraceInput
from .explain import Explanation, explain, explain_initial
from .independence import eligible
from .order import order
from .search import CONFORMS, NOT_CONFORMS, UNKNOWN, Outcome, SearchOptions, search

MAX_EXPLAINED = 3          # events explained at the point where matching stops


@dataclass(frozen=True)
class ValidateOptions:
    timestamps: bool = True                  # start times as the tie-break
    internal: tuple[str, ...] = ()           # actions that may happen without a span
    max_configs: int | None = None
    max_seconds: float | None = None
    reduction: bool = True                   # take independent events first (independence.py)


@dataclass(frozen=True)
class Violation:
    prop: str
    kind: str              # "invariant" | "transition"
    expected: str          # "holds" | "violated"
    step: int              # the first state (0: initial) or step that violates it


@dataclass
class TraceResult:
    trace: TraceInput
    outcome: Outcome
    model: Model = field(repr=False)
    step_events: list[Event | None]           # the event each step matched (None: internal)
    chains: int
    internal: tuple[str, ...]
    explanations: list[Explanation] = field(default_factory=list)
    initial_reasons: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @functools.cached_property
    def behaviour(self) -> Trace:
        """The matched behaviour (or longest matched prefix), every step described as
        every engine describes it (built when first asked for: a long trace's steps are
        only shown on request)."""
        states, labels = self.outcome.states, self.outcome.labels
        if not states:
            return Trace((), ())
        steps = tuple(self.model.step(states[i - 1], labels[i - 1], states[i], i)
                      for i in range(1, len(states)))
        return Trace(self.model.describe(states[0]), steps, tuple(states))

    @property
    def verdict(self) -> str:
        return self.outcome.verdict

    @property
    def expectation_failed(self) -> bool:
        return self.verdict == NOT_CONFORMS or any(v.expected == "holds"
                                                   for v in self.violations)


def internal_actions(reader: EventReader, names) -> tuple[frozenset, tuple[str, ...]]:
    """Action indices of the names (`RM.vote`, `vote`, `network.drop`), and their titles."""
    ks = set()
    for name in names:
        ks.add(reader.action_index(name, None, "internal actions"))
    titles = tuple(sorted((f"{reader.model.labels[k][1]}." if reader.model.labels[k][1]
                           else "") + reader.model.labels[k][0] for k in ks))
    return frozenset(ks), titles


def validate(model: Model, reader: EventReader, traces: list[TraceInput],
             options: ValidateOptions = ValidateOptions(),
             expected: dict[str, str] | None = None,
             sources: dict[str, str] | None = None) -> list[TraceResult]:
    """Validate each trace; raises EventError for a trace whose order is cyclic."""
    internal, titles = internal_actions(reader, list(reader.mapping.internal) +
                                        list(options.internal))
    guards = Guards(model, sources)
    started = time.perf_counter()
    out = []
    for trace in traces:
        chains = order(trace, options.timestamps)
        budget = None
        if options.max_seconds is not None:
            budget = max(0.0, options.max_seconds - (time.perf_counter() - started))
        first = eligible(model, trace, chains, internal) if options.reduction else None
        outcome = search(model, trace, chains,
                         SearchOptions(internal, first, options.max_configs, budget))
        steps = [trace.events[c] if c is not None else None for c in outcome.consumed]
        result = TraceResult(trace, outcome, model, steps, len(chains), titles)
        if outcome.verdict != CONFORMS:
            if not outcome.states:
                result.initial_reasons = explain_initial(model, trace)
            elif outcome.verdict == NOT_CONFORMS:
                result.explanations = [explain(model, guards, e, outcome.frontier_states)
                                       for e in outcome.frontier[:MAX_EXPLAINED]]
        result.violations = _violations(model, outcome.states, expected or {})
        out.append(result)
    return out


def _violations(model: Model, states: list[tuple], expected: dict[str, str]) -> list[Violation]:
    """The first state (or step) of the behaviour where each property fails; a property
    that cannot be evaluated there (a run-time error in it) counts as failing, as in the
    checker."""
    def fails(fn, *args) -> bool:
        try:
            return not fn(*args)
        except ModelError:
            return True

    found = []
    for prop, fn in model.invariants:
        for i, s in enumerate(states):
            if fails(fn, s):
                found.append(Violation(prop.name, "invariant", expected.get(prop.name, "holds"),
                                       i))
                break
    for prop, fn in model.transitions:
        for i in range(1, len(states)):
            if fails(fn, states[i - 1], states[i]):
                found.append(Violation(prop.name, "transition",
                                       expected.get(prop.name, "holds"), i))
                break
    return found


__all__ = ["CONFORMS", "NOT_CONFORMS", "UNKNOWN", "EventError", "TraceResult",
           "ValidateOptions", "Violation", "internal_actions", "validate"]
