"""Completion for the REPL (prompt_toolkit): commands after `:`, the enabled steps after
`:step `, the check's properties after `:jump `, and otherwise the names an expression
can use (constants, variables, processes, definitions, message types)."""

from __future__ import annotations

import re

from prompt_toolkit.completion import Completer, Completion

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


class ReplCompleter(Completer):
    def __init__(self, repl):
        self.repl = repl

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        if text.startswith(":step "):
            typed = text[len(":step "):]
            for name in self.repl.step_names():
                if name.startswith(typed.lstrip()):
                    yield Completion(name, start_position=-len(typed.lstrip()))
            return
        if text.startswith(":jump "):
            typed = text[len(":jump "):].lstrip()
            for p in self.repl.session.properties():
                if p.name.startswith(typed) and p.kind != "constraint":
                    yield Completion(p.name, start_position=-len(typed))
            return
        if text.startswith(":") and " " not in text:
            from .repl import COMMANDS
            for c in COMMANDS:
                if c.startswith(text):
                    yield Completion(c, start_position=-len(text))
            return
        m = _WORD.search(text)
        word = m.group(0) if m else ""
        if not word:
            return
        session = self.repl.session
        names = set(session.names())
        names.update(v.name for v in session.loaded.typed.variables)   # after `P[i].`
        if session.system.network is not None:
            names.update(r.name for r in session.system.network.messages.records)
        for name in sorted(names):
            if name.startswith(word) and name != word:
                yield Completion(name, start_position=-len(word))
