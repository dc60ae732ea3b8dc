"""`stateline repl`: evaluate expressions of a spec in a state and take its steps."""

from __future__ import annotations

from .codes import EXIT_INVALID, EXIT_OK
from .console import Console
from .explore import add_session_arguments, open_session


def add_parser(sub) -> None:
    p = sub.add_parser("repl", help="evaluate expressions and take steps at a prompt",
                       description="A read-eval-print loop over a check block's instance: "
                                   "evaluate expressions of the spec in the current state, "
                                   "list and take the enabled steps (:steps, :step), go back, "
                                   "print the trace.  From a pipe it reads one command a line "
                                   "and prints no prompt.")
    add_session_arguments(p)
    p.set_defaults(run=run)


def run(args, console: Console) -> int:
    session = open_session(args, console)
    if session is None:
        return EXIT_INVALID
    from ..explore.repl import run as dialogue

    dialogue(session)
    return EXIT_OK
