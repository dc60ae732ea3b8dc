"""A first, capped try of an any-size query, and small instances when Z3 does not answer.

A step query whose invariant lacks a lemma it needs is satisfiable, but outside EPR
Z3's quantifier instantiation may search for minutes before it builds a model.  So
each step query is first asked with a Z3 resource limit (`rlimit`: counted work,
the same on every run, unlike a wall-clock timeout).  When that limit runs out, the
same obligation is asked again in the instances with at most `cti.SMALL` elements
per sort (each sort of exactly that size, quorums exactly that instance's
majorities: `cti.small_answers`), each small query under its own limit.  An
instance of those sizes is one of "every size", so a model there is a
counterexample to the any-size claim; it is decoded and replayed by `cti.decode_cti`
like any other.  When neither answers, the caller decides: the proof may still hold
(it asks the full query again, without the limit), or it has failed anyway and the
obligation is left unsettled.  A query that ran out of its limit is never "proved".
"""

from __future__ import annotations

from dataclasses import replace

from ..scopes import Answer, Outcome, ask
from .cti import Unrepresentable, decode_cti, small_answers

RLIMIT = 1_000_000          # Z3 resource units of the first try of a step query
SMALL_RLIMIT = 500_000      # and of each small-instance query after it
FAILED_RLIMIT = 100_000     # a first try once the proof has failed (it only adds CTIs)


def capped(s, deadline, rlimit: int, *assumptions) -> Answer:
    """`ask` within `rlimit` resource units; the limit is lifted again afterwards."""
    s.set("rlimit", rlimit)
    try:
        a = ask(s, deadline, *assumptions)
    finally:
        s.set("rlimit", 0)
    # Z3 reports a spent resource limit as "canceled", which `ask` reads as the timeout
    if a.outcome is Outcome.UNKNOWN and not deadline.expired and (
            "canceled" in a.reason or "ran out" in a.reason):
        return Answer(Outcome.UNKNOWN, reason=f"Z3 gave no answer within {rlimit:,} "
                                              f"resource units", seconds=a.seconds)
    return a


def first_try(s, deadline, flag, failed: bool) -> Answer:
    """The capped first try of a step query; a lower cap once the proof has `failed`
    (the answer then only adds a CTI to the report, settled or not)."""
    return capped(s, deadline, FAILED_RLIMIT if failed else RLIMIT, flag)


def small_cti(model, s, deadline, flag, *args, sized=(), steps=()):
    """A CTI of the obligation `flag` in an instance with at most SMALL elements per
    sort (the fewest first), decoded and replayed, with the Z3 model it was read from:
    (model, Cti); None when none of those instances has one that Z3 finds within
    SMALL_RLIMIT each.  `args` are decode_cti's."""
    def limited(s_, deadline_, *assumptions):
        return capped(s_, deadline_, SMALL_RLIMIT, *assumptions)
    for small in small_answers(model, s, deadline, flag, sized=sized, steps=steps,
                               asker=limited, skip_unknown=True):
        try:
            return small.model, replace(decode_cti(model, small.model, *args),
                                        searched=True)
        except Unrepresentable:
            continue
    return None
