"""`check --fingerprints`: a 64-bit fingerprint per state, and the exact search's results.

Every field a user sees (counts, depth, stop reason, every verdict and counterexample,
a run-time error with its trace) must be the exact search's: on generated specs (the
cross-check generator of test_crosscheck, with run-time errors, under random
--max-states and --max-depth bounds), on generated symmetric specs (counterexamples
replayed through canonical states), and on every check block of the protocol library.
Fingerprints must not collide by construction: CPython's int hash does (modulo
2^61 - 1, and hash(-1) == hash(-2)), which `fingerprinter` rewrites.

FINGERPRINT_EXAMPLES=N sets the number of generated specs (default 120).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings, strategies as st

import stateline
from stateline import SpecError, check_blocks, load_spec
from stateline.checker import run as run_mod
from stateline.checker.fingerprints import (FingerprintSet, _reduced, bfs_fingerprints,
                                            fingerprinter, wide, wide_slots)
from stateline.checker.run import CheckOptions
from stateline.checker.search import SearchOptions, bfs
from stateline.checker.symmetry import Symmetry
from stateline.models.domains import DAtom, DBool, DInt, DMap, DSet

sys.path.insert(0, str(Path(__file__).parent))
from test_crosscheck import specs  # noqa: E402
from test_parallel import checked, seen_by_user  # noqa: E402
from test_symmetry_generated import symmetric_specs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("FINGERPRINT_EXAMPLES", "120"))
IGNORED = "--fingerprints is ignored"
NEVER = "was never enabled"


def same_as_exact(exact, fp) -> None:
    got, want = seen_by_user(fp), seen_by_user(exact)
    if not isinstance(fp, SpecError):
        got["warnings"] = tuple(w for w in got["warnings"] if IGNORED not in w)
        if fp.stats.bytes_per_state is not None:
            # (the never-enabled warnings replay the stored states: none are stored)
            want["warnings"] = tuple(w for w in want["warnings"] if NEVER not in w)
    assert got == want


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs(), st.one_of(st.none(), st.integers(1, 60)),
       st.one_of(st.none(), st.integers(1, 8)))
def test_generated_specs_give_the_exact_result(spec, max_states, max_depth):
    bounds = dict(max_states=max_states, max_depth=max_depth)
    exact = checked(spec.text, CheckOptions(**bounds))
    fp = checked(spec.text, CheckOptions(fingerprints=True, **bounds))
    same_as_exact(exact, fp)


@settings(max_examples=max(EXAMPLES // 6, 10), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=symmetric_specs(), depth=st.integers(5, 12))
def test_symmetric_specs_replay_canonical_counterexamples(text, depth):
    # Paths to states of every depth, replayed through canonical states, are the
    # exact search's.
    loaded = stateline.load_text(text, "sym.sl")
    [block] = check_blocks(loaded)
    model = run_mod.prepare(loaded, block, {})
    sym = Symmetry(model.system)
    options = SearchOptions(check_deadlock=True, canonical=sym.canonical, max_depth=depth)
    exact = bfs(model, options)
    fp = bfs_fingerprints(model, options)
    assert (fp.states, fp.transitions, fp.depth, fp.stop) == \
        (exact.states, exact.transitions, exact.depth, exact.stop)
    assert list(fp.parents) == list(exact.parents)
    for k in range(0, exact.states, max(1, exact.states // 25)):
        path = []
        j = k
        while j >= 0:
            path.append(j)
            j = exact.parents[j]
        path.reverse()
        assert fp.path_states(path) == exact.path_states(path)


def test_every_library_check_block_gives_the_exact_result(library):
    compared = fingerprinted = 0
    for path in sorted(ROOT.glob("specs/**/*.sl")):
        rel = str(path.relative_to(ROOT))
        loaded = load_spec(rel)
        for check in check_blocks(loaded):
            one = library(rel)[check.name]
            if one.stats.states > 30_000:
                continue
            cwd = os.getcwd()
            os.chdir(ROOT)
            try:
                fp = stateline.run_check(loaded, check, {}, CheckOptions(fingerprints=True))
            finally:
                os.chdir(cwd)
            same_as_exact(one, fp)
            if fp.stats.bytes_per_state is not None:
                fingerprinted += 1
                assert fp.notes and "fingerprints:" in fp.notes[0]
            else:
                assert any(IGNORED in w for w in fp.warnings)
            compared += 1
    assert compared >= 38 and fingerprinted >= 19, (compared, fingerprinted)


def test_library_states_have_distinct_fingerprints():
    # Every reachable state of every library check block (up to 30,000 each, symmetry
    # off: more distinct states) has its own fingerprint.
    total = 0
    for path in sorted(ROOT.glob("specs/**/*.sl")):
        loaded = load_spec(str(path))
        for check in check_blocks(loaded):
            model = run_mod.prepare(loaded, check, {})
            found = bfs(model, SearchOptions(check_deadlock=False, exhaustive=True,
                                             max_states=30_000))
            fingerprint = fingerprinter(model)
            fps = {fingerprint(s) or 1 for s in found.state_list}
            assert len(fps) == len(found.state_list), (path.name, check.name)
            total += len(fps)
    assert total > 200_000


def test_cpython_hash_collisions_are_rewritten():
    # The two ways CPython's hash confuses ints: modulo 2^61 - 1, and -1 with -2.
    assert hash(1) == hash(1 << 61) and hash(-1) == hash(-2)
    assert _reduced(1) != _reduced(1 << 61) and _reduced(-1) != _reduced(-2)
    assert hash(_reduced(1)) != hash(_reduced(1 << 61))
    assert hash(_reduced((0, -1))) != hash(_reduced((0, -2)))
    # Which domains can hold such ints.
    assert not wide(DBool()) and not wide(DAtom("N", ("a", "b")))
    assert not wide(DInt(0, 100)) and wide(DInt(-2, 2)) and wide(DInt(0, None))
    assert not wide(DSet(DInt(0, 29))) and wide(DSet(DInt(0, 30)))
    assert wide(DSet(DInt(-31, 0))) and not wide(DSet(DInt(-30, 0)))
    assert wide(DMap(DAtom("N", ("a", "b")), DInt(-3, 3)))
    assert not wide(DMap(DAtom("N", ("a", "b")), DBool()))


SPEC_NEGATIVE = """spec Negative
var x: -2..0 in {-2, -1, 0}
var s: set[-31..0] = {}
action grow(v in {-31, 0}):
    require s == {}
    s := {v}
allow deadlock
"""


def test_states_that_cpython_hash_confuses_are_told_apart():
    # x in {-1, -2} (hash(-1) == hash(-2)), s = {0} (bit 0) or {-31} (bit 61): the
    # plain hash of a state would merge them; the fingerprint does not.
    loaded = stateline.load_text(SPEC_NEGATIVE, "neg.sl")
    [block] = check_blocks(loaded)
    model = run_mod.prepare(loaded, block, {})
    assert wide_slots(model) == [0, 1]
    exact = bfs(model, SearchOptions(check_deadlock=False))
    assert exact.states == 9
    assert len({hash(s) for s in exact.state_list}) < 9
    fp = bfs_fingerprints(model, SearchOptions(check_deadlock=False))
    assert (fp.states, fp.transitions, list(fp.parents)) == \
        (exact.states, exact.transitions, list(exact.parents))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.integers(-(1 << 63), (1 << 63) - 1), max_size=3000))
def test_the_table_is_a_set(values):
    table, reference = FingerprintSet(4), set()
    for v in values:
        v = v or 1
        assert table.add(v) == (v not in reference)
        reference.add(v)
    assert len(table) == len(reference)
    assert all(v in table for v in reference)
    assert sum(1 for x in table.table if x) == len(reference)


def test_two_phase_commit_stores_under_40_bytes_a_state():
    big = subprocess.run(
        [sys.executable, "-m", "stateline", "check", "specs/two_phase_commit.sl", "-D", "N=7",
         "--check", "n3", "--invariant", "Consistent", "--fingerprints", "--no-progress",
         "--json", "-"], cwd=ROOT, capture_output=True, text=True)
    assert big.returncode == 0, big.stderr
    doc = json.loads(big.stdout[big.stdout.index("{"):])
    [r] = doc["results"]
    assert r["stats"]["states"] == 296_448
    assert r["stats"]["fingerprints"]["bytes_per_state"] < 40
    schema = json.loads((ROOT / "schemas" / "stateline.check.v1.schema.json").read_text())
    jsonschema.validate(doc, schema)


def test_the_command_line():
    run = subprocess.run(
        [sys.executable, "-m", "stateline", "check", "specs/labs/paxos_no_quorum.sl",
         "--fingerprints", "--no-progress"], cwd=ROOT, capture_output=True, text=True)
    exact = subprocess.run(
        [sys.executable, "-m", "stateline", "check", "specs/labs/paxos_no_quorum.sl",
         "--no-progress"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == exact.returncode == 0, run.stderr
    assert "Counterexample" in run.stdout
    # The same counterexamples, byte for byte (times and headers aside).
    assert run.stdout[run.stdout.index("Counterexample"):run.stdout.rindex("every ")] == \
        exact.stdout[exact.stdout.index("Counterexample"):exact.stdout.rindex("every ")]
    assert "· fingerprints" in run.stdout
    assert "probability that a fingerprint collision hid a state" in run.stdout
    for other in (["--workers", "2"], ["--checkpoint", "ck"], ["--resume", "ck"]):
        bad = subprocess.run(
            [sys.executable, "-m", "stateline", "check", "specs/paxos.sl", "--fingerprints",
             *other, "--no-progress"], cwd=ROOT, capture_output=True, text=True)
        assert bad.returncode == 2 and "error[SL504]: --fingerprints cannot be combined " \
            f"with {other[0]}" in bad.stderr, bad.stderr


def test_ctrl_c_reports_what_was_found(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "stateline", "check", "specs/two_phase_commit.sl", "-D", "N=9",
         "--check", "n3", "--invariant", "Consistent", "--fingerprints", "--no-progress",
         "--json", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    time.sleep(4.0)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr
    [r] = json.loads(out.read_text())["results"]
    assert r["stop_reason"] == "interrupted" and r["stats"]["states"] > 0
    assert "Traceback" not in stderr
