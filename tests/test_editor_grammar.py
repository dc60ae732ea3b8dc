"""The TextMate grammar in editors/ colours every keyword of the language.

A small TextMate tokenizer (match rules, captures, includes; the earliest match
wins, ties go to the first rule, as in TextMate) runs the grammar over the
library's specs and over every keyword of stateline/lang/grammar.lark, so a
keyword added to the language without a colour fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "editors" / "vscode"
GRAMMAR = json.loads((EXT / "syntaxes" / "stateline.tmLanguage.json").read_text())
# Keywords only at the start of a top-level declaration, names everywhere else.
TOP_LEVEL_ONLY = {"init"}
KEYWORD_SCOPES = ("keyword.", "storage.", "constant.language", "variable.language",
                  "support.")


def _rules(patterns, repo) -> list[tuple[re.Pattern, str | None, dict]]:
    out = []
    for p in patterns:
        if "include" in p:
            target = repo[p["include"].lstrip("#")]
            out += _rules(target.get("patterns", [target]), repo)
        else:
            out.append((re.compile(p["match"]), p.get("name"), p.get("captures", {})))
    return out


RULES = _rules(GRAMMAR["patterns"], GRAMMAR["repository"])


def tokenize(line: str) -> list[tuple[str, str]]:
    """(text, scope) of each token the grammar colours in one line."""
    out, pos = [], 0
    while pos < len(line):
        best = None
        for rx, name, captures in RULES:
            m = rx.search(line, pos)
            if m and (best is None or m.start() < best[0].start()):
                best = (m, name, captures)
        if best is None:
            break
        m, name, captures = best
        if captures:
            for k, cap in captures.items():
                if m.group(int(k)):
                    out.append((m.group(int(k)), cap["name"]))
        if name:
            out.append((m.group(0), name))
        pos = max(m.end(), pos + 1)
    return out


def grammar_keywords() -> set[str]:
    lark = (ROOT / "stateline" / "lang" / "grammar.lark").read_text()
    lark = "\n".join(line.split("//")[0] for line in lark.splitlines())
    return set(re.findall(r'"([a-z_]+)"', lark))


def test_extension_files_fit_together():
    package = json.loads((EXT / "package.json").read_text())
    (grammar,) = package["contributes"]["grammars"]
    assert (EXT / grammar["path"]).resolve() == (EXT / "syntaxes" /
                                                 "stateline.tmLanguage.json").resolve()
    assert grammar["scopeName"] == GRAMMAR["scopeName"] == "source.stateline"
    assert package["contributes"]["languages"][0]["extensions"] == [".sl"]
    assert GRAMMAR["fileTypes"] == ["sl"]
    config = json.loads((EXT / "language-configuration.json").read_text())
    assert config["comments"]["lineComment"] == "#"
    assert re.match(config["indentationRules"]["increaseIndentPattern"], "    action a:  # x")


@pytest.mark.parametrize("word", sorted(grammar_keywords()))
def test_every_keyword_of_the_language_is_coloured(word):
    line = f"{word} x"
    tokens = tokenize(line)
    assert tokens and tokens[0][0] == word and tokens[0][1].startswith(KEYWORD_SCOPES), tokens


def test_the_library_is_coloured():
    keywords = grammar_keywords()
    files = sorted((ROOT / "specs").rglob("*.sl"))
    assert files
    for path in files:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            tokens = tokenize(line)
            code, _, comment = line.partition("#")
            if comment:
                assert ("#" + comment, "comment.line.number-sign.stateline") in tokens, \
                    f"{path.name}:{n}"
            scopes = {}
            for text, scope in tokens:
                scopes.setdefault(text, scope)
            for word in set(re.findall(r"[A-Za-z_]+", code)) & keywords:
                if word in TOP_LEVEL_ONLY and not code.startswith(word):
                    continue        # a name elsewhere: `enum TMState = {init, done}`
                # keywords are contextual: `var history` declares a variable named history
                assert word in scopes and scopes[word].startswith(
                    KEYWORD_SCOPES + ("variable.other.definition", "entity.name")), \
                    f"{path.name}:{n}: {word!r} {scopes.get(word)}"


def test_scopes_of_a_sample():
    tokens = dict(tokenize("    expect Agreement violated"))
    assert tokens["Agreement"] == "entity.name.function.stateline"
    assert tokens["violated"] == "constant.language.outcome.stateline"
    tokens = dict(tokenize("process Acceptor(self in Acceptors):"))
    assert tokens["Acceptor"] == "entity.name.type.stateline"
    assert tokens["self"] == "variable.language.self.stateline"
    tokens = dict(tokenize("    on Prepare(m) if m.bal > maxBal:"))
    assert tokens["Prepare"] == "entity.name.type.stateline"
    tokens = dict(tokenize("        record invoke H.write(v)  # 0x1F"))
    assert tokens["invoke"] == "constant.language.history-event.stateline"
    assert tokens["# 0x1F"].startswith("comment.")
    assert dict(tokenize("x := 0x1F + 2"))["0x1F"] == "constant.numeric.stateline"


def test_init_is_a_keyword_only_at_the_start_of_a_declaration():
    assert dict(tokenize("init:"))["init"] == "storage.type.stateline"
    assert "init" not in dict(tokenize("    var state: TMState = init"))
    assert "init" not in dict(tokenize("enum TMState = {init, done}"))


def test_a_quoted_name_is_a_name_not_the_keyword():
    tokens = dict(tokenize("const Node = {a, `none`}"))
    assert tokens["`none`"] == "variable.other.quoted.stateline"
    assert "none" not in tokens
    assert dict(tokenize("x := none"))["none"] == "constant.language.stateline"


def test_network_reads_are_coloured():
    tokens = dict(tokenize("invariant I: copies(Ping(0)) <= network.partitions"))
    assert tokens["copies"].startswith("support.function")
