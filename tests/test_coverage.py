"""Action coverage (checker/coverage.py): the never-enabled warnings after a complete
search, and `check --coverage` counts, cross-checked by brute force."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from stateline import cli
from stateline.checker.coverage import action_counts
from stateline.checker.run import CheckOptions, check_blocks, prepare, run_check
from stateline.checker.search import SearchOptions, bfs
from stateline.lang.load import load_spec

ROOT = Path(__file__).resolve().parent.parent

DEAD = """spec Dead
const N = 2
network set
message Ping(n: 0..N)
message Never

process P:
    var x: 0..N = 0

    action inc:
        require x < N
        x := x + 1
        send Ping(x)

    action stuck:
        require x > N
        x := 0

    on Never(m):
        x := 0

process Q:
    var got: 0..N = 0

    on Ping(m) if m.n > got:
        got := m.n

check small:
    allow deadlock
"""


def _spec(tmp_path, text=DEAD) -> str:
    path = tmp_path / "dead.sl"
    path.write_text(text)
    return str(path)


def _run(path, **options):
    loaded = load_spec(path)
    check = check_blocks(loaded)[0]
    return run_check(loaded, check, {}, CheckOptions(**options))


def test_dead_action_and_untriggered_handler_warned(tmp_path):
    path = _spec(tmp_path)
    result = _run(path)
    assert result.stop.value == "complete"
    assert [w for w in result.warnings if "never enabled" in w] == [
        f"{path}: warning: check small: action 'P.stuck' was never enabled "
        "(no reachable state has a step of it)",
        f"{path}: warning: check small: handler 'P.on Never' was never enabled "
        "(no reachable state has a step of it)",
    ]
    assert result.coverage is None


def test_no_warning_without_a_complete_search(tmp_path):
    result = _run(_spec(tmp_path), max_states=2)
    assert result.stop.value == "max-states"
    assert not [w for w in result.warnings if "never enabled" in w]


def test_coverage_counts_pinned(tmp_path):
    result = _run(_spec(tmp_path), coverage=True)
    assert result.stats.states == 6
    got = [(c.action, c.enabled, c.distinct) for c in result.coverage]
    assert got == [("P.inc", 3, 2), ("P.stuck", 0, 0), ("P.on Never", 0, 0),
                   ("Q.on Ping", 4, 3)]


@pytest.mark.parametrize("spec,check,expected", [
    ("two_phase_commit.sl", "n4", None),
    ("paxos.sl", None, None),
])
def test_counts_equal_a_brute_force_over_the_search(spec, check, expected):
    loaded = load_spec(str(ROOT / "specs" / spec))
    blocks = check_blocks(loaded, [check] if check else None)
    model = prepare(loaded, blocks[0], {})
    search = bfs(model, SearchOptions(check_deadlock=False, exhaustive=True))
    assert search.stop == "complete"
    counts = action_counts(model, search.state_list, search.parents)
    enabled = [0] * len(model.labels)
    for s in search.state_list:
        for label, _ in model.successors_labeled(s):
            enabled[label[0]] += 1
    assert [c.enabled for c in counts] == enabled
    initial = sum(1 for p in search.parents if p < 0)
    assert sum(c.distinct for c in counts) == search.states - initial
    assert sum(enabled) + len(model.initial_states()) == search.transitions


def test_two_phase_commit_counts(tmp_path):
    loaded = load_spec(str(ROOT / "specs" / "two_phase_commit.sl"))
    check = check_blocks(loaded, ["n3"])[0]
    result = run_check(loaded, check, {}, CheckOptions(coverage=True))
    assert [(c.action, c.enabled, c.distinct) for c in result.coverage] == [
        ("TM.on Prepared", 96, 13), ("TM.commit", 1, 1), ("TM.abort", 64, 14),
        ("RM.prepare", 156, 26), ("RM.decideAbort", 156, 74), ("RM.on Commit", 24, 7),
        ("RM.on Abort", 648, 152)]
    assert not [w for w in result.warnings if "never enabled" in w]


def test_cli_table_and_json(tmp_path, capsys):
    path = _spec(tmp_path)
    out = tmp_path / "out.json"
    code = cli.main(["check", path, "--coverage", "--no-progress", "--json", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert ("coverage of check small (Dead)\n"
            "action        enabled    new states\n"
            "----------  ---------  ------------\n"
            "P.inc               3             2\n"
            "P.stuck             0             0\n"
            "P.on Never          0             0\n"
            "Q.on Ping           4             3\n") in captured.out
    assert "handler 'P.on Never' was never enabled" in captured.err
    doc = json.loads(out.read_text())
    schema = json.loads((ROOT / "schemas" / "stateline.check.v1.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["results"][0]["coverage"] == [
        {"action": "P.inc", "enabled": 3, "distinct": 2},
        {"action": "P.stuck", "enabled": 0, "distinct": 0},
        {"action": "P.on Never", "enabled": 0, "distinct": 0},
        {"action": "Q.on Ping", "enabled": 4, "distinct": 3}]
    out2 = tmp_path / "plain.json"
    cli.main(["check", path, "--no-progress", "--json", str(out2)])
    assert "coverage" not in json.loads(out2.read_text())["results"][0]


def test_coverage_refused_with_fingerprints(tmp_path):
    path = _spec(tmp_path)
    result = _run(path, coverage=True, fingerprints=True)
    assert result.coverage is None
    assert f"{path}: warning: check small: no action coverage: it needs a complete " \
           "search, and --fingerprints keeps no states" in result.warnings
