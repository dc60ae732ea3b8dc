"""What a symbolic engine concludes about each property: `Claim`, `Obligation`, `ProveResult`.

What each claim means:

* `PROVED`: every reachable state of this instance satisfies the property
  (induction: the property with the lemmas is inductive; Spacer: it found an
  inductive invariant that implies it).
* `BOUNDED`: no behaviour of at most `depth` steps violates it (BMC); says
  nothing about longer behaviours.
* `VIOLATED`: a real counterexample, replayed through the compiled model.
* `NOT_PROVED`: the proof attempt failed with a counterexample to induction
  (a state satisfying the invariant whose successor does not); the property may
  still hold.
* `UNKNOWN`: Z3 gave up (timeout, incompleteness), with the reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..models.trace import Trace
from ..models.verdict import ModelFailure, Status, Verdict


class Claim(enum.Enum):
    PROVED = "proved"
    BOUNDED = "holds up to the bound"
    VIOLATED = "violated"
    NOT_PROVED = "not proved"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Cti:
    """A counterexample to induction: `trace.states[0]` satisfies every assumed
    property, the step is one of `action`, and `trace.states[1]` violates `breaks`."""

    action: str
    breaks: str
    trace: Trace
    assumed: tuple[str, ...] = ()
    why: str = ""           # for a ranking argument: which obligation fails
    violates: tuple[str, ...] = ()  # the dropped lemmas (--drop) false in the first state
    instance: str = ""      # any-size proofs: the concrete instance it was found in
    searched: bool = False  # any-size: found by searching the small instances (Z3 gave no
    #                         answer for every size at once within its first limit)


@dataclass(frozen=True)
class Obligation:
    name: str
    kind: str               # "invariant" | "transition" | "deadlock" | "lemma" | "errors" | "rank"
    expected: str           # "holds" | "violated"
    claim: Claim
    detail: str = ""
    trace: Trace | None = None      # a real counterexample (VIOLATED)
    cti: Cti | None = None          # why a proof failed (NOT_PROVED)
    invariant: str | None = None    # the inductive invariant found (Spacer)
    depth: int | None = None

    @property
    def met(self) -> bool | None:
        """Is the expectation met?  None: no verdict either way (exit 3)."""
        c = self.claim
        if c is Claim.PROVED:
            return self.expected == "holds"
        if c is Claim.VIOLATED:
            return self.expected == "violated"
        if c is Claim.BOUNDED:
            return True if self.expected == "holds" else None
        if c is Claim.NOT_PROVED:
            return False if self.expected == "holds" else None
        return None

    def verdict(self, engine: str) -> Verdict:
        status = {Claim.PROVED: Status.HOLDS, Claim.BOUNDED: Status.HOLDS,
                  Claim.VIOLATED: Status.VIOLATED}.get(self.claim, Status.UNKNOWN)
        kind = self.kind if self.kind in ("invariant", "transition", "deadlock", "temporal") \
            else "invariant"
        return Verdict(self.name, kind, self.expected, status, self.trace, engine)


@dataclass(frozen=True)
class ProveResult:
    spec: str
    path: str
    check: str
    constants: tuple[tuple[str, str], ...]
    engine: str                     # "bmc" | "induction" | "k-induction" | "spacer" | "ranking"
    obligations: tuple[Obligation, ...]
    seconds: float
    depths: tuple[tuple[int, float], ...] = ()   # BMC: (depth, seconds) per depth checked
    failure: ModelFailure | None = None          # a run-time error found (BMC)
    notes: tuple[str, ...] = field(default=())
    certificates: object = field(default=None, compare=False)   # --emit-smt (certificates.py)

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        return tuple(o.verdict(self.engine) for o in self.obligations)
