"""`check --checkpoint DIR` / `--resume DIR`: a search killed with SIGKILL mid-way and
resumed ends with exactly the counts, depth, verdicts and counterexamples of an
uninterrupted run; a checkpoint of another search, or a planted file, is refused."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

from stateline import check_blocks, load_spec, load_text, run_check
from stateline.checker.run import CheckOptions

ROOT = Path(__file__).resolve().parent.parent
TWO_PC = str(ROOT / "specs" / "two_phase_commit.sl")
# 2PC with 6 resource managers: about 2 s of search and liveness analysis (AllDecide)
ARGS = [TWO_PC, "--check", "n3", "-D", "N=6", "--no-progress"]


def stateline(*argv, **kw):
    return subprocess.Popen([sys.executable, "-m", "stateline", "check", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, **kw)


def results(path: Path) -> dict:
    """The JSON document without what is measured (seconds, memory)."""
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items()
                    if k not in ("seconds", "peak_rss_mb", "peak_memory_mb")}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return strip(json.loads(path.read_text()))


def test_a_killed_search_resumes_to_the_uninterrupted_result(tmp_path):
    whole = stateline(*ARGS, "--json", str(tmp_path / "whole.json"))
    whole.communicate(timeout=600)
    ckpt = tmp_path / "ckpt"
    killed = stateline(*ARGS, "--checkpoint", str(ckpt), "--checkpoint-every", "0")
    target = ckpt / "two_phase_commit.n3.ckpt"
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and killed.poll() is None:
        if target.exists():
            size = target.stat().st_size
            if size != seen and seen:       # a second checkpoint: well into the search
                break
            seen = size
        time.sleep(0.01)
    assert killed.poll() is None, "the search ended before it could be killed"
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    level = pickle.loads(target.read_bytes())["depth"]
    assert 1 < level < 23, level                       # stopped mid-search
    resumed = stateline(*ARGS, "--resume", str(ckpt), "--json", str(tmp_path / "again.json"))
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == whole.returncode == 0, err
    assert results(tmp_path / "again.json") == results(tmp_path / "whole.json")


SPEC = """spec Counter
const Max = 6
var x: 0..Max = 0
var y: 0..Max = 0
action incx:
    require x < Max
    x := x + 1
action incy:
    require y < x
    y := y + 1
invariant Small: x + y < 9
property Done: eventually y == Max
check small:
    expect Small violated
allow deadlock
"""


def test_resuming_from_every_level_gives_the_same_result(tmp_path):
    """In process: a checkpoint after each level, then a resume from each of them (the
    files overwritten level by level are kept here by reading them back each time)."""
    loaded = load_text(SPEC, str(tmp_path / "counter.sl"))
    [block] = check_blocks(loaded)
    whole = run_check(loaded, block, {}, CheckOptions())
    from stateline.checker import checkpoint as ck
    snaps = []
    save = ck.Checkpointer.save

    def keep(self, snapshot):
        save(self, snapshot)
        snaps.append(Path(self.path).read_bytes())
    ck.Checkpointer.save = keep
    try:
        run_check(loaded, block, {}, CheckOptions(checkpoint=str(tmp_path / "c"),
                                                  checkpoint_every=0.0))
    finally:
        ck.Checkpointer.save = save
    assert len(snaps) >= 5
    target = tmp_path / "c" / "counter.small.ckpt"
    for raw in snaps:
        target.write_bytes(raw)
        again = run_check(loaded, block, {}, CheckOptions(resume=str(tmp_path / "c")))
        assert (again.stats.states, again.stats.transitions, again.stats.depth) == \
            (whole.stats.states, whole.stats.transitions, whole.stats.depth)
        assert [(v.prop, v.status, v.trace) for v in again.verdicts] == \
            [(v.prop, v.status, v.trace) for v in whole.verdicts]


def test_a_resumed_run_stops_at_the_same_state_under_max_states(tmp_path):
    # --max-states is exact (it was checked every 2,048 states, and stopped at 8,197):
    # a resumed run stops at the same state as the uninterrupted one.
    loaded = load_spec(TWO_PC)
    [block] = check_blocks(loaded, ["n5"])
    bound = CheckOptions(max_states=7000)
    whole = run_check(loaded, block, {}, bound)
    assert whole.stop.value == "max-states" and whole.stats.states == 7000
    from stateline.checker import checkpoint as ck
    snaps = []
    save = ck.Checkpointer.save

    def keep(self, snapshot):
        save(self, snapshot)
        snaps.append(Path(self.path).read_bytes())
    ck.Checkpointer.save = keep
    try:
        run_check(loaded, block, {}, dataclasses.replace(
            bound, checkpoint=str(tmp_path / "c"), checkpoint_every=0.0))
    finally:
        ck.Checkpointer.save = save
    assert len(snaps) >= 8
    target = tmp_path / "c" / "two_phase_commit.n5.ckpt"
    for raw in snaps:
        target.write_bytes(raw)
        again = run_check(loaded, block, {}, dataclasses.replace(
            bound, resume=str(tmp_path / "c")))
        assert (again.stop, again.stats.states, again.stats.transitions,
                again.stats.depth) == (whole.stop, whole.stats.states,
                                       whole.stats.transitions, whole.stats.depth)


def test_a_checkpoint_of_another_instance_is_refused(tmp_path):
    ckpt = tmp_path / "ckpt"
    p = stateline(TWO_PC, "--check", "n3", "--no-progress", "--checkpoint", str(ckpt),
                  "--checkpoint-every", "0")
    p.communicate(timeout=600)
    assert (ckpt / "two_phase_commit.n3.ckpt").exists()
    p = stateline(TWO_PC, "--check", "n3", "-D", "N=4", "--no-progress", "--resume", str(ckpt))
    out, err = p.communicate(timeout=600)
    assert p.returncode == 2
    assert "error[SL506]" in err and "another spec, check block or instance" in err


def test_a_planted_checkpoint_runs_no_code(tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))
    (ckpt / "two_phase_commit.n3.ckpt").write_bytes(pickle.dumps({"format": Payload()}))
    p = stateline(TWO_PC, "--check", "n3", "--no-progress", "--resume", str(ckpt))
    out, err = p.communicate(timeout=600)
    assert p.returncode == 2 and "error[SL506]" in err and "not a Stateline checkpoint" in err
    assert not marker.exists()
    assert "Traceback" not in err
