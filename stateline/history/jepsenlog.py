"""The plain-text history of Jepsen's log, as Porcupine's etcd test data has it.

Jepsen logs every operation through ``jepsen.util`` as one line of tab-separated
fields::

    INFO  jepsen.util - 3	:invoke	:cas	[4 1]
    INFO  jepsen.util - 3	:fail	:cas	[4 1]
    INFO  jepsen.util - 1	:info	:write	:timed-out
    INFO  jepsen.util - :nemesis	:info	:start	nil

A line is an event when, after the logger's prefix (anything up to ``jepsen.util``
followed by ``-``, ``:`` or a space; or no prefix at all, as in Jepsen's
``history.txt``), it has the fields ``process``, ``:type``, ``:f`` and ``value``
separated by tabs, and maybe a fifth, the error, which is ignored.  The process is an
integer; ``:nemesis`` lines are skipped.  The value is EDN (``nil``, ``3``, ``[4 1]``,
``"x"``, ``:timed-out``), read with `edn`.  Every other line (other loggers, a stack
trace, a blank line) is skipped; a line that starts like an event (a process and a tab,
after the prefix) but is not one is an error naming its line.
"""

from __future__ import annotations

import re

from edn_format import EDNDecodeError

from .edn import EdnError, Record, parse, value

PREFIX = re.compile(r"^(?:.*?\bjepsen\.util\b\s*(?:-\s*|:\s*|\s+))?(?P<rest>.*)$")
EVENT = re.compile(r"^(?P<process>\d+|:nemesis)\t")
TYPES = ("invoke", "ok", "fail", "info")


def looks_like(text: str) -> bool:
    """Is this text a Jepsen log?  (Some line among the first 50 is an event.)"""
    for line in text.split("\n", 50)[:50]:
        m = PREFIX.match(line)
        if m and EVENT.match(m.group("rest")) and "\t:" in m.group("rest"):
            return True
    return False


def records(text: str) -> list[Record]:
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        rest = PREFIX.match(line.rstrip("\r")).group("rest")
        m = EVENT.match(rest)
        if not m:
            continue
        fields = rest.split("\t")
        if m.group("process") == ":nemesis":
            continue
        if len(fields) not in (4, 5):
            raise EdnError(f"expected process<TAB>:type<TAB>:f<TAB>value, got "
                           f"{len(fields)} field{'s' * (len(fields) != 1)}", number)
        process, type_, f, shown = fields[:4]
        if type_[:1] != ":" or type_[1:] not in TYPES:
            raise EdnError(f"the type must be :invoke, :ok, :fail or :info, not {type_!r}",
                           number)
        if not re.fullmatch(r":[\w.*+!?<>=/-]+", f):
            raise EdnError(f"the operation must be a keyword (:read, :write, :cas, ...), "
                           f"not {f!r}", number)
        try:
            forms = parse(shown)
        except (EDNDecodeError, NotImplementedError):
            raise EdnError(f"the value {shown!r} is not valid EDN", number) from None
        if len(forms) != 1:
            raise EdnError(f"the value {shown!r} is not one EDN value", number)
        out.append(Record(number, int(process), type_[1:], f[1:],
                          value(forms[0], number, "the value"), None, False))
    return out
