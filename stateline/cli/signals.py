"""How a `stateline` command stops on SIGINT (Ctrl-C), SIGTERM and SIGHUP.

`timeout`, a cancelled CI job and a closed terminal send SIGTERM or SIGHUP; each is
handled as Ctrl-C is.  The first signal stops the run: it raises `Interrupted` (a
KeyboardInterrupt, so every phase that handles Ctrl-C handles it) in whatever the
run is doing; the command then reports what it found so far, writes the outputs it
was asked for, and exits 3.  Once a command has begun reporting (`reporting()`), a
first signal no longer interrupts it: the outputs are finished.  A second signal
stops at once (exit 3); outputs are written atomically (`outputs.write`), so each
file is either complete or as it was.

Z3 runs in C, where a Python signal handler waits until the call returns (and Z3's
own Ctrl-C handler would only cancel the one call); `on_signal` registers a
callback, such as Z3's interrupt, that a watcher thread runs the moment a signal
arrives.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import socket
import sys
import threading
from typing import Callable

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGINT included)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _State:
    def __init__(self):
        self.count = 0               # signals received
        self.first: int | None = None
        self.reporting = False
        self.previous: dict = {}     # handlers to restore
        self.callbacks: list[Callable[[], None]] = []
        self.wakeup: tuple[socket.socket, socket.socket] | None = None
        self.previous_fd = -1
        self.unraisable = sys.unraisablehook
        self.redelivering = False    # an interrupt that could not propagate, sent again


_state = _State()


def _handler(signum, frame):
    if _state.redelivering:
        _state.redelivering = False      # the same signal once more (`_unraisable`)
    else:
        _state.count += 1
        if _state.first is None:
            _state.first = signum
    if not _state.reporting or _state.count >= 2:
        raise Interrupted(signum)


def install() -> bool:
    """Handle the signals as described above (main thread only); False when not possible."""
    global _state
    if threading.current_thread() is not threading.main_thread():
        return False
    _state = _State()
    for s in SIGNALS:
        _state.previous[s] = signal.signal(s, _handler)
    _state.unraisable = sys.unraisablehook
    sys.unraisablehook = _unraisable
    return True


def _unraisable(info) -> None:
    """An interrupt raised where it cannot propagate (the handler ran inside a weakref
    callback, a finaliser, or z3's error handler, a C callback) would be printed with a
    traceback and lost.  Instead the same signal is delivered to the main thread again,
    from a timer thread so that it is raised after this hook has returned, at the
    main thread's next instruction (not counted as a second signal; if that is inside
    such a callback again, it comes back here).  `on_signal` callbacks, such as the
    prover's `interrupt`, have already run."""
    exc = info.exc_value
    if not isinstance(exc, Interrupted):
        try:
            _state.unraisable(info)
            return
        except Interrupted as inner:            # (the handler ran inside that hook)
            exc = inner
    while True:
        try:
            _state.redelivering = True
            timer = threading.Timer(REDELIVER_AFTER, _redeliver, (exc.signum,))
            timer.daemon = True
            timer.start()
            return
        except Interrupted as inner:            # it came while the timer started
            exc = inner


REDELIVER_AFTER = 0.01      # seconds: this hook has returned by then


def _redeliver(signum: int) -> None:
    if signal.getsignal(signum) is _handler:      # (not once the command has returned)
        _thread.interrupt_main(signum)


def uninstall() -> None:
    """Put back the handlers `install` replaced (for callers of `cli.main` in-process)."""
    for s, previous in _state.previous.items():
        signal.signal(s, previous if previous is not None else signal.SIG_DFL)
    if _state.previous:
        sys.unraisablehook = _state.unraisable
    _state.previous = {}
    if _state.wakeup is not None:
        signal.set_wakeup_fd(_state.previous_fd)
        reader, writer = _state.wakeup
        with contextlib.suppress(OSError):
            reader.shutdown(socket.SHUT_RDWR)     # the watcher's recv returns: it ends
        reader.close()
        writer.close()
        _state.wakeup = None
    _state.callbacks = []


def reporting() -> None:
    """The run is over: from now on only a second signal interrupts."""
    _state.reporting = True


def received() -> str | None:
    """The name of the first signal received (SIGTERM, ...), or None."""
    return None if _state.first is None else signal.Signals(_state.first).name


def on_signal(callback: Callable[[], None]) -> None:
    """Run `callback` (in a watcher thread) as soon as one of the signals arrives, even
    while the main thread is inside a C call."""
    if not _state.previous:
        return                                    # not installed: nothing to watch
    _state.callbacks.append(callback)
    if _state.wakeup is not None:
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    _state.previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    _state.wakeup = (reader, writer)
    callbacks = _state.callbacks
    threading.Thread(target=_watch, args=(reader, callbacks), daemon=True,
                     name="stateline-signals").start()


def _watch(reader: socket.socket, callbacks: list) -> None:
    while True:
        try:
            data = reader.recv(64)
        except OSError:                   # closed by uninstall
            return
        if not data:
            return
        if any(b in (s.value for s in SIGNALS) for b in data):
            for callback in list(callbacks):
                callback()
