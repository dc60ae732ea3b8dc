"""The `stateline check` command: exit codes, output, bounds, overrides, JSON."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from stateline import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAXOS = str(ROOT / "specs" / "paxos.sl")
TWO_PC = str(ROOT / "specs" / "two_phase_commit.sl")

COUNTER = textwrap.dedent("""\
    spec Counter
    const Max = 5
    var x: 0..Max = 0
    action inc:
        require x < Max
        x := x + 1
    action reset:
        require x == Max
        x := 0
    invariant Small: x < 4
    invariant Fits: x <= Max
    check small:
        expect Small holds
""")


def run(capsys, *args):
    code = cli.main(list(args) + ["--no-progress"] if args and args[0] == "check" else list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def counter(tmp_path):
    path = tmp_path / "counter.sl"
    path.write_text(COUNTER)
    return str(path)


def test_met_expectations_exit_0(capsys):
    code, out, err = run(capsys, "check", PAXOS, "--check", "ballots01")
    assert code == 0
    assert "every expectation met" in out
    assert "3,921" in out
    assert "\r" not in err          # no progress line when stderr is not a terminal


def test_failed_expectation_exits_1_with_shortest_trace(capsys, counter):
    code, out, err = run(capsys, "check", counter)
    assert code == 1
    assert "Small" in out and "FAIL" in out
    assert "violated (4 steps)" in out
    assert "Counterexample" in out
    steps = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [s[1] for s in steps if len(s) == 2] == ["inc"] * 4
    assert "x  3 -> 4" in out


def test_expected_violation_is_hidden_by_quiet(capsys, tmp_path):
    path = tmp_path / "c.sl"
    path.write_text(COUNTER.replace("expect Small holds", "expect Small violated"))
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "Counterexample" in out
    code, out, _ = run(capsys, "check", str(path), "--quiet")
    assert code == 0 and "Counterexample" not in out


def test_max_states_stops_with_exit_3_and_reports(capsys):
    code, out, err = run(capsys, "check", PAXOS, "--check", "ballots012", "--max-states", "5000")
    assert code == 3
    assert "unknown (max-states)" in out
    assert "max-states 5,000" in out
    assert "--max-states bound stopped the search" in out


def test_max_depth_stops_with_exit_3(capsys):
    code, out, _ = run(capsys, "check", TWO_PC, "--check", "n3", "--max-depth", "5")
    assert code == 3
    assert "unknown (max-depth)" in out


def test_max_depth_beyond_the_diameter_is_complete(capsys):
    code, out, _ = run(capsys, "check", TWO_PC, "--check", "n3", "--max-depth", "11")
    assert code == 0


def test_violation_found_before_a_bound_still_counts(capsys, counter):
    # x = 4 is the 5th of 6 states: --max-states 5 (exact) stops after finding it.
    code, out, _ = run(capsys, "check", counter, "--max-states", "5")
    assert code == 1
    assert "violated (4 steps)" in out and "FAIL" in out and "unknown (max-states)" in out


def test_max_seconds(capsys):
    code, out, _ = run(capsys, "check", PAXOS, "--check", "ballots012", "--max-seconds", "0.2")
    assert code == 3
    assert "unknown (max-seconds)" in out


def test_override_changes_the_instance(capsys):
    code, out, _ = run(capsys, "check", TWO_PC, "--check", "n3", "-D", "N=4")
    assert code == 0
    assert "N=4" in out and "1,568" in out


@pytest.mark.parametrize("define, code_, text", [
    ("N=1+", "SL501", "-D N:1:"),
    ("Nope=3", "SL502", "no constant 'Nope'"),
    ("N=true", "SL503", "has type int"),
    ("N={a,b}", "SL503", ""),
    ("N", "SL501", "NAME=VALUE"),
])
def test_bad_overrides_exit_2(capsys, define, code_, text):
    code, out, err = run(capsys, "check", TWO_PC, "-D", define)
    assert code == 2
    assert f"error[{code_}]" in err
    assert text in err
    assert "Traceback" not in err


def test_unknown_check_block(capsys):
    code, _, err = run(capsys, "check", PAXOS, "--check", "nope")
    assert code == 2 and "error[SL505]" in err


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "none.sl"))
    assert code == 2 and "error[SL504]" in err


def test_bad_command_line(capsys):
    code, _, err = run(capsys, "check", PAXOS, "--max-states", "-3")
    assert code == 2
    code, _, err = run(capsys, "frobnicate")
    assert code == 2


def test_runtime_error_reports_location_and_trace(capsys, tmp_path):
    path = tmp_path / "overflow.sl"
    path.write_text(textwrap.dedent("""\
        spec Overflow
        var x: 0..2 = 0
        action inc:
            x := x + 1
        invariant True_: true
    """))
    code, out, err = run(capsys, "check", str(path))
    assert code == 2
    assert f"{path}:4:10: error[SL601]" in err
    assert "3 is outside 0..2" in err
    assert "inc" in err and "x  1 -> 2" in err


def test_json_output(capsys, tmp_path, counter):
    out_file = tmp_path / "r.json"
    code, _, _ = run(capsys, "check", counter, "--json", str(out_file))
    doc = json.loads(out_file.read_text())
    assert doc["schema"] == "stateline.check" and doc["version"] == 1
    assert doc["exit_code"] == code == 1
    (result,) = doc["results"]
    assert result["stats"]["states"] == 6
    assert result["stats"]["transitions"] == 7
    assert result["stop_reason"] == "complete"
    small = next(p for p in result["properties"] if p["name"] == "Small")
    assert small["result"] == "violated" and small["met"] is False
    assert small["trace"]["length"] == 4
    assert small["trace"]["steps"][3]["changes"] == [{"variable": "x", "old": "3", "new": "4"}]


def test_directory_runs_every_spec(capsys, tmp_path, counter):
    other = tmp_path / "sub"
    other.mkdir()
    (other / "ok.sl").write_text("spec Ok\nvar b: bool = false\naction flip:\n    b := not b\n")
    code, out, _ = run(capsys, "check", str(tmp_path))
    assert code == 1
    assert "counter.sl" in out and "ok.sl" in out


def test_parse_command(capsys, tmp_path):
    code, out, _ = run(capsys, "parse", PAXOS)
    assert code == 0 and "ok" in out
    bad = tmp_path / "bad.sl"
    bad.write_text("spec X\nvar x: int = 0\n")
    code, _, err = run(capsys, "parse", str(bad))
    assert code == 2 and "error[SL401]" in err


def test_console_script_runs_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "stateline", "check", PAXOS, "--check",
                           "ballots01"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "every expectation met" in proc.stdout


def test_json_to_stdout_is_the_only_thing_on_stdout(capsys):
    code, out, err = run(capsys, "check", PAXOS, "--check", "ballots01", "--json", "-")
    doc = json.loads(out)
    assert code == doc["exit_code"] == 0
    assert doc["results"][0]["stats"]["states"] == 3_921
    assert "every expectation met" in err


def test_a_spec_action_named_like_a_network_action_is_the_spec_s(capsys, tmp_path):
    # `partition`, `heal` and `drop` are the built-in network actions' names, but a
    # spec may use them for its own actions: the trace shows the spec's action.
    path = tmp_path / "named.sl"
    path.write_text(textwrap.dedent("""\
        spec PartitionName
        var cut: set[1..2] = {}
        action partition(side in {{1}}):
            cut := side
        invariant Whole: cut == {}
        allow deadlock
        check c:
            expect Whole violated
        """))
    code, out, err = run(capsys, "check", str(path))
    assert code == 0, err
    assert "    1  partition(side={1})\n         cut  {} -> {1}\n" in out


def test_a_dropped_message_is_shown_as_dropped(capsys, tmp_path):
    path = tmp_path / "lossy.sl"
    path.write_text(textwrap.dedent("""\
        spec LossyBag
        network bag lossy
        message Ping

        process Client:
            var pings: 0..1 = 0
            action ping if pings < 1:
                pings := pings + 1
                send Ping

        process Server:
            var got: 0..1 = 0
            on Ping(m):
                got := got + 1

        invariant AllArrive: Client.pings < 1 or len(sent(Ping)) > 0 or Server.got == 1

        check c:
            expect AllArrive violated
            allow deadlock
        """))
    code, out, err = run(capsys, "check", str(path))
    assert code == 0, err
    assert "    2  network.drop\n         dropped   Ping\n" in out, out


HEAL = """\
spec HealFair
network bag partitions(1)
message Ping

process A:
    var sent: bool = false
    action ping if not sent:
        sent := true
        send Ping

process B:
    var got: bool = false
    on Ping(m):
        got := true

property Delivered: eventually B.got
allow deadlock

check unfairHeal:
    fair weak A, B
    expect Delivered violated

check fairHeal:
    fair {kind} A, B, network.heal
    expect Delivered holds
"""


@pytest.mark.parametrize("kind", ["weak", "strong"])
def test_fair_network_heal_makes_partitions_temporary(capsys, tmp_path, kind):
    path = tmp_path / "heal.sl"
    path.write_text(HEAL.format(kind=kind))
    code, out, err = run(capsys, "check", str(path), "--json", "-")
    assert code == 0, err
    results = {r["check"]: {p["name"]: p for p in r["properties"]}
               for r in json.loads(out)["results"]}
    unfair = results["unfairHeal"]["Delivered"]
    assert unfair["result"] == "violated"
    assert [s["action"] for s in unfair["trace"]["steps"]] == ["ping", "partition"]
    assert unfair["trace"]["loop_start"] == 2
    assert results["fairHeal"]["Delivered"]["result"] == "holds"


def test_fair_network_heal_needs_partitions(capsys, tmp_path):
    path = tmp_path / "heal.sl"
    path.write_text(HEAL.format(kind="weak").replace("network bag partitions(1)",
                                                     "network bag"))
    code, out, err = run(capsys, "check", str(path))
    assert code == 2
    assert "heal.sl:24:21: error[SL201]: 'network.heal' needs a network with partitions(N)" \
        in err, err


def test_a_closed_output_pipe_is_not_an_internal_error():
    # `stateline check ... | head -1`: the reader goes away while Stateline still writes.
    proc = subprocess.Popen([sys.executable, "-m", "stateline", "check", PAXOS,
                             "--check", "ballots01"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 3
    assert "internal error" not in err and "Traceback" not in err and \
        "BrokenPipe" not in err, err


def test_fair_network_heal_with_no_partitions_allowed(capsys, tmp_path):
    # partitions(0): the network never splits, so the unfair check's lasso is gone too.
    path = tmp_path / "heal.sl"
    path.write_text(HEAL.format(kind="weak").replace("partitions(1)", "partitions(0)"))
    code, out, err = run(capsys, "check", str(path), "--json", "-")
    assert code == 1, err
    results = {r["check"]: r["properties"][0]["result"] for r in json.loads(out)["results"]}
    assert results == {"unfairHeal": "holds", "fairHeal": "holds"}


def test_progress_line_fields_and_time_left_under_a_bound():
    from stateline.cli.console import progress_line
    assert progress_line(12513, 17, 1.5, None, None) == \
        "  12,513 states · depth 17 · 8,342 states/s · 0:01"
    # a bound of states: what is left at the current rate; of seconds: the clock
    assert progress_line(10000, 5, 2.0, 40000, None) == \
        "  10,000 states · depth 5 · 5,000 states/s · 0:02 · at most 0:06 left"
    assert progress_line(10000, 5, 2.0, 40000, 4.5) == \
        "  10,000 states · depth 5 · 5,000 states/s · 0:02 · at most 0:02 left"
    assert progress_line(1, 1, 3725.0, None, 7200) == \
        "  1 states · depth 1 · 0 states/s · 1:02:05 · at most 57:55 left"
    assert len(progress_line(10 ** 9, 10 ** 6, 2.0, 10 ** 10, 9e9, width=40)) == 39


def test_the_progress_line_keeps_the_bounds_after_printing(monkeypatch):
    # The bounds of a run outlive what is printed meanwhile (they were reset by every
    # print, so "at most ... left" never showed in a real run).
    import io

    from stateline.cli.console import Console

    console = Console(progress=False)
    console.out, console.err = io.StringIO(), io.StringIO()
    console.progress_on = True
    monkeypatch.setattr("shutil.get_terminal_size", lambda: os.terminal_size((100, 24)))
    console.bounds(40000, None)
    console.print("spec: check block header")
    console.progress(10000, 5, 2.0)
    assert "at most 0:06 left" in console.err.getvalue()


def test_a_command_imports_only_its_own_module():
    """`stateline history` does not pay for Z3, networkx or the checker; `--help` still
    lists every command."""
    code = ("import atexit, sys\n"
            "from stateline.cli import main\n"
            "atexit.register(lambda: print('LOADED', sorted(m for m in ('z3', 'networkx', "
            "'stateline.checker.run') if m in sys.modules)))\n"
            "main(sys.argv[1:])\n")
    out = subprocess.run([sys.executable, "-c", code, "history", "--help"],
                         capture_output=True, text=True, cwd=ROOT).stdout
    assert "LOADED []" in out, out
    out = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True,
                         text=True, cwd=ROOT).stdout
    assert "LOADED ['networkx', 'stateline.checker.run', 'z3']" in out, out
    assert all(name in out for name in cli.COMMANDS)
