"""Regenerates the screenshots of diagrams and of the explorer kept in docs/images/:

    python tests/screenshots.py            # all of them
    python tests/screenshots.py explore-paxos.png

Each is taken in headless Chromium (Debian's `chromium`, driven by tests/browser.py)
from what Stateline writes now: the HTML report of a lab (the first counterexample's
message-sequence diagram), or `stateline explore` on the Paxos lab after jumping to
Agreement's counterexample and clicking its sixth step.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from browser import Chromium

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

# image -> (spec, check, the heading of the counterexample to show)
REPORTS = {
    "primary-backup-crash-report.png": ("specs/labs/primary_backup_crash.sl", "lab",
                                        "NoLostWrite"),
    "cap-report.png": ("specs/cap.sl", "ap", "Linearizable"),
    "cap-partition-report.png": ("specs/cap.sl", "cp", "Available"),
    "quorum-report.png": ("specs/labs/quorum_sloppy.sl", "n3r1w2", "Linearizable"),
}


def report(browser: Chromium, name: str, tmp: Path) -> bytes:
    spec, check, prop = REPORTS[name]
    out = tmp / f"{name}.html"
    subprocess.run([sys.executable, "-m", "stateline", "check", spec, "--check", check,
                    "--no-progress", "--quiet", "--html", str(out)], cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    browser.open(out, width=1280, height=1000)
    ident = browser.evaluate("[...document.querySelectorAll('section.counterexample')].find("
                             f"s => s.querySelector('h2').textContent.endsWith(' {prop} "
                             "violated')).id")
    return browser.screenshot(f"#{ident} figure")


def explore(browser: Chromium) -> bytes:
    proc = subprocess.Popen([sys.executable, "-m", "stateline", "explore",
                             "specs/labs/paxos_no_quorum.sl", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        url = next(m.group(0) for line in proc.stdout
                   if (m := re.search(r"http://127\.0\.0\.1:\d+/", line)))
        browser.navigate(url, width=1600, height=960)      # the five lanes in full
        browser.click("button.jump[data-title='Agreement']")
        browser.click("form[action='/back'] button")
        return browser.screenshot()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main(argv: list[str]) -> int:
    names = argv or [*REPORTS, "explore-paxos.png"]
    with tempfile.TemporaryDirectory() as tmp, Chromium() as browser:
        for name in names:
            png = explore(browser) if name == "explore-paxos.png" else \
                report(browser, name, Path(tmp))
            (IMAGES / name).write_bytes(png)
            print(f"wrote docs/images/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
