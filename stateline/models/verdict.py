"""Outcomes of a check: `Status`, `StopReason`, `Stats`, `Verdict`.

What "holds" means for the explicit-state engine: every state reachable in
this finite instance (within `constraint`) satisfies the property.  When a
bound (states, depth, time) or an interrupt stops the search first, a
property that was not violated is `UNKNOWN`, with the reason; it says nothing
about the states not explored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from .trace import Trace


class Status(enum.Enum):
    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


class StopReason(enum.Enum):
    COMPLETE = "complete"
    ALL_VIOLATED = "all-violated"
    MAX_STATES = "max-states"
    MAX_DEPTH = "max-depth"
    MAX_SECONDS = "max-seconds"
    INTERRUPTED = "interrupted"
    MODEL_ERROR = "model-error"
    SIMULATED = "simulated"         # `stateline simulate` did its random walks

    def describe(self) -> str:
        return {
            StopReason.COMPLETE: "every reachable state was explored",
            StopReason.ALL_VIOLATED: "every property was violated, so the search stopped",
            StopReason.MAX_STATES: "the --max-states bound stopped the search",
            StopReason.MAX_DEPTH: "the --max-depth bound stopped the search",
            StopReason.MAX_SECONDS: "the --max-seconds bound stopped the search",
            StopReason.INTERRUPTED: "the run was interrupted by Ctrl-C, SIGTERM or SIGHUP",
            StopReason.MODEL_ERROR: "the model raised a run-time error",
            StopReason.SIMULATED: "a random simulation ran its walks: not exhaustive",
        }[self]

    @property
    def exhaustive(self) -> bool:
        return self in (StopReason.COMPLETE, StopReason.ALL_VIOLATED)


@dataclass(frozen=True)
class Stats:
    states: int          # distinct states found
    transitions: int     # initial states + every successor generated (TLC's "generated")
    depth: int           # BFS levels; the initial states are depth 1
    seconds: float
    peak_memory_mb: float
    # With --fingerprints (checker/fingerprints): the bytes stored per distinct state
    # (fingerprint table, parent index, step position, the two levels kept as states)
    # and TLC's optimistic estimate of the chance that a collision hid a state.
    bytes_per_state: float | None = None
    collision_probability: float | None = None

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Verdict:
    prop: str
    kind: str            # "invariant" | "transition" | "deadlock"
    expected: str        # "holds" | "violated"
    status: Status
    trace: Trace | None = None
    engine: str = "bfs"
    # Why the property is false in the last state, when more can be said than that (a
    # recorded history that is not linearizable: the operation that cannot be placed).
    note: str = ""

    @property
    def met(self) -> bool | None:
        """Whether the expectation is met; None when the result is unknown."""
        if self.status is Status.UNKNOWN:
            return None
        return self.status.value == self.expected


@dataclass(frozen=True)
class ModelFailure:
    """A run-time error in the spec (a value outside its type, ...), with its trace."""

    diagnostic: Diagnostic
    trace: Trace | None


@dataclass(frozen=True)
class CheckResult:
    spec: str
    path: str
    check: str
    constants: tuple[tuple[str, str], ...]
    verdicts: tuple[Verdict, ...]
    stats: Stats
    stop: StopReason
    failure: ModelFailure | None = None
    allow_deadlock: bool = False
    warnings: tuple[str, ...] = ()
    engine: str = "bfs"             # "bfs" (check) or "simulate"
    notes: tuple[str, ...] = ()     # printed after the verdicts (e.g. fingerprint statistics)
    # check --coverage: per action, checker.coverage.ActionCoverage; None when not asked
    coverage: tuple | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and all(v.met is True for v in self.verdicts)
