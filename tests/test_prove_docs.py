"""Every example of docs/proofs.md runs as documented.

A fenced block whose info string is `sl file=NAME` is written to NAME in a scratch
directory (next to links to the repository's specs/ and proofs/).  A block whose
first line starts with `$ stateline prove` is a transcript: each `$` line is run
there, `[exit N]` on the next line is its exit code, and the lines after it (up to
the next `$` line) must appear in its output in that order; `...` stands for any
number of lines.  Runs of spaces and decimal numbers followed by ` s` (times) are
not compared.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from stateline.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "proofs.md"
_FENCE = re.compile(r"^(```+)(.*)$")


def fenced_blocks(text: str):
    """(line of the opening fence, info string, body lines) of every fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info, start, body = m.group(1), m.group(2).strip(), i, []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        yield start + 1, info, body
        i += 1


def runs(body: list[str]):
    """(argv, exit code, expected lines) of each command of a transcript block."""
    out = []
    for line in body:
        if line.startswith("$ "):
            out.append([shlex.split(line[2:]), None, []])
        elif out[-1][1] is None:
            m = re.fullmatch(r"\[exit (\d)\]", line.strip())
            assert m, f"expected [exit N] after the command, found {line!r}"
            out[-1][1] = int(m.group(1))
        else:
            out[-1][2].append(line)
    return out


BLOCKS = list(fenced_blocks(DOC.read_text(encoding="utf-8")))
FILES = {info.split("file=", 1)[1].split()[0]: "\n".join(body) + "\n"
         for _, info, body in BLOCKS if "file=" in info}
TRANSCRIPTS = [(line, body) for line, _, body in BLOCKS
               if body and body[0].startswith("$ stateline prove")]


def normal(line: str) -> str:
    line = re.sub(r"\d+\.\d+ s\b", "T s", line)
    return " ".join(line.split())


def appear_in_order(expected: list[str], output: str) -> str | None:
    """None if the expected lines appear in the output in order, else what is missing."""
    got = [normal(x) for x in output.splitlines()]
    pos = 0
    for want in expected:
        if want.strip() == "...":
            continue
        w = normal(want)
        try:
            pos = got.index(w, pos) + 1
        except ValueError:
            return want
    return None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("proofs-doc")
    for name in ("specs", "proofs"):
        (d / name).symlink_to(ROOT / name)
    for name, text in FILES.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def test_the_doc_has_transcripts():
    assert len(TRANSCRIPTS) >= 9
    engines = " ".join(" ".join(body) for _, body in TRANSCRIPTS)
    for flag in ("--bmc", "--induction", "--k-induction", "--auto", "--drop", "--proof",
                 "--emit-smt"):
        assert flag in engines, f"no example of {flag}"


@pytest.mark.parametrize("line,body", TRANSCRIPTS, ids=[f"line{x}" for x, _ in TRANSCRIPTS])
def test_transcript(line, body, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    for argv, code, expected in runs(body):
        assert argv[0] == "stateline"
        got = main(argv[1:])
        out, err = capsys.readouterr()
        where = f"docs/proofs.md:{line}: {shlex.join(argv)}"
        transcript = f"--- stdout ---\n{out}--- stderr ---\n{err}"
        assert got == code, f"{where}: exit {got}, documented {code}\n{transcript}"
        missing = appear_in_order(expected, out + err)
        assert missing is None, f"{where}: this line is not in the output (in order):\n" \
                                f"{missing}\n{transcript}"
