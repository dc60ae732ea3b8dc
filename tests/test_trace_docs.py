"""docs/trace-validation.md's examples run as documented.

Every fenced block whose info string has ``file=NAME`` (the spec, the mapping file, the
trace files) is written to a temporary directory; every ```console block is
``$ stateline trace validate ...`` followed by the exact output (standard output, then
standard error; the seconds a search took are the only thing that may differ), with
``exit=N`` in the info string when the exit status is not 0.  The commands run
in-process in that directory.  Every ```toml block is a mapping file the reader accepts.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from stateline import cli
from stateline.validation import rules

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "trace-validation.md"
FENCE = re.compile(r"^```(.*)$")
SECONDS = re.compile(r"· \d+\.\d\d s")


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


FILES = {info.split("file=")[1]: body for _, info, body in blocks() if "file=" in info}
CONSOLES = [(line, info, body) for line, info, body in blocks() if info.startswith("console")]
TOMLS = [(line, body) for line, info, body in blocks() if info.split(" ")[0] == "toml"]


def test_the_page_has_its_examples():
    assert set(FILES) == {"lock.sl", "lock.toml", "lock.otlp.json", "lock-bug.otlp.json"}
    assert len(CONSOLES) == 2 and len(TOMLS) == 2


@pytest.mark.parametrize("line, info, body", CONSOLES, ids=[f"line {c[0]}" for c in CONSOLES])
def test_console_examples(tmp_path, monkeypatch, capsys, line, info, body):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    command, *expected = body.splitlines()
    assert command.startswith("$ stateline trace validate "), f"docs/trace-validation.md:{line}"
    status = int(info.partition("exit=")[2] or 0)
    capsys.readouterr()
    code = cli.main(shlex.split(command)[2:])
    out = capsys.readouterr()
    got = SECONDS.sub("· 0.00 s", out.out + out.err).splitlines()
    want = [SECONDS.sub("· 0.00 s", x) for x in expected]
    assert (code, got) == (status, want), f"docs/trace-validation.md:{line}"


@pytest.mark.parametrize("line, body", TOMLS, ids=[f"line {t[0]}" for t in TOMLS])
def test_mapping_files_on_the_page_are_valid(line, body):
    mapping = rules.from_dict(tomllib.loads(body), f"docs/trace-validation.md:{line}")
    assert mapping.rules


def test_the_walkthrough_names_files_that_exist():
    text = DOC.read_text(encoding="utf-8")
    for path in re.findall(r"`(examples/twophase/[a-z_.]+)`", text):
        assert (ROOT / path).exists(), path
    for path in ("examples/twophase/service.py", "examples/twophase/twophase.sl",
                 "examples/twophase/mapping.toml", "bench/trace_validation_bench.py"):
        assert path in text and (ROOT / path).exists()
