"""The HTML picture of a linearizability failure (`stateline history check --html`).

The page is read as text (self-contained, deterministic) and its SVG as XML (one bar
per operation, the longest partial linearization and the operation that cannot be
placed marked).  In headless Chromium (Debian's `chromium`; skipped only when it is
absent and not in CI) the DOM the browser built is counted and measured, and the
screenshot's pixels checked where the bars are.

Also the command that regenerates the screenshot in the docs:

    python tests/test_history_picture.py docs/images/history-failure.png
"""

from __future__ import annotations

import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stateline import cli

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import Chromium, find_chromium, png_pixels  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(
    find_chromium() is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)")

# An etcd-like run: process 4's read of 2 comes after the cas of 2 to 0 returned.
ETCD = """\
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - 1\t:invoke\t:write\t1
INFO  jepsen.util - 0\t:ok\t:read\tnil
INFO  jepsen.util - 1\t:ok\t:write\t1
INFO  jepsen.util - 2\t:invoke\t:cas\t[1 2]
INFO  jepsen.util - 3\t:invoke\t:read\tnil
INFO  jepsen.util - 2\t:ok\t:cas\t[1 2]
INFO  jepsen.util - 3\t:ok\t:read\t2
INFO  jepsen.util - 0\t:invoke\t:cas\t[1 3]
INFO  jepsen.util - 0\t:fail\t:cas\t[1 3]
INFO  jepsen.util - 1\t:invoke\t:write\t4
INFO  jepsen.util - 1\t:info\t:write\t:timed-out
INFO  jepsen.util - 2\t:invoke\t:read\tnil
INFO  jepsen.util - 3\t:invoke\t:cas\t[2 0]
INFO  jepsen.util - 2\t:ok\t:read\t2
INFO  jepsen.util - 3\t:ok\t:cas\t[2 0]
INFO  jepsen.util - 6\t:invoke\t:read\tnil
INFO  jepsen.util - 6\t:ok\t:read\t2
"""
SVG = "{http://www.w3.org/2000/svg}"


def picture(tmp_path) -> tuple[int, str, Path]:
    log = tmp_path / "etcd.log"
    log.write_text(ETCD)
    out = tmp_path / "failure.html"
    code = cli.main(["history", "check", str(log), "--html", str(out)])
    return code, out.read_text(encoding="utf-8"), out


def by_class(svg, cls: str) -> list:
    return [e for e in svg.iter() if cls in (e.get("class") or "").split()]


def test_the_page_is_self_contained_and_deterministic(tmp_path, capsys):
    code, page, _ = picture(tmp_path)
    assert code == 1
    assert "<script" not in page and "http://" not in page.replace(
        "http://www.w3.org/2000/svg", "")
    assert not re.search(r"(src|href)=", page)
    assert page == picture(tmp_path)[1]


def test_the_diagram_marks_the_prefix_and_the_operation_that_cannot_be_placed(tmp_path,
                                                                               capsys):
    _, page, _ = picture(tmp_path)
    (svg,) = [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", page, re.S)]
    ops = by_class(svg, "op")
    assert len(ops) == 9                                    # every operation, one bar each
    assert [e.get("data-op") for e in by_class(svg, "stuck")] == ["8"]
    prefix = [e.get("data-op") for e in by_class(svg, "prefix")]
    assert prefix == ["0", "1", "2", "3", "4", "6", "7"]     # in invocation order
    assert [e.get("data-op") for e in by_class(svg, "info")] == ["5"]     # not needed
    assert by_class(svg, "failed") == []        # the failed cas is placed, as a read
    assert len(by_class(svg, "point")) == 7
    assert len(by_class(svg, "row")) == 5                   # processes 0, 1, 2, 3, 6
    assert len(by_class(svg, "frontier")) == 1
    assert "op 8 (process 6: read -&gt; 2, events 16-17) cannot take effect" in page
    titles = [t.text for t in svg.iter(SVG + "title")]
    assert "op 4 (process 0: cas 1 -&gt; 3, events 8-9, fail)".replace("&gt;", ">") in titles


LAYOUT = """(() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return [r.left, r.top, r.right, r.bottom]; };
  const svg = document.querySelector('svg.history');
  return {
    svg: box(svg),
    ops: [...svg.querySelectorAll('rect.op')].map(r =>
        ({op: r.dataset.op, cls: r.getAttribute('class'), box: box(r)})),
    points: [...svg.querySelectorAll('circle.point')].map(box),
    rows: [...svg.querySelectorAll('g.row text')].map(t => box(t)),
    line: svg.querySelector('polyline.linearization').getTotalLength(),
  };
})()"""


def near(rows, x, y, color, tolerance=40) -> bool:
    px = rows[int(y)][int(x)]
    return sum(abs(p - q) for p, q in zip(px, color)) <= tolerance


@needs_chromium
def test_the_picture_in_chromium(tmp_path, capsys):
    _, _, out = picture(tmp_path)
    with Chromium() as browser:
        browser.open(out, width=1100, height=700)
        layout = browser.evaluate(LAYOUT)
        png = browser.screenshot()
    (tmp_path / "failure.png").write_bytes(png)
    ops = layout["ops"]
    assert len(ops) == 9 and len(layout["points"]) == 7 and len(layout["rows"]) == 5
    assert layout["line"] > 100
    svg = layout["svg"]
    for o in ops:                                          # inside the diagram, not empty
        left, top, right, bottom = o["box"]
        assert svg[0] <= left < right <= svg[2] + 1 and svg[1] <= top < bottom <= svg[3]
        assert right - left >= 8 and 14 <= bottom - top <= 20
    tops = sorted({round(r[1]) for r in layout["rows"]})
    assert len(tops) == 5 and min(b - a for a, b in zip(tops, tops[1:])) >= 25
    # the screenshot: the stuck read in red, the prefix in green, left of their labels
    width, height, rows = png_pixels(png)
    assert (width, height) == (1100, 700)
    colors = {"stuck": (0xF7, 0xC6, 0xC2), "prefix": (0xCD, 0xEB, 0xD6)}
    for o in ops:
        kind = o["cls"].split()[1]
        if kind in colors:
            left, top, right, bottom = o["box"]
            assert near(rows, left + 4, (top + bottom) / 2, colors[kind]), o


def main(argv: list[str]) -> int:
    """Write the screenshot of the picture of ETCD (docs/history.md shows it)."""
    import tempfile
    out = Path(argv[0] if argv else "docs/images/history-failure.png").resolve()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)                           # so that the page names "etcd.log"
        _, _, page = picture(Path("."))
        with Chromium() as browser:
            browser.open(page, width=1000, height=520)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(browser.screenshot())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
