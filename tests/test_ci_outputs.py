"""`stateline check --itf DIR` and `--markdown FILE`: the CI and interchange outputs.

`--itf` traces are read back through the ITF reader (`otlp.document.load`) and
give the `--json` trace back exactly.  `--markdown` is checked as text (the
table, the diagram's statements against the trace model of render/sequence.py)
and rendered by Mermaid itself in headless Chromium: Mermaid's browser bundle
(`mermaid.min.js` from the npm package `mermaid`, which `.ci/run` fetches with
`npm pack`) is found through STATELINE_MERMAID_JS or a `node_modules/mermaid`
at the repository root.  Those tests skip without the bundle or the browser,
and never in CI (CI=true), where either missing is a failure.  To run them
locally: `npm pack mermaid@11.17.2 && tar xzf mermaid-11.17.2.tgz
package/dist/mermaid.min.js` and point STATELINE_MERMAID_JS at the file.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stateline.cli import main
from stateline.otlp import mapping
from stateline.otlp.document import load
from stateline.render.markdown import closing_line, mermaid_text, sequence_diagram
from stateline.render.sequence import diagram

sys.path.insert(0, str(Path(__file__).parent))
from browser import Chromium, find_chromium  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LAB = "specs/labs/paxos_no_quorum.sl"
SPECS = [LAB, "specs/labs/raft_double_vote.sl", "specs/two_phase_commit.sl",
         "tests/report_specs/fifo.sl", "tests/report_specs/lasso.sl",
         "tests/report_specs/overflow.sl"]


def _mermaid_js() -> Path | None:
    for candidate in (os.environ.get("STATELINE_MERMAID_JS"),
                      ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


MERMAID = _mermaid_js()
needs_mermaid = pytest.mark.skipif(
    (MERMAID is None or find_chromium() is None) and not os.environ.get("CI"),
    reason="Mermaid's bundle (STATELINE_MERMAID_JS) or chromium is missing; .ci/run "
           "provides both")


def _check(tmp_path, *args) -> int:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return main(["check", "--no-progress", "--quiet", *args])
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    """One run over SPECS with every output of interest: (exit code, folder)."""
    out = tmp_path_factory.mktemp("ci")
    code = _check(out, *SPECS, "--json", str(out / "r.json"), "--itf", str(out / "itf"),
                  "--markdown", str(out / "r.md"))
    return code, out


# ---- --itf ---------------------------------------------------------------------------

def test_itf_traces_round_trip_through_the_itf_reader(ci_run):
    code, out = ci_run
    assert code == 2                  # overflow.sl's run-time error
    document_ = load(str(out / "r.json"))
    cxs = mapping.counterexamples(document_)
    files = sorted(p.name for p in (out / "itf").iterdir())
    assert files == sorted(cx.name + ".itf.json" for cx in cxs)
    assert len(files) == 9
    for cx in cxs:
        back = load(str(out / "itf" / f"{cx.name}.itf.json"))
        (cx2,) = mapping.counterexamples(back)
        assert cx2.trace == cx.trace
        assert (cx2.result["spec"], cx2.result["check"], cx2.label) == \
            (cx.result["spec"], cx.result["check"], cx.label)


def test_itf_files_are_the_bytes_export_writes(ci_run, tmp_path):
    code, out = ci_run
    assert main(["export", str(out / "r.json"), "--otlp-format", "itf",
                 "-o", str(tmp_path)]) == 0
    for p in (out / "itf").iterdir():
        assert p.read_bytes() == (tmp_path / p.name).read_bytes()


def test_itf_without_counterexamples_writes_nothing(tmp_path):
    assert _check(tmp_path, "specs/peterson.sl", "--itf", str(tmp_path / "itf")) == 0
    assert not (tmp_path / "itf").exists() or not list((tmp_path / "itf").iterdir())


# ---- --markdown as text ----------------------------------------------------------------

def test_markdown_table_and_sections(ci_run):
    code, out = ci_run
    md = (out / "r.md").read_text(encoding="utf-8")
    assert md.startswith("## Stateline: ")
    assert "Exit code 2." in md
    rows = [line for line in md.splitlines() if line.startswith("| specs/labs/paxos_no_quorum")]
    assert [r.split(" | ")[1:6] for r in rows] == [
        ["small", "Agreement", "violated", "violated (8 steps)", "✅ ok"],
        ["small", "DeadlockFreedom", "holds", "holds", "✅ ok"]]
    assert md.count("```mermaid\n") == 5           # 9 traces, 4 of them without steps
    assert md.count("_No step is taken") == 4
    assert "run-time error" in md and "error[SL601]" in md
    assert md.count("<details>") == md.count("</details>") == 9


def test_markdown_is_deterministic_but_for_seconds(tmp_path):
    docs = []
    for name in ("a.md", "b.md"):
        assert _check(tmp_path, LAB, "--markdown", str(tmp_path / name)) == 0
        text = (tmp_path / name).read_text(encoding="utf-8")
        docs.append(re.sub(r"\| \d+\.\d\d \|", "| s |", text))
    assert docs[0] == docs[1]


def test_diagram_statements_follow_the_trace_model(ci_run, library):
    code, out = ci_run
    results = json.loads((out / "r.json").read_text())
    traces = []
    for name in SPECS:
        for r in library(name).values():
            traces += [(v.trace, closing_line(v)) for v in r.verdicts if v.trace is not None]
            if r.failure is not None and r.failure.trace is not None:
                traces.append((r.failure.trace, "the error"))
    assert len(traces) == 9
    for trace, closing in traces:
        chart = sequence_diagram(trace, closing)
        model = diagram(trace)
        lines = chart.splitlines()
        assert lines[0] == "sequenceDiagram"
        participants = [x for x in lines if x.startswith("    participant p")]
        assert [x.split(" as ", 1)[1] for x in participants] == \
            [mermaid_text(lane) for lane in model.lanes]
        assert sum("->>" in x for x in lines) == len(model.arrows)
        assert sum(": sent " in x for x in lines) == sum(len(m) for _, m in model.pending)
        assert sum(re.match(r"\s+Note over p\d+(,p\d+)?: \d+\. ", x) is not None
                   for x in lines) == \
            len(trace.steps)
        assert ("    loop repeats forever" in lines) == \
            (trace.loop_start is not None and trace.loop_start < len(trace.steps))
    assert results["schema"] == "stateline.check"


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text())
def test_mermaid_text_escapes_everything_that_is_syntax(s):
    out = mermaid_text(s)
    assert "\n" not in out and "\r" not in out and ";" not in out.replace("#59;", "") \
        .replace("#35;", "").replace("#lt;", "").replace("#gt;", "").replace("#amp;", "") \
        .replace("#quot;", "").replace("#37;", "")
    for ch in "<>\"%":
        assert ch not in out
    # the entity codes decode back to the text (control characters become spaces)
    back = out
    for code, ch in (("#59;", ";"), ("#lt;", "<"), ("#gt;", ">"), ("#amp;", "&"),
                     ("#quot;", '"'), ("#37;", "%"), ("#35;", "#")):
        back = back.replace(code, ch)
    expected = "".join(ch if ch.isprintable() else " " for ch in s).strip() or " "
    assert back == expected


def test_markdown_to_stdout_alone(tmp_path, capsys):
    assert _check(tmp_path, LAB, "--markdown", "-") == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(
        "## Stateline: 1 check, 2 properties: expected violations demonstrated (1), holding as "
        "expected (1), unexpected results (0); every expectation met.")
    assert "Counterexample:" not in captured.out.split("```text")[0]
    assert "PaxosNoQuorum" in captured.err               # the run's own output went to stderr


def test_json_and_markdown_cannot_both_take_stdout(tmp_path, capsys):
    assert _check(tmp_path, LAB, "--markdown", "-", "--json", "-") == 2
    assert "error[SL504]: --json and --markdown cannot both write to stdout" in \
        capsys.readouterr().err


def test_markdown_unwritable_path_is_sl504(tmp_path, capsys):
    assert _check(tmp_path, LAB, "--markdown", str(tmp_path / "no" / "such" / "r.md")) == 2
    assert "error[SL504]" in capsys.readouterr().err


@pytest.fixture(scope="module")
def partition_chart(tmp_path_factory):
    """CAP's `cp` check: Available fails once the network is partitioned (a cut step,
    which has no lane of its own in the trace model)."""
    out = tmp_path_factory.mktemp("cap")
    assert _check(out, "specs/cap.sl", "--check", "cp", "--markdown", str(out / "r.md")) == 0
    (chart,) = re.findall(r"```mermaid\n(.*?)\n```", (out / "r.md").read_text("utf-8"), re.S)
    return chart


def test_a_partition_is_a_note_across_every_lane(partition_chart):
    lines = partition_chart.splitlines()
    assert "    participant p3 as Replica[r2]" in lines
    assert "    Note over p0,p3: 3. network.partition(side={Replica[r1]})" in lines
    assert lines[-2:] == ["    Note over p0,p3: from here the behaviour stutters forever",
                          "    Note over p0,p3: Available fails on this infinite behaviour"]


# ---- --markdown through Mermaid ----------------------------------------------------------

def _render_all(charts: list[str]) -> list[dict]:
    page = Path(os.environ.get("TMPDIR", "/tmp")) / f"stateline-mermaid-{os.getpid()}.html"
    page.write_text('<!doctype html><html><body><script src="' + MERMAID.as_uri() +
                    '"></script><script>mermaid.initialize({startOnLoad: false, '
                    'securityLevel: "strict"});</script></body></html>', encoding="utf-8")
    out = []
    try:
        with Chromium() as browser:
            browser.open(page)
            for i, chart in enumerate(charts):
                reply = browser.call(
                    "Runtime.evaluate", session=True, awaitPromise=True, returnByValue=True,
                    expression=f"mermaid.render('d{i}', {json.dumps(chart)}).then(r => r.svg)")
                if "exceptionDetails" in reply:
                    detail = reply["exceptionDetails"].get("exception", {})
                    out.append({"error": detail.get("description", str(detail))})
                else:
                    out.append({"svg": reply["result"]["value"]})
    finally:
        page.unlink()
    return out


@needs_mermaid
def test_every_diagram_renders_in_mermaid(ci_run, partition_chart):
    code, out = ci_run
    md = (out / "r.md").read_text(encoding="utf-8")
    charts = re.findall(r"```mermaid\n(.*?)\n```", md, re.S)
    assert len(charts) == 5
    charts.append(partition_chart)
    # a diagram with an unescaped `;` in a message: Mermaid must refuse it
    broken = "sequenceDiagram\n    participant p0 as A\n    p0->>p0: x; y"
    rendered = _render_all(charts + [broken])
    assert "error" in rendered[-1] and "Parse error" in rendered[-1]["error"]
    for chart, r in zip(charts, rendered):
        assert "error" not in r, (r, chart)
        svg = r["svg"]
        arrows = sum("->>" in x for x in chart.splitlines())
        notes = sum(x.lstrip().startswith("Note ") for x in chart.splitlines())
        assert svg.count('class="messageText"') == arrows
        assert svg.count('class="noteText"') == notes
        for line in chart.splitlines():
            if line.startswith("    participant p"):
                label = line.split(" as ", 1)[1]
                assert f">{label}<" in svg.replace("&amp;", "&") or label in svg
