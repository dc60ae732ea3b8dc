"""The parallel search on a Ray cluster (`stateline check --engine ray`).

The same level-synchronous search as `checker/parallel` (whose driver loop this pool
plugs into), with Ray actors in place of forked processes: one actor per partition
(`checker/partition`), created with the compiled model (put once into Ray's object store
with cloudpickle, fetched once by each actor) and reused by every check block of one
run (a block with another model ships that model once per actor).  Per level each actor's outgoing batches are Ray objects: the driver hands the
object refs of the batches for partition w to actor w, so the batches go from actor to
actor through Ray's object store, not through the driver.

Every actor runs with the same PYTHONHASHSEED (so they agree on which partition owns a
state); the driver's own hash may differ, so it sends every adopted state to every
actor, which keeps its own.  Ray is an optional dependency (`pip install
'stateline[ray]'`); nothing here is imported unless --engine ray is asked for.
"""

from __future__ import annotations

import marshal
import os
import socket

from .partition import Partition, gather

HASH_SEED = "0"           # every actor's PYTHONHASHSEED: the owners must agree
PROBE_SECONDS = 3.0


class ClusterError(Exception):
    """Ray is missing, or the cluster cannot be reached (a usage error, exit 2)."""


def _ray():
    try:
        import ray
    except ImportError:
        raise ClusterError("--engine ray needs Ray: pip install 'stateline[ray]'") from None
    return ray


def probe(address: str) -> None:
    """Fail fast when nothing listens at HOST:PORT (Ray's own connect waits long)."""
    host, sep, port = address.rpartition(":")
    if address.startswith("ray://"):
        host, sep, port = address[len("ray://"):].rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ClusterError(f"--ray-address '{address}' is not HOST:PORT")
    try:
        socket.create_connection((host, int(port)), timeout=PROBE_SECONDS).close()
    except OSError as exc:
        raise ClusterError(f"no Ray cluster answers at {address}: {exc.strerror or exc}"
                           f" (start one with `ray start --head --port={port}`)") from None


def connect(address: str | None, cpus: int) -> None:
    """Join the cluster at `address`, or start a local instance with `cpus` CPUs."""
    ray = _ray()
    if ray.is_initialized():
        return
    env = {"PYTHONHASHSEED": HASH_SEED}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    runtime_env = {"env_vars": env}
    if address is not None:
        probe(address)
        ray.init(address=address, runtime_env=runtime_env, log_to_driver=False,
                 logging_level="ERROR")
    else:
        ray.init(num_cpus=cpus, runtime_env=runtime_env, log_to_driver=False,
                 include_dashboard=False, logging_level="ERROR")


class _Actor:
    """A partition living in a Ray worker process."""

    def __init__(self, model, canonical, me: int, count: int):
        self.part = Partition(model, canonical, me, count)

    def reset(self, model, canonical) -> None:
        """A new search (`model`: that of another check block, or None: the same)."""
        self.part = Partition(model or self.part.model, canonical, self.part.me,
                              self.part.count)

    def adopt(self, blob: bytes, front: bool) -> None:
        self.part.adopt(blob, front, True)

    def expand(self, active: int, trans: int, deadlock: bool):
        unusual, moves, blobs = self.part.expand(active, trans, deadlock)
        return ((unusual, moves), *blobs)

    def receive(self, active: int, unusual: bool, *inbox):
        return self.part.receive(None if unusual else list(inbox), active)

    def commit(self, index_bytes: bytes) -> None:
        self.part.commit(index_bytes)

    def rollback(self) -> None:
        self.part.rollback()

    def peak_rss(self) -> float:
        """This actor's process's peak resident memory, MB."""
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_cache: dict = {}         # count -> (model, actors): the actors of this run


class RayPool:
    """The workers of `parallel.bfs_parallel` as Ray actors (see the module)."""

    def __init__(self, model, canonical, count: int):
        ray = _ray()
        self.ray, self.count = ray, count
        hit = _cache.get(count)
        if hit is not None:
            self.actors = hit[1]
            ref = None if hit[0] is model else ray.put(model)
            ray.get([a.reset.remote(ref, canonical) for a in self.actors])
        else:
            for _, old in _cache.values():
                for a in old:
                    ray.kill(a)
            _cache.clear()
            cls = ray.remote(num_cpus=1)(_Actor)
            ref = ray.put(model)
            self.actors = [cls.remote(ref, canonical, me, count) for me in range(count)]
        _cache[count] = (model, self.actors)

    def adopt(self, states: list, lo: int, hi: int, everything_from: int) -> None:
        ray = self.ray
        calls = []
        if everything_from < lo:
            seen = ray.put(marshal.dumps([(j, states[j]) for j in range(everything_from, lo)]))
            calls += [a.adopt.remote(seen, False) for a in self.actors]
        front = ray.put(marshal.dumps([(j, states[j]) for j in range(lo, hi)]))
        calls += [a.adopt.remote(front, True) for a in self.actors]
        ray.get(calls)

    def level(self, active: int, trans: int, deadlock: bool):
        ray, count = self.ray, self.count
        outs = [a.expand.options(num_returns=count + 1).remote(active, trans, deadlock)
                for a in self.actors]
        heads = ray.get([o[0] for o in outs])
        unusual = any(u for u, _ in heads)
        moves = sum(m for _, m in heads)
        replies = []
        for w, a in enumerate(self.actors):
            inbox = [] if unusual else [outs[o][1 + w] for o in range(count) if o != w]
            replies.append(a.receive.remote(active, unusual, *inbox))
        return gather(self, ray.get(replies), unusual, moves)

    def commit(self, indices: list) -> None:
        self.ray.get([a.commit.remote(indices[w].tobytes())
                      for w, a in enumerate(self.actors)])

    def rollback(self) -> None:
        self.ray.get([a.rollback.remote() for a in self.actors])

    def close(self, force: bool = False) -> None:
        """Keep the actors for the next check block of the run (`force`: an interrupt,
        stop them)."""
        if force:
            for a in self.actors:
                self.ray.kill(a)
            _cache.clear()


def actors_peak_rss() -> list:
    """The peak RSS (MB) of each actor of the run (bench/workers_bench.py)."""
    ray = _ray()
    return [x for _, actors in _cache.values()
            for x in ray.get([a.peak_rss.remote() for a in actors])]
