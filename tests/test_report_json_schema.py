"""The `--json` document (stateline.check, version 1) against its JSON Schema.

schemas/stateline.check.v1.schema.json is the documented contract of
stateline/render/json_out.py.  Every document emitted here must validate:
the edge cases of tests/report_specs/ (failed and unexpected verdicts, a
run-time error with its trace, a liveness lasso with `loop_start`, fifo
messages with `to`), a bounded run, and a spec without check blocks; the
library's own documents are validated in test_report_library.py.  The schema
is strict (no unknown fields), so a field added to the JSON without the
schema fails here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from stateline import cli
from stateline.render import json_out

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "stateline.check.v1.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def emit(tmp_path, *args) -> dict:
    out = tmp_path / "out.json"
    cli.main(["check", *args, "--no-progress", "--quiet", "--json", str(out)])
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def edge_doc(tmp_path_factory):
    return emit(tmp_path_factory.mktemp("edge"), str(ROOT / "tests" / "report_specs"))


def test_schema_names_the_document_json_out_writes(validator):
    schema = validator.schema
    assert schema["properties"]["schema"]["const"] == json_out.SCHEMA
    assert schema["properties"]["version"]["const"] == json_out.SCHEMA_VERSION


def test_edge_cases_validate(validator, edge_doc):
    validator.validate(edge_doc)
    props = {p["name"]: p for r in edge_doc["results"] for p in r["properties"]}
    assert props["SettlesAtTwo"]["kind"] == "temporal"
    assert props["SettlesAtTwo"]["trace"]["loop_start"] == 0
    assert props["Small"]["trace"]["loop_start"] is None
    fifo = props["InOrder"]["trace"]["steps"][0]["sent"][0]
    assert fifo["to"] == "Server"
    errors = [r["error"] for r in edge_doc["results"] if r["error"]]
    assert len(errors) == 1 and errors[0]["trace"]["length"] == 1


def test_bounded_run_and_default_check_validate(validator, tmp_path):
    doc = emit(tmp_path, str(ROOT / "specs" / "paxos.sl"), "--check", "ballots012",
               "--max-states", "2000")
    validator.validate(doc)
    assert doc["results"][0]["stop_reason"] == "max-states"
    assert {p["result"] for p in doc["results"][0]["properties"]} == {"unknown"}
    spec = tmp_path / "plain.sl"
    spec.write_text("spec Plain\nvar x: 0..1 = 0\naction flip:\n    x := 1 - x\n")
    doc = emit(tmp_path, str(spec))
    validator.validate(doc)
    assert doc["results"][0]["check"] == "default"


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("version"),
    lambda d: d.update(version=2),
    lambda d: d["results"][0].update(extra=1),
    lambda d: d["results"][0]["properties"][0].update(kind="liveness"),
    lambda d: d["results"][0]["properties"][0].update(met="yes"),
    lambda d: d["results"][0]["stats"].pop("depth"),
    lambda d: d["results"][0].update(stop_reason="done"),
], ids=["no version", "version 2", "unknown field", "unknown kind", "met not a bool",
        "stats without depth", "unknown stop reason"])
def test_schema_rejects_what_json_out_never_writes(validator, edge_doc, mutate):
    doc = copy.deepcopy(edge_doc)
    mutate(doc)
    assert not validator.is_valid(doc)


def test_schema_rejects_a_malformed_trace(validator, edge_doc):
    doc = copy.deepcopy(edge_doc)
    trace = next(p["trace"] for r in doc["results"] for p in r["properties"] if p["trace"])
    trace["loop_start"] = "3"
    assert not validator.is_valid(doc)
    trace["loop_start"] = None
    trace["steps"][0]["number"] = 0
    assert not validator.is_valid(doc)
