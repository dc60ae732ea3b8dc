"""reports/ shows the current state of the protocol library.

The library is checked once (as `stateline report specs/ -o reports/` does); the
committed reports/README.md must have exactly the rows the command produces,
the seconds excepted, and reports/ must hold the HTML page of every spec with a
counterexample (the labs among them) and no other.  To bring them up to date:

    stateline report specs/ -o reports/

The same results, as `--json` documents, must validate against the JSON
Schema, so every spec of the library exercises the schema too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest

from stateline.cli import check as check_cmd, report as report_cmd
from stateline.cli.console import Console, spec_files
from stateline.models.verdict import Status
from stateline.render import json_out, markdown, report
from stateline.render.sequence import diagram, is_cut

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
REGENERATE = "run `stateline report specs/ -o reports/` and commit the result"
ARGS = dict(paths=["specs/"], defines=[], checks=[], max_states=None, max_depth=None,
            max_seconds=None, no_symmetry=False)


@pytest.fixture(scope="module")
def checked_library(library):
    """(results, exit code) of every check block of specs/, in the order `stateline report
    specs/` checks them (from the repository root, so the paths are the README's); the
    results are the test session's single run of the library (tests/conftest.py)."""
    console = Console(progress=False)
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        files, ok = spec_files(ARGS["paths"], console)
    finally:
        os.chdir(old)
    assert ok
    results = [r for path in files for r in library(path).values()]
    return results, check_cmd.exit_code(results, False)


@pytest.fixture(scope="module")
def checked_report(checked_library, tmp_path_factory):
    """The results, the exit code, and the report folder the command writes from them."""
    results, code = checked_library
    out = tmp_path_factory.mktemp("reports")
    console = Console(progress=False)
    console.out = open(os.devnull, "w")
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        args = argparse.Namespace(**ARGS, output=str(out))
        assert report_cmd.write_report(results, code, args, console) == code
    finally:
        os.chdir(old)
        console.out.close()
    return results, code, out


def test_library_meets_every_expectation(checked_report):
    results, code, _ = checked_report
    assert code == 0, [(r.path, r.check, v.prop) for r in results for v in r.verdicts
                       if v.met is not True]


def test_committed_readme_is_current(checked_report):
    _, _, out = checked_report
    produced = report.verdict_rows((out / "README.md").read_text())
    committed = report.verdict_rows((REPORTS / "README.md").read_text())
    assert len(produced) > 10
    missing = [r for r in produced if r not in committed]
    extra = [r for r in committed if r not in produced]
    assert not missing and not extra, f"reports/README.md is out of date ({REGENERATE}):\n" \
        f"  rows the command now produces: {missing[:5]}\n  rows no longer produced: {extra[:5]}"
    assert produced == committed, f"reports/README.md rows are out of order ({REGENERATE})"


def test_committed_pages_are_the_specs_with_counterexamples(checked_report):
    _, _, out = checked_report
    produced = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    committed = sorted(p.relative_to(REPORTS).as_posix() for p in REPORTS.rglob("*.html"))
    assert produced == committed, REGENERATE
    labs = sorted(p.stem for p in (ROOT / "specs" / "labs").glob("*.sl"))
    assert [p for p in produced if p.startswith("labs/")] == [f"labs/{s}.html" for s in labs]
    heading = re.compile(r"<h2>(.*?)</h2>")
    for page in produced:
        assert heading.findall((out / page).read_text()) == \
            heading.findall((REPORTS / page).read_text()), f"{page}: {REGENERATE}"


def test_verdict_rows_ignore_seconds_but_not_verdicts():
    row = "| [a.sl](../a.sl) | c | P | invariant | holds | holds | ok | 1,024 | 7 | {} |"
    table = "\n".join(["| " + " | ".join(report.HEADER) + " |", "|---|---|", row])
    assert report.verdict_rows(table.format("0.10")) == report.verdict_rows(table.format("9.99"))
    assert report.verdict_rows(table.format("0.10")) != \
        report.verdict_rows(table.format("0.10").replace("1,024", "1,025"))


def test_the_committed_manifest_lists_the_committed_report(checked_report):
    # `stateline report specs/ -o reports/` touches reports/ only through its manifest.
    _, _, out = checked_report
    manifest = json.loads((REPORTS / ".stateline-report.json").read_text())
    committed = sorted(p.relative_to(REPORTS).as_posix() for p in REPORTS.rglob("*")
                       if p.is_file() and p.name != ".stateline-report.json")
    assert manifest["files"] == committed, REGENERATE
    produced = json.loads((out / ".stateline-report.json").read_text())
    assert produced["files"] == manifest["files"], REGENERATE


def test_every_library_document_matches_the_json_schema(checked_report):
    results, code, _ = checked_report
    schema = json.loads((ROOT / "schemas" / "stateline.check.v1.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    doc = json.loads(json_out.dumps(results, code))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    kinds = {p["kind"] for r in doc["results"] for p in r["properties"]}
    assert {"invariant", "deadlock", "temporal"} <= kinds


def test_every_library_counterexample_has_a_markdown_diagram(checked_report):
    # `stateline check specs/ --markdown` (the CI gate's job summary): one section per
    # counterexample, and in each diagram a note per step (partitions and heals, which
    # have no lane, across every lane) and an arrow per received message.
    results, code, _ = checked_report
    md = markdown.document(results, code)
    traces = [v.trace for r in results for v in r.verdicts
              if v.status is Status.VIOLATED and v.trace is not None]
    assert md.count("<details>") >= len(traces) >= 28
    for trace in traces:
        chart = markdown.sequence_diagram(trace, "the end")
        notes = [x for x in chart.splitlines()
                 if re.match(r"\s+Note over p\d+(,p\d+)?: \d+\. ", x)]
        assert len(notes) == len(trace.steps)
        assert sum("->>" in x for x in chart.splitlines()) == len(diagram(trace).arrows)
    assert any(is_cut(step) for trace in traces for step in trace.steps)
    # docs/ci.md's workflow comments on a pull request with the part before the first
    # counterexample section (GitHub refuses a comment over 65,536 characters)
    table = md.split("\n### ", 1)[0]
    assert len(md) > 65536 > len(table) + 100
