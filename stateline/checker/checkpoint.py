"""Checkpoint and resume of the breadth-first search (`check --checkpoint DIR`,
`--resume DIR`), TLC's `-checkpoint` / `-recover`.

At the end of a BFS level (at most every `every` seconds) the search hands over a
snapshot: the stored states in index order (the seen set is rebuilt from them), their
parents, the index of the first state not yet expanded (the frontier is the rest), the
counters, the violations found, and with temporal properties the labelled graph built so
far.  It is written to `DIR/<spec file stem>.<check>.ckpt` atomically (a temporary file,
fsync, rename), so a kill -9 at any moment leaves the previous checkpoint or the new
one, never half of one.  Resuming continues the search from that level and ends with
exactly the counts, depth and counterexamples of an uninterrupted run (the search is
deterministic and the snapshot is taken between levels).

A checkpoint records an identity: a hash of the spec's source, the check block, the
values of its constants and the options that shape the search (symmetry, deadlock,
temporal graph, --max-depth).  One of another spec or instance is refused (exit 2).

The file is a pickle of built-in data only (tuples, lists, dicts, frozensets, ints,
strings, bytes): it is read with an unpickler that refuses every class or function a
file names, so a planted checkpoint cannot run code.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import tempfile
import time
from array import array

FORMAT = "stateline.checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint cannot be written, read or used for this search."""


def identity(source: str, check: str, constants, symmetry: bool, check_deadlock: bool,
             graph: bool, max_depth: int | None,
             properties: tuple[str, ...] | None = None) -> str:
    """What a checkpoint is of; `properties`, the selection of --invariant and
    --property (None: the block's own, which the source fixes)."""
    h = hashlib.sha256()
    parts = [source, check, repr(tuple(constants)), repr((symmetry, check_deadlock, graph,
                                                          max_depth))]
    if properties is not None:
        parts.append(repr(tuple(properties)))
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def file_for(folder: str, spec_path: str, check: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.splitext(os.path.basename(spec_path))[0])
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", check)
    return os.path.join(folder, f"{stem}.{name}.ckpt")


def _plain(value):
    """Arrays as (typecode, bytes): the file holds built-in data only."""
    if isinstance(value, array):
        return ("array", value.typecode, value.tobytes())
    return value


def _array(value) -> array:
    kind, typecode, raw = value
    if kind != "array" or typecode not in ("q", "i"):
        raise CheckpointError("a checkpoint array is malformed")
    out = array(typecode)
    out.frombytes(raw)
    return out


class Checkpointer:
    """Writes snapshots of one search to its file, at most every `every` seconds."""

    def __init__(self, path: str, ident: str, every: float):
        self.path, self.ident, self.every = path, ident, every
        self.last = time.monotonic()
        self.written = 0
        self.failed = ""

    def due(self) -> bool:
        return time.monotonic() - self.last >= self.every

    def save(self, snapshot: dict) -> None:
        doc = {"format": FORMAT, "version": VERSION, "identity": self.ident,
               **{k: _plain(v) for k, v in snapshot.items()}}
        if doc.get("graph") is not None:
            doc["graph"] = tuple(_plain(x) if x is not None else None for x in doc["graph"])
        raw = pickle.dumps(doc, protocol=5)
        folder = os.path.dirname(self.path) or "."
        try:
            os.makedirs(folder, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".ckpt-", dir=folder)
        except OSError as exc:
            self.failed = f"cannot write the checkpoint {self.path}: {exc.strerror or exc}"
            self.every = float("inf")
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            try:
                os.unlink(temp)
            except OSError:
                pass
            # the search goes on without checkpoints; the run reports it
            self.failed = f"cannot write the checkpoint {self.path}: {exc.strerror or exc}"
            self.every = float("inf")
            return
        self.last = time.monotonic()
        self.written += 1


class _DataOnly(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"names {module}.{name}")


def load(path: str, ident: str) -> dict:
    """The snapshot in `path` for the search with identity `ident` (CheckpointError if it
    is not a checkpoint, is damaged, or belongs to another spec or instance)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise CheckpointError(f"cannot read the checkpoint {path}: "
                              f"{exc.strerror or exc}") from None
    try:
        doc = _DataOnly(io.BytesIO(raw)).load()
    except Exception as exc:  # noqa: BLE001  (any malformed file: one clear error)
        raise CheckpointError(f"{path} is not a Stateline checkpoint ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a Stateline checkpoint")
    if doc.get("version") != VERSION:
        raise CheckpointError(f"{path}: checkpoint version {doc.get('version')!r} is not "
                              f"supported (this Stateline reads version {VERSION})")
    if doc.get("identity") != ident:
        raise CheckpointError(f"{path} is the checkpoint of another spec, check block or "
                              f"instance (or of other search options): refusing to resume "
                              f"from it")
    try:
        snap = {k: doc[k] for k in ("states", "violations", "active", "transitions",
                                    "depth", "level_end", "i")}
        snap["parents"] = _array(doc["parents"])
        if isinstance(doc.get("next_check"), int):     # where the next bound check falls
            snap["next_check"] = doc["next_check"]
        g = doc.get("graph")
        u = doc.get("units")
        snap["units"] = None if u is None else (list(u[0]), list(u[1]), list(u[2]))
        snap["graph"] = None if g is None else \
            (_array(g[0]), _array(g[1]), _array(g[2]), list(g[3]),
             list(g[4]) if g[4] is not None else None)
        ok = isinstance(snap["states"], list) and len(snap["parents"]) == \
            len(snap["states"]) and 0 <= snap["i"] <= snap["level_end"] <= len(snap["states"])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CheckpointError(f"{path}: the checkpoint is damaged ({exc})") from None
    if not ok:
        raise CheckpointError(f"{path}: the checkpoint is damaged")
    return snap
