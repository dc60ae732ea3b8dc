"""History files in Jepsen's EDN and log formats, recognised by content, and the command
on several files: verdicts, summary, --timeout, --workers, --json FILE.

The files are written by the tests in the shapes Jepsen and Porcupine use: a
``history.edn`` (one operation map per line, or a vector of them), Porcupine's kv test
data (EDN maps with a ``:key``, one per line), and the ``jepsen.util`` log lines of
Porcupine's etcd test data.  The simulator of bench/history_sim.py gives the long ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from stateline import cli
from stateline.history import check, keys
from stateline.history.files import detect, parse, read

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from history_sim import hard_kv, simulate  # noqa: E402

ETCD_LOG = """\
INFO  jepsen.core - Worker 0 starting
INFO  jepsen.util - 0\t:invoke\t:read\tnil
INFO  jepsen.util - 3\t:invoke\t:read\tnil
INFO  jepsen.util - 2\t:invoke\t:write\t4
INFO  jepsen.util - 3\t:ok\t:read\tnil
INFO  jepsen.util - 0\t:ok\t:read\tnil
INFO  jepsen.util - 2\t:ok\t:write\t4
INFO  jepsen.util - :nemesis\t:info\t:start\tnil
INFO  jepsen.util - 1\t:invoke\t:cas\t[4 1]
INFO  jepsen.util - 1\t:ok\t:cas\t[4 1]
INFO  jepsen.util - 0\t:invoke\t:cas\t[4 2]
INFO  jepsen.util - 0\t:fail\t:cas\t[4 2]
INFO  jepsen.util - 3\t:invoke\t:write\t3
INFO  jepsen.util - 3\t:info\t:write\t:timed-out
INFO  jepsen.util - 8\t:invoke\t:read\tnil
INFO  jepsen.util - 8\t:ok\t:read\t3
"""

KV_TXT = """\
{:process 0, :type :invoke, :f :append, :key "1", :value "x 0 0 y"}
{:process 1, :type :invoke, :f :get, :key "1", :value nil}
{:process 1, :type :ok, :f :get, :key "1", :value ""}
{:process 0, :type :ok, :f :append, :key "1", :value "x 0 0 y"}
{:process 1, :type :invoke, :f :get, :key "1", :value nil}
{:process 1, :type :ok, :f :get, :key "1", :value "x 0 0 y"}
{:process 2, :type :invoke, :f :put, :key "2", :value "a"}
{:process 2, :type :ok, :f :put, :key "2", :value "a"}
{:process 2, :type :invoke, :f :get, :key "2", :value nil}
{:process 2, :type :ok, :f :get, :key "2", :value "a"}
"""


def run(capsys, *args):
    code = cli.main(["history", "check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def edn_line(event, time=None) -> str:
    """One operation map as Jepsen writes it."""
    process, type_, f, value = event[:4]
    fields = [f":type :{type_}", f":f :{f}", f":value {edn(value)}",
              f":process {process}"]
    if len(event) > 4:
        fields.insert(2, f":key {edn(event[4])}")
    if time is not None:
        fields.append(f":time {time}")
    return "{" + ", ".join(fields) + "}"


def edn(value) -> str:
    if value is None:
        return "nil"
    if isinstance(value, tuple):
        return "[" + " ".join(map(edn, value)) + "]"
    return json.dumps(value)


def log_line(event) -> str:
    process, type_, f, value = event
    shown = ":timed-out" if type_ == "info" else edn(value)
    return f"INFO  jepsen.util - {process}\t:{type_}\t:{f}\t{shown}"


def test_the_etcd_log_is_read_from_a_file(tmp_path, capsys):
    path = tmp_path / "etcd_000.log"
    path.write_text(ETCD_LOG)
    h = read(str(path))
    assert (h.format, h.model, h.initial) == ("log", "cas-register", None)
    assert h.events[:3] == ((0, "invoke", "read", None), (3, "invoke", "read", None),
                           (2, "invoke", "write", 4))
    assert h.events[6:10] == ((1, "invoke", "cas", (4, 1)), (1, "ok", "cas", (4, 1)),
                              (0, "invoke", "cas", (4, 2)), (0, "fail", "cas", (4, 2)))
    assert h.events[11] == (3, "info", "write", "timed-out")
    assert h.lines[:3] == (2, 3, 4) and h.lines[11] == 14        # nemesis and core left out
    code, out, err = run(capsys, path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path}: cas-register, 7 operations by 5 processes (1 failed, 1 indeterminate), "
        "initial value None",
        "linearizable: yes",
        "  linearization: op 0, op 1, op 2, op 3, op 4, op 5, op 6"]


# Porcupine's etcd_100.log to etcd_102.log: the same lines with their tabs expanded
SPACED_LOG = """\
INFO  jepsen.core - Worker 0 starting
INFO  jepsen.util - 0   :invoke :read   nil
INFO  jepsen.util - 3   :invoke :read   nil
INFO  jepsen.util - 2   :invoke :write  4
INFO  jepsen.util - 3   :ok     :read   nil
INFO  jepsen.util - 0   :ok     :read   nil
INFO  jepsen.util - 2   :ok     :write  4
INFO  jepsen.util - :nemesis    :info   :start  nil
INFO  jepsen.util - 1   :invoke :cas    [4 1]
INFO  jepsen.util - 1   :ok     :cas    [4 1]
INFO  jepsen.util - 0   :invoke :cas    [4 2]
INFO  jepsen.util - 0   :fail   :cas    [4 2]
INFO  jepsen.util - 3   :invoke :write  3
INFO  jepsen.util - 3   :info   :write  :timed-out  java.net.SocketTimeoutException: Read timed out
INFO  jepsen.util - 8   :invoke :read   nil
INFO  jepsen.util - 8   :ok     :read   3
"""


def test_a_log_separated_by_spaces_is_read_as_with_tabs(tmp_path, capsys):
    """The value is the first EDN value after :f (a vector with its space inside); what
    follows it is the error, ignored.  Before, with --format log, such a file was read
    as 0 operations and passed."""
    tabs, spaces = tmp_path / "tabs.log", tmp_path / "etcd_100.log"
    tabs.write_text(ETCD_LOG)
    spaces.write_text(SPACED_LOG)
    for fmt in (None, "log"):
        h, t = read(str(spaces), fmt), read(str(tabs))
        assert (h.format, h.model, h.events, h.lines) == ("log", "cas-register", t.events,
                                                           t.lines)
    code, out, err = run(capsys, spaces, "--format", "log")
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        f"{spaces}: cas-register, 7 operations by 5 processes (1 failed, 1 indeterminate), "
        "initial value None", "linearizable: yes"]
    stale = tmp_path / "stale.log"          # the audit's reproduction: a read of 3 from nil
    stale.write_text("INFO  jepsen.util - 0 :invoke :read nil\n"
                     "INFO  jepsen.util - 0 :ok :read 3\n")
    code, out, _ = run(capsys, stale, "--format", "log")
    assert code == 1 and out.splitlines()[1] == "linearizable: NO"
    values = tmp_path / "values.log"
    values.write_text('1 :invoke :write "a b"  an error\n1 :ok :write "a b"\n'
                      "2 :invoke :write #{1 [2 3]}\n2 :ok :write #{1 [2 3]} \n")
    assert [e[3] for e in read(str(values), "log").events] == \
        ["a b", "a b", frozenset({1, (2, 3)}), frozenset({1, (2, 3)})]


@pytest.mark.parametrize("text, message", [
    ("hello world\nINFO  jepsen.core - nothing here\n",
     ":1: no operation in the log: this line is not an event"),
    ("\nINFO  jepsen.util - 0 invoke read nil\n",
     ":2: no operation in the log: this line is not an event"),
    ("\n\n", ": no operation in the log (it is empty, or has only :nemesis events)"),
    ("INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n",
     ": no operation in the log (it is empty, or has only :nemesis events)"),
    ("INFO  jepsen.util - 0 :invoke :read\n",
     ":1: expected process :type :f value, separated by tabs or spaces"),
    ("INFO  jepsen.util - 0 :done :read nil\n",
     ":1: the type must be :invoke, :ok, :fail or :info, not ':done'"),
    ("INFO  jepsen.util - 0 :invoke :write [1 2\n", ":1: the value '[1 2' is not valid EDN"),
])
def test_a_log_without_operations_never_passes(tmp_path, capsys, text, message):
    path = tmp_path / "h.log"
    path.write_text(text)
    code, out, err = run(capsys, path, "--format", "log")
    assert code == 2 and out == ""
    assert err.startswith(f"stateline: error[SL701]: {path}{message}"), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_failed_cas_is_a_read_that_saw_something_else(tmp_path, capsys):
    """The cas of 4 that fails after the register holds 4 cannot be placed."""
    text = ETCD_LOG.replace(":invoke\t:cas\t[4 1]", ":invoke\t:cas\t[9 1]").replace(
        ":ok\t:cas\t[4 1]", ":ok\t:cas\t[9 1]")
    path = tmp_path / "etcd_bad.log"
    path.write_text(text)
    code, out, _ = run(capsys, path)
    assert code == 1
    assert out.splitlines()[1:] == [
        "linearizable: NO",
        "  op 3 (process 1: cas 9 -> 1, events 6-7) cannot take effect between its invoke "
        "and its return: events 0-6 have a linearization, but none lets op 3 change 9 to 1 "
        "before it returns at event 7",
        "  longest linearizable prefix (3 operations): op 0, op 1, op 2",
        f"  (event 7 is line 10 of {path})"]


def test_porcupine_kv_data_is_read_from_a_file(tmp_path, capsys):
    path = tmp_path / "c01-ok.txt"
    path.write_text(KV_TXT)
    h = read(str(path))
    assert (h.format, h.model) == ("edn", "kv")
    assert h.events[0] == (0, "invoke", "append", "x 0 0 y", "1")
    code, out, _ = run(capsys, path)
    assert code == 0
    assert out.splitlines()[:2] == [
        f"{path}: kv, 5 operations by 3 processes on 2 keys, initial value None",
        "linearizable: yes"]
    bad = tmp_path / "c01-bad.txt"
    bad.write_text(KV_TXT.replace('"x 0 0 y"}\n{:process 2', '""}\n{:process 2'))
    code, out, _ = run(capsys, bad)
    assert code == 1
    assert "op 2 (key '1', process 1: get -> '', events 4-5) cannot take effect" in out


def test_jepsen_history_edn_shapes(tmp_path):
    events = simulate("cas-register", 60, 4, seed=2)
    lines = [edn_line(e, time=1000 * i) for i, e in enumerate(events)]
    per_line = tmp_path / "history.edn"
    per_line.write_text("\n".join(lines) + "\n")
    vector = tmp_path / "knossos.edn"
    vector.write_text("[" + "\n ".join(lines) + "]\n")
    tagged = tmp_path / "tagged.edn"
    tagged.write_text("\n".join("#jepsen.history.Op" + line for line in lines) + "\n")
    for path in (per_line, vector, tagged):
        h = read(str(path))
        assert (h.format, h.model, h.events) == ("edn", "cas-register", events), path
        assert h.lines == tuple(range(1, len(events) + 1))
    # a map written over several lines keeps the line it starts on
    spread = tmp_path / "spread.edn"
    spread.write_text(lines[0] + "\n" + lines[1].replace(", ", ",\n  ") + "\n" + lines[2])
    assert read(str(spread)).lines == (1, 2, 7)           # lines[1] takes lines 2-6


def test_the_log_and_edn_agree_with_json_on_a_long_history(tmp_path):
    """A simulated etcd run, with stale reads: the same verdict and explanation from
    every format."""
    events = simulate("cas-register", 400, 6, seed=3, bug="stale-reads", lag=8)
    log = tmp_path / "run.log"
    log.write_text("\n".join(log_line(e) for e in events) + "\n")
    h = read(str(log))
    same = tuple(e if e[1] != "info" else e[:3] + ("timed-out",) for e in events)
    assert h.events == same
    expected = check(events, "linearizable", None, "cas-register")
    assert not expected.ok
    assert check(h.events, "linearizable", None, "cas-register").explanation == \
        expected.explanation


MALFORMED = [
    ("h.edn", "{:type :invoke, :f :read, :process 0}\n{:type :ok :f :read :process 0 "
              ":value 1}\n]]", ":3:1: not valid EDN: unexpected ']'"),
    ("h.edn", "{:type :invoke :f}\n", ":1: not valid EDN: a map needs a value for every key"),
    ("h.edn", '{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :process 0, '
              ':value "x}\n', ":2:42: not valid EDN: unexpected character '\"'"),
    ("h.edn", "{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read\n",
     ":2: not valid EDN: a map, vector or string is not closed"),
    ("h.edn", "{:type :invoke, :f :read}\n", ":1: missing :process"),
    ("h.edn", "{:type :done, :f :read, :process 0}\n",
     ":1: :type must be :invoke, :ok, :fail or :info, not :done"),
    ("h.edn", '{:type :invoke, :f "read", :process 0}\n',
     ":1: :f must be a keyword (:read, :write, :cas, ...), not 'read'"),
    ("h.edn", "{:type :invoke, :f :read, :process 0, :value #foo 1}\n",
     ":1: unknown EDN tag #foo"),
    ("h.edn", "{:type :invoke, :f :read, :process 1.5}\n",
     ":1: :process must be an integer, not 1.5"),
    ("h.edn", "{:type :invoke, :f :write, :process 0, :value {:a 1}}\n",
     ":1: :value must not be a map"),
    ("h.edn", "{:type :invoke, :f :read, :process 0}\n\n{:type :ok, :f :write, :process 0, "
              ":value 1}\n", ":3: process 0 completes a write but invoked a read (event 0)"),
    ("h.edn", "{:type :invoke, :f :frob, :process 0}\n",
     ":1: f must be 'read' or 'write' (a read/write register), not 'frob'"),
    ("h.log", "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
              "INFO  jepsen.util - 0\t:ok\t:read\n",
     ":2: expected process<TAB>:type<TAB>:f<TAB>value, got 3 fields"),
    ("h.log", "INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
              "INFO  jepsen.util - 0\t:done\t:read\t1\n",
     ":2: the type must be :invoke, :ok, :fail or :info, not ':done'"),
    ("h.log", "INFO  jepsen.util - 0\t:invoke\tread\tnil\n",
     ":1: the operation must be a keyword (:read, :write, :cas, ...), not 'read'"),
    ("h.log", "INFO  jepsen.util - 0\t:invoke\t:write\t[1\n",
     ":1: the value '[1' is not valid EDN"),
    ("h.log", "INFO  jepsen.util - 0\t:invoke\t:write\t1 2\n",
     ":1: the value '1 2' is not one EDN value"),
    ("h.log", "INFO  jepsen.util - 0\t:ok\t:write\t1\n",
     ":1: ok for process 0, which has no pending operation (a completion must follow its "
     "process's invoke)"),
    ("h.txt", "hello\nworld\n", ": not a history in a format Stateline reads"),
]


@pytest.mark.parametrize("name, text, message", MALFORMED, ids=[m[2] for m in MALFORMED])
def test_malformed_files_name_their_line(tmp_path, capsys, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(capsys, path)
    assert code == 2 and out == ""
    assert err.startswith(f"stateline: error[SL701]: {path}{message}"), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_edn_file_never_gets_a_json_error(tmp_path, capsys):
    path = tmp_path / "history.json"             # the name does not matter, the content does
    path.write_text("[{:type :invoke, :f :read, :process 0}\n {:type :ok :f :read}]\n")
    code, _, err = run(capsys, path)
    assert code == 2 and "JSON" not in err and ":2: missing :process" in err
    code, _, err = run(capsys, path, "--format", "json")
    assert code == 2 and ":1:3: not valid JSON: Expecting property name" in err


@pytest.mark.parametrize("text, fmt", [
    ("", "json"), ("[]", "json"), ('[{"process": 0}]', "json"), ('{"history": []}', "json"),
    ("[[0, 1]]", "json"), ("42", "json"), ("{:type :ok}", "edn"), ("[{:type :ok}]", "edn"),
    ("#jepsen.history.Op{}", "edn"), ("; a comment\n{}", "edn"),
    ("0\t:invoke\t:read\tnil\n", "log"), ("INFO  jepsen.util - 1\t:ok\t:read\t3", "log"),
    ("INFO [2026-06-04 20:34:50,763] jepsen worker 2 - jepsen.util 2\t:invoke\t:read\tnil",
     "log"),
    ("INFO  jepsen.util - 1   :invoke :cas    [1 2]", "log"), ("0 :ok :read 3\n", "log"),
    ("0 read 3\n", "json"), ("INFO  jepsen.util - 1 :started\n", None),
    ("hello", None), ("<html>", None)])
def test_detection(text, fmt):
    assert detect(text) == fmt


def test_the_model_is_inferred_or_given(tmp_path, capsys):
    reg = simulate("register", 20, 3, seed=1)
    assert parse(json.dumps([dict(zip(("process", "type", "f", "value"), e))
                             for e in reg])).model == "register"
    path = tmp_path / "r.log"
    path.write_text("\n".join(log_line(e) for e in reg) + "\n")
    assert read(str(path)).model == "register"
    assert read(str(path), model="cas-register").model == "cas-register"
    code, out, _ = run(capsys, path, "--model", "cas-register")
    assert code == 0 and out.startswith(f"{path}: cas-register, 20 operations")
    code, _, err = run(capsys, path, "--model", "queue")
    assert code == 2 and "f must be 'enqueue' or 'dequeue' (the queue model), not" in err
    code, _, err = run(capsys, path, "--consistency", "causal", "--model", "cas-register")
    assert code == 2 and "the cas-register model supports linearizable and sequential " \
        "only, not causal" in err


def test_several_files_a_summary_and_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.log"
    good.write_text(ETCD_LOG)
    bad = tmp_path / "bad.txt"
    bad.write_text(KV_TXT.replace('"x 0 0 y"}\n{:process 2', '""}\n{:process 2'))
    broken = tmp_path / "broken.edn"
    broken.write_text("{:type :invoke}\n")
    code, out, err = run(capsys, good, bad)
    assert code == 1
    assert [line for line in out.splitlines() if not line.startswith("  ")] == [
        f"{good}: cas-register, 7 operations by 5 processes (1 failed, 1 indeterminate), "
        "initial value None", "linearizable: yes",
        f"{bad}: kv, 5 operations by 3 processes on 2 keys, initial value None",
        "linearizable: NO",
        "2 files: 1 consistent, 1 not"]
    code, out, err = run(capsys, good, broken, bad)
    assert code == 2 and out.splitlines()[-1] == "3 files: 1 consistent, 1 not, 1 not readable"
    assert err == f"stateline: error[SL701]: {broken}:1: missing :f\n"
    out_json = tmp_path / "v.json"
    code, out, _ = run(capsys, good, bad, "--json", out_json, "--no-explain")
    doc = json.loads(out_json.read_text())
    assert code == 1 and [f["file"] for f in doc["files"]] == [str(good), str(bad)]
    assert [f["results"][0]["verdict"] for f in doc["files"]] == ["yes", "no"]
    assert doc["files"][1]["keys"] == 2
    assert doc["files"][1]["results"][0]["failure"]["prefix"] is None      # not searched
    assert "longest" not in out


def test_timeout_gives_unknown(tmp_path, capsys):
    """A violation at the end of a long, 10-way concurrent history takes seconds; with
    --timeout 0.05 the verdict is unknown, exit 3."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from history_bench import atomic_history, stale_tail
    events = stale_tail(atomic_history(500, 10, 1))
    path = tmp_path / "slow.json"
    path.write_text(json.dumps({"initial": 0, "history": [
        dict(zip(("process", "type", "f", "value"), e)) for e in events]}))
    code, out, _ = run(capsys, path, "--timeout", "0.05")
    assert code == 3
    assert out.splitlines()[1:] == ["linearizable: unknown",
                                    "  unknown: no verdict within the timeout of 0.05 s"]
    code, _, err = run(capsys, path, "--timeout", "0")
    assert code == 2 and "--timeout" in err


def test_keys_in_worker_processes_give_the_same_verdicts(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(keys, "PARALLEL_FROM", 0)          # a pool even for a small history
    for bug in (None, "lost-writes"):
        events = simulate("kv", 300, 6, keys=8, seed=4, bug=bug)
        path = tmp_path / f"kv-{bug}.json"
        path.write_text(json.dumps([dict(zip(("process", "type", "f", "value", "key"), e))
                                    for e in events]))
        one = run(capsys, path)
        two = run(capsys, path, "--workers", "2")
        assert one == two and one[0] == (0 if bug is None else 1)


def test_a_spec_counterexample_explains_the_history(capsys):
    code = cli.main(["check", "specs/quorum_register.sl", "--check", "n3r2w2NoRepair",
                     "--no-progress"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert ("  x Linearizable does not hold in the last state\n"
            "    H is not linearizable: op 2 (process c2: read -> none, events 3-4) cannot "
            "take effect between its invoke and its return: events 0-3 have a "
            "linearization, but none lets op 2 read none before it returns at event 4\n") in out


def test_the_timeout_holds_with_workers():
    """Eight hard keys (511 operations each) in eight batches for two workers: each
    batch used to start its own clock when a worker took it, so a --timeout of 2 s took
    four rounds of 2 s."""
    import time
    events = hard_kv()
    start = time.monotonic()
    with pytest.raises(keys.wgl.Timeout):
        check(events, "linearizable", model="kv", explain=False,
              deadline=start + 2.0, workers=2)
    assert time.monotonic() - start < 4.5
