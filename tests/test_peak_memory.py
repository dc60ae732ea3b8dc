"""The peak memory a check reports is its own, not that of the process that started it.

On Linux `ru_maxrss` keeps the high-water mark of the address space `exec` replaced,
so a `stateline` started from a large process (pytest, an IDE) reported that
process's peak: the 100,000-span memory test read 935-1306 MB inside the full suite
for a command that peaks under 500 MB.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BALLAST_MB = 700


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_check_started_from_a_large_process_reports_its_own_peak(tmp_path):
    ballast = bytearray(BALLAST_MB * 1024 * 1024)
    for i in range(0, len(ballast), 4096):        # touch every page: resident
        ballast[i] = 1
    out = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "stateline", "check",
                          str(ROOT / "specs" / "two_phase_commit.sl"), "--no-progress", "--quiet",
                          "--json", str(out)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    peaks = [r["stats"]["peak_memory_mb"] for r in json.loads(out.read_text())["results"]]
    assert peaks and all(0 < p < BALLAST_MB / 2 for p in peaks), peaks
    del ballast
