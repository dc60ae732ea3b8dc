"""`stateline history check`: verdicts, output, and every kind of malformed file."""

from __future__ import annotations

import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest

from stateline import cli
from stateline.history import (HistoryFileError, dumps, linearizable, loads, read_history,
                               write_history)

STALE = [
    {"process": 0, "type": "invoke", "f": "write", "value": 1},
    {"process": 0, "type": "ok", "f": "write", "value": 1},
    {"process": 1, "type": "invoke", "f": "read", "value": None},
    {"process": 1, "type": "ok", "f": "read", "value": 0},
]


def run(capsys, *args):
    code = cli.main(["history", "check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def write_json(tmp_path, doc, name="h.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_verdicts_and_exit_codes(tmp_path, capsys):
    path = write_json(tmp_path, {"initial": 0, "history": STALE})
    code, out, err = run(capsys, path, "--consistency", "all")
    assert code == 1 and err == ""
    assert out.splitlines() == [
        f"{path}: register, 2 operations by 2 processes, initial value 0",
        "linearizable: NO",
        "  op 1 (process 1: read -> 0, events 2-3) cannot take effect between its invoke and "
        "its return: events 0-2 have a linearization, but none lets op 1 read 0 before it "
        "returns at event 3",
        "  longest linearizable prefix (1 operation): op 0",
        "sequential: yes",
        "  serialization: op 1, op 0",
        "causal: yes",
        "  process 0 sees op 0; process 1 sees op 1, op 0",
    ]
    code, out, _ = run(capsys, path, "--consistency", "sequential")
    assert code == 0 and "linearizable" not in out and "sequential: yes" in out
    code, out, _ = run(capsys, path, "--consistency", "causal")
    assert code == 0
    code, out, _ = run(capsys, path)                      # linearizable by default
    assert code == 1 and "sequential" not in out
    code, out, _ = run(capsys, path, "--no-explain")
    assert code == 1 and out.splitlines()[1:] == ["linearizable: NO"]


def test_initial_value_from_the_command_line(tmp_path, capsys):
    path = write_json(tmp_path, STALE)
    code, out, _ = run(capsys, path)              # initial null: the read of 0 is thin air
    assert code == 1 and "initial value None" in out
    assert "returns a value that no write wrote and that is not the initial value None" in out
    code, out, _ = run(capsys, path, "--initial", "0", "--consistency", "sequential")
    assert code == 0 and "initial value 0" in out
    wrapped = write_json(tmp_path, {"initial": 5, "history": STALE}, "w.json")
    code, out, _ = run(capsys, wrapped, "--initial", "0", "--consistency", "sequential")
    assert code == 0                              # the command line wins over the file


def test_json_output(tmp_path, capsys):
    events = [{"process": [0, "a"], "type": "invoke", "f": "write", "value": [1, 2]},
              {"process": [0, "a"], "type": "ok", "f": "write", "value": [1, 2]},
              {"process": 1, "type": "invoke", "f": "read", "value": None,
               "time": 123, "index": 3},
              {"process": 1, "type": "ok", "f": "read", "value": [1, 2]}]
    path = write_json(tmp_path, {"initial": [0, 0], "history": events})
    code, out, err = run(capsys, path, "--json", "--consistency", "all")
    assert code == 0 and err.startswith(f"{path}: register, 2 operations")
    doc = json.loads(out)
    assert doc["schema"] == "stateline.history" and doc["version"] == 2
    (entry,) = doc["files"]
    assert (entry["file"], entry["format"], entry["model"]) == (str(path), "json", "register")
    assert (entry["operations"], entry["processes"], entry["initial"]) == (2, 2, [0, 0])
    assert [r["consistency"] for r in entry["results"]] == ["linearizable", "sequential",
                                                            "causal"]
    assert all(r["ok"] and r["verdict"] == "yes" for r in entry["results"])
    assert entry["results"][0]["witness"] == [0, 1]
    assert entry["results"][2]["witness"] == [{"process": [0, "a"], "view": [0]},
                                              {"process": 1, "view": [0, 1]}]


def test_failing_json_output(tmp_path, capsys):
    path = write_json(tmp_path, {"initial": 0, "history": STALE})
    code, out, _ = run(capsys, path, "--json", "--consistency", "linearizable")
    assert code == 1
    result = json.loads(out)["files"][0]["results"][0]
    assert result["ok"] is False and result["witness"] is None
    assert result["verdict"] == "no"
    assert result["explanation"].startswith("op 1 (process 1: read -> 0")
    assert result["failure"] == {"key": None, "operation": 1, "event": 3, "line": None,
                                 "prefix": [0]}


def test_a_long_history(tmp_path, capsys):
    """A thousand operations of an atomic register, five clients, some timeouts."""
    events = atomic_history(1000, 5, seed=3)
    path = tmp_path / "long.json"
    write_history(str(path), events, 0)
    assert read_history(str(path)) == (events, 0)
    code, out, _ = run(capsys, path, "--consistency", "linearizable")
    assert code == 0, out
    assert "(1000 operations; --json prints them all)" in out or "indeterminate" in out


def atomic_history(n, processes, seed):
    """Every operation takes effect at one instant between its invoke and its return (or
    at most once after its invoke for a timed-out one), so the history is linearizable."""
    rng = random.Random(seed)
    register, events, pending, invoked = 0, [], {}, 0
    while invoked < n or pending:
        p = rng.randrange(processes)
        if p not in pending:
            if invoked < n:
                f = rng.choice(["read", "write"])
                value = rng.randrange(4) if f == "write" else None
                pending[p] = [f, value, False]
                events.append((p, "invoke", f, value))
                invoked += 1
        elif not pending[p][2]:
            f, value, _ = pending[p]
            if rng.random() < 0.02:                 # a timeout: it may take effect
                if f == "write" and rng.random() < 0.5:
                    register = value
                events.append((p, "info", f, value if f == "write" else None))
                del pending[p]
                continue
            if f == "write":
                register = value
            else:
                pending[p][1] = register
            pending[p][2] = True
        else:
            f, value, _ = pending.pop(p)
            events.append((p, "ok", f, value))
    return tuple(events)


def test_round_trip():
    events = ((("c", 1), "invoke", "write", (1, "x")), (("c", 1), "ok", "write", (1, "x")),
              ("d", "invoke", "read", None), ("d", "info", "read", None))
    assert loads(dumps(events)) == (events, None)
    assert loads(dumps(events, (0, 0))) == (events, (0, 0))
    assert dumps(()) == "[]\n"
    assert linearizable(events)


# (file text, expected error after "stateline: error[SL701]: PATH")
EVENT = '{"process": 0, "type": "invoke", "f": "write", "value": 1}'
MALFORMED = [
    ("", ":1:1: not valid JSON: Expecting value"),
    ("[" + EVENT + ",\n " + EVENT[:30], ":2:25: not valid JSON: Unterminated string"),
    ("[" + EVENT + ",\n " + EVENT, ":2:60: not valid JSON: Expecting ',' delimiter"),
    ('[{"process": 0 "type": "invoke"}]', ":1:16: not valid JSON: Expecting ',' delimiter"),
    ("history", ": not a history in a format Stateline reads: expected Stateline's JSON (a "
                "list of {\"process\", \"type\", \"f\", \"value\"} events), a Jepsen EDN "
                "history ({:process 0, :type :invoke, :f :read, :value nil} maps) or a Jepsen "
                "log (process<TAB>:type<TAB>:f<TAB>value lines); --format json|edn|log says "
                "which"),
    ('[{"process": 0, "type": "invoke", "f": "write", "value": NaN}]',
     ":1:58: not valid JSON: NaN is not a JSON number"),
    ("[" * 100000, ": not a history: nested too deeply"),
    ("42", ': expected a list of events (or an object with "initial" and "history"), got '
           "a number"),
    ('{"initial": 0}', ': expected {"initial": V, "history": [events]}'),
    ('{"initial": 0, "history": [], "extra": 1}',
     ': expected {"initial": V, "history": [events]}, not the key \'extra\''),
    ('{"history": [], "history": []}', ": the key 'history' appears twice"),
    ('{"initial": {"a": 1}, "history": []}',
     ": the initial value must be null, a boolean, a number, a string or an array, not an "
     "object"),
    ("[[0, \"invoke\", \"write\", 1]]", ": event 0: expected an event object, got an array"),
    ('[{"type": "invoke", "f": "write", "value": 1}]', ": event 0: missing 'process'"),
    ('[{"process": 0, "f": "write", "value": 1}]', ": event 0: missing 'type'"),
    ('[{"process": 0, "type": "invoke", "value": 1}]', ": event 0: missing 'f'"),
    ('[{"process": 0, "type": "invoke", "f": "write", "valeu": 1}]',
     ": event 0: unknown key 'valeu' (an event has process, type, f, value, key; time, "
     "index, error are ignored)"),
    ('[{"process": 0, "process": 1, "type": "invoke", "f": "read"}]',
     ": event 0: the key 'process' appears twice"),
    ('[{"process": 1.5, "type": "invoke", "f": "read"}]',
     ": event 0: 'process' must be an integer, a string or an array, not a number"),
    ('[{"process": true, "type": "invoke", "f": "read"}]',
     ": event 0: 'process' must be an integer, a string or an array, not a boolean"),
    ('[{"process": null, "type": "invoke", "f": "read"}]',
     ": event 0: 'process' must be an integer, a string or an array, not null"),
    ('[{"process": {"id": 1}, "type": "invoke", "f": "read"}]',
     ": event 0: 'process' must be an integer, a string or an array, not an object"),
    ('[{"process": 0, "type": 1, "f": "read"}]',
     ": event 0: 'type' must be one of invoke, ok, fail, info, not 1"),
    ('[{"process": 0, "type": "done", "f": "read"}]',
     ': event 0: \'type\' must be one of invoke, ok, fail, info, not "done"'),
    ('[{"process": 0, "type": "invoke", "f": "frob", "value": [1, 2]}]',
     ': event 0: \'f\' must be one of read, write, cas, get, put, append, add, enqueue, '
     'dequeue, not "frob"'),
    ('[{"process": 0, "type": "invoke", "f": "cas", "value": 1}]',
     ": event 0: a cas carries [expected, new], not 1"),
    ('{"version": 3, "history": []}',
     ": unsupported version 3 (this Stateline reads versions 1 and 2)"),
    ('{"version": 2, "model": "stack", "history": []}',
     ': unknown model "stack"; expected one of register, cas-register, kv, set, queue'),
    ('{"version": 2, "model": "kv", "history": [{"process": 0, "type": "invoke", '
     '"f": "get"}]}', ": event 0: missing 'key' (the kv model needs one on every event)"),
    ('[{"process": 0, "type": "invoke", "f": "read", "key": "x"}]',
     ": event 0: f must be 'get', 'put' or 'append' (the kv model), not 'read'"),
    ('{"version": 2, "model": "register", "history": [{"process": 0, "type": "invoke", '
     '"f": "read", "key": "x"}]}', ": event 0: a 'key', but the register model has no keys"),
    ('[{"process": 0, "type": "invoke", "f": "get", "key": null}]',
     ": event 0: 'key' must be a string, a number or a boolean, not null"),
    ('[{"process": 0, "type": "invoke", "f": "write", "value": {"v": 1}}]',
     ": event 0: 'value' must be null, a boolean, a number, a string or an array, not an "
     "object"),
    ('[{"process": 0, "type": "ok", "f": "write", "value": 1}]',
     ": event 0: ok for process 0, which has no pending operation (a completion must follow "
     "its process's invoke)"),
    ("[" + EVENT + ", " + EVENT + "]",
     ": event 1: process 0 invokes a write while its write (event 0) is still pending; a "
     "process has at most one pending operation"),
    ('[{"process": 0, "type": "invoke", "f": "read", "value": 3}]',
     ": event 0: a read's invoke carries no value (got 3); the value read goes on its ok"),
    ("[" + EVENT + ', {"process": 0, "type": "ok", "f": "read", "value": 1}]',
     ": event 1: process 0 completes a read but invoked a write (event 0)"),
    ("[" + EVENT + ', {"process": 0, "type": "ok", "f": "write", "value": 2}]',
     ": event 1: the ok of a write carries 2 but the invoke (event 0) wrote 1"),
]


@pytest.mark.parametrize("text, message", MALFORMED, ids=[m[1] for m in MALFORMED])
def test_malformed_files_exit_2(tmp_path, capsys, text, message):
    path = write_json(tmp_path, text)
    code, out, err = run(capsys, path)
    assert code == 2 and out == ""
    assert err == f"stateline: error[SL701]: {path}{message}\n", err
    with pytest.raises(HistoryFileError):
        read_history(str(path))


def test_unreadable_files_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, tmp_path / "missing.json")
    assert code == 2
    assert err == (f"stateline: error[SL701]: {tmp_path / 'missing.json'}: cannot read the "
                   "file: No such file or directory\n")
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "cannot read the file: Is a directory" in err
    binary = tmp_path / "bin.json"
    binary.write_bytes(b'[{"process": "\xff"}]')
    code, _, err = run(capsys, binary)
    assert code == 2 and err == f"stateline: error[SL701]: {binary}: not UTF-8 text (byte 14)\n"


@pytest.mark.parametrize("args, message", [
    (["--initial", "zero"], "expected a JSON value, got 'zero'"),
    (["--initial", '{"a": 1}'], "the initial value cannot be a JSON object"),
    (["--consistency", "eventual"], "invalid choice: 'eventual'"),
])
def test_bad_command_lines_exit_2(tmp_path, capsys, args, message):
    path = write_json(tmp_path, STALE)
    code, out, err = run(capsys, path, *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_help_lists_the_command(capsys):
    assert cli.main(["history", "check", "--help"]) == 0
    out, _ = capsys.readouterr()
    assert "--consistency {linearizable,sequential,causal,all}" in out


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in pathlib.Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


@pytest.mark.skipif(not pathlib.Path("/proc/self/task").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_workers_stop_quietly_when_the_group_is_signalled(tmp_path, sig):
    """`timeout` and Ctrl-C signal the whole process group, --workers' processes
    included: they end without a traceback (they used to print the parent's Interrupted
    from inside concurrent.futures), the parent reports and exits 3, and no worker
    outlives it.  The signal is sent as soon as the workers exist (it may find them
    just forked), on keys that take many seconds (`history_sim.hard_kv`)."""
    root = pathlib.Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "bench"))
    from history_sim import hard_kv
    events = hard_kv()
    fields = ("process", "type", "f", "value", "key")
    path = write_json(tmp_path, {"version": 2, "model": "kv",
                                 "history": [dict(zip(fields, e)) for e in events]})
    proc = subprocess.Popen([sys.executable, "-m", "stateline", "history", "check",
                             str(path), "--workers", "2", "--no-explain", "--no-progress"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, \
                proc.communicate()
            workers = _children(proc.pid)
            time.sleep(0.01)
        os.killpg(proc.pid, getattr(signal, sig))
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 3, (out, err)
    assert err.decode() == f"stateline: interrupted ({sig}) before a verdict\n"
    assert out.decode().splitlines()[1:] == [
        "linearizable: unknown", f"  interrupted ({sig}) before a verdict"]
    time.sleep(0.2)
    assert [pid for pid in workers if pathlib.Path(f"/proc/{pid}").exists()] == []
