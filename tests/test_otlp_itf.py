"""The Informal Trace Format: Stateline traces round-trip through ITF, and foreign ITF reads."""

from __future__ import annotations

import json
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stateline.cli import main
from stateline.otlp import formats, itf, mapping
from stateline.otlp.document import load
from stateline.render import json_out
from test_otlp_export import LASSO, check

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs" / "labs").glob("*.sl"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_a_stateline_trace_round_trips_through_itf(spec, tmp_path):
    document = json_out.document(check(spec), 0)
    for cx in mapping.counterexamples(document):
        written = itf.from_counterexample(cx)
        path = tmp_path / f"{cx.name}.itf.json"
        path.write_text(json.dumps(written))
        back = load(str(path))
        (cx2,) = mapping.counterexamples(back)
        assert cx2.trace == cx.trace
        assert (cx2.result["spec"], cx2.result["check"], cx2.result["constants"], cx2.label) == \
            (cx.result["spec"], cx.result["check"], cx.result["constants"], cx.label)
        assert formats.dumps(mapping.to_otlp(cx2), "protobuf") == \
            formats.dumps(mapping.to_otlp(cx), "protobuf")
        assert len(written["states"]) == len(cx.trace["steps"]) + 1
        assert all(set(s) - {"#meta"} == set(written["vars"]) for s in written["states"])


def test_states_are_structured_itf_values(tmp_path):
    (cx,) = mapping.counterexamples(json_out.document(
        check(ROOT / "specs" / "labs" / "paxos_no_quorum.sl"), 0))
    doc = itf.from_counterexample(cx)
    last = doc["states"][-1]
    assert last["Acceptor[a1].maxVal"] == "v2"
    assert last["Acceptor[a3].maxVal"] == {"tag": "None", "value": {"#tup": []}}
    assert last["Acceptor[a1].maxBal"] == 1
    assert doc["states"][8]["#meta"]["stateline.step"]["received"]["shown"] == \
        "Accept(bal=1, val=v2)"
    assert "network" not in doc["vars"]
    assert doc["#meta"]["format"] == "ITF"


def test_a_lasso_keeps_its_loop(tmp_path):
    spec = tmp_path / "blink.sl"
    spec.write_text(LASSO)
    (cx,) = mapping.counterexamples(json_out.document(check(spec), 0))
    doc = itf.from_counterexample(cx)
    assert doc["loop"] == 1
    assert mapping.counterexamples(itf.to_document(doc, "x.itf.json"))[0].trace == cx.trace


QUINT = {
    "#meta": {"format": "ITF", "source": "bank.qnt"},
    "vars": ["balances", "mbt::actionTaken", "mbt::nondetPicks", "log"],
    "states": [
        {"#meta": {"index": 0}, "balances": {"#map": [["alice", {"#bigint": "10"}],
                                                      ["bob", {"#bigint": "0"}]]},
         "mbt::actionTaken": "init", "mbt::nondetPicks": {}, "log": []},
        {"#meta": {"index": 1}, "balances": {"#map": [["alice", {"#bigint": "3"}],
                                                      ["bob", {"#bigint": "7"}]]},
         "mbt::actionTaken": "transfer",
         "mbt::nondetPicks": {"amount": {"tag": "Some", "value": {"#bigint": "7"}},
                              "memo": {"tag": "None", "value": {"#tup": []}}},
         "log": [{"from": "alice", "to": "bob"}]},
    ],
    "loop": None,
}


def test_a_quint_itf_trace_exports_to_otlp(tmp_path, capsys):
    path = tmp_path / "bank.itf.json"
    path.write_text(json.dumps(QUINT))
    (cx,) = mapping.counterexamples(load(str(path)))
    (step,) = cx.trace["steps"]
    assert step["action"] == "transfer" and step["node"] == "env"
    assert step["params"] == {"amount": "7"}
    assert step["changes"] == [
        {"variable": "balances[alice]", "old": "10", "new": "3"},
        {"variable": "balances[bob]", "old": "0", "new": "7"},
        {"variable": "log", "old": "[]", "new": "[{ from: alice, to: bob }]"}]
    assert cx.trace["initial"] == {"balances": "{alice: 10, bob: 0}", "log": "[]"}
    assert main(["export", str(path), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "bank.itf.trace.otlp.json").exists()


@pytest.mark.parametrize("bad, message", [
    ({"states": []}, "non-empty array"),
    ({"vars": ["x"], "states": [{"y": 1}]}, "no value for 'x'"),
    ({"vars": [1], "states": [{}]}, "array of strings"),
])
def test_bad_itf_is_a_clear_error(tmp_path, capsys, bad, message):
    path = tmp_path / "bad.itf.json"
    path.write_text(json.dumps(bad))
    assert main(["export", str(path), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("field, value, message", [
    ("constants", None, "$.#meta.stateline.constants: None is not of type 'object'"),
    ("constants", {"N": 3}, "$.#meta.stateline.constants.N: 3 is not of type 'string'"),
    ("spec", [], "$.#meta.stateline.spec: [] is not of type 'string'"),
    ("property", {"name": "P"}, "$.#meta.stateline.property.kind: missing"),
    ("error", {"code": "x", "message": "m", "location": None},
     "$.#meta.stateline.error.code: 'x' does not match"),
    ("network", {"index": "0", "initial": "[]"},
     "$.#meta.stateline.network.index: '0' is not of type 'integer'"),
])
def test_bad_stateline_fields_of_an_itf_trace_are_a_clear_error(tmp_path, capsys, field,
                                                                value, message):
    # The fields `export --format itf` writes under #meta.stateline, hand-edited: found by
    # the input fuzzer (a null `constants` was an internal error).
    doc = json.loads(json.dumps(QUINT))
    doc["#meta"]["stateline"] = {"spec": "Bank", "check": "c", "constants": {},
                                 "property": {"name": "P", "kind": "invariant",
                                              "expected": "holds", "result": "violated"}}
    doc["#meta"]["stateline"][field] = value
    path = tmp_path / "bad.itf.json"
    path.write_text(json.dumps(doc))
    assert main(["export", str(path), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error[SL701]: {path}: {message}" in err and "Traceback" not in err
    del doc["#meta"]["stateline"][field]
    path.write_text(json.dumps(doc))
    assert main(["export", str(path), "-o", str(tmp_path)]) == 0


def test_a_network_index_beyond_the_variables_puts_the_network_last(tmp_path):
    # (a 10**40 index was an OverflowError, exit 4: found by the input fuzzer)
    doc = json.loads(json.dumps(QUINT))
    doc["#meta"]["stateline"] = {"network": {"index": 10 ** 40, "initial": "{}"}}
    path = tmp_path / "net.itf.json"
    path.write_text(json.dumps(doc))
    (cx,) = mapping.counterexamples(load(str(path)))
    assert list(cx.trace["initial"]) == ["balances", "log", "network"]


values = st.recursive(
    st.integers(-2 ** 60, 2 ** 60).map(str) | st.sampled_from(["a1", "true", "none", "v2"]),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "{" + ", ".join(xs) + "}"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + ", ".join(xs) + ")"),
        st.lists(st.tuples(st.sampled_from(["a1", "2"]), inner), min_size=1, max_size=2).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda xs: "Msg(" + ", ".join(f"f{i}={x}" for i, x in enumerate(xs)) + ")"),
    ), max_leaves=8)


@settings(deadline=None, max_examples=150)
@given(values)
def test_every_shown_value_prints_back_exactly(text):
    assert itf.show(itf.to_itf(text)) == text


def test_ranges_become_sets_and_huge_ones_stay_text():
    assert itf.to_itf("-1..2") == {"#set": [-1, 0, 1, 2]}
    assert itf.to_itf("0..99999999999") == {"#unserializable": "0..99999999999"}
    assert itf.show({"#set": [-2040375, 0]}) == "{-2040375, 0}"
