"""Console output, spec-file discovery and argument types shared by the commands."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import sys
import time

from ..diagnostics import SpecError, render
from ..printable import json_safe, printable


class Console:
    """Where output goes; progress only when stderr is a terminal.

    Everything printed passes through `printable`: a file name, a span name or a
    history value with escape sequences in it cannot drive the terminal.
    """

    def __init__(self, progress: bool):
        self.out = sys.stdout
        self.err = sys.stderr
        self.progress_on = progress and self.err.isatty()
        self._last = 0.0
        self._shown = False
        self._gone: set[str] = set()
        self.max_states: int | None = None      # the run's bounds (`bounds`), for the
        self.max_seconds: float | None = None   # time left on the progress line

    def _write(self, which: str, text: str) -> None:
        """Write to `self.out` or `self.err`.  A terminal that has gone away (EIO after a
        hang-up: SIGHUP) is dropped, so that the run still writes its files; a closed
        pipe still raises BrokenPipeError (`cli.main`: exit 3)."""
        if which in self._gone:
            return
        stream = getattr(self, which)
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            raise
        except OSError:
            self._gone.add(which)
            with contextlib.suppress(OSError, ValueError):   # and no error when it is
                devnull = os.open(os.devnull, os.O_WRONLY)    # flushed at exit
                os.dup2(devnull, stream.fileno())

    def print(self, *parts):
        self._write("out", " ".join(printable(str(p), "\n\t") for p in parts) + "\n")

    def print_json(self, text: str):
        """A JSON document (from json.dumps), unchanged but for `json_safe` escapes."""
        self._write("out", json_safe(text) + "\n")

    def write_json_chunk(self, text: str):
        """A piece of a JSON document being streamed (json.JSONEncoder.iterencode)."""
        self._write("out", json_safe(text))

    def error(self, message: str):
        self.clear()
        self._write("err", printable(message, "\n\t") + "\n")

    def bounds(self, max_states: int | None, max_seconds: float | None) -> None:
        """The run's bounds, for the progress line's time left."""
        self.max_states, self.max_seconds = max_states, max_seconds

    # Hand-written rather than tqdm or rich: one line of five fields (states, depth,
    # rate, elapsed, time left under a bound of states or of seconds) that neither
    # formats without as much configuration, and no import on every run.
    def progress(self, states: int, depth: int, seconds: float):
        if not self.progress_on:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        self._write("err", "\r" + progress_line(states, depth, seconds, self.max_states,
                                                  self.max_seconds,
                                                  shutil.get_terminal_size().columns) + "\033[K")
        self._shown = True

    def phase(self, text: str):
        """Say on the progress line what the run is doing now (compiling a spec, the
        search, the liveness analysis ...); shown at once, on a terminal only."""
        if not self.progress_on:
            return
        self._write("err", f"\r  {printable(text)}\033[K")
        self._shown = True

    def clear(self):
        if self._shown:
            self._write("err", "\r\033[K")
            self._shown = False


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def progress_line(states: int, depth: int, seconds: float, max_states: int | None,
                  max_seconds: float | None, width: int = 80) -> str:
    """`  12,513 states · depth 17 · 9,870 states/s · 0:01 · at most 0:09 left`."""
    rate = states / seconds if seconds > 0 else 0
    parts = [f"  {states:,} states", f"depth {depth}", f"{rate:,.0f} states/s",
             _clock(seconds)]
    left = []
    if max_states and rate > 0:
        left.append(max(0.0, (max_states - states) / rate))
    if max_seconds:
        left.append(max(0.0, max_seconds - seconds))
    if left:     # the bound is a most: the search may end before it
        parts.append(f"at most {_clock(min(left))} left")
    return " · ".join(parts)[:max(20, width - 1)]


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return n


def workers_count(text: str) -> int:
    """A number of worker processes: a positive integer up to 64, or `auto` (one per
    core this process may run on)."""
    if text.strip() == "auto":
        return max(1, min(64, len(os.sched_getaffinity(0))))
    n = positive_int(text)
    if n > 64:
        raise argparse.ArgumentTypeError(f"at most 64 workers, got '{text}'")
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


def spec_arguments(c) -> None:
    """The spec files and instance selection `check` and `simulate` share."""
    c.add_argument("paths", nargs="+", metavar="SPEC|DIR",
                   help="spec files, or directories searched for *.sl files")
    c.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant in every check block (repeatable)")
    c.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                   help="run only this check block (repeatable)")
    property_arguments(c)


def property_arguments(c) -> None:
    """--invariant and --property: the properties every check block checks."""
    c.add_argument("--invariant", dest="invariants", action="append", default=[],
                   metavar="NAME",
                   help="check this invariant (repeatable); with --property, the "
                        "properties named are the only ones checked, in every check block")
    c.add_argument("--property", dest="properties", action="append", default=[],
                   metavar="NAME",
                   help="check this transition invariant or temporal property (repeatable)")


def nonnegative_float(text: str) -> float:
    """Zero or a positive, finite number."""
    if text.strip() in ("0", "0.0"):
        return 0.0
    return positive_float(text)


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
