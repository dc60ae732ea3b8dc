"""`check --engine ray`: the parallel search with Ray actors gives the result of one
process.

One local Ray instance of 2 CPUs for the module.  Compared with the single-process run
(every field a user sees: counts, depth, stop, verdicts with their counterexamples,
run-time errors): every check block of specs/ without temporal properties, and
generated specs (tests/spec_shapes.py).  The command line's errors (Ray missing, no
cluster at --ray-address) are SL508 with exit 2.  Skipped when Ray is not installed
(CI installs it: .ci/run installs the `ray` extra).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import stateline
from stateline import check_blocks, load_spec
from stateline.checker import run as run_mod
from stateline.checker.run import CheckOptions

sys.path.insert(0, str(Path(__file__).parent))
from spec_shapes import shaped_specs  # noqa: E402
from test_parallel import checked, seen_by_user  # noqa: E402

ray = pytest.importorskip("ray")
from stateline.checker import cluster  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RAY = CheckOptions(workers=2, engine="ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    cluster.connect(None, 2)
    yield
    cluster._cache.clear()
    ray.shutdown()


def test_the_actors_agree_on_the_owner_of_a_state():
    @ray.remote
    def seeded():
        return os.environ.get("PYTHONHASHSEED"), hash("stateline"), hash(("a", 1))

    got = set(ray.get([seeded.remote() for _ in range(4)]))
    ref = subprocess.run([sys.executable, "-c", "print(hash('stateline'), hash(('a', 1)))"],
                         env={**os.environ, "PYTHONHASHSEED": cluster.HASH_SEED},
                         capture_output=True, text=True, check=True).stdout.split()
    assert got == {(cluster.HASH_SEED, int(ref[0]), int(ref[1]))}


# Raft `crashes` (496,234 states: 30 s in one process, 50 s with the actors on a 2-core
# machine) is compared on its first states only, to keep this module near 90 s.
BOUNDED = {("specs/raft.sl", "crashes"): 60_000}


def test_every_safety_library_block_gives_the_single_process_result():
    compared, skipped = 0, 0
    for path in sorted(ROOT.glob("specs/**/*.sl")):
        rel = str(path.relative_to(ROOT))
        loaded = load_spec(rel)
        for check in check_blocks(loaded):
            cwd = os.getcwd()
            os.chdir(ROOT)
            try:
                model = run_mod.prepare(loaded, check, {})
                if model.system.temporal:
                    skipped += 1
                    continue
                bound = BOUNDED.get((rel, check.name))
                ray_options = CheckOptions(workers=2, engine="ray", max_states=bound)
                many = stateline.run_check(loaded, check, {}, ray_options, model)
                one = stateline.run_check(loaded, check, {}, CheckOptions(max_states=bound))
            finally:
                os.chdir(cwd)
            assert seen_by_user(many) == seen_by_user(one), (rel, check.name)
            compared += 1
    assert (compared, skipped) == (25, 20)   # specs/raft_election.sl: one more block


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(shaped_specs())
def test_generated_specs_give_the_single_process_result(spec):
    one = checked(spec.text, CheckOptions())
    many = checked(spec.text, RAY)
    got = seen_by_user(many)
    if "warnings" in got:
        got["warnings"] = tuple(w for w in got["warnings"] if "--workers" not in w)
    assert got == seen_by_user(one), spec.text


def test_the_actors_decide_levels():
    loaded = load_spec(str(ROOT / "specs" / "two_phase_commit.sl"))
    [check] = check_blocks(loaded, ["n5"])
    res = stateline.run_check(loaded, check, {}, RAY)
    assert (res.stats.states, res.stats.transitions, res.stats.depth) == (8832, 58146, 17)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "stateline", "check",
                           str(ROOT / "specs" / "two_phase_commit.sl"), "--check", "n3",
                           "--no-progress", *args], capture_output=True, text=True,
                          timeout=120)


def test_no_cluster_at_the_address_is_sl508():
    with socket.socket() as s:            # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = cli("--engine", "ray", "--ray-address", f"127.0.0.1:{port}")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"stateline: error[SL508]: no Ray cluster answers at "
                                  f"127.0.0.1:{port}: "), proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_malformed_address_and_an_address_without_ray_are_usage_errors():
    proc = cli("--engine", "ray", "--ray-address", "nohost")
    assert (proc.returncode, proc.stderr) == (
        2, "stateline: error[SL508]: --ray-address 'nohost' is not HOST:PORT\n")
    proc = cli("--ray-address", "127.0.0.1:6379")
    assert (proc.returncode, proc.stderr) == (
        2, "stateline: error[SL504]: --ray-address needs --engine ray\n")


def test_without_ray_installed_the_error_names_the_extra(tmp_path):
    (tmp_path / "ray.py").write_text("raise ImportError('no ray here')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "stateline", "check",
                           str(ROOT / "specs" / "two_phase_commit.sl"), "--engine", "ray"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert (proc.returncode, proc.stderr) == (
        2, "stateline: error[SL508]: --engine ray needs Ray: pip install 'stateline[ray]'\n")
