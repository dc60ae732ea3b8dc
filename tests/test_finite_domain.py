"""The bounded searches on Z3's finite-domain tactic (`prover/finite_domain.py`).

Two things could make them wrong.  The bounds `path_bounds` proves for a bag's
message counts must exclude no path: checked here with the SMT solver, which gets
no bounds, for every depth up to 3 (a path whose last state leaves the bounds must
not exist), on the library's specs with bags and on generated ones.  And the
finite-domain tactic must answer as the SMT solver does: the fair-lasso search (the
one search that uses it) gives the same verdicts, depths and lasso lengths with either
on library specs, and the engine-agreement tests check it against the explicit checker
on generated specs."""

from __future__ import annotations

from pathlib import Path

import pytest
import z3
from hypothesis import HealthCheck, given, settings

from stateline import check_blocks, load_spec
from stateline.lang.load import load_text
from stateline.prover import bmc as bmc_module
from stateline.prover.bmc import BmcRun
from stateline.prover.finite_domain import path_bounds
from stateline.prover.lasso import lasso_search
from stateline.prover.run import encode, instance
from stateline.prover.scopes import Deadline, ask, new_solver
from stateline.prover.terms import And, Or
from test_prove_any_size_raft import bag_and_seq_specs

ROOT = Path(__file__).resolve().parent.parent

BAGS = [("specs/eventual_lww.sl", "weakDelivery", 3), ("specs/eventual_lww.sl", "noHeal", 2),
        ("specs/lamport_clock.sl", None, 3), ("specs/labs/lww_wallclock.sl", None, 2),
        ("specs/vector_clock.sl", None, 3)]


def _encoded(loaded, block):
    blocks = check_blocks(loaded, [block] if block else None)
    model = instance(loaded, blocks[0], {})
    return model, encode(model)


def assert_bounds_exclude_no_path(model, enc, depth: int = 3):
    trans = enc.trans()
    bounds = path_bounds(enc, Deadline(60))
    assert bounds is not None
    for k in range(depth + 1):
        s = new_solver()            # the paths of k steps, with no bound on any count
        s0 = enc.at(0)
        s.add(*s0.facts, enc.init(s0))
        for i in range(k):
            pre, post = enc.at(i), enc.at(i + 1)
            s.add(*post.facts, enc.instantiate(trans, pre, post, f"@{i}"))
        last = enc.at(k).leaves
        b = bounds.start + k * bounds.step
        beyond = Or(*(Or(last[p] > b, last[p] < -b) for p in bounds.positions))
        s.add(beyond)
        assert ask(s, Deadline(120)).unsat, (k, b)
    return bounds


@pytest.mark.parametrize("path,block,depth", BAGS, ids=[f"{p}:{b}" for p, b, _ in BAGS])
def test_bounds_exclude_no_path_of_the_library(path, block, depth):
    model, enc = _encoded(load_spec(str(ROOT / path)), block)
    bounds = assert_bounds_exclude_no_path(model, enc, depth)
    assert bounds.positions          # a bag: its counts have no bound in their type
    assert (bounds.start, bounds.step) == (0, 1)    # empty at first, one copy a step


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(bag_and_seq_specs())
def test_bounds_exclude_no_path_of_generated_specs(case):
    model, enc = _encoded(load_text(case[0], "gen.sl"), None)
    assert assert_bounds_exclude_no_path(model, enc).positions


def test_no_bounds_needed_without_a_bag():
    model, enc = _encoded(load_spec(str(ROOT / "specs/peterson.sl")), None)
    bounds = path_bounds(enc, Deadline(60))
    assert bounds is not None and bounds.positions == ()


def _smt_only(monkeypatch):
    monkeypatch.setattr(bmc_module, "path_bounds", lambda *a: None)


def _summary(obligations):
    return [(o.name, o.claim.value, o.depth, len(o.trace.steps) if o.trace else None)
            for o in obligations]


LASSOS = [("specs/peterson.sl", None, 6), ("specs/fairness_flicker.sl", None, 6),
          ("specs/labs/lww_wallclock.sl", None, 1), ("specs/eventual_lww.sl", "weakDelivery", 3)]


@pytest.mark.parametrize("path,block,depth", LASSOS, ids=[f"{p}:{b}" for p, b, _ in LASSOS])
def test_lasso_search_answers_as_the_smt_solver(path, block, depth, monkeypatch):
    loaded = load_spec(str(ROOT / path))
    model, enc = _encoded(loaded, block)
    used = []
    original = BmcRun.ask_at

    def ask_at(self, term, post=None):
        a = original(self, term, post)
        used.append(self.bounds is not None)
        return a
    monkeypatch.setattr(BmcRun, "ask_at", ask_at)
    finite = lasso_search(enc, model, depth, {}, Deadline(300))
    assert finite and used and all(used)     # every query went to the finite-domain tactic
    _smt_only(monkeypatch)
    model, enc = _encoded(loaded, block)
    smt = lasso_search(enc, model, depth, {}, Deadline(300))
    assert _summary(finite) == _summary(smt)


def test_a_query_the_finite_solver_gives_up_on_goes_to_the_smt_solver():
    """An integer no fact bounds (here a fresh one in the query) makes the finite-domain
    tactic give up; the run asks the SMT solver from then on, with the whole path."""
    model, enc = _encoded(load_spec(str(ROOT / "specs/peterson.sl")), None)
    run = BmcRun(enc, model, Deadline(60), finite=True)
    run.extend()
    run.extend()
    assert run.bounds is not None
    x = z3.Int("unbounded")
    a = run.ask_at(And(x * x == 49, x < 0))
    assert a.sat and a.model.eval(x).as_long() == -7
    assert run.bounds is None
    assert run.ask_at(z3.BoolVal(True)).sat
