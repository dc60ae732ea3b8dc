"""Saved results are validated against the project's JSON Schema when read back.

`otlp.document.load` (what `stateline export` reads) validates a `stateline
check --json` document with `jsonschema` against the schema shipped in the
package, a copy of schemas/stateline.check.v1.schema.json; each problem is one
line naming its JSON path.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from stateline.otlp.document import DocumentError, load
from stateline.render import json_out
from test_otlp_export import check

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "specs" / "labs" / "paxos_no_quorum.sl"


def test_the_package_ships_the_documented_schema():
    shipped = ROOT / "stateline" / "otlp" / "stateline.check.v1.schema.json"
    assert shipped.read_bytes() == (ROOT / "schemas" / "stateline.check.v1.schema.json") \
        .read_bytes(), "copy schemas/stateline.check.v1.schema.json to stateline/otlp/"


@pytest.fixture(scope="module")
def good():
    return json_out.document(check(LAB), 0)


def _problem(tmp_path, doc) -> str:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DocumentError) as exc:
        load(str(path))
    return str(exc.value).split(": ", 1)[1]


def test_a_valid_document_loads(tmp_path, good):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(good))
    assert load(str(path)) == good


@pytest.mark.parametrize("mutate, problem", [
    (lambda d: d["results"][0]["properties"][0]["trace"]["steps"][0].pop("action"),
     "$.results[0].properties[0].trace.steps[0].action: missing"),
    (lambda d: d["results"][0]["properties"][0]["trace"]["steps"][2].update(number=7),
     "$.results[0].properties[0].trace.steps[2].number: expected 3, got 7"),
    (lambda d: d["results"][0]["properties"][0]["trace"].update(loop_start=99),
     "$.results[0].properties[0].trace.loop_start: expected null or a state index 0..8"),
    (lambda d: d["results"][0]["constants"].update(N=3),
     "$.results[0].constants.N: 3 is not of type 'string'"),
    (lambda d: d["results"][0].update(stats="fast"),
     "$.results[0].stats: 'fast' is not of type 'object'"),
    (lambda d: d["results"][0]["properties"][1].update(kind="liveness"),
     "$.results[0].properties[1].kind: 'liveness' is not one of ['invariant', 'transition', "
     "'deadlock', 'temporal']"),
    (lambda d: d.update(version=2), "$.version: expected 1, got 2"),
    (lambda d: d.update(extra=True),
     "$: Additional properties are not allowed ('extra' was unexpected)"),
])
def test_each_problem_is_one_line_with_its_json_path(tmp_path, good, mutate, problem):
    doc = copy.deepcopy(good)
    mutate(doc)
    assert _problem(tmp_path, doc) == problem
