"""Exception-safe solver scopes and solver answers as values.

`scope(solver)` pushes a backtracking point and always pops it, even when the
body raises.  `ask(solver, deadline)` runs one satisfiability check and returns
an `Answer`: sat (with its model), unsat, or unknown with Z3's reason; an
unknown, a timeout or a Z3 exception is a value here, never an exception
(STYLE.md, note 12).  `Deadline` turns one `--timeout` for a whole run into the
remaining milliseconds of each call.
"""

from __future__ import annotations

import enum
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import z3


class Outcome(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    model: z3.ModelRef | None = None
    reason: str = ""
    seconds: float = 0.0

    @property
    def sat(self) -> bool:
        return self.outcome is Outcome.SAT

    @property
    def unsat(self) -> bool:
        return self.outcome is Outcome.UNSAT


class OutOfTime(Exception):
    """The --timeout ran out while the encoding was being built (`Deadline.check`)."""


MAX_MS = 2 ** 32 - 1       # Z3's timeout is an unsigned 32-bit count of milliseconds


class Deadline:
    """The end of a run's time budget (None: no limit)."""

    def __init__(self, seconds: float | None, budget: str | None = None):
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds
        # what the reasons name when it runs out (a share of the run's --timeout says so)
        self.budget = budget or ("no time limit" if seconds is None
                                 else f"the --timeout of {seconds:g} s")

    def remaining_ms(self) -> int | None:
        if self.end is None:
            return None
        return min(MAX_MS, max(1, int((self.end - time.monotonic()) * 1000)))

    @property
    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def check(self) -> None:
        """Raise OutOfTime once the time is up (the encoder calls this in its loops)."""
        if self.end is not None and time.monotonic() >= self.end:
            raise OutOfTime(f"{self.budget} ran out while encoding")


@contextmanager
def scope(solver):
    """A backtracking point that is popped however the block ends."""
    solver.push()
    try:
        yield solver
    finally:
        solver.pop()


REASON_CHARS = 160


def one_line(reason: str) -> str:
    """A solver's reason for giving up, as one short line: Z3 sometimes explains itself
    with a dump of rules or terms, which belongs in no table."""
    lines = [x.strip() for x in str(reason).splitlines() if x.strip()]
    text = " ".join(lines[0].split()) if lines else "no reason given"
    if len(text) > REASON_CHARS:
        text = text[:REASON_CHARS - 3].rstrip() + "..."
    elif len(lines) > 1:
        text += " ..."
    return text


# Z3's older arithmetic solver ("smt.arith.solver" 2) decides the unrolled paths of
# the bounded searches faster than its default (6): on specs/eventual_lww.sl's
# weakDelivery, the fair-lasso search to depth 5 took 58.6 s against 134 s, with
# its queries over hundreds of message counters per state (bench/README.md).
UNROLLING = {"smt.arith.solver": 2}


def new_solver(**params) -> z3.Solver:
    """A solver with a fixed seed (deterministic answers), and `params` (dotted names
    as keyword arguments: `new_solver(**UNROLLING)`)."""
    s = z3.Solver()
    s.set("random_seed", 0)
    for k, v in params.items():
        s.set(k, v)
    return s


_interrupt = threading.Event()


def interrupt() -> None:
    """Stop the prover, from another thread (the command line's signal watcher): the Z3
    call running now is cancelled, and it and every later one raise KeyboardInterrupt
    in the prover's thread.  (A Python signal handler cannot do this alone: it runs
    only when Z3 returns, and inside z3's error callback, where an exception is lost.)"""
    _interrupt.set()
    z3.main_ctx().interrupt()


def clear_interrupt() -> None:
    """Forget an earlier `interrupt` (before a new run in the same process)."""
    _interrupt.clear()


def stop_if_interrupted() -> None:
    if _interrupt.is_set():
        raise KeyboardInterrupt("the prover was interrupted")


def ask(solver: z3.Solver, deadline: Deadline, *assumptions) -> Answer:
    """Check satisfiability within the deadline; never raises for unknown or timeout
    (only KeyboardInterrupt, after `interrupt`)."""
    stop_if_interrupted()
    if deadline.expired:
        return Answer(Outcome.UNKNOWN, reason=f"{deadline.budget} ran out")
    ms = deadline.remaining_ms()
    if ms is not None:
        solver.set("timeout", ms)
    started = time.perf_counter()
    try:
        r = solver.check(*assumptions)
    except z3.Z3Exception as exc:
        stop_if_interrupted()
        return Answer(Outcome.UNKNOWN, reason=f"Z3: {one_line(exc)}",
                      seconds=time.perf_counter() - started)
    stop_if_interrupted()
    seconds = time.perf_counter() - started
    if r == z3.sat:
        return Answer(Outcome.SAT, solver.model(), seconds=seconds)
    if r == z3.unsat:
        return Answer(Outcome.UNSAT, seconds=seconds)
    reason = one_line(solver.reason_unknown())
    if reason in ("timeout", "canceled") and deadline.seconds is not None:
        reason = f"{deadline.budget} ran out"
    return Answer(Outcome.UNKNOWN, reason=f"Z3: {reason}" if not reason.startswith("the") else
                  reason, seconds=seconds)
