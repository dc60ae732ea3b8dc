"""docs/history.md's examples run as documented.

Every block with ``file=NAME`` in its info string (```json, ```edn, ```text) is written
to a temporary directory; every
```console block is ``$ stateline history check ...`` followed by the exact output
(standard output, then standard error), with ``exit=N`` in the info string when the
exit status is not 0.  The commands run in-process in that directory.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from stateline import cli

DOC = Path(__file__).resolve().parent.parent / "docs" / "history.md"
FENCE = re.compile(r"^```(.*)$")


def blocks():
    """(line, info string, body) of every fenced block."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, body = i + 1, []
        i += 1
        while not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        yield start, m.group(1).strip(), "\n".join(body) + "\n"
        i += 1


FILES = {info.split("file=")[1]: body for _, info, body in blocks() if " file=" in info}
CONSOLES = [(line, info, body) for line, info, body in blocks() if info.startswith("console")]


def test_the_page_has_examples():
    assert set(FILES) == {"etcd.log", "kv.edn", "example.json", "views.json", "causal.json",
                          "bad.json", "orphan.json", "bad.edn"}
    assert len(CONSOLES) == 10
    assert "\t:invoke\t:cas\t[1 2]" in FILES["etcd.log"]          # the tabs survive


@pytest.mark.parametrize("line, info, body", CONSOLES, ids=[f"line {c[0]}" for c in CONSOLES])
def test_console_examples(tmp_path, monkeypatch, capsys, line, info, body):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    command, *expected = body.splitlines()
    assert command.startswith("$ stateline history check "), f"docs/history.md:{line}"
    status = int(info.partition("exit=")[2] or 0)
    code = cli.main(shlex.split(command)[2:])
    out, err = capsys.readouterr()
    assert (code, (out + err).splitlines()) == (status, expected), f"docs/history.md:{line}"


def test_the_python_example():
    from stateline.history import check, linearizable, sequentially_consistent
    events = [(0, "invoke", "write", 1), (0, "ok", "write", 1),
              (1, "invoke", "read", None), (1, "ok", "read", 0)]
    assert not linearizable(events, initial=0)
    cas = [(0, "invoke", "cas", (0, 1)), (0, "fail", "cas", (0, 1))]
    assert not linearizable(cas, initial=0, model="cas-register")
    assert linearizable(cas, initial=2, model="cas-register")
    assert sequentially_consistent(events, initial=0)
    result = check(events, "linearizable", initial=0)
    assert result.explanation.startswith(
        "op 1 (process 1: read -> 0, events 2-3) cannot take effect between its invoke and "
        "its return: ")
    assert result.explanation[:60] in DOC.read_text(encoding="utf-8").replace("\n# ", " ")
