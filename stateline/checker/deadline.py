"""A wall-clock deadline that interrupts whatever the search is doing.

The search loop compares the clock with `--max-seconds` every few thousand new
states, which is enough while expansions are cheap.  One expansion can take
minutes, though: a state with millions of successors, or an invariant
quantifying over a huge domain, runs inside generated code that checks nothing.
`Deadline` arms an interval timer (SIGALRM); its handler raises `DeadlineReached`
in the search's thread wherever it is, the way Ctrl-C raises KeyboardInterrupt.
The search catches it, disarms the deadline (`armed = False`, a plain store, so
no other signal is handled before it), makes its tables consistent again and
reports "max-seconds".  Until then the timer fires again every REPEAT seconds: an
exception raised where Python cannot propagate it (a finalizer run by the
garbage collector) is lost, and the next one is not.

Signals reach only the main thread, so elsewhere (or where the platform has no
interval timer, or another ITIMER_REAL timer is already running, e.g. a test
timeout) the deadline arms nothing and the between-expansion check remains.
"""

from __future__ import annotations

import signal
import threading


REPEAT = 0.05


class DeadlineReached(BaseException):
    """--max-seconds ran out.  A BaseException, so that no `except Exception` in
    generated or compiling code can swallow it."""


class Deadline:
    """`with Deadline(seconds):` raises DeadlineReached in the body after `seconds`
    (no effect when seconds is None or no timer can be armed)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.armed = False
        self._installed = False
        self._previous = None

    def _usable(self) -> bool:
        return (self.seconds is not None and hasattr(signal, "setitimer")
                and threading.current_thread() is threading.main_thread()
                and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))

    def _fire(self, signum, frame):
        if self.armed:
            raise DeadlineReached()

    def __enter__(self) -> Deadline:
        if self._usable():
            self._previous = signal.signal(signal.SIGALRM, self._fire)
            self._installed = self.armed = True
            signal.setitimer(signal.ITIMER_REAL, max(self.seconds, 1e-3), REPEAT)
        return self

    def __exit__(self, *exc) -> None:
        if self._installed:
            self.armed = False              # a signal arriving now is ignored
            signal.setitimer(signal.ITIMER_REAL, 0)
            previous = self._previous if self._previous is not None else signal.SIG_DFL
            signal.signal(signal.SIGALRM, previous)
            self._installed = False
