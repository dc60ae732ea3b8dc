"""The mapping from spans to spec steps: the default attributes and a mapping file.

Without a mapping file a span is a step when it carries `stateline.action`;
the other attributes say the rest (what `stateline.instrument` writes, and
what Stateline's own OTLP export writes):

=============================  ==============================================
`stateline.action`             the action or handler: `prepare`, `RM.prepare`,
                               `on Commit`
`stateline.node`               the process instance: `RM[2]`, `TM` (else the
                               resource's `stateline.node`, else its
                               `service.name`: `rm-2` is `RM[2]`)
`stateline.param.P`, or the    parameter P (the rest are unobserved: any value
`stateline.params` kvlist      the spec allows)
`stateline.received`           the message received: `Vote(tx=1, rm=2, yes=true)`
`stateline.msg.F`              or field F of it (the type is the handler's)
`stateline.sent`               every message the step sent (an array)
`stateline.var.V`              V after the step: a variable of the acting process,
                               a global, `RM[1].state`, or a map entry `votes[a1]`
`stateline.changes`            kvlist `V -> "old -> new"`: old before the step,
                               new after it (Stateline's export)
`stateline.initial`            kvlist: the initial state (Stateline's root span)
=============================  ==============================================

A mapping file (TOML) adds rules for spans that carry other names and
attributes, and settings:

    node = ["stateline.node", "service.name"]   # where the process instance is
    internal = ["RM.vote"]                      # may happen without a span
    unmapped = "report"                         # or "ignore", "error"
    defaults = true                             # also read stateline.* attributes

    [nodes]                                     # attribute value -> spec node
    "rm-1" = "RM[1]"

    [[span]]
    name = "POST /vote"                         # or name_regex = "^vote (?P<yes>.*)$"
    where = { "http.response.status_code" = 200 }
    action = "RM.vote"
    params = { yes = "vote.yes" }               # parameter -> attribute
    message = { tx = "msg.tx" }                 # received message field -> attribute
    observe = { state = "rm.state" }            # variable after the step -> attribute
    sent = "msgs.sent"                          # attribute with the sent messages

The first `[[span]]` rule that matches a span wins (named groups of
`name_regex` are parameters); a span no rule matches falls back to the
default attributes, and is unmapped if it has no `stateline.action`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

DEFAULT_NODE_KEYS = ("stateline.node", "service.name")
UNMAPPED = ("ignore", "report", "error")


class MappingError(Exception):
    """A mapping file that cannot be read or is malformed; the message says where."""


@dataclass(frozen=True)
class Rule:
    where: str                           # "FILE: [[span]] #2", for messages
    action: str
    name: str | None = None
    name_regex: re.Pattern | None = None
    attributes: tuple[tuple[str, object], ...] = ()
    node: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    message: tuple[tuple[str, str], ...] | str | None = None
    observe: tuple[tuple[str, str], ...] = ()
    sent: str | None = None

    def match(self, span) -> dict | None:
        """Parameters from the span name (regex groups) when the rule applies, else None."""
        groups: dict = {}
        if self.name is not None and span.name != self.name:
            return None
        if self.name_regex is not None:
            m = self.name_regex.fullmatch(span.name)
            if m is None:
                return None
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
        for key, want in self.attributes:
            got = span.attributes.get(key)
            if got != want and not (got is not None and str(got) == str(want)):
                return None
        return groups


@dataclass(frozen=True)
class Mapping:
    path: str | None = None
    node_keys: tuple[str, ...] = DEFAULT_NODE_KEYS
    nodes: tuple[tuple[str, str], ...] = ()
    internal: tuple[str, ...] = ()
    unmapped: str = "ignore"
    defaults: bool = True
    rules: tuple[Rule, ...] = field(default=())


_TOP = {"node", "internal", "unmapped", "defaults", "nodes", "span"}
_RULE = {"name", "name_regex", "where", "action", "node", "params", "message", "observe",
         "sent"}


def load(path: str) -> Mapping:
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        raise MappingError(f"{path or repr(path)}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise MappingError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: invalid TOML: {exc}") from None
    return from_dict(doc, path)


def from_dict(doc: dict, path: str) -> Mapping:
    _known(doc, _TOP, path)
    node = doc.get("node", list(DEFAULT_NODE_KEYS))
    if isinstance(node, str):
        node = [node]
    if not _strings(node) or not node:
        raise MappingError(f"{path}: node: expected an attribute name or a list of them")
    internal = doc.get("internal", [])
    if not _strings(internal):
        raise MappingError(f"{path}: internal: expected a list of action names")
    unmapped = doc.get("unmapped", "ignore")
    if unmapped not in UNMAPPED:
        raise MappingError(f"{path}: unmapped: expected one of {', '.join(UNMAPPED)}")
    defaults = doc.get("defaults", True)
    if not isinstance(defaults, bool):
        raise MappingError(f"{path}: defaults: expected true or false")
    nodes = doc.get("nodes", {})
    if not isinstance(nodes, dict) or not _strings(nodes.values()):
        raise MappingError(f"{path}: [nodes]: expected attribute values = spec nodes "
                           "(\"rm-1\" = \"RM[1]\")")
    rules = doc.get("span", [])
    if not isinstance(rules, list):
        raise MappingError(f"{path}: span: expected [[span]] tables")
    return Mapping(path, tuple(node), tuple(sorted(nodes.items())), tuple(internal), unmapped,
                   defaults, tuple(_rule(r, f"{path}: [[span]] #{i}")
                                   for i, r in enumerate(rules, 1)))


def _rule(r, where: str) -> Rule:
    if not isinstance(r, dict):
        raise MappingError(f"{where}: expected a table")
    _known(r, _RULE, where)
    action = r.get("action")
    if not isinstance(action, str) or not action:
        raise MappingError(f"{where}: action: the spec action or handler this span is "
                           "(\"RM.prepare\", \"on Commit\") is required")
    name, regex = r.get("name"), r.get("name_regex")
    if name is not None and not isinstance(name, str):
        raise MappingError(f"{where}: name: expected a string")
    pattern = None
    if regex is not None:
        try:
            pattern = re.compile(regex)
        except (re.error, TypeError) as exc:
            raise MappingError(f"{where}: name_regex: not a regular expression: {exc}") \
                from None
    if name is None and pattern is None:
        raise MappingError(f"{where}: name or name_regex: which spans the rule is for")
    attrs = r.get("where", {})
    if not isinstance(attrs, dict):
        raise MappingError(f"{where}: where: expected a table of attribute = value")
    message = r.get("message")
    if isinstance(message, dict):
        message = _pairs(message, f"{where}: message")
    elif message is not None and not isinstance(message, str):
        raise MappingError(f"{where}: message: expected an attribute name or a table "
                           "field = attribute")
    node, sent = r.get("node"), r.get("sent")
    for key, value in (("node", node), ("sent", sent)):
        if value is not None and not isinstance(value, str):
            raise MappingError(f"{where}: {key}: expected an attribute name")
    return Rule(where, action, name, pattern, tuple(sorted(attrs.items())), node,
                _pairs(r.get("params", {}), f"{where}: params"), message,
                _pairs(r.get("observe", {}), f"{where}: observe"), sent)


def _pairs(table, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, dict) or not _strings(table.values()):
        raise MappingError(f"{where}: expected a table of name = \"attribute\"")
    return tuple(table.items())


def _strings(values) -> bool:
    return isinstance(values, (list, tuple, type({}.values()))) and \
        all(isinstance(v, str) for v in values)


def _known(table: dict, keys: set[str], where: str) -> None:
    for key in table:
        if key not in keys:
            raise MappingError(f"{where}: unknown key '{key}' (known: {', '.join(sorted(keys))})")
