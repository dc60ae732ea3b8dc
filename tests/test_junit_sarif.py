"""`--junit` and `--sarif`: valid against the published schemas, and saying the right things.

The JUnit XML is validated with the Jenkins xunit plugin's junit-10.xsd and the
SARIF with OASIS's SARIF 2.1.0 JSON Schema, both vendored in schemas/ (see
schemas/README.md for their origin and licences).  The specs in
tests/report_specs/ cover a failed invariant, an expected violation that does
not happen, a run-time error, a liveness lasso and a fifo network; the Paxos
lab adds an expected violation that is met.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from stateline import cli

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
EDGE = ROOT / "tests" / "report_specs"
LAB = ROOT / "specs" / "labs" / "paxos_no_quorum.sl"


def line_of(path: Path, pattern: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"{pattern!r} not in {path}")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One `stateline check` over the edge cases and the lab, from a work tree of its own
    (relative paths, as in CI); another with a bound, for a missing verdict."""
    work = tmp_path_factory.mktemp("work")
    shutil.copytree(EDGE, work / "specs")
    shutil.copy(LAB, work / "specs" / "lab.sl")
    old = os.getcwd()
    os.chdir(work)
    try:
        code = cli.main(["check", "specs", "--no-progress", "--quiet", "--junit", "out.xml",
                         "--sarif", "out.sarif"])
        bounded = cli.main(["check", str(ROOT / "specs" / "paxos.sl"), "--check", "ballots012",
                            "--max-states", "3000", "--no-progress", "--junit", "bounded.xml",
                            "--sarif", "bounded.sarif"])
    finally:
        os.chdir(old)
    return work, code, bounded


@pytest.fixture(scope="module")
def junit_schema():
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_exit_codes(run):
    _, code, bounded = run
    assert code == 2            # a run-time error outranks the failed expectations
    assert bounded == 3


def test_junit_validates_against_the_xsd(run, junit_schema):
    work, _, _ = run
    junit_schema.validate(str(work / "out.xml"))
    junit_schema.validate(str(work / "bounded.xml"))


def test_junit_xsd_rejects_a_broken_document(run, junit_schema):
    text = (run[0] / "out.xml").read_text()
    broken = re.sub(r' tests="\d+"', "", text, count=2)     # a suite without its count
    assert not junit_schema.is_valid(broken)


def test_junit_has_one_testcase_per_check_and_property(run, junit_schema):
    doc = junit_schema.to_dict(str(run[0] / "out.xml"))
    suites = {s["@name"]: s for s in doc["testsuite"]}
    assert set(suites) == {"specs/counter.sl::small", "specs/fifo.sl::c", "specs/lab.sl::small",
                           "specs/lasso.sl::c", "specs/overflow.sl::c"}
    cases = {(s, c["@name"]): c for s, suite in suites.items() for c in suite["testcase"]}
    assert set(n for s, n in cases if s == "specs/counter.sl::small") == \
        {"Small", "NonNegative", "DeadlockFreedom"}
    small = cases["specs/counter.sl::small", "Small"]
    assert small["@classname"] == "Counter.small"
    failure = small["failure"][0]
    assert "Counterexample" in failure["$"] and "x  3 -> 4" in failure["$"]
    assert "expected holds" in failure["@message"]
    assert "holds in every reachable state" in \
        cases["specs/counter.sl::small", "NonNegative"]["failure"][0]["$"]
    assert "failure" not in cases["specs/counter.sl::small", "DeadlockFreedom"]
    lasso = cases["specs/lasso.sl::c", "SettlesAtTwo"]["failure"][0]["$"]
    assert "loop: the steps below repeat forever" in lasso
    error = cases["specs/overflow.sl::c", "(model error)"]["error"][0]
    assert error["@type"] == "SL601" and "y := y + 1" in error["$"]   # quotes the source line
    lab = cases["specs/lab.sl::small", "Agreement"]
    assert "failure" not in lab and "Leader[1].proposeAny" in lab["system-out"][0]
    counter = suites["specs/counter.sl::small"]
    assert (counter["@tests"], counter["@failures"], counter["@errors"]) == ("3", "2", "0")
    assert counter["@file"] == "specs/counter.sl"


def test_junit_skips_properties_without_a_verdict(run, junit_schema):
    doc = junit_schema.to_dict(str(run[0] / "bounded.xml"))
    cases = doc["testsuite"][0]["testcase"]
    assert cases and all("skipped" in c for c in cases)
    assert "max-states" in cases[0]["skipped"][0]["@message"]


def test_sarif_validates_against_the_oasis_schema(run, sarif_validator):
    for name in ("out.sarif", "bounded.sarif"):
        sarif_validator.validate(json.loads((run[0] / name).read_text()))


def test_sarif_schema_rejects_a_broken_document(run, sarif_validator):
    doc = json.loads((run[0] / "out.sarif").read_text())
    doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert not sarif_validator.is_valid(doc)


def test_sarif_results_are_the_failed_expectations_located_in_the_spec(run):
    work, _, _ = run
    doc = json.loads((work / "out.sarif").read_text())
    results = doc["runs"][0]["results"]
    found = {(r["properties"]["spec"], r["properties"].get("property", "error"), r["ruleId"])
             for r in results}
    assert found == {("Counter", "Small", "property-violated"),
                     ("Counter", "NonNegative", "property-not-violated"),
                     ("Fifo", "InOrder", "property-violated"),
                     ("Lasso", "SettlesAtTwo", "property-violated"),
                     ("Overflow", "error", "run-time-error")}
    by_prop = {r["properties"].get("property", "error"): r for r in results}
    counter = work / "specs" / "counter.sl"

    def where(result, key="locations"):
        loc = result[key][0]["physicalLocation"]
        return loc["artifactLocation"], loc["region"]["startLine"]

    artifact, line = where(by_prop["Small"])
    assert artifact == {"uri": "specs/counter.sl", "uriBaseId": "%SRCROOT%"}
    assert line == line_of(counter, r"^invariant Small:")
    assert where(by_prop["Small"], "relatedLocations")[1] == line_of(counter, r"expect Small")
    assert where(by_prop["NonNegative"])[1] == line_of(counter, r"^invariant NonNegative:")
    lasso = work / "specs" / "lasso.sl"
    assert where(by_prop["SettlesAtTwo"])[1] == line_of(lasso, r"^property SettlesAtTwo")
    assert where(by_prop["error"])[1] == line_of(work / "specs" / "overflow.sl", r"y := y \+ 1")
    # the counterexample: in the message, and as a code flow through the actions' lines
    assert "Counterexample" in by_prop["Small"]["message"]["text"]
    flow = by_prop["Small"]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(flow) == 4
    assert {f["location"]["physicalLocation"]["region"]["startLine"] for f in flow} == \
        {line_of(counter, r"^action inc:")}
    loop = by_prop["SettlesAtTwo"]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [f.get("kinds") for f in loop] == [["loop"]] * 3
    assert doc["runs"][0]["invocations"][0]["exitCode"] == 2


def test_sarif_and_junit_are_deterministic(run, tmp_path, monkeypatch):
    work, _, _ = run
    monkeypatch.chdir(work)
    cli.main(["check", "specs", "--no-progress", "--quiet", "--sarif", str(tmp_path / "again"),
              "--junit", str(tmp_path / "again.xml")])
    assert (tmp_path / "again").read_text() == (work / "out.sarif").read_text()
    strip = re.compile(r' time="[0-9.]+"')
    assert strip.sub("", (tmp_path / "again.xml").read_text()) == \
        strip.sub("", (work / "out.xml").read_text())
