"""`stateline prove --json` (schema stateline.prove, version 1) against its JSON Schema.

Documents from every engine are validated: BMC with a counterexample and a
lasso, induction with counterexamples to induction (and --drop), k-induction,
Spacer with its invariant, a run-time error; the document is deterministic
apart from its `seconds` fields, and the schema file is the one
schemas/make_prove_schema.py writes (it shares its trace objects with the
check schema).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import jsonschema
import pytest

from stateline import cli
from stateline.render import prove_json

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "stateline.prove.v1.schema.json"

ERROR_SPEC = """\
spec Err
var x: 0..3 = 0
action inc:
    require x < 3
    x := x + 1
invariant Half: 6 // (2 - x) >= 0
check c:
    allow deadlock
"""


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def emit(tmp_path, *args) -> tuple[int, dict]:
    out = tmp_path / "prove.json"
    code = cli.main(["prove", *args, "--quiet", "--json", str(out)])
    return code, json.loads(out.read_text())


def without_seconds(doc):
    if isinstance(doc, dict):
        return {k: without_seconds(v) for k, v in doc.items() if k != "seconds"}
    if isinstance(doc, list):
        return [without_seconds(x) for x in doc]
    return doc


def test_the_schema_file_is_generated():
    spec = importlib.util.spec_from_file_location("make", ROOT / "schemas" /
                                                  "make_prove_schema.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert SCHEMA_PATH.read_text() == make.text(), \
        "regenerate with: python schemas/make_prove_schema.py"
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["properties"]["schema"]["const"] == prove_json.SCHEMA
    assert schema["properties"]["version"]["const"] == prove_json.SCHEMA_VERSION


def test_bmc_counterexample_and_lasso(tmp_path, validator):
    code, doc = emit(tmp_path, str(ROOT / "specs/labs/paxos_no_quorum.sl"), "--bmc", "8")
    validator.validate(doc)
    assert code == 0 and doc["exit_code"] == 0
    [r] = doc["results"]
    assert r["engine"] == "bmc" and r["bound"] == 8 and len(r["depths"]) == 9
    agreement = next(o for o in r["obligations"] if o["name"] == "Agreement")
    assert agreement["claim"] == "violated" and agreement["trace"]["length"] == 8
    assert agreement["met"] is True
    code, doc = emit(tmp_path, str(ROOT / "specs/fairness_flicker.sl"), "--bmc", "6")
    validator.validate(doc)
    lassos = [o for r in doc["results"] for o in r["obligations"]
              if o["trace"] is not None and o["trace"]["loop_start"] is not None]
    assert lassos


def test_induction_cti_and_dropped_lemma(tmp_path, validator):
    code, doc = emit(tmp_path, str(ROOT / "specs/paxos.sl"), "--induction", "--proof",
                     str(ROOT / "proofs/paxos.sl"), "--check", "ballots01", "--drop",
                     "VotesProposed")
    validator.validate(doc)
    assert code == 1 and doc["exit_code"] == 1
    ctis = [o["cti"] for o in doc["results"][0]["obligations"] if o["cti"] is not None]
    assert ctis and all(c["trace"]["length"] in (0, 1) for c in ctis)
    assert any("VotesProposed" in c["violates_dropped"] for c in ctis)


def test_k_induction_and_spacer_invariant(tmp_path, validator):
    code, doc = emit(tmp_path, str(ROOT / "specs/two_phase_commit.sl"), "--k-induction", "2",
                     "--proof", str(ROOT / "proofs/two_phase_commit.sl"), "--check", "n3")
    validator.validate(doc)
    assert doc["results"][0]["bound"] == 2
    code, doc = emit(tmp_path, str(ROOT / "specs/two_phase_commit.sl"), "--auto",
                     "--check", "n3", "--timeout", "60")
    validator.validate(doc)
    assert any(o["invariant"] for o in doc["results"][0]["obligations"])


def test_run_time_error(tmp_path, validator):
    spec = tmp_path / "err.sl"
    spec.write_text(ERROR_SPEC)
    code, doc = emit(tmp_path, str(spec), "--bmc", "4")
    validator.validate(doc)
    assert code == 2
    error = doc["results"][0]["error"]
    assert error["code"] == "SL602" and error["location"].endswith(":6:17")
    assert error["trace"]["length"] == 2


def test_deterministic_apart_from_seconds(tmp_path):
    args = (str(ROOT / "specs/two_phase_commit.sl"), "--induction", "--check", "n3")
    _, a = emit(tmp_path, *args)
    _, b = emit(tmp_path, *args)
    assert without_seconds(a) == without_seconds(b)


def test_json_to_stdout_keeps_the_table_off_it(capsys):
    code = cli.main(["prove", str(ROOT / "specs/two_phase_commit.sl"), "--bmc", "2",
                     "--check", "n3", "--json", "-"])
    out = capsys.readouterr()
    assert json.loads(out.out)["exit_code"] == code
    assert "property" in out.err
