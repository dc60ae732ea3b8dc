"""Console output, spec-file discovery and argument types shared by the commands."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

from ..diagnostics import SpecError, render


class Console:
    """Where output goes; progress only when stderr is a terminal."""

    def __init__(self, progress: bool):
        self.out = sys.stdout
        self.err = sys.stderr
        self.progress_on = progress and self.err.isatty()
        self._last = 0.0
        self._shown = False

    def print(self, *parts):
        print(*parts, file=self.out, flush=True)

    def error(self, message: str):
        self.clear()
        print(message, file=self.err, flush=True)

    def progress(self, states: int, depth: int, seconds: float):
        if not self.progress_on:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        rate = states / seconds if seconds > 0 else 0
        self.err.write(f"\r  {states:,} states · depth {depth} · {rate:,.0f} states/s\033[K")
        self.err.flush()
        self._shown = True

    def clear(self):
        if self._shown:
            self.err.write("\r\033[K")
            self.err.flush()
            self._shown = False


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return n


def positive_float(text: str) -> float:
    """A positive, finite number (of seconds, megabytes, milliseconds: inf and nan are
    not limits)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not 0 < x < math.inf:
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got '{text}'")
    return x


def spec_files(paths: list[str], console: Console) -> tuple[list[str], bool]:
    files, ok = [], True
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(".sl"))
            if not found:
                console.error(f"stateline: error[SL504]: no .sl files under '{path}'")
                ok = False
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            console.error(f"stateline: error[SL504]: no such file or directory: '{path}'")
            ok = False
    return files, ok


def report_errors(console: Console, exc: SpecError, sources: dict[str, str]):
    for d in exc.diagnostics:
        console.error(render(d, sources) if d.span else
                      "stateline: " + d.headline() + (f"\n  hint: {d.hint}" if d.hint else ""))
