"""The LALR tables of the grammar, kept between runs in a per-user cache that is
never trusted.

Building the tables of `grammar.lark` takes about 0.2 s, loading them about
0.02 s (bench/README.md, "Start-up"), on every `stateline` command; so they are
cached.  lark's own `cache=True` is not used: it unpickles
`.lark_cache_<user>_<hash>_<pyver>.tmp` in the shared temporary directory before
checking anything, so whoever creates that file first runs code as every later
user, and a FIFO there hangs every command.  This cache instead

- lives in `$XDG_CACHE_HOME/stateline` (else `~/.cache/stateline`), created
  with mode 0700, and is used only when that directory, opened without
  following a symlink, is owned by this user and writable by nobody else;
- opens its file relative to that open directory with O_NOFOLLOW and
  O_NONBLOCK (a FIFO cannot block), and reads it only when it is a regular file
  owned by this user, smaller than `MAX_BYTES`;
- unpickles with an Unpickler that resolves no class or function at all: the
  tables are dicts, lists, tuples, strings and numbers, so a planted file can at
  worst fail to load;
- writes a new file under a temporary name and renames it into place, so a
  concurrent run never reads half a file.

Any failure (no home directory, a read-only one, a foreign or damaged file)
means the tables are built as if there were no cache; the cache never changes
what is parsed.  The key covers the grammar, the options, and the lark and
Python versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import sys

import lark
import lark.lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

# The options lark lets a loaded parser be given again (and leaves out of what it stores);
# private in lark, hence the copy of lark 1.3's set as a fallback.
_LOAD_ALLOWED_OPTIONS = getattr(lark.lark, "_LOAD_ALLOWED_OPTIONS", {
    "postlex", "transformer", "lexer_callbacks", "use_bytes", "debug", "g_regex_flags",
    "regex", "propagate_positions", "tree_class", "_plugins"})

FORMAT = 1                   # bump when what is stored changes
MAX_BYTES = 8 * 2 ** 20      # the tables are about 0.2 MB
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def parser(grammar: str, **options) -> Lark:
    """`Lark(grammar, parser="lalr", **options)`, its tables from the cache when a safe
    cache has them (and stored there when it does not)."""
    key = _key(grammar, options)
    loaded = options.keys() & _LOAD_ALLOWED_OPTIONS     # given again on every load
    folder = cache_dir()
    if folder is not None:
        stored = read(folder, key)
        found = _from_tables(stored, {k: options[k] for k in loaded}) if stored else None
        if found is not None:
            return found
    built = Lark(grammar, parser="lalr", **options)
    if folder is not None:
        data, memo = built.memo_serialize([TerminalDef, Rule])
        data["options"] = {k: v for k, v in data["options"].items()
                           if k not in _LOAD_ALLOWED_OPTIONS}
        write(folder, key, pickle.dumps({"data": data, "memo": memo},
                                        protocol=pickle.HIGHEST_PROTOCOL))
    return built


def _from_tables(stored: dict, options: dict) -> Lark | None:
    """A parser from stored tables; None when they do not load (another shape)."""
    try:
        return Lark._load_from_dict(stored["data"], stored["memo"], **options)
    except Exception:       # lark raises many kinds of error on tables it did not write
        return None


def _key(grammar: str, options: dict) -> str:
    shown = sorted((k, repr(v)) for k, v in options.items() if k not in _LOAD_ALLOWED_OPTIONS)
    text = f"{FORMAT}\0{lark.__version__}\0{sys.version_info[:2]}\0{shown}\0{grammar}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def cache_dir() -> str | None:
    """The cache folder, created if missing; None when there is no safe one."""
    if not hasattr(os, "geteuid") or os.open not in os.supports_dir_fd:
        return None                      # not a POSIX system: no cache
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    folder = os.path.join(base, "stateline")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return folder


def _open_dir(folder: str) -> int | None:
    """An open descriptor of `folder` when it is safe to use, else None."""
    try:
        fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    st = os.fstat(fd)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        os.close(fd)
        return None
    return fd


def _name(key: str) -> str:
    return f"parser-{key}.pickle"


def read(folder: str, key: str) -> dict | None:
    """The stored tables of `key`, or None (missing, unsafe or damaged)."""
    dfd = _open_dir(folder)
    if dfd is None:
        return None
    try:
        fd = os.open(_name(key), os.O_RDONLY | _NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=dfd)
    except OSError:
        return None
    finally:
        os.close(dfd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or \
                st.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            blob = f.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        stored = _DataOnly(io.BytesIO(blob)).load()
    except Exception:        # pickle raises many kinds of error on damaged input
        return None
    if isinstance(stored, dict) and isinstance(stored.get("data"), dict) and \
            isinstance(stored.get("memo"), dict):
        return stored
    return None


def write(folder: str, key: str, blob: bytes) -> bool:
    """Store `blob` as the tables of `key` (atomically); False when it could not."""
    dfd = _open_dir(folder)
    if dfd is None:
        return False
    temp = f".{_name(key)}.{os.getpid()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | os.O_CLOEXEC,
                     0o600, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb", closefd=False) as f:
                f.write(blob)
        finally:
            os.close(fd)
        os.replace(temp, _name(key), src_dir_fd=dfd, dst_dir_fd=dfd)
        return True
    except OSError:
        with contextlib.suppress(OSError):      # never created, or already renamed
            os.unlink(temp, dir_fd=dfd)
        return False
    finally:
        os.close(dfd)


class _DataOnly(pickle.Unpickler):
    """Unpickles only built-in data: every class or function a pickle names is refused,
    which is what makes loading a planted file harmless (see the pickle docs,
    "Restricting Globals")."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"the parser cache names {module}.{name}; refused")
