"""Quoted names: a value named by a keyword of the language is written `` `none` ``.

A name is quoted when, written bare, it would not read back as that name (it is a
literal such as `none` or `true`, or a word the grammar reserves such as `in`).
"""

from __future__ import annotations

import functools

from ..diagnostics import SpecError
from . import ast as A


@functools.lru_cache(maxsize=None)
def needs_quotes(name: str) -> bool:
    from .parse import parse_expr
    try:
        e = parse_expr(name, "<name>")
    except SpecError:
        return True
    return not (isinstance(e, A.Name) and e.id == name)


def shown(name: str) -> str:
    """A name as written in a spec: quoted when it is a keyword (`` `none` ``)."""
    return f"`{name}`" if needs_quotes(name) else name
