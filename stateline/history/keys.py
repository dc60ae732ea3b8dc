"""Keyed histories (``kv``), checked key by key, in parallel where that pays.

Linearizability is local (Herlihy and Wing 1990, P-compositionality in Porcupine's
terms): a history of operations on several keys is linearizable if and only if the
sub-history of each key is.  So each key is searched on its own, a small search each
instead of one over the product of the keys' states, and the keys can be searched in
separate processes (`workers`).

Every key is checked (no early stop), so the verdict and the explanation do not depend
on the order the workers finish in: the explanation is that of the first key, in order
of first appearance, that is not linearizable.

Signals: the parent process handles them (it reports what was decided and exits 3).  A
worker ignores SIGINT (Ctrl-C reaches the whole process group) and dies quietly, with
the default action, on SIGTERM and SIGHUP (as `timeout` and a closed terminal send them
to the group); it inherits the parent's Python handlers otherwise, which would print a
traceback from inside `concurrent.futures`.  When the parent stops for any reason it
terminates its workers rather than waiting for their batches.
"""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from . import wgl
from .datatypes import DataType
from .explain import Failure, explain

PARALLEL_FROM = 4000        # operations below which one process is faster than a pool


@dataclass(frozen=True)
class KeyVerdict:
    key: object
    operations: int
    order: tuple[int, ...] | None     # the key's linearization, or None
    explanation: str                  # why not (when order is None)
    failure: Failure | None
    timed_out: bool = False


def split(operations) -> dict:
    """The operations of each key, keys in order of first appearance."""
    by_key: dict = {}
    for op in operations:
        by_key.setdefault(op.key, []).append(op)
    return by_key


def check_keys(operations, datatype: DataType, initial, deadline: float | None = None,
               explain_failures: bool = True, workers: int = 1) -> list[KeyVerdict]:
    """One verdict per key, in order of first appearance."""
    by_key = split(operations)
    jobs = [(key, ops) for key, ops in by_key.items()]
    if workers > 1 and len(jobs) > 1 and len(operations) >= PARALLEL_FROM:
        return _parallel(jobs, datatype, initial, deadline, explain_failures, workers)
    return _in_turn(jobs, datatype, initial, deadline, explain_failures)


def _in_turn(jobs, datatype: DataType, initial, deadline, explain_failures) -> list:
    """The keys one after the other.  With a deadline, each key first gets an equal share
    of the time left (so one hard key cannot keep the others, which may fail at once,
    from being searched), then the keys that ran out of their share are searched again,
    in order, with all the time that is left, unless a key is already known not to be
    linearizable (the verdict is then NO whatever they give)."""
    if deadline is None:
        return [_one(key, ops, datatype, initial, None, explain_failures)
                for key, ops in jobs]
    verdicts = []
    for i, (key, ops) in enumerate(jobs):
        now = time.monotonic()
        share = max(0.0, deadline - now) / (len(jobs) - i)
        verdicts.append(_one(key, ops, datatype, initial, min(deadline, now + share),
                             explain_failures))
    if any(v.order is None and not v.timed_out for v in verdicts):
        return verdicts
    for i, (key, ops) in enumerate(jobs):
        if verdicts[i].timed_out and time.monotonic() < deadline and len(jobs) > 1:
            verdicts[i] = _one(key, ops, datatype, initial, deadline, explain_failures)
    return verdicts


def _one(key, ops, datatype: DataType, initial, deadline, explain_failures) -> KeyVerdict:
    try:
        outcome = wgl.search(ops, datatype, initial, deadline)
    except wgl.Timeout:
        return KeyVerdict(key, len(ops), None, "", None, True)
    if outcome.order is not None:
        return KeyVerdict(key, len(ops), outcome.order, "", None)
    try:
        text, failure = explain(ops, datatype, initial, outcome.frontier, key, deadline,
                                prefix=explain_failures)
    except wgl.Timeout:         # the verdict is known; only the longest prefix is not
        text, failure = explain(ops, datatype, initial, outcome.frontier, key, prefix=False)
    return KeyVerdict(key, len(ops), None, text, failure)


STOPS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
              if hasattr(signal, name))


def _worker_signals() -> None:
    """In a worker, first: the signals as the module's docstring says.  They were blocked
    when it was forked, so none can reach the parent's handlers here; one sent since is
    delivered when they are unblocked."""
    for s in STOPS:
        signal.signal(s, signal.SIG_IGN if s == signal.SIGINT else signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)


def _batch(jobs, datatype: DataType, initial, until: float | None,
           explain_failures: bool):
    """In a worker: the verdicts of a batch of keys.  The deadline is passed as a
    `time.time()`, shared by the processes (`time.monotonic()`'s origin may not be), and
    not as seconds left: a batch may wait in the queue for others to finish first."""
    deadline = None if until is None else time.monotonic() + (until - time.time())
    return _in_turn(jobs, datatype, initial, deadline, explain_failures)


def _parallel(jobs, datatype, initial, deadline, explain_failures, workers):
    # Batches of about equal size in operations, a few per worker, so that one large key
    # does not leave the other workers idle at the end.
    count = min(len(jobs), workers * 4)
    batches: list[list] = [[] for _ in range(count)]
    sizes = [0] * count
    for job in sorted(jobs, key=lambda j: -len(j[1])):
        i = sizes.index(min(sizes))
        batches[i].append(job)
        sizes[i] += len(job[1])
    until = None if deadline is None else time.time() + (deadline - time.monotonic())
    results: dict = {}
    pool = ProcessPoolExecutor(max_workers=min(workers, os.cpu_count() or 1, count),
                               initializer=_worker_signals)
    try:
        # the workers are forked here; the stop signals wait until they have handlers
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS) \
            if hasattr(signal, "pthread_sigmask") else None
        try:
            futures = [pool.submit(_batch, batch, datatype, initial, until,
                                   explain_failures) for batch in batches if batch]
        finally:
            if mask is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for future in futures:
            try:
                verdicts = future.result()
            except BrokenProcessPool:
                # A worker was killed: by the signal that stops this process too (the
                # group's SIGTERM or SIGHUP), whose handler then raises here; or alone.
                time.sleep(1.0)
                raise
            for verdict in verdicts:
                results[verdict.key] = verdict
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown()
    return [results[key] for key, _ in jobs]


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (SIGTERM: the default action), then the pool: its manager
    thread sees them gone and ends (waited for, since one still ending at exit races
    `concurrent.futures`' exit hook, which then prints an OSError)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
    pool.shutdown(wait=True, cancel_futures=True)
