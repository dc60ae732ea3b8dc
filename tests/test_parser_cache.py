"""The parser tables' cache (stateline.lang.tables): never lark's shared temporary file,
never code from a planted file, never a hang on a FIFO, and the same parser either way."""

from __future__ import annotations

import os
import pathlib
import pickle
import stat
import subprocess
import sys
import tempfile

import pytest
from lark import Lark

from stateline.lang import parse as P
from stateline.lang import tables

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").rglob("*.sl"))
OPTIONS = dict(start="start", propagate_positions=True, maybe_placeholders=True)


class _Payload:
    """Unpickling this creates the directory `marker` (the code an attacker would run)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _stateline(args, tmp_path, **env):
    full = {**os.environ, "TMPDIR": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            **env}
    return subprocess.run([sys.executable, "-m", "stateline", *args], capture_output=True,
                          text=True, env=full, cwd=ROOT, timeout=300)


def _lark_cached() -> Lark:
    # Exactly the call Stateline made before: lark's file name hashes the options in
    # the order they are given.
    return Lark(P._grammar(), parser="lalr", start="start", postlex=P.Indenter(),
                propagate_positions=True, maybe_placeholders=True, cache=True)


def _old_lark_cache_file(tmp_path, monkeypatch) -> pathlib.Path:
    """The file lark's cache=True reads for Stateline's grammar, with `tmp_path` as the
    temporary directory: lark itself is asked to write it there, so the name is exactly
    lark's (user, grammar hash, Python version)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _lark_cached()
    found = list(tmp_path.glob(".lark_cache_*.tmp"))
    assert len(found) == 1, found
    return found[0]


def test_a_pickle_planted_at_lark_s_cache_path_is_never_loaded(tmp_path, monkeypatch):
    old = _old_lark_cache_file(tmp_path, monkeypatch)
    marker = tmp_path / "pwned"
    sha = old.read_bytes().split(b"\n", 1)[0]
    old.write_bytes(sha + b"\n" + pickle.dumps(_Payload(str(marker))))
    # The planted file is where lark looks: lark's cache=True runs the payload ...
    _lark_cached()
    assert marker.is_dir()
    marker.rmdir()
    # ... Stateline never opens it, with or without its own cache.
    for _ in range(2):                    # the first run builds the cache, the second reads it
        proc = _stateline(["parse", "specs/paxos.sl"], tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "specs/paxos.sl: ok\n"
        assert not marker.exists()
    assert (tmp_path / "cache" / "stateline").is_dir()


def test_a_fifo_at_lark_s_cache_path_does_not_hang(tmp_path, monkeypatch):
    old = _old_lark_cache_file(tmp_path, monkeypatch)
    old.unlink()
    os.mkfifo(old)
    proc = _stateline(["parse", "specs/paxos.sl"], tmp_path)    # lark's cache=True blocks here
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(old.lstat().st_mode)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "stateline"


def _key():
    return tables._key(P._grammar(), dict(OPTIONS))


def _cached_file(folder) -> pathlib.Path:
    return folder / tables._name(_key())


def _parser():
    return tables.parser(P._grammar(), postlex=P.Indenter(), **OPTIONS)


def test_the_cache_folder_is_private_and_the_tables_load_back(folder):
    _parser()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    f = _cached_file(folder)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [f.name]     # no temporary file left behind
    stored = tables.read(str(folder), _key())
    assert stored is not None and set(stored) == {"data", "memo"}


def test_a_parser_from_the_cache_parses_every_spec_as_a_built_one(folder):
    built = Lark(P._grammar(), parser="lalr", postlex=P.Indenter(), **OPTIONS)
    _parser()                                   # writes the cache
    cached = _parser()                          # reads it
    assert cached.source_path == "<deserialized>"       # lark's mark of loaded tables
    for path in SPECS:
        text = path.read_text(encoding="utf-8")
        assert cached.parse(text) == built.parse(text), path


def test_a_pickle_planted_in_the_cache_folder_runs_no_code(folder, tmp_path):
    _parser()
    marker = tmp_path / "pwned"
    _cached_file(folder).write_bytes(pickle.dumps({"data": _Payload(str(marker)), "memo": {}}))
    assert tables.read(str(folder), _key()) is None
    p = _parser()                               # built again, and the cache repaired
    assert not marker.exists()
    assert p.source_path != "<deserialized>"
    assert tables.read(str(folder), _key()) is not None


@pytest.mark.parametrize("plant", ["fifo", "symlink", "garbage", "empty"])
def test_a_cache_file_that_is_not_a_regular_pickle_is_ignored(folder, tmp_path, plant):
    _parser()
    f = _cached_file(folder)
    good = f.read_bytes()
    f.unlink()
    if plant == "fifo":
        os.mkfifo(f)
    elif plant == "symlink":              # good tables, but not the cache's own file
        real = tmp_path / "elsewhere.pickle"
        real.write_bytes(good)
        f.symlink_to(real)
    elif plant == "garbage":
        f.write_bytes(b"\x80\x05not a pickle at all")
    else:
        f.write_bytes(b"")
    assert tables.read(str(folder), _key()) is None
    assert _parser().parse("spec X\n") is not None


def test_a_cache_folder_others_can_write_is_not_used(folder):
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    p = _parser()
    assert p.source_path != "<deserialized>"
    assert list(folder.iterdir()) == []          # nothing written there either
    assert tables.read(str(folder), _key()) is None


def test_a_symlinked_cache_folder_is_not_used(folder, tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    folder.parent.mkdir(parents=True)
    folder.symlink_to(real)
    _parser()
    assert list(real.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a file to another user needs root")
def test_a_cache_file_owned_by_another_user_is_ignored(folder):
    _parser()
    os.chown(_cached_file(folder), 65534, 65534)
    assert tables.read(str(folder), _key()) is None
