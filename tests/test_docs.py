"""Every example in docs/language.md is a complete spec, and it runs as documented.

An example is a fenced block whose info string starts with `sl`:

    ```sl                              exit code 0: every expectation met
    ```sl exit=1                       an expectation fails
    ```sl exit=2 error=SL401           rejected (or a run-time error) with that code
    ```sl states=10 transitions=21     the check's statistics (one check block)

Each one is written to a temporary file and checked in-process with
`stateline check FILE --no-progress` (and a generous time bound, so that a
mistaken example fails instead of hanging); the test id is the line of the
opening fence in the document.  The document must also keep at least one example of
each construct in `CONSTRUCTS`, and its table of error codes must list exactly
`stateline.diagnostics.CODES`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stateline.cli import main
from stateline.diagnostics import CODES

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"

_FENCE = re.compile(r"^(`{3,})(.*)$")
_KEYS = {"exit", "error", "states", "transitions"}


class Example:
    def __init__(self, line: int, info: str, text: str):
        self.line = line
        self.info = info
        self.text = text
        self.opts: dict[str, str] = {}
        self.problems: list[str] = []
        for word in info.split()[1:]:
            key, sep, value = word.partition("=")
            if not sep or key not in _KEYS:
                self.problems.append(f"unknown option '{word}' in the info string")
            elif key != "error" and not value.isdigit():
                self.problems.append(f"'{word}': {key} must be a number")
            else:
                self.opts[key] = value
        self.exit = int(self.opts.get("exit", "0"))
        self.error = self.opts.get("error")

    def __repr__(self) -> str:
        return f"line {self.line}"


def read_doc() -> str:
    return DOC.read_text(encoding="utf-8")


def fenced_blocks(text: str):
    """(line of the opening fence, info string, body) of every fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group(1), m.group(2).strip()
        start = i
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        yield start + 1, info, "\n".join(body) + "\n"
        i += 1


def examples() -> list[Example]:
    return [Example(line, info, body) for line, info, body in fenced_blocks(read_doc())
            if info.split()[:1] == ["sl"]]


EXAMPLES = examples()


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    # One path for every example: the parser is built (and cached) per path.
    return tmp_path_factory.mktemp("docs") / "example.sl"


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"line{e.line}" for e in EXAMPLES])
def test_example(ex: Example, spec_path, tmp_path, capsys):
    assert not ex.problems, f"docs/language.md:{ex.line}: " + "; ".join(ex.problems)
    spec = spec_path
    spec.write_text(ex.text, encoding="utf-8")
    # The time bound only keeps a mistaken example from hanging the suite (it then
    # exits with 3); every example finishes in well under a second.
    argv = ["check", str(spec), "--no-progress", "--max-seconds", "30"]
    stats_wanted = "states" in ex.opts or "transitions" in ex.opts
    report = tmp_path / "result.json"
    if stats_wanted:
        argv += ["--json", str(report)]
    code = main(argv)
    out, err = capsys.readouterr()
    where = f"docs/language.md:{ex.line}"
    transcript = f"--- stdout ---\n{out}\n--- stderr ---\n{err}"
    assert code != 4, f"{where}: internal error\n{transcript}"
    assert code == ex.exit, f"{where}: exit code {code}, documented {ex.exit}\n{transcript}"
    if ex.error:
        assert f"error[{ex.error}]" in err, \
            f"{where}: expected error[{ex.error}] on stderr\n{transcript}"
    elif code != 2:
        assert "error[" not in err, f"{where}: unexpected error\n{transcript}"
    if stats_wanted:
        doc = json.loads(report.read_text(encoding="utf-8"))
        assert len(doc["results"]) == 1, f"{where}: states=/transitions= need one check block"
        stats = doc["results"][0]["stats"]
        for key in ("states", "transitions"):
            if key in ex.opts:
                assert stats[key] == int(ex.opts[key]), \
                    f"{where}: {stats[key]} {key}, documented {ex.opts[key]}"


def test_examples_are_specs():
    """Every example starts with its `spec` line, and their spec names are distinct."""
    names = {}
    for ex in EXAMPLES:
        first = next((ln for ln in ex.text.splitlines()
                      if ln.strip() and not ln.lstrip().startswith("#")), "")
        m = re.match(r"spec ([A-Za-z_][A-Za-z0-9_]*)\s*(#.*)?$", first)
        assert m, f"docs/language.md:{ex.line}: an example must start with 'spec NAME'"
        assert m.group(1) not in names, \
            f"docs/language.md:{ex.line}: spec name {m.group(1)} is also used at line " \
            f"{names[m.group(1)]}"
        names[m.group(1)] = ex.line


def test_error_expectations_are_consistent():
    for ex in EXAMPLES:
        if ex.error is not None:
            assert ex.error in CODES, f"docs/language.md:{ex.line}: unknown code {ex.error}"
            assert ex.exit == 2, f"docs/language.md:{ex.line}: an error example exits with 2"


# A construct (regular expression over the examples' text) -> what it is.  Each needs
# at least one example, so that deleting the last one is noticed.
CONSTRUCTS = {
    r"^spec \w+": "spec header",
    r"#": "comment",
    r"\\\n": "line continuation",
    r"^const \w+ = \d+\s*$": "integer constant",
    r"^const \w+ = [^\n{]*\.\.": "range constant",
    r"^const \w+ = \{\d": "set constant",
    r"^const \w+ = \{[a-z]\w*,": "model-value set",
    r"\bsymmetric\b": "symmetric",
    r"^const \w+: ": "typed constant",
    r"^enum ": "enum",
    r"^record ": "record",
    r"^message ": "message",
    r"^network set\b": "network set",
    r"^network bag\s*$": "network bag",
    r"^network bag .*\blossy\b": "lossy bag",
    r"\bduplicating\b": "duplicating",
    r"^network fifo\b": "network fifo",
    r"^network fifo .*\blossy\b": "lossy fifo",
    r"\bsend \w+(\(.*\))? to \w+": "send ... to",
    r"^\s*var \w+: [^=\n]+ = ": "typed variable",
    r"^\s*var \w+ = ": "variable with inferred type",
    r"^\s*var \w+ in ": "nondeterministic initial value",
    r"^\s*var \w+: [^=\n]+ in ": "typed nondeterministic initial value",
    r"^var \w+: (?:(?! in )[^=\n])+$": "type-only variable",
    r"^init:\n": "init block",
    r": bool\b": "bool type",
    r"\bset\[": "set type",
    r"\bmap\[": "map type",
    r"\bseq\[": "seq type",
    r": \([A-Za-z0-9.]+, [A-Za-z0-9.]+\)": "tuple type",
    r"\?\s*(=|$|,|\))": "option type",
    r"\bnone\b": "none",
    r"^def \w+ =": "def without parameters",
    r"^def \w+\(\w+\)": "def with an untyped parameter",
    r"^def \w+\(\w+: \w+": "def with a typed parameter",
    r"^process \w+:": "single-instance process",
    r"^process \w+\(self in ": "process with instances",
    r"\b[A-Z]\w*\[[^\]]+\]\.\w+": "P[i].x",
    r"\b[A-Z]\w*\.[a-z]\w*\b(?!\()": "P.x",
    r"action \w+\(\w+ in [^)]*, \w+ in ": "action with two parameters",
    r"action \w+.* if .*:$": "action guard",
    r"^\s*on \w+\(\w+\):": "message handler",
    r"^\s*on \w+\(\w+\) if ": "guarded message handler",
    r"^\s*require ": "require",
    r'^\s*assert [^\n]+, "[^"\n]*"$': "assert",
    r"^\s*\w+ := ": "assignment",
    r"^\s*\w+\[[^\]]+\] := ": "element assignment",
    r"^\s*\w+\.\w+ := ": "field assignment",
    r"^\s*elif ": "elif",
    r"^\s*else:": "else",
    r"^\s*for \w+ in ": "for",
    r"^\s*let \w+ = ": "let statement",
    r"^\s*pass\s*$": "pass",
    r"^    proc \w+\(\w+: ": "procedure",
    r"^\s*either:\n(.*\n)+?\s*or:$": "either statement",
    r"^\s*choose \w+ in [^\n]*:$": "choose statement",
    r"^    on (\w+)\(\w+\)[^\n]*\n(.*\n)+?    on \1\(": "several handlers of one message",
    r"^        \w+\([^)]*\)$": "procedure call",
    r" // ": "floor division",
    r" % ": "modulo",
    r"\bimplies\b": "implies",
    r"\bnot in\b": "not in",
    r" if [^:\n]* else ": "conditional expression",
    r"[\w)}] \^ [\w{(]": "symmetric difference",
    r"[\w)}] & [\w{(]": "intersection",
    r"\{[^{}\n]* for \w+ in [^{}\n]* if ": "filtered set comprehension",
    r"\{[^{}\n]* for \w+, \w+ in ": "tuple unpacking in a comprehension",
    r"\{\w+: [^{}\n]* for \w+ in ": "map comprehension",
    r"\[\w+ -> [^\]\n]+\]": "function set",
    r"\[[^\[\]\n]* for \w+ in [^\[\]\n]* if ": "filtered sequence comprehension",
    r"^def (\w+)\([^)]*\): [^=\n]+=.*\b\1\(": "recursive definition",
    r"\| \{[^{}:\n]+: ": "map update",
    r"\breplace\(": "replace",
    r"\w\[\d*:\d*\]": "slice",
    r"\bforall \w+, \w+ in ": "forall with two names",
    r"\bexists ": "exists",
    r"\bchoose ": "choose",
    r"\blet \w+ = [^\n]* in ": "let expression",
    r"\blen\(": "len", r"\bsubsets\(": "subsets", r"\bsent\(": "sent",
    r"\bmin\(": "min", r"\bmax\(": "max", r"\babs\(": "abs", r"\bsum\(": "sum",
    r"\bvalues\(": "values", r"\bset\(": "set()", r"\bunion\(": "union",
    r"\bhead\(": "head", r"\btail\(": "tail", r"\blast\(": "last",
    r"^invariant ": "invariant",
    r"^transition ": "transition invariant",
    r"\w'": "primed expression",
    r"^constraint ": "constraint",
    r"^allow deadlock": "allow deadlock (spec)",
    r"^    allow deadlock": "allow deadlock (check block)",
    r"\bDeadlockFreedom\b": "DeadlockFreedom",
    r"^check \w+\(\w+ = ": "check block with bindings",
    r"^check \w+:": "check block without bindings",
    r"^    only \w+": "only (check block)",
    r"^    skip \w+": "skip (check block)",
    r"^    symmetric \w+": "symmetric (check block)",
    r"expect \w+ holds": "expect holds",
    r"expect \w+ violated": "expect violated",
    r"^property \w+: eventually ": "property eventually",
    r"always eventually ": "property always eventually",
    r"eventually always ": "property eventually always",
    r" leads_to ": "property leads_to",
    r"^property \w+: forall ": "property under forall",
    r"^fair weak action ": "weakly fair action",
    r"^fair weak process ": "weakly fair process",
    r"^    fair weak ": "fairness in a check block",
    r"^    fair strong ": "strong fairness in a check block",
    r"^    fair \w+ [\w.]+ per \w+$": "per-parameter fairness",
    r"^    fair \w+ [\w.]+ per message$": "per-message fairness",
    r"^    fair \w+ \w+ per instance$": "per-instance fairness",
    r"^    crash recover": "crash recover",
    r"^    persistent var ": "persistent variable",
    r"partitions\(": "network partitions",
    r"^history \w+\(": "history declaration",
    r"record ok \w+\.read\(": "record statement",
    r"linearizable\(": "linearizability check",
    r"^enum (\w+) = \{(\w+)[^\n]*\n(.*\n)*?enum \w+ = \{[^\n]*\b\2\b": "a value name two enums share",
    r"`none`": "quoted name",
    r"\b[A-Z]\w*\.none\b": "qualified value named none",
    r"^var \w+: [A-Z]\w* \| [A-Z]\w* = ": "union of two sorts of model values",
    r"\bcopies\(": "copies",
    r"\bnetwork\.partitions\b": "network.partitions in an expression",
    r"\bnetwork\.partitioned\b": "network.partitioned",
}


@pytest.mark.parametrize("pattern", list(CONSTRUCTS), ids=list(CONSTRUCTS.values()))
def test_construct_has_an_example(pattern):
    rx = re.compile(pattern, re.M)
    assert any(rx.search(ex.text) for ex in EXAMPLES), \
        f"docs/language.md has no example of {CONSTRUCTS[pattern]} (/{pattern}/)"


def test_failure_examples_exist():
    """The doc shows a failed expectation, a rejected spec and a run-time error."""
    assert any(ex.exit == 1 for ex in EXAMPLES)
    assert any(ex.exit == 2 and ex.error and ex.error.startswith("SL6") for ex in EXAMPLES)
    assert any(ex.exit == 2 and ex.error and not ex.error.startswith("SL6") for ex in EXAMPLES)


def test_error_code_table_matches_diagnostics():
    """The table of error codes at the end lists CODES, in order, with their meanings."""
    text = read_doc()
    rows = re.findall(r"^\| `(SL\d{3})` \| (.*?) \|\s*$", text, re.M)
    assert [code for code, _ in rows] == list(CODES), \
        "docs/language.md's error code table is out of date: regenerate it from " \
        "stateline.diagnostics.CODES"
    for code, meaning in rows:
        assert meaning == _table_cell(CODES[code]), \
            f"{code}: the doc says {meaning!r}, CODES says {CODES[code]!r}"


def _table_cell(meaning: str) -> str:
    return meaning.replace("|", "\\|")


def error_code_table() -> str:
    """The table as it belongs in the doc (print it to regenerate the section)."""
    rows = ["| code | meaning |", "|---|---|"]
    rows += [f"| `{code}` | {_table_cell(meaning)} |" for code, meaning in CODES.items()]
    return "\n".join(rows)


if __name__ == "__main__":
    print(error_code_table())
