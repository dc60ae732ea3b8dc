"""Check results as JUnit XML, the test-report format every CI system reads.

One `<testsuite>` per check block (its `file` is the spec, its `properties`
the constants and the run's statistics) and one `<testcase>` per property of
the block, named after the property, with the classname `Spec.check`:

* an expectation met passes; when the property was expected to be violated,
  its counterexample is kept in `<system-out>` (labs show it);
* an expectation failed is a `<failure>` whose text is the counterexample as
  `stateline check` prints it (or says that the property holds);
* a property without a verdict (a bound stopped the search) is `<skipped>`
  with the reason, so the report does not claim it passed;
* a run-time error in the spec is one more testcase, `(model error)`, with an
  `<error>`.

The document follows the JUnit schema CI tools use (Jenkins xunit's
junit-10.xsd, vendored in `schemas/`; a test validates against it).  It is
deterministic except for the `time` attributes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .. import __version__
from ..printable import printable
from ..models.verdict import CheckResult, Status
from . import text


def _seconds(x: float) -> str:
    return f"{x:.3f}"


def _clean(s: str) -> str:
    """Text XML 1.0 can carry: control characters other than tab and newline made
    visible (a spec's path can hold any character but NUL and '/')."""
    return printable(s, "\t\n")


def _testcase(suite, r: CheckResult, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": f"{r.spec}.{r.check}", "name": name})


def document(results: list[CheckResult], sources: dict[str, str] | None = None) -> ET.Element:
    """The `<testsuites>` element; `sources` (path -> text) lets errors quote their line."""
    root = ET.Element("testsuites", {"name": "stateline"})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for r in results:
        suite = ET.SubElement(root, "testsuite", {"name": f"{r.path}::{r.check}"})
        props = ET.SubElement(suite, "properties")
        for key, value in [("spec", r.spec), *(("const " + k, v) for k, v in r.constants),
                           ("engine", r.engine), ("stop_reason", r.stop.value),
                           ("states", str(r.stats.states)), ("depth", str(r.stats.depth)),
                           ("deadlock_checked", str(not r.allow_deadlock).lower())]:
            ET.SubElement(props, "property", {"name": key, "value": _clean(value)})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for v in r.verdicts:
            counts["tests"] += 1
            case = _testcase(suite, r, v.prop)
            result = text.result_text(v, r.stop)
            if v.met is None:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", {
                    "message": f"no verdict: {result}; {r.stop.describe()}"})
            elif v.met is False:
                counts["failures"] += 1
                if v.status is Status.VIOLATED and v.trace is not None:
                    body = text.counterexample(r, v)
                else:
                    body = (f"{v.prop} was expected to be violated, but it holds in every "
                            f"reachable state of check {r.check}")
                failure = ET.SubElement(case, "failure", {
                    "type": f"{v.kind}-{v.status.value}",
                    "message": f"{v.prop}: expected {v.expected}, result {result}"})
                failure.text = _clean(body)
            elif v.status is Status.VIOLATED and v.trace is not None:
                out = ET.SubElement(case, "system-out")
                out.text = _clean(text.counterexample(r, v))
        if r.failure is not None:
            counts["tests"] += 1
            counts["errors"] += 1
            case = _testcase(suite, r, "(model error)")
            d = r.failure.diagnostic
            error = ET.SubElement(case, "error", {"type": d.code, "message": _clean(d.message)})
            error.text = _clean(text.failure_text(r, sources or {}))
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", str(counts["errors"]))
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", _seconds(r.stats.seconds))
        suite.set("file", r.path)
        for k in totals:
            totals[k] += counts[k]
        seconds += r.stats.seconds
    for k, value in totals.items():
        root.set(k, str(value))
    root.set("time", _seconds(seconds))
    for element in root.iter():          # paths and names included, every text is clean
        for k, value in element.attrib.items():
            element.set(k, _clean(value))
        if element.text:
            element.text = _clean(element.text)
    return root


def dumps(results: list[CheckResult], sources: dict[str, str] | None = None) -> str:
    root = document(results, sources)
    ET.indent(root)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- stateline {__version__} -->\n'
            + ET.tostring(root, encoding="unicode") + "\n")
