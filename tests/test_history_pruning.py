"""The linearizability search's reductions (stateline/history/wgl.py), pinned on
simulated histories (bench/history_sim.py) that needed them: each pin is the verdict
and the exact number of configurations explored, so a reduction that is lost (or made
unsound, which the brute-force cross-checks in test_history_models.py catch) fails here.

- observers (reads, gets, failed cas) legal after a placement go next, alone, and a
  configuration with more optional operations than one seen is dominated: the buggy
  1,000-operation cas-register histories of seed 1 (no verdict within 20 s before; the
  one with lost writes is linearizable, its first 1,000 events are searched here);
- kv: appends no get contains and puts no get starts with are left out, a put is
  enabled by no optional operation, a get only by a chain whose state is a prefix of
  what it read (30 keys of 20 clients: over 20 s before, 2,735 configurations now);
- queue: the elements no dequeue returns are one value.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stateline.history import wgl
from stateline.history.datatypes import DATATYPES
from stateline.history.keys import split
from stateline.history.model import pair

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from history_sim import simulate  # noqa: E402


def searched(model, events, initial=None):
    datatype = DATATYPES[model]
    return wgl.search(pair(events, datatype), datatype, initial)


def test_the_buggy_cas_register_histories_of_seed_1():
    stale = simulate("cas-register", 1000, 10, 1, seed=1, bug="stale-reads")
    outcome = searched("cas-register", stale, 0)
    assert (outcome.order, outcome.frontier, outcome.configurations) == (None, 311, 337865)
    lost = simulate("cas-register", 1000, 10, 1, seed=1, bug="lost-writes")[:1000]
    outcome = searched("cas-register", lost, 0)
    assert outcome.order is not None and outcome.configurations == 65658


def test_kv_keys_with_indeterminate_puts_and_appends():
    events = simulate("kv", 3000, 20, 30, seed=1)
    datatype = DATATYPES["kv"]
    outcomes = [wgl.search(ops, datatype, None)
                for ops in split(pair(events, datatype)).values()]
    assert all(o.order is not None for o in outcomes)
    assert (len(outcomes), sum(o.configurations for o in outcomes)) == (30, 2735)


def test_queue_elements_never_dequeued_are_one_value():
    assert searched("queue", simulate("queue", 50, 5, 1, seed=1)).configurations == 536
    outcome = searched("queue", simulate("queue", 100, 5, 1, seed=1))
    assert outcome.order is not None and outcome.configurations == 19642
