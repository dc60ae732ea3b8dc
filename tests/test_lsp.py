"""The language server end to end, through its stdio protocol (`stateline lsp`).

Every test talks JSON-RPC to a real server process (tests/lsp_client.py): the
diagnostics of a broken spec arrive at the ranges `stateline parse` reports,
and hover, definition, references, completion, document symbols, formatting
and the check/prove code lenses answer on the library's two-phase commit spec.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lsp_client import LspClient
from stateline.lang.load import LoadError, load_text
from stateline.lsp.analysis import analyse
from stateline.lsp.runs import run

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "two_phase_commit.sl"
URI = SPEC.as_uri()
TEXT = SPEC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def lsp():
    with LspClient() as client:
        client.open(URI, TEXT)
        yield client


def _range(line, start, end):
    """A 1-based line and 1-based columns [start, end) as an LSP range."""
    return {"start": {"line": line - 1, "character": start - 1},
            "end": {"line": line - 1, "character": end - 1}}


def _line_of(text: str, needle: str) -> int:
    return next(i for i, x in enumerate(text.splitlines(), 1) if needle in x)


# ---- diagnostics --------------------------------------------------------------------------

def test_capabilities_name_every_feature(lsp):
    caps = lsp.capabilities
    for key in ("hoverProvider", "definitionProvider", "referencesProvider",
                "completionProvider", "documentSymbolProvider", "documentFormattingProvider",
                "codeLensProvider"):
        assert caps.get(key), key
    assert sorted(caps["executeCommandProvider"]["commands"]) == ["stateline.check",
                                                                  "stateline.prove"]


def test_diagnostics_on_open_and_change_match_stateline_parse(lsp, tmp_path):
    bad = TEXT.replace("tmPrepared := tmPrepared | {m.rm}", "tmPrepared := tmPrepard | {m.rm}")
    path = tmp_path / "tpc.sl"
    path.write_text(bad, encoding="utf-8")
    uri = path.as_uri()
    cli = subprocess.run([sys.executable, "-m", "stateline", "parse", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 2
    assert f"{path}:25:23: error[SL201]: unknown name 'tmPrepard'" in cli.stderr
    client = lsp
    got = client.open(uri, bad)["diagnostics"]
    assert got == [{"range": _range(25, 23, 32), "severity": 1, "code": "SL201",
                    "source": "stateline",
                    "message": "unknown name 'tmPrepard'\nhint: did you mean "
                               "'tmPrepared'?"}]
    # a syntax error while typing: the parser's code and position
    broken = bad.replace("action commit:", "action commit")
    got = client.change(uri, broken, 2)["diagnostics"]
    with pytest.raises(LoadError) as exc:
        load_text(broken, str(path))
    (d,) = exc.value.diagnostics
    assert [(x["code"], x["range"]["start"]) for x in got] == \
        [(d.code, {"line": d.span.line - 1, "character": d.span.col - 1})]
    assert d.code == "SL102" and d.span.line == 27
    # fixed: the diagnostics are cleared
    assert client.change(uri, TEXT, 3)["diagnostics"] == []


def test_several_errors_are_all_reported(lsp, tmp_path):
    text = "spec S\nvar x: 0..2 = 0\naction a:\n    x := y + z\ninvariant I: x >= w\n"
    uri = (tmp_path / "s.sl").as_uri()
    got = lsp.open(uri, text)["diagnostics"]
    assert [(x["code"], x["range"]) for x in got] == [("SL201", _range(4, 10, 11)),
                                                      ("SL201", _range(5, 19, 20))]


def test_columns_count_utf16_code_units(lsp, tmp_path):
    # U+1D4B3 is one character for Stateline and two UTF-16 code units for LSP
    text = "spec S\nvar x: 0..2 = 0\naction a:\n    x := \U0001d4b3\n"
    uri = (tmp_path / "u.sl").as_uri()
    (got,) = lsp.open(uri, text)["diagnostics"]
    assert got["code"] == "SL101"
    assert got["range"] == {"start": {"line": 3, "character": 9},
                            "end": {"line": 3, "character": 11}}


# ---- names --------------------------------------------------------------------------------

def test_hover_shows_the_type_and_the_declaration(lsp):
    line = _line_of(TEXT, "require state == init and tmPrepared == RMs")
    col = TEXT.splitlines()[line - 1].index("tmPrepared")
    got = lsp.at("textDocument/hover", URI, line - 1, col + 2)
    assert got == {"contents": {"kind": "markdown", "value":
                                "**variable** `TM.tmPrepared`: `set[int]` — declared at line "
                                "22\n\n```stateline\nvar tmPrepared: set[RMs] = {}\n```"},
                   "range": _range(line, col + 1, col + 11)}
    # a process parameter: its type from the type checker, its declaration line
    line = _line_of(TEXT, "send Prepared(self)")
    col = TEXT.splitlines()[line - 1].index("self")
    got = lsp.at("textDocument/hover", URI, line - 1, col)
    assert got["contents"]["value"].startswith("**parameter** `self`: `int` — declared at "
                                               "line 37\n\n```stateline\nprocess RM(self in RMs):")
    # nothing under an operator
    line = _line_of(TEXT, "not (exists r in RMs: RM[r].state == committed)")
    col = TEXT.splitlines()[line - 1].index("==")
    assert lsp.at("textDocument/hover", URI, line - 1, col) is None


def test_hover_keeps_declared_types_while_the_spec_has_errors(lsp, tmp_path):
    bad = TEXT.replace("tmPrepared := tmPrepared | {m.rm}", "tmPrepared := tmPrepard | {m.rm}")
    uri = (tmp_path / "tpc.sl").as_uri()
    line = _line_of(bad, "require state == init and tmPrepared == RMs")
    col = bad.splitlines()[line - 1].index("tmPrepared")
    client = lsp
    assert client.open(uri, bad)["diagnostics"]
    got = client.at("textDocument/hover", uri, line - 1, col + 2)
    assert got["contents"]["value"].startswith(
        "**variable** `TM.tmPrepared`: `set[int]` — declared at line 22")
    # the constant N keeps its type too; a bound name has none without a typed use
    got = client.at("textDocument/hover", uri, 7, 6)
    assert got["contents"]["value"].startswith("**constant** `N`: `int`")


def test_definition_of_a_process_variable_through_an_instance(lsp):
    line = _line_of(TEXT, "not (exists r in RMs: RM[r].state == committed)")
    col = TEXT.splitlines()[line - 1].index("].state") + 2
    got = lsp.at("textDocument/definition", URI, line - 1, col)
    assert got == {"uri": URI, "range": _range(38, 9, 14)}      # RM's `var state`
    # a message named in a handler's header -> the message declaration
    line = _line_of(TEXT, "on Commit(m):")
    got = lsp.at("textDocument/definition", URI, line - 1, 8)
    assert got == {"uri": URI, "range": _range(17, 9, 15)}
    # a property named in `expect` -> the invariant
    line = _line_of(TEXT, "expect CommitNeedsAllPrepared holds")
    got = lsp.at("textDocument/definition", URI, line - 1, 12)
    assert got == {"uri": URI, "range": _range(60, 11, 33)}
    # `fair weak TM, RM.Commit`: the handler `on Commit` of RM
    line = _line_of(TEXT, "fair weak TM, RM.Commit, RM.Abort")
    col = TEXT.splitlines()[line - 1].index("Commit")
    got = lsp.at("textDocument/definition", URI, line - 1, col + 1)
    assert got == {"uri": URI, "range": _range(49, 8, 14)}


def test_references_of_a_variable_include_qualified_uses(lsp):
    got = lsp.at("textDocument/references", URI, 21, 9, context={"includeDeclaration": True})
    assert [(r["range"]["start"]["line"] + 1, r["range"]["start"]["character"] + 1)
            for r in got] == [(22, 9), (25, 9), (25, 23), (28, 35), (61, 60)]
    got = lsp.at("textDocument/references", URI, 21, 9, context={"includeDeclaration": False})
    assert len(got) == 4
    # the constant N: its declaration, RMs = 1..N and every check block's binding
    got = lsp.at("textDocument/references", URI, 7, 6, context={"includeDeclaration": True})
    assert [r["range"]["start"]["line"] + 1 for r in got] == [8, 9, 69, 74, 78, 83, 88]


def test_completion_offers_the_names_in_scope(lsp):
    line = _line_of(TEXT, "send Prepared(self)")
    got = lsp.at("textDocument/completion", URI, line - 1, 8)
    labels = [i["label"] for i in got["items"]]
    assert labels[:14] == ["Abort", "AllDecide", "Commit", "CommitNeedsAllPrepared",
                           "Consistent", "N", "Prepared", "RM", "RMState", "RMs", "TM",
                           "TMState", "self", "state"]
    assert "tmPrepared" not in labels            # TM's variable is not in scope in RM
    assert {"len", "subsets", "sent"} <= set(labels)
    # inside a quantifier its bound name is in scope
    line = _line_of(TEXT, "(exists r in RMs: RM[r].state == committed) implies")
    labels = [i["label"] for i in lsp.at("textDocument/completion", URI, line - 1, 4)["items"]]
    assert "r" in labels and "state" not in labels


def test_document_symbols_outline(lsp):
    got = lsp.request("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
    assert [(s["name"], s["detail"]) for s in got] == [
        ("N", "constant"), ("RMs", "constant"), ("RMState", "enum"), ("TMState", "enum"),
        ("Prepared", "message"), ("Commit", "message"), ("Abort", "message"),
        ("TM", "process"), ("RM", "process"), ("Consistent", "invariant"),
        ("CommitNeedsAllPrepared", "invariant"), ("AllDecide", "property"), ("n3", "check"),
        ("n4", "check"), ("n5", "check"), ("fairN3", "check"), ("fairHandlersOnly", "check")]
    tm = got[7]
    assert [(c["name"], c["detail"]) for c in tm["children"]] == [
        ("state", "variable"), ("tmPrepared", "variable"), ("on Prepared", "handler"),
        ("commit", "action"), ("abort", "action")]
    assert tm["range"]["start"] == {"line": 19, "character": 0}
    assert tm["range"]["end"]["line"] == 34                    # `send Abort`, line 35
    assert tm["selectionRange"] == _range(20, 9, 11)


def test_formatting_is_stateline_fmt(lsp, tmp_path):
    messy = "spec   M\nconst N=2\nvar x : 0..N = 0\naction inc :\n    require x<N\n" \
            "    x := x+1\n"
    path = tmp_path / "m.sl"
    path.write_text(messy, encoding="utf-8")
    uri = path.as_uri()
    lsp.open(uri, messy)
    edits = lsp.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                    "options": {"tabSize": 4,
                                                                "insertSpaces": True}})
    fmt = subprocess.run([sys.executable, "-m", "stateline", "fmt", str(path)],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert edits == [{"range": {"start": {"line": 0, "character": 0},
                                "end": {"line": 6, "character": 0}}, "newText": fmt}]
    assert fmt == "spec M\nconst N = 2\nvar x: 0..N = 0\naction inc:\n" \
                  "    require x < N\n    x := x + 1\n"


# ---- code lenses --------------------------------------------------------------------------

def test_code_lenses_above_each_check_block(lsp):
    got = lsp.request("textDocument/codeLens", {"textDocument": {"uri": URI}})
    assert [(x["range"]["start"]["line"] + 1, x["command"]["title"],
             x["command"]["arguments"][1]) for x in got] == [
        (line, title, name) for line, name in
        ((69, "n3"), (74, "n4"), (78, "n5"), (83, "fairN3"), (88, "fairHandlersOnly"))
        for title in ("check", "prove")]
    assert {x["command"]["command"] for x in got} == {"stateline.check", "stateline.prove"}


def test_check_lens_publishes_violations_at_the_property(tmp_path):
    # n3 expects AllDecide violated; here it is expected to hold: an error at the property
    text = TEXT.replace("    expect CommitNeedsAllPrepared holds\n    expect AllDecide violated",
                        "    expect CommitNeedsAllPrepared holds\n    expect AllDecide holds", 1)
    uri = (tmp_path / "tpc.sl").as_uri()
    with LspClient() as client:
        client.open(uri, text)
        reply = client.request("workspace/executeCommand",
                               {"command": "stateline.check", "arguments": [uri, "n3"]})
        assert reply == {"summary": ("check n3: 1 check, 4 properties: expected "
                                    "violations demonstrated (0), holding as expected (3), "
                                    "unexpected results (1): 1 expectation FAILED."),
                         "met": False}
        got = client.wait("textDocument/publishDiagnostics",
                          lambda p: p["uri"] == uri and p["diagnostics"])["diagnostics"]
        (d,) = got
        assert d["range"] == _range(66, 10, 19)             # `property AllDecide`
        assert d["severity"] == 1 and d["code"] == "expectation failed"
        assert d["message"].startswith(
            "check n3: AllDecide violated (0 steps, then stuttering), expected holds\n"
            "Counterexample: ")
        message = client.wait("window/showMessage")
        assert message == {"type": 1, "message": reply["summary"]}
        # editing the text drops the verdicts of the older text
        assert client.change(uri, text + "\n", 2)["diagnostics"] == []


def test_check_and_prove_lenses_on_the_library_spec(lsp):
    reply = lsp.request("workspace/executeCommand",
                        {"command": "stateline.check", "arguments": [URI, "n3"]})
    assert reply == {"summary": "check n3: 1 check, 4 properties: expected violations "
                                "demonstrated (1), holding as expected (3), unexpected "
                                "results (0); every expectation met.",
                     "met": True}
    got = lsp.wait("textDocument/publishDiagnostics",
                   lambda p: p["uri"] == URI and p["diagnostics"])["diagnostics"]
    assert [(d["range"]["start"]["line"] + 1, d["severity"], d["message"].splitlines()[0])
            for d in got] == [(66, 3, "check n3: AllDecide violated (0 steps, then "
                                      "stuttering), expected violated")]
    reply = lsp.request("workspace/executeCommand",
                        {"command": "stateline.prove", "arguments": [URI, "n3"]})
    assert reply == {"summary": "prove n3: 3 obligations: every expectation met.", "met": True}
    got = lsp.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == URI)
    assert got["diagnostics"] == []
    reply = lsp.request("workspace/executeCommand",
                        {"command": "stateline.check", "arguments": [URI, "nope"]})
    assert reply["met"] is False and "no check block is named 'nope'" in reply["summary"]


def test_max_seconds_bounds_a_code_lens_run():
    raft = ROOT / "specs" / "raft.sl"
    with LspClient(options={"maxSeconds": 0.01}) as client:
        client.open(raft.as_uri(), raft.read_text(encoding="utf-8"))
        reply = client.request("workspace/executeCommand",
                               {"command": "stateline.check",
                                "arguments": [raft.as_uri(), "replication"]})
        assert reply["met"] is None and "4 without a verdict" in reply["summary"]
        got = client.wait("textDocument/publishDiagnostics",
                          lambda p: p["diagnostics"])["diagnostics"]
        assert len(got) == 4 and {d["severity"] for d in got} == {2}      # warnings
        assert all(d["code"] == "no verdict" for d in got)


def test_prove_commands_at_once_take_turns():
    """The server runs each command in a thread; proofs share Z3's process-wide context
    (prover.terms.fresh_context), so three at once must give what one alone gives (they
    raised "Context mismatch" before runs.py made them take turns)."""
    path = ROOT / "specs" / "two_phase_commit.sl"
    a = analyse(path.read_text(encoding="utf-8"), str(path))
    out: dict[int, str] = {}

    def go(i: int) -> None:
        out[i] = run(a, f"n{3 + i % 2}", "prove", 60).summary

    threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == {i: f"prove n{3 + i % 2}: 3 obligations: every expectation met."
                   for i in range(3)}


def test_an_init_block_is_analysed(lsp):
    """A spec with an `init:` block: no diagnostics, and a variable it assigns
    is a reference of the variable's declaration."""
    path = ROOT / "tests" / "textbook" / "ewd840_init.sl"
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    assert lsp.open(uri, text)["diagnostics"] == []
    line = _line_of(text, "tpos := t")
    col = text.splitlines()[line - 1].index("tpos")
    got = lsp.at("textDocument/hover", uri, line - 1, col + 1)
    assert "**variable** `tpos`" in got["contents"]["value"]
    decl = _line_of(text, "var tpos: 0..N - 1")
    refs = lsp.at("textDocument/references", uri, decl - 1, 5,
                  context={"includeDeclaration": True})
    assert {r["range"]["start"]["line"] + 1 for r in refs} >= {decl, line}
