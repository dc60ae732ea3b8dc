"""Input files and option values that Python reads badly are SL701 / usage errors, exit 2.

Pinned here, one case each (issue 19, items 14-17): integers of more than 4,300
digits (Python's integer-to-string limit), `Infinity`, `NaN` and `1e400` (a
float overflowing to infinity) in OTLP traces, saved results and histories;
arrays nested 100,000 deep; infinite and NaN option values; and an export to ITF
that cannot be written, which must write no file at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stateline.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAXOS_LAB = ROOT / "specs" / "labs" / "paxos_no_quorum.sl"
BIG = "1" * 4301


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, str]:
    """The Paxos lab's counterexample: a saved result and an OTLP/JSON trace (as text)."""
    out = tmp_path_factory.mktemp("saved")
    assert main(["check", str(PAXOS_LAB), "--no-progress", "--quiet", "--json",
                 str(out / "result.json"), "--otlp", str(out)]) == 0
    return {"result": (out / "result.json").read_text(),
            "trace": (out / "paxos_no_quorum.small.Agreement.otlp.json").read_text()}


def run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _at(text: str, needle: str) -> str:
    """`line:col` of the first `needle` in `text`."""
    i = text.index(needle)
    return f"{text.count(chr(10), 0, i) + 1}:{i - text.rfind(chr(10), 0, i)}"


TRACE_CASES = {
    "4301-digit integer": (BIG, "an integer of 4,301 digits (at most 4,300 are read)"),
    "1e400": ("1e400", "the number 1e400 is too large for a 64-bit float"),
    "Infinity": ("Infinity", "Infinity is not a JSON number"),
    "-Infinity": ("-Infinity", "-Infinity is not a JSON number"),
    "NaN": ("NaN", "NaN is not a JSON number"),
}


@pytest.mark.parametrize("case", sorted(TRACE_CASES))
def test_numbers_python_cannot_hold_in_a_trace_are_sl701(saved, tmp_path, capsys, case):
    token, why = TRACE_CASES[case]
    text = saved["trace"].replace('"kind": 1', f'"kind": {token}', 1)
    path = tmp_path / "t.otlp.json"
    path.write_text(text)
    code, out, err = run(capsys, "trace", "analyze", path)
    assert (code, out) == (2, "")
    assert err == f"stateline: error[SL701]: {path}:{_at(text, token)}: {why}\n"


@pytest.mark.parametrize("case", sorted(TRACE_CASES))
def test_numbers_python_cannot_hold_in_a_result_are_sl701(saved, tmp_path, capsys, case):
    token, why = TRACE_CASES[case]
    text = saved["result"].replace('"number": 1', f'"number": {token}', 1)
    path = tmp_path / "result.json"
    path.write_text(text)
    code, out, err = run(capsys, "export", path, "-o", tmp_path / "out")
    assert (code, out) == (2, "")
    assert err == f"stateline: error[SL701]: {path}:{_at(text, token)}: {why}\n"
    assert not (tmp_path / "out").exists()


def test_a_number_in_a_string_is_not_taken_for_the_bad_one(saved, tmp_path, capsys):
    text = saved["trace"].replace('"kind": 1', f'"kind": {BIG}', 1)
    text = text.replace('"name": "', f'"name": "{BIG} ', 1)        # earlier, inside a string
    path = tmp_path / "t.otlp.json"
    path.write_text(text)
    code, _, err = run(capsys, "trace", "analyze", path)
    assert code == 2 and f"{path}:{_at(text, ': ' + BIG)}" not in err
    line, col = _at(text, f'"kind": {BIG}').split(":")
    assert err.startswith(f"stateline: error[SL701]: {path}:{line}:{int(col) + 8}: an integer")


@pytest.mark.parametrize("command", [["trace", "analyze"], ["trace", "timeline", "-o", "x.svg"],
                                     ["export"], ["history", "check"]])
def test_100000_nested_arrays_name_the_file(tmp_path, capsys, command):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    code, out, err = run(capsys, *command[:2], path, *command[2:])
    assert (code, out) == (2, "")
    why = "not a history: nested too deeply" if command[0] == "history" else \
        "arrays and objects are nested too deeply to read"
    assert err == f"stateline: error[SL701]: {path}: {why}\n"


def test_deeply_nested_attribute_values_in_a_trace_name_the_file(saved, tmp_path, capsys):
    levels = 250                            # within json's limit, beyond protobuf's reader
    value = '{"arrayValue": {"values": [' * levels + '{"stringValue": "x"}' + "]}}" * levels
    text = saved["trace"].replace('"attributes": [', '"attributes": [{"key": "deep", '
                                  f'"value": {value}}}, ', 1)
    path = tmp_path / "t.otlp.json"
    path.write_text(text)
    code, out, err = run(capsys, "trace", "analyze", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"stateline: error[SL701]: {path}: ") and "Traceback" not in err


def test_history_values_and_numbers(tmp_path, capsys):
    event = '{"process": 0, "type": "invoke", "f": "write", "value": %s}'
    cases = {
        BIG: f":1:58: not valid JSON: an integer of 4,301 digits (at most 4,300 are read)",
        "1e400": ":1:58: not valid JSON: the number 1e400 is too large for a 64-bit float",
        "[" * 101 + "]" * 101: ": event 0: 'value' has arrays nested more than 100 deep",
    }
    for value, message in cases.items():
        path = tmp_path / "h.json"
        path.write_text("[" + event % value + "]")
        code, out, err = run(capsys, "history", "check", path)
        assert (code, out) == (2, "")
        assert err == f"stateline: error[SL701]: {path}{message}\n"


def test_an_unknown_variable_in_a_result_is_refused_before_any_file(saved, tmp_path, capsys):
    doc = json.loads(saved["result"])
    trace = doc["results"][0]["properties"][0]["trace"]
    trace["steps"][7]["changes"][0]["variable"] = "nosuch"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(doc))
    for fmt in ("itf", "json"):
        out_dir = tmp_path / fmt
        code, out, err = run(capsys, "export", path, "-o", out_dir, "--otlp-format", fmt)
        assert (code, out) == (2, "")
        assert err == (f"stateline: error[SL701]: {path}: $.results[0].properties[0].trace."
                       "steps[7].changes[0].variable: 'nosuch' is not a variable of "
                       "$.results[0].properties[0].trace.initial (nor an entry of one)\n")
        assert not out_dir.exists()


MAP_SPEC = """spec Votes
const Nodes = {n1, n2}
var votes: map[Nodes, 0..2] = {n: 0 for n in Nodes}
action vote(n in Nodes):
    require votes[n] < 2
    votes[n] := votes[n] + 1
invariant Small: forall n in Nodes: votes[n] < 2
invariant Tiny: forall n in Nodes: votes[n] < 1
allow deadlock
check c:
    expect Small violated
    expect Tiny violated
"""


def test_an_itf_export_that_fails_on_a_later_trace_writes_nothing(tmp_path, capsys):
    spec = tmp_path / "votes.sl"
    spec.write_text(MAP_SPEC)
    saved = tmp_path / "result.json"
    assert main(["check", str(spec), "--no-progress", "--quiet", "--json", str(saved)]) == 0
    doc = json.loads(saved.read_text())
    second = doc["results"][0]["properties"][1]["trace"]["steps"][0]["changes"][0]
    assert second["variable"].startswith("votes[")
    second["variable"] = "votes[n9]"                 # a map entry the value does not have
    saved.write_text(json.dumps(doc))
    out_dir = tmp_path / "out"
    code, out, err = run(capsys, "export", saved, "-o", out_dir, "--otlp-format", "itf")
    assert (code, out) == (2, "")
    assert err == (f"stateline: error[SL701]: {saved}: the counterexample of "
                   f"{doc['results'][0]['properties'][1]['name']} cannot be written as ITF: "
                   "cannot write 'votes[n9]' as ITF: no map entry n9\n")
    assert not out_dir.exists()
    code, out, err = run(capsys, "export", saved, "-o", out_dir)        # OTLP can show it
    assert code == 0 and len(list(out_dir.iterdir())) == 2


def test_huge_finite_limits_are_no_limit(saved, tmp_path, capsys):
    path = tmp_path / "t.otlp.json"
    path.write_text(saved["trace"])
    for option in ("--max-size", "--latency-threshold"):   # x MB or ms overflows to inf
        code, out, _ = run(capsys, "trace", "analyze", path, option, "1e305")
        assert code == 0 and "anomalies:" in out


@pytest.mark.parametrize("argv", [
    ["trace", "analyze", "T", "--max-size", "inf"],
    ["trace", "analyze", "T", "--max-size", "nan"],
    ["trace", "analyze", "T", "--latency-threshold", "inf"],
    ["trace", "analyze", "T", "--latency-threshold", "1e400"],
    ["trace", "timeline", "T", "-o", "x.svg", "--max-size", "1e999"],
    ["prove", "SPEC", "--bmc", "1", "--timeout", "inf"],
    ["prove", "SPEC", "--auto", "--timeout", "nan"],
    ["check", "SPEC", "--max-seconds", "inf"],
])
def test_infinite_and_nan_limits_are_usage_errors(capsys, argv):
    code, out, err = run(capsys, *argv)
    option, value = argv[-2], argv[-1]
    assert (code, out) == (2, "")
    assert err.endswith(f"error: argument {option}: expected a positive finite number, "
                        f"got '{value}'\n"), err
