"""Output files and folders of a command: checked before any work starts, written
atomically.

`check_paths` is called by each command with every output path it was given and
its inputs, before it reads a spec or starts a search, so that a path that cannot
be written stops the command at once (exit 2, SL504) instead of after an hour of
search.  It refuses an empty path, an output that is one of the inputs (compared
by the file it names, so `./x.sl` is `x.sl`), two outputs naming the same file, a
folder where a file is expected (and the reverse), a missing parent folder, and
a folder in which a file cannot be created.

`write` replaces a file atomically: the text goes to a temporary file in the same
folder, which is then renamed over the target, so an interrupted or failed run
never leaves half a file, and a reader sees the old file or the new one.  A target
that is not a regular file (`/dev/stdout`, a FIFO) is written in place.
"""

from __future__ import annotations

import os
import stat
import tempfile

from .console import Console


def _error(console: Console, message: str) -> bool:
    console.error(f"stateline: error[SL504]: {message}")
    return False


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _can_create_in(folder: str) -> str | None:
    """Why no file can be created in `folder` (an existing directory), or None.

    A temporary file is created and removed: the same operation `write` needs, so
    it also detects a read-only file system and rights that `os.access` misjudges.
    """
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".stateline-probe-")
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(probe)
    return None


def _nearest_existing(path: str) -> str:
    path = os.path.abspath(path)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def check_file(option: str, path: str, inputs: list[str], console: Console) -> bool:
    """Can `path` (the value of `option`) be written as a file without harming an input?"""
    if path == "":
        return _error(console, f"{option}: the path is empty")
    if os.path.isdir(path):
        return _error(console, f"{option} {path}: is a directory, not a file")
    for source in inputs:
        if os.path.exists(path) and _same(path, source):
            return _error(console, f"{option} {path}: is an input of this command; "
                                   "refusing to overwrite it")
    if os.path.exists(path):
        if not os.access(path, os.W_OK):
            return _error(console, f"{option} {path}: the file is read-only")
        if not stat.S_ISREG(os.stat(path).st_mode):     # /dev/stdout, a FIFO: in place
            return True
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        what = "is not a directory" if os.path.exists(folder) else "does not exist"
        return _error(console, f"{option} {path}: the folder {folder} {what}")
    why = _can_create_in(folder)
    if why is not None:
        return _error(console, f"{option} {path}: cannot write in {folder}: {why}")
    return True


def check_folder(option: str, path: str, inputs: list[str], console: Console) -> bool:
    """Can files be written in the folder `path` (created if missing)?"""
    if path == "":
        return _error(console, f"{option}: the path is empty")
    if os.path.exists(path) and not os.path.isdir(path):
        return _error(console, f"{option} {path}: is not a directory")
    for source in inputs:
        if os.path.exists(path) and _same(path, source):
            return _error(console, f"{option} {path}: is an input of this command")
    existing = _nearest_existing(path)
    if not os.path.isdir(existing):
        return _error(console, f"{option} {path}: {existing} is not a directory")
    why = _can_create_in(existing)
    if why is not None:
        return _error(console, f"{option} {path}: cannot write in {existing}: {why}")
    return True


def check_paths(console: Console, inputs: list[str], files=(), folders=()) -> bool:
    """Check every output: `files` and `folders` are (option, path or None) pairs (None:
    the option was not given).  Every problem is reported; False if there is one."""
    ok = True
    seen: dict[str, str] = {}
    for option, path in files:
        if path is None:
            continue
        if not check_file(option, path, inputs, console):
            ok = False
            continue
        key = os.path.realpath(path)
        if key in seen:
            ok = _error(console, f"{seen[key]} and {option} name the same file {path}")
        seen[key] = option
    for option, path in folders:
        if path is not None and not check_folder(option, path, inputs, console):
            ok = False
    return ok


def write(path: str, data: str | bytes, console: Console) -> bool:
    """Write `data` to `path` atomically (see above); on failure say why (SL504) and
    return False, leaving `path` as it was."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = os.path.realpath(path) if os.path.islink(path) else path
    try:
        st = os.stat(target)
    except OSError:
        st = None
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):
            with open(target, "wb") as f:
                f.write(raw)
            return True
        _replace(target, raw, st)
    except OSError as exc:
        return _error(console, f"cannot write '{path}': {exc.strerror or exc}")
    return True


def _replace(target: str, raw: bytes, st) -> None:
    folder = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        if st is not None:
            mode = stat.S_IMODE(st.st_mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:          # an error, or a second signal: the target is untouched
        if os.path.exists(temp):
            os.unlink(temp)
        raise
