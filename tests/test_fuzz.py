"""Fuzzing the front end and the CLI with mutated copies of the valid specs.

Each example takes a spec from specs/ or specs/labs/ and applies one to three
text mutations (delete, duplicate, swap or replace a token; delete, duplicate or
swap a whole line; insert printable characters), then, one time in four, inserts
random bytes or invalid UTF-8.  (A spec that is not UTF-8 stops at the decoder,
so most mutants stay text to reach the parser, the type checker and the model.)
``stateline check`` runs on the mutant with small bounds.  Whatever the mutant
is, Stateline must answer with an exit code, never an exception, a traceback or
an internal error, and a rejected spec (exit 2) must get an ``error[SLnnn]``.

The number of examples is sized for 30-60 seconds; hunt for crashes with more:
``STATELINE_FUZZ_EXAMPLES=3000 python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import string
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from stateline.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "specs").glob("*.sl")) + sorted((ROOT / "specs" / "labs").glob("*.sl"))
SOURCES = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in SEEDS}

MAX_EXAMPLES = int(os.environ.get("STATELINE_FUZZ_EXAMPLES", "250"))
SECONDS_PER_EXAMPLE = 60      # a mutant that runs longer than this is reported as a hang
CLI_ARGS = ["--max-states", "300", "--max-seconds", "2", "--no-progress"]

TOKEN = re.compile(r"[A-Za-z0-9_]+|:=|==|!=|<=|>=|\.\.|//|\S")
# Replacements for a token: words and symbols of the language, and a few numbers.
VOCABULARY = """spec const enum record message network var def process fair action on
    invariant transition constraint property allow check expect require send to let pass
    if elif else for in forall exists choose not and or implies true false none symmetric
    holds violated deadlock set map seq bool int nat self sent len subsets replace
    := = == != < <= > >= .. | ^ & + - * // % / ( ) [ ] { } , : . ' ? 0 1 2 -1 1000000""".split()
INVALID_UTF8 = [b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xe2\x82", b"\xc0\xaf", b"\xed\xa0\x80",
                b"\xf4\x90\x80\x80"]


# ---- mutations: (draw, bytes) -> bytes ------------------------------------------------
# Text mutations decode with surrogateescape, so bytes that earlier byte-level
# mutations made invalid survive them unchanged.

def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _index(draw, n: int) -> int:
    return draw(st.integers(0, n - 1))


def _token_mutation(edit):
    def mutate(draw, data: bytes) -> bytes:
        text = _text(data)
        spans = [m.span() for m in TOKEN.finditer(text)]
        if len(spans) < 2:
            return data
        return _bytes(edit(draw, text, spans))
    mutate.__name__ = edit.__name__
    return mutate


@_token_mutation
def delete_token(draw, text, spans):
    a, b = spans[_index(draw, len(spans))]
    return text[:a] + text[b:]


@_token_mutation
def duplicate_token(draw, text, spans):
    a, b = spans[_index(draw, len(spans))]
    return text[:b] + draw(st.sampled_from(["", " "])) + text[a:b] + text[b:]


@_token_mutation
def replace_token(draw, text, spans):
    a, b = spans[_index(draw, len(spans))]
    c, d = spans[_index(draw, len(spans))]
    new = draw(st.sampled_from([text[c:d], *VOCABULARY]))
    return text[:a] + new + text[b:]


@_token_mutation
def swap_tokens(draw, text, spans):
    i, j = sorted((_index(draw, len(spans)), _index(draw, len(spans))))
    (a, b), (c, d) = spans[i], spans[j]
    if i == j:
        return text
    return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]


def _line_mutation(edit):
    def mutate(draw, data: bytes) -> bytes:
        lines = _text(data).splitlines(keepends=True)
        if len(lines) < 2:
            return data
        return _bytes("".join(edit(draw, lines)))
    mutate.__name__ = edit.__name__
    return mutate


@_line_mutation
def delete_line(draw, lines):
    del lines[_index(draw, len(lines))]
    return lines


@_line_mutation
def duplicate_line(draw, lines):
    i = _index(draw, len(lines))
    lines.insert(i, lines[i])
    return lines


@_line_mutation
def swap_lines(draw, lines):
    i, j = _index(draw, len(lines)), _index(draw, len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def _insert(draw, data: bytes, chunk: bytes) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + chunk + data[at:]


def insert_printable(draw, data: bytes) -> bytes:
    text = _text(data)
    chunk = draw(st.text(alphabet=string.printable, min_size=1, max_size=6))
    at = draw(st.integers(0, len(text)))
    return _bytes(text[:at] + chunk + text[at:])


def insert_bytes(draw, data: bytes) -> bytes:
    return _insert(draw, data, draw(st.binary(min_size=1, max_size=4)))


def insert_invalid_utf8(draw, data: bytes) -> bytes:
    return _insert(draw, data, draw(st.sampled_from(INVALID_UTF8)))


TEXT_MUTATIONS = [delete_token, duplicate_token, swap_tokens, replace_token, delete_line,
                  duplicate_line, swap_lines, insert_printable]
BYTE_MUTATIONS = [insert_bytes, insert_invalid_utf8]


@st.composite
def mutants(draw):
    seed = draw(st.sampled_from(sorted(SOURCES)))
    data = SOURCES[seed]
    mutations = draw(st.lists(st.sampled_from(TEXT_MUTATIONS), min_size=1, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        mutations.append(draw(st.sampled_from(BYTE_MUTATIONS)))
    for mutation in mutations:
        data = mutation(draw, data)
    note(f"{seed} mutated by {', '.join(m.__name__ for m in mutations)}")
    return data


# ---- running the CLI -------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the alarm; a BaseException so the CLI's own handlers let it through."""


def _alarm(signum, frame):
    raise Hang(f"stateline check ran for more than {SECONDS_PER_EXAMPLE} s")


def run_check(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_EXAMPLE)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path), *CLI_ARGS])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


def test_there_are_specs_to_mutate():
    assert len(SOURCES) >= 2


@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(mutant=mutants())
def test_mutated_spec_gets_an_answer_not_a_crash(mutant, tmp_path):
    note("mutant text:\n" + mutant.decode("utf-8", "replace"))
    path = tmp_path / "mutant.sl"
    path.write_bytes(mutant)
    code, out, err = run_check(path)
    printed = out + err
    assert "Traceback" not in printed
    assert "internal error" not in printed, err
    assert code in (0, 1, 2, 3), f"exit code {code}\n{err}"
    if code == 2:
        assert "error[SL" in err, err
