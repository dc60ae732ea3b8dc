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


_state = _State()


def _handler(signum, frame):
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
    """An interrupt raised inside a C callback (z3's error handler) cannot propagate and
    would be printed with a traceback; it is dropped instead (the run still stops:
    `on_signal` callbacks, such as the prover's `interrupt`, take it from there)."""
    if isinstance(info.exc_value, Interrupted):
        return
    _state.unraisable(info)


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
