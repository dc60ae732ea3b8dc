"""The REPL: evaluate expressions of a spec in a state, and walk its steps.

    PaxosNoQuorum[0]> :steps
      1  Leader[0].prepare
      2  Leader[1].prepare
    PaxosNoQuorum[0]> :step Leader[0].prepare        (or :step 1, or :step prepare)
    PaxosNoQuorum[1]> len(sent(Prepare))
    1

Anything that does not start with `:` is an expression of the spec, typed like
an invariant's and compiled by the model's code generator (`Session.evaluate`).
`Repl.handle(line)` returns the text to print, so the same dialogue runs under
prompt_toolkit on a terminal (`run`) and line by line from a pipe.
"""

from __future__ import annotations

import os
import re
import sys

from ..diagnostics import SpecError, render
from ..render.text import trace_text
from .session import Session, SessionError

HELP = """\
  EXPR                 evaluate an expression of the spec in the current state
  :steps               the enabled steps, numbered
  :step N | :step S    take step N of :steps, or the step S (as :steps shows it, e.g.
                       `:step Leader[0].proposeAny(v=v1, q={a1})`; the node may be left
                       out when one fits: `:step proposeAny(v=v1, q={a1})`; a received
                       message after `<-`)
  :back, :forward      along the path (forward redoes steps undone by :back)
  :state               every variable in the current state
  :props               the invariants in the current state
  :trace               the path so far, as `stateline check` prints a trace
  :jump PROP           the path becomes PROP's shortest counterexample
  :initial [N]         the initial states; start again from the N-th
  :help, :quit"""

COMMANDS = [":steps", ":step", ":back", ":forward", ":state", ":props", ":trace", ":jump",
            ":initial", ":help", ":quit"]


class Quit(Exception):
    pass


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


class Repl:
    def __init__(self, session: Session):
        self.session = session

    @property
    def prompt(self) -> str:
        return f"{self.session.system.name}[{self.session.depth}]> "

    def step_names(self) -> list[str]:
        """The enabled steps as `:step` takes them (for completion)."""
        return [_shown(o.step) for o in self.session.enabled()]

    def variable_names(self) -> list[str]:
        return [slot.name for slot in self.session.system.slots]

    def handle(self, line: str) -> str:
        line = line.strip()
        if not line or line.startswith("#"):
            return ""
        if not line.startswith(":"):
            return self.evaluate(line)
        cmd, _, arg = line.partition(" ")
        arg = arg.strip()
        s = self.session
        try:
            if cmd in (":quit", ":q", ":exit"):
                raise Quit
            if cmd in (":help", ":h"):
                return HELP
            if cmd == ":steps":
                return self.steps()
            if cmd == ":step":
                return self.step(arg)
            if cmd == ":back":
                return self._moved(s.back(), "at the initial state")
            if cmd == ":forward":
                return self._moved(s.forward(), "no step to redo")
            if cmd == ":state":
                return "\n".join(f"  {k} = {v}" for k, v in s.model.describe(s.current))
            if cmd == ":props":
                return self.props()
            if cmd == ":trace":
                t = s.trace()
                return trace_text(t, f"({len(t)} step{'s' if len(t) != 1 else ''})")
            if cmd == ":jump":
                if not arg:
                    found = s.violated()
                    return "properties with a counterexample: " + (
                        ", ".join(f"{p} ({n} steps)" for p, _, _, n in found) or "none")
                t = s.jump(arg)
                return f"{arg}: the shortest counterexample, {len(t)} steps\n" + self.props()
            if cmd == ":initial":
                if not arg:
                    return "\n".join(f"  {k + 1}  " + ", ".join(
                        f"{n} = {v}" for n, v in s.model.describe(init))
                        for k, init in enumerate(s.initials))
                if not arg.isdigit():
                    return "error: :initial takes the number of an initial state"
                s.choose_initial(int(arg) - 1)
                return f"initial state {arg}"
        except SessionError as exc:
            return f"error: {exc}"
        return f"error: unknown command {cmd} (:help lists them)"

    def _moved(self, moved: bool, otherwise: str) -> str:
        if not moved:
            return otherwise
        t = self.session.trace()
        return f"at step {len(t)}" + (f": {_shown(t.steps[-1])}" if t.steps else "")

    def evaluate(self, text: str) -> str:
        try:
            return self.session.evaluate(text)
        except SpecError as exc:
            sources = {"<expression>": text}
            return "\n".join(render(d, sources) for d in exc.diagnostics)
        except SessionError as exc:
            return f"error: {exc}"

    def steps(self) -> str:
        options = self.session.enabled()
        if not options:
            return "no step is enabled (deadlock)"
        cur = self.session.current
        return "\n".join(f"  {k:>2}  {_shown(o.step)}" + ("   (changes nothing)"
                                                         if o.state == cur else "")
                         for k, o in enumerate(options, 1))

    def step(self, arg: str) -> str:
        options = self.session.enabled()
        if not arg:
            return "error: :step takes a step number or a step (see :steps)"
        if arg.isdigit():
            k = int(arg)
            if not 1 <= k <= len(options):
                return f"error: no step {k}: {len(options)} step(s) are enabled (:steps)"
            chosen = [options[k - 1]]
        else:
            want = _norm(arg)
            chosen = [o for o in options if _norm(_shown(o.step)) == want]
            if not chosen:      # without the node, or without the message
                chosen = [o for o in options if want in (_norm(_short(o.step)),
                                                          _norm(o.step.title()),
                                                          _norm(_short(o.step, False)))]
            if not chosen:
                return f"error: no enabled step is {arg} (:steps lists them)"
            if len({_shown(o.step) for o in chosen}) > 1:
                return "error: several enabled steps fit; say which:\n" + "\n".join(
                    f"  {_shown(o.step)}" for o in chosen)
        step = self.session.take(chosen[0].index)
        out = [f"step {step.number}: {_shown(step)}"]
        out += [f"  sent      {m.shown}" for m in step.sent]
        out += [f"  {c.variable}  {c.old} -> {c.new}" for c in step.changes]
        bad = [p.name for p in self.session.properties() if p.holds is False]
        if bad:
            out.append("  violated here: " + ", ".join(bad))
        return "\n".join(out)

    def props(self) -> str:
        rows = []
        for p in self.session.properties():
            mark = {True: "holds", False: "VIOLATED", None: p.error or "n/a"}[p.holds]
            rows.append(f"  {p.name:<24} {p.kind:<11} {mark}")
        return "\n".join(rows)


def _shown(step) -> str:
    return step.title() + (f" <- {step.received.shown}" if step.received else "")


def _short(step, with_message: bool = True) -> str:
    title = step.title()
    short = title[len(step.node) + 1:] if title.startswith(step.node + ".") else title
    return short + (f" <- {step.received.shown}" if with_message and step.received else "")


def history_file() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local",
                                                            "state")
    return os.path.join(base, "stateline", "repl_history")


def run(session: Session, out=None) -> None:
    """The dialogue: prompt_toolkit on a terminal (history, completion), plain lines from a
    pipe (one answer per line, no prompt)."""
    repl = Repl(session)
    out = out or sys.stdout
    if not sys.stdin.isatty():
        for line in sys.stdin:
            try:
                answer = repl.handle(line)
            except Quit:
                return
            if answer:
                print(answer, file=out, flush=True)
        return
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from .completion import ReplCompleter

    path = history_file()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        history = FileHistory(path)
    except OSError:
        history = InMemoryHistory()
    prompt = PromptSession(history=history, completer=ReplCompleter(repl),
                           complete_while_typing=False)
    print(f"{session.system.name}, check {session.check.name}: :help lists the commands, "
          ":quit (or Ctrl-D) ends", file=out)
    while True:
        try:
            line = prompt.prompt(repl.prompt)
        except KeyboardInterrupt:       # Ctrl-C: a new line, as in a shell
            continue
        except EOFError:
            return
        try:
            answer = repl.handle(line)
        except Quit:
            return
        if answer:
            print(answer, file=out, flush=True)
