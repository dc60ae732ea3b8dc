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
``"x"``, ``:timed-out``), read with `edn`.

Some copies of these logs have had their tabs expanded to spaces (Porcupine's
``etcd_100.log`` to ``etcd_102.log``: ``1   :invoke :write  3``).  A line whose process
is followed by spaces and a ``:`` is read the same way, its fields separated by
whitespace: the process, the type and the operation are one word each, and the value
is the first EDN value after them (a word, or a string, vector, list, map or set up to
its closing bracket); whatever follows it is the error, ignored.  That is unambiguous
because an EDN value ends where its text says it does, and ``pr-str`` never writes a
tab or a newline inside one.

Every other line (other loggers, a stack trace, a blank line) is skipped; a line that
starts like an event (a process and a tab, or a process, spaces and a ``:``, after the
prefix) but is not one is an error naming its line.  A log with no operation at all is
an error too, naming the first line that is not an event (a file given as a log by
mistake must not pass as an empty, linearizable history).
"""

from __future__ import annotations

import re

from edn_format import EDNDecodeError

from .edn import EdnError, Record, parse, value

PREFIX = re.compile(r"^(?:.*?\bjepsen\.util\b\s*(?:-\s*|:\s*|\s+))?(?P<rest>.*)$")
EVENT = re.compile(r"^(?P<process>\d+|:nemesis)(?:\t| +(?=:))")
SPACED = re.compile(r"(?P<process>\S+)\s+(?P<type>\S+)\s+(?P<f>\S+)(?:\s+(?P<rest>.*?))?\s*$")
LOOKS = re.compile(r"^(?:\d+|:nemesis)(?:\t:| +:(?:invoke|ok|fail|info) +:)")
CLOSE = {"[": "]", "(": ")", "{": "}"}
TYPES = ("invoke", "ok", "fail", "info")


def looks_like(text: str) -> bool:
    """Is this text a Jepsen log?  (Some line among the first 50 is an event.)"""
    for line in text.split("\n", 50)[:50]:
        m = PREFIX.match(line)
        if m and LOOKS.match(m.group("rest")):
            return True
    return False


def records(text: str) -> list[Record]:
    out = []
    unread = None           # the first line that is neither blank nor an event
    for number, line in enumerate(text.split("\n"), 1):
        rest = PREFIX.match(line.rstrip("\r")).group("rest")
        m = EVENT.match(rest)
        if not m:
            if unread is None and line.strip():
                unread = number
            continue
        if m.group("process") == ":nemesis":
            continue
        if rest[m.end() - 1] == "\t":
            fields = rest.split("\t")
            if len(fields) not in (4, 5):
                raise EdnError(f"expected process<TAB>:type<TAB>:f<TAB>value, got "
                               f"{len(fields)} field{'s' * (len(fields) != 1)}", number)
            process, type_, f, shown = fields[:4]
        else:
            spaced = SPACED.match(rest)
            if spaced is None or spaced.group("rest") is None:
                raise EdnError("expected process :type :f value, separated by tabs or "
                               "spaces", number)
            process, type_, f = spaced.group("process", "type", "f")
            shown = first_value(spaced.group("rest"))
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
    if not out:
        if unread is None:
            raise EdnError("no operation in the log (it is empty, or has only :nemesis "
                           "events)", None)
        raise EdnError("no operation in the log: this line is not an event (expected "
                       "process, :type, :f and value, separated by tabs or spaces, after "
                       "the jepsen.util prefix)", unread)
    return out


def first_value(text: str) -> str:
    """The text of the first EDN value in `text`: a word, or a string or collection up
    to its closing quote or bracket (a tag goes with the value after it).  Unbalanced
    text is returned whole, for the EDN reader to report."""
    if text.startswith("#") and not text.startswith(("#{", "#_")):
        tag = re.match(r"#\S*", text).group()
        after = text[len(tag):].lstrip()
        return tag + " " + first_value(after) if after else tag
    start = 1 if text.startswith("#{") else 0
    if text[start:start + 1] not in ('"', *CLOSE):
        return re.match(r"\S*", text).group()
    depth, quoted, i = 0, False, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 1
        elif quoted:
            quoted = c != '"'
        elif c == '"':
            quoted = True
        elif c in CLOSE:
            depth += 1
        elif c in CLOSE.values():
            depth -= 1
        if depth == 0 and not quoted:
            return text[:i + 1]
        i += 1
    return text
