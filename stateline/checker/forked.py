"""Worker processes forked from this one, so that they share its compiled model (no
model is pickled or compiled again): the pool of `check --workers` (`checker/parallel`)
and of `simulate --workers` (`checker/walks`).

Each worker runs `target(*args, me, count, conn)` with Ctrl-C ignored (the parent
handles it and stops the workers), `conn` its end of a pipe to the parent.
"""

from __future__ import annotations

import multiprocessing
import signal


def _run(target, args: tuple, me: int, count: int, conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent handles Ctrl-C
    target(*args, me, count, conn)


class Forked:
    def __init__(self, target, args: tuple, count: int):
        ctx = multiprocessing.get_context("fork")
        self.conns, self.procs = [], []
        for me in range(count):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=_run, args=(target, args, me, count, child), daemon=True)
            p.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(p)
        self.count = count

    def close(self, force: bool = False) -> None:
        """Stop the workers: send each ("stop",) and wait (`force`: kill them at once,
        wherever they are)."""
        for conn, p in zip(self.conns, self.procs):
            if force:
                p.kill()
                continue
            try:
                conn.send(("stop",))
            except OSError:
                p.kill()
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()
