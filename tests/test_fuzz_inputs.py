"""Fuzzing every input of the CLI: specs, proof files, results, traces, ITF, histories, options.

A sibling of test_fuzz.py (which mutates specs for `stateline check`).  The seeds
are real files: the shipped specs and proof files, and the result JSON, OTLP
traces (JSON, JSON Lines, protobuf), ITF traces and history files that
Stateline writes for the labs.  Each example mutates one seed (JSON values
replaced or deleted, numbers Python reads badly, deep nesting, truncation,
bytes inserted or flipped, spec tokens and lines edited), picks option values
(numbers, inf, nan, negative, huge, empty, odd paths) and runs the command
in-process.  Whatever the input, Stateline must exit 0, 1, 2 or 3, print no
traceback and no internal error, and every exit-2 message must say where:
a `path:line:col`, a file or directory named on the command line, or the
option (`argument --x`, `-D`).

Failures that belong to other items of the hardening issue are listed in
KNOWN_OPEN (a predicate on the command line and input, with the item): they
are expected to fail today, and the lead removes each entry once the fix is
merged.  Sizes: STATELINE_FUZZ_INPUTS examples per family (default 40, about a
minute in all); hunt with `STATELINE_FUZZ_INPUTS=2000 python -m pytest
tests/test_fuzz_inputs.py`.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import os
import re
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from stateline.cli import main
from test_fuzz import BYTE_MUTATIONS, TEXT_MUTATIONS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("STATELINE_FUZZ_INPUTS", "40"))
SECONDS_PER_EXAMPLE = 60
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

SPECS = sorted((ROOT / "specs").glob("*.sl")) + sorted((ROOT / "specs" / "labs").glob("*.sl"))
# (proofs/raft_any_size.sl takes minutes of Z3 on specs/raft.sl: not a fuzz seed)
PROOFS = [p for p in sorted((ROOT / "proofs").glob("*.sl")) if p.name != "raft_any_size.sl"]
LABS = ["specs/labs/paxos_no_quorum.sl", "specs/labs/lamport_no_max.sl",
        "specs/two_phase_commit.sl"]
HISTORY_EVENTS = [
    [[0, "invoke", "write", 1], [0, "ok", "write", 1], [1, "invoke", "read", None],
     [1, "ok", "read", 1]],
    [[0, "invoke", "write", 1], [0, "ok", "write", 1], [1, "invoke", "read", None],
     [1, "ok", "read", None], [2, "invoke", "write", 2], [2, "info", "write", 2]],
    [["a", "invoke", "write", [1, 2]], ["b", "invoke", "read", None],
     ["a", "fail", "write", [1, 2]], ["b", "ok", "read", None]],
]

# ---- known failures that belong to other items of the hardening issue ------------------------
# Each entry: (issue item, predicate on (argv, input bytes)).  An example that matches is
# expected to fail today; delete the entry once the item's fix is merged.
KNOWN_OPEN: list[tuple[str, object]] = []     # none today (deep nesting: SL108, merged)


def known_open(argv: list[str], data: bytes) -> str | None:
    for item, matches in KNOWN_OPEN:
        if matches(argv, data):
            return item
    return None


# ---- seeds: files that Stateline writes ------------------------------------------------------

@functools.cache
def seeds() -> dict[str, list[tuple[str, bytes]]]:
    """kind -> [(name, bytes)]: results, otlp (json/jsonl/pb), itf, history, spec, proof."""
    out: dict[str, list[tuple[str, bytes]]] = {k: [] for k in
                                                ("result", "otlp", "itf", "history")}
    work = Path(tempfile.mkdtemp(prefix="stateline-fuzz-seeds-"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            for lab in LABS:
                stem = Path(lab).stem
                result = work / f"{stem}.json"
                main(["check", lab, "--no-progress", "--quiet", "--json", str(result)])
                out["result"].append((result.name, result.read_bytes()))
                for fmt in ("json", "jsonl", "protobuf"):
                    main(["check", lab, "--no-progress", "--quiet", "--otlp", str(work),
                          "--otlp-format", fmt])
                main(["export", str(result), "-o", str(work), "--otlp-format", "itf"])
    finally:
        os.chdir(cwd)
    for path in sorted(work.iterdir()):
        if ".otlp." in path.name:
            out["otlp"].append((path.name, path.read_bytes()))
        elif path.name.endswith(".itf.json"):
            out["itf"].append((path.name, path.read_bytes()))
    for i, events in enumerate(HISTORY_EVENTS):
        rows = [dict(zip(("process", "type", "f", "value"), e)) for e in events]
        body = json.dumps(rows if i % 2 == 0 else {"initial": None, "history": rows})
        out["history"].append((f"h{i}.json", body.encode()))
    assert all(out.values()), {k: len(v) for k, v in out.items()}
    return out


class Blob(bytes):
    """Bytes that hypothesis reports by size and digest (the seeds are long)."""

    def __repr__(self) -> str:
        import hashlib
        return f"<{len(self)} bytes, sha256 {hashlib.sha256(self).hexdigest()[:12]}>"


# ---- mutations of JSON documents ---------------------------------------------------------------

ODD_VALUES = [None, True, 0, -1, 1, 2 ** 63, 2 ** 64 + 1, -(2 ** 70), 0.5, 1e308, -0.0, "",
              "x", "0" * 16, "00f067aa0ba902b7", "4bf92f3577b34da6a3ce929d0e0e4736",
              "\u2028 \U0001F600", [], {}, [[[]]], {"a": {"b": {}}}, "a" * 2000]
BAD_NUMBERS = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" * 4301, "-" + "9" * 5000,
               "1e-400", "0.1e999999"]


def _paths(doc, here=()):
    yield here
    items = doc.items() if isinstance(doc, dict) else \
        enumerate(doc) if isinstance(doc, list) else ()
    for k, v in items:
        yield from _paths(v, here + (k,))


@st.composite
def json_mutants(draw, data: bytes) -> bytes:
    """A JSON seed with 1-3 structural edits, then maybe a textual one."""
    try:
        doc = json.loads(data)
    except ValueError:
        return Blob(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        edit = draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "nest"]))
        key = path[-1]
        if edit == "delete":
            del parent[key]
        elif edit == "duplicate" and isinstance(parent, list):
            parent.insert(key, parent[key])
        elif edit == "nest":
            value = parent[key]
            for _ in range(draw(st.sampled_from([2, 50, 300]))):
                value = [value]
            parent[key] = value
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
    text = json.dumps(doc, indent=draw(st.sampled_from([None, 2])))
    textual = draw(st.integers(0, 5))
    if textual == 0:                        # a number Python reads badly
        numbers = [m.span() for m in re.finditer(r"(?<![\w.\"])-?\d+(?:\.\d+)?", text)]
        if numbers:
            a, b = draw(st.sampled_from(numbers))
            text = text[:a] + draw(st.sampled_from(BAD_NUMBERS)) + text[b:]
    elif textual == 1:                      # truncated
        text = text[:draw(st.integers(0, len(text)))]
    elif textual == 2:                      # deeply nested somewhere
        depth = draw(st.sampled_from([900, 100_000]))
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "[" * depth + "]" * depth + text[at:]
    out = text.encode()
    if draw(st.integers(0, 7)) == 0:
        out = draw(st.sampled_from(BYTE_MUTATIONS))(draw, out)
    return Blob(out)


@st.composite
def binary_mutants(draw, data: bytes) -> bytes:
    body = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not body:
            break
        i = draw(st.integers(0, len(body) - 1))
        edit = draw(st.sampled_from(["flip", "cut", "insert"]))
        if edit == "flip":
            body[i] = draw(st.integers(0, 255))
        elif edit == "cut":
            del body[i:]
        else:
            body[i:i] = draw(st.binary(min_size=1, max_size=8))
    return Blob(body)


def nest_literal(draw, data: bytes) -> bytes:
    """A number or name of the source wrapped in parentheses or minus signs, or a number
    replaced by one of 4,301 digits."""
    text = data.decode("utf-8", "surrogateescape")
    tokens = [m.span() for m in re.finditer(r"\b[0-9]+\b|\b[a-z_][A-Za-z0-9_]*\b", text)]
    if not tokens:
        return data
    a, b = draw(st.sampled_from(tokens))
    depth = draw(st.sampled_from([50, 3000, 100_000]))
    new = draw(st.sampled_from(["(" * depth + text[a:b] + ")" * depth, "-" * depth + text[a:b],
                                "1" * 4301]))
    return (text[:a] + new + text[b:]).encode("utf-8", "surrogateescape")


@st.composite
def text_mutants(draw, data: bytes) -> bytes:
    mutations = draw(st.lists(st.sampled_from(TEXT_MUTATIONS), min_size=1, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        mutations.append(nest_literal)
    for mutation in mutations:
        data = mutation(draw, data)
    if draw(st.integers(0, 5)) == 0:
        data = draw(st.sampled_from(BYTE_MUTATIONS))(draw, data)
    return Blob(data)


# ---- option values -----------------------------------------------------------------------------

NUMBERS = ["0", "1", "2", "3", "-1", "0.5", "1e9", "1e305", "inf", "-inf", "nan", "1e400", "",
           "99999999999999999999999", "abc", " 3", "0x10", "1_000"]


def number():
    return st.sampled_from(NUMBERS)


def out_path(tmp: Path):
    """Output paths, all inside the example's directory (or /dev/null, or stdout)."""
    return st.sampled_from([str(tmp / "out.x"), str(tmp / "missing" / "dir" / "out.x"),
                            str(tmp), "", "/dev/null", str(tmp / "ünï ✓ out.x")])


def input_path(tmp: Path, real: Path):
    return st.sampled_from([str(real)] * 6 + [str(tmp / "absent.json"), str(tmp), "",
                                              "/dev/null"])


# ---- running the CLI ---------------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the alarm; a BaseException so that the CLI's handlers let it through."""


def _alarm(signum, frame):
    raise Hang(f"the command ran for more than {SECONDS_PER_EXAMPLE} s")


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_EXAMPLE)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


LOCATED = re.compile(r"\S:\d+:\d+: error\[SL\d{3}\]|error: argument -|error\[SL50\d\]: -D |"
                     r"error: unrecognized arguments|error: the following arguments")


def has_location(err: str, argv: list[str]) -> bool:
    """Does the exit-2 message say where: a path:line:col, a file or option named on the
    command line?"""
    if LOCATED.search(err):
        return True
    named = [a for a in argv if a and not a.startswith("-") and a not in
             ("check", "prove", "export", "trace", "analyze", "timeline", "history")]
    options = [a for a in argv if a.startswith("-") and len(a) > 1]     # --json, -o, -D
    return any(a in err for a in named + options) or any(f"'{a}'" in err for a in argv)


def shown(argv: list[str]) -> str:
    return " ".join(a if len(a) <= 80 else a[:60] + f"...({len(a)} chars)" for a in argv)


def judge(argv: list[str], data: bytes, code: int, out: str, err: str) -> None:
    item = known_open(argv, data)
    problem = None
    printed = out + err
    if "Traceback" in printed or "internal error" in printed:
        problem = "a traceback or an internal error"
    elif code not in (0, 1, 2, 3):
        problem = f"exit code {code}"
    elif code == 2 and not has_location(err, argv):
        problem = "an exit-2 message without a location"
    if item is not None:
        if problem is None:
            return                          # fixed meanwhile: fine, the entry can go
        pytest.xfail(f"known open ({item}): {problem}")
    assert problem is None, f"{problem}: stateline {shown(argv)}\n{err[-3000:]}"


def run_and_judge(tmp: Path, argv: list[str], data: bytes) -> None:
    note("stateline " + shown(argv))
    code, out, err = run_cli(argv)
    note(f"exit {code}\n{err[-2000:]}")
    judge(argv, data, code, out, err)


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@pytest.fixture()
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---- the families --------------------------------------------------------------------------------

@SETTINGS
@given(data=st.data())
def test_results_and_itf_for_export(data, tmp):
    kind = data.draw(st.sampled_from(["result", "result", "itf"]))
    name, seed = seeds()[kind][data.draw(st.integers(0, len(seeds()[kind]) - 1))]
    mutant = data.draw(json_mutants(seed))
    path = write(tmp, name, mutant)
    argv = ["export", data.draw(input_path(tmp, path)), "-o", str(tmp / "out")]
    argv += data.draw(st.sampled_from([[], ["--otlp-format", "itf"], ["--otlp-format", "jsonl"],
                                       ["--otlp-format", "protobuf"], ["--no-files"],
                                       ["--property", "Agreement"], ["--property", "error"],
                                       ["--otlp-base-time", data.draw(number())],
                                       ["--otlp-base-time", "2024-13-01T00:00:00Z"],
                                       ["--otlp-endpoint", "not a url"],
                                       ["-o", data.draw(out_path(tmp))]]))
    run_and_judge(tmp, argv, mutant)


@SETTINGS
@given(data=st.data())
def test_traces_for_analyze_and_timeline(data, tmp):
    name, seed = seeds()["otlp"][data.draw(st.integers(0, len(seeds()["otlp"]) - 1))]
    mutant = data.draw(binary_mutants(seed) if name.endswith(".pb") else json_mutants(seed))
    path = write(tmp, name, mutant)
    source = data.draw(input_path(tmp, path))
    if data.draw(st.booleans()):
        argv = ["trace", "analyze", source]
        for option in data.draw(st.lists(st.sampled_from(
                ["--latency-threshold", "--retry-threshold", "--max-pairs", "--max-errors",
                 "--max-size"]), max_size=2, unique=True)):
            argv += [option, data.draw(number())]
        argv += data.draw(st.sampled_from([[], ["--json"]]))
    else:
        argv = ["trace", "timeline", source, "-o", data.draw(out_path(tmp))]
        if data.draw(st.booleans()):
            argv += ["--max-size", data.draw(number())]
        argv += data.draw(st.sampled_from([[], ["--layout", "steps"], ["--layout", "time"]]))
    run_and_judge(tmp, argv, mutant)


@SETTINGS
@given(data=st.data())
def test_histories(data, tmp):
    name, seed = seeds()["history"][data.draw(st.integers(0, len(seeds()["history"]) - 1))]
    mutant = data.draw(json_mutants(seed))
    path = write(tmp, name, mutant)
    argv = ["history", "check", data.draw(input_path(tmp, path))]
    argv += data.draw(st.sampled_from([[], ["--json"], ["--consistency", "causal"],
                                       ["--consistency", "linearizable", "--json"]]))
    if data.draw(st.booleans()):
        argv += ["--initial", data.draw(st.sampled_from(
            ["1", '"x"', "[1, 2]", "{}", "null", "NaN", "1e400", "", "[[[[1]]]]", "1" * 4301,
             "[" * 1100 + "]" * 1100, "[" * 101 + "]" * 101]))]
    run_and_judge(tmp, argv, mutant)


@SETTINGS
@given(data=st.data())
def test_check_options_and_overrides(data, tmp):
    spec = data.draw(st.sampled_from(SPECS))
    source = spec.read_bytes()
    if data.draw(st.integers(0, 2)) == 0:
        source = data.draw(text_mutants(source))
    path = write(tmp, spec.name, source)
    argv = ["check", str(path), "--no-progress", "--quiet", "--max-states", "300"]
    for option in data.draw(st.lists(st.sampled_from(
            ["--max-states", "--max-depth", "--max-seconds", "--dot-max-states"]),
            max_size=2, unique=True)):
        argv += [option, data.draw(number())]
    if "--max-seconds" not in argv:
        argv += ["--max-seconds", "2"]
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(["N", "Nodes", "MaxBallot", "MaxTerm", "Values", "X",
                                          ""]))
        value = data.draw(st.sampled_from(["1", "0", "-1", "{a, b}", "1..3", "1" * 5000,
                                           "((((", "true", "", "{}", "2 ** 100"]))
        argv += ["-D", f"{name}={value}"]
    if data.draw(st.integers(0, 3)) == 0:
        argv += [data.draw(st.sampled_from(["--json", "--junit", "--sarif", "--html",
                                            "--dot"])),
                 data.draw(out_path(tmp))]
    run_and_judge(tmp, argv, source)


@SETTINGS
@given(data=st.data())
def test_prove_specs_and_proof_files(data, tmp):
    proof = data.draw(st.sampled_from(PROOFS))
    spec = ROOT / "specs" / proof.name.replace("_any_size", "")   # (its any-size proof)
    proof_text = proof.read_bytes()
    spec_text = spec.read_bytes()
    which = data.draw(st.integers(0, 2))
    if which == 0:
        proof_text = data.draw(text_mutants(proof_text))
    elif which == 1:
        spec_text = data.draw(text_mutants(spec_text))
    spec_path = write(tmp, spec.name, spec_text)
    proof_path = write(tmp, "proof_" + proof.name, proof_text)
    engine = data.draw(st.sampled_from([["--induction", "--proof", str(proof_path)],
                                        ["--k-induction", data.draw(number()), "--proof",
                                         str(proof_path)],
                                        ["--bmc", data.draw(number())],
                                        ["--auto"]]))
    argv = ["prove", str(spec_path), *engine, "--timeout",
            data.draw(st.sampled_from(["0.5", "1", "inf", "nan", "0", "-2", "1e400"])),
            "--no-progress"]
    run_and_judge(tmp, argv, spec_text + proof_text)


def test_the_seeds_are_real_files():
    got = seeds()
    assert {Path(n).suffix for n, _ in got["otlp"]} == {".json", ".jsonl", ".pb"}
    assert len(got["result"]) == len(LABS) and got["itf"]
